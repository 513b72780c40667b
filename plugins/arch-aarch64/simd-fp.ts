/**
 * AdvSIMD floating point (Arm ARM C4.1.96): three same (vector and scalar, with FMLA/FMLS and the
 * pairwise FADDP/FMAXP/…), two-register misc (FRINT*, FCVT* to integer, SCVTF/UCVTF, compares
 * with zero, FABS/FNEG/FSQRT, the estimates, FCVTN/FCVTL/FCVTXN), by element (FMLA, FMLS, FMUL,
 * FMULX), across lanes (FMAXV …) and scalar pairwise. Every lane goes through fp-lane.ts, so
 * vector and scalar forms round and raise flags identically; flags accrue once per instruction.
 */
import { fixedToFp, fpConvert, fpToFixed } from './fp-convert.ts'
import { uRecipEstimate, uRSqrtEstimate } from './fp-estimate.ts'
import {
  B_ABD, B_ACGE, B_ACGT, B_ADD, B_CMEQ, B_CMGE, B_CMGT, B_DIV, B_MAX, B_MAXNM, B_MIN, B_MINNM, B_MUL, B_MULX, B_RECPS,
  B_RSQRTS, B_SUB, fpBin, fpFma, fpUn, U_ABS, U_NEG, U_RECPE, U_RECPX, U_RINT, U_RINTX, U_RSQRTE, U_SQRT,
} from './fp-lane.ts'
import { type FpEnv, RA, RO } from './fp-round.ts'
import type { A64Cpu } from './cpu.ts'
import { accrue, clearRes, commit, envOf, getW, RES16, RES32 } from './vreg.ts'

const bits = (x: number, hi: number, lo: number): number => (x >>> lo) & ((1 << (hi - lo + 1)) - 1)

/** lane i of register n (esz 2 or 3) as words */
const lo_ = (h: A64Cpu, n: number, i: number, esz: number): number => getW(h, n, esz === 3 ? 2 * i : i)
const hi_ = (h: A64Cpu, n: number, i: number, esz: number): number => (esz === 3 ? getW(h, n, 2 * i + 1) : 0)

/** the result scratch's lane i ← env's result */
function put(i: number, esz: number, env: FpEnv): void {
  if (esz === 3) { RES32[2 * i] = env.lo; RES32[2 * i + 1] = env.hi } else RES32[i] = env.lo
}

// three same FP: (U, size<1>, opcode - 0x18) → op; FMLA -1, FMLS -2, pairwise ops +32; 99 unallocated
const PAIR = 32, FMLA = -1, FMLS = -2, X = 99
const THREE_FP = [
  B_MAXNM, FMLA, B_ADD, B_MULX, B_CMEQ, X, B_MAX, B_RECPS,
  B_MINNM, FMLS, B_SUB, X, X, X, B_MIN, B_RSQRTS,
  B_MAXNM + PAIR, X, B_ADD + PAIR, B_MUL, B_CMGE, B_ACGE, B_MAX + PAIR, B_DIV,
  B_MINNM + PAIR, X, B_ABD, X, B_CMGT, B_ACGT, B_MIN + PAIR, X,
]
/** the ops the scalar three-same FP group has */
const SCALAR_3FP = new Set([B_MULX, B_CMEQ, B_RECPS, B_RSQRTS, B_CMGE, B_ACGE, B_ABD, B_CMGT, B_ACGT])

export function threeSameFp(h: A64Cpu, insn: number, scalar: boolean): boolean {
  const qb = (insn >>> 30) & 1, u = bits(insn, 29, 29), a = bits(insn, 23, 23), sz = bits(insn, 22, 22)
  const rm = bits(insn, 20, 16), rn = bits(insn, 9, 5), rd = insn & 31
  const op = THREE_FP[(u << 4) | (a << 3) | (bits(insn, 15, 11) - 0x18)]!
  const q = !scalar && qb === 1
  if (op === X || (sz === 1 && !q && !scalar) || (scalar && !SCALAR_3FP.has(op))) return false
  const esz = 2 + sz, lanes = scalar ? 1 : (q ? 16 : 8) >> esz
  const env = envOf(h)
  clearRes()
  for (let i = 0; i < lanes; i++) {
    if (op >= PAIR) { // pairwise over Vm:Vn
      const half = lanes >> 1, src = i < half ? rn : rm, j = 2 * (i < half ? i : i - half)
      fpBin(op - PAIR, esz, lo_(h, src, j, esz), hi_(h, src, j, esz), lo_(h, src, j + 1, esz), hi_(h, src, j + 1, esz), env)
    } else if (op < 0) {
      fpFma(esz, lo_(h, rd, i, esz), hi_(h, rd, i, esz), lo_(h, rn, i, esz), hi_(h, rn, i, esz), lo_(h, rm, i, esz), hi_(h, rm, i, esz), op === FMLS, false, env)
    } else fpBin(op, esz, lo_(h, rn, i, esz), hi_(h, rn, i, esz), lo_(h, rm, i, esz), hi_(h, rm, i, esz), env)
    put(i, esz, env)
  }
  commit(h, rd, q)
  accrue(h, env)
  return true
}

/** two-register misc FP kinds */
const M_UN = 0, M_CVTI = 1, M_CVTF = 2, M_CMP0 = 3, M_UREC = 4

/**
 * AdvSIMD two-register misc and scalar two-register misc, the floating-point opcodes (also the
 * FCVTN/FCVTL/FCVTXN narrowing and widening). False when unallocated.
 */
export function twoMiscFp(h: A64Cpu, insn: number, scalar: boolean): boolean {
  const qb = (insn >>> 30) & 1, u = bits(insn, 29, 29), a = bits(insn, 23, 23), sz = bits(insn, 22, 22)
  const opcode = bits(insn, 16, 12), rn = bits(insn, 9, 5), rd = insn & 31
  const q = !scalar && qb === 1
  if (opcode === 0x16 || opcode === 0x17) return a === 0 ? narrowWiden(h, insn, scalar) : false
  let kind = -1, arg = 0
  const key = (u << 6) | (a << 5) | opcode
  switch (key) {
    case 0x18: kind = M_UN; arg = U_RINT + 0; break // FRINTN
    case 0x38: kind = M_UN; arg = U_RINT + 1; break // FRINTP
    case 0x19: kind = M_UN; arg = U_RINT + 2; break // FRINTM
    case 0x39: kind = M_UN; arg = U_RINT + 3; break // FRINTZ
    case 0x58: kind = M_UN; arg = U_RINT + RA; break // FRINTA
    case 0x59: kind = M_UN; arg = U_RINTX; break // FRINTX (+ rmode)
    case 0x79: kind = M_UN; arg = U_RINT; break // FRINTI (+ rmode)
    case 0x1a: case 0x5a: kind = M_CVTI; arg = 0; break // FCVTNS/NU
    case 0x3a: case 0x7a: kind = M_CVTI; arg = 1; break // FCVTPS/PU
    case 0x1b: case 0x5b: kind = M_CVTI; arg = 2; break // FCVTMS/MU
    case 0x3b: case 0x7b: kind = M_CVTI; arg = 3; break // FCVTZS/ZU
    case 0x1c: case 0x5c: kind = M_CVTI; arg = RA; break // FCVTAS/AU
    case 0x1d: case 0x5d: kind = M_CVTF; break // SCVTF/UCVTF
    case 0x2c: kind = M_CMP0; arg = 0; break // FCMGT #0
    case 0x2d: kind = M_CMP0; arg = 1; break // FCMEQ #0
    case 0x2e: kind = M_CMP0; arg = 2; break // FCMLT #0
    case 0x6c: kind = M_CMP0; arg = 3; break // FCMGE #0
    case 0x6d: kind = M_CMP0; arg = 4; break // FCMLE #0
    case 0x2f: kind = M_UN; arg = U_ABS; break
    case 0x6f: kind = M_UN; arg = U_NEG; break
    case 0x7f: kind = M_UN; arg = U_SQRT; break
    case 0x3d: kind = M_UN; arg = U_RECPE; break
    case 0x7d: kind = M_UN; arg = U_RSQRTE; break
    case 0x3f: kind = M_UN; arg = U_RECPX; break
    case 0x3c: kind = M_UREC; arg = 0; break // URECPE
    case 0x7c: kind = M_UREC; arg = 1; break // URSQRTE
  }
  if (kind < 0) return false
  // the scalar group has the conversions, compares with zero, estimates and FRECPX; the vector one
  // everything but FRECPX
  if (kind === M_UREC) { if (scalar || sz === 1) return false }
  else if (scalar) { if (kind === M_UN && arg !== U_RECPE && arg !== U_RSQRTE && arg !== U_RECPX) return false }
  else if (kind === M_UN && arg === U_RECPX) return false
  if (!scalar && sz === 1 && !q) return false
  const esz = 2 + sz, lanes = scalar ? 1 : (q ? 16 : 8) >> esz
  const env = envOf(h)
  if (kind === M_UN && (arg === U_RINTX || arg === U_RINT) && (key === 0x59 || key === 0x79)) arg += env.rmode
  clearRes()
  for (let i = 0; i < lanes; i++) {
    const lo = lo_(h, rn, i, esz), hi = hi_(h, rn, i, esz)
    switch (kind) {
      case M_UN: fpUn(arg, esz, lo, hi, env); break
      case M_CVTI: fpToFixed(esz, lo, hi, 0, u === 1, 8 << esz, arg, env); break
      case M_CVTF: fixedToFp(esz, lo, hi, 8 << esz, u === 0, 0, env.rmode, env); break
      case M_UREC: env.lo = arg === 0 ? uRecipEstimate(lo) : uRSqrtEstimate(lo); break
      default: { // compare with zero: GT, EQ, LT, GE, LE
        const lt = arg === 2 || arg === 4
        fpBin(arg === 1 ? B_CMEQ : arg === 0 || arg === 2 ? B_CMGT : B_CMGE, esz, lt ? 0 : lo, lt ? 0 : hi, lt ? lo : 0, lt ? hi : 0, env)
      }
    }
    put(i, esz, env)
  }
  commit(h, rd, q)
  accrue(h, env)
  return true
}

/**
 * FCVTN/FCVTN2 (narrow to the lower or upper half of Vd, the other half kept for the 2 form),
 * FCVTXN (round to odd; also scalar), FCVTL/FCVTL2 (widen the lower or upper half of Vn).
 */
function narrowWiden(h: A64Cpu, insn: number, scalar: boolean): boolean {
  const qb = (insn >>> 30) & 1, u = bits(insn, 29, 29), sz = bits(insn, 22, 22), opcode = bits(insn, 16, 12)
  const rn = bits(insn, 9, 5), rd = insn & 31
  const env = envOf(h)
  if (opcode === 0x16) { // FCVTN (U = 0) / FCVTXN (U = 1, double to single only)
    if (u === 1 && sz === 0) return false
    if (scalar && u === 0) return false
    const from = 2 + sz, to = from - 1, n = scalar ? 1 : sz ? 2 : 4
    clearRes()
    const base = scalar ? 0 : qb * n // the 2 form writes the upper half
    if (!scalar && qb === 1) { RES32[0] = getW(h, rd, 0); RES32[1] = getW(h, rd, 1) }
    for (let i = 0; i < n; i++) {
      fpConvert(from, to, lo_(h, rn, i, from), hi_(h, rn, i, from), u === 1 ? RO : env.rmode, env)
      if (to === 2) RES32[base + i] = env.lo
      else RES16[base + i] = env.lo
    }
    commit(h, rd, !scalar && qb === 1)
  } else { // FCVTL: half to single (sz 0) or single to double
    if (scalar || u === 1) return false
    const to = 2 + sz, from = to - 1, n = sz ? 2 : 4, base = qb * n
    const w = (x: number): number => getW(h, rn, x)
    clearRes()
    for (let i = 0; i < n; i++) {
      const j = base + i
      const lo = from === 1 ? (w(j >> 1) >>> (16 * (j & 1))) & 0xffff : w(j)
      fpConvert(from, to, lo, 0, env.rmode, env)
      if (to === 3) { RES32[2 * i] = env.lo; RES32[2 * i + 1] = env.hi } else RES32[i] = env.lo
    }
    commit(h, rd, true)
  }
  accrue(h, env)
  return true
}

/** AdvSIMD (scalar) by element, floating point: FMLA, FMLS, FMUL, FMULX */
export function elemFp(h: A64Cpu, insn: number, scalar: boolean): boolean {
  const qb = (insn >>> 30) & 1, u = bits(insn, 29, 29), size = bits(insn, 23, 22), opcode = bits(insn, 15, 12)
  const l = bits(insn, 21, 21), hb = bits(insn, 11, 11), rn = bits(insn, 9, 5), rd = insn & 31
  const rm = bits(insn, 20, 16) // M:Rm, 5 bits for single and double
  const q = !scalar && qb === 1
  if (size < 2 || (size === 3 && (l === 1 || (!q && !scalar)))) return false
  if (!((opcode === 1 || opcode === 5) && u === 0) && opcode !== 9) return false
  const esz = size, idx = esz === 3 ? hb : (hb << 1) | l
  const lanes = scalar ? 1 : (q ? 16 : 8) >> esz
  const env = envOf(h)
  const mLo = lo_(h, rm, idx, esz), mHi = hi_(h, rm, idx, esz)
  clearRes()
  for (let i = 0; i < lanes; i++) {
    if (opcode === 9) fpBin(u === 1 ? B_MULX : B_MUL, esz, lo_(h, rn, i, esz), hi_(h, rn, i, esz), mLo, mHi, env)
    else fpFma(esz, lo_(h, rd, i, esz), hi_(h, rd, i, esz), lo_(h, rn, i, esz), hi_(h, rn, i, esz), mLo, mHi, opcode === 5, false, env)
    put(i, esz, env)
  }
  commit(h, rd, q)
  accrue(h, env)
  return true
}

/**
 * FMAXNMV, FMINNMV, FMAXV, FMINV (4S only in Armv8.0): Reduce() halves the vector recursively,
 * so the result is op(op(e0, e1), op(e2, e3)).
 */
export function acrossFp(h: A64Cpu, insn: number): boolean {
  const qb = (insn >>> 30) & 1, u = bits(insn, 29, 29), a = bits(insn, 23, 23), sz = bits(insn, 22, 22), opcode = bits(insn, 16, 12)
  const rn = bits(insn, 9, 5), rd = insn & 31
  if (u !== 1 || sz !== 0 || qb !== 1 || (opcode !== 0x0c && opcode !== 0x0f)) return false
  const op = opcode === 0x0c ? (a ? B_MINNM : B_MAXNM) : (a ? B_MIN : B_MAX)
  const env = envOf(h)
  fpBin(op, 2, getW(h, rn, 0), 0, getW(h, rn, 1), 0, env)
  const x = env.lo
  fpBin(op, 2, getW(h, rn, 2), 0, getW(h, rn, 3), 0, env)
  fpBin(op, 2, x, 0, env.lo, 0, env)
  clearRes()
  RES32[0] = env.lo
  commit(h, rd, false)
  accrue(h, env)
  return true
}

/** AdvSIMD scalar pairwise, FP ops (FADDP, FMAXP, FMINP, FMAXNMP, FMINNMP on the two lanes of Vn) */
export function pairFp(h: A64Cpu, insn: number): boolean {
  const u = bits(insn, 29, 29), a = bits(insn, 23, 23), sz = bits(insn, 22, 22), opcode = bits(insn, 16, 12)
  const rn = bits(insn, 9, 5), rd = insn & 31
  let op: number
  if (u !== 1) return false
  if (opcode === 0x0c) op = a ? B_MINNM : B_MAXNM
  else if (opcode === 0x0d && a === 0) op = B_ADD
  else if (opcode === 0x0f) op = a ? B_MIN : B_MAX
  else return false
  const esz = 2 + sz
  const env = envOf(h)
  fpBin(op, esz, lo_(h, rn, 0, esz), hi_(h, rn, 0, esz), lo_(h, rn, 1, esz), hi_(h, rn, 1, esz), env)
  clearRes()
  put(0, esz, env)
  commit(h, rd, false)
  accrue(h, env)
  return true
}
