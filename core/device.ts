/**
 * The device model: what a device plugin registers and what the kernel hands each instance.
 * Registers are declared as data (see regs.ts); a device is an MmioHandler with a life cycle.
 */
import type { MmioHandler } from './bus.ts'
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
  /** number of harts on the board */
  harts: number
  /** a hart's interrupt input by architectural name (e.g. 'meip', 'mtip', 'msip', 'seip') */
  hartLine(hart: number, line: string): IrqLine
  sched: Scheduler
  /** the clock the board's timers count: virtual cycles → ticks at this rate */
  timebaseHz: number
  cpuHz: number
  serial(name: string): SerialPort
  machine: MachineControl
}

export type DeviceFactory = (ctx: DeviceContext) => Device
