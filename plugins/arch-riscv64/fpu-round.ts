/**
 * The one rounding routine every F/D operation ends in (RISC-V unprivileged 20191213 §11.2:
 * fcsr, rounding modes, fflags), on the IEEE 754 formats of core/cpu/ieee754.ts. RISC-V's are
 * the flag bits, the rounding-mode numbers and tininess detected after rounding (§11.4); an exact
 * value is rounded only here, in `roundPack`.
 */
import { bitLength, type Fmt } from '../../core/cpu/ieee754.ts'

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
