/**
 * Arm's floating-point environment on the shared IEEE formats (core/cpu/ieee754.ts): FPCR's
 * controls, FPSR's cumulative flags, the half-precision format (IEEE and Arm's alternative),
 * FPUnpack with flush-to-zero of inputs, NaN propagation, and FPRound — the Arm ARM J1
 * pseudocode (shared/functions/float: FPUnpackBase, FPProcessNaN(s)(3), FPRoundBase) on exact
 * values sign · sig · 2^exp with a bigint significand.
 *
 * Two things set Arm apart from RISC-V's fpu-round.ts: tininess is detected BEFORE rounding
 * (FPRoundBase computes `biased_exp == 0` from the unrounded value, and raises Underflow when
 * that value is also inexact), and FPCR.FZ flushes a result that is tiny before rounding to a
 * zero of its sign with UFC only (no IXC). QEMU's target/arm selects the same tininess rule.
 */
import { bitLength, F32, F64, FINITE, type Fmt, INF, QNAN, SNAN, unpack, type Unpacked, ZERO } from '../../core/cpu/ieee754.ts'

/** IEEE 754 binary16 (FPCR.AHP = 0); with AHP = 1 the top exponent is a normal one (A1.5.4) */
export const F16: Fmt = {
  p: 11, bias: 15, emin: -14, emax: 15, expMax: 31,
  signBit: 0x8000n, fracMask: 0x3ffn, hidden: 0x400n, fracBits: 10n,
  qnan: 0x7e00n, inf: 0x7c00n, maxFinite: 0x7bffn,
}

/** the format of an element of 2^esz bytes (1: half, 2: single, 3: double) */
export const FMT: readonly Fmt[] = [F16, F16, F32, F64]

/** FPCR bits (C5.2.7) */
export const FPCR_AHP = 1 << 26, FPCR_DN = 1 << 25, FPCR_FZ = 1 << 24
/** FPSR cumulative bits (C5.2.8) */
export const IOC = 1, DZC = 2, OFC = 4, UFC = 8, IXC = 16, IDC = 128, QC = 1 << 27

/** FPRounding: FPCR.RMode's four, then the two only instructions select */
export const RN = 0, RP = 1, RM = 2, RZ = 3, RA = 4, RO = 5

/**
 * One instruction's view of FPCR, the flags it raises (ORed into FPSR when it completes) and a
 * result as two words (`lo`, `hi`) for the lane routines. Made per instruction.
 */
export class FpEnv {
  flags = 0
  lo = 0
  hi = 0
  constructor(public fpcr: number) {}
  get rmode(): number { return (this.fpcr >>> 22) & 3 }
  get fz(): boolean { return (this.fpcr & FPCR_FZ) !== 0 }
  get dn(): boolean { return (this.fpcr & FPCR_DN) !== 0 }
  get ahp(): boolean { return (this.fpcr & FPCR_AHP) !== 0 }
}

/**
 * FPUnpack: the class, sign and exact value of `bits`. With `fz` (FPCR.FZ, single and double
 * only: half precision has FZ16, which Armv8.0 lacks) a denormal is a zero and raises IDC.
 * `ahp` reads a half's top exponent as normal numbers (FPUnpackBase, AHP = 1).
 */
export function unpackA(f: Fmt, bits: bigint, env: FpEnv, fz: boolean, ahp = false): Unpacked {
  if (f === F16 && ahp) {
    const sign = Number(bits >> 15n) & 1, e = Number(bits >> 10n) & 31, frac = bits & 0x3ffn
    if (e === 0) return { cls: frac === 0n ? ZERO : FINITE, sign, sig: frac, exp: -24 }
    return { cls: FINITE, sign, sig: frac | 0x400n, exp: e - 25 }
  }
  const u = unpack(f, bits)
  if (fz && f !== F16 && u.cls === FINITE && u.sig < f.hidden) {
    env.flags |= IDC
    return { cls: ZERO, sign: u.sign, sig: 0n, exp: 0 }
  }
  return u
}

export const isNaN_ = (cls: number): boolean => cls >= QNAN

/** FPProcessNaN: quiet an SNaN (raising IOC), or the default NaN under FPCR.DN */
export function processNaN(f: Fmt, cls: number, bits: bigint, env: FpEnv): bigint {
  let r = bits
  if (cls === SNAN) {
    r |= 1n << (f.fracBits - 1n)
    env.flags |= IOC
  }
  return env.dn ? f.qnan : r
}

/** FPProcessNaNs: signalling NaNs first, then quiet ones, each in operand order; -1n when neither is a NaN */
export function processNaNs(f: Fmt, ua: Unpacked, a: bigint, ub: Unpacked, b: bigint, env: FpEnv): bigint {
  if (ua.cls === SNAN) return processNaN(f, SNAN, a, env)
  if (ub.cls === SNAN) return processNaN(f, SNAN, b, env)
  if (ua.cls === QNAN) return processNaN(f, QNAN, a, env)
  if (ub.cls === QNAN) return processNaN(f, QNAN, b, env)
  return -1n
}

/** FPProcessNaNs3, the same over three operands */
export function processNaNs3(f: Fmt, ua: Unpacked, a: bigint, ub: Unpacked, b: bigint, uc: Unpacked, c: bigint, env: FpEnv): bigint {
  if (ua.cls === SNAN) return processNaN(f, SNAN, a, env)
  if (ub.cls === SNAN) return processNaN(f, SNAN, b, env)
  if (uc.cls === SNAN) return processNaN(f, SNAN, c, env)
  if (ua.cls === QNAN) return processNaN(f, QNAN, a, env)
  if (ub.cls === QNAN) return processNaN(f, QNAN, b, env)
  if (uc.cls === QNAN) return processNaN(f, QNAN, c, env)
  return -1n
}

export const zero = (f: Fmt, sign: number): bigint => (sign ? f.signBit : 0n)
export const inf = (f: Fmt, sign: number): bigint => (sign ? f.signBit | f.inf : f.inf)

/** whether a magnitude truncated to `r` with discarded part `rem` (0 < rem < 2·half) rounds away from zero */
export function roundsUp(rm: number, sign: number, r: bigint, rem: bigint, half: bigint): boolean {
  switch (rm) {
    case RN: return rem > half || (rem === half && (r & 1n) === 1n)
    case RP: return sign === 0
    case RM: return sign === 1
    case RA: return rem >= half
    default: return false // RZ, and RO (which sets the last bit instead)
  }
}

/**
 * FPRoundBase: round (-1)^sign · sig · 2^exp (exact, sig > 0) to format `f` under `rm`,
 * raising the flags the pseudocode raises. `fz` flushes tiny results (the caller passes FPCR.FZ
 * for single and double; false for half, FPRoundCV's FZ16 = 0). `ahp` selects the alternative
 * half format, which has no infinities: overflow saturates to all ones with IOC instead.
 */
export function fpRound(f: Fmt, sign: number, sig: bigint, exp: number, rm: number, env: FpEnv, fz: boolean, ahp = false): bigint {
  const s = sign ? f.signBit : 0n
  const p = f.p
  const e = exp + bitLength(sig) - 1 // the unrounded value is in [2^e, 2^(e+1))
  if (fz && e < f.emin) {
    env.flags |= UFC // flush to zero: UFC without IXC
    return s
  }
  // quantum of the result: p bits below the leading one, never below the denormal quantum
  let q = Math.max(e - p + 1, f.emin - p + 1)
  let r: bigint
  let inexact = false
  if (q <= exp) r = sig << BigInt(exp - q)
  else {
    const sh = BigInt(q - exp)
    r = sig >> sh
    const rem = sig & ((1n << sh) - 1n)
    if (rem !== 0n) {
      inexact = true
      if (roundsUp(rm, sign, r, rem, 1n << (sh - 1n))) r += 1n
    }
  }
  // tininess before rounding: biased_exp == 0 of the unrounded value, and inexact (UFE is RAZ)
  if (inexact && e < f.emin) env.flags |= UFC
  if (r >> BigInt(p) !== 0n) { r >>= 1n; q += 1 }
  if (rm === RO && inexact) r |= 1n
  const biased = q + p - 1 + f.bias
  if (!(f === F16 && ahp)) {
    if (r >= f.hidden && biased >= f.expMax) {
      env.flags |= OFC | IXC
      const toInf = rm === RN || (rm === RP && sign === 0) || (rm === RM && sign === 1)
      return s | (toInf ? f.inf : f.maxFinite)
    }
  } else if (r >= f.hidden && biased > f.expMax) {
    env.flags |= IOC
    return s | 0x7fffn
  }
  if (inexact) env.flags |= IXC
  if (r < f.hidden) return s | r
  return s | (BigInt(biased) << f.fracBits) | (r & f.fracMask)
}

/** FPRound with FPCR's controls: FZ for single and double, IEEE half */
export const round = (f: Fmt, sign: number, sig: bigint, exp: number, rm: number, env: FpEnv): bigint =>
  fpRound(f, sign, sig, exp, rm, env, env.fz && f !== F16, false)

export { F32, F64, FINITE, INF, QNAN, SNAN, ZERO, type Fmt, type Unpacked }

/** bits of a lane (lo, hi words) as a bigint */
export function toBig(esz: number, lo: number, hi: number): bigint {
  if (esz === 3) return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)
  return BigInt(esz === 1 ? lo & 0xffff : lo >>> 0)
}

/** a bigint result into env.lo/env.hi */
export function fromBig(env: FpEnv, v: bigint): void {
  env.lo = Number(BigInt.asIntN(32, v))
  env.hi = Number(BigInt.asIntN(32, v >> 32n))
}
