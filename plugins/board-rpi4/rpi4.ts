/**
 * Board plugin: the Raspberry Pi 4 Model B (Broadcom BCM2711, 4× Cortex-A72) as CROSSCON
 * describes it (reference/platforms.json `rpi4`, CROSSCON-Hypervisor src/platform/rpi4/) and
 * bao-demos boots it (platforms/rpi4: the VideoCore firmware starts TF-A's BL31 as the armstub
 * and U-Boot as the kernel; `fatload mmc 0 0x200000 bao.bin; go 0x200000`).
 *
 * Addresses are the ARM's view in "low peripheral" mode (the VideoCore bus address 0x7exxxxxx
 * appears at 0xfexxxxxx, the GIC-400 at 0xff84xxxx). CROSSCON's one RAM region runs
 * 0x80000..0x100080000 straight over the peripheral window 0xfc000000..0xffffffff; a bus cannot
 * have RAM and devices at one address, so the RAM here stops where the peripherals start (on a
 * 4 GB board the DRAM under that window is not reachable anyway).
 */
import type { BoardDesc } from '../../core/board.ts'

/** where the BCM2711's peripherals start in the ARM's map (low peripheral mode) */
const PERIPHERALS = 0xfc00_0000

export const rpi4: BoardDesc = {
  name: 'rpi4',
  arch: 'aarch64',
  cpuModel: 'cortex-a72',
  cpus: 4,
  clusters: [4],
  // the Pi 4 B's default arm_freq (1.5 GHz); one instruction per cycle
  cpuHz: 1_500_000_000,
  // CNTFRQ_EL0 as the firmware sets it: the 54 MHz crystal (platforms.json, marked unverified there)
  timebaseHz: 54_000_000,
  memory: [{ base: 0x8_0000, size: PERIPHERALS - 0x8_0000 }],
  devices: [
    // GIC-400 (GICv2 + virtualization extensions): GICD 0xff841000, GICC 0xff842000, GICH 0xff844000,
    // GICV 0xff846000 (platforms.json irqc); 4 KiB frames inside one 32 KiB block. The INTID count
    // is in no source we have: dev-gic's default 288 covers every SPI bcm2711.dtsi uses.
    {
      name: 'gic0', type: 'gicv2', base: 0xff84_1000, size: 0x7000,
      params: { giccOffset: 0x1000, gichOffset: 0x3000, gicvOffset: 0x5000 },
    },
    // the AUX block (mini UART, SPI1, SPI2) at 0xfe215000, the mini UART's 8250-like registers at
    // +0x40 with a 4-byte stride; its interrupt is the AUX one, SPI 93 = INTID 125 (platforms.json)
    { name: 'uart0', type: 'bcm2835-aux-uart', base: 0xfe21_5000, size: 0x100, irqs: [{ to: 'gic0', input: 125 }] },
    // the PL011 (the Pi's UART0, bcm2711.dtsi serial@7e201000): VideoCore IRQ 57 = SPI 121 = INTID 153
    { name: 'uart1', type: 'pl011', base: 0xfe20_1000, size: 0x200, irqs: [{ to: 'gic0', input: 153 }] },
  ],
  // the generic timer's PPIs (platforms.json armPpis: NS physical 30, virtual 27)
  cpuIrqs: [
    { output: 'CNTPNSIRQ', to: 'gic0', input: 30 },
    { output: 'CNTVIRQ', to: 'gic0', input: 27 },
  ],
  console: 'uart0',
  // U-Boot loads the hypervisor here and jumps to it (bao-demos platforms/rpi4/README.md)
  resetPc: 0x20_0000,
  // Cortex-A72: 1 MiB 16-way L2, 32 KiB 2-way L1 D, 48 KiB 3-way PIPT L1 I (platforms.json; §5.1:
  // the PIPT I-cache's 16 KiB way decides: 4 colours of 4 pages)
  caches: {
    llc: { sizeBytes: 1024 * 1024, ways: 16, lineBytes: 64 },
    l1d: { sizeBytes: 32 * 1024, ways: 2, lineBytes: 64 },
    l1i: { sizeBytes: 48 * 1024, ways: 3, lineBytes: 64, indexing: 'PIPT' },
    // an estimate, not a measurement: LPDDR4 behind the L2 answers in about 100 ns, 150 cycles at 1.5 GHz
    llcMissCycles: 150,
  },
  reserved: [
    { base: 0x20_0000, size: 0x20_0000, what: 'the hypervisor image and CPU areas', hypervisor: true },
    // the firmware's /memory on a 4 GB board stops at 0x3b400000 and resumes at 0x40000000: the
    // VideoCore's share (gpu_mem, 76 MiB by default) lies between
    { base: 0x3b40_0000, size: 0x4c0_0000, what: "the VideoCore's memory (gpu_mem)" },
  ],
}
