/**
 * Exception entry and return (Arm ARM D1.10, D1.11): which EL takes an exception, what goes
 * into ESR_ELx / FAR_ELx / ELR_ELx / SPSR_ELx, the vector offset, the SP banks, and ERET.
 * Synchronous exceptions are raised at the current pc (`h.pcLo/pcHi`, which the execute loop
 * stores before every slow path); every entry leaves pc at the vector and sets `brk`.
 */
import type { A64Cpu } from './cpu.ts'
import { HCR, SR } from './sysreg-defs.ts'
import { DAIF_A, DAIF_D, DAIF_F, DAIF_I, ST, X_SP } from './state.ts'
import { hex, trace, TRACE_TRAPS } from './trace.ts'

/** Exception classes, ESR_ELx.EC (D19.2.37) */
export const EC = {
  UNKNOWN: 0x00, WFX: 0x01, FP: 0x07, ILLEGAL: 0x0e, SVC: 0x15, HVC: 0x16, SMC: 0x17, SYSREG: 0x18,
  IABT_LOW: 0x20, IABT_CUR: 0x21, PC_ALIGN: 0x22, DABT_LOW: 0x24, DABT_CUR: 0x25, SP_ALIGN: 0x26, BRK: 0x3c,
} as const

/** vector offsets within a 0x200 group (D1.10.2) */
export const VEC_SYNC = 0x000, VEC_IRQ = 0x080, VEC_FIQ = 0x100

/** ESR_ELx.IL: a 32-bit instruction (every A64 one) */
const IL = 1 << 25

/** the storage index of the stack pointer selected by (EL, PSTATE.SP) */
function spBank(el: number, spsel: number): number {
  if (spsel === 0 || el === 0) return SR.SP_EL0
  return el === 1 ? SR.SP_EL1 : SR.SP_EL2
}

/** Change PSTATE.EL and PSTATE.SP, moving the live SP to its bank and the new one in. */
export function setElSp(h: A64Cpu, el: number, spsel: number): void {
  const st = h.st, x = h.x, s = h.sys
  const from = spBank(st[ST.EL]!, st[ST.SPSEL]!) * 2
  s[from] = x[X_SP]!
  s[from + 1] = x[X_SP + 1]!
  const elChanged = st[ST.EL] !== el
  st[ST.EL] = el
  st[ST.SPSEL] = spsel
  const to = spBank(el, spsel) * 2
  x[X_SP] = s[to]!
  x[X_SP + 1] = s[to + 1]!
  // the soft TLB holds translations with the permissions of the EL that filled it
  if (elChanged) h.tlb.flush()
  h.brk = true
}

/** Whether SP_ELx bank `idx` is the live one (then it is in x[X_SP], not in storage). */
export function spIsLive(h: A64Cpu, idx: number): boolean {
  return spBank(h.st[ST.EL]!, h.st[ST.SPSEL]!) === idx
}

/** PSTATE as SPSR_ELx holds it for an AArch64 state (C5.2.18): NZCV, IL, DAIF, M[3:0] */
export function spsrOf(h: A64Cpu): number {
  const st = h.st
  return (st[ST.NZCV]! & 0xf0000000) | (st[ST.IL]! ? 1 << 20 : 0) | st[ST.DAIF]! | (st[ST.EL]! << 2) | st[ST.SPSEL]!
}

const ELR = [SR.ELR_EL1, SR.ELR_EL1, SR.ELR_EL2]
const SPSR = [SR.SPSR_EL1, SR.SPSR_EL1, SR.SPSR_EL2]
const ESR = [SR.ESR_EL1, SR.ESR_EL1, SR.ESR_EL2]
const FAR = [SR.FAR_EL1, SR.FAR_EL1, SR.FAR_EL2]
const VBAR = [SR.VBAR_EL1, SR.VBAR_EL1, SR.VBAR_EL2]

/** `esr` for an exception that leaves ESR_ELx alone (interrupts): no syndrome is ever all ones (EC 0x3F is unallocated) */
export const NO_ESR = -1

/**
 * Take an exception to `target` (1 or 2) at vector offset `vec`, returning to (retLo, retHi).
 * `esr` NO_ESR leaves ESR alone (interrupts); `hasFar` writes FAR_ELx.
 */
export function takeException(h: A64Cpu, target: number, vec: number, esr: number, retLo: number, retHi: number, hasFar: boolean, farLo: number, farHi: number): void {
  if (TRACE_TRAPS) traceEntry(h, target, vec, esr, retLo, retHi)
  if (target === 2 && h.trapHook !== null && h.trapHook(h, vec, esr, farLo, farHi)) return
  const st = h.st, s = h.sys
  const from = st[ST.EL]!
  s[SPSR[target]! * 2] = spsrOf(h)
  s[SPSR[target]! * 2 + 1] = 0
  s[ELR[target]! * 2] = retLo
  s[ELR[target]! * 2 + 1] = retHi
  if (esr !== NO_ESR) { s[ESR[target]! * 2] = esr; s[ESR[target]! * 2 + 1] = 0 }
  if (hasFar) { s[FAR[target]! * 2] = farLo; s[FAR[target]! * 2 + 1] = farHi }
  // D1.10.4: lower-EL exceptions use the +0x400 group (AArch64), same-EL ones +0x200 on SP_ELx
  const off = vec + (from < target ? 0x400 : st[ST.SPSEL] ? 0x200 : 0)
  setElSp(h, target, 1)
  st[ST.DAIF] = DAIF_D | DAIF_A | DAIF_I | DAIF_F
  st[ST.IL] = 0
  st[ST.EX_SIZE] = 0 // the local monitor is cleared (QEMU does; IMPLEMENTATION DEFINED in B2.9.5)
  const vbar = VBAR[target]! * 2
  // VBAR is 2 KiB aligned and off < 0x800: no carry into the high word
  h.pcLo = (s[vbar]! & ~0x7ff) | off
  h.pcHi = s[vbar + 1]!
  h.idle = false
  h.brk = true
}

/** The EL a synchronous exception from the current EL goes to (D1.10.1): EL1, or EL2 from EL2 or with HCR_EL2.TGE. */
export function syncTarget(h: A64Cpu): number {
  const el = h.st[ST.EL]!
  if (el === 2) return 2
  if (el === 0 && h.el2 && (h.sys[SR.HCR_EL2 * 2]! & HCR.TGE) !== 0) return 2
  return 1
}

/** A synchronous exception at pc (the instruction is not done) with class `ec` and syndrome `iss`. */
export function syncException(h: A64Cpu, ec: number, iss: number): false {
  takeException(h, syncTarget(h), VEC_SYNC, (ec << 26) | IL | iss, h.pcLo, h.pcHi, false, 0, 0)
  return false
}

/** The same with a fault address for FAR_ELx. */
export function syncFault(h: A64Cpu, ec: number, iss: number, farLo: number, farHi: number): false {
  takeException(h, syncTarget(h), VEC_SYNC, (ec << 26) | IL | iss, h.pcLo, h.pcHi, true, farLo, farHi)
  return false
}

/** UNDEFINED: EC 0 with IL set (D1.10.4, "Unknown reason"). */
export function undefinedInstruction(h: A64Cpu): false {
  return syncException(h, EC.UNKNOWN, 0)
}

/**
 * SVC/HVC/SMC: ELR is the next instruction (D1.10.1 "preferred return address"). SVC goes to
 * EL1 (EL2 from EL2); HVC to EL2; SMC would go to EL3.
 */
export function callException(h: A64Cpu, ec: number, imm16: number, target: number): void {
  const lo = (h.pcLo + 4) | 0
  const hi = lo === 0 ? (h.pcHi + 1) | 0 : h.pcHi
  takeException(h, target, VEC_SYNC, (ec << 26) | IL | imm16, lo, hi, false, 0, 0)
}

/**
 * A data or instruction abort with fault status `fsc` (DFSC/IFSC, D19.2.37.x) at virtual
 * address (lo, hi). EC says lower or same EL; WnR for writes; CM for cache maintenance.
 */
export function abort(h: A64Cpu, fetch: boolean, fsc: number, write: boolean, cm: boolean, lo: number, hi: number): false {
  const target = syncTarget(h)
  const lower = h.st[ST.EL]! < target
  const ec = fetch ? (lower ? EC.IABT_LOW : EC.IABT_CUR) : (lower ? EC.DABT_LOW : EC.DABT_CUR)
  const iss = fsc | (write && !fetch ? 1 << 6 : 0) | (cm ? 1 << 8 : 0)
  takeException(h, target, VEC_SYNC, (ec << 26) | IL | iss, h.pcLo, h.pcHi, true, lo, hi)
  return false
}

/** PC alignment fault (D1.10.3): FAR holds the misaligned pc. */
export function pcAlignmentFault(h: A64Cpu): false {
  return syncFault(h, EC.PC_ALIGN, 0, h.pcLo, h.pcHi)
}

/** PSTATE.IL set by an illegal exception return: the next instruction faults with EC 0x0E. */
export function illegalState(h: A64Cpu): void {
  syncException(h, EC.ILLEGAL, 0)
}

/**
 * ERET (C6.2.76, D1.11): PSTATE from SPSR_ELx, pc from ELR_ELx. A return to a higher EL, to
 * AArch32, to an EL not implemented or to EL0 with SP_ELx is an illegal exception return
 * (D1.11.2): EL and SP stay, PSTATE.IL is set, and the next instruction faults.
 */
export function exceptionReturn(h: A64Cpu): void {
  const st = h.st, s = h.sys
  const el = st[ST.EL]!
  const spsr = s[SPSR[el]! * 2]!
  const elrLo = s[ELR[el]! * 2]!, elrHi = s[ELR[el]! * 2 + 1]!
  const m = spsr & 0x1f
  const tel = (m >>> 2) & 3, sp = m & 1
  const illegal = (m & 0x12) !== 0 || tel > el || tel === 3 || (tel === 2 && !h.el2) || (tel === 0 && sp === 1) ||
    (tel === 1 && el === 2 && h.el2 && (s[SR.HCR_EL2 * 2]! & HCR.TGE) !== 0) || (spsr & (1 << 20)) !== 0
  st[ST.NZCV] = spsr & 0xf0000000
  st[ST.DAIF] = spsr & (DAIF_D | DAIF_A | DAIF_I | DAIF_F)
  st[ST.EX_SIZE] = 0
  if (illegal) st[ST.IL] = 1
  else {
    st[ST.IL] = 0
    setElSp(h, tel, sp)
  }
  h.pcLo = elrLo
  h.pcHi = elrHi
  h.brk = true
}

function traceEntry(h: A64Cpu, target: number, vec: number, esr: number, retLo: number, retHi: number): void {
  const kind = vec === VEC_IRQ ? 'irq' : vec === VEC_FIQ ? 'fiq' : `ec ${hex(esr >>> 26)} iss ${hex(esr & 0x1ffffff)}`
  const ret = (BigInt(retHi) << 32n) | BigInt(retLo >>> 0)
  trace(`hart ${h.id} EL${h.st[ST.EL]} ${kind} elr ${hex(ret)} -> EL${target}`)
}
