/**
 * Board plugin: QEMU's `virt` RISC-V machine (hw/riscv/virt.c memory map) as CROSSCON runs it
 * (reference/platforms.json, qemu-riscv64-virt), including the second UART that CROSSCON's QEMU
 * patch adds at 0x10001000 (IRQ 12; virtio-mmio moves to 0x10002000 and is not modelled).
 */
import type { BoardDesc } from '../../core/board.ts'

export const qemuVirtRiscv64: BoardDesc = {
  name: 'qemu-virt-riscv64',
  arch: 'riscv64',
  cpus: 2,
  // one instruction per cycle: 1 ns of virtual time each
  cpuHz: 1_000_000_000,
  // QEMU virt: timebase-frequency = 10 MHz (RISCV_ACLINT_DEFAULT_TIMEBASE_FREQ)
  timebaseHz: 10_000_000,
  // VIRT_DRAM; 2 GiB, committed only as guests touch it
  memory: [{ base: 0x8000_0000, size: 0x8000_0000 }],
  devices: [
    { name: 'test0', type: 'sifive-test', base: 0x10_0000, size: 0x1000 },
    { name: 'clint0', type: 'aclint', base: 0x200_0000, size: 0x1_0000 },
    // 96 sources (VIRT_IRQCHIP_NUM_SOURCES); contexts default to M then S per hart (2h, 2h+1)
    { name: 'plic0', type: 'plic', base: 0xc00_0000, size: 0x60_0000, params: { sources: 96 } },
    { name: 'uart0', type: 'ns16550', base: 0x1000_0000, size: 0x100, irqs: [{ to: 'plic0', input: 10 }] },
    { name: 'uart1', type: 'ns16550', base: 0x1000_1000, size: 0x100, irqs: [{ to: 'plic0', input: 12 }] },
  ],
  console: 'uart0',
  resetPc: 0x8000_0000,
  // QEMU models no caches, and CROSSCON's RISC-V platform file describes none (one colour). For
  // colouring and the LLC model this board takes a real RV64 part's: SiFive's U74-MC core complex
  // (FU740, the HiFive Unmatched) — 2 MiB 16-way L2 with 64-byte lines, shared by the harts,
  // 32 KiB 8-way L1 D and 32 KiB 4-way L1 I per core (U74-MC manual, §3). It is the RV64 SoC with
  // the H-extension-era core most users of Bao on RISC-V hardware have. With §5.1's maths: an L1 D
  // way is 4 KiB (one page), an LLC way 128 KiB: 32 colours of one page each.
  caches: {
    llc: { sizeBytes: 2 * 1024 * 1024, ways: 16, lineBytes: 64 },
    l1d: { sizeBytes: 32 * 1024, ways: 8, lineBytes: 64 },
    l1i: { sizeBytes: 32 * 1024, ways: 4, lineBytes: 64, indexing: 'VIPT' },
    // DDR4 behind the U74's L2 answers in ~100 ns: 100 cycles of this board's 1 GHz virtual clock
    llcMissCycles: 100,
  },
  // as CROSSCON runs on this machine: OpenSBI's FW_PAYLOAD at the start of RAM, the hypervisor image above it
  reserved: [
    { base: 0x8000_0000, size: 0x20_0000, what: 'OpenSBI (the firmware)' },
    { base: 0x8020_0000, size: 0x20_0000, what: 'the hypervisor image and CPU areas', hypervisor: true },
  ],
}

