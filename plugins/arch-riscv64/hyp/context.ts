/**
 * A vCPU's full guest context on RISC-V (reference §4.2): integer and FP registers, pc, the
 * virtualisation mode, and the CSRs that belong to the guest — vsstatus and every vs* CSR, hvip,
 * hstatus, henvcfg, htimedelta, fcsr, and mie (its VS bits are the guest's vsie). Saved when a
 * vCPU leaves its pCPU (VM-stack push/pop), restored when it comes back.
 */
import { CSR } from '../csr-defs.ts'
import type { RiscvHart } from '../hart.ts'

const GUEST_CSRS = [
  CSR.vsstatus, CSR.vstvec, CSR.vsscratch, CSR.vsepc, CSR.vscause, CSR.vstval, CSR.vsatp, CSR.vstimecmp,
  CSR.hvip, CSR.hstatus, CSR.henvcfg, CSR.htimedelta, CSR.mie, CSR.fflags, CSR.frm,
]

/** a saved context's CSR words (two per CSR) */
export const GUEST_CSR_WORDS = GUEST_CSRS.length * 2

export interface VcpuContext {
  x: Int32Array
  f: Int32Array
  csr: Int32Array
  pcLo: number
  pcHi: number
  priv: number
  virt: number
  idle: boolean
}

/**
 * The hart's guest context, into `into` when given (a context restored earlier and no longer
 * referenced: a VM-stack switch saves one and restores one, so recycling spares the three typed
 * arrays an allocation costs on every TEE call and VM-stack invoke).
 */
export function saveContext(h: RiscvHart, into?: VcpuContext): VcpuContext {
  const c = h.c
  if (!into) into = { x: new Int32Array(h.x.length), f: new Int32Array(h.f.length), csr: new Int32Array(GUEST_CSR_WORDS), pcLo: 0, pcHi: 0, priv: 0, virt: 0, idle: false }
  into.x.set(h.x)
  into.f.set(h.f)
  const csr = into.csr
  for (let i = 0; i < GUEST_CSRS.length; i++) {
    const n = GUEST_CSRS[i]!
    csr[2 * i] = c[2 * n]!
    csr[2 * i + 1] = c[2 * n + 1]!
  }
  into.pcLo = h.pcLo
  into.pcHi = h.pcHi
  into.priv = h.priv
  into.virt = h.virt
  into.idle = h.idle
  return into
}

export function restoreContext(h: RiscvHart, ctx: VcpuContext): void {
  h.x.set(ctx.x)
  h.f.set(ctx.f)
  const c = h.c
  for (let i = 0; i < GUEST_CSRS.length; i++) {
    const n = GUEST_CSRS[i]!
    c[2 * n] = ctx.csr[2 * i]!
    c[2 * n + 1] = ctx.csr[2 * i + 1]!
  }
  h.pcLo = ctx.pcLo
  h.pcHi = ctx.pcHi
  h.priv = ctx.priv
  h.virt = ctx.virt
  h.idle = ctx.idle
  h.resAddr = -1
}

/** hvip of a saved context (pending virtual interrupts of a vCPU that is not on its pCPU) */
export function ctxHvip(ctx: VcpuContext): number {
  return ctx.csr[2 * GUEST_CSRS.indexOf(CSR.hvip)]!
}

export function setCtxHvip(ctx: VcpuContext, v: number): void {
  ctx.csr[2 * GUEST_CSRS.indexOf(CSR.hvip)] = v
}

/** mie of a saved context (its VS bits are the guest's vsie) */
export function ctxMie(ctx: VcpuContext): number {
  return ctx.csr[2 * GUEST_CSRS.indexOf(CSR.mie)]!
}

export function setCtxMie(ctx: VcpuContext, v: number): void {
  ctx.csr[2 * GUEST_CSRS.indexOf(CSR.mie)] = v
}

/** write integer register n (1..31) of a saved context */
export function setCtxReg(ctx: VcpuContext, n: number, v: bigint): void {
  if (n === 0) return
  ctx.x[2 * n] = Number(BigInt.asIntN(32, v))
  ctx.x[2 * n + 1] = Number(BigInt.asIntN(32, v >> 32n))
}
