/**
 * Fast paths on native JS doubles for the common round-to-nearest-even cases. Each one proves
 * its flags exactly (error-free transformations) or returns false before touching any state, and
 * the caller then takes the exact BigInt path. Operand ranges are restricted so that no overflow,
 * underflow or subnormal can occur in the result or in the error terms.
 */
import { NX } from './fpu-round.ts'

interface Regs {
  f: Int32Array
  x: Int32Array
  fflags: number
}

// Bit-cast scratch: holds no state between calls (each use writes before it reads).
const scratch = new Float64Array(1)
const scratchI = new Int32Array(scratch.buffer)
const scratchF = new Float32Array(scratch.buffer, 0, 1)
/** the bit casts assume a little-endian host; elsewhere every fast path declines */
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

const TWO32 = 4294967296
const LO_D = 2 ** -900
const HI_D = 2 ** 900
const LO_S = 2 ** -125
const HI_S = 2 ** 127
const ADD_MAX = 2 ** 1020
const MUL_MIN = 2 ** -960
const S53 = 2 ** 53
const SPLIT = 134217729 // 2^27 + 1, Veltkamp split of a double into 26-bit halves

/** f_r as a double (any bits; NaNs may lose their payload) */
export function numD(f: Int32Array, r: number): number {
  scratchI[0] = f[2 * r]!
  scratchI[1] = f[2 * r + 1]!
  return scratch[0]!
}

/** a single-precision bit pattern as a number */
export function numS(bits: number): number {
  scratchI[0] = bits
  return scratchF[0]!
}

function putD(f: Int32Array, r: number, v: number): void {
  scratch[0] = v
  f[2 * r] = scratchI[0]!
  f[2 * r + 1] = scratchI[1]!
}

function putS(f: Int32Array, r: number, v: number): void {
  scratchF[0] = v
  f[2 * r] = scratchI[0]!
  f[2 * r + 1] = -1
}

/** Dekker's TwoProduct error term: a·b - fl(a·b), exact when both inputs are in [2^-900, 2^900] */
function mulErr(a: number, b: number, p: number): number {
  let t = SPLIT * a
  const ah = t - (t - a)
  const al = a - ah
  t = SPLIT * b
  const bh = t - (t - b)
  const bl = b - bh
  return al * bl - (((p - ah * bh) - al * bh) - ah * bl)
}

function inRangeD(v: number): boolean {
  const m = Math.abs(v)
  return m >= LO_D && m <= HI_D
}

/** a properly NaN-boxed, non-NaN, non-infinite single in f_r, or NaN when there is none */
function finiteS(f: Int32Array, r: number): number {
  const lo = f[2 * r]!
  if (f[2 * r + 1] !== -1 || (lo & 0x7f800000) === 0x7f800000) return NaN
  return numS(lo)
}

/** FADD/FSUB/FMUL/FDIV/FSQRT (funct5 0,1,2,3,0xb) under RNE */
export function fastArith(s: Regs, funct5: number, dbl: boolean, rd: number, rs1: number, rs2: number): boolean {
  if (!LE) return false
  return dbl ? fastD(s, funct5, rd, rs1, rs2) : fastS(s, funct5, rd, rs1, rs2)
}

function fastD(s: Regs, funct5: number, rd: number, rs1: number, rs2: number): boolean {
  const a = numD(s.f, rs1)
  const b = funct5 === 1 ? -numD(s.f, rs2) : numD(s.f, rs2)
  let r: number
  let inexact: boolean
  switch (funct5) {
    case 0:
    case 1: {
      r = a + b
      // beyond 2^1020 TwoSum's intermediates may overflow; NaN/inf fail the comparisons too
      if (!(Math.abs(a) < ADD_MAX && Math.abs(b) < ADD_MAX && Math.abs(r) < ADD_MAX)) return false
      const bb = r - a
      // a sum whose exact value is below 2^-1021 is always exact, so no underflow to report
      inexact = (a - (r - bb)) + (b - bb) !== 0
      break
    }
    case 2:
      r = a * b
      if (a === 0 || b === 0) {
        if (!Number.isFinite(a) || !Number.isFinite(b)) return false
        inexact = false
        break
      }
      if (!inRangeD(a) || !inRangeD(b) || !(Math.abs(r) >= MUL_MIN && Math.abs(r) <= HI_D)) return false
      inexact = mulErr(a, b, r) !== 0
      break
    case 3:
      r = a / b
      if (a === 0 && b !== 0 && Number.isFinite(b)) {
        inexact = false
        break
      }
      if (!inRangeD(a) || !inRangeD(b) || !inRangeD(r)) return false
      inexact = r * b !== a || mulErr(r, b, r * b) !== 0
      break
    default: {
      if (a === 0) {
        s.f[2 * rd] = s.f[2 * rs1]!
        s.f[2 * rd + 1] = s.f[2 * rs1 + 1]!
        return true
      }
      if (!(a > 0) || !inRangeD(a)) return false
      r = Math.sqrt(a)
      inexact = r * r !== a || mulErr(r, r, r * r) !== 0
    }
  }
  putD(s.f, rd, r)
  if (inexact) s.fflags |= NX
  return true
}

function fastS(s: Regs, funct5: number, rd: number, rs1: number, rs2: number): boolean {
  // Doubles carry 53 >= 2·24 + 2 bits, so rounding the double result to single is the correctly
  // rounded single result for + - × ÷ √ (Figueroa 1995); exactness is checked in double.
  const a = finiteS(s.f, rs1)
  if (a !== a) return false
  let r: number
  let inexact: boolean
  if (funct5 === 0xb) {
    if (a === 0) {
      putS(s.f, rd, a)
      return true
    }
    if (!(a > 0)) return false
    r = Math.fround(Math.sqrt(a))
    inexact = r * r !== a
  } else {
    const b0 = finiteS(s.f, rs2)
    if (b0 !== b0) return false
    const b = funct5 === 1 ? -b0 : b0
    let d: number
    switch (funct5) {
      case 0:
      case 1: {
        d = a + b
        r = Math.fround(d)
        const bb = d - a
        inexact = r !== d || (a - (d - bb)) + (b - bb) !== 0
        break
      }
      case 2:
        d = a * b // 48-bit product: exact in double
        r = Math.fround(d)
        inexact = r !== d
        break
      default:
        if (b === 0) return false
        d = a / b
        r = Math.fround(d)
        inexact = r * b !== a // 24×24-bit product: exact in double
    }
    if (d !== 0 && !(Math.abs(d) >= LO_S && Math.abs(d) <= HI_S)) return false
  }
  putS(s.f, rd, r)
  if (inexact) s.fflags |= NX
  return true
}

/** FCVT.D.S: exact for every non-NaN single */
export function fastCvtDS(s: Regs, rd: number, rs1: number): boolean {
  if (!LE) return false
  const a = finiteS(s.f, rs1)
  if (a !== a) return false
  putD(s.f, rd, a)
  return true
}

/** FCVT.S.D under RNE for results in the normal single range */
export function fastCvtSD(s: Regs, rd: number, rs1: number): boolean {
  if (!LE) return false
  const a = numD(s.f, rs1)
  if (a !== 0 && !(Math.abs(a) >= LO_S && Math.abs(a) <= HI_S)) return false
  const r = Math.fround(a)
  putS(s.f, rd, r)
  if (r !== a) s.fflags |= NX
  return true
}

/** FCVT.D.W / FCVT.D.WU: always exact */
export function fastCvtDW(s: Regs, rd: number, rs1: number, unsigned: boolean): boolean {
  if (!LE) return false
  const v = rs1 === 0 ? 0 : s.x[2 * rs1]!
  putD(s.f, rd, unsigned ? v >>> 0 : v)
  return true
}

/** FCVT.W.D / FCVT.L.D under RTZ (C casts) when the truncated value is in range */
export function fastCvtWD(s: Regs, rd: number, rs1: number, wide: boolean): boolean {
  if (!LE) return false
  const a = numD(s.f, rs1)
  const t = Math.trunc(a)
  if (!(wide ? Math.abs(t) < S53 : t >= -2147483648 && t <= 2147483647)) return false
  if (rd !== 0) {
    const hi = Math.floor(t / TWO32)
    s.x[2 * rd] = t - hi * TWO32
    s.x[2 * rd + 1] = hi
  }
  if (t !== a) s.fflags |= NX
  return true
}

/**
 * FMADD family under RNE. Doubles: a·b = ph + pl exactly (TwoProduct), c + ph = th + tl
 * (TwoSum), so the exact result is th + tl + pl; it is summed with error-free transformations
 * and accepted only when the residual provably cannot move the rounding. Singles: a·b is exact
 * in double and a double rounding of the sum is wrong only on an exact single midpoint.
 */
export function fastFma(s: Regs, dbl: boolean, rd: number, rs1: number, rs2: number, rs3: number, negProd: number, negC: number): boolean {
  if (!LE) return false
  return dbl ? fmaD(s, rd, rs1, rs2, rs3, negProd, negC) : fmaS(s, rd, rs1, rs2, rs3, negProd, negC)
}

function fmaD(s: Regs, rd: number, rs1: number, rs2: number, rs3: number, negProd: number, negC: number): boolean {
  const a = negProd ? -numD(s.f, rs1) : numD(s.f, rs1)
  const b = numD(s.f, rs2)
  const c = negC ? -numD(s.f, rs3) : numD(s.f, rs3)
  if (!inRangeD(a) || !inRangeD(b) || !(Math.abs(c) <= HI_D)) return false
  const ph = a * b
  if (!(Math.abs(ph) >= MUL_MIN && Math.abs(ph) <= HI_D)) return false
  const pl = mulErr(a, b, ph)
  const th = c + ph
  let bb = th - c
  const tl = (c - (th - bb)) + (ph - bb)
  let z: number
  let inexact: boolean
  if (pl === 0) {
    z = th
    inexact = tl !== 0
  } else {
    const vh = tl + pl
    bb = vh - tl
    const vl = (tl - (vh - bb)) + (pl - bb)
    z = th + vh
    bb = z - th
    const e = (th - (z - bb)) + (vh - bb)
    // exact result = z + e + vl
    if (vl === 0) {
      inexact = e !== 0
    } else {
      if (!(Math.abs(z) >= LO_D && Math.abs(z) <= HI_D)) return false
      scratch[0] = z
      const pow2 = (scratchI[1]! & 0xfffff) === 0 && scratchI[0] === 0
      // half an ulp of z (a quarter when z is a power of two: the gap below it is half as wide)
      const hExp = ((scratchI[1]! >>> 20) & 0x7ff) - (pow2 ? 54 : 53)
      scratchI[1] = hExp << 20
      scratchI[0] = 0
      if (!(Math.abs(e) + Math.abs(vl) < scratch[0]!)) return false
      inexact = e + vl !== 0
    }
  }
  if (!(Math.abs(z) >= LO_D && Math.abs(z) <= HI_D) && (z !== 0 || inexact)) return false
  putD(s.f, rd, z)
  if (inexact) s.fflags |= NX
  return true
}

function fmaS(s: Regs, rd: number, rs1: number, rs2: number, rs3: number, negProd: number, negC: number): boolean {
  const a0 = finiteS(s.f, rs1)
  const b = finiteS(s.f, rs2)
  const c0 = finiteS(s.f, rs3)
  if (a0 !== a0 || b !== b || c0 !== c0) return false
  const p = (negProd ? -a0 : a0) * b // 48-bit product: exact in double
  const c = negC ? -c0 : c0
  const d = p + c
  const bb = d - p
  const err = (p - (d - bb)) + (c - bb)
  const r = Math.fround(d)
  if (d !== 0 && !(Math.abs(d) >= LO_S && Math.abs(d) <= HI_S)) return false
  if (err !== 0 && r !== d) {
    // d sits exactly halfway between two singles iff reflecting r through d lands on a single
    const other = d + (d - r)
    if (Math.fround(other) === other) return false
  }
  putS(s.f, rd, r)
  if (err !== 0 || r !== d) s.fflags |= NX
  return true
}
