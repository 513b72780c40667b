/**
 * IEEE 754 binary32/binary64 formats, unpacking and the one rounding routine every F/D
 * operation ends in (RISC-V unprivileged 20191213 §11.2: fcsr, rounding modes, fflags).
 *
 * Values in the slow path are raw bit patterns held in a bigint; finite values unpack to
 * sign · sig · 2^exp with a bigint significand, so arithmetic on them is exact and the only
 * rounding is `roundPack`.
 */

/** fflags bits (§11.2, Table 11.2) */
export const NV = 16
export const DZ = 8
export const OF = 4
export const UF = 2
export const NX = 1

/** rounding modes (§11.2, Table 11.1) */
export const RNE = 0
export const RTZ = 1
export const RDN = 2
export const RUP = 3
export const RMM = 4

/** where exception flags accrue; an FpState satisfies it */
export interface Flags {
  fflags: number
}

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
  /** §11.3: the canonical NaN every NaN-producing operation returns */
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
 * Whether a magnitude truncated to `r` with discarded bits `rem` (0 < rem < 2·half) rounds
 * away from zero under `rm`.
 */
export function roundsUp(rm: number, sign: number, r: bigint, rem: bigint, half: bigint): boolean {
  switch (rm) {
    case RNE: return rem > half || (rem === half && (r & 1n) === 1n)
    case RDN: return sign === 1
    case RUP: return sign === 0
    case RMM: return rem >= half
    default: return false
  }
}

/**
 * Round (-1)^sign · sig · 2^exp (exact) to format `f` under `rm`, accrue NX/UF/OF and return
 * the bit pattern. A zero `sig` yields a zero of the given sign. Tininess is detected after
 * rounding (§11.4: "tininess is detected after rounding").
 */
export function roundPack(f: Fmt, sign: number, sig: bigint, exp: number, rm: number, fl: Flags): bigint {
  const s = sign ? f.signBit : 0n
  if (sig === 0n) return s
  const p = f.p
  const e = exp + bitLength(sig) - 1
  // exponent of the result's unit in the last place: p bits below the leading one, but never
  // below the subnormal quantum
  let q = Math.max(e - p + 1, f.emin - p + 1)
  let r: bigint
  let inexact = false
  if (q <= exp) {
    r = sig << BigInt(exp - q)
  } else {
    const sh = BigInt(q - exp)
    r = sig >> sh
    const rem = sig & ((1n << sh) - 1n)
    if (rem !== 0n) {
      inexact = true
      if (roundsUp(rm, sign, r, rem, 1n << (sh - 1n))) r += 1n
    }
  }
  if (r >> BigInt(p) !== 0n) {
    r >>= 1n
    q += 1
  }
  if (q + p - 1 > f.emax) {
    fl.fflags |= OF | NX
    const toInf = rm === RNE || rm === RMM || (rm === RDN && sign === 1) || (rm === RUP && sign === 0)
    return s | (toInf ? f.inf : f.maxFinite)
  }
  if (inexact) {
    fl.fflags |= NX
    if (e < f.emin && tinyAfterRounding(f, sign, sig, exp, e, rm)) fl.fflags |= UF
  }
  if (r < f.hidden) return s | r
  return s | (BigInt(q + p - 1 + f.bias) << f.fracBits) | (r & f.fracMask)
}

/**
 * IEEE 754-2008 §7.5 tininess after rounding: the value rounded to p bits with an unbounded
 * exponent range is still below 2^emin. Only called for an exact value below 2^emin (e < emin).
 */
function tinyAfterRounding(f: Fmt, sign: number, sig: bigint, exp: number, e: number, rm: number): boolean {
  if (e < f.emin - 1) return true
  const sh = e - f.p + 1 - exp
  if (sh <= 0) return true
  const bsh = BigInt(sh)
  let r = sig >> bsh
  const rem = sig & ((1n << bsh) - 1n)
  if (rem !== 0n && roundsUp(rm, sign, r, rem, 1n << (bsh - 1n))) r += 1n
  return r >> BigInt(f.p) === 0n
}
