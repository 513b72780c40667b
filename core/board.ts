/**
 * A board is data (Bao's `struct platform`): memory, CPUs, which device sits where, how the
 * interrupt wires run, clocks and the last-level cache. A user's board is a plain object.
 */

/** Where one interrupt output of a device goes. */
export type IrqWire =
  | { to: string; input: number } // input `input` of interrupt controller device `to`
  | { hart: number; line: string } // straight into a hart's architectural input

export interface BoardDevice {
  name: string
  /** device type as registered by a device plugin (e.g. 'ns16550') */
  type: string
  base: number
  size: number
  irqs?: IrqWire[]
  params?: Record<string, unknown>
}

export interface CacheGeometry {
  sizeBytes: number
  ways: number
  lineBytes: number
}

export interface BoardDesc {
  name: string
  /** architecture plugin's arch name (e.g. 'riscv64') */
  arch: string
  cpus: number
  cpuHz: number
  timebaseHz: number
  memory: { base: number; size: number }[]
  devices: BoardDevice[]
  /** the UART the bare-mode console and the hypervisor log use */
  console?: string
  llc?: CacheGeometry
  /** address bare-mode images without an entry point start at */
  resetPc?: number
}
