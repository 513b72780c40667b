/**
 * Board plugin: the NVIDIA Jetson TX2 (Tegra186: 2× Denver2 + 4× Cortex-A57, GIC-400) as CROSSCON
 * describes it (reference/platforms.json `tx2`, CROSSCON-Hypervisor src/platform/tx2/) and
 * bao-demos boots it (platforms/tx2: NVIDIA's bootloaders → TF-A → U-Boot,
 * `fatload mmc 1 0xa0000000 bao.bin; go 0xa0000000`).
 *
 * Clusters as CROSSCON lists them: the Denvers first (cluster 0), then the A57s. CROSSCON's
 * colours assume an A57 boots (platforms.json: "a Denver master would read different L1
 * geometry"); the caches here are the A57 cluster's. Not modelled: the SMMU at 0x12000000.
 */
import type { BoardDesc } from '../../core/board.ts'

export const tx2: BoardDesc = {
  name: 'tx2',
  arch: 'aarch64',
  cpuModel: 'denver2 ×2 + cortex-a57 ×4',
  cpus: 6,
  clusters: [2, 4],
  // both clusters run at up to 2 GHz; one instruction per cycle
  cpuHz: 2_000_000_000,
  // the Tegra186 TSC: 31.25 MHz (platforms.json, unverified there)
  timebaseHz: 31_250_000,
  // 8 GiB of LPDDR4 at 2 GiB (platforms.json)
  memory: [{ base: 0x8000_0000, size: 0x2_0000_0000 }],
  devices: [
    // GIC-400: GICD 0x03881000, GICC 0x03882000, GICH 0x03884000, GICV 0x03886000 (platforms.json),
    // 4 KiB frames. The INTID count is in no source we have: dev-gic's default 288 covers UARTA's.
    {
      name: 'gic0', type: 'gicv2', base: 0x388_1000, size: 0x7000,
      params: { giccOffset: 0x1000, gichOffset: 0x3000, gicvOffset: 0x5000 },
    },
    // UARTA: an 8250 with 4-byte register stride (platforms.json), SPI 112 = INTID 144 (tegra186.dtsi)
    {
      name: 'uart0', type: 'ns16550', base: 0x310_0000, size: 0x40,
      irqs: [{ to: 'gic0', input: 144 }], params: { regShift: 2, regIoWidth: 4 },
    },
  ],
  // the generic timer's PPIs (platforms.json armPpis: NS physical 30, virtual 27)
  cpuIrqs: [
    { output: 'CNTPNSIRQ', to: 'gic0', input: 30 },
    { output: 'CNTVIRQ', to: 'gic0', input: 27 },
  ],
  console: 'uart0',
  // U-Boot loads the hypervisor here and jumps to it (bao-demos platforms/tx2/README.md)
  resetPc: 0xa000_0000,
  // the A57 cluster: 2 MiB 16-way L2, 32 KiB 2-way L1 D, 48 KiB 3-way PIPT L1 I (platforms.json;
  // §5.1: the PIPT I-cache's 16 KiB way decides: 8 colours of 4 pages)
  caches: {
    llc: { sizeBytes: 2 * 1024 * 1024, ways: 16, lineBytes: 64 },
    l1d: { sizeBytes: 32 * 1024, ways: 2, lineBytes: 64 },
    l1i: { sizeBytes: 48 * 1024, ways: 3, lineBytes: 64, indexing: 'PIPT' },
    // an estimate, not a measurement: LPDDR4 behind the L2 answers in about 100 ns, 200 cycles at 2 GHz
    llcMissCycles: 200,
  },
  reserved: [
    { base: 0xa000_0000, size: 0x20_0000, what: 'the hypervisor image and CPU areas', hypervisor: true },
  ],
}
