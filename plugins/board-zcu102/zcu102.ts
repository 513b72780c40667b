/**
 * Board plugin: the Xilinx ZCU102 (Zynq UltraScale+ MPSoC ZU9EG: 4× Cortex-A53 in the APU) as
 * CROSSCON describes it (reference/platforms.json `zcu102`, CROSSCON-Hypervisor
 * src/platform/zcu102/zcu102_desc.c) and bao-demos boots it (platforms/zcu104, which covers both
 * ZCU10x boards: FSBL → TF-A → U-Boot, then `fatload mmc 0 0x200000 bao.img; bootm …`, the image
 * made with `mkimage -a 0x200000 -e 0x200000`).
 *
 * The PS peripherals every ZynqMP board shares (GIC-400, the two Cadence UARTs, the timer PPIs,
 * the A53 caches) are here; board-zcu104 and board-ultra96 take them from this file and change
 * what differs (RAM, console). Not modelled: the SMMU-500 at 0xfd800000 (irq 187), the system
 * counter's registers at 0xff260000.
 */
import type { BoardDesc } from '../../core/board.ts'

export const zcu102: BoardDesc = {
  name: 'zcu102',
  arch: 'aarch64',
  cpuModel: 'cortex-a53',
  cpus: 4,
  clusters: [4],
  // the APU clock of Xilinx's ZCU102 reference design (1199.988 MHz); one instruction per cycle
  cpuHz: 1_200_000_000,
  // the system counter as the FSBL and TF-A set it: 100 MHz (platforms.json, nominal there)
  timebaseHz: 100_000_000,
  // DDR: 2 GiB low at 0, 2 GiB high at 32 GiB (platforms.json); TF-A's share is reserved below
  memory: [
    { base: 0x0, size: 0x8000_0000 },
    { base: 0x8_0000_0000, size: 0x8000_0000 },
  ],
  devices: [
    // GIC-400: GICD 0xf9010000, GICC 0xf902f000, GICH 0xf9040000, GICV 0xf906f000 (platforms.json).
    // ZynqMP aliases each 4 KiB GIC page over 64 KiB, so GICC and GICV are named at the last alias
    // of their first page, where the second page follows at once. 160 SPIs (Zynq UltraScale+ TRM
    // UG1085, ch. 13): 192 INTIDs.
    {
      name: 'gic0', type: 'gicv2', base: 0xf901_0000, size: 0x6_1000,
      params: { irqs: 192, giccOffset: 0x1_f000, gichOffset: 0x3_0000, gicvOffset: 0x5_f000 },
    },
    // the PS UARTs (Cadence UART r1p12): UART0 SPI 21 = INTID 53, UART1 SPI 22 = INTID 54 (zynqmp.dtsi)
    { name: 'uart0', type: 'cdns-uart', base: 0xff00_0000, size: 0x1000, irqs: [{ to: 'gic0', input: 53 }] },
    { name: 'uart1', type: 'cdns-uart', base: 0xff01_0000, size: 0x1000, irqs: [{ to: 'gic0', input: 54 }] },
  ],
  // the generic timer's PPIs (platforms.json armPpis: NS physical 30, virtual 27)
  cpuIrqs: [
    { output: 'CNTPNSIRQ', to: 'gic0', input: 30 },
    { output: 'CNTVIRQ', to: 'gic0', input: 27 },
  ],
  console: 'uart0',
  // U-Boot's `bootm` enters the hypervisor here (bao-demos platforms/zcu104/README.md)
  resetPc: 0x20_0000,
  // Cortex-A53: 1 MiB 16-way L2, 32 KiB 4-way L1 D, 32 KiB 2-way VIPT L1 I (platforms.json; §5.1:
  // 8 colours of 2 pages)
  caches: {
    llc: { sizeBytes: 1024 * 1024, ways: 16, lineBytes: 64 },
    l1d: { sizeBytes: 32 * 1024, ways: 4, lineBytes: 64 },
    l1i: { sizeBytes: 32 * 1024, ways: 2, lineBytes: 64, indexing: 'VIPT' },
    // an estimate, not a measurement: DDR4 behind the L2 answers in about 100 ns, 120 cycles at 1.2 GHz
    llcMissCycles: 120,
  },
  reserved: [
    { base: 0x20_0000, size: 0x20_0000, what: 'the hypervisor image and CPU areas', hypervisor: true },
    // CROSSCON's first region ends at 0x7ffea000: "top 0x16000 left to TF-A" (platforms.json)
    { base: 0x7ffe_a000, size: 0x1_6000, what: "TF-A's BL31" },
  ],
}
