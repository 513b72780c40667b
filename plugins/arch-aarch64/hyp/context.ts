/**
 * A vCPU's EL1 context on Armv8 (reference §4.2; Bao's vcpu_arch_save/restore): x0-x30, the
 * SP_EL0/SP_EL1 banks, PSTATE and pc, the EL1 system registers that belong to the guest
 * (translation, vectors, exception syndrome, thread ids, the virtual timer, its vMPIDR), and the
 * FP/SIMD registers V0-V31 with FPCR/FPSR. Saved when a vCPU leaves its pCPU (VM stack), restored
 * when it comes back. The vGIC's part (list registers) is saved by vgic.ts.
 */
import type { A64Cpu } from '../cpu.ts'
import { SR } from '../sysreg-defs.ts'
import { ST, X_SP } from '../state.ts'

/** the guest's system registers; MPIDR_EL1 holds what EL1 reads, the vCPU's VMPIDR_EL2 */
export const GUEST_SYSREGS = [
  SR.SCTLR_EL1, SR.ACTLR_EL1, SR.CPACR_EL1, SR.TTBR0_EL1, SR.TTBR1_EL1, SR.TCR_EL1, SR.MAIR_EL1, SR.AMAIR_EL1,
  SR.VBAR_EL1, SR.CONTEXTIDR_EL1, SR.TPIDR_EL1, SR.TPIDR_EL0, SR.TPIDRRO_EL0, SR.PAR_EL1, SR.AFSR0_EL1, SR.AFSR1_EL1,
  SR.ESR_EL1, SR.FAR_EL1, SR.ELR_EL1, SR.SPSR_EL1, SR.SP_EL0, SR.SP_EL1, SR.CNTKCTL_EL1, SR.CNTV_CTL_EL0,
  SR.CNTV_CVAL_EL0, SR.FPCR, SR.FPSR, SR.CSSELR_EL1, SR.MDSCR_EL1, SR.MPIDR_EL1, SR.VMPIDR_EL2,
] as const
/** words of a saved context's parts */
export const X_CTX_WORDS = 62, SYS_CTX_WORDS = GUEST_SYSREGS.length * 2, V_CTX_WORDS = 128
/** the PSTATE words kept: pc, NZCV, EL, SPSel, DAIF, IL, the event register */
const ST_WORDS = [ST.PC_LO, ST.PC_HI, ST.NZCV, ST.EL, ST.SPSEL, ST.DAIF, ST.IL, ST.EVENT] as const
export const ST_CTX_WORDS = ST_WORDS.length

export interface A64Context {
  x: Int32Array
  sys: Int32Array
  v: Int32Array
  st: Int32Array
  idle: boolean
}

export function newContext(): A64Context {
  return { x: new Int32Array(X_CTX_WORDS), sys: new Int32Array(SYS_CTX_WORDS), v: new Int32Array(V_CTX_WORDS), st: new Int32Array(ST_CTX_WORDS), idle: false }
}

/** the storage index of the SP bank (EL, SPSel) selects at EL0/EL1 */
const bank = (el: number, spsel: number): number => (el === 0 || spsel === 0 ? SR.SP_EL0 : SR.SP_EL1)

/** The hart's guest context into `into` (a context restored earlier and no longer referenced, or a new one). */
export function saveContext(h: A64Cpu, into: A64Context = newContext()): A64Context {
  const s = h.sys, st = h.st
  // the live SP goes to its bank first
  const b = bank(st[ST.EL]!, st[ST.SPSEL]!) * 2
  s[b] = h.x[X_SP]!
  s[b + 1] = h.x[X_SP + 1]!
  into.x.set(h.x.subarray(0, X_CTX_WORDS))
  for (let i = 0; i < GUEST_SYSREGS.length; i++) {
    const r = GUEST_SYSREGS[i]! * 2
    into.sys[2 * i] = s[r]!
    into.sys[2 * i + 1] = s[r + 1]!
  }
  into.v.set(h.v)
  for (let i = 0; i < ST_WORDS.length; i++) into.st[i] = st[ST_WORDS[i]!]!
  into.idle = h.idle
  return into
}

export function restoreContext(h: A64Cpu, ctx: A64Context): void {
  const s = h.sys, st = h.st
  h.x.set(ctx.x)
  for (let i = 0; i < GUEST_SYSREGS.length; i++) {
    const r = GUEST_SYSREGS[i]! * 2
    s[r] = ctx.sys[2 * i]!
    s[r + 1] = ctx.sys[2 * i + 1]!
  }
  h.v.set(ctx.v)
  for (let i = 0; i < ST_WORDS.length; i++) st[ST_WORDS[i]!] = ctx.st[i]!
  st[ST.EX_SIZE] = 0 // the exclusive monitor does not survive a switch
  const b = bank(st[ST.EL]!, st[ST.SPSEL]!) * 2
  h.x[X_SP] = s[b]!
  h.x[X_SP + 1] = s[b + 1]!
  h.idle = ctx.idle
}

/** general register n (0..30) of a saved context */
export function ctxReg(ctx: A64Context, n: number): bigint {
  return BigInt.asUintN(64, (BigInt(ctx.x[2 * n + 1]!) << 32n) | BigInt(ctx.x[2 * n]! >>> 0))
}

export function setCtxReg(ctx: A64Context, n: number, v: bigint): void {
  ctx.x[2 * n] = Number(BigInt.asIntN(32, v))
  ctx.x[2 * n + 1] = Number(BigInt.asIntN(32, v >> 32n))
}

export function ctxPc(ctx: A64Context): bigint {
  return BigInt.asUintN(64, (BigInt(ctx.st[1]!) << 32n) | BigInt(ctx.st[0]! >>> 0))
}
