/**
 * Exact floating-point arithmetic as the Arm ARM J1 pseudocode defines it (FPAdd, FPSub, FPMul,
 * FPMulX, FPDiv, FPSqrt, FPMulAdd, FPRecipStepFused, FPRSqrtStepFused): operands unpacked with
 * flush-to-zero, NaNs propagated by FPProcessNaNs, the special cases in the pseudocode's order,
 * and every finite result computed exactly and rounded once by fp-round.ts. Bit patterns are
 * bigints; fp-fast.ts answers the common round-to-nearest cases on doubles first.
 */
import { bitLength, sqrtSig } from '../../core/cpu/ieee754.ts'
import {
  type Fmt, type FpEnv, type Unpacked, DZC, F16, INF, IOC, processNaN, processNaNs, processNaNs3, RM, round, unpackA, ZERO, zero, inf, isNaN_,
} from './fp-round.ts'

const ua_ = (f: Fmt, a: bigint, env: FpEnv): Unpacked => unpackA(f, a, env, env.fz && f !== F16)

function defaultNaN(f: Fmt, env: FpEnv): bigint {
  env.flags |= IOC
  return f.qnan
}

/** exact (-1)^sa·ma·2^ea + (-1)^sb·mb·2^eb rounded once; an exact zero is +0 (-0 rounding down) */
export function addExact(f: Fmt, sa: number, ma: bigint, ea: number, sb: number, mb: bigint, eb: number, env: FpEnv): bigint {
  const rm = env.rmode
  if (mb === 0n && ma === 0n) return zero(f, rm === RM ? 1 : 0)
  if (mb === 0n) return round(f, sa, ma, ea, rm, env)
  if (ma === 0n) return round(f, sb, mb, eb, rm, env)
  // an addend far below the other's rounding point only acts as a sticky bit: replace it by a
  // one just below that point, so the alignment shift stays small
  const la = ea + bitLength(ma) - 1, lb = eb + bitLength(mb) - 1
  if (lb < la) {
    const g = Math.min(ea, la - f.p - 2)
    if (lb < g - 1) { mb = 1n; eb = g - 1 }
  } else if (la < lb) {
    const g = Math.min(eb, lb - f.p - 2)
    if (la < g - 1) { ma = 1n; ea = g - 1 }
  }
  const e = Math.min(ea, eb)
  const x = ma << BigInt(ea - e), y = mb << BigInt(eb - e)
  const sum = (sa ? -x : x) + (sb ? -y : y)
  if (sum === 0n) return zero(f, rm === RM ? 1 : 0)
  return sum < 0n ? round(f, 1, -sum, e, rm, env) : round(f, 0, sum, e, rm, env)
}

/** FPAdd, or FPSub with `sub` (the second operand's sign inverted after NaN processing) */
export function fpAdd(f: Fmt, a: bigint, b: bigint, sub: boolean, env: FpEnv): bigint {
  const ua = ua_(f, a, env), ub = ua_(f, b, env)
  const n = processNaNs(f, ua, a, ub, b, env)
  if (n >= 0n) return n
  const sb = sub ? ub.sign ^ 1 : ub.sign
  if (ua.cls === INF && ub.cls === INF && ua.sign !== sb) return defaultNaN(f, env)
  if (ua.cls === INF) return inf(f, ua.sign)
  if (ub.cls === INF) return inf(f, sb)
  if (ua.cls === ZERO && ub.cls === ZERO && ua.sign === sb) return zero(f, sb)
  return addExact(f, ua.sign, ua.sig, ua.exp, sb, ub.sig, ub.exp, env)
}

/** FPMul; FPMulX (`x`) gives ±2.0 for ∞ × 0 instead of the invalid operation */
export function fpMul(f: Fmt, a: bigint, b: bigint, x: boolean, env: FpEnv): bigint {
  const ua = ua_(f, a, env), ub = ua_(f, b, env)
  const n = processNaNs(f, ua, a, ub, b, env)
  if (n >= 0n) return n
  const sign = ua.sign ^ ub.sign
  if ((ua.cls === INF && ub.cls === ZERO) || (ua.cls === ZERO && ub.cls === INF)) {
    return x ? (sign ? f.signBit : 0n) | (BigInt(f.bias + 1) << f.fracBits) : defaultNaN(f, env)
  }
  if (ua.cls === INF || ub.cls === INF) return inf(f, sign)
  if (ua.cls === ZERO || ub.cls === ZERO) return zero(f, sign)
  return round(f, sign, ua.sig * ub.sig, ua.exp + ub.exp, env.rmode, env)
}

export function fpDiv(f: Fmt, a: bigint, b: bigint, env: FpEnv): bigint {
  const ua = ua_(f, a, env), ub = ua_(f, b, env)
  const n = processNaNs(f, ua, a, ub, b, env)
  if (n >= 0n) return n
  const sign = ua.sign ^ ub.sign
  if ((ua.cls === INF && ub.cls === INF) || (ua.cls === ZERO && ub.cls === ZERO)) return defaultNaN(f, env)
  if (ua.cls === INF || ub.cls === ZERO) {
    if (ua.cls !== INF) env.flags |= DZC
    return inf(f, sign)
  }
  if (ua.cls === ZERO || ub.cls === INF) return zero(f, sign)
  // a quotient of at least p + 2 bits, then a sticky bit for the remainder
  const k = Math.max(0, f.p + 2 + bitLength(ub.sig) - bitLength(ua.sig))
  const num = ua.sig << BigInt(k)
  const q = num / ub.sig
  const sticky = num % ub.sig !== 0n ? 1n : 0n
  return round(f, sign, (q << 1n) | sticky, ua.exp - ub.exp - k - 1, env.rmode, env)
}

export function fpSqrt(f: Fmt, a: bigint, env: FpEnv): bigint {
  const ua = ua_(f, a, env)
  if (isNaN_(ua.cls)) return processNaN(f, ua.cls, a, env)
  if (ua.cls === ZERO) return zero(f, ua.sign)
  if (ua.cls === INF && ua.sign === 0) return a
  if (ua.sign === 1) return defaultNaN(f, env)
  const r = sqrtSig(ua.sig, ua.exp, f.p)
  return round(f, 0, r.sig, r.exp, env.rmode, env)
}

/**
 * FPMulAdd(addend, op1, op2): addend + op1 · op2 with one rounding. NaN priority is addend,
 * op1, op2 (signalling first); a quiet-NaN addend with ∞ × 0 is still an invalid operation and
 * gives the default NaN. The negations of FMSUB/FNMADD/FNMSUB/FMLS are applied by the caller to
 * the bit patterns first (FPNeg), NaNs included, as the instructions' pseudocode does.
 */
export function fpMulAdd(f: Fmt, c: bigint, a: bigint, b: bigint, env: FpEnv): bigint {
  const uc = ua_(f, c, env), ua = ua_(f, a, env), ub = ua_(f, b, env)
  const infZero = (ua.cls === INF && ub.cls === ZERO) || (ua.cls === ZERO && ub.cls === INF)
  const n = processNaNs3(f, uc, c, ua, a, ub, b, env)
  if (uc.cls === 3 /* QNAN */ && infZero) return defaultNaN(f, env)
  if (n >= 0n) return n
  const sp = ua.sign ^ ub.sign
  const infP = ua.cls === INF || ub.cls === INF, zeroP = ua.cls === ZERO || ub.cls === ZERO
  if (infZero || (uc.cls === INF && infP && uc.sign !== sp)) return defaultNaN(f, env)
  if (uc.cls === INF) return inf(f, uc.sign)
  if (infP) return inf(f, sp)
  if (uc.cls === ZERO && zeroP && uc.sign === sp) return zero(f, sp)
  const mp = zeroP ? 0n : ua.sig * ub.sig
  return addExact(f, sp, mp, ua.exp + ub.exp, uc.sign, uc.sig, uc.exp, env)
}

/**
 * FPRecipStepFused (FRECPS: 2 - a·b) and FPRSqrtStepFused (FRSQRTS: (3 - a·b) / 2), fused; ∞ × 0
 * gives 2.0 or 1.5. op1 is negated (FPNeg) before NaN processing, as in the pseudocode.
 */
export function fpStep(f: Fmt, a: bigint, b: bigint, rsqrt: boolean, env: FpEnv): bigint {
  const na = a ^ f.signBit
  const ua = ua_(f, na, env), ub = ua_(f, b, env)
  const n = processNaNs(f, ua, na, ub, b, env)
  if (n >= 0n) return n
  if ((ua.cls === INF && ub.cls === ZERO) || (ua.cls === ZERO && ub.cls === INF)) {
    // 2.0, or 1.5 (exponent of 1, top fraction bit)
    return rsqrt ? (BigInt(f.bias) << f.fracBits) | (1n << (f.fracBits - 1n)) : BigInt(f.bias + 1) << f.fracBits
  }
  if (ua.cls === INF || ub.cls === INF) return inf(f, ua.sign ^ ub.sign)
  const mp = ua.cls === ZERO || ub.cls === ZERO ? 0n : ua.sig * ub.sig
  // 2 + p, or (3 + p) / 2 = 1.5 + p/2
  return rsqrt
    ? addExact(f, ua.sign ^ ub.sign, mp, ua.exp + ub.exp - 1, 0, 3n, -1, env)
    : addExact(f, ua.sign ^ ub.sign, mp, ua.exp + ub.exp, 0, 1n, 1, env)
}
