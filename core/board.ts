/**
 * A board is data (Bao's `struct platform`): memory, CPUs, which device sits where, how the
 * interrupt wires run, clocks and the last-level cache. A user's board is a plain object.
 */

/** Where one interrupt output of a device goes. */
export type IrqWire =
  | { to: string; input: number } // input `input` of interrupt controller device `to`
  | { cpu: number; line: string } // straight into a CPU's architectural input

export interface BoardDevice {
  name: string
  /** device type as registered by a device plugin (e.g. 'ns16550') */
  type: string
  base: number
  size: number
  irqs?: IrqWire[]
  params?: Record<string, unknown>
}

/** One cache level's geometry (platforms.json's `llc`, `l1d`, `l1i`). */
export interface CacheLevel {
  sizeBytes: number
  ways: number
  lineBytes: number
  /** how the level is indexed; only the L1 I-cache's matters to colouring (reference §5.1) */
  indexing?: 'PIPT' | 'VIPT'
}

/** The caches colouring is worked out from (reference §5.1): the last-level cache and the L1s. */
export interface BoardCaches {
  llc?: CacheLevel
  l1d?: CacheLevel
  l1i?: CacheLevel
  /** virtual cycles an LLC miss costs the CPU that made it (memory latency), when the LLC model is on */
  llcMissCycles?: number
}

/** RAM the hypervisor keeps from the page pools (reference §1.3): firmware, its own image. */
export interface Reservation {
  base: number
  size: number
  /** said in errors: what lives there */
  what: string
  /** the hypervisor's own image and CPU areas: moved to coloured pages when `hypColors` asks */
  hypervisor?: boolean
}

/**
 * An interrupt output every CPU has (Arm's generic timer: CNTPNSIRQ, CNTVIRQ, CNTHPIRQ) wired to
 * that CPU's private input `input` of interrupt controller `to` (a GIC PPI): one entry serves
 * every CPU of the board.
 */
export interface CpuIrqWire {
  output: string
  to: string
  input: number
}

export interface BoardDesc {
  name: string
  /** architecture plugin's arch name (e.g. 'riscv64') */
  arch: string
  cpus: number
  /**
   * CPUs per cluster, in cluster order (Bao's `platform.arch.clusters.core_num`): CPU ids run
   * through the clusters in turn, so [4, 2] is CPUs 0..3 in cluster 0 and 4..5 in cluster 1 (on
   * Arm, MPIDR_EL1 Aff1 = cluster, Aff0 = core). Sums to `cpus`; none = one cluster of them all.
   */
  clusters?: number[]
  /** the CPU core the board has, for people (`baobab board show`): 'cortex-a53', 'cortex-a53 ×4 + cortex-a72 ×2' */
  cpuModel?: string
  cpuHz: number
  timebaseHz: number
  memory: { base: number; size: number }[]
  devices: BoardDevice[]
  /** where each CPU's own interrupt outputs go (none: they go nowhere) */
  cpuIrqs?: CpuIrqWire[]
  /** the UART the bare-mode console and the hypervisor log use */
  console?: string
  /** cache geometry: colours (reference §5.1) and the LLC model; none = one colour */
  caches?: BoardCaches
  /** RAM kept from the pools before any VM is placed */
  reserved?: Reservation[]
  /** address bare-mode images without an entry point start at */
  resetPc?: number
  /**
   * A flash bank firmware runs from (QEMU's `-bios` images): plain memory on the bus, loaded by
   * bare mode, never given to VMs (CFI flash commands are not modelled: writes simply land).
   */
  flash?: { base: number; size: number }
}
