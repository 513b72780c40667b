/**
 * The FP/AdvSIMD unit on literal encodings (`aarch64-linux-gnu-as` output, the assembly beside
 * each word), each expectation derived from the Arm ARM J1 pseudocode (FPRoundBase, FPUnpack,
 * FPProcessNaNs, FPMulAdd, FPToFixed, FixedToFP, FPConvert) and agreeing with QEMU 7.2 where
 * QEMU was asked (images/fp.S runs the same cases against it): rounding modes, tininess before
 * rounding, flush-to-zero, default NaN, NaN propagation, conversions at the integer limits,
 * half precision with and without AHP, the access traps, and V-register loads and stores.
 */
import { describe, expect, it } from 'vitest'
import { setElSp } from '../exceptions.ts'
import { SR } from '../sysreg-defs.ts'
import { ST } from '../state.ts'
import { RAM_BASE, runWords, testMachine, type TestMachine } from './harness.ts'

const IOC = 1, DZC = 2, OFC = 4, UFC = 8, IXC = 16, IDC = 128
const RN = 0, RP = 1 << 22, RM = 2 << 22, RZ = 3 << 22, FZ = 1 << 24, DN = 1 << 25, AHP = 1 << 26

interface Setup {
  /** V registers: n → bits of the low 32 (number) or 64 (bigint) bits; the rest zero */
  v?: Record<number, number | bigint>
  x?: Record<number, bigint>
  fpcr?: number
  /** leave CPACR_EL1.FPEN at its reset value (trapping) */
  trapped?: boolean
}

function setV(m: TestMachine, n: number, v: number | bigint): void {
  const w = m.cpu.v
  if (typeof v === 'number') { w[4 * n] = v; w[4 * n + 1] = 0 } else { w[4 * n] = Number(BigInt.asIntN(32, v)); w[4 * n + 1] = Number(BigInt.asIntN(32, v >> 32n)) }
  w[4 * n + 2] = 0; w[4 * n + 3] = 0
}

function run(words: number[], s: Setup = {}, steps = words.length): TestMachine {
  return runWords(words, (m) => {
    if (!s.trapped) m.cpu.sys[SR.CPACR_EL1 * 2] = 3 << 20
    m.cpu.sys[SR.FPCR * 2] = s.fpcr ?? 0
    for (const [n, v] of Object.entries(s.v ?? {})) setV(m, Number(n), v)
    for (const [n, v] of Object.entries(s.x ?? {})) m.cpu.setReg(Number(n), v)
  }, steps)
}

const S = (m: TestMachine, n = 0): number => m.cpu.v[4 * n]! >>> 0
const D = (m: TestMachine, n = 0): bigint => (BigInt(m.cpu.v[4 * n + 1]! >>> 0) << 32n) | BigInt(m.cpu.v[4 * n]! >>> 0)
const Q = (m: TestMachine, n = 0): bigint => (BigInt.asUintN(64, BigInt(m.cpu.v[4 * n + 3]!) << 32n | BigInt(m.cpu.v[4 * n + 2]! >>> 0)) << 64n) | D(m, n)
const X = (m: TestMachine, n = 0): bigint => BigInt.asUintN(64, m.cpu.reg(n))
const fpsr = (m: TestMachine): number => m.cpu.sys[SR.FPSR * 2]!
const esr = (m: TestMachine, el = 1): number => m.cpu.sys[(el === 2 ? SR.ESR_EL2 : SR.ESR_EL1) * 2]! >>> 0

const FADD_S = 0x1e222820 // fadd s0, s1, s2
const FMUL_S = 0x1e220820 // fmul s0, s1, s2
const FMADD_S = 0x1f020c20 // fmadd s0, s1, s2, s3
const FSUB_D = 0x1e623820 // fsub d0, d1, d2

describe('FPRound: rounding modes and flags', () => {
  // 1 + 1.5 ulp: a tie between 1 + 1 ulp and 1 + 2 ulp; and its negation
  const cases: [number, number, number][] = [[RN, 0x3f800002, 0xbf800002], [RP, 0x3f800002, 0xbf800001], [RM, 0x3f800001, 0xbf800002], [RZ, 0x3f800001, 0xbf800001]]
  for (const [mode, pos, neg] of cases) {
    it(`rounds an inexact sum by FPCR.RMode ${mode >>> 22}, raising IXC`, () => {
      const p = run([FADD_S], { v: { 1: 0x3f800000, 2: 0x34400000 }, fpcr: mode })
      expect([S(p).toString(16), fpsr(p)]).toEqual([pos.toString(16), IXC])
      const n = run([FADD_S], { v: { 1: 0xbf800000 | 0, 2: 0xb4400000 | 0 }, fpcr: mode })
      expect([S(n).toString(16), fpsr(n)]).toEqual([neg.toString(16), IXC])
    })
  }

  it('overflows to infinity or the largest finite number as the mode says (OFC and IXC)', () => {
    const max = 0x7f7fffff, two = 0x40000000
    const r = (mode: number, sign: number): number => S(run([FMUL_S], { v: { 1: max | sign, 2: two }, fpcr: mode }))
    expect([r(RN, 0), r(RZ, 0), r(RM, 0), r(RP, 0)].map((x) => x.toString(16))).toEqual(['7f800000', '7f7fffff', '7f7fffff', '7f800000'])
    expect([r(RM, 1 << 31), r(RP, 1 << 31)].map((x) => x.toString(16))).toEqual(['ff800000', 'ff7fffff'])
    expect(fpsr(run([FMUL_S], { v: { 1: max, 2: two } }))).toBe(OFC | IXC)
  })

  it('detects tininess before rounding (FPRoundBase), unlike RISC-V: UFC even when the result rounds up to the smallest normal', () => {
    // fmadd: 2^-126 + (-2^-149)·0.25 = 2^-126·(1 - 2^-25): tiny before rounding, 2^-126 after
    const m = run([FMADD_S], { v: { 1: 0x80000001 | 0, 2: 0x3e800000, 3: 0x00800000 } })
    expect(S(m)).toBe(0x00800000)
    expect(fpsr(m)).toBe(UFC | IXC)
  })

  it('raises no UFC for an exact tiny result (UFE is RAZ on the A53)', () => {
    const m = run([FMUL_S], { v: { 1: 0x00800000, 2: 0x3f000000 } })
    expect([S(m), fpsr(m)]).toEqual([0x00400000, 0])
  })

  it('divides by zero into a signed infinity with DZC; 0/0 is the default NaN with IOC', () => {
    const fdiv = 0x1e221820 // fdiv s0, s1, s2
    const a = run([fdiv], { v: { 1: 0xbf800000 | 0, 2: 0 } })
    expect([S(a), fpsr(a)]).toEqual([0xff800000, DZC])
    const b = run([fdiv], { v: { 1: 0, 2: 0 } })
    expect([S(b), fpsr(b)]).toEqual([0x7fc00000, IOC])
  })

  it('gives an exact zero sum +0, or -0 when rounding toward minus infinity', () => {
    expect(S(run([FADD_S], { v: { 1: 0x3f800000, 2: 0xbf800000 | 0 } }))).toBe(0)
    expect(S(run([FADD_S], { v: { 1: 0x3f800000, 2: 0xbf800000 | 0 }, fpcr: RM }))).toBe(0x80000000)
  })
})

describe('flush-to-zero and default NaN', () => {
  it('FZ: a denormal input is a zero and raises IDC (no IXC)', () => {
    const m = run([FADD_S], { v: { 1: 0x00000001, 2: 0x3f800000 }, fpcr: FZ })
    expect([S(m), fpsr(m)]).toEqual([0x3f800000, IDC])
    const n = run([FADD_S], { v: { 1: 0x00000001, 2: 0x3f800000 } })
    expect([S(n), fpsr(n)]).toEqual([0x3f800000, IXC])
  })

  it('FZ: a result tiny before rounding becomes a zero of its sign with UFC only', () => {
    const m = run([FMUL_S], { v: { 1: 0x80800000 | 0, 2: 0x3f000000 }, fpcr: FZ })
    expect([S(m), fpsr(m)]).toEqual([0x80000000, UFC])
    // the fmadd above: its denormal product operand is flushed, so the sum is exact
    const f = run([FMADD_S], { v: { 1: 0x80000001 | 0, 2: 0x3e800000, 3: 0x00800000 }, fpcr: FZ })
    expect([S(f), fpsr(f)]).toEqual([0x00800000, IDC])
  })

  it('DN: every NaN result is the default NaN 0x7fc00000', () => {
    const m = run([FADD_S], { v: { 1: 0xffc00123 | 0, 2: 0x3f800000 }, fpcr: DN })
    expect([S(m), fpsr(m)]).toEqual([0x7fc00000, 0])
    const d = run([FSUB_D], { v: { 1: 0x7ff0000000000001n, 2: 0n }, fpcr: DN })
    expect([D(d), fpsr(d)]).toEqual([0x7ff8000000000000n, IOC])
  })
})

describe('NaN propagation (FPProcessNaNs)', () => {
  it('takes a signalling NaN before a quiet one, quieting it with IOC', () => {
    const m = run([FADD_S], { v: { 1: 0x7fc00001, 2: 0x7f800002 } })
    expect([S(m).toString(16), fpsr(m)]).toEqual(['7fc00002', IOC])
  })
  it('otherwise the first operand, its payload and sign kept', () => {
    const m = run([FADD_S], { v: { 1: 0xffc00001 | 0, 2: 0x7fc00002 } })
    expect([S(m).toString(16), fpsr(m)]).toEqual(['ffc00001', 0])
  })
  it('FSUB returns a NaN second operand unnegated', () => {
    const m = run([FSUB_D], { v: { 1: 0x3ff0000000000000n, 2: 0xfff8000000000001n } })
    expect(D(m).toString(16)).toBe('fff8000000000001')
  })
  it('FMADD: the addend first among NaNs of equal kind, signalling ones before all', () => {
    const q = run([FMADD_S], { v: { 1: 0x7fc00001, 2: 0x7fc00002, 3: 0x7fc00003 } })
    expect(S(q).toString(16)).toBe('7fc00003')
    const s = run([FMADD_S], { v: { 1: 0x7f800001, 2: 0x7fc00002, 3: 0x7fc00003 } })
    expect([S(s).toString(16), fpsr(s)]).toEqual(['7fc00001', IOC])
  })
  it('FMADD: ∞ × 0 with a quiet NaN addend is still invalid: the default NaN', () => {
    const m = run([FMADD_S], { v: { 1: 0x7f800000, 2: 0, 3: 0x7fc00003 } })
    expect([S(m).toString(16), fpsr(m)]).toEqual(['7fc00000', IOC])
  })
  it('FMAX propagates a NaN; FMINNM prefers the number to a quiet NaN', () => {
    const fmax = 0x1e224820 // fmax s0, s1, s2
    expect(S(run([fmax], { v: { 1: 0x3f800000, 2: 0x7fc00005 } })).toString(16)).toBe('7fc00005')
    const fminnm = 0x1e627820 // fminnm d0, d1, d2
    expect(D(run([fminnm], { v: { 1: 0x7ff8000000000005n, 2: 0xbff0000000000000n } })).toString(16)).toBe('bff0000000000000')
  })
})

describe('conversions to integers (FPToFixed) at the limits', () => {
  const fcvtzsW = 0x1e380020 // fcvtzs w0, s1
  const cv = (insn: number, v: number | bigint, fpcr = 0): [string, number] => {
    const m = run([insn], { v: { 1: v }, fpcr })
    return [X(m).toString(16), fpsr(m)]
  }
  it('saturates out-of-range values with IOC and no IXC', () => {
    expect(cv(fcvtzsW, 0x4f000000)).toEqual(['7fffffff', IOC]) // 2^31
    expect(cv(fcvtzsW, 0xcf000000 | 0)).toEqual(['80000000', 0]) // -2^31: in range
    expect(cv(0x9e780020, 0x43e0000000000000n)).toEqual(['7fffffffffffffff', IOC]) // fcvtzs x0, d1: 2^63
    expect(cv(0x9e780020, 0xc3e0000000000000n)).toEqual(['8000000000000000', 0]) // -2^63
    expect(cv(0x1e790020, 0xbff0000000000000n)).toEqual(['0', IOC]) // fcvtzu w0, d1: -1
    expect(cv(0x9e390020, 0x5f800000)).toEqual(['ffffffffffffffff', IOC]) // fcvtzu x0, s1: 2^64
  })
  it('gives 0 with IOC for a NaN (Arm, not RISC-V\'s largest integer)', () => {
    expect(cv(fcvtzsW, 0x7fc00000)).toEqual(['0', IOC])
  })
  it('rounds toward zero (FCVTZ*), ties away (FCVTA*), raising IXC', () => {
    expect(cv(0x1e790020, 0x41effffffff00000n)).toEqual(['ffffffff', IXC]) // fcvtzu w0, d1: 2^32 - 0.5
    expect(cv(fcvtzsW, 0xbf000000 | 0)).toEqual(['0', IXC]) // -0.5
    expect(cv(0x1e640020, 0x4004000000000000n)).toEqual(['3', IXC]) // fcvtas w0, d1: 2.5
    expect(cv(0x1e640020, 0xc004000000000000n)).toEqual(['fffffffd', IXC]) // -2.5
    expect(cv(0x1e18fc20, 0x3fe00000)).toEqual(['3', IXC]) // fcvtzs w0, s1, #1: 1.75 · 2
  })
  it('rounds integers to floating point by FPCR (FixedToFP)', () => {
    const scvtf = 0x9e220020 // scvtf s0, x1
    const a = run([scvtf], { x: { 1: 0x7fffffffffffffffn } })
    expect([S(a).toString(16), fpsr(a)]).toEqual(['5f000000', IXC])
    expect(S(run([scvtf], { x: { 1: 0x7fffffffffffffffn }, fpcr: RZ })).toString(16)).toBe('5effffff')
    const u = run([0x9e630020], { x: { 1: -1n } }) // ucvtf d0, x1
    expect([D(u).toString(16), fpsr(u)]).toEqual(['43f0000000000000', IXC])
  })
})

describe('half precision (FPConvert)', () => {
  const toH = 0x1e23c020 // fcvt h0, s1
  it('rounds 65520 to infinity in IEEE half (OFC, IXC), to 65536 in the alternative format (IXC)', () => {
    const m = run([toH], { v: { 1: 0x477ff000 } })
    expect([S(m).toString(16), fpsr(m)]).toEqual(['7c00', OFC | IXC])
    const a = run([toH], { v: { 1: 0x477ff000 }, fpcr: AHP })
    expect([S(a).toString(16), fpsr(a)]).toEqual(['7c00', IXC])
  })
  it('AHP: overflow saturates to all ones with IOC; a NaN becomes a zero with IOC', () => {
    const o = run([toH], { v: { 1: 0xc9742400 | 0 }, fpcr: AHP })
    expect([S(o).toString(16), fpsr(o)]).toEqual(['ffff', IOC])
    const n = run([toH], { v: { 1: 0xffc00001 | 0 }, fpcr: AHP })
    expect([S(n).toString(16), fpsr(n)]).toEqual(['8000', IOC])
  })
  it('widens a signalling half NaN to a quiet single with its payload (FPConvertNaN), and AHP\'s top exponent to a number', () => {
    const toS = 0x1ee24020 // fcvt s0, h1
    const m = run([toS], { v: { 1: 0x7c01 } })
    expect([S(m).toString(16), fpsr(m)]).toEqual(['7fc02000', IOC])
    expect(S(run([toS], { v: { 1: 0x7fff }, fpcr: AHP })).toString(16)).toBe('47ffe000') // 131008
  })
  it('never flushes half operands or results (FZ16 is not FZ)', () => {
    const m = run([0x1ee2c020], { v: { 1: 0x0001 }, fpcr: FZ }) // fcvt d0, h1: 2^-24
    expect([D(m).toString(16), fpsr(m)]).toEqual(['3e70000000000000', 0])
    const t = run([0x1e63c020], { v: { 1: 0x3e60000000000000n } }) // fcvt h0, d1: 2^-25, a tie with 0
    expect([S(t), fpsr(t)]).toEqual([0, UFC | IXC])
  })
})

describe('SIMD & FP register writes', () => {
  it('clear the register above the scalar or 64-bit vector written', () => {
    const m = run([0x9e670020], { x: { 1: 0x1122334455667788n } }, 0) // fmov d0, x1
    m.cpu.v.fill(-1, 0, 4)
    m.cpu.run(1)
    expect(Q(m).toString(16)).toBe('1122334455667788')
    const n = run([0x0e216820], { v: { 1: 0x3f800000 } }, 0) // fcvtn v0.4h, v1.4s
    n.cpu.v.fill(-1, 0, 4)
    n.cpu.run(1)
    expect(Q(n).toString(16)).toBe('3c00')
  })
})

describe('access traps (CheckFPAdvSIMDEnabled64)', () => {
  it('CPACR_EL1.FPEN traps an FP instruction at EL1 with EC 0x07 (ISS: CV, COND 0b1110)', () => {
    const m = run([FADD_S], { trapped: true }, 1)
    expect(esr(m).toString(16)).toBe('1fe00000')
    expect(m.cpu.el).toBe(1)
  })
  it('so is an FPCR access', () => {
    const m = run([0xd53b4400 | 0], { trapped: true }, 1) // mrs x0, fpcr
    expect(esr(m).toString(16)).toBe('1fe00000')
  })
  it('an unallocated encoding is UNDEFINED (EC 0) even while FP is disabled: decode comes first', () => {
    const m = run([0x0ee08420], { trapped: true, v: { 1: 5 } }, 1) // add v0.1d, v1.1d, v0.1d: reserved
    expect(esr(m).toString(16)).toBe('2000000')
    expect(S(m, 0)).toBe(0) // nothing it computed on the way stayed
  })
  it('CPTR_EL2.TFP traps EL1 to EL2', () => {
    const m = testMachine({ el2: true })
    m.bus.write32(RAM_BASE, FADD_S)
    m.cpu.reset(BigInt(RAM_BASE))
    const h = m.cpu
    h.sys[SR.CPACR_EL1 * 2] = 3 << 20
    h.sys[SR.CPTR_EL2 * 2] = 1 << 10
    setElSp(h, 1, 1)
    h.run(1)
    expect(h.st[ST.EL]).toBe(2)
    expect(esr(m, 2).toString(16)).toBe('1fe00000')
  })
})

describe('V-register loads and stores', () => {
  const LDR_Q = 0x3dc00020 // ldr q0, [x1]
  const fill = (m: TestMachine, at: number): void => { for (let i = 0; i < 32; i++) m.bus.write(at + i, 1, i + 1) }
  it('load misaligned inside a page and across pages', () => {
    for (const off of [0x1001, 0x1ff9]) {
      const m = run([LDR_Q], { x: { 1: BigInt(RAM_BASE + off) } }, 0)
      fill(m, RAM_BASE + off)
      m.cpu.run(1)
      expect(Q(m).toString(16)).toBe('100f0e0d0c0b0a090807060504030201')
    }
  })
  it('fault on a misaligned Q access when SCTLR_EL1.A is set (alignment fault, DFSC 0x21)', () => {
    const m = run([LDR_Q], { x: { 1: BigInt(RAM_BASE + 0x1008) } }, 0)
    m.cpu.sys[SR.SCTLR_EL1 * 2] |= 2
    m.cpu.run(1)
    expect((esr(m) >>> 26).toString(16)).toBe('25')
    expect(esr(m) & 63).toBe(0x21)
  })
  it('store, and load pairs with post-index writeback', () => {
    const m = run([0x3d800020, 0xacc10420], { x: { 1: BigInt(RAM_BASE + 0x2000) }, v: { 0: 0x0123456789abcdefn } }) // str q0, [x1]; ldp q0, q1, [x1], #32
    expect(Q(m, 0).toString(16)).toBe('123456789abcdef')
    expect(X(m, 1)).toBe(BigInt(RAM_BASE + 0x2020))
  })
  it('check SP alignment for an SP base (SCTLR_EL1.SA)', () => {
    const m = run([0x3dc003e0], {}, 0) // ldr q0, [sp]
    m.cpu.setReg(31, BigInt(RAM_BASE + 0x3008))
    m.cpu.run(1)
    expect((esr(m) >>> 26).toString(16)).toBe('26')
  })
})
