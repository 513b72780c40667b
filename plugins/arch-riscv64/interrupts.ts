/**
 * Interrupts: the hart's input lines, the effective mip, which pending interrupt is taken into
 * which mode (priv 1.12 §3.1.9, H §8.2.14), and the Sstc comparators (stimecmp, vstimecmp).
 */
import { irqLine, NO_IRQ, type IrqLine } from '../../core/irq.ts'
import type { TimedEvent } from '../../core/scheduler.ts'
import { CSR, IRQ, IRQ_PRIORITY, MS, PRV_M, PRV_S, S_IRQS, VS_IRQS } from './csr-defs.ts'
import type { RiscvHart } from './hart.ts'
import { interrupt, TARGET_HS, TARGET_M, TARGET_VS } from './trap.ts'

const LINES: Record<string, number> = { msip: IRQ.MSI, mtip: IRQ.MTI, meip: IRQ.MEI, seip: IRQ.SEI, ssip: IRQ.SSI, stip: IRQ.STI }

export function lineFor(h: RiscvHart, name: string): IrqLine {
  const bit = LINES[name]
  if (bit === undefined) return NO_IRQ
  return irqLine((level) => {
    h.hwIrq = level ? h.hwIrq | bit : h.hwIrq & ~bit
    if (level) wake(h)
  })
}

/** A change that may make an interrupt pending: wake from wfi, and stop the loop to look. */
export function wake(h: RiscvHart): void {
  if (effectiveMip(h) & h.c[CSR.mie * 2]!) {
    h.idle = false
    h.brk = true
  }
}

/** mip as software sees it: device lines, software-set bits, hvip and the Sstc comparators. */
export function effectiveMip(h: RiscvHart): number {
  const c = h.c
  let mip = h.hwIrq | (c[CSR.mip * 2]! & (IRQ.SSI | IRQ.STI | IRQ.SEI)) | (c[CSR.hvip * 2]! & VS_IRQS)
  if (h.timers.stip) mip |= IRQ.STI
  if (h.timers.vstip) mip |= IRQ.VSTI
  return mip
}

function highest(bits: number): number {
  for (const i of IRQ_PRIORITY) if (bits & (1 << i)) return i
  return -1
}

/** Take the highest-priority enabled pending interrupt, if any. Wakes the hart from wfi. */
export function takePending(h: RiscvHart): void {
  const c = h.c
  const pending = effectiveMip(h) & c[CSR.mie * 2]!
  if (!pending) return
  h.idle = false
  const mideleg = c[CSR.mideleg * 2]! | VS_IRQS | IRQ.SGEI // VS bits are read-only one with H
  const hideleg = c[CSR.hideleg * 2]!
  const ms = c[CSR.mstatus * 2]!
  const m = pending & ~mideleg
  if (m && (h.priv < PRV_M || ms & MS.MIE)) return interrupt(h, TARGET_M, highest(m))
  if (h.priv === PRV_M) return
  const hs = pending & mideleg & ~hideleg
  if (hs && (h.virt || h.priv < PRV_S || ms & MS.SIE)) return interrupt(h, TARGET_HS, highest(hs))
  const vs = pending & mideleg & hideleg & VS_IRQS
  if (vs && h.virt && (h.priv < PRV_S || c[CSR.vsstatus * 2]! & MS.SIE)) return interrupt(h, TARGET_VS, highest(vs))
}

/** true when an interrupt is pending and enabled in mie (what wfi waits for, ignoring global enables) */
export function wfiWakes(h: RiscvHart): boolean {
  return (effectiveMip(h) & h.c[CSR.mie * 2]!) !== 0
}

const u64 = (c: Int32Array, n: number): bigint => (BigInt(c[n * 2 + 1]! >>> 0) << 32n) | BigInt(c[n * 2]! >>> 0)

/** Sstc: STIP while time >= stimecmp; VSTIP while time + htimedelta >= vstimecmp (when enabled). */
export class HartTimers {
  stip = false
  vstip = false
  private ev: TimedEvent | null = null
  private vev: TimedEvent | null = null
  /** what a comparator's event runs, made once (a guest writes stimecmp at every tick) */
  private readonly fire = (): void => this.rearm()
  constructor(private readonly h: RiscvHart) {}

  cancel(): void {
    const s = this.h.host.sched
    s.cancel(this.ev)
    s.cancel(this.vev)
    this.ev = this.vev = null
    this.stip = this.vstip = false
  }

  /** Recompute both comparators now and schedule the next change. */
  rearm(): void {
    const h = this.h, c = h.c, sched = h.host.sched
    sched.cancel(this.ev)
    sched.cancel(this.vev)
    this.ev = this.vev = null
    const now = BigInt(h.clock.ticks(h.nowCycles()))
    const stce = (c[CSR.menvcfg * 2 + 1]! >>> 31) === 1
    const vstce = stce && (c[CSR.henvcfg * 2 + 1]! >>> 31) === 1
    this.stip = false
    this.vstip = false
    if (stce) {
      const cmp = u64(c, CSR.stimecmp)
      if (now >= cmp) this.stip = true
      else this.ev = this.schedule(cmp, 'stimecmp')
    }
    if (vstce) {
      // compare in the guest's time base: time + htimedelta (mod 2^64)
      const cmp = BigInt.asUintN(64, u64(c, CSR.vstimecmp) - u64(c, CSR.htimedelta))
      const vnow = BigInt.asUintN(64, now + u64(c, CSR.htimedelta))
      if (vnow >= u64(c, CSR.vstimecmp)) this.vstip = true
      else this.vev = this.schedule(cmp, 'vstimecmp')
    }
    if (this.stip || this.vstip) wake(h)
  }

  /** `csr` names the event for sessions (a restore re-creates it through `rearm`) */
  private schedule(ticks: bigint, csr: string): TimedEvent | null {
    if (ticks > BigInt(Number.MAX_SAFE_INTEGER)) return null
    const at = this.h.clock.cycleOf(Number(ticks))
    if (at === Infinity) return null
    return this.h.host.sched.at(at, this.fire, `hart${this.h.id}:${csr}`)
  }
}

export { S_IRQS }
