/**
 * The SiFive CLINT layout QEMU virt maps at 0x2000000 (riscv-aclint spec 1.0: an MSWI device at
 * +0x0 followed by an MTIMER whose MTIMECMP array starts at +0x4000 and MTIME sits at +0xbff8).
 *
 * mtime is derived from virtual time, never stored: mtime = floor(cycles * timebaseHz / cpuHz)
 * + offset (mod 2^64), where `offset` absorbs guest writes to mtime and resets. This is the MMIO
 * slow path, so exact BigInt arithmetic costs nothing that matters.
 */
import type { Device, DeviceContext } from '../../core/device.ts'
import type { IrqLine } from '../../core/irq.ts'
import { Registers, type RegSpec, type RegsSnapshot } from '../../core/regs.ts'
import type { Scheduler, TimedEvent } from '../../core/scheduler.ts'
import { checkState } from '../../core/state-check.ts'
import { z } from 'zod'

// riscv-aclint §2.1 (MSWI), §3.1 (MTIMER) with the CLINT-compatible offsets
const MSIP_BASE = 0x0
const MTIMECMP_BASE = 0x4000
const MTIME = 0xbff8
/** the MSIP array ends where MTIMECMP begins */
const MAX_HARTS = (MTIMECMP_BASE - MSIP_BASE) / 4
const U64 = (1n << 64n) - 1n

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b
  return q * b === a || a < 0n ? q : q + 1n
}

/** Timer ticks counted by virtual time `cycles`: floor(cycles * timebaseHz / cpuHz). */
export function cyclesToTicks(cycles: number | bigint, timebaseHz: number, cpuHz: number): bigint {
  const c = typeof cycles === 'bigint' ? cycles : BigInt(Math.floor(cycles))
  const n = c * BigInt(timebaseHz)
  const d = BigInt(cpuHz)
  return n >= 0n ? n / d : -ceilDiv(-n, d)
}

/**
 * The first cycle at which the tick count reaches `ticks`: ceil(ticks * cpuHz / timebaseHz), the
 * inverse of `cyclesToTicks` in the sense cyclesToTicks(t) >= ticks ⇔ t >= ticksToCycles(ticks).
 */
export function ticksToCycles(ticks: bigint, timebaseHz: number, cpuHz: number): bigint {
  const n = ticks * BigInt(cpuHz)
  const d = BigInt(timebaseHz)
  return n >= 0n ? ceilDiv(n, d) : -(-n / d)
}

export interface AclintState {
  regs: RegsSnapshot
  /** mtime offset, a decimal string (BigInt is not JSON) */
  offset: string
}

/** a saved state's shape: `offset` (mtime minus the virtual clock) is a decimal 64-bit integer */
const savedState = z.object({
  regs: z.unknown(),
  offset: z.string().regex(/^-?\d{1,20}$/, 'must be a decimal 64-bit integer').optional(),
}).strict()

export class Aclint implements Device {
  readonly harts: number
  private readonly regs: Registers
  private readonly sched: Scheduler
  private readonly timebaseHz: number
  private readonly cpuHz: number
  private offset = 0n
  private readonly msip: IrqLine[] = []
  private readonly mtip: IrqLine[] = []
  private readonly mtipLevel: boolean[] = []
  private readonly events: (TimedEvent | null)[] = []
  /** instance name: tags this device's timed events for sessions */
  private readonly name: string

  constructor(ctx: DeviceContext) {
    this.name = ctx.name
    this.harts = Math.min(ctx.cpus, MAX_HARTS)
    this.sched = ctx.sched
    this.timebaseHz = ctx.timebaseHz
    this.cpuHz = ctx.cpuHz
    const specs: RegSpec[] = []
    for (let h = 0; h < this.harts; h++) {
      this.msip.push(ctx.cpuLine(h, 'msip'))
      this.mtip.push(ctx.cpuLine(h, 'mtip'))
      this.mtipLevel.push(false)
      this.events.push(null)
      // §2.1: only bit 0 of MSIP is implemented; the others are hardwired 0
      specs.push({ name: `msip${h}`, offset: MSIP_BASE + 4 * h, mask: 1, write: (v) => this.msip[h]!.set(v === 1) })
      // §3.1: MTIMECMP is 64-bit; RV32-style software writes it as two halves, each one re-evaluated
      specs.push({ name: `mtimecmp${h}_lo`, offset: MTIMECMP_BASE + 8 * h, reset: 0xffffffff, write: () => this.arm(h) })
      specs.push({ name: `mtimecmp${h}_hi`, offset: MTIMECMP_BASE + 8 * h + 4, reset: 0xffffffff, write: () => this.arm(h) })
    }
    // mtime is computed, not stored (mask 0); a write moves the offset
    specs.push({
      name: 'mtime_lo', offset: MTIME, mask: 0,
      read: () => Number(this.mtime() & 0xffffffffn),
      write: (_v, _o, w) => this.setMtime((this.mtime() & ~0xffffffffn) | BigInt(w)),
    })
    specs.push({
      name: 'mtime_hi', offset: MTIME + 4, mask: 0,
      read: () => Number(this.mtime() >> 32n),
      write: (_v, _o, w) => this.setMtime((this.mtime() & 0xffffffffn) | (BigInt(w) << 32n)),
    })
    this.regs = new Registers(specs)
    this.reset()
  }

  read(offset: number, size: number): number {
    return this.regs.read(offset, size)
  }

  write(offset: number, size: number, value: number): void {
    this.regs.write(offset, size, value)
  }

  private rawTicks(): bigint {
    return cyclesToTicks(this.sched.time(), this.timebaseHz, this.cpuHz)
  }

  /** The current mtime value. */
  mtime(): bigint {
    return (this.rawTicks() + this.offset) & U64
  }

  private setMtime(v: bigint): void {
    this.offset = (v - this.rawTicks()) & U64
    for (let h = 0; h < this.harts; h++) this.arm(h)
  }

  mtimecmp(h: number): bigint {
    return (BigInt(this.regs.get(`mtimecmp${h}_hi`)) << 32n) | BigInt(this.regs.get(`mtimecmp${h}_lo`))
  }

  private setMtip(h: number, level: boolean, force = false): void {
    if (level === this.mtipLevel[h] && !force) return
    this.mtipLevel[h] = level
    this.mtip[h]!.set(level)
  }

  /**
   * §3.1: MTIP is high while mtime >= mtimecmp. When not yet due, schedule the check at the first
   * cycle whose mtime reaches the compare value (mtime only grows until then: no wrap in between).
   */
  private arm(h: number, force = false): void {
    this.sched.cancel(this.events[h])
    this.events[h] = null
    const now = this.mtime()
    const cmp = this.mtimecmp(h)
    if (now >= cmp) {
      this.setMtip(h, true, force)
      return
    }
    this.setMtip(h, false, force)
    const cycle = ticksToCycles(this.rawTicks() + (cmp - now), this.timebaseHz, this.cpuHz)
    // beyond 2^53 cycles (~104 days at 1 GHz) the event could not be timed exactly: never fires
    if (cycle > BigInt(Number.MAX_SAFE_INTEGER)) return
    this.events[h] = this.sched.at(Number(cycle), () => {
      this.events[h] = null
      this.arm(h)
    }, `${this.name}:mtimecmp${h}`)
  }

  /** QEMU riscv_aclint_mtimer_reset_enter: mtime back to 0, compares to all ones, no soft interrupts. */
  reset(): void {
    this.regs.reset()
    this.offset = -this.rawTicks() & U64
    this.rearm()
  }

  private rearm(): void {
    for (let h = 0; h < this.harts; h++) {
      this.msip[h]!.set((this.regs.get(`msip${h}`) & 1) === 1)
      this.arm(h, true)
    }
  }

  /**
   * Cancel this instance's timer events. Not part of `Device` yet: whoever replaces the instance
   * (hot reload) must call it, or the old events keep driving MTIP from stale compare values.
   */
  dispose(): void {
    for (let h = 0; h < this.harts; h++) {
      this.sched.cancel(this.events[h])
      this.events[h] = null
    }
  }

  snapshot(): AclintState {
    return { regs: this.regs.snapshot(), offset: this.offset.toString() }
  }

  /** Restore after the scheduler's clock: the re-armed events are placed relative to it. */
  checkState(state: unknown): void {
    checkState(savedState, state)
    this.regs.check((state as { regs?: unknown }).regs, 'regs')
  }

  restore(state: unknown): void {
    this.checkState(state)
    const s = state as Partial<AclintState>
    this.regs.restore(s.regs)
    this.offset = typeof s.offset === 'string' && /^-?\d+$/.test(s.offset) ? BigInt(s.offset) & U64 : 0n
    this.rearm()
  }
}
