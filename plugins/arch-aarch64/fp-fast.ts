/**
 * Round-to-nearest-even fast paths on JS doubles (the method of plugins/arch-riscv64/fpu-fast.ts):
 * each returns the correctly rounded result and raises IXC exactly (error-free transformations),
 * or returns NaN — before touching any state — when the exact path in fp-arith.ts must decide.
 * Operand and result ranges keep away from NaNs, infinities, denormals, overflow and anything
 * tiny, so none of FPCR.FZ, FPCR.DN, UFC, OFC, IDC or NaN propagation can matter when a fast
 * path answers; only FPCR.RMode = RN is required of the caller.
 */
import { type FpEnv, IXC } from './fp-round.ts'

// bit-cast scratch: written before every read, holds nothing between calls
const F64S = new Float64Array(1)
const I32S = new Int32Array(F64S.buffer)
const F32S = new Float32Array(F64S.buffer, 0, 1)
/** the bit casts assume a little-endian host; elsewhere every fast path declines */
export const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

const LO_D = 2 ** -900, HI_D = 2 ** 900
const LO_S = 2 ** -125, HI_S = 2 ** 127
const ADD_MAX = 2 ** 1020
const MUL_MIN = 2 ** -960
const SPLIT = 134217729 // 2^27 + 1: Veltkamp's split of a double into 26-bit halves

export function numD(lo: number, hi: number): number {
  I32S[0] = lo; I32S[1] = hi
  return F64S[0]!
}
export function numS(bits: number): number {
  I32S[0] = bits
  return F32S[0]!
}
/** a double's bits into env.lo/env.hi */
export function bitsD(env: FpEnv, v: number): void {
  F64S[0] = v
  env.lo = I32S[0]!; env.hi = I32S[1]!
}
export function bitsS(v: number): number {
  F32S[0] = v
  return I32S[0]!
}

/** Dekker's TwoProduct error term a·b - fl(a·b), exact for a, b in [2^-900, 2^900] */
function mulErr(a: number, b: number, p: number): number {
  let t = SPLIT * a
  const ah = t - (t - a), al = a - ah
  t = SPLIT * b
  const bh = t - (t - b), bl = b - bh
  return al * bl - (((p - ah * bh) - al * bh) - ah * bl)
}

const inRangeD = (v: number): boolean => { const m = Math.abs(v); return m >= LO_D && m <= HI_D }
/** zero or a finite normal double (a denormal would matter to FZ and IDC) */
const okD = (v: number): boolean => v === 0 || (Math.abs(v) >= 2 ** -1022 && Math.abs(v) < Infinity)

/** fast binary op codes */
export const F_ADD = 0, F_SUB = 1, F_MUL = 2, F_DIV = 3, F_SQRT = 4

/** double a op b (F_SQRT: √a); NaN when declined */
export function fastD(op: number, a: number, b: number, env: FpEnv): number {
  if (op === F_SUB) b = -b
  let r: number, inexact: boolean
  switch (op) {
    case F_ADD: case F_SUB: {
      r = a + b
      // JS's signed zeros are FPAdd's in RN (x + -x = +0, -0 + -0 = -0); a denormal operand or
      // result (FZ, IDC, UFC) declines. TwoSum's error term is exact below 2^1020.
      if (!(okD(a) && okD(b) && okD(r) && Math.abs(a) < ADD_MAX && Math.abs(b) < ADD_MAX && Math.abs(r) < ADD_MAX)) return NaN
      const bb = r - a
      inexact = (a - (r - bb)) + (b - bb) !== 0
      break
    }
    case F_MUL:
      r = a * b
      if (a === 0 || b === 0) {
        if (!okD(a) || !okD(b)) return NaN
        inexact = false
        break
      }
      if (!inRangeD(a) || !inRangeD(b) || !(Math.abs(r) >= MUL_MIN && Math.abs(r) <= HI_D)) return NaN
      inexact = mulErr(a, b, r) !== 0
      break
    case F_DIV:
      r = a / b
      if (a === 0 && b !== 0 && okD(b)) { inexact = false; break }
      if (!inRangeD(a) || !inRangeD(b) || !inRangeD(r)) return NaN
      inexact = r * b !== a || mulErr(r, b, r * b) !== 0
      break
    default:
      if (!(a > 0) || !inRangeD(a)) return NaN
      r = Math.sqrt(a)
      inexact = r * r !== a || mulErr(r, r, r * r) !== 0
  }
  if (inexact) env.flags |= IXC
  return r
}

/**
 * single a op b: doubles carry 53 >= 2·24 + 2 bits, so rounding the double result to single is
 * the correctly rounded single (Figueroa 1995); exactness is checked in double. NaN when declined.
 */
export function fastS(op: number, a: number, b: number, env: FpEnv): number {
  if (!Number.isFinite(a) || (op !== F_SQRT && !Number.isFinite(b))) return NaN
  if (op === F_SUB) b = -b
  let d: number, r: number, inexact: boolean
  switch (op) {
    case F_ADD: case F_SUB: {
      d = a + b
      r = Math.fround(d)
      const bb = d - a
      inexact = r !== d || (a - (d - bb)) + (b - bb) !== 0
      break
    }
    case F_MUL:
      d = a * b // a 48-bit product: exact
      r = Math.fround(d)
      inexact = r !== d
      break
    case F_DIV:
      if (b === 0) return NaN
      d = a / b
      r = Math.fround(d)
      inexact = r * b !== a // a 24 × 24-bit product: exact
      break
    default:
      if (a === 0) return NaN
      if (!(a > 0)) return NaN
      d = Math.sqrt(a)
      r = Math.fround(d)
      inexact = r * r !== a
  }
  // inputs that are single denormals are below LO_S too: any tiny operand or result declines
  if (d !== 0 && !(Math.abs(d) >= LO_S && Math.abs(d) <= HI_S)) return NaN
  if ((a !== 0 && Math.abs(a) < LO_S) || (op !== F_SQRT && b !== 0 && Math.abs(b) < LO_S)) return NaN
  if (inexact) env.flags |= IXC
  return r
}

/** double c + a·b with one rounding; NaN when declined */
export function fmaD(a: number, b: number, c: number, env: FpEnv): number {
  if (!inRangeD(a) || !inRangeD(b) || !(Math.abs(c) <= HI_D) || (c !== 0 && Math.abs(c) < LO_D)) return NaN
  const ph = a * b
  if (!(Math.abs(ph) >= MUL_MIN && Math.abs(ph) <= HI_D)) return NaN
  const pl = mulErr(a, b, ph)
  const th = c + ph
  let bb = th - c
  const tl = (c - (th - bb)) + (ph - bb)
  let z: number, inexact: boolean
  if (pl === 0) { z = th; inexact = tl !== 0 } else {
    const vh = tl + pl
    bb = vh - tl
    const vl = (tl - (vh - bb)) + (pl - bb)
    z = th + vh
    bb = z - th
    const e = (th - (z - bb)) + (vh - bb)
    // the exact result is z + e + vl
    if (vl === 0) inexact = e !== 0
    else {
      if (!inRangeD(z)) return NaN
      F64S[0] = z
      const pow2 = (I32S[1]! & 0xfffff) === 0 && I32S[0] === 0
      // half an ulp of z (a quarter when z is a power of two: the gap below it is half as wide)
      I32S[1] = (((I32S[1]! >>> 20) & 0x7ff) - (pow2 ? 54 : 53)) << 20
      I32S[0] = 0
      if (!(Math.abs(e) + Math.abs(vl) < F64S[0]!)) return NaN
      inexact = e + vl !== 0
    }
  }
  if (!inRangeD(z) && (z !== 0 || inexact)) return NaN
  // an exact zero (c = -a·b) is +0, as FPMulAdd's in RN
  if (inexact) env.flags |= IXC
  return z
}

/** single c + a·b with one rounding; NaN when declined */
export function fmaS(a: number, b: number, c: number, env: FpEnv): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) return NaN
  if ((a !== 0 && Math.abs(a) < LO_S) || (b !== 0 && Math.abs(b) < LO_S) || (c !== 0 && Math.abs(c) < LO_S)) return NaN
  const p = a * b // exact
  const d = p + c
  const bb = d - p
  const err = (p - (d - bb)) + (c - bb)
  const r = Math.fround(d)
  if (d !== 0 && !(Math.abs(d) >= LO_S && Math.abs(d) <= HI_S)) return NaN
  if (err !== 0 && r !== d) {
    // d sits exactly halfway between two singles iff reflecting r through d lands on a single
    const other = d + (d - r)
    if (Math.fround(other) === other) return NaN
  }
  if (err !== 0 || r !== d) env.flags |= IXC
  return r
}
