/**
 * F/D computational instructions: expected values follow the IEEE 754 rules and the RISC-V
 * unprivileged spec (20191213) chapters 11 and 12. Inputs sit in f1/f2/f3 (and x11), results in
 * f4 or x10.
 */
import { describe, expect, it } from 'vitest'
import { boxSingle, execFp, type FpState } from '../fpu.ts'
import { fadd, fdiv, ffma, fmul, fsqrt } from '../fpu-arith.ts'
import { F32, F64 } from '../../../core/cpu/ieee754.ts'

const NV = 16, DZ = 8, OF = 4, UF = 2, NX = 1
const RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4, DYN = 7
const S = 0, D = 1

// ---- encoders (rd = f4 / x10, rs1 = f1 / x11, rs2 = f2, rs3 = f3) ----
const opfp = (funct5: number, fmt: number, rs2: number, rm: number, rd = 4, rs1 = 1): number =>
  ((funct5 << 27) | (fmt << 25) | (rs2 << 20) | (rs1 << 15) | (rm << 12) | (rd << 7) | 0x53) >>> 0
const fadd_ = (fmt: number, rm = RNE) => opfp(0, fmt, 2, rm)
const fsub_ = (fmt: number, rm = RNE) => opfp(1, fmt, 2, rm)
const fmul_ = (fmt: number, rm = RNE) => opfp(2, fmt, 2, rm)
const fdiv_ = (fmt: number, rm = RNE) => opfp(3, fmt, 2, rm)
const fsqrt_ = (fmt: number, rm = RNE) => opfp(0xb, fmt, 0, rm)
const fsgnj_ = (fmt: number, kind: 0 | 1 | 2) => opfp(4, fmt, 2, kind)
const fmin_ = (fmt: number) => opfp(5, fmt, 2, 0)
const fmax_ = (fmt: number) => opfp(5, fmt, 2, 1)
const fcvt_s_d = (rm = RNE) => opfp(8, S, 1, rm)
const fcvt_d_s = (rm = RNE) => opfp(8, D, 0, rm)
const fle_ = (fmt: number) => opfp(0x14, fmt, 2, 0, 10)
const flt_ = (fmt: number) => opfp(0x14, fmt, 2, 1, 10)
const feq_ = (fmt: number) => opfp(0x14, fmt, 2, 2, 10)
/** to integer: ty 0 = W, 1 = WU, 2 = L, 3 = LU */
const fcvt_i_f = (ty: number, fmt: number, rm = RNE) => opfp(0x18, fmt, ty, rm, 10)
const fcvt_f_i = (fmt: number, ty: number, rm = RNE) => opfp(0x1a, fmt, ty, rm, 4, 11)
const fmv_x_f = (fmt: number) => opfp(0x1c, fmt, 0, 0, 10)
const fclass_ = (fmt: number) => opfp(0x1c, fmt, 0, 1, 10)
const fmv_f_x = (fmt: number) => opfp(0x1e, fmt, 0, 0, 4, 11)
const FMADD = 0x43, FMSUB = 0x47, FNMSUB = 0x4b, FNMADD = 0x4f
const fma_ = (op: number, fmt: number, rm = RNE) =>
  ((3 << 27) | (fmt << 25) | (2 << 20) | (1 << 15) | (rm << 12) | (4 << 7) | op) >>> 0

// ---- values ----
const dv = new DataView(new ArrayBuffer(8))
const d = (x: number): bigint => (dv.setFloat64(0, x), dv.getBigUint64(0))
const sb = (x: number): number => (dv.setFloat32(0, x), dv.getUint32(0))
/** a NaN-boxed single */
const s = (x: number): bigint => box(sb(x))
const box = (bits: number): bigint => 0xffffffff00000000n | BigInt(bits >>> 0)
const QNAN_D = 0x7ff8000000000000n
const SNAN_D = 0x7ff0000000000001n
const QNAN_S = box(0x7fc00000)
const SNAN_S = box(0x7f800001)
const MAX_D = 0x7fefffffffffffffn
const INF_D = 0x7ff0000000000000n
const SIGN_D = 1n << 63n
const neg = (bits: bigint) => bits ^ (bits >> 32n === 0xffffffffn ? 0x80000000n : SIGN_D)

interface In { f1?: bigint; f2?: bigint; f3?: bigint; x11?: bigint; frm?: number }
interface Out { ok: boolean; f: bigint; x: bigint; flags: number; st: FpState }

function fresh(frm = 0): FpState {
  return { f: new Int32Array(64), x: new Int32Array(64), fflags: 0, frm }
}
const put = (a: Int32Array, r: number, v: bigint) => {
  a[2 * r] = Number(v & 0xffffffffn)
  a[2 * r + 1] = Number(v >> 32n)
}
const get = (a: Int32Array, r: number) => (BigInt(a[2 * r + 1]! >>> 0) << 32n) | BigInt(a[2 * r]! >>> 0)

function run(insn: number, i: In = {}): Out {
  const st = fresh(i.frm ?? 0)
  put(st.f, 1, i.f1 ?? 0n)
  put(st.f, 2, i.f2 ?? 0n)
  put(st.f, 3, i.f3 ?? 0n)
  put(st.x, 11, i.x11 ?? 0n)
  const ok = execFp(st, insn)
  return { ok, f: get(st.f, 4), x: get(st.x, 10), flags: st.fflags, st }
}
const hex = (v: bigint) => '0x' + v.toString(16).padStart(16, '0')
/** result register f4 and fflags, as hex for readable failures */
function expectF(o: Out, bits: bigint, flags: number) {
  expect(o.ok).toBe(true)
  expect({ f: hex(o.f), flags: o.flags }).toEqual({ f: hex(bits), flags })
}
function expectX(o: Out, v: bigint, flags: number) {
  expect(o.ok).toBe(true)
  expect({ x: hex(o.x), flags: o.flags }).toEqual({ x: hex(BigInt.asUintN(64, v)), flags })
}

describe('basic arithmetic', () => {
  it('computes exact double and single results without flags', () => {
    expectF(run(fadd_(D), { f1: d(1), f2: d(2) }), d(3), 0)
    expectF(run(fsub_(D), { f1: d(1), f2: d(2.5) }), d(-1.5), 0)
    expectF(run(fmul_(D), { f1: d(-3), f2: d(0.25) }), d(-0.75), 0)
    expectF(run(fdiv_(D), { f1: d(1), f2: d(8) }), d(0.125), 0)
    expectF(run(fsqrt_(D), { f1: d(2.25) }), d(1.5), 0)
    expectF(run(fadd_(S), { f1: s(1), f2: s(2) }), s(3), 0)
    expectF(run(fmul_(S), { f1: s(-3), f2: s(0.25) }), s(-0.75), 0)
    expectF(run(fsqrt_(S), { f1: s(16) }), s(4), 0)
  })

  it('rounds inexact results to nearest and raises NX', () => {
    expectF(run(fadd_(D), { f1: d(0.1), f2: d(0.2) }), d(0.1 + 0.2), NX)
    expectF(run(fdiv_(D), { f1: d(1), f2: d(3) }), d(1 / 3), NX)
    expectF(run(fsqrt_(D), { f1: d(2) }), d(Math.SQRT2), NX)
    expectF(run(fdiv_(S), { f1: s(1), f2: s(3) }), s(1 / 3), NX)
    expectF(run(fsqrt_(S), { f1: s(2) }), s(Math.SQRT2), NX)
  })

  it('gives exact zero sums the sign IEEE 754 §6.3 asks for', () => {
    expectF(run(fsub_(D), { f1: d(1), f2: d(1) }), d(0), 0)
    expectF(run(fsub_(D, RDN), { f1: d(1), f2: d(1) }), d(-0), 0)
    expectF(run(fadd_(D), { f1: d(-0), f2: d(-0) }), d(-0), 0)
    expectF(run(fadd_(S, RDN), { f1: s(0), f2: s(-0) }), s(-0), 0)
    expectF(run(fmul_(S), { f1: s(-0), f2: s(5) }), s(-0), 0)
  })
})

describe('rounding modes', () => {
  const ulp = 2 ** -52
  it('rounds a double tie 1 + 2^-53 per mode', () => {
    const tie = { f1: d(1), f2: d(2 ** -53) }
    expectF(run(fadd_(D, RNE), tie), d(1), NX)
    expectF(run(fadd_(D, RTZ), tie), d(1), NX)
    expectF(run(fadd_(D, RDN), tie), d(1), NX)
    expectF(run(fadd_(D, RUP), tie), d(1 + ulp), NX)
    expectF(run(fadd_(D, RMM), tie), d(1 + ulp), NX)
    // odd significand: ties to even goes up
    expectF(run(fadd_(D, RNE), { f1: d(1 + ulp), f2: d(2 ** -53) }), d(1 + 2 * ulp), NX)
  })

  it('rounds negative values toward the right infinity', () => {
    const tie = { f1: d(-1), f2: d(2 ** -53) }
    expectF(run(fsub_(D, RNE), tie), d(-1), NX)
    expectF(run(fsub_(D, RTZ), tie), d(-1), NX)
    expectF(run(fsub_(D, RDN), tie), d(-1 - ulp), NX)
    expectF(run(fsub_(D, RUP), tie), d(-1), NX)
    expectF(run(fsub_(D, RMM), tie), d(-1 - ulp), NX)
    // non-tie, below halfway: only the directed modes away from zero move
    const small = { f1: d(-1), f2: d(2 ** -60) }
    expectF(run(fsub_(D, RNE), small), d(-1), NX)
    expectF(run(fsub_(D, RDN), small), d(-1 - ulp), NX)
    expectF(run(fsub_(D, RMM), small), d(-1), NX)
  })

  it('rounds single ties and 1/3 per mode', () => {
    const tie = { f1: s(1), f2: s(2 ** -24) }
    expectF(run(fadd_(S, RNE), tie), s(1), NX)
    expectF(run(fadd_(S, RUP), tie), s(1 + 2 ** -23), NX)
    expectF(run(fadd_(S, RMM), tie), s(1 + 2 ** -23), NX)
    const third = { f1: s(-1), f2: s(3) }
    const away = Math.fround(-1 / 3) // nearest is the one of larger magnitude
    const toward = away + 2 ** -25
    expectF(run(fdiv_(S, RNE), third), s(away), NX)
    expectF(run(fdiv_(S, RTZ), third), s(toward), NX)
    expectF(run(fdiv_(S, RUP), third), s(toward), NX)
    expectF(run(fdiv_(S, RDN), third), s(away), NX)
    expectF(run(fdiv_(S, RMM), third), s(away), NX)
  })

  it('reads the dynamic mode from frm when rm = 7', () => {
    const tie = { f1: d(1), f2: d(2 ** -53) }
    expectF(run(fadd_(D, DYN), { ...tie, frm: RUP }), d(1 + ulp), NX)
    expectF(run(fadd_(D, DYN), { ...tie, frm: RNE }), d(1), NX)
    // the nearest double to sqrt(2) lies above it
    expectF(run(fsqrt_(D, DYN), { f1: d(2), frm: RDN }), d(Math.SQRT2) - 1n, NX)
    expectF(run(fsqrt_(D, DYN), { f1: d(2), frm: RUP }), d(Math.SQRT2), NX)
  })
})

describe('overflow and underflow', () => {
  it('overflows to infinity or the largest finite value depending on mode and sign', () => {
    const big = { f1: MAX_D, f2: d(2) }
    expectF(run(fmul_(D, RNE), big), INF_D, OF | NX)
    expectF(run(fmul_(D, RMM), big), INF_D, OF | NX)
    expectF(run(fmul_(D, RTZ), big), MAX_D, OF | NX)
    expectF(run(fmul_(D, RDN), big), MAX_D, OF | NX)
    expectF(run(fmul_(D, RUP), big), INF_D, OF | NX)
    const nbig = { f1: neg(MAX_D), f2: d(2) }
    expectF(run(fmul_(D, RDN), nbig), neg(INF_D), OF | NX)
    expectF(run(fmul_(D, RUP), nbig), neg(MAX_D), OF | NX)
    expectF(run(fadd_(S, RNE), { f1: box(0x7f7fffff), f2: box(0x7f7fffff) }), box(0x7f800000), OF | NX)
    expectF(run(fadd_(S, RTZ), { f1: box(0x7f7fffff), f2: box(0x7f7fffff) }), box(0x7f7fffff), OF | NX)
  })

  it('produces exact subnormals without flags and inexact ones with UF|NX', () => {
    expectF(run(fmul_(D), { f1: d(2 ** -1022), f2: d(0.75) }), d(0.75 * 2 ** -1022), 0)
    // 1.5 * 2^-1074 is a tie between 2^-1074 (odd) and 2^-1073
    expectF(run(fmul_(D), { f1: d(3 * 2 ** -1074), f2: d(0.5) }), d(2 ** -1073), UF | NX)
    expectF(run(fmul_(D), { f1: d(2 ** -1074), f2: d(0.5) }), d(0), UF | NX)
    expectF(run(fmul_(D, RUP), { f1: d(2 ** -1074), f2: d(0.5) }), d(2 ** -1074), UF | NX)
    expectF(run(fmul_(D, RDN), { f1: d(-(2 ** -1074)), f2: d(0.25) }), d(-(2 ** -1074)), UF | NX)
    expectF(run(fdiv_(S), { f1: box(1), f2: s(4) }), box(0), UF | NX)
    expectF(run(fmul_(S), { f1: s(2 ** -126), f2: s(0.5) }), box(0x00400000), 0)
  })

  it('detects tininess after rounding (§11.4)', () => {
    // 2^-1022·(1 - 2^-60): rounds to 2^-1022 with an unbounded exponent, so it is not tiny
    const near = { f1: d(2 ** -600), f2: d(-(2 ** -482)), f3: d(2 ** -1022) }
    expectF(run(fma_(FMADD, D, RNE), near), d(2 ** -1022), NX)
    expectF(run(fma_(FMADD, D, RUP), near), d(2 ** -1022), NX)
    expectF(run(fma_(FMADD, D, RTZ), near), d(2 ** -1022 - 2 ** -1074), UF | NX)
    const nearS = { f1: s(2 ** -80), f2: s(-(2 ** -80)), f3: s(2 ** -126) }
    expectF(run(fma_(FMADD, S, RNE), nearS), s(2 ** -126), NX)
    expectF(run(fma_(FMADD, S, RDN), nearS), box(0x007fffff), UF | NX)
    // 2^-1022·(1 - 2^-53) has 53 bits: still below 2^-1022 after rounding to 53 bits: tiny
    expectF(run(fmul_(D), { f1: d(1 - 2 ** -53), f2: d(2 ** -1022) }), d(2 ** -1022), UF | NX)
  })
})

describe('invalid operations and division by zero', () => {
  it('returns the canonical NaN with NV', () => {
    expectF(run(fdiv_(D), { f1: d(0), f2: d(-0) }), QNAN_D, NV)
    expectF(run(fsub_(D), { f1: INF_D, f2: INF_D }), QNAN_D, NV)
    expectF(run(fmul_(D), { f1: d(0), f2: neg(INF_D) }), QNAN_D, NV)
    expectF(run(fdiv_(D), { f1: INF_D, f2: INF_D }), QNAN_D, NV)
    expectF(run(fsqrt_(D), { f1: d(-1) }), QNAN_D, NV)
    expectF(run(fsqrt_(S), { f1: s(-1) }), QNAN_S, NV)
    expectF(run(fadd_(S), { f1: s(Infinity), f2: s(-Infinity) }), QNAN_S, NV)
  })

  it('keeps sqrt(-0) = -0 and sqrt(+inf) = +inf quiet', () => {
    expectF(run(fsqrt_(D), { f1: d(-0) }), d(-0), 0)
    expectF(run(fsqrt_(D, RTZ), { f1: INF_D }), INF_D, 0)
  })

  it('raises DZ for finite / 0', () => {
    expectF(run(fdiv_(D), { f1: d(1), f2: d(0) }), INF_D, DZ)
    expectF(run(fdiv_(D), { f1: d(-1), f2: d(0) }), neg(INF_D), DZ)
    expectF(run(fdiv_(S), { f1: s(5), f2: s(-0) }), s(-Infinity), DZ)
    expectF(run(fdiv_(D), { f1: INF_D, f2: d(0) }), INF_D, 0)
  })

  it('does not propagate payloads; only signaling NaNs raise NV', () => {
    expectF(run(fadd_(D), { f1: 0xfff8000000001234n, f2: d(1) }), QNAN_D, 0)
    expectF(run(fadd_(D), { f1: d(1), f2: SNAN_D }), QNAN_D, NV)
    expectF(run(fmul_(S), { f1: SNAN_S, f2: s(1) }), QNAN_S, NV)
    expectF(run(fsqrt_(S), { f1: box(0xffc01234) }), QNAN_S, 0)
  })
})

describe('NaN boxing', () => {
  it('reads improperly boxed singles as the canonical NaN', () => {
    const unboxed = BigInt(sb(1.5)) // upper half zero
    expectF(run(fadd_(S), { f1: unboxed, f2: s(1) }), QNAN_S, 0)
    expectF(run(fsgnj_(S, 0), { f1: 0x12345678_3f800000n, f2: s(-1) }), box(0xffc00000), 0)
    expectX(run(fclass_(S), { f1: unboxed }), 1n << 9n, 0)
    expectF(run(fcvt_d_s(), { f1: unboxed }), QNAN_D, 0)
  })

  it('writes single results with the upper 32 bits set', () => {
    expectF(run(fcvt_s_d(), { f1: d(2) }), s(2), 0)
    expectF(run(fmv_f_x(S), { x11: 0xdeadbeef_40490fdbn }), box(0x40490fdb), 0)
    const st = fresh()
    boxSingle(st, 7, 0x3f800000)
    expect(get(st.f, 7)).toBe(s(1))
  })
})

describe('fmin / fmax (2.2 semantics)', () => {
  it('orders -0 below +0', () => {
    expectF(run(fmin_(D), { f1: d(0), f2: d(-0) }), d(-0), 0)
    expectF(run(fmax_(D), { f1: d(-0), f2: d(0) }), d(0), 0)
    expectF(run(fmin_(S), { f1: s(-0), f2: s(0) }), s(-0), 0)
    expectF(run(fmax_(S), { f1: s(3), f2: s(-7) }), s(3), 0)
  })

  it('returns the other operand for one NaN and the canonical NaN for two', () => {
    expectF(run(fmin_(D), { f1: 0x7ff8000000000abcn, f2: d(2) }), d(2), 0)
    expectF(run(fmax_(D), { f1: d(-2), f2: SNAN_D }), d(-2), NV)
    expectF(run(fmax_(D), { f1: 0x7ff8000000000abcn, f2: 0xfff8000000000001n }), QNAN_D, 0)
    expectF(run(fmin_(S), { f1: SNAN_S, f2: QNAN_S }), QNAN_S, NV)
    expectF(run(fmin_(S), { f1: 5n, f2: s(-1) }), s(-1), 0) // unboxed f1 counts as a NaN
  })
})

describe('sign injection', () => {
  it('implements fsgnj, fsgnjn, fsgnjx on raw bits, NaNs included', () => {
    expectF(run(fsgnj_(D, 0), { f1: d(3), f2: d(-1) }), d(-3), 0)
    expectF(run(fsgnj_(D, 1), { f1: d(3), f2: d(-1) }), d(3), 0)
    expectF(run(fsgnj_(D, 2), { f1: d(-3), f2: d(-1) }), d(3), 0)
    expectF(run(fsgnj_(D, 1), { f1: SNAN_D, f2: SNAN_D }), SNAN_D | SIGN_D, 0)
    expectF(run(fsgnj_(S, 0), { f1: s(2), f2: s(-0) }), s(-2), 0)
    expectF(run(fsgnj_(S, 2), { f1: s(-2), f2: s(5) }), s(-2), 0)
  })
})

describe('comparisons', () => {
  it('compares with +0 == -0', () => {
    expectX(run(feq_(D), { f1: d(0), f2: d(-0) }), 1n, 0)
    expectX(run(flt_(D), { f1: d(-0), f2: d(0) }), 0n, 0)
    expectX(run(fle_(D), { f1: d(-0), f2: d(0) }), 1n, 0)
    expectX(run(flt_(S), { f1: s(1), f2: s(2) }), 1n, 0)
    expectX(run(fle_(S), { f1: s(3), f2: s(2) }), 0n, 0)
  })

  it('signals NV on quiet NaNs for flt/fle but only on signaling NaNs for feq', () => {
    expectX(run(feq_(D), { f1: QNAN_D, f2: d(1) }), 0n, 0)
    expectX(run(feq_(D), { f1: SNAN_D, f2: d(1) }), 0n, NV)
    expectX(run(flt_(D), { f1: d(1), f2: QNAN_D }), 0n, NV)
    expectX(run(fle_(S), { f1: QNAN_S, f2: QNAN_S }), 0n, NV)
    expectX(run(feq_(S), { f1: SNAN_S, f2: s(1) }), 0n, NV)
  })

  it('discards writes to x0', () => {
    const st = fresh()
    put(st.f, 1, d(1))
    put(st.f, 2, d(1))
    expect(execFp(st, opfp(0x14, D, 2, 2, 0))).toBe(true)
    expect(get(st.x, 0)).toBe(0n)
  })
})

describe('fclass', () => {
  const cases: [string, bigint, bigint][] = [
    ['-inf', neg(INF_D), box(0xff800000)],
    ['-normal', d(-1.5), s(-1.5)],
    ['-subnormal', d(-(2 ** -1074)), box(0x80000001)],
    ['-0', d(-0), s(-0)],
    ['+0', d(0), s(0)],
    ['+subnormal', 0x000fffffffffffffn, box(0x007fffff)],
    ['+normal', MAX_D, s(1)],
    ['+inf', INF_D, box(0x7f800000)],
    ['sNaN', SNAN_D, SNAN_S],
    ['qNaN', QNAN_D, QNAN_S],
  ]
  it.each(cases.map((c, i) => [...c, i] as const))('classifies %s', (_name, dbits, sbits, bit) => {
    expectX(run(fclass_(D), { f1: dbits }), 1n << BigInt(bit), 0)
    expectX(run(fclass_(S), { f1: sbits }), 1n << BigInt(bit), 0)
  })
})

describe('fused multiply-add', () => {
  it('rounds once where separate mul and add would not', () => {
    const a = 1 + 2 ** -30, b = 1 - 2 ** -30
    const mul = run(fmul_(D), { f1: d(a), f2: d(b) })
    expectF(mul, d(1), NX) // 1 - 2^-60 rounds to 1
    expectF(run(fadd_(D), { f1: mul.f, f2: d(-1) }), d(0), 0)
    expectF(run(fma_(FMADD, D), { f1: d(a), f2: d(b), f3: d(-1) }), d(-(2 ** -60)), 0)
    const as = 1 + 2 ** -12, bs = 1 - 2 ** -12
    expectF(run(fma_(FMADD, S), { f1: s(as), f2: s(bs), f3: s(-1) }), s(-(2 ** -24)), 0)
  })

  it('applies the four sign variants', () => {
    const i = { f1: d(2), f2: d(3), f3: d(1) }
    expectF(run(fma_(FMADD, D), i), d(7), 0)
    expectF(run(fma_(FMSUB, D), i), d(5), 0)
    expectF(run(fma_(FNMSUB, D), i), d(-5), 0)
    expectF(run(fma_(FNMADD, D), i), d(-7), 0)
    expectF(run(fma_(FNMADD, S), { f1: s(0), f2: s(1), f3: s(0) }), s(-0), 0)
    expectF(run(fma_(FMSUB, S, RDN), { f1: s(1), f2: s(1), f3: s(1) }), s(-0), 0)
  })

  it('rounds the exact sum under every mode', () => {
    // 1·(1 + 2^-52) + 2^-53·(1 + 2^-10): just above the tie
    const i = { f1: d(1), f2: d(1 + 2 ** -52), f3: d(2 ** -53 + 2 ** -63) }
    expectF(run(fma_(FMADD, D, RNE), i), d(1 + 2 ** -51), NX)
    expectF(run(fma_(FMADD, D, RTZ), i), d(1 + 2 ** -52), NX)
    expectF(run(fma_(FMADD, D, RUP), i), d(1 + 2 ** -51), NX)
    expectF(run(fma_(FNMADD, D, RUP), i), d(-1 - 2 ** -52), NX)
  })

  it('treats inf·0 as invalid even with a quiet NaN addend', () => {
    expectF(run(fma_(FMADD, D), { f1: INF_D, f2: d(0), f3: QNAN_D }), QNAN_D, NV)
    expectF(run(fma_(FMADD, D), { f1: d(2), f2: INF_D, f3: neg(INF_D) }), QNAN_D, NV)
    expectF(run(fma_(FMSUB, D), { f1: d(2), f2: INF_D, f3: INF_D }), QNAN_D, NV)
    expectF(run(fma_(FMADD, D), { f1: d(2), f2: INF_D, f3: INF_D }), INF_D, 0)
    expectF(run(fma_(FMADD, S), { f1: s(1), f2: s(1), f3: SNAN_S }), QNAN_S, NV)
    expectF(run(fma_(FMADD, S), { f1: s(1), f2: QNAN_S, f3: s(1) }), QNAN_S, 0)
  })
})

describe('conversions between formats', () => {
  it('narrows with rounding, overflow and NaN canonicalisation', () => {
    expectF(run(fcvt_s_d(RNE), { f1: d(1 + 2 ** -24) }), s(1), NX)
    expectF(run(fcvt_s_d(RUP), { f1: d(1 + 2 ** -40) }), s(1 + 2 ** -23), NX)
    expectF(run(fcvt_s_d(RNE), { f1: d(1e300) }), s(Infinity), OF | NX)
    expectF(run(fcvt_s_d(RTZ), { f1: d(-1e300) }), box(0xff7fffff), OF | NX)
    expectF(run(fcvt_s_d(), { f1: d(2 ** -140) }), s(2 ** -140), 0)
    expectF(run(fcvt_s_d(), { f1: d(2 ** -200) }), s(0), UF | NX)
    expectF(run(fcvt_s_d(), { f1: SNAN_D }), QNAN_S, NV)
    expectF(run(fcvt_s_d(), { f1: 0x7ff8000012345678n }), QNAN_S, 0)
  })

  it('widens exactly', () => {
    expectF(run(fcvt_d_s(), { f1: s(0.1) }), d(Math.fround(0.1)), 0)
    expectF(run(fcvt_d_s(), { f1: box(0x00000001) }), d(2 ** -149), 0)
    expectF(run(fcvt_d_s(), { f1: SNAN_S }), QNAN_D, NV)
    expectF(run(fcvt_d_s(), { f1: s(-Infinity) }), neg(INF_D), 0)
  })
})

describe('float to integer', () => {
  const W = 0, WU = 1, L = 2, LU = 3
  it('rounds per mode and raises NX', () => {
    const rounded = (x: number, rm: number) => run(fcvt_i_f(W, D, rm), { f1: d(x) })
    expectX(rounded(1.5, RNE), 2n, NX)
    expectX(rounded(2.5, RNE), 2n, NX)
    expectX(rounded(2.5, RMM), 3n, NX)
    expectX(rounded(-2.5, RMM), -3n, NX)
    expectX(rounded(1.5, RTZ), 1n, NX)
    expectX(rounded(-1.5, RTZ), -1n, NX)
    expectX(rounded(-1.5, RDN), -2n, NX)
    expectX(rounded(-1.5, RUP), -1n, NX)
    expectX(rounded(7, RNE), 7n, 0)
    expectX(run(fcvt_i_f(L, S, RUP), { f1: s(0.25) }), 1n, NX)
  })

  it('saturates out-of-range and NaN inputs with NV only (Table 11.4)', () => {
    expectX(run(fcvt_i_f(W, D), { f1: d(2 ** 31) }), 0x7fffffffn, NV)
    expectX(run(fcvt_i_f(W, D), { f1: d(-(2 ** 31) - 1) }), -(2n ** 31n), NV)
    expectX(run(fcvt_i_f(W, D), { f1: d(-(2 ** 31)) }), -(2n ** 31n), 0)
    expectX(run(fcvt_i_f(W, D, RTZ), { f1: d(-(2 ** 31) - 0.5) }), -(2n ** 31n), NX)
    expectX(run(fcvt_i_f(W, D), { f1: QNAN_D }), 0x7fffffffn, NV)
    expectX(run(fcvt_i_f(W, S), { f1: s(-Infinity) }), -(2n ** 31n), NV)
    expectX(run(fcvt_i_f(W, S), { f1: s(Infinity) }), 0x7fffffffn, NV)
    expectX(run(fcvt_i_f(L, D), { f1: d(2 ** 63) }), 2n ** 63n - 1n, NV)
    expectX(run(fcvt_i_f(L, D), { f1: d(-(2 ** 63)) }), -(2n ** 63n), 0)
    expectX(run(fcvt_i_f(L, S), { f1: QNAN_S }), 2n ** 63n - 1n, NV)
    expectX(run(fcvt_i_f(L, D), { f1: neg(INF_D) }), -(2n ** 63n), NV)
  })

  it('clamps unsigned conversions at 0 and sign-extends 32-bit results', () => {
    expectX(run(fcvt_i_f(WU, D), { f1: d(-1) }), 0n, NV)
    expectX(run(fcvt_i_f(WU, D, RTZ), { f1: d(-0.5) }), 0n, NX)
    expectX(run(fcvt_i_f(WU, D, RDN), { f1: d(-0.5) }), 0n, NV)
    expectX(run(fcvt_i_f(WU, D), { f1: d(2 ** 32 - 1) }), -1n, 0) // 0xffffffff sign-extended
    expectX(run(fcvt_i_f(WU, D), { f1: d(2 ** 32) }), -1n, NV)
    expectX(run(fcvt_i_f(WU, S), { f1: QNAN_S }), -1n, NV)
    expectX(run(fcvt_i_f(WU, D), { f1: d(2 ** 31) }), -(2n ** 31n), 0)
    expectX(run(fcvt_i_f(W, D), { f1: d(-1) }), -1n, 0)
    expectX(run(fcvt_i_f(LU, D), { f1: d(2 ** 64) }), 2n ** 64n - 1n, NV)
    expectX(run(fcvt_i_f(LU, D), { f1: d(2 ** 64 - 2048) }), 2n ** 64n - 2048n, 0)
    expectX(run(fcvt_i_f(LU, D), { f1: d(-1) }), 0n, NV)
    expectX(run(fcvt_i_f(LU, S), { f1: s(-Infinity) }), 0n, NV)
  })
})

describe('integer to float', () => {
  const W = 0, WU = 1, L = 2, LU = 3
  it('is correctly rounded in every mode', () => {
    const big = { x11: 2n ** 53n + 1n }
    expectF(run(fcvt_f_i(D, L, RNE), big), d(2 ** 53), NX)
    expectF(run(fcvt_f_i(D, L, RUP), big), d(2 ** 53 + 2), NX)
    expectF(run(fcvt_f_i(D, L, RMM), big), d(2 ** 53 + 2), NX)
    expectF(run(fcvt_f_i(D, L, RDN), { x11: -(2n ** 53n) - 1n }), d(-(2 ** 53) - 2), NX)
    expectF(run(fcvt_f_i(D, LU, RNE), { x11: 2n ** 64n - 1n }), d(2 ** 64), NX)
    expectF(run(fcvt_f_i(D, LU, RTZ), { x11: 2n ** 64n - 1n }), d(2 ** 64 - 2048), NX)
    expectF(run(fcvt_f_i(S, W, RNE), { x11: 16777217n }), s(16777216), NX)
    expectF(run(fcvt_f_i(S, W, RUP), { x11: 16777217n }), s(16777218), NX)
    expectF(run(fcvt_f_i(S, WU, RNE), { x11: 0xffffffffn }), s(2 ** 32), NX)
    expectF(run(fcvt_f_i(S, L, RTZ), { x11: 2n ** 64n - 1n }), s(-1), 0) // -1 as signed
    expectF(run(fcvt_f_i(S, L), { x11: 0n }), s(0), 0)
  })

  it('reads only the low 32 bits for W and WU', () => {
    expectF(run(fcvt_f_i(D, W), { x11: 0x00000001_ffffffffn }), d(-1), 0)
    expectF(run(fcvt_f_i(D, WU), { x11: 0xffffffff_80000000n }), d(2 ** 31), 0)
    expectF(run(fcvt_f_i(S, W, RTZ), { x11: 0x7fffffffn }), s(2 ** 31 - 128), NX)
  })
})

describe('moves', () => {
  it('fmv.x.w sign-extends the raw low bits, boxed or not', () => {
    expectX(run(fmv_x_f(S), { f1: box(0x80000000) }), -(2n ** 31n), 0)
    expectX(run(fmv_x_f(S), { f1: 0x00000000_3f800000n }), 0x3f800000n, 0)
  })

  it('fmv.x.d / fmv.d.x copy all 64 bits, signaling NaNs included', () => {
    expectX(run(fmv_x_f(D), { f1: SNAN_D | SIGN_D }), SNAN_D | SIGN_D, 0)
    expectF(run(fmv_f_x(D), { x11: 0xfff0000000000001n }), 0xfff0000000000001n, 0)
  })
})

describe('illegal encodings', () => {
  const legal = fadd_(D)
  const cases: [string, number, number][] = [
    ['rm = 5', fadd_(D, 5), 0],
    ['rm = 6', fmul_(S, 6), 0],
    ['rm = 7 with frm = 5', fadd_(D, DYN), 5],
    ['rm = 7 with frm = 7', fma_(FMADD, D, DYN), 7],
    ['fcvt.d.s with rm = 5', fcvt_d_s(5), 0],
    ['fmt = H', (legal & ~(3 << 25)) | (2 << 25), 0],
    ['fmt = Q', (legal | (3 << 25)) >>> 0, 0],
    ['fma fmt = Q', (fma_(FMADD, D) | (3 << 25)) >>> 0, 0],
    ['fsqrt rs2 != 0', opfp(0xb, D, 1, 0), 0],
    ['fsgnj rm = 3', opfp(4, D, 2, 3), 0],
    ['fmin rm = 2', opfp(5, S, 2, 2), 0],
    ['fcmp rm = 3', opfp(0x14, D, 2, 3, 10), 0],
    ['fcvt.s.d rs2 = 0', opfp(8, S, 0, 0), 0],
    ['fcvt.d.s rs2 = 1', opfp(8, D, 1, 0), 0],
    ['fcvt.w.d rs2 = 4', opfp(0x18, D, 4, 0, 10), 0],
    ['fcvt.d.w rs2 = 5', opfp(0x1a, D, 5, 0, 4, 11), 0],
    ['fmv.x.d rs2 != 0', opfp(0x1c, D, 1, 0, 10), 0],
    ['fclass rm = 2', opfp(0x1c, D, 0, 2, 10), 0],
    ['fmv.d.x rm = 1', opfp(0x1e, D, 0, 1, 4, 11), 0],
    ['funct5 = 6', opfp(0x06, D, 2, 0), 0],
    ['funct5 = 0x1f', opfp(0x1f, D, 2, 0), 0],
    ['other opcode', (legal & ~0x7f) | 0x33, 0],
  ]
  it.each(cases)('rejects %s and changes nothing', (_name, insn, frm) => {
    const st = fresh(frm)
    for (let i = 0; i < 64; i++) {
      st.f[i] = Math.imul(i + 1, 0x9e3779b9)
      st.x[i] = Math.imul(i + 7, 0x85ebca6b)
    }
    st.x[0] = st.x[1] = 0
    st.fflags = 0x15
    const f = st.f.slice()
    const x = st.x.slice()
    expect(execFp(st, insn)).toBe(false)
    expect(st.f).toEqual(f)
    expect(st.x).toEqual(x)
    expect(st.fflags).toBe(0x15)
  })

  it('accepts rounding-free instructions whatever frm holds', () => {
    expectF(run(fsgnj_(D, 1), { f1: d(1), f2: d(1), frm: 7 }), d(-1), 0)
    expectX(run(feq_(S), { f1: s(1), f2: s(1), frm: 5 }), 1n, 0)
    expectX(run(fmv_x_f(D), { f1: d(1), frm: 6 }), d(1), 0)
  })

  it('accrues flags instead of replacing them', () => {
    const st = fresh()
    st.fflags = DZ
    put(st.f, 1, d(1))
    put(st.f, 2, d(3))
    execFp(st, fdiv_(D))
    expect(st.fflags).toBe(DZ | NX)
  })
})

describe('fast paths agree with the exact path', () => {
  // mulberry32: deterministic operands spread over ordinary magnitudes, where the fast paths apply
  let seed = 12345
  const rnd = () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
  const val = (dbl: boolean) => {
    let x = (rnd() - 0.5) * 2 ** Math.floor(rnd() * 80 - 40)
    if (rnd() < 0.3) x = Math.round(x * 2 ** 20) / 2 ** 20 // short significands: exact results, ties
    return dbl ? d(x) : s(Math.fround(x))
  }
  it.each([['D', true], ['S', false]] as const)('for %s add/sub/mul/div/sqrt/fma under RNE', (_n, dbl) => {
    const F = dbl ? F64 : F32
    const fmt = dbl ? D : S
    const low = (v: bigint) => (dbl ? v : v & 0xffffffffn)
    const boxed = (v: bigint) => (dbl ? v : box(Number(v)))
    for (let i = 0; i < 4000; i++) {
      const a = val(dbl), b = val(dbl)
      const c = rnd() < 0.5 ? val(dbl) : neg(boxed(low(run(fmul_(fmt), { f1: a, f2: b }).f)))
      const cases: [number, (fl: { fflags: number }) => bigint][] = [
        [fadd_(fmt), fl => fadd(F, low(a), low(b), RNE, fl)],
        [fsub_(fmt), fl => fadd(F, low(a), low(b) ^ F.signBit, RNE, fl)],
        [fmul_(fmt), fl => fmul(F, low(a), low(b), RNE, fl)],
        [fdiv_(fmt), fl => fdiv(F, low(a), low(b), RNE, fl)],
        [fsqrt_(fmt), fl => fsqrt(F, low(a) & ~F.signBit, RNE, fl)],
        [fma_(FMADD, fmt), fl => ffma(F, low(a), low(b), low(c), 0, 0, RNE, fl)],
        [fma_(FNMSUB, fmt), fl => ffma(F, low(a), low(b), low(c), 1, 0, RNE, fl)],
      ]
      for (const [insn, exact] of cases) {
        const fl = { fflags: 0 }
        const want = boxed(exact(fl))
        const f1 = insn === fsqrt_(fmt) ? boxed(low(a) & ~F.signBit) : a
        const got = run(insn, { f1, f2: b, f3: c })
        expect({ f: hex(got.f), flags: got.flags }).toEqual({ f: hex(want), flags: fl.fflags })
      }
    }
  })
})
