/**
 * Board plugin: the NXP i.MX 8M Quad EVK (4× Cortex-A53, GIC-500) as CROSSCON describes it
 * (reference/platforms.json `imx8mq`, CROSSCON-Hypervisor src/platform/imx8mq/imx8mq_desc.c),
 * with the hardware where that description is narrower than the board:
 * - CPUs: the description says 1 (`cpu_num`), the SoC and its cluster table have 4; this board has 4.
 * - RAM: the description's region is 0x40000000 + 0xbfffffff (one byte short of 3 GiB, and not
 *   page-sized) and it lists a second one at 4 GiB that `region_num = 1` ignores; the EVK's
 *   3 GiB of LPDDR4 are 0x40000000..0xffffffff, which is what this board has.
 * No public demo documents where the hypervisor is loaded on this board: baobab places it 2 MiB
 * into RAM, as the i.MX 8QM demo does (0x80200000 there). TF-A's BL31 lives in OCRAM, outside DRAM.
 * Not modelled: the GICv2-compatible CPU interface frames at 0x31000000.. that the description
 * lists (a GICv3 here is the ICC_* and ICH_* system registers).
 */
import type { BoardDesc } from '../../core/board.ts'

const CPUS = 4
/** the redistributors, 128 KiB per CPU, 512 KiB after the distributor (GICR 0x38880000) */
const GICR_OFFSET = 0x8_0000

export const imx8mq: BoardDesc = {
  name: 'imx8mq',
  arch: 'aarch64',
  cpuModel: 'cortex-a53',
  cpus: CPUS,
  clusters: [4],
  // the i.MX 8M Quad's A53s run at up to 1.5 GHz; one instruction per cycle
  cpuHz: 1_500_000_000,
  // imx8mq.dtsi's armv8-timer clock-frequency (platforms.json)
  timebaseHz: 8_333_333,
  memory: [{ base: 0x4000_0000, size: 0xc000_0000 }],
  devices: [
    // GIC-500: GICD 0x38800000, GICR 0x38880000 (platforms.json); 128 SPIs (i.MX 8M reference
    // manual, interrupt chapter): 160 INTIDs
    { name: 'gic0', type: 'gicv3', base: 0x3880_0000, size: GICR_OFFSET + CPUS * 0x2_0000, params: { irqs: 160, gicrOffset: GICR_OFFSET } },
    // UART1, SPI 26 = INTID 58 (platforms.json, from imx8mq.dtsi); UART2, SPI 27 = INTID 59 (imx8mq.dtsi)
    { name: 'uart0', type: 'imx-uart', base: 0x3086_0000, size: 0x1_0000, irqs: [{ to: 'gic0', input: 58 }] },
    { name: 'uart1', type: 'imx-uart', base: 0x3089_0000, size: 0x1_0000, irqs: [{ to: 'gic0', input: 59 }] },
  ],
  // the generic timer's PPIs (platforms.json armPpis: NS physical 30, virtual 27)
  cpuIrqs: [
    { output: 'CNTPNSIRQ', to: 'gic0', input: 30 },
    { output: 'CNTVIRQ', to: 'gic0', input: 27 },
  ],
  console: 'uart0',
  resetPc: 0x4020_0000,
  // Cortex-A53: 1 MiB 16-way L2, 32 KiB 4-way L1 D, 32 KiB 2-way VIPT L1 I (platforms.json; §5.1:
  // 8 colours of 2 pages)
  caches: {
    llc: { sizeBytes: 1024 * 1024, ways: 16, lineBytes: 64 },
    l1d: { sizeBytes: 32 * 1024, ways: 4, lineBytes: 64 },
    l1i: { sizeBytes: 32 * 1024, ways: 2, lineBytes: 64, indexing: 'VIPT' },
    // an estimate, not a measurement: LPDDR4 behind the L2 answers in about 100 ns, 150 cycles at 1.5 GHz
    llcMissCycles: 150,
  },
  reserved: [
    { base: 0x4020_0000, size: 0x20_0000, what: 'the hypervisor image and CPU areas', hypervisor: true },
  ],
}
