/**
 * The generic timer (Arm ARM D11): the system counter at the board's timebase (CNTFRQ_EL0;
 * 62.5 MHz on QEMU virt) counted from the hart's virtual time, and the EL1 physical (CNTP_*) and
 * virtual (CNTV_*) timers. A timer's condition is met when its count reaches CVAL (D11.2.4);
 * its output — ENABLE and not IMASK and ISTATUS — drives `hart.timerOut.phys` / `.virt`, which
 * the board wires to its GIC (PPI 30 and 27 on QEMU virt). The registers live in the system
 * register storage (so sessions carry them); this file schedules the moment a condition becomes
 * true and recomputes the outputs on every write. 64-bit values are handled as 32-bit words:
 * counts stay below 2^53, compare values may be anything.
 */
import type { TimedEvent } from '../../core/scheduler.ts'
import type { A64Cpu } from './cpu.ts'
import { SR } from './sysreg-defs.ts'

const TWO32 = 4294967296
/** CNTx_CTL bits (D19.11.x): ENABLE, IMASK, ISTATUS */
export const CTL_ENABLE = 1, CTL_IMASK = 2, CTL_ISTATUS = 4

/** unsigned 64-bit a >= b on words */
const geU64 = (aLo: number, aHi: number, bLo: number, bHi: number): boolean =>
  aHi !== bHi ? aHi >>> 0 > bHi >>> 0 : aLo >>> 0 >= bLo >>> 0

/** the two EL1 timers: physical (no offset) and virtual (CNTVOFF_EL2 below the physical count) */
const TIMERS = [
  { ctl: SR.CNTP_CTL_EL0, cval: SR.CNTP_CVAL_EL0, virt: false, tag: 'cntp' },
  { ctl: SR.CNTV_CTL_EL0, cval: SR.CNTV_CVAL_EL0, virt: true, tag: 'cntv' },
] as const
export const TIMER_P = 0, TIMER_V = 1

export class GenericTimer {
  private readonly ev: (TimedEvent | null)[] = [null, null]
  private readonly level = [false, false]
  /** the count as two words, for `count` */
  readonly now = new Int32Array(2)
  private readonly fire = (): void => this.rearm()
  constructor(private readonly h: A64Cpu) {}

  /** The physical count (CNTPCT_EL0) into `now`, or the virtual one (CNTVCT_EL0 = CNTPCT - CNTVOFF_EL2). */
  count(virt: boolean): Int32Array {
    const c = this.h.clock.ticks(this.h.nowCycles())
    let lo = c % TWO32 | 0, hi = Math.floor(c / TWO32) | 0
    if (virt) {
      const s = this.h.sys, oLo = s[SR.CNTVOFF_EL2 * 2]!, oHi = s[SR.CNTVOFF_EL2 * 2 + 1]!
      const borrow = lo >>> 0 < oLo >>> 0 ? 1 : 0
      lo = (lo - oLo) | 0
      hi = (hi - oHi - borrow) | 0
    }
    this.now[0] = lo
    this.now[1] = hi
    return this.now
  }

  /** ISTATUS of timer `t` now */
  istatus(t: number): boolean {
    const d = TIMERS[t]!, s = this.h.sys
    if ((s[d.ctl * 2]! & CTL_ENABLE) === 0) return false
    const n = this.count(d.virt)
    return geU64(n[0]!, n[1]!, s[d.cval * 2]!, s[d.cval * 2 + 1]!)
  }

  /** CNTx_CTL as read: ISTATUS computed (D19.11.x: read-only, set when the condition is met) */
  readCtl(t: number): number {
    const c = this.h.sys[TIMERS[t]!.ctl * 2]! & (CTL_ENABLE | CTL_IMASK)
    return c | (this.istatus(t) ? CTL_ISTATUS : 0)
  }

  /** CNTx_TVAL as read: (CVAL - count)[31:0], sign-extended (D11.2.4: the TimerValue view) */
  readTval(t: number): number {
    const d = TIMERS[t]!
    const n = this.count(d.virt)
    return (this.h.sys[d.cval * 2]! - n[0]!) | 0
  }

  /** CNTx_TVAL written: CVAL = count + SignExtend(value[31:0]) */
  writeTval(t: number, v: number): void {
    const d = TIMERS[t]!, s = this.h.sys
    const n = this.count(d.virt)
    const lo = (n[0]! >>> 0) + (v >>> 0)
    s[d.cval * 2] = lo | 0
    s[d.cval * 2 + 1] = (n[1]! + (v >> 31) + (lo >= TWO32 ? 1 : 0)) | 0
    this.rearm()
  }

  cancel(): void {
    const sched = this.h.host.sched
    for (let t = 0; t < 2; t++) { sched.cancel(this.ev[t]); this.ev[t] = null }
  }

  /** Recompute both outputs now and schedule the next change (after any timer register write, and at each event). */
  rearm(): void {
    const h = this.h, s = h.sys, sched = h.host.sched
    for (let t = 0; t < 2; t++) {
      const d = TIMERS[t]!
      sched.cancel(this.ev[t])
      this.ev[t] = null
      const ctl = s[d.ctl * 2]!
      const met = this.istatus(t)
      const level = met && (ctl & CTL_IMASK) === 0
      if (level !== this.level[t]) {
        this.level[t] = level
        ;(d.virt ? h.timerOut.virt : h.timerOut.phys).set(level)
      }
      if ((ctl & CTL_ENABLE) !== 0 && !met) this.ev[t] = this.schedule(t)
    }
  }

  /** the event at the physical count where timer `t`'s condition becomes met, or null if beyond 2^53 */
  private schedule(t: number): TimedEvent | null {
    const d = TIMERS[t]!, s = this.h.sys
    let lo = s[d.cval * 2]! >>> 0, hi = s[d.cval * 2 + 1]! >>> 0
    if (d.virt) {
      const sum = lo + (s[SR.CNTVOFF_EL2 * 2]! >>> 0)
      lo = sum % TWO32
      hi = (hi + (s[SR.CNTVOFF_EL2 * 2 + 1]! >>> 0) + (sum >= TWO32 ? 1 : 0)) % TWO32
    }
    if (hi >= 1 << 21) return null
    const at = this.h.clock.cycleOf(hi * TWO32 + lo)
    if (at === Infinity) return null
    return this.h.host.sched.at(at, this.fire, `hart${this.h.id}:${d.tag}`)
  }
}
