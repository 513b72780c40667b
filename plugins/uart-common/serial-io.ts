/**
 * What the UART models share (not a plugin: this folder has no index.ts, so the plugin host never
 * loads it by name; the device plugins import it as they import core/).
 *
 * - `openPort`: the serial port as the 16550 and PL011 models open it (`params.serial`, else the
 *   instance name), so a board device is a console the hypervisor routes and an emulated one
 *   (`"emulate": "<type>"`, params `{ serial: 'vm:<name>' }`) is its VM's console.
 * - `RxFifo`: the receive FIFO plus the host-side backlog. A byte typed while the FIFO is full (or
 *   the receiver is off: depth 0) waits in the backlog and moves in as the guest reads, as QEMU
 *   gets by asking the chardev `can_receive` first, so input is never overrun.
 * - `TxFifo`: the transmit FIFO. Bytes leave at once while the transmitter is enabled (virtual
 *   time has no line rate); while it is disabled they wait, up to the FIFO depth.
 * - `IrqOut`: the interrupt output, driven only on a change of level.
 */
import type { DeviceContext, SerialPort } from '../../core/device.ts'
import { NO_IRQ, type IrqLine } from '../../core/irq.ts'
import type { RegSpec } from '../../core/regs.ts'
import { StateError, stateNum } from '../../core/state-check.ts'
import { z } from 'zod'

/** The instance's serial port, with `receive` as its receiver. */
export function openPort(ctx: DeviceContext, receive: (byte: number) => void): SerialPort {
  const port = ctx.serial(typeof ctx.params.serial === 'string' ? ctx.params.serial : ctx.name)
  port.onReceive(receive)
  return port
}

export class RxFifo {
  /** the FIFO, oldest first */
  entries: number[] = []
  /** bytes that arrived while the FIFO had no room, oldest first */
  backlog: number[] = []

  /**
   * `depth()`: how many entries the FIFO holds now (0 while the receiver is disabled);
   * `entered()`: told after each byte that moves into the FIFO (trigger and timeout events).
   */
  constructor(private readonly depth: () => number, private readonly entered: () => void = () => {}) {}

  get length(): number {
    return this.entries.length
  }

  /** a byte from the outside world */
  arrive(byte: number): void {
    this.backlog.push(byte & 0xff)
    this.refill()
  }

  /** move waiting bytes in while there is room (after a read, or the receiver or FIFO turned on) */
  refill(): void {
    const depth = this.depth()
    while (this.entries.length < depth && this.backlog.length) {
      this.entries.push(this.backlog.shift()!)
      this.entered()
    }
  }

  /** the oldest entry, taken out (undefined when empty); the backlog moves up behind it */
  pop(): number | undefined {
    const b = this.entries.shift()
    this.refill()
    return b
  }

  /** empty the FIFO (a reset or flush command); the backlog moves in behind */
  flush(): void {
    this.entries = []
    this.refill()
  }

  restore(entries: readonly number[] | undefined, backlog: readonly number[] | undefined): void {
    this.entries = entries ? [...entries] : []
    this.backlog = backlog ? [...backlog] : []
  }
}

export class TxFifo {
  /** bytes waiting for the transmitter, oldest first */
  entries: number[] = []

  /**
   * `depth()`: how many bytes the FIFO holds now; `enabled()`: whether the transmitter runs;
   * `send` puts a byte on the line (the port, or the receiver in loopback).
   */
  constructor(private readonly depth: () => number, private readonly enabled: () => boolean, private readonly send: (byte: number) => void) {}

  get length(): number {
    return this.entries.length
  }

  /** A write to the transmit register: false (the byte is lost) when the FIFO is full. */
  write(byte: number): boolean {
    if (this.entries.length >= this.depth()) return false
    this.entries.push(byte & 0xff)
    this.drain()
    return true
  }

  /** Send what waits while the transmitter is enabled; returns how many bytes left. */
  drain(): number {
    if (!this.enabled()) return 0
    let n = 0
    while (this.entries.length) {
      this.send(this.entries.shift()!)
      n++
    }
    return n
  }

  /** discard what waits (a transmitter reset or flush command) */
  flush(): void {
    this.entries = []
  }

  restore(entries: readonly number[] | undefined): void {
    this.entries = entries ? [...entries] : []
  }
}

/** The interrupt output: drives the line on a change of level (or when forced: reset, restore). */
export class IrqOut {
  private level = false
  private readonly line: IrqLine

  constructor(ctx: DeviceContext, index = 0) {
    this.line = ctx.irqs[index] ?? NO_IRQ
  }

  set(level: boolean, force = false): void {
    if (level === this.level && !force) return
    this.level = level
    this.line.set(level)
  }
}

/** Saved FIFO contents: bytes, at most `max` of them. */
export function savedBytes(max: number) {
  return z.array(stateNum.u8).max(max, `holds more than the ${max} entries the FIFO has`)
}

/** A saved backlog: bytes, bounded only against absurd input. */
export const savedBacklog = z.array(stateNum.u8).max(1 << 24)

/**
 * The bits each register may hold in a saved state: its writable bits and reset value (a register
 * the device updates itself, through `Registers.set`, names its bits in `extra`). `Registers.check`
 * bounds a saved value by the register's width only.
 */
export function storedBits(specs: readonly RegSpec[], extra: Readonly<Record<string, number>> = {}): Record<string, number> {
  const bits: Record<string, number> = {}
  for (const r of specs) {
    if (r.count !== undefined || typeof r.mask === 'object' || typeof r.reset === 'object') continue
    const all = r.width === 1 ? 0xff : r.width === 2 ? 0xffff : 0xffffffff
    bits[r.name] = ((r.mask ?? all) | (r.reset ?? 0) | (extra[r.name] ?? 0)) >>> 0
  }
  return bits
}

/** Throws StateError (`regs.<name>`) for a saved register holding bits outside `bits[name]`. */
export function checkStoredBits(regs: unknown, bits: Readonly<Record<string, number>>): void {
  if (regs === null || typeof regs !== 'object') return
  for (const [name, allowed] of Object.entries(bits)) {
    const v = (regs as Record<string, unknown>)[name]
    if (typeof v === 'number' && (v & ~allowed) !== 0) throw new StateError(`regs.${name}`, `holds bits the register does not keep (it keeps 0x${allowed.toString(16)})`)
  }
}

/** `params[name]` as a boolean (`dflt` when absent); throws for another type. */
export function boolParam(ctx: DeviceContext, name: string, dflt: boolean): boolean {
  const v = ctx.params[name]
  if (v === undefined) return dflt
  if (typeof v !== 'boolean') throw new Error(`${ctx.name}: params.${name} must be true or false`)
  return v
}

/** `params[name]` as one of `allowed` (`dflt` when absent); throws otherwise. */
export function choiceParam<T extends number>(ctx: DeviceContext, name: string, allowed: readonly T[], dflt: T): T {
  const v = ctx.params[name]
  if (v === undefined) return dflt
  if (!allowed.includes(v as T)) throw new Error(`${ctx.name}: params.${name} must be one of ${allowed.join(', ')}`)
  return v as T
}
