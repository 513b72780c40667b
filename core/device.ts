/**
 * The device model: what a device plugin registers and what the kernel hands each instance.
 * Registers are declared as data (see regs.ts); a device is an MmioHandler with a life cycle.
 */
import type { BoardDevice } from './board.ts'
import type { MmioHandler } from './bus.ts'
import type { FdtPropValue } from './fdt.ts'
import type { IrqLine } from './irq.ts'
import type { Scheduler } from './scheduler.ts'

export interface Device extends MmioHandler {
  /** back to the power-on state */
  reset(): void
  /** plain JSON-able state, for sessions and hot reload */
  snapshot(): unknown
  /** takes back what `snapshot` gave; refuses (throws StateError) what `checkState` refuses */
  restore(state: unknown): void
  /**
   * Throws StateError (core/state-check.ts) for a state `restore` would refuse: a session is
   * checked whole before any of it is restored.
   */
  checkState?(state: unknown): void
  /**
   * The instance is being replaced (hot reload): cancel its timed events and let go of what it
   * registered, so only the new instance acts from now on. `restore` on the new one re-arms.
   */
  dispose?(): void
  /** interrupt controllers: the input line for source `n` (other devices are wired to it) */
  irqInput?(n: number): IrqLine
  /** interrupt controllers with per-CPU inputs (a GIC's PPIs): input `n` of CPU `cpu` (board `cpuIrqs`) */
  cpuIrqInput?(cpu: number, n: number): IrqLine
}

/** A byte stream between a device (UART, DBCN console) and the outside (terminal, test, TUI). */
export interface SerialPort {
  readonly name: string
  /** device → outside */
  emit(byte: number): void
  /** outside → device; the device registers one receiver */
  onReceive(fn: (byte: number) => void): void
}

export interface MachineControl {
  /** power the machine off (SiFive test device, SBI SRST, PSCI SYSTEM_OFF) */
  poweroff(code: number): void
  reset(): void
}

/** What the kernel gives a device factory. */
export interface DeviceContext {
  /** instance name from the board (e.g. "uart0") */
  name: string
  base: number
  size: number
  /** board-specific options for this instance */
  params: Record<string, unknown>
  /** this device's interrupt outputs, in the order the board wires them */
  irqs: IrqLine[]
  /** CPUs on the board */
  cpus: number
  /** a CPU's interrupt input by architectural name (e.g. 'meip', 'mtip', 'msip', 'seip') */
  cpuLine(cpu: number, line: string): IrqLine
  sched: Scheduler
  /** the clock the board's timers count: virtual cycles → ticks at this rate */
  timebaseHz: number
  cpuHz: number
  serial(name: string): SerialPort
  machine: MachineControl
}

export type DeviceFactory = (ctx: DeviceContext) => Device

/**
 * What a device type is in a device tree (devicetree spec v0.4 §2.2 and the binding its
 * `compatible` names), registered with the type: `ctx.devices.register(type, factory, { dt })`.
 * The architectures' VM device trees give a VM's devices of such types a node — a board device
 * passed through or one the hypervisor emulates alike — so a guest picks its driver by
 * `compatible`, as Linux and U-Boot do, and one image runs on every board. The core reads none
 * of it; it only keeps it beside the factory.
 */
export interface DeviceTreeInfo {
  /** the node name before `@unit` (§2.2.2 recommends generic names: `serial` for a UART) */
  name: string
  /** `compatible`, most specific first */
  compatible: readonly string[]
  /** the binding's `clock-names`; absent: the binding takes one unnamed clock */
  clockNames?: readonly string[]
  /**
   * Where the node's `reg` lies inside the instance's window, when not at its start: a block
   * the board places whole whose binding describes a part (offset and size in bytes)
   */
  reg?: { offset: number; size: number }
  /** further properties from the instance's params (an 8250's `reg-shift`), in the order given */
  props?(params: Readonly<Record<string, unknown>>): Record<string, FdtPropValue>
}

/** What a device plugin says about a type besides its factory (PluginContext `devices.register`). */
export interface DeviceInfo {
  dt?: DeviceTreeInfo
}

/** A device-tree node for one instance, its window at `base` (the address the tree's reader sees). */
export interface DeviceTreeNode {
  name: string
  compatible: readonly string[]
  base: number
  size: number
  clockNames?: readonly string[]
  props: Record<string, FdtPropValue>
}

/** The node `dt` describes for an instance whose window is [base, base + size), made with `params`. */
export function deviceTreeNode(dt: DeviceTreeInfo, base: number, size: number, params: Readonly<Record<string, unknown>>): DeviceTreeNode {
  const reg = dt.reg ?? { offset: 0, size }
  return { name: dt.name, compatible: dt.compatible, base: base + reg.offset, size: reg.size, clockNames: dt.clockNames, props: dt.props?.(params) ?? {} }
}

/** One entry of a VM's device list (config `devs`), as far as its device-tree nodes go. */
export interface VmDeviceEntry {
  /** host-physical base of a passed-through window */
  pa: number | undefined
  /** its guest address */
  va: number
  size: number
  interrupts: readonly number[]
  /** the type of the VM's own emulated instance */
  emulate: string | undefined
}

/** A node for a VM's device tree: at the guest address, with the interrupt the VM was given for it. */
export interface VmDeviceNode extends DeviceTreeNode {
  /** the interrupt (an architecture's number: a PLIC source, a GIC INTID) */
  irq?: number
}

/**
 * The nodes a VM's device tree has for its device entries, in their order: for a passed-through
 * window, each board device in it that `pick` accepts (the architectures take the board's
 * consoles) and whose type has DeviceTreeInfo, at its guest address; for an emulated device, the
 * instance, made with `paramsOf(entry)`. A node spans at least `minSize` bytes from the start of
 * a window that starts inside its device; its interrupt is the device's own wire when the VM was
 * given it, else the entry's first.
 */
export function vmDeviceNodes(
  devs: readonly VmDeviceEntry[], boardDevices: readonly BoardDevice[], info: ReadonlyMap<string, DeviceInfo>,
  opts: { minSize: number; pick(d: BoardDevice): boolean; paramsOf(entry: VmDeviceEntry): Readonly<Record<string, unknown>> },
): VmDeviceNode[] {
  const out: VmDeviceNode[] = []
  for (const d of devs) {
    const size = Math.max(d.size, opts.minSize)
    if (d.emulate !== undefined) {
      const dt = info.get(d.emulate)?.dt
      if (dt) out.push({ ...deviceTreeNode(dt, d.va, size, opts.paramsOf(d)), irq: d.interrupts[0] })
      continue
    }
    const pa = d.pa
    if (d.size === 0 || pa === undefined) continue
    for (const b of boardDevices) {
      const dt = info.get(b.type)?.dt
      if (!dt || !(b.base < pa + d.size && pa < b.base + b.size) || !opts.pick(b)) continue
      const wired = b.irqs?.flatMap((w) => ('input' in w ? [w.input] : []))[0]
      const irq = wired === undefined ? d.interrupts[0] : d.interrupts.includes(wired) ? wired : undefined
      // a window that starts inside the device is its view of it; a wider window holds it further on
      const node = b.base <= pa ? deviceTreeNode(dt, d.va, size, b.params ?? {}) : deviceTreeNode(dt, d.va + (b.base - pa), b.size, b.params ?? {})
      out.push({ ...node, irq })
    }
  }
  return out
}
