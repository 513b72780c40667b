/**
 * Conversions (Arm ARM J1 shared/functions/float): FPConvert between half, single and double
 * (with FPCR.AHP and FPConvertNaN's payload rules), FPToFixed (FCVT[NPMZA][SU], also with
 * fraction bits), FixedToFP (SCVTF/UCVTF) and FPRoundInt (FRINT*). Finite single and double
 * values are exact JS doubles, so FPToFixed and FPRoundInt work on doubles; only the roundings
 * of FPConvert and FixedToFP go through fp-round.ts's exact FPRound.
 */
import { numD, numS, bitsD, bitsS } from './fp-fast.ts'
import {
  F16, F32, F64, FMT, type Fmt, type FpEnv, fpRound, fromBig, IDC, inf, INF, IOC, IXC, isNaN_, processNaN,
  RA, RM, RN, RP, RZ, toBig, unpackA, zero, ZERO,
} from './fp-round.ts'

/**
 * A single or double lane (bits lo, hi) as its exact value, with FZ flushing a denormal to a
 * zero of its sign (raising IDC). NaN for NaNs; the caller tests for those first.
 */
export function valueOf(esz: number, lo: number, hi: number, env: FpEnv): number {
  if (esz === 2) {
    if (env.fz && (lo & 0x7f800000) === 0 && (lo & 0x7fffff) !== 0) { env.flags |= IDC; return lo < 0 ? -0 : 0 }
    return numS(lo)
  }
  if (env.fz && (hi & 0x7ff00000) === 0 && ((hi & 0xfffff) | lo) !== 0) { env.flags |= IDC; return hi < 0 ? -0 : 0 }
  return numD(lo, hi)
}

/** NaN test on lane bits (esz 1..3) */
export function isNaNBits(esz: number, lo: number, hi: number): boolean {
  if (esz === 3) return (hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0xfffff) | lo) !== 0
  if (esz === 2) return (lo & 0x7f800000) === 0x7f800000 && (lo & 0x7fffff) !== 0
  return (lo & 0x7c00) === 0x7c00 && (lo & 0x3ff) !== 0
}

/** a NaN lane through FPProcessNaN, result into env */
export function nanLane(esz: number, lo: number, hi: number, env: FpEnv): void {
  const f = FMT[esz]!, b = toBig(esz, lo, hi)
  fromBig(env, processNaN(f, unpackA(f, b, env, false).cls, b, env))
}

/** an exact double (a value of the lane's format) back to lane bits in env */
function putExact(esz: number, v: number, env: FpEnv): void {
  if (esz === 3) bitsD(env, v)
  else { env.lo = bitsS(v); env.hi = 0 }
}

/**
 * FPConvert from format esz `from` to `to` (1 half, 2 single, 3 double) under rounding `rm`
 * (FPUnpackCV / FPRoundCV: FZ applies to single and double, never to half; AHP to half).
 */
export function fpConvert(from: number, to: number, lo: number, hi: number, rm: number, env: FpEnv): void {
  const ff = FMT[from]!, tf = FMT[to]!
  const bits = toBig(from, lo, hi)
  const ahpIn = from === 1 && env.ahp, altHp = to === 1 && env.ahp
  const u = unpackA(ff, bits, env, env.fz && from !== 1, ahpIn)
  let r: bigint
  if (isNaN_(u.cls)) {
    if (altHp) r = zero(tf, u.sign)
    else if (env.dn) r = tf.qnan
    else r = convertNaN(ff, tf, bits)
    if (u.cls === 4 /* SNAN */ || altHp) env.flags |= IOC
  } else if (u.cls === INF) {
    if (altHp) { r = u.sign ? 0xffffn : 0x7fffn; env.flags |= IOC } else r = inf(tf, u.sign)
  } else if (u.cls === ZERO) r = zero(tf, u.sign)
  else r = fpRound(tf, u.sign, u.sig, u.exp, rm, env, env.fz && to !== 1, altHp)
  fromBig(env, r)
}

/** FPConvertNaN: the sign, a set quiet bit and the payload's top bits */
function convertNaN(ff: Fmt, tf: Fmt, bits: bigint): bigint {
  const sign = (bits & ff.signBit) !== 0n ? tf.signBit : 0n
  // payload below the quiet bit, left-aligned to 51 bits
  const payload = (bits & ((1n << (ff.fracBits - 1n)) - 1n)) << (51n - (ff.fracBits - 1n))
  return sign | tf.inf | (1n << (tf.fracBits - 1n)) | (payload >> (51n - (tf.fracBits - 1n)))
}

const TWO32 = 4294967296

/** whether FPToFixed/FPRoundInt's RoundDown(value) + its error round up under `rm` */
function roundUp(rm: number, t: number, err: number): boolean {
  switch (rm) {
    case RN: return err > 0.5 || (err === 0.5 && t % 2 !== 0)
    case RP: return err !== 0
    case RM: return false
    case RZ: return err !== 0 && t < 0
    default: return err > 0.5 || (err === 0.5 && t >= 0) // RA
  }
}

/**
 * FPToFixed: lane (esz 2 or 3) to a `width`-bit integer with `fbits` fraction bits, saturating
 * (IOC, no IXC) when out of range; a NaN gives 0 with IOC. Result into env.lo/env.hi (a 32-bit
 * result zero-extended).
 */
export function fpToFixed(esz: number, lo: number, hi: number, fbits: number, unsigned: boolean, width: number, rm: number, env: FpEnv): void {
  let v: number
  if (isNaNBits(esz, lo, hi)) { env.flags |= IOC; v = 0 } else v = valueOf(esz, lo, hi, env) * 2 ** fbits
  // RoundDown and the error: exact on doubles (|v| >= 2^52 is an integer already)
  let t = Math.floor(v)
  const err = v - t
  if (Number.isFinite(v) && roundUp(rm, t, err)) t += 1
  // in range: min <= t < lim, both powers of two and exact (2^63 - 1 is no double)
  const lim = unsigned ? 2 ** width : 2 ** (width - 1)
  const min = unsigned ? 0 : -lim
  if (!(t < lim && t >= min)) {
    env.flags |= IOC
    const up = t >= lim
    if (width === 32) { env.lo = up ? (unsigned ? -1 : 0x7fffffff) : (unsigned ? 0 : -0x80000000); env.hi = 0 }
    else { env.lo = up ? -1 : 0; env.hi = up ? (unsigned ? -1 : 0x7fffffff) : (unsigned ? 0 : -0x80000000) }
    return
  }
  if (err !== 0) env.flags |= IXC
  if (width === 32) { env.lo = t | 0; env.hi = 0; return }
  const h = Math.floor(t / TWO32)
  env.lo = (t - h * TWO32) | 0
  env.hi = h | 0
}

/**
 * FixedToFP: the `width`-bit integer (lo, hi), signed or not, over 2^fbits, to format `to`
 * (2 or 3) rounded by `rm`; zero is +0.
 */
export function fixedToFp(to: number, lo: number, hi: number, width: number, signed: boolean, fbits: number, rm: number, env: FpEnv): void {
  // built without BigInt.asUintN(64, …), whose Word64 representation in a phi crashes V8 11's
  // TurboFan (RepresentationChangerError) in Node 20
  const v = width === 32 ? BigInt(signed ? lo | 0 : lo >>> 0) : (BigInt(signed ? hi | 0 : hi >>> 0) << 32n) | BigInt(lo >>> 0)
  if (v === 0n) { env.lo = 0; env.hi = 0; return }
  // exact in a double: a single rounding by Math.fround in RN, none at all for double
  if (v >= -9007199254740992n && v <= 9007199254740992n && (to === 3 || rm === RN)) {
    const x = Number(v) / 2 ** fbits
    if (to === 2) {
      const r = Math.fround(x)
      if (r !== x) env.flags |= IXC
      env.lo = bitsS(r); env.hi = 0
    } else bitsD(env, x)
    return
  }
  const f = to === 2 ? F32 : F64
  fromBig(env, fpRound(f, v < 0n ? 1 : 0, v < 0n ? -v : v, -fbits, rm, env, env.fz, false))
}

/** FPRoundInt: lane (esz 2 or 3) to an integral value in its format; `exact` (FRINTX) raises IXC */
export function fpRoundInt(esz: number, lo: number, hi: number, rm: number, exact: boolean, env: FpEnv): void {
  if (isNaNBits(esz, lo, hi)) { nanLane(esz, lo, hi, env); return }
  const v = valueOf(esz, lo, hi, env)
  if (v === 0 || !Number.isFinite(v)) { putExact(esz, v, env); return }
  let t = Math.floor(v)
  const err = v - t
  if (roundUp(rm, t, err)) t += 1
  // a zero result keeps the operand's sign
  putExact(esz, t === 0 ? (v < 0 ? -0 : 0) : t, env)
  if (err !== 0 && exact) env.flags |= IXC
}

