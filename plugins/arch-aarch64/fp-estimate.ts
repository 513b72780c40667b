/**
 * The estimate instructions (Arm ARM J1: FPRecipEstimate, FPRSqrtEstimate, FPRecpX and the
 * integer RecipEstimate / RecipSqrtEstimate behind them, also used by URECPE and URSQRTE): 8-bit
 * estimates computed by the pseudocode's integer arithmetic, without the FEAT_RPRES precision.
 */
import { bitLength } from '../../core/cpu/ieee754.ts'
import { type Fmt, type FpEnv, DZC, F16, F32, IOC, IXC, OFC, UFC, RM, RN, RP, inf, isNaN_, processNaN, unpackA, zero, INF, ZERO } from './fp-round.ts'

/** RecipEstimate: a in [256, 512) (a fixed-point 0.5 ≤ x < 1) to r in [256, 512) (1 ≤ 1/x < 2) */
export function recipEstimate(a: number): number {
  a = a * 2 + 1
  const b = Math.floor(2 ** 19 / a)
  return (b + 1) >> 1
}

/** RecipSqrtEstimate: a in [128, 512) (0.25 ≤ x < 1) to r in [256, 512) */
export function recipSqrtEstimate(a: number): number {
  if (a < 256) a = a * 2 + 1
  else { a = (a >> 1) << 1; a = (a + 1) * 2 }
  let b = 512
  while (a * (b + 1) * (b + 1) < 2 ** 28) b++
  return (b + 1) >> 1
}

/** the operand's biased exponent and its fraction left-aligned to 52 bits */
function parts(f: Fmt, bits: bigint): [number, bigint] {
  const e = Number((bits >> f.fracBits) & BigInt(f.expMax))
  return [e, (bits & f.fracMask) << (52n - f.fracBits)]
}

/** the result from a sign, a biased exponent and an 8-bit estimate fraction (top fraction bits) */
const pack = (f: Fmt, sign: number, e: number, frac52: bigint): bigint =>
  (sign ? f.signBit : 0n) | (BigInt(e) << f.fracBits) | (frac52 >> (52n - f.fracBits))

const TOP = 1n << 51n

export function fpRecipEstimate(f: Fmt, bits: bigint, env: FpEnv): bigint {
  const u = unpackA(f, bits, env, env.fz && f !== F16)
  if (isNaN_(u.cls)) return processNaN(f, u.cls, bits, env)
  if (u.cls === INF) return zero(f, u.sign)
  if (u.cls === ZERO) { env.flags |= DZC; return inf(f, u.sign) }
  // |value| < 2^(-bias-1) (2^-16, 2^-128, 2^-1024): the reciprocal overflows
  const mag = u.exp + bitLength(u.sig) - 1
  if (mag < -f.bias - 1) {
    const rm = env.rmode
    const toInf = rm === RN || (rm === RP && u.sign === 0) || (rm === RM && u.sign === 1)
    env.flags |= OFC | IXC
    return toInf ? inf(f, u.sign) : (u.sign ? f.signBit : 0n) | f.maxFinite
  }
  if (env.fz && f !== F16 && mag >= f.bias - 1) { env.flags |= UFC; return zero(f, u.sign) }
  let [exp, frac] = parts(f, bits)
  if (exp === 0) {
    if ((frac & TOP) === 0n) { exp = -1; frac = (frac << 2n) & ((1n << 52n) - 1n) }
    else frac = (frac << 1n) & ((1n << 52n) - 1n)
  }
  const scaled = 256 | Number(frac >> 44n)
  let re = (f === F16 ? 29 : f === F32 ? 253 : 2045) - exp
  const est = recipEstimate(scaled)
  let rf = BigInt(est & 0xff) << 44n
  if (re === 0) rf = (1n << 51n) | (rf >> 1n)
  else if (re === -1) { rf = (1n << 50n) | (rf >> 2n); re = 0 }
  return pack(f, u.sign, re, rf)
}

export function fpRSqrtEstimate(f: Fmt, bits: bigint, env: FpEnv): bigint {
  const u = unpackA(f, bits, env, env.fz && f !== F16)
  if (isNaN_(u.cls)) return processNaN(f, u.cls, bits, env)
  if (u.cls === ZERO) { env.flags |= DZC; return inf(f, u.sign) }
  if (u.sign === 1) { env.flags |= IOC; return f.qnan }
  if (u.cls === INF) return 0n
  let [exp, frac] = parts(f, bits)
  if (exp === 0) {
    while ((frac & TOP) === 0n) { frac <<= 1n; exp-- }
    frac = (frac << 1n) & ((1n << 52n) - 1n)
  }
  const scaled = (exp & 1) === 0 ? 256 | Number(frac >> 44n) : 128 | Number(frac >> 45n)
  const k = f === F16 ? 44 : f === F32 ? 380 : 3068
  const re = Math.floor((k - exp) / 2)
  const est = recipSqrtEstimate(scaled)
  return pack(f, 0, re, BigInt(est & 0xff) << 44n)
}

/** FRECPX: the exponent inverted, fraction cleared (zero and denormals: the largest finite exponent) */
export function fpRecpX(f: Fmt, bits: bigint, env: FpEnv): bigint {
  const u = unpackA(f, bits, env, env.fz && f !== F16)
  if (isNaN_(u.cls)) return processNaN(f, u.cls, bits, env)
  const e = Number((bits >> f.fracBits) & BigInt(f.expMax))
  const s = u.sign ? f.signBit : 0n
  if (e === 0) return s | (BigInt(f.expMax - 1) << f.fracBits)
  return s | (BigInt(~e & f.expMax) << f.fracBits)
}

/** URECPE on a 32-bit lane */
export function uRecipEstimate(v: number): number {
  if ((v & 0x80000000) === 0) return -1
  return recipEstimate((v >>> 23) & 0x1ff) << 23
}

/** URSQRTE on a 32-bit lane */
export function uRSqrtEstimate(v: number): number {
  if ((v >>> 30) === 0) return -1
  return recipSqrtEstimate((v >>> 23) & 0x1ff) << 23
}
