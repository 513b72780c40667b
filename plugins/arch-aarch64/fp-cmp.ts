/**
 * Comparisons and selections (Arm ARM J1: FPCompare, FPCompareEQ/GE/GT, FPMax, FPMin, FPMaxNum,
 * FPMinNum). Their results are one of the operands, a signed zero or an infinity, so after NaN
 * handling they compare exact JS doubles; FPUnpack's flush-to-zero (with IDC) still applies.
 */
import { isNaNBits, valueOf } from './fp-convert.ts'
import { bitsD, bitsS } from './fp-fast.ts'
import { FMT, type FpEnv, fromBig, IOC, processNaNs, toBig, unpackA } from './fp-round.ts'

/** a NaN's quiet bit (lane bits, esz 2 or 3) */
function isSNaNBits(esz: number, lo: number, hi: number): boolean {
  return isNaNBits(esz, lo, hi) && (esz === 3 ? (hi & 0x80000) === 0 : (lo & 0x400000) === 0)
}

/** FPCompare (FCMP, FCMPE with `signal`): the NZCV nibble, 0b0011 when unordered */
export function fpCompare(esz: number, aLo: number, aHi: number, bLo: number, bHi: number, signal: boolean, env: FpEnv): number {
  const a = valueOf(esz, aLo, aHi, env), b = valueOf(esz, bLo, bHi, env)
  if (isNaNBits(esz, aLo, aHi) || isNaNBits(esz, bLo, bHi)) {
    if (signal || isSNaNBits(esz, aLo, aHi) || isSNaNBits(esz, bLo, bHi)) env.flags |= IOC
    return 0b0011
  }
  return a === b ? 0b0110 : a < b ? 0b1000 : 0b0010
}

/** vector compares: 0 EQ, 1 GE, 2 GT; `abs` compares magnitudes (FACGE, FACGT). True when the condition holds. */
export function fpCompareCond(esz: number, aLo: number, aHi: number, bLo: number, bHi: number, cond: number, abs: boolean, env: FpEnv): boolean {
  let a = valueOf(esz, aLo, aHi, env), b = valueOf(esz, bLo, bHi, env)
  if (isNaNBits(esz, aLo, aHi) || isNaNBits(esz, bLo, bHi)) {
    // FPCompareEQ signals only on signalling NaNs; GE and GT on every NaN
    if (cond !== 0 || isSNaNBits(esz, aLo, aHi) || isSNaNBits(esz, bLo, bHi)) env.flags |= IOC
    return false
  }
  if (abs) { a = Math.abs(a); b = Math.abs(b) }
  return cond === 0 ? a === b : cond === 1 ? a >= b : a > b
}

/**
 * FPMax/FPMin, and FPMaxNum/FPMinNum (`num`: a single quiet NaN loses to a number). Result into
 * env.lo/env.hi.
 */
export function fpMinMax(esz: number, aLo: number, aHi: number, bLo: number, bHi: number, max: boolean, num: boolean, env: FpEnv): void {
  let a = valueOf(esz, aLo, aHi, env), b = valueOf(esz, bLo, bHi, env)
  let aNaN = isNaNBits(esz, aLo, aHi), bNaN = isNaNBits(esz, bLo, bHi)
  if (num) {
    // FPMaxNum/FPMinNum: a quiet NaN against a number is -∞ (max) or +∞ (min)
    if (aNaN && !isSNaNBits(esz, aLo, aHi) && !bNaN) { a = max ? -Infinity : Infinity; aNaN = false }
    else if (bNaN && !isSNaNBits(esz, bLo, bHi) && !aNaN) { b = max ? -Infinity : Infinity; bNaN = false }
  }
  if (aNaN || bNaN) {
    const f = FMT[esz]!, x = toBig(esz, aLo, aHi), y = toBig(esz, bLo, bHi)
    fromBig(env, processNaNs(f, unpackA(f, x, env, false), x, unpackA(f, y, env, false), y, env))
    return
  }
  let r: number
  if (a === 0 && b === 0) {
    // FPZero of the most positive (max) or most negative (min) sign
    const na = Object.is(a, -0), nb = Object.is(b, -0)
    r = (max ? na && nb : na || nb) ? -0 : 0
  } else r = max ? (a > b ? a : b) : (a < b ? a : b)
  if (esz === 3) bitsD(env, r)
  else { env.lo = bitsS(r); env.hi = 0 }
}

