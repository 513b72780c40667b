/**
 * Scalar floating-point instructions (Arm ARM C4.1.96 "Data Processing -- Scalar Floating-Point
 * and Advanced SIMD", the floating-point groups): conversions to and from integers and fixed
 * point, FMOV between general and SIMD & FP registers, 1-, 2- and 3-source data processing,
 * FCMP/FCMPE, FCCMP/FCCMPE, FCSEL and FMOV (immediate). Each returns false when UNDEFINED (the
 * caller raises it; nothing has been written). Armv8.0 has no half-precision arithmetic
 * (FEAT_FP16): ptype 0b11 is only an operand or result of FCVT.
 */
import { fpCompare } from './fp-cmp.ts'
import { fixedToFp, fpConvert, fpToFixed } from './fp-convert.ts'
import { B_ADD, B_DIV, B_MAX, B_MAXNM, B_MIN, B_MINNM, B_MUL, B_NMUL, B_SUB, fpBin, fpFma, fpUn, U_ABS, U_NEG, U_RINT, U_RINTX, U_SQRT } from './fp-lane.ts'
import { RA } from './fp-round.ts'
import type { A64Cpu } from './cpu.ts'
import { COND, ST } from './state.ts'
import { accrue, envOf, getW, setD, setScalar, vOff } from './vreg.ts'

const bits = (x: number, hi: number, lo: number): number => (x >>> lo) & ((1 << (hi - lo + 1)) - 1)

/** ptype to element size: 00 single, 01 double, 11 half; 10 is unallocated (-1) */
const PTYPE = [2, 3, -1, 1]

/** general register n as a source (31: XZR) and as a destination (31: discarded) */
function xGet(h: A64Cpu, n: number, out: Int32Array): void {
  if (n === 31) { out[0] = 0; out[1] = 0 } else { out[0] = h.x[2 * n]!; out[1] = h.x[2 * n + 1]! }
}
function xSet(h: A64Cpu, n: number, lo: number, hi: number): void {
  if (n === 31) return
  h.x[2 * n] = lo
  h.x[2 * n + 1] = hi
}

/** scratch for a general register's two words (holds nothing between calls) */
const g = new Int32Array(2)

/** conversion between floating-point and fixed-point (SCVTF, UCVTF, FCVTZS, FCVTZU with #fbits) */
export function fpFixed(h: A64Cpu, insn: number): boolean {
  const sf = insn >>> 31, esz = PTYPE[bits(insn, 23, 22)]!, rmode = bits(insn, 20, 19), opcode = bits(insn, 18, 16)
  const scale = bits(insn, 15, 10), rn = bits(insn, 9, 5), rd = insn & 31
  if (bits(insn, 29, 29) !== 0 || esz < 2 || (sf === 0 && scale < 32)) return false
  const fbits = 64 - scale, width = sf ? 64 : 32
  const env = envOf(h)
  if (rmode === 0 && (opcode === 2 || opcode === 3)) { // SCVTF / UCVTF
    xGet(h, rn, g)
    fixedToFp(esz, g[0]!, g[1]!, width, opcode === 2, fbits, env.rmode, env)
    setScalar(h, rd, esz, env.lo, env.hi)
  } else if (rmode === 3 && (opcode === 0 || opcode === 1)) { // FCVTZS / FCVTZU
    fpToFixed(esz, getW(h, rn, 0), getW(h, rn, 1), fbits, opcode === 1, width, 3, env)
    xSet(h, rd, env.lo, env.hi)
  } else return false
  accrue(h, env)
  return true
}

/** conversion between floating-point and integer, and FMOV (general) */
export function fpInt(h: A64Cpu, insn: number): boolean {
  const sf = insn >>> 31, ptype = bits(insn, 23, 22), esz = PTYPE[ptype]!, rmode = bits(insn, 20, 19), opcode = bits(insn, 18, 16)
  const rn = bits(insn, 9, 5), rd = insn & 31
  if (bits(insn, 29, 29) !== 0) return false
  if (opcode >= 6) { // FMOV (general)
    if (ptype === 0 && sf === 0 && rmode === 0) { // W <-> S
      if (opcode === 6) xSet(h, rd, getW(h, rn, 0), 0)
      else { xGet(h, rn, g); setD(h, rd, g[0]!, 0) }
    } else if (ptype === 1 && sf === 1 && rmode === 0) { // X <-> D
      if (opcode === 6) xSet(h, rd, getW(h, rn, 0), getW(h, rn, 1))
      else { xGet(h, rn, g); setD(h, rd, g[0]!, g[1]!) }
    } else if (ptype === 2 && sf === 1 && rmode === 1) { // X <-> V.D[1]: the other half is kept
      if (opcode === 6) xSet(h, rd, getW(h, rn, 2), getW(h, rn, 3))
      else { xGet(h, rn, g); const w = vOff(h, rd) >> 2; h.i32[w + 2] = g[0]!; h.i32[w + 3] = g[1]! }
    } else return false
    return true
  }
  if (esz < 2) return false
  const env = envOf(h)
  const width = sf ? 64 : 32
  if (opcode <= 1 || ((opcode === 4 || opcode === 5) && rmode === 0)) {
    // FCVTN/P/M/Z S/U by rmode, FCVTA S/U: ties away
    const rm = opcode >= 4 ? RA : [0, 1, 2, 3][rmode]!
    fpToFixed(esz, getW(h, rn, 0), getW(h, rn, 1), 0, (opcode & 1) === 1, width, rm, env)
    xSet(h, rd, env.lo, env.hi)
  } else if ((opcode === 2 || opcode === 3) && rmode === 0) { // SCVTF / UCVTF
    xGet(h, rn, g)
    fixedToFp(esz, g[0]!, g[1]!, width, opcode === 2, 0, env.rmode, env)
    setScalar(h, rd, esz, env.lo, env.hi)
  } else return false
  accrue(h, env)
  return true
}

/** floating-point data-processing (1 source) */
export function fpDp1(h: A64Cpu, insn: number): boolean {
  const esz = PTYPE[bits(insn, 23, 22)]!, opcode = bits(insn, 20, 15), rn = bits(insn, 9, 5), rd = insn & 31
  if (bits(insn, 31, 29) !== 0 || esz < 0) return false
  const lo = getW(h, rn, 0), hi = getW(h, rn, 1)
  if ((opcode & 0b111100) === 0b000100) { // FCVT: to opcode<1:0> (00 single, 01 double, 11 half)
    const to = PTYPE[opcode & 3]!
    if (to < 0 || to === esz) return false
    const env = envOf(h)
    fpConvert(esz, to, esz === 1 ? lo & 0xffff : lo, hi, env.rmode, env)
    setScalar(h, rd, to, env.lo, env.hi)
    accrue(h, env)
    return true
  }
  if (esz === 1) return false // half-precision arithmetic is FEAT_FP16
  let op: number
  const env = envOf(h)
  switch (opcode) {
    case 0: setScalar(h, rd, esz, lo, hi); return true // FMOV (register)
    case 1: op = U_ABS; break
    case 2: op = U_NEG; break
    case 3: op = U_SQRT; break
    case 8: case 9: case 10: case 11: op = U_RINT + (opcode - 8); break // FRINTN, P, M, Z
    case 12: op = U_RINT + RA; break // FRINTA
    case 14: op = U_RINTX + env.rmode; break // FRINTX
    case 15: op = U_RINT + env.rmode; break // FRINTI
    default: return false
  }
  fpUn(op, esz, lo, hi, env)
  setScalar(h, rd, esz, env.lo, env.hi)
  accrue(h, env)
  return true
}

const DP2 = [B_MUL, B_DIV, B_ADD, B_SUB, B_MAX, B_MIN, B_MAXNM, B_MINNM, B_NMUL]

/** floating-point data-processing (2 source) */
export function fpDp2(h: A64Cpu, insn: number): boolean {
  const esz = PTYPE[bits(insn, 23, 22)]!, opcode = bits(insn, 15, 12)
  const rm = bits(insn, 20, 16), rn = bits(insn, 9, 5), rd = insn & 31
  if (bits(insn, 31, 29) !== 0 || esz < 2 || opcode > 8) return false
  const env = envOf(h)
  fpBin(DP2[opcode]!, esz, getW(h, rn, 0), getW(h, rn, 1), getW(h, rm, 0), getW(h, rm, 1), env)
  setScalar(h, rd, esz, env.lo, env.hi)
  accrue(h, env)
  return true
}

/** floating-point data-processing (3 source): FMADD, FMSUB, FNMADD, FNMSUB */
export function fpDp3(h: A64Cpu, insn: number): boolean {
  const esz = PTYPE[bits(insn, 23, 22)]!, o1 = bits(insn, 21, 21), o0 = bits(insn, 15, 15)
  const rm = bits(insn, 20, 16), ra = bits(insn, 14, 10), rn = bits(insn, 9, 5), rd = insn & 31
  if (bits(insn, 31, 29) !== 0 || esz < 2) return false
  const env = envOf(h)
  // FMSUB negates the product's first operand, FNMADD both it and the addend, FNMSUB the addend
  fpFma(esz, getW(h, ra, 0), getW(h, ra, 1), getW(h, rn, 0), getW(h, rn, 1), getW(h, rm, 0), getW(h, rm, 1), o0 !== o1, o1 === 1, env)
  setScalar(h, rd, esz, env.lo, env.hi)
  accrue(h, env)
  return true
}

/** FCMP, FCMPE (with zero when opcode2<3>) */
export function fpCmp(h: A64Cpu, insn: number): boolean {
  const esz = PTYPE[bits(insn, 23, 22)]!, op = bits(insn, 15, 14), opc2 = insn & 31
  const rm = bits(insn, 20, 16), rn = bits(insn, 9, 5)
  if (bits(insn, 31, 29) !== 0 || esz < 2 || op !== 0 || (opc2 & 7) !== 0) return false
  const env = envOf(h)
  const zero = (opc2 & 8) !== 0
  const nzcv = fpCompare(esz, getW(h, rn, 0), getW(h, rn, 1), zero ? 0 : getW(h, rm, 0), zero ? 0 : getW(h, rm, 1), (opc2 & 16) !== 0, env)
  h.st[ST.NZCV] = nzcv << 28
  accrue(h, env)
  return true
}

/** FCCMP, FCCMPE: the comparison when the condition holds, else the immediate NZCV */
export function fpCcmp(h: A64Cpu, insn: number): boolean {
  const esz = PTYPE[bits(insn, 23, 22)]!, cond = bits(insn, 15, 12), rm = bits(insn, 20, 16), rn = bits(insn, 9, 5)
  if (bits(insn, 31, 29) !== 0 || esz < 2) return false
  if (COND[((h.st[ST.NZCV]! >>> 28) << 4) | cond] === 1) {
    const env = envOf(h)
    h.st[ST.NZCV] = fpCompare(esz, getW(h, rn, 0), getW(h, rn, 1), getW(h, rm, 0), getW(h, rm, 1), (insn & 16) !== 0, env) << 28
    accrue(h, env)
  } else h.st[ST.NZCV] = (insn & 15) << 28
  return true
}

/** FCSEL */
export function fpCsel(h: A64Cpu, insn: number): boolean {
  const esz = PTYPE[bits(insn, 23, 22)]!, cond = bits(insn, 15, 12), rm = bits(insn, 20, 16), rn = bits(insn, 9, 5), rd = insn & 31
  if (bits(insn, 31, 29) !== 0 || esz < 2) return false
  const s = COND[((h.st[ST.NZCV]! >>> 28) << 4) | cond] === 1 ? rn : rm
  setScalar(h, rd, esz, getW(h, s, 0), getW(h, s, 1))
  return true
}

/**
 * VFPExpandImm (J1 shared/functions/float): imm8 = a:b:cdefgh to sign a, exponent NOT(b):b…b:cd,
 * fraction efgh followed by zeros. Returns the bits as (lo, hi) into `out`.
 */
export function vfpExpandImm(imm8: number, esz: number, out: Int32Array): void {
  const a = imm8 >>> 7, b = (imm8 >>> 6) & 1, cd = (imm8 >>> 4) & 3, efgh = imm8 & 15
  if (esz === 3) { // exponent 11 bits: NOT(b), b x8, cd
    out[1] = (a << 31) | ((b ^ 1) << 30) | ((b ? 0xff : 0) << 22) | (cd << 20) | (efgh << 16)
    out[0] = 0
  } else if (esz === 2) { // 8 bits: NOT(b), b x5, cd
    out[0] = (a << 31) | ((b ^ 1) << 30) | ((b ? 0x1f : 0) << 25) | (cd << 23) | (efgh << 19)
    out[1] = 0
  } else { // half: 5 bits: NOT(b), b x2, cd
    out[0] = (a << 15) | ((b ^ 1) << 14) | ((b ? 3 : 0) << 12) | (cd << 10) | (efgh << 6)
    out[1] = 0
  }
}

/** FMOV (scalar, immediate) */
export function fpImm(h: A64Cpu, insn: number): boolean {
  const esz = PTYPE[bits(insn, 23, 22)]!
  if (bits(insn, 31, 29) !== 0 || esz < 2 || bits(insn, 9, 5) !== 0) return false
  vfpExpandImm(bits(insn, 20, 13), esz, g)
  setD(h, insn & 31, g[0]!, g[1]!)
  return true
}
