/**
 * Interrupts (Arm ARM D1.13.2 routing, D1.13.5 masking): the hart's IRQ and FIQ inputs, which EL
 * takes a pending one and whether PSTATE masks it. Physical IRQ/FIQ go to EL1 unless EL2 is
 * implemented and HCR_EL2.IMO/FMO route them to EL2 (then, from EL0/EL1, PSTATE.I/F do not mask
 * them). A virtual IRQ/FIQ (D1.13.4) is pending for EL1 when HCR_EL2.VI/VF is set or the GIC's
 * virtual CPU interface drives the 'virq'/'vfiq' input, and IMO/FMO are set: it is taken at EL1
 * (EL0) unless PSTATE.I/F masks it.
 */
import { irqLine, NO_IRQ, type IrqLine } from '../../core/irq.ts'
import { NO_ESR, takeException, VEC_FIQ, VEC_IRQ } from './exceptions.ts'
import type { A64Cpu } from './cpu.ts'
import { HCR, SR } from './sysreg-defs.ts'
import { DAIF_F, DAIF_I, ST } from './state.ts'

export function lineFor(h: A64Cpu, name: string): IrqLine {
  if (name === 'irq') return irqLine((level) => { h.irqIn = level; if (level) wake(h) })
  if (name === 'fiq') return irqLine((level) => { h.fiqIn = level; if (level) wake(h) })
  if (name === 'virq') return irqLine((level) => { h.virqIn = level; if (level) wake(h) })
  if (name === 'vfiq') return irqLine((level) => { h.vfiqIn = level; if (level) wake(h) })
  return NO_IRQ
}

/** A line went up: leave WFI (which wakes on any pending interrupt, masked or not: D1.16.2) and look. */
export function wake(h: A64Cpu): void {
  if (h.off) return
  h.idle = false
  h.brk = true
}

/** What WFI waits for: an interrupt pending, whether or not PSTATE masks it. */
export function interruptPending(h: A64Cpu): boolean {
  if (h.irqIn || h.fiqIn) return true
  if (!h.el2 || h.st[ST.EL]! >= 2) return false
  const hcr = h.sys[SR.HCR_EL2 * 2]!
  return ((hcr & HCR.VI) !== 0 || h.virqIn) && (hcr & HCR.IMO) !== 0 || ((hcr & HCR.VF) !== 0 || h.vfiqIn) && (hcr & HCR.FMO) !== 0
}

/**
 * Take the pending interrupt PSTATE and routing allow, if any (FIQ before IRQ). The return
 * address is the pc of the instruction not yet executed.
 */
export function takePending(h: A64Cpu): void {
  if (!h.irqIn && !h.fiqIn && !h.el2) return
  const el = h.st[ST.EL]!, daif = h.st[ST.DAIF]!
  const hcr = h.el2 ? h.sys[SR.HCR_EL2 * 2]! : 0
  const tge = (hcr & HCR.TGE) !== 0
  const vf = ((hcr & HCR.VF) !== 0 || h.vfiqIn) && (hcr & HCR.FMO) !== 0 && !tge
  const vi = ((hcr & HCR.VI) !== 0 || h.virqIn) && (hcr & HCR.IMO) !== 0 && !tge
  if (take(h, h.fiqIn, (hcr & HCR.FMO) !== 0 || tge, vf, el, daif & DAIF_F, VEC_FIQ)) return
  take(h, h.irqIn, (hcr & HCR.IMO) !== 0 || tge, vi, el, daif & DAIF_I, VEC_IRQ)
}

function take(h: A64Cpu, phys: boolean, toEl2: boolean, virt: boolean, el: number, masked: number, vec: number): boolean {
  if (phys) {
    if (h.el2 && toEl2) {
      // routed to EL2: unmaskable from below, masked by PSTATE at EL2
      if (el < 2 || masked === 0) { enter(h, 2, vec); return true }
    } else if (el < 2 && masked === 0) { enter(h, 1, vec); return true }
  }
  if (virt && el < 2 && masked === 0) { enter(h, 1, vec); return true }
  return false
}

function enter(h: A64Cpu, target: number, vec: number): void {
  takeException(h, target, vec, NO_ESR, h.pcLo, h.pcHi, false, 0, 0)
}
