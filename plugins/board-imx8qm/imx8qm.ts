/**
 * Board plugin: the NXP i.MX 8QuadMax MEK (4× Cortex-A53 + 2× Cortex-A72, GIC-500) as CROSSCON
 * describes it (reference/platforms.json `imx8qm`, CROSSCON-Hypervisor
 * src/platform/imx8qm/imx8qm_desc.c) and bao-demos boots it (platforms/imx8qm: SCFW/SECO →
 * TF-A → U-Boot, `fatload mmc 1 0x80200000 bao.bin && go 0x80200000`).
 *
 * CPU 0 (the one that boots) is an A53, so the caches colouring works from are the A53
 * cluster's. Not modelled: the SMMU-500 at 0x51400000 (irq 187), the GIC-500's ITS, and the
 * GICv2-compatible CPU interface frames at 0x52000000 (C), 0x52010000 (H), 0x52020000 (V) that
 * CROSSCON's description lists: a GICv3 here is the ICC_* and ICH_* system registers.
 */
import type { BoardDesc } from '../../core/board.ts'

const CPUS = 6
/** the redistributors, 128 KiB per CPU, 1 MiB after the distributor (GICR 0x51b00000) */
const GICR_OFFSET = 0x10_0000

export const imx8qm: BoardDesc = {
  name: 'imx8qm',
  arch: 'aarch64',
  cpuModel: 'cortex-a53 ×4 + cortex-a72 ×2',
  cpus: CPUS,
  // cluster 0: the A53s (MPIDR 0.0.0.0-3), cluster 1: the A72s (0.0.1.0-1) (platforms.json clusters [4, 2])
  clusters: [4, 2],
  // the A53 cluster's clock (1.2 GHz); one instruction per cycle
  cpuHz: 1_200_000_000,
  // imx8qm.dtsi's armv8-timer clock-frequency (platforms.json)
  timebaseHz: 8_000_000,
  // 2 GiB at 2 GiB, 4 GiB at 32 GiB (platforms.json); TF-A's first 128 KiB are reserved below
  memory: [
    { base: 0x8000_0000, size: 0x8000_0000 },
    { base: 0x8_0000_0000, size: 0x1_0000_0000 },
  ],
  devices: [
    // GIC-500: GICD 0x51a00000, GICR 0x51b00000 (platforms.json). The INTID count is in no source
    // we have; 512 covers the highest interrupt described here (LPUART1's, INTID 378).
    { name: 'gic0', type: 'gicv3', base: 0x51a0_0000, size: GICR_OFFSET + CPUS * 0x2_0000, params: { irqs: 512, gicrOffset: GICR_OFFSET } },
    // LPUART0, SPI 345 = INTID 377 (platforms.json); LPUART1, SPI 346 = INTID 378 (imx8-ss-dma.dtsi), the
    // second UART of bao-demos' two-guest setups on this board
    { name: 'uart0', type: 'lpuart', base: 0x5a06_0000, size: 0x1000, irqs: [{ to: 'gic0', input: 377 }] },
    { name: 'uart1', type: 'lpuart', base: 0x5a07_0000, size: 0x1000, irqs: [{ to: 'gic0', input: 378 }] },
  ],
  // the generic timer's PPIs (platforms.json armPpis: NS physical 30, virtual 27)
  cpuIrqs: [
    { output: 'CNTPNSIRQ', to: 'gic0', input: 30 },
    { output: 'CNTVIRQ', to: 'gic0', input: 27 },
  ],
  console: 'uart0',
  // U-Boot loads the hypervisor here and jumps to it (bao-demos platforms/imx8qm/README.md)
  resetPc: 0x8020_0000,
  // the A53 cluster: 1 MiB 16-way L2, 32 KiB 4-way L1 D, 32 KiB 2-way VIPT L1 I (platforms.json;
  // §5.1: 8 colours of 2 pages)
  caches: {
    llc: { sizeBytes: 1024 * 1024, ways: 16, lineBytes: 64 },
    l1d: { sizeBytes: 32 * 1024, ways: 4, lineBytes: 64 },
    l1i: { sizeBytes: 32 * 1024, ways: 2, lineBytes: 64, indexing: 'VIPT' },
    // an estimate, not a measurement: LPDDR4 behind the L2 answers in about 100 ns, 120 cycles at 1.2 GHz
    llcMissCycles: 120,
  },
  reserved: [
    // CROSSCON's first region starts at 0x80020000: "first 128 KiB left to TF-A" (platforms.json)
    { base: 0x8000_0000, size: 0x2_0000, what: "TF-A's BL31" },
    { base: 0x8020_0000, size: 0x20_0000, what: 'the hypervisor image and CPU areas', hypervisor: true },
  ],
}
