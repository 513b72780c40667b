/**
 * One floating-point operation on one lane, whatever instruction it came from (scalar, vector,
 * by element, pairwise, across lanes): operands and result are lane bits (lo, hi words; single
 * in lo), the result lands in env.lo/env.hi and flags in env.flags. The round-to-nearest fast
 * paths (fp-fast.ts) answer first where they can; the rest is the exact pseudocode.
 */
import { fpAdd, fpDiv, fpMul, fpMulAdd, fpSqrt, fpStep } from './fp-arith.ts'
import { fpCompareCond, fpMinMax } from './fp-cmp.ts'
import { fpRoundInt } from './fp-convert.ts'
import { fpRecipEstimate, fpRecpX, fpRSqrtEstimate } from './fp-estimate.ts'
import { bitsD, bitsS, F_ADD, F_DIV, F_MUL, F_SQRT, F_SUB, fastD, fastS, fmaD, fmaS, LE, numD, numS } from './fp-fast.ts'
import { FMT, type FpEnv, fromBig, RN, toBig } from './fp-round.ts'

/** binary operations */
export const B_ADD = 0, B_SUB = 1, B_MUL = 2, B_DIV = 3, B_MAX = 4, B_MIN = 5, B_MAXNM = 6, B_MINNM = 7,
  B_MULX = 8, B_ABD = 9, B_RECPS = 10, B_RSQRTS = 11, B_CMEQ = 12, B_CMGE = 13, B_CMGT = 14, B_ACGE = 15,
  B_ACGT = 16, B_NMUL = 17

const FAST = [F_ADD, F_SUB, F_MUL, F_DIV]

/** a op b on lanes of 2^esz bytes (2 or 3) */
export function fpBin(op: number, esz: number, aLo: number, aHi: number, bLo: number, bHi: number, env: FpEnv): void {
  if (op <= B_DIV && LE && env.rmode === RN) {
    if (esz === 3) {
      const r = fastD(FAST[op]!, numD(aLo, aHi), numD(bLo, bHi), env)
      if (r === r) { bitsD(env, r); return }
    } else {
      const r = fastS(FAST[op]!, numS(aLo), numS(bLo), env)
      if (r === r) { env.lo = bitsS(r); env.hi = 0; return }
    }
  }
  const f = FMT[esz]!
  switch (op) {
    case B_MAX: case B_MIN: case B_MAXNM: case B_MINNM:
      fpMinMax(esz, aLo, aHi, bLo, bHi, op === B_MAX || op === B_MAXNM, op >= B_MAXNM, env)
      return
    case B_CMEQ: case B_CMGE: case B_CMGT: case B_ACGE: case B_ACGT: {
      const cond = op === B_CMEQ ? 0 : op === B_CMGE || op === B_ACGE ? 1 : 2
      const t = fpCompareCond(esz, aLo, aHi, bLo, bHi, cond, op >= B_ACGE, env)
      env.lo = t ? -1 : 0
      env.hi = t && esz === 3 ? -1 : 0
      return
    }
  }
  const a = toBig(esz, aLo, aHi), b = toBig(esz, bLo, bHi)
  let r: bigint
  switch (op) {
    case B_ADD: r = fpAdd(f, a, b, false, env); break
    case B_SUB: r = fpAdd(f, a, b, true, env); break
    case B_MUL: r = fpMul(f, a, b, false, env); break
    case B_DIV: r = fpDiv(f, a, b, env); break
    case B_MULX: r = fpMul(f, a, b, true, env); break
    // FABD: FPAbs(FPSub(a, b)), a NaN's sign cleared too; FNMUL: FPNeg(FPMul(a, b))
    case B_ABD: r = fpAdd(f, a, b, true, env) & ~f.signBit; break
    case B_NMUL: r = fpMul(f, a, b, false, env) ^ f.signBit; break
    case B_RECPS: r = fpStep(f, a, b, false, env); break
    default: r = fpStep(f, a, b, true, env) // B_RSQRTS
  }
  fromBig(env, r)
}

/**
 * FPMulAdd(c, a, b) = c + a·b with one rounding; `negA` and `negC` flip the sign bits first
 * (FPNeg, NaNs included), which is how FMSUB, FNMADD, FNMSUB and FMLS are defined.
 */
export function fpFma(esz: number, cLo: number, cHi: number, aLo: number, aHi: number, bLo: number, bHi: number, negA: boolean, negC: boolean, env: FpEnv): void {
  if (esz === 3) { if (negA) aHi ^= 0x80000000; if (negC) cHi ^= 0x80000000 }
  else { if (negA) aLo ^= 0x80000000; if (negC) cLo ^= 0x80000000 }
  if (LE && env.rmode === RN) {
    if (esz === 3) {
      const r = fmaD(numD(aLo, aHi), numD(bLo, bHi), numD(cLo, cHi), env)
      if (r === r) { bitsD(env, r); return }
    } else {
      const r = fmaS(numS(aLo), numS(bLo), numS(cLo), env)
      if (r === r) { env.lo = bitsS(r); env.hi = 0; return }
    }
  }
  const f = FMT[esz]!
  fromBig(env, fpMulAdd(f, toBig(esz, cLo, cHi), toBig(esz, aLo, aHi), toBig(esz, bLo, bHi), env))
}

/** unary operations */
export const U_SQRT = 0, U_ABS = 1, U_NEG = 2, U_RECPE = 3, U_RSQRTE = 4, U_RECPX = 5,
  /** FRINT with rounding (U_RINT + rm), exact (FRINTX) variants at U_RINTX + rm */
  U_RINT = 8, U_RINTX = 16

export function fpUn(op: number, esz: number, lo: number, hi: number, env: FpEnv): void {
  switch (op) {
    case U_ABS: env.lo = esz === 3 ? lo : lo & 0x7fffffff; env.hi = esz === 3 ? hi & 0x7fffffff : 0; return
    case U_NEG: env.lo = esz === 3 ? lo : lo ^ 0x80000000; env.hi = esz === 3 ? hi ^ 0x80000000 : 0; return
    case U_SQRT: {
      if (LE && env.rmode === RN) {
        const r = esz === 3 ? fastD(F_SQRT, numD(lo, hi), 0, env) : fastS(F_SQRT, numS(lo), 0, env)
        if (r === r) { if (esz === 3) bitsD(env, r); else { env.lo = bitsS(r); env.hi = 0 } return }
      }
      fromBig(env, fpSqrt(FMT[esz]!, toBig(esz, lo, hi), env))
      return
    }
    case U_RECPE: fromBig(env, fpRecipEstimate(FMT[esz]!, toBig(esz, lo, hi), env)); return
    case U_RSQRTE: fromBig(env, fpRSqrtEstimate(FMT[esz]!, toBig(esz, lo, hi), env)); return
    case U_RECPX: fromBig(env, fpRecpX(FMT[esz]!, toBig(esz, lo, hi), env)); return
  }
  if (op >= U_RINTX) fpRoundInt(esz, lo, hi, op - U_RINTX, true, env)
  else fpRoundInt(esz, lo, hi, op - U_RINT, false, env)
}
