/**
 * Board plugin: QEMU's `virt` Arm machine (hw/arm/virt.c memory map) as CROSSCON runs it
 * (reference/platforms.json, qemu-aarch64-virt: `-machine virt,gic-version=2,virtualization=on
 * -cpu cortex-a53 -smp 4 -m 4G`), including the second PL011 that CROSSCON's QEMU patch adds at
 * 0x090c0000 (SPI 10, INTID 42). Devices QEMU has and baobab does not model (the PL031 RTC,
 * fw_cfg, virtio-mmio, the PL061 GPIO) are absent: their windows read as unassigned.
 */
import type { BoardDesc } from '../../core/board.ts'

export const qemuVirtAarch64: BoardDesc = {
  name: 'qemu-virt-aarch64',
  arch: 'aarch64',
  cpus: 4,
  // one instruction per cycle: 1 ns of virtual time each
  cpuHz: 1_000_000_000,
  // the generic timer's CNTFRQ_EL0 on QEMU's cortex-a53 (62.5 MHz)
  timebaseHz: 62_500_000,
  // VIRT_MEM at 1 GiB; CROSSCON's -m 4G, committed only as guests touch it
  memory: [{ base: 0x4000_0000, size: 0x1_0000_0000 }],
  devices: [
    // GICv2 with the virtualization extensions (virtualization=on): GICD at +0, GICC at +0x10000,
    // GICH at +0x30000, GICV at +0x40000; maintenance interrupt PPI 25 (platforms.json)
    { name: 'gic0', type: 'gicv2', base: 0x800_0000, size: 0x5_0000, params: { irqs: 288 } },
    { name: 'uart0', type: 'pl011', base: 0x900_0000, size: 0x1000, irqs: [{ to: 'gic0', input: 33 }] },
    { name: 'uart1', type: 'pl011', base: 0x90c_0000, size: 0x1000, irqs: [{ to: 'gic0', input: 42 }] },
  ],
  // the generic timer's outputs to their PPIs (QEMU virt's ARCH_TIMER_*_IRQ: INTIDs 30 and 27)
  cpuIrqs: [
    { output: 'CNTPNSIRQ', to: 'gic0', input: 30 },
    { output: 'CNTVIRQ', to: 'gic0', input: 27 },
  ],
  console: 'uart0',
  // QEMU's -kernel: a raw image loads at the start of RAM plus the Linux text offset
  resetPc: 0x4008_0000,
  // VIRT_FLASH, both banks: `-bios` firmware (U-Boot's u-boot.bin) runs from the first, the
  // second holds its environment
  flash: { base: 0, size: 0x800_0000 },
  // cortex-a53 as QEMU reports it (CCSIDR 0x707fe07a): 1 MiB 16-way L2 with 64-byte lines, shared;
  // 32 KiB 4-way L1 D and 32 KiB 2-way VIPT L1 I. §5.1's maths: an LLC way is 64 KiB, an L1 I
  // way 16 KiB: 8 colours of 2 pages each (platforms.json `colors`).
  caches: {
    llc: { sizeBytes: 1024 * 1024, ways: 16, lineBytes: 64 },
    l1d: { sizeBytes: 32 * 1024, ways: 4, lineBytes: 64 },
    l1i: { sizeBytes: 32 * 1024, ways: 2, lineBytes: 64, indexing: 'VIPT' },
    llcMissCycles: 100,
  },
  // as CROSSCON runs on this machine: TF-A's BL31 in secure RAM (not in this map), the hypervisor as BL33 at the start of RAM
  reserved: [
    { base: 0x4000_0000, size: 0x20_0000, what: 'the hypervisor image and CPU areas', hypervisor: true },
  ],
}
