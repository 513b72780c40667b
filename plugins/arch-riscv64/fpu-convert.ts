/**
 * F/D conversions (unpriv 20191213 §11.7, §12.5): between formats, float → integer with the
 * saturating results of Table 11.4, integer → float correctly rounded.
 */
import { type Fmt, INF, QNAN, SNAN, ZERO, bitLength, packInf, packZero, unpack } from '../../core/cpu/ieee754.ts'
import { type Flags, NV, NX, roundPack, roundsUp } from './fpu-round.ts'

/** FCVT.S.D / FCVT.D.S */
export function cvtFF(from: Fmt, to: Fmt, bits: bigint, rm: number, fl: Flags): bigint {
  const u = unpack(from, bits)
  switch (u.cls) {
    case SNAN:
      fl.fflags |= NV
      return to.qnan
    case QNAN: return to.qnan
    case INF: return packInf(to, u.sign)
    case ZERO: return packZero(to, u.sign)
    default: return roundPack(to, u.sign, u.sig, u.exp, rm, fl)
  }
}

/**
 * FCVT.{W,WU,L,LU}.{S,D}: returns the 64-bit register value (as an unsigned bigint); 32-bit
 * results are sign-extended (§11.7 for RV64). Out-of-range and NaN inputs saturate and raise
 * NV only; in-range inexact results raise NX.
 */
export function cvtFI(f: Fmt, bits: bigint, width: 32 | 64, signed: boolean, rm: number, fl: Flags): bigint {
  const u = unpack(f, bits)
  const w = BigInt(width)
  const max = signed ? (1n << (w - 1n)) - 1n : (1n << w) - 1n
  const min = signed ? -(1n << (w - 1n)) : 0n
  let v: bigint
  if (u.cls >= QNAN) {
    fl.fflags |= NV
    v = max
  } else if (u.cls === INF) {
    fl.fflags |= NV
    v = u.sign ? min : max
  } else if (u.cls === ZERO) {
    v = 0n
  } else {
    let mag: bigint
    let inexact = false
    if (u.exp >= 0) {
      // anything with more than 65 integer bits is out of range whatever its low bits are
      mag = u.exp + bitLength(u.sig) > 66 ? 1n << 66n : u.sig << BigInt(u.exp)
    } else {
      const sh = BigInt(-u.exp)
      mag = u.sig >> sh
      const rem = u.sig & ((1n << sh) - 1n)
      if (rem !== 0n) {
        inexact = true
        if (roundsUp(rm, u.sign, mag, rem, 1n << (sh - 1n))) mag += 1n
      }
    }
    const x = u.sign ? -mag : mag
    if (x > max || x < min) {
      fl.fflags |= NV
      v = u.sign ? min : max
    } else {
      if (inexact) fl.fflags |= NX
      v = x
    }
  }
  if (width === 32) v = BigInt.asIntN(32, v)
  return BigInt.asUintN(64, v)
}

/** FCVT.{S,D}.{W,WU,L,LU}: `x` is the raw 64-bit register value */
export function cvtIF(f: Fmt, x: bigint, width: 32 | 64, signed: boolean, rm: number, fl: Flags): bigint {
  const v = signed ? BigInt.asIntN(width, x) : BigInt.asUintN(width, x)
  return v < 0n ? roundPack(f, 1, -v, 0, rm, fl) : roundPack(f, 0, v, 0, rm, fl)
}
