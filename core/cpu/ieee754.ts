/**
 * IEEE 754 binary32/binary64 formats, and unpacking and packing their bit patterns: the part of
 * soft floating point every arch shares. Values are raw bit patterns held in a bigint; finite
 * values unpack to sign · sig · 2^exp with a bigint significand, so arithmetic on them is exact.
 * Rounding, with its flag bits, rounding-mode numbers and tininess rule, is each arch's
 * (IEEE 754-2008 leaves tininess detection to the implementation).
 */

export interface Fmt {
  /** precision in bits, hidden bit included */
  readonly p: number
  readonly bias: number
  readonly emin: number
  readonly emax: number
  /** biased exponent of inf/NaN */
  readonly expMax: number
  readonly signBit: bigint
  readonly fracMask: bigint
  readonly hidden: bigint
  /** fraction width (p - 1) as a shift count */
  readonly fracBits: bigint
  /** the default quiet NaN: sign 0, exponent all ones, top fraction bit only (RISC-V's canonical NaN, unpriv §11.3; Arm's default NaN) */
  readonly qnan: bigint
  readonly inf: bigint
  readonly maxFinite: bigint
}

function fmt(p: number, expBits: number): Fmt {
  const expMax = (1 << expBits) - 1
  const fracBits = BigInt(p - 1)
  const bias = (expMax >> 1)
  return {
    p,
    bias,
    emin: 1 - bias,
    emax: bias,
    expMax,
    signBit: 1n << BigInt(p - 1 + expBits),
    fracMask: (1n << fracBits) - 1n,
    hidden: 1n << fracBits,
    fracBits,
    qnan: (BigInt(expMax) << fracBits) | (1n << (fracBits - 1n)),
    inf: BigInt(expMax) << fracBits,
    maxFinite: (BigInt(expMax - 1) << fracBits) | ((1n << fracBits) - 1n),
  }
}

export const F32: Fmt = fmt(24, 8)
export const F64: Fmt = fmt(53, 11)

/** operand classes after unpacking */
export const ZERO = 0
export const FINITE = 1
export const INF = 2
export const QNAN = 3
export const SNAN = 4

/** value = (-1)^sign · sig · 2^exp for ZERO/FINITE; sig = 0n for ZERO, INF and NaN */
export interface Unpacked {
  cls: number
  sign: number
  sig: bigint
  exp: number
}

export function unpack(f: Fmt, bits: bigint): Unpacked {
  const sign = (bits & f.signBit) !== 0n ? 1 : 0
  const be = Number((bits & ~f.signBit) >> f.fracBits)
  const frac = bits & f.fracMask
  if (be === f.expMax) {
    const cls = frac === 0n ? INF : (frac >> (f.fracBits - 1n)) !== 0n ? QNAN : SNAN
    return { cls, sign, sig: 0n, exp: 0 }
  }
  if (be === 0) return { cls: frac === 0n ? ZERO : FINITE, sign, sig: frac, exp: f.emin - f.p + 1 }
  return { cls: FINITE, sign, sig: frac | f.hidden, exp: be - f.bias - f.p + 1 }
}

export function isNaNBits(f: Fmt, bits: bigint): boolean {
  return (bits & ~f.signBit) > f.inf
}

export function isSNaNBits(f: Fmt, bits: bigint): boolean {
  return isNaNBits(f, bits) && ((bits >> (f.fracBits - 1n)) & 1n) === 0n
}

export function packZero(f: Fmt, sign: number): bigint {
  return sign ? f.signBit : 0n
}

export function packInf(f: Fmt, sign: number): bigint {
  return sign ? f.signBit | f.inf : f.inf
}

/** number of significant bits of x > 0 */
export function bitLength(x: bigint): number {
  if (x < 0x100000000n) return 32 - Math.clz32(Number(x))
  const h = x.toString(16)
  return (h.length - 1) * 4 + 32 - Math.clz32(parseInt(h[0]!, 16))
}

/**
 * √(sig · 2^exp) of a positive finite value, exactly enough to round to precision `p`: the root's
 * significand with a sticky bit below it (the last bit: 1 when the root is inexact), and its
 * exponent — what an arch's rounding takes.
 */
export function sqrtSig(sig: bigint, exp: number, p: number): { sig: bigint; exp: number } {
  let m = sig, e = exp
  if (e & 1) { m <<= 1n; e -= 1 }
  let sh = Math.max(0, 2 * (p + 2) - bitLength(m))
  sh += sh & 1
  m <<= BigInt(sh)
  e -= sh
  const root = isqrt(m)
  return { sig: (root << 1n) | (m !== root * root ? 1n : 0n), exp: e / 2 - 1 }
}

/** ⌊√n⌋ of n ≥ 0 (Newton's iteration from above): square roots of significands, exactly */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n
  let x = 1n << BigInt((bitLength(n) >> 1) + 1)
  for (;;) {
    const y = (x + n / x) >> 1n
    if (y >= x) return x
    x = y
  }
}
