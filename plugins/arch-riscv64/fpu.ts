/**
 * F and D computational instructions (RISC-V unprivileged ISA 20191213, chapters 11 and 12):
 * the hart's slow path for OP-FP and the fused multiply-adds. Loads, stores and fcsr accesses
 * stay in the hart; this module only needs the register files, fflags and frm.
 */
import { cvtFF, cvtFI, cvtIF } from './fpu-convert.ts'
import { fadd, fdiv, ffma, fmul, fsqrt } from './fpu-arith.ts'
import { fastArith, fastCvtDS, fastFma, fastCvtDW, fastCvtSD, fastCvtWD, numD, numS } from './fpu-fast.ts'
import { F32, F64 } from '../../core/cpu/ieee754.ts'
import { NV, RNE, RTZ } from './fpu-round.ts'

export interface FpState {
  /** FP registers: f[2*i] = low 32 bits, f[2*i+1] = high 32 bits of f_i (64-bit, NaN-boxed singles) */
  f: Int32Array
  /** integer registers, same layout: x[2*r] = low, x[2*r+1] = high. Never write x0 (r = 0): discard. */
  x: Int32Array
  /** accrued exception flags, bits NV=16 DZ=8 OF=4 UF=2 NX=1 (fcsr.fflags) */
  fflags: number
  /** dynamic rounding mode (fcsr.frm), 0..7 */
  frm: number
}

/** §12.2: the canonical NaN a single reads as when its upper 32 bits are not all ones */
const CANON_S = 0x7fc00000

/** NaN-boxing helpers the hart uses for FLW/FSW/FMV: §12.2, a single is stored with the upper 32 bits all ones */
export function boxSingle(s: FpState, rd: number, bits: number): void {
  s.f[2 * rd] = bits
  s.f[2 * rd + 1] = -1
}

/** the low word of f_r if it holds a properly NaN-boxed single, else the canonical NaN */
function wordS(s: FpState, r: number): number {
  return s.f[2 * r + 1] === -1 ? s.f[2 * r]! : CANON_S
}

function readF(s: FpState, dbl: boolean, r: number): bigint {
  if (!dbl) return BigInt(wordS(s, r) >>> 0)
  return (BigInt(s.f[2 * r + 1]! >>> 0) << 32n) | BigInt(s.f[2 * r]! >>> 0)
}

function writeF(s: FpState, dbl: boolean, r: number, v: bigint): void {
  s.f[2 * r] = Number(v & 0xffffffffn)
  s.f[2 * r + 1] = dbl ? Number(v >> 32n) : -1
}

function readX(s: FpState, r: number): bigint {
  if (r === 0) return 0n
  return (BigInt(s.x[2 * r + 1]! >>> 0) << 32n) | BigInt(s.x[2 * r]! >>> 0)
}

function writeX(s: FpState, r: number, lo: number, hi: number): void {
  if (r === 0) return
  s.x[2 * r] = lo
  s.x[2 * r + 1] = hi
}

function writeXBig(s: FpState, r: number, v: bigint): void {
  writeX(s, r, Number(v & 0xffffffffn), Number(v >> 32n))
}

/** the word holding sign and exponent of f_r: the high word for D, the (unboxed) single for S */
function hiWord(s: FpState, dbl: boolean, r: number): number {
  return dbl ? s.f[2 * r + 1]! : wordS(s, r)
}

function isNaNF(s: FpState, dbl: boolean, r: number): boolean {
  if (!dbl) return (wordS(s, r) & 0x7fffffff) > 0x7f800000
  const hi = s.f[2 * r + 1]! & 0x7fffffff
  return hi > 0x7ff00000 || (hi === 0x7ff00000 && s.f[2 * r] !== 0)
}

function isSNaNF(s: FpState, dbl: boolean, r: number): boolean {
  return isNaNF(s, dbl, r) && (hiWord(s, dbl, r) & (dbl ? 0x80000 : 0x400000)) === 0
}

function num(s: FpState, dbl: boolean, r: number): number {
  return dbl ? numD(s.f, r) : numS(wordS(s, r))
}

function copyF(s: FpState, dbl: boolean, rd: number, rs: number): void {
  if (dbl) {
    s.f[2 * rd] = s.f[2 * rs]!
    s.f[2 * rd + 1] = s.f[2 * rs + 1]!
  } else {
    boxSingle(s, rd, wordS(s, rs))
  }
}

/**
 * Execute one OP-FP (opcode 0x53) or FMADD/FMSUB/FNMSUB/FNMADD (0x43/0x47/0x4b/0x4f)
 * instruction. Returns false when the encoding is illegal (unknown funct, reserved rounding mode
 * 5/6, or rm=7 with frm >= 5) — the caller then raises an illegal-instruction trap and nothing may
 * have been modified.
 */
export function execFp(s: FpState, insn: number): boolean {
  const op = insn & 0x7f
  const rd = (insn >>> 7) & 31
  const funct3 = (insn >>> 12) & 7
  const rs1 = (insn >>> 15) & 31
  const rs2 = (insn >>> 20) & 31
  const fmt = (insn >>> 25) & 3
  if (fmt > 1) return false // H and Q are not implemented
  const dbl = fmt === 1
  const F = dbl ? F64 : F32
  // §11.2: rm = 7 selects frm; 5, 6 and a dynamic frm >= 5 are reserved. Instructions whose
  // result the rounding mode cannot change still decode rm the same way.
  const rm = funct3 === 7 ? s.frm : funct3
  const rmOk = rm <= 4

  if (op !== 0x53) {
    if ((op & 0x73) !== 0x43 || !rmOk) return false
    // §11.6: FMSUB negates rs3, FNMSUB negates the product, FNMADD negates both
    const negProd = op >= 0x4b ? 1 : 0
    const negC = op === 0x47 || op === 0x4f ? 1 : 0
    const rs3 = insn >>> 27
    if (rm === RNE && fastFma(s, dbl, rd, rs1, rs2, rs3, negProd, negC)) return true
    writeF(s, dbl, rd, ffma(F, readF(s, dbl, rs1), readF(s, dbl, rs2), readF(s, dbl, rs3), negProd, negC, rm, s))
    return true
  }

  const funct5 = insn >>> 27
  switch (funct5) {
    case 0x00: // FADD
    case 0x01: // FSUB
    case 0x02: // FMUL
    case 0x03: { // FDIV
      if (!rmOk) return false
      if (rm === RNE && fastArith(s, funct5, dbl, rd, rs1, rs2)) return true
      const a = readF(s, dbl, rs1)
      const b = readF(s, dbl, rs2)
      let r: bigint
      if (funct5 === 0) r = fadd(F, a, b, rm, s)
      else if (funct5 === 1) r = fadd(F, a, b ^ F.signBit, rm, s)
      else if (funct5 === 2) r = fmul(F, a, b, rm, s)
      else r = fdiv(F, a, b, rm, s)
      writeF(s, dbl, rd, r)
      return true
    }
    case 0x0b: // FSQRT
      if (!rmOk || rs2 !== 0) return false
      if (rm === RNE && fastArith(s, funct5, dbl, rd, rs1, rs2)) return true
      writeF(s, dbl, rd, fsqrt(F, readF(s, dbl, rs1), rm, s))
      return true
    case 0x04: { // FSGNJ, FSGNJN, FSGNJX (§11.7)
      if (funct3 > 2) return false
      const a = hiWord(s, dbl, rs1)
      const b = hiWord(s, dbl, rs2)
      const sign = (funct3 === 0 ? b : funct3 === 1 ? ~b : a ^ b) & 0x80000000
      const w = (a & 0x7fffffff) | sign
      if (dbl) {
        s.f[2 * rd] = s.f[2 * rs1]!
        s.f[2 * rd + 1] = w
      } else {
        boxSingle(s, rd, w)
      }
      return true
    }
    case 0x05: // FMIN, FMAX
      if (funct3 > 1) return false
      minMax(s, dbl, funct3 === 1, rd, rs1, rs2)
      return true
    case 0x08: // FCVT.S.D (fmt S, rs2 = D) / FCVT.D.S (fmt D, rs2 = S)
      if (!rmOk || rs2 !== (dbl ? 0 : 1)) return false
      if (dbl ? fastCvtDS(s, rd, rs1) : rm === RNE && fastCvtSD(s, rd, rs1)) return true
      writeF(s, dbl, rd, dbl ? cvtFF(F32, F64, readF(s, false, rs1), rm, s) : cvtFF(F64, F32, readF(s, true, rs1), rm, s))
      return true
    case 0x14: // FLE, FLT, FEQ
      if (funct3 > 2) return false
      writeX(s, rd, compare(s, dbl, funct3, rs1, rs2), 0)
      return true
    case 0x18: { // FCVT.{W,WU,L,LU}.fmt
      if (!rmOk || rs2 > 3) return false
      if (dbl && rm === RTZ && (rs2 & 1) === 0 && fastCvtWD(s, rd, rs1, rs2 === 2)) return true
      const v = cvtFI(F, readF(s, dbl, rs1), rs2 < 2 ? 32 : 64, (rs2 & 1) === 0, rm, s)
      writeXBig(s, rd, v)
      return true
    }
    case 0x1a: // FCVT.fmt.{W,WU,L,LU}
      if (!rmOk || rs2 > 3) return false
      if (dbl && rs2 < 2 && fastCvtDW(s, rd, rs1, rs2 === 1)) return true
      writeF(s, dbl, rd, cvtIF(F, readX(s, rs1), rs2 < 2 ? 32 : 64, (rs2 & 1) === 0, rm, s))
      return true
    case 0x1c: // FMV.X.W / FMV.X.D, FCLASS
      if (rs2 !== 0 || funct3 > 1) return false
      if (funct3 === 1) {
        writeX(s, rd, fclass(s, dbl, rs1), 0)
      } else if (dbl) {
        writeX(s, rd, s.f[2 * rs1]!, s.f[2 * rs1 + 1]!)
      } else {
        // §11.7: the raw low 32 bits, NaN-boxed or not, sign-extended
        const w = s.f[2 * rs1]!
        writeX(s, rd, w, w >> 31)
      }
      return true
    case 0x1e: // FMV.W.X / FMV.D.X
      if (rs2 !== 0 || funct3 !== 0) return false
      if (dbl) {
        s.f[2 * rd] = rs1 === 0 ? 0 : s.x[2 * rs1]!
        s.f[2 * rd + 1] = rs1 === 0 ? 0 : s.x[2 * rs1 + 1]!
      } else {
        boxSingle(s, rd, rs1 === 0 ? 0 : s.x[2 * rs1]!)
      }
      return true
    default:
      return false
  }
}

/** §11.6 (2.2): -0 < +0; one NaN operand yields the other; two yield the canonical NaN */
function minMax(s: FpState, dbl: boolean, max: boolean, rd: number, rs1: number, rs2: number): void {
  if (isSNaNF(s, dbl, rs1) || isSNaNF(s, dbl, rs2)) s.fflags |= NV
  const an = isNaNF(s, dbl, rs1)
  const bn = isNaNF(s, dbl, rs2)
  if (an && bn) {
    writeF(s, dbl, rd, dbl ? F64.qnan : F32.qnan)
    return
  }
  if (an || bn) {
    copyF(s, dbl, rd, an ? rs2 : rs1)
    return
  }
  const a = num(s, dbl, rs1)
  const b = num(s, dbl, rs2)
  // equal values differ only for ±0, where the negative sign is the smaller
  const aLess = a < b || (a === b && hiWord(s, dbl, rs1) < 0)
  copyF(s, dbl, rd, aLess !== max ? rs1 : rs2)
}

/** §11.8: FEQ signals NV on signaling NaNs only; FLT and FLE on any NaN */
function compare(s: FpState, dbl: boolean, funct3: number, rs1: number, rs2: number): number {
  if (isNaNF(s, dbl, rs1) || isNaNF(s, dbl, rs2)) {
    if (funct3 !== 2 || isSNaNF(s, dbl, rs1) || isSNaNF(s, dbl, rs2)) s.fflags |= NV
    return 0
  }
  const a = num(s, dbl, rs1)
  const b = num(s, dbl, rs2)
  return (funct3 === 0 ? a <= b : funct3 === 1 ? a < b : a === b) ? 1 : 0
}

/** §11.9, Table 11.5: one-hot class mask */
function fclass(s: FpState, dbl: boolean, r: number): number {
  const hi = hiWord(s, dbl, r)
  const neg = hi < 0
  const expField = dbl ? (hi >>> 20) & 0x7ff : (hi >>> 23) & 0xff
  const expMax = dbl ? 0x7ff : 0xff
  const fracZero = dbl ? (hi & 0xfffff) === 0 && s.f[2 * r] === 0 : (hi & 0x7fffff) === 0
  if (expField === expMax) {
    if (fracZero) return neg ? 1 << 0 : 1 << 7
    return (hi & (dbl ? 0x80000 : 0x400000)) !== 0 ? 1 << 9 : 1 << 8
  }
  if (expField === 0) {
    if (fracZero) return neg ? 1 << 3 : 1 << 4
    return neg ? 1 << 2 : 1 << 5
  }
  return neg ? 1 << 1 : 1 << 6
}
