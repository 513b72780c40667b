/**
 * Exact F/D arithmetic on bit patterns (unpriv 20191213 §11.6, §12.4): every operation works
 * on the exact value and rounds once through `roundPack`, so the fused multiply-adds are
 * truly fused. NaN results are always the canonical NaN (§11.3).
 */
import { type Fmt, FINITE, INF, QNAN, SNAN, ZERO, bitLength, packInf, sqrtSig, packZero, unpack } from '../../core/cpu/ieee754.ts'
import { type Flags, NV, DZ, RDN, roundPack } from './fpu-round.ts'

function isNaNCls(cls: number): boolean {
  return cls >= QNAN
}

/** exact (-1)^sa·ma·2^ea + (-1)^sb·mb·2^eb, rounded once */
function addExact(
  f: Fmt, sa: number, ma: bigint, ea: number, sb: number, mb: bigint, eb: number, rm: number, fl: Flags,
): bigint {
  if (ma === 0n && mb === 0n) {
    // IEEE 754 §6.3: an exact zero sum of opposite signs is +0, except -0 under RDN
    return packZero(f, sa === sb ? sa : rm === RDN ? 1 : 0)
  }
  if (mb === 0n) return roundPack(f, sa, ma, ea, rm, fl)
  if (ma === 0n) return roundPack(f, sb, mb, eb, rm, fl)
  const la = ea + bitLength(ma) - 1
  const lb = eb + bitLength(mb) - 1
  // An addend far below both the other's last bit and the result's rounding point only acts as
  // a sticky bit: replace it by a one just below that point so alignment stays small.
  if (lb < la) {
    const g = Math.min(ea, la - f.p - 1)
    if (lb < g - 1) {
      mb = 1n
      eb = g - 1
    }
  } else if (la < lb) {
    const g = Math.min(eb, lb - f.p - 1)
    if (la < g - 1) {
      ma = 1n
      ea = g - 1
    }
  }
  let e = ea
  if (ea > eb) {
    ma <<= BigInt(ea - eb)
    e = eb
  } else if (eb > ea) {
    mb <<= BigInt(eb - ea)
  }
  const sum = (sa ? -ma : ma) + (sb ? -mb : mb)
  if (sum === 0n) return packZero(f, rm === RDN ? 1 : 0)
  return sum < 0n ? roundPack(f, 1, -sum, e, rm, fl) : roundPack(f, 0, sum, e, rm, fl)
}

function nanResult(f: Fmt, fl: Flags, ...cls: number[]): bigint {
  if (cls.includes(SNAN)) fl.fflags |= NV
  return f.qnan
}

function invalid(f: Fmt, fl: Flags): bigint {
  fl.fflags |= NV
  return f.qnan
}

/** FADD (and FSUB with b's sign flipped by the caller) */
export function fadd(f: Fmt, a: bigint, b: bigint, rm: number, fl: Flags): bigint {
  const ua = unpack(f, a)
  const ub = unpack(f, b)
  if (isNaNCls(ua.cls) || isNaNCls(ub.cls)) return nanResult(f, fl, ua.cls, ub.cls)
  if (ua.cls === INF) {
    if (ub.cls === INF && ua.sign !== ub.sign) return invalid(f, fl)
    return packInf(f, ua.sign)
  }
  if (ub.cls === INF) return packInf(f, ub.sign)
  return addExact(f, ua.sign, ua.sig, ua.exp, ub.sign, ub.sig, ub.exp, rm, fl)
}

export function fmul(f: Fmt, a: bigint, b: bigint, rm: number, fl: Flags): bigint {
  const ua = unpack(f, a)
  const ub = unpack(f, b)
  if (isNaNCls(ua.cls) || isNaNCls(ub.cls)) return nanResult(f, fl, ua.cls, ub.cls)
  const sign = ua.sign ^ ub.sign
  if (ua.cls === INF || ub.cls === INF) {
    if (ua.cls === ZERO || ub.cls === ZERO) return invalid(f, fl)
    return packInf(f, sign)
  }
  return roundPack(f, sign, ua.sig * ub.sig, ua.exp + ub.exp, rm, fl)
}

export function fdiv(f: Fmt, a: bigint, b: bigint, rm: number, fl: Flags): bigint {
  const ua = unpack(f, a)
  const ub = unpack(f, b)
  if (isNaNCls(ua.cls) || isNaNCls(ub.cls)) return nanResult(f, fl, ua.cls, ub.cls)
  const sign = ua.sign ^ ub.sign
  if (ua.cls === INF) return ub.cls === INF ? invalid(f, fl) : packInf(f, sign)
  if (ub.cls === INF) return packZero(f, sign)
  if (ub.cls === ZERO) {
    if (ua.cls === ZERO) return invalid(f, fl)
    fl.fflags |= DZ
    return packInf(f, sign)
  }
  if (ua.cls === ZERO) return packZero(f, sign)
  // quotient with at least p+2 bits, then one more bit that is sticky for the remainder
  const k = Math.max(0, f.p + 2 + bitLength(ub.sig) - bitLength(ua.sig))
  const num = ua.sig << BigInt(k)
  const q = num / ub.sig
  const sticky = num % ub.sig !== 0n ? 1n : 0n
  return roundPack(f, sign, (q << 1n) | sticky, ua.exp - ub.exp - k - 1, rm, fl)
}

export function fsqrt(f: Fmt, a: bigint, rm: number, fl: Flags): bigint {
  const ua = unpack(f, a)
  if (isNaNCls(ua.cls)) return nanResult(f, fl, ua.cls)
  if (ua.cls === ZERO) return a
  if (ua.sign) return invalid(f, fl)
  if (ua.cls === INF) return a
  const r = sqrtSig(ua.sig, ua.exp, f.p)
  return roundPack(f, 0, r.sig, r.exp, rm, fl)
}

/**
 * FMADD family: (-1)^negProd·(a·b) + (-1)^negC·c with a single rounding. As in the reference
 * model (Spike/SoftFloat), ∞·0 is invalid even when c is a quiet NaN.
 */
export function ffma(f: Fmt, a: bigint, b: bigint, c: bigint, negProd: number, negC: number, rm: number, fl: Flags): bigint {
  const ua = unpack(f, a)
  const ub = unpack(f, b)
  const uc = unpack(f, c)
  if (isNaNCls(ua.cls) || isNaNCls(ub.cls)) return nanResult(f, fl, ua.cls, ub.cls, uc.cls)
  const infProd = ua.cls === INF || ub.cls === INF
  if (infProd && (ua.cls === ZERO || ub.cls === ZERO)) return invalid(f, fl)
  if (isNaNCls(uc.cls)) return nanResult(f, fl, uc.cls)
  const sp = ua.sign ^ ub.sign ^ negProd
  const sc = uc.sign ^ negC
  if (infProd) {
    if (uc.cls === INF && sc !== sp) return invalid(f, fl)
    return packInf(f, sp)
  }
  if (uc.cls === INF) return packInf(f, sc)
  const mp = ua.cls === FINITE && ub.cls === FINITE ? ua.sig * ub.sig : 0n
  return addExact(f, sp, mp, ua.exp + ub.exp, sc, uc.sig, uc.exp, rm, fl)
}
