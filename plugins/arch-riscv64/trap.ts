/**
 * Trap entry and return (priv 1.12 §3.1.6, §3.3.2, §4.1.1; H extension §8.6): which mode takes a
 * trap, what is saved where, and the xRET instructions.
 */
import { CSR, HS, MS, PRV_M, PRV_S, PRV_U } from './csr-defs.ts'
import type { RiscvHart } from './hart.ts'
import { hex, trace, TRACE_TRAPS } from './trace.ts'

export const TARGET_M = 3, TARGET_HS = 1, TARGET_VS = 5

/**
 * Raise a synchronous exception at the current pc. `htval` is the guest-physical address >> 2.
 * True when the hart's trap hook served it in place (the hypervisor: a VM exit), leaving the
 * mode as it was.
 */
export function raise(h: RiscvHart, cause: number, tvalLo: number, tvalHi: number, htval: number, gva: boolean): boolean {
  let target = TARGET_M
  if (h.priv !== PRV_M && (h.c[CSR.medeleg * 2]! >>> cause) & 1) {
    target = h.virt && (h.c[CSR.hedeleg * 2]! >>> cause) & 1 ? TARGET_VS : TARGET_HS
  }
  return enter(h, target, cause, false, tvalLo, tvalHi, htval, gva)
}

/** Take interrupt `cause` into `target` (decided by interrupts.ts). */
export function interrupt(h: RiscvHart, target: number, cause: number): void {
  enter(h, target, cause, true, 0, 0, 0, false)
}

function setPair(c: Int32Array, n: number, lo: number, hi: number): void {
  c[n * 2] = lo
  c[n * 2 + 1] = hi
}

/** pc = the trap vector of `tvec` (§3.1.7: vectored mode for interrupts) */
function vector(h: RiscvHart, tvec: number, interrupt: boolean, cause: number): void {
  const lo = h.c[tvec * 2]!
  const base = lo & ~3
  h.pcLo = interrupt && (lo & 3) === 1 ? (base + 4 * cause) | 0 : base
  h.pcHi = h.c[tvec * 2 + 1]!
}

/** Take a trap; true when the trap hook served it instead (nothing here changed). */
function enter(h: RiscvHart, target: number, cause: number, isIrq: boolean, tvalLo: number, tvalHi: number, htval: number, gva: boolean): boolean {
  if (TRACE_TRAPS) traceTrap(h, target, cause, isIrq, tvalLo, tvalHi, htval)
  if (target !== TARGET_VS && h.trapHook && h.trapHook(h, cause, isIrq, tvalLo, tvalHi, htval)) return true
  const c = h.c
  const prevPriv = h.priv, prevVirt = h.virt
  h.resAddr = -1 // a trap drops the LR reservation, as QEMU does (allowed by §8.2)
  const causeHi = isIrq ? 0x80000000 | 0 : 0
  if (target === TARGET_M) {
    setPair(c, CSR.mepc, h.pcLo, h.pcHi)
    setPair(c, CSR.mcause, cause, causeHi)
    setPair(c, CSR.mtval, tvalLo, tvalHi)
    setPair(c, CSR.mtval2, htval % 4294967296 | 0, Math.floor(htval / 4294967296))
    setPair(c, CSR.mtinst, 0, 0)
    let ms = c[CSR.mstatus * 2]!
    ms = (ms & ~(MS.MPIE | MS.MIE | MS.MPP)) | (ms & MS.MIE ? MS.MPIE : 0) | (prevPriv << MS.MPP_SHIFT)
    c[CSR.mstatus * 2] = ms
    let msh = c[CSR.mstatus * 2 + 1]! & ~(MS.MPV_HI | MS.GVA_HI)
    if (prevVirt) msh |= MS.MPV_HI
    if (gva) msh |= MS.GVA_HI
    c[CSR.mstatus * 2 + 1] = msh
    h.priv = PRV_M
    h.virt = 0
    vector(h, CSR.mtvec, isIrq, cause)
  } else if (target === TARGET_HS) {
    setPair(c, CSR.sepc, h.pcLo, h.pcHi)
    setPair(c, CSR.scause, cause, causeHi)
    setPair(c, CSR.stval, tvalLo, tvalHi)
    setPair(c, CSR.htval, htval % 4294967296 | 0, Math.floor(htval / 4294967296))
    setPair(c, CSR.htinst, 0, 0)
    let hs = c[CSR.hstatus * 2]! & ~(HS.SPV | HS.GVA)
    if (prevVirt) hs = (hs & ~HS.SPVP) | HS.SPV | (prevPriv === PRV_S ? HS.SPVP : 0)
    if (gva) hs |= HS.GVA
    c[CSR.hstatus * 2] = hs
    let ms = c[CSR.mstatus * 2]!
    ms = (ms & ~(MS.SPIE | MS.SIE | MS.SPP)) | (ms & MS.SIE ? MS.SPIE : 0) | (prevPriv === PRV_U ? 0 : MS.SPP)
    c[CSR.mstatus * 2] = ms
    h.priv = PRV_S
    h.virt = 0
    vector(h, CSR.stvec, isIrq, cause)
  } else {
    // VS-level interrupts appear to the guest as the supervisor ones (code - 1)
    const vcause = isIrq && (cause === 2 || cause === 6 || cause === 10) ? cause - 1 : cause
    setPair(c, CSR.vsepc, h.pcLo, h.pcHi)
    setPair(c, CSR.vscause, vcause, causeHi)
    setPair(c, CSR.vstval, tvalLo, tvalHi)
    let vs = c[CSR.vsstatus * 2]!
    vs = (vs & ~(MS.SPIE | MS.SIE | MS.SPP)) | (vs & MS.SIE ? MS.SPIE : 0) | (prevPriv === PRV_U ? 0 : MS.SPP)
    c[CSR.vsstatus * 2] = vs
    h.priv = PRV_S
    h.virt = 1
    vector(h, CSR.vstvec, isIrq, vcause)
  }
  h.idle = false
  modeChanged(h)
  return false
}

function traceTrap(h: RiscvHart, target: number, cause: number, isIrq: boolean, tvalLo: number, tvalHi: number, htval: number): void {
  const from = `${h.virt ? 'V' : ''}${'USHM'[h.priv]}`
  const to = target === TARGET_VS ? 'VS' : h.trapHook ? 'hypervisor' : target === TARGET_M ? 'M' : 'HS'
  const tval = (BigInt(tvalHi) << 32n) | BigInt(tvalLo >>> 0)
  trace(`hart ${h.id} ${from} ${isIrq ? 'interrupt' : 'exception'} ${cause} pc ${hex(h.pc)} tval ${hex(tval)}${htval ? ` htval ${hex(htval)}` : ''} -> ${to}`)
}

/** After any change of privilege, V, or translation control: the TLB no longer applies. */
export function modeChanged(h: RiscvHart): void {
  h.tlb.flush()
  h.brk = true
}

/** MRET (§3.3.2). The caller has checked privilege. */
export function mret(h: RiscvHart): void {
  const c = h.c
  let ms = c[CSR.mstatus * 2]!
  let msh = c[CSR.mstatus * 2 + 1]!
  const mpp = (ms & MS.MPP) >>> MS.MPP_SHIFT
  const mpv = mpp !== PRV_M && (msh & MS.MPV_HI) !== 0
  ms = (ms & ~(MS.MIE | MS.MPP)) | (ms & MS.MPIE ? MS.MIE : 0) | MS.MPIE
  if (mpp !== PRV_M) ms &= ~MS.MPRV
  msh &= ~MS.MPV_HI
  c[CSR.mstatus * 2] = ms
  c[CSR.mstatus * 2 + 1] = msh
  h.priv = mpp
  h.virt = mpv ? 1 : 0
  h.pcLo = c[CSR.mepc * 2]!
  h.pcHi = c[CSR.mepc * 2 + 1]!
  modeChanged(h)
}

/** SRET from HS-mode (V=0) or VS-mode (V=1) (§4.1.1, §8.6.4). The caller has checked privilege. */
export function sret(h: RiscvHart): void {
  const c = h.c
  if (h.virt) {
    let vs = c[CSR.vsstatus * 2]!
    const spp = vs & MS.SPP ? PRV_S : PRV_U
    vs = (vs & ~(MS.SIE | MS.SPP)) | (vs & MS.SPIE ? MS.SIE : 0) | MS.SPIE
    c[CSR.vsstatus * 2] = vs
    h.priv = spp
    h.pcLo = c[CSR.vsepc * 2]!
    h.pcHi = c[CSR.vsepc * 2 + 1]!
  } else {
    let ms = c[CSR.mstatus * 2]!
    const spp = ms & MS.SPP ? PRV_S : PRV_U
    ms = (ms & ~(MS.SIE | MS.SPP | MS.MPRV)) | (ms & MS.SPIE ? MS.SIE : 0) | MS.SPIE
    c[CSR.mstatus * 2] = ms
    const hs = c[CSR.hstatus * 2]!
    h.virt = hs & HS.SPV ? 1 : 0
    c[CSR.hstatus * 2] = hs & ~HS.SPV
    h.priv = spp
    h.pcLo = c[CSR.sepc * 2]!
    h.pcHi = c[CSR.sepc * 2 + 1]!
  }
  modeChanged(h)
}
