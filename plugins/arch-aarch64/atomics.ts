/**
 * Exclusives, acquire/release and atomics (Arm ARM B2.9, C3.2.x): LDXR/STXR and their acquire,
 * release and pair forms with the local exclusive monitor; LDAR/STLR; the Armv8.1 LSE atomics
 * (LDADD, LDCLR, LDEOR, LDSET, LD{S,U}{MAX,MIN}, SWP) and CAS/CASP, at every size. An
 * interpreter runs one instruction at a time, so every one of them is atomic and ordering is
 * free; what is left is the monitor and the alignment they all require (B2.5.2).
 *
 * The monitor follows QEMU: LDXR remembers the physical address and the value read; STXR
 * succeeds only when the address matches and memory still holds that value (a store of a
 * different value in between, by any hart, makes it fail); every STXR, CLREX, exception entry
 * and ERET clears it. Returns true when done (the caller advances pc), false after a fault.
 */
import { undefinedInstruction, abort } from './exceptions.ts'
import type { A64Cpu } from './cpu.ts'
import { physRead, physWrite } from './memory.ts'
import { ACC_LOAD, ACC_STORE, FSC, translate } from './mmu.ts'
import { spAlignmentFault } from './system.ts'
import { ST, X_SINK, X_SP, X_ZR } from './state.ts'

const TWO32 = 4294967296

export function atomic(h: A64Cpu, insn: number): boolean {
  return ((insn >>> 24) & 63) === 0b001000 ? exclusiveGroup(h, insn) : h.lse ? lse(h, insn) : undefinedInstruction(h)
}

/** the address in Rn (SP allowed) into h.r64[2..3] (A_LO, A_HI), after the SP alignment check; false after a fault */
function baseAddress(h: A64Cpu, insn: number): boolean {
  const rn = (insn >>> 5) & 31
  const b = rn === 31 ? X_SP : rn * 2
  if (b === X_SP && (h.x[b]! & 15) !== 0 && spAlignmentFault(h)) return false
  h.r64[A_LO] = h.x[b]!
  h.r64[A_HI] = h.x[b + 1]!
  return true
}
/** where baseAddress leaves the address in the hart's scratch words (0 and 1 take loaded values) */
const A_LO = 2, A_HI = 3

const src = (n: number): number => (n === 31 ? X_ZR : n * 2)
const dst = (n: number): number => (n === 31 ? X_SINK : n * 2)

/** translate an aligned access of `bytes`; -1 after raising an alignment fault or an abort */
function alignedPa(h: A64Cpu, bytes: number, acc: number): number {
  const lo = h.r64[A_LO]!, hi = h.r64[A_HI]!
  if ((lo & (bytes - 1)) !== 0) { abort(h, false, FSC.ALIGNMENT, acc === ACC_STORE, false, lo, hi); return -1 }
  return translate(h, lo, hi, acc)
}

const external = (h: A64Cpu, write: boolean): false => abort(h, false, FSC.EXTERNAL, write, false, h.r64[A_LO]!, h.r64[A_HI]!)

/** load/store exclusive register group (C4.1.x): size 001000 o2 L o1 Rs o0 Rt2 Rn Rt */
function exclusiveGroup(h: A64Cpu, insn: number): boolean {
  const size = insn >>> 30, o2 = (insn >>> 23) & 1, l = (insn >>> 22) & 1, o1 = (insn >>> 21) & 1
  const rs = (insn >>> 16) & 31, o0 = (insn >>> 15) & 1, rt2 = (insn >>> 10) & 31, rt = insn & 31
  // CAS and CASP are FEAT_LSE's (A64Options.lse)
  if (o2 === 1 && o1 === 1) return rt2 === 31 && h.lse ? cas(h, insn, size, rs, rt) : undefinedInstruction(h)
  if (o2 === 0 && o1 === 1 && size < 2) return rt2 === 31 && h.lse ? casp(h, insn, size, rs, rt) : undefinedInstruction(h)
  if (o2 === 1) {
    // LDAR/STLR (o0 = 1); LDLAR/STLLR (o0 = 0) need LOR, which the A53 lacks
    if (o0 === 0) return undefinedInstruction(h)
    if (!baseAddress(h, insn)) return false
    const bytes = 1 << size
    const pa = alignedPa(h, bytes, l ? ACC_LOAD : ACC_STORE)
    if (pa < 0) return false
    if (l) {
      if (!physRead(h, pa, bytes)) return external(h, false)
      setReg(h, dst(rt), h.r64[0]!, bytes === 8 ? h.r64[1]! : 0)
      return true
    }
    const s = src(rt)
    return physWrite(h, pa, bytes, h.x[s]!, h.x[s + 1]!) || external(h, true)
  }
  // LDXR/LDAXR/STXR/STLXR (o1 = 0) and the pair forms (o1 = 1, size 1x: 32- or 64-bit elements)
  const pair = o1 === 1
  const elem = pair ? (size === 2 ? 4 : 8) : 1 << size
  const bytes = pair ? 2 * elem : elem
  if (!baseAddress(h, insn)) return false
  const st = h.st
  if (l) {
    const pa = alignedPa(h, bytes, ACC_LOAD)
    if (pa < 0) return false
    if (!physRead(h, pa, elem)) return external(h, false)
    const aLo = h.r64[0]!, aHi = elem === 8 ? h.r64[1]! : 0
    let bLo = 0, bHi = 0
    if (pair) {
      if (!physRead(h, pa + elem, elem)) return external(h, false)
      bLo = h.r64[0]!; bHi = elem === 8 ? h.r64[1]! : 0
    }
    st[ST.EX_SIZE] = bytes
    st[ST.EX_ADDR] = pa % TWO32 | 0
    st[ST.EX_ADDR_HI] = Math.floor(pa / TWO32)
    st[ST.EX_LO] = aLo; st[ST.EX_HI] = aHi; st[ST.EX_LO2] = bLo; st[ST.EX_HI2] = bHi
    setReg(h, dst(rt), aLo, aHi)
    if (pair) setReg(h, dst(rt2), bLo, bHi)
    return true
  }
  // store exclusive: Rs gets 0 on success, 1 on failure; the monitor is cleared either way
  const reserved = st[ST.EX_SIZE]!
  st[ST.EX_SIZE] = 0
  let ok = false
  const lo = h.r64[A_LO]!, hi = h.r64[A_HI]!
  if ((lo & (bytes - 1)) !== 0) return abort(h, false, FSC.ALIGNMENT, true, false, lo, hi)
  if (reserved === bytes) {
    // (no reservation: fail without touching memory, as QEMU does — no abort either)
    const pa = translate(h, lo, hi, ACC_STORE)
    if (pa < 0) return false
    if (pa % TWO32 === st[ST.EX_ADDR]! >>> 0 && Math.floor(pa / TWO32) === st[ST.EX_ADDR_HI]) {
      if (!physRead(h, pa, elem)) return external(h, true)
      ok = h.r64[0] === st[ST.EX_LO] && (elem !== 8 || h.r64[1] === st[ST.EX_HI])
      if (ok && pair) {
        if (!physRead(h, pa + elem, elem)) return external(h, true)
        ok = h.r64[0] === st[ST.EX_LO2] && (elem !== 8 || h.r64[1] === st[ST.EX_HI2])
      }
      if (ok) {
        const a = src(rt)
        if (!physWrite(h, pa, elem, h.x[a]!, h.x[a + 1]!)) return external(h, true)
        if (pair) {
          const b = src(rt2)
          if (!physWrite(h, pa + elem, elem, h.x[b]!, h.x[b + 1]!)) return external(h, true)
        }
      }
    }
  }
  setReg(h, dst(rs), ok ? 0 : 1, 0)
  return true
}

function setReg(h: A64Cpu, i: number, lo: number, hi: number): void {
  h.x[i] = lo
  h.x[i + 1] = hi
}

/** the low `bytes` of a value as (lo, hi) */
function trunc(bytes: number, lo: number, hi: number, out: Int32Array): void {
  out[0] = bytes === 1 ? lo & 0xff : bytes === 2 ? lo & 0xffff : lo
  out[1] = bytes === 8 ? hi : 0
}
const t = new Int32Array(2)

/** CAS, CASA, CASL, CASAL and the B/H forms (C6.2.44): Rs ← old; memory ← Rt if old = Rs */
function cas(h: A64Cpu, insn: number, size: number, rs: number, rt: number): boolean {
  if (!baseAddress(h, insn)) return false
  const bytes = 1 << size
  const pa = alignedPa(h, bytes, ACC_STORE)
  if (pa < 0) return false
  if (!physRead(h, pa, bytes)) return external(h, true)
  const oLo = h.r64[0]!, oHi = bytes === 8 ? h.r64[1]! : 0
  const s = src(rs)
  trunc(bytes, h.x[s]!, h.x[s + 1]!, t)
  if (oLo === t[0] && oHi === t[1]) {
    const v = src(rt)
    if (!physWrite(h, pa, bytes, h.x[v]!, h.x[v + 1]!)) return external(h, true)
  }
  setReg(h, dst(rs), oLo, oHi)
  return true
}

/** CASP and its forms (C6.2.45): a pair of W (size 0) or X (size 1) registers, even-numbered */
function casp(h: A64Cpu, insn: number, size: number, rs: number, rt: number): boolean {
  if ((rs & 1) !== 0 || (rt & 1) !== 0 || rs === 31 || rt === 31) return undefinedInstruction(h)
  if (!baseAddress(h, insn)) return false
  const elem = size === 0 ? 4 : 8
  const pa = alignedPa(h, 2 * elem, ACC_STORE)
  if (pa < 0) return false
  const x = h.x
  if (!physRead(h, pa, elem)) return external(h, true)
  const aLo = h.r64[0]!, aHi = elem === 8 ? h.r64[1]! : 0
  if (!physRead(h, pa + elem, elem)) return external(h, true)
  const bLo = h.r64[0]!, bHi = elem === 8 ? h.r64[1]! : 0
  const s0 = rs * 2, s1 = rs * 2 + 2
  const hiOk = (v: number, w: number): boolean => elem === 4 || v === w
  if (aLo === x[s0] && hiOk(aHi, x[s0 + 1]!) && bLo === x[s1] && hiOk(bHi, x[s1 + 1]!)) {
    if (!physWrite(h, pa, elem, x[rt * 2]!, x[rt * 2 + 1]!)) return external(h, true)
    if (!physWrite(h, pa + elem, elem, x[rt * 2 + 2]!, x[rt * 2 + 3]!)) return external(h, true)
  }
  setReg(h, s0, aLo, aHi)
  setReg(h, s1, bLo, bHi)
  return true
}

/** atomic memory operations (C4.1.x): size 111 0 00 A R 1 Rs o3 opc 00 Rn Rt */
function lse(h: A64Cpu, insn: number): boolean {
  const size = insn >>> 30, rs = (insn >>> 16) & 31, o3 = (insn >>> 15) & 1, opc = (insn >>> 12) & 7, rt = insn & 31
  if (o3 === 1 && opc !== 0) return undefinedInstruction(h) // LDAPR and friends: Armv8.3
  if (!baseAddress(h, insn)) return false
  const bytes = 1 << size
  const pa = alignedPa(h, bytes, ACC_STORE)
  if (pa < 0) return false
  if (!physRead(h, pa, bytes)) return external(h, true)
  const oLo = h.r64[0]!, oHi = bytes === 8 ? h.r64[1]! : 0
  const s = src(rs)
  trunc(bytes, h.x[s]!, h.x[s + 1]!, t)
  const vLo = t[0]!, vHi = t[1]!
  let nLo: number, nHi: number
  if (o3 === 1) { nLo = vLo; nHi = vHi } // SWP
  else {
    switch (opc) {
      case 0: { const sum = (oLo >>> 0) + (vLo >>> 0); nLo = sum | 0; nHi = (oHi + vHi + (sum >= TWO32 ? 1 : 0)) | 0; break } // LDADD
      case 1: nLo = oLo & ~vLo; nHi = oHi & ~vHi; break // LDCLR
      case 2: nLo = oLo ^ vLo; nHi = oHi ^ vHi; break // LDEOR
      case 3: nLo = oLo | vLo; nHi = oHi | vHi; break // LDSET
      default: {
        // LDSMAX, LDSMIN, LDUMAX, LDUMIN: compare as `bytes`-wide signed or unsigned numbers
        const signed = opc < 6
        const greater = compare(bytes, oLo, oHi, vLo, vHi, signed) > 0
        const wantMax = (opc & 1) === 0
        if (greater === wantMax) { nLo = oLo; nHi = oHi } else { nLo = vLo; nHi = vHi }
      }
    }
  }
  if (!physWrite(h, pa, bytes, nLo, nHi)) return external(h, true)
  setReg(h, dst(rt), oLo, oHi)
  return true
}

/** sign of a - b for `bytes`-wide values (already truncated, zero-extended) */
function compare(bytes: number, aLo: number, aHi: number, bLo: number, bHi: number, signed: boolean): number {
  if (bytes === 8) {
    if (aHi !== bHi) return (signed ? aHi < bHi : aHi >>> 0 < bHi >>> 0) ? -1 : 1
    return aLo === bLo ? 0 : aLo >>> 0 < bLo >>> 0 ? -1 : 1
  }
  const sh = 32 - 8 * bytes
  const a = signed ? (aLo << sh) >> sh : aLo >>> 0, b = signed ? (bLo << sh) >> sh : bLo >>> 0
  return a === b ? 0 : a < b ? -1 : 1
}
