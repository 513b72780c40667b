/**
 * Rare instructions, off the hot loop: SYSTEM (CSRs, ecall/ebreak, xRET, wfi, fences of the
 * MMU), atomics, FP loads/stores and computation, the hypervisor's hlv/hsv, and illegal ones.
 * Each either advances pc (returns true) or leaves pc where a trap or xRET put it (false).
 */
import { csrAccess } from './csr.ts'
import { CSR, EXC, HS, MS, PRV_M, PRV_S, PRV_U } from './csr-defs.ts'
import { execFp } from './fpu.ts'
import type { RiscvHart } from './hart.ts'
import { wfiWakes } from './interrupts.ts'
import { extend, readVirt, writeVirt } from './memory.ts'
import { ACC_LOAD, ACC_STORE, HLV, HLV_NONE, HLVX, translate } from './mmu.ts'
import { Op, rdOf, rs1Of, rs2Of } from './decode.ts'
import { modeChanged, mret, raise, sret } from './trap.ts'

function advance(h: RiscvHart, len: number): true {
  const lo = (h.pcLo + len) | 0
  if ((lo >>> 0) < (h.pcLo >>> 0)) h.pcHi = (h.pcHi + 1) | 0
  h.pcLo = lo
  return true
}

const illegal = (h: RiscvHart, bits: number): false => { raise(h, EXC.ILLEGAL, bits, 0, 0, false); return false }
const virtualInsn = (h: RiscvHart, bits: number): false => { raise(h, EXC.VIRTUAL_INSN, bits, 0, 0, false); return false }

export function execRare(h: RiscvHart, op: number, rr: number, imm: number, len: number): boolean {
  switch (op) {
    case Op.SYSTEM: return system(h, imm, rr, len)
    case Op.AMO: return amo(h, imm, rr, len)
    case Op.FLW: case Op.FLD: case Op.FSW: case Op.FSD: return fpMem(h, op, rr, imm, len)
    case Op.FP: {
      if (!fpOn(h)) return illegal(h, imm)
      if (!execFp(h, imm)) return illegal(h, imm)
      dirtyFs(h)
      return advance(h, len)
    }
    case Op.HLSV: return hlsv(h, imm, rr, len)
    default: return illegal(h, imm)
  }
}

function system(h: RiscvHart, insn: number, rr: number, len: number): boolean {
  const f3 = (insn >>> 12) & 7
  const rd = rdOf(rr), r1 = rs1Of(rr)
  if (f3 !== 0) {
    const num = insn >>> 20
    const imm = f3 >= 5
    const op = f3 & 3
    const srcLo = imm ? (insn >>> 15) & 31 : h.x[r1]!
    const srcHi = imm ? 0 : h.x[r1 + 1]!
    const write = op === 1 || (imm ? ((insn >>> 15) & 31) !== 0 : r1 !== 0)
    if (!csrAccess(h, insn, num, op, srcLo, srcHi, write, rd)) return false
    return advance(h, len)
  }
  const f12 = insn >>> 20
  const f7 = insn >>> 25
  if (f7 === 0x09) { // sfence.vma
    if (h.priv === PRV_U) return h.virt ? virtualInsn(h, insn) : illegal(h, insn)
    if (h.virt && h.c[CSR.hstatus * 2]! & HS.VTVM) return virtualInsn(h, insn)
    if (!h.virt && h.priv === PRV_S && h.c[CSR.mstatus * 2]! & MS.TVM) return illegal(h, insn)
    modeChanged(h)
    return advance(h, len)
  }
  if (f7 === 0x11 || f7 === 0x31) { // hfence.vvma / hfence.gvma
    if (h.virt) return virtualInsn(h, insn)
    if (h.priv === PRV_U) return illegal(h, insn)
    if (f7 === 0x31 && h.priv === PRV_S && h.c[CSR.mstatus * 2]! & MS.TVM) return illegal(h, insn)
    modeChanged(h)
    return advance(h, len)
  }
  if ((insn & 0x000fff80) !== 0 && f12 !== 0x105) return illegal(h, insn) // rd/rs1 must be zero
  switch (f12) {
    case 0x000: { // ecall
      const cause = h.priv === PRV_U ? EXC.ECALL_U : h.priv === PRV_M ? EXC.ECALL_M : h.virt ? EXC.ECALL_VS : EXC.ECALL_S
      // served in place by the hypervisor (an SBI call: pc past the ecall, the mode unchanged):
      // advanced, as any instruction, so the loop (or translated code) runs on without fetching
      // the page again. A call that did more (switched vCPUs, stopped the VM, raised an
      // interrupt) set brk: not advanced then, so the caller takes the pc from the hart.
      return raise(h, cause, 0, 0, 0, false) && !h.brk
    }
    case 0x001: // ebreak: tval may be 0 or the pc (§3.1.16); QEMU writes 0, and so do we
      raise(h, EXC.BREAKPOINT, 0, 0, 0, false)
      return false
    case 0x302:
      if (h.priv !== PRV_M) return h.virt ? virtualInsn(h, insn) : illegal(h, insn)
      mret(h)
      return false
    case 0x102:
      if (h.virt) {
        if (h.priv === PRV_U || h.c[CSR.hstatus * 2]! & HS.VTSR) return virtualInsn(h, insn)
      } else if (h.priv === PRV_U || (h.priv === PRV_S && h.c[CSR.mstatus * 2]! & MS.TSR)) return illegal(h, insn)
      sret(h)
      return false
    case 0x105: { // wfi (§3.3.3): TW traps lower modes; VTW traps VS; U-mode always traps
      if ((insn & 0x000fff80) !== 0) return illegal(h, insn)
      const ms = h.c[CSR.mstatus * 2]!
      if (h.priv !== PRV_M && ms & MS.TW) return illegal(h, insn)
      if (h.virt && (h.priv === PRV_U || h.c[CSR.hstatus * 2]! & HS.VTW)) return virtualInsn(h, insn)
      if (h.priv === PRV_U) return illegal(h, insn)
      advance(h, len)
      if (!wfiWakes(h)) {
        h.idle = true
        h.brk = true
      }
      return true
    }
  }
  return illegal(h, insn)
}

function fpOn(h: RiscvHart): boolean {
  return (h.c[CSR.mstatus * 2]! & MS.FS) !== 0 && !(h.virt && (h.c[CSR.vsstatus * 2]! & MS.FS) === 0)
}

function dirtyFs(h: RiscvHart): void {
  h.c[CSR.mstatus * 2] |= MS.FS
  if (h.virt) h.c[CSR.vsstatus * 2] |= MS.FS
}

function fpMem(h: RiscvHart, op: number, rr: number, imm: number, len: number): boolean {
  if (!fpOn(h)) return illegal(h, rawOf(h))
  const r1 = rs1Of(rr)
  const a = h.x[r1]!
  const lo = (a + imm) | 0
  const hi = (h.x[r1 + 1]! + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0
  const f = h.f
  if (op === Op.FLW || op === Op.FLD) {
    const size = op === Op.FLW ? 4 : 8
    if (!readVirt(h, lo, hi, size, ACC_LOAD, HLV_NONE, true)) return false
    const fd = rdOf(rr)
    f[fd] = h.r64[0]!
    f[fd + 1] = size === 4 ? -1 : h.r64[1]! // NaN-box singles (§12.2)
    dirtyFs(h)
    return advance(h, len)
  }
  const fs = rs2Of(rr)
  if (!writeVirt(h, lo, hi, op === Op.FSW ? 4 : 8, f[fs]!, f[fs + 1]!, HLV_NONE, true)) return false
  return advance(h, len)
}

/** raw bits of the current instruction for mtval (FP memory ops keep only the decoded form) */
function rawOf(h: RiscvHart): number {
  try {
    const pa = translate(h, h.pcLo, h.pcHi, 0, HLV_NONE)
    return pa < 0 ? 0 : h.dLen === 2 ? h.bus.read(pa, 2, h.id) : h.bus.read(pa, 4, h.id)
  } catch { return 0 }
}

/** A extension (§8): LR/SC with QEMU's value-checking SC, and the AMOs. */
function amo(h: RiscvHart, insn: number, rr: number, len: number): boolean {
  const f5 = insn >>> 27
  const size = ((insn >>> 12) & 7) === 2 ? 4 : 8
  const rd = rdOf(rr), r1 = rs1Of(rr), r2 = rs2Of(rr)
  const lo = h.x[r1]!, hi = h.x[r1 + 1]!
  const x = h.x, r = h.r64
  if ((lo & (size - 1)) !== 0) {
    raise(h, f5 === 2 ? EXC.LOAD_MISALIGNED : EXC.STORE_MISALIGNED, lo, hi, 0, h.virt === 1)
    return false
  }
  if (f5 === 2) { // lr
    if (((insn >>> 20) & 31) !== 0) return illegal(h, insn)
    const pa = translate(h, lo, hi, ACC_LOAD, HLV_NONE, size)
    if (pa < 0) return false
    if (!readVirt(h, lo, hi, size, ACC_LOAD, HLV_NONE, false)) return false
    h.resAddr = pa
    h.resLo = r[0]!
    h.resHi = size === 8 ? r[1]! : 0
    extend(h, size, true)
    x[rd] = r[0]!; x[rd + 1] = r[1]!
    return advance(h, len)
  }
  if (f5 === 3) { // sc: succeeds only if reserved here and memory still holds what lr read
    const pa = translate(h, lo, hi, ACC_STORE, HLV_NONE, size)
    if (pa < 0) return false
    const reserved = h.resAddr === pa
    h.resAddr = -1
    let ok = false
    if (reserved) {
      if (!readVirt(h, lo, hi, size, ACC_STORE, HLV_NONE, false)) return false
      ok = r[0] === h.resLo && (size === 4 || r[1] === h.resHi)
    }
    if (ok && !writeVirt(h, lo, hi, size, x[r2]!, x[r2 + 1]!, HLV_NONE, false)) return false
    x[rd] = ok ? 0 : 1; x[rd + 1] = 0
    return advance(h, len)
  }
  if (!readVirt(h, lo, hi, size, ACC_STORE, HLV_NONE, false)) return false
  const aLo = r[0]!, aHi = size === 8 ? r[1]! : r[0]! >> 31
  const bLo = x[r2]!, bHi = size === 8 ? x[r2 + 1]! : x[r2]! >> 31
  let nLo: number, nHi: number
  const lt = (ah: number, al: number, bh: number, bl: number, signed: boolean): boolean =>
    signed ? ah < bh || (ah === bh && al >>> 0 < bl >>> 0) : ah >>> 0 < bh >>> 0 || (ah === bh && al >>> 0 < bl >>> 0)
  switch (f5) {
    case 0x01: nLo = bLo; nHi = bHi; break
    case 0x00: {
      nLo = (aLo + bLo) | 0
      nHi = (aHi + bHi + ((nLo >>> 0) < (aLo >>> 0) ? 1 : 0)) | 0
      break
    }
    case 0x04: nLo = aLo ^ bLo; nHi = aHi ^ bHi; break
    case 0x0c: nLo = aLo & bLo; nHi = aHi & bHi; break
    case 0x08: nLo = aLo | bLo; nHi = aHi | bHi; break
    case 0x10: [nLo, nHi] = lt(aHi, aLo, bHi, bLo, true) ? [aLo, aHi] : [bLo, bHi]; break
    case 0x14: [nLo, nHi] = lt(aHi, aLo, bHi, bLo, true) ? [bLo, bHi] : [aLo, aHi]; break
    case 0x18: [nLo, nHi] = lt(aHi, aLo, bHi, bLo, false) ? [aLo, aHi] : [bLo, bHi]; break
    case 0x1c: [nLo, nHi] = lt(aHi, aLo, bHi, bLo, false) ? [bLo, bHi] : [aLo, aHi]; break
    default: return illegal(h, insn)
  }
  if (!writeVirt(h, lo, hi, size, nLo, nHi, HLV_NONE, false)) return false
  x[rd] = aLo; x[rd + 1] = aHi
  return advance(h, len)
}

/** H §8.3: hlv/hlvx/hsv — loads and stores as VS/VU (hstatus.SPVP) would do them. */
function hlsv(h: RiscvHart, insn: number, rr: number, len: number): boolean {
  if (h.virt) return virtualInsn(h, insn)
  if (h.priv === PRV_U && !(h.c[CSR.hstatus * 2]! & HS.HU)) return illegal(h, insn)
  const f7 = insn >>> 25
  const sel = (insn >>> 20) & 31
  const size = 1 << ((f7 >>> 1) & 3)
  const rd = rdOf(rr), r1 = rs1Of(rr), r2 = rs2Of(rr)
  const lo = h.x[r1]!, hi = h.x[r1 + 1]!
  if (f7 & 1) {
    if ((insn >>> 7) & 31) return illegal(h, insn)
    if (!writeVirt(h, lo, hi, size, h.x[r2]!, h.x[r2 + 1]!, HLV, false)) return false
    return advance(h, len)
  }
  // loads: rs2 field 0 = signed, 1 = unsigned, 3 = hlvx (execute permission) for h/w
  if (sel !== 0 && sel !== 1 && !(sel === 3 && size >= 2 && size <= 4)) return illegal(h, insn)
  if (size === 8 && sel !== 0) return illegal(h, insn)
  if (!readVirt(h, lo, hi, size, ACC_LOAD, sel === 3 ? HLVX : HLV, false)) return false
  extend(h, size, sel === 0)
  h.x[rd] = h.r64[0]!
  h.x[rd + 1] = h.r64[1]!
  return advance(h, len)
}

export { PRV_M }
