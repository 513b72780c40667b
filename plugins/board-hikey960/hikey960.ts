/**
 * Board plugin: the HiKey 960 (HiSilicon Kirin 960 / Hi3660) as CROSSCON describes it
 * (reference/platforms.json `hikey960`, CROSSCON-Hypervisor src/platform/hikey960/hikey960_desc.c):
 * the four Cortex-A53s only (the A73 cluster is left unused), the 4 GB board's RAM.
 *
 * Not in any source we have, so left out or chosen here: the size of the A53 cluster's L2
 * (platforms.json `llc.sizeBytes: null`), so no LLC is described and colouring has one colour;
 * where the hypervisor is loaded (no public demo for this board): 2 MiB into RAM, as the
 * ZynqMP and Raspberry Pi demos do. Not modelled: the SMMU at 0xe8dc0000.
 */
import type { BoardDesc } from '../../core/board.ts'

export const hikey960: BoardDesc = {
  name: 'hikey960',
  arch: 'aarch64',
  cpuModel: 'cortex-a53',
  cpus: 4,
  // the Kirin 960's A53 cluster runs at up to 1.84 GHz; one instruction per cycle
  cpuHz: 1_844_000_000,
  // the hi3660 device tree's 1.92 MHz (platforms.json, unverified there)
  timebaseHz: 1_920_000,
  // 3.5 GiB at 0 and 512 MiB at 8 GiB (platforms.json)
  memory: [
    { base: 0x0, size: 0xe000_0000 },
    { base: 0x2_0000_0000, size: 0x2000_0000 },
  ],
  devices: [
    // GIC-400: GICD 0xe82b1000, GICC 0xe82b2000, GICH 0xe82b4000, GICV 0xe82b6000 (platforms.json),
    // 4 KiB frames. The INTID count is in no source we have: dev-gic's default 288 covers UART6's.
    {
      name: 'gic0', type: 'gicv2', base: 0xe82b_1000, size: 0x7000,
      params: { giccOffset: 0x1000, gichOffset: 0x3000, gicvOffset: 0x5000 },
    },
    // UART6, a PL011: SPI 79 = INTID 111 (platforms.json)
    { name: 'uart6', type: 'pl011', base: 0xfff3_2000, size: 0x1000, irqs: [{ to: 'gic0', input: 111 }] },
  ],
  // the generic timer's PPIs (platforms.json armPpis: NS physical 30, virtual 27)
  cpuIrqs: [
    { output: 'CNTPNSIRQ', to: 'gic0', input: 30 },
    { output: 'CNTVIRQ', to: 'gic0', input: 27 },
  ],
  console: 'uart6',
  resetPc: 0x20_0000,
  // Cortex-A53 L1s (platforms.json); no LLC (its size is unknown): one colour
  caches: {
    l1d: { sizeBytes: 32 * 1024, ways: 4, lineBytes: 64 },
    l1i: { sizeBytes: 32 * 1024, ways: 2, lineBytes: 64, indexing: 'VIPT' },
  },
  reserved: [
    { base: 0x20_0000, size: 0x20_0000, what: 'the hypervisor image and CPU areas', hypervisor: true },
  ],
}
