/**
 * Instruction classes on literal encodings (`aarch64-linux-gnu-as` output, the assembly beside
 * each word), run on a bare hart: the flag and width edge cases of the ALU, DecodeBitMasks, the
 * exclusive monitor and LSE, exception entry and syndromes where QEMU cannot be the reference,
 * self-modifying code, and the decoder's constants as the execute loop copies them.
 */
import { describe, expect, it } from 'vitest'
import * as decode from '../decode.ts'
import { LOOP_FIELDS } from '../execute.ts'
import { SR } from '../sysreg-defs.ts'
import { ST } from '../state.ts'
import { RAM_BASE, runWords, type TestMachine } from './harness.ts'

const X = (m: TestMachine, n: number): bigint => BigInt.asUintN(64, m.cpu.reg(n))
const nzcv = (m: TestMachine): number => m.cpu.st[ST.NZCV]! >>> 28
const sys = (m: TestMachine, i: number): bigint => BigInt.asUintN(64, (BigInt(m.cpu.sys[i * 2 + 1]!) << 32n) | BigInt(m.cpu.sys[i * 2]! >>> 0))

describe('AddWithCarry', () => {
  it('sets V on signed overflow and C on unsigned carry, 64-bit', () => {
    // adds x0, x1, x2
    const m = runWords([0xab020020], (m) => { m.cpu.setReg(1, 0x7fffffffffffffffn); m.cpu.setReg(2, 1n) })
    expect(X(m, 0)).toBe(0x8000000000000000n)
    expect(nzcv(m)).toBe(0b1001) // N, V
    const c = runWords([0xab020020], (m) => { m.cpu.setReg(1, -1n); m.cpu.setReg(2, 1n) })
    expect(X(c, 0)).toBe(0n)
    expect(nzcv(c)).toBe(0b0110) // Z, C
  })

  it('computes the 32-bit flags from the W result and zero-extends it', () => {
    // adds w0, w1, w2
    const m = runWords([0x2b020020], (m) => { m.cpu.setReg(1, 0xffffffff7fffffffn); m.cpu.setReg(2, 0x1_00000001n) })
    expect(X(m, 0)).toBe(0x80000000n)
    expect(nzcv(m)).toBe(0b1001)
    // add w0, w1, #1 on a register with its high half set; add w0, w1, w2
    expect(X(runWords([0x11000420], (m) => m.cpu.setReg(1, 0xdeadbeefffffffffn)), 0)).toBe(0n)
    expect(X(runWords([0x0b020020], (m) => { m.cpu.setReg(1, -1n); m.cpu.setReg(2, -1n) }), 0)).toBe(0xfffffffen)
  })
})

describe('DecodeBitMasks', () => {
  const mask = (n: number, imms: number, immr: number, sf = true): bigint | null => {
    const o = [0, 0]
    return decode.decodeBitMasks(n, imms, immr, sf, o) ? (BigInt(o[1]! >>> 0) << 32n) | BigInt(o[0]! >>> 0) : null
  }
  it('replicates rotated runs of every element size', () => {
    expect(mask(0, 0b111100, 0)).toBe(0x5555555555555555n) // 2-bit elements, one bit set
    expect(mask(0, 0b000111, 0)).toBe(0x000000ff000000ffn) // 32-bit elements of 8 ones
    expect(mask(1, 0b000000, 1)).toBe(0x8000000000000000n) // one bit, rotated right by one
    expect(mask(1, 0b111110, 0)).toBe(0x7fffffffffffffffn)
    expect(mask(0, 0b110101, 3, false)).toBe(0xe7e7e7e7n) // 8-bit elements, six ones rotated by 3
  })
  it('refuses the reserved encodings: all ones, N = 1 in 32-bit, no element size', () => {
    expect(mask(1, 0b111111, 0)).toBeNull()
    expect(mask(0, 0b111101, 0)).toBeNull()
    expect(mask(1, 0, 0, false)).toBeNull()
  })
  it('is what AND (immediate) executes', () => {
    // and x0, x1, #0x5555555555555555
    expect(X(runWords([0x9200f020], (m) => m.cpu.setReg(1, -1n)), 0)).toBe(0x5555555555555555n)
  })
})

describe('the exclusive monitor and LSE', () => {
  const buf = RAM_BASE + 0x1000
  it('fails a store-exclusive after an intervening store of another value', () => {
    // ldxr x3, [x0]; str x4, [x0]; stxr w5, x6, [x0]
    const m = runWords([0xc85f7c03, 0xf9000004, 0xc8057c06], (m) => {
      m.cpu.setReg(0, BigInt(buf)); m.cpu.setReg(4, 7n); m.cpu.setReg(6, 9n)
    })
    expect(X(m, 5)).toBe(1n)
    expect(m.bus.read64(buf)).toBe(7n)
  })
  it('succeeds when nothing intervened, and only once', () => {
    // ldxr x3, [x0]; stxr w5, x6, [x0]; stxr w5... (second fails: the monitor is clear)
    const m = runWords([0xc85f7c03, 0xc8057c06], (m) => { m.cpu.setReg(0, BigInt(buf)); m.cpu.setReg(6, 9n) })
    expect(X(m, 5)).toBe(0n)
    expect(m.bus.read64(buf)).toBe(9n)
    expect(m.cpu.st[ST.EX_SIZE]).toBe(0)
  })
  /** QEMU's -cpu max: these are FEAT_LSE's (the A53's Armv8.0 has them UNDEFINED, below) */
  const LSE = { lse: true }
  it('CAS stores only on a match and returns the old value either way', () => {
    // cas x1, x2, [x0]
    const hit = runWords([0xc8a17c02], (m) => { m.bus.write64(buf, 5n); m.cpu.setReg(0, BigInt(buf)); m.cpu.setReg(1, 5n); m.cpu.setReg(2, 6n) }, 1, LSE)
    expect([X(hit, 1), hit.bus.read64(buf)]).toEqual([5n, 6n])
    const miss = runWords([0xc8a17c02], (m) => { m.bus.write64(buf, 4n); m.cpu.setReg(0, BigInt(buf)); m.cpu.setReg(1, 5n); m.cpu.setReg(2, 6n) }, 1, LSE)
    expect([X(miss, 1), miss.bus.read64(buf)]).toEqual([4n, 4n])
    // casal w1, w2, [x0]: compares the low word only and zero-extends the old value
    const w = runWords([0x88e1fc02], (m) => { m.bus.write64(buf, 0xaaaaaaaa_80000000n); m.cpu.setReg(0, BigInt(buf)); m.cpu.setReg(1, 0xffffffff_80000000n); m.cpu.setReg(2, 1n) }, 1, LSE)
    expect([X(w, 1), w.bus.read64(buf)]).toEqual([0x80000000n, 0xaaaaaaaa_00000001n])
  })
  it('LDADDAL adds and returns the old value; a misaligned address is an alignment fault', () => {
    // ldaddal x1, x2, [x0]
    const m = runWords([0xf8e10002], (m) => { m.bus.write64(buf, 40n); m.cpu.setReg(0, BigInt(buf)); m.cpu.setReg(1, 2n) }, 1, LSE)
    expect([X(m, 2), m.bus.read64(buf)]).toEqual([40n, 42n])
    const f = runWords([0xf8e10002], (m) => m.cpu.setReg(0, BigInt(buf + 4)), 1, LSE)
    expect(sys(f, SR.ESR_EL1)).toBe(0x96000061n) // EC 0x25, WnR, DFSC alignment
    expect(sys(f, SR.FAR_EL1)).toBe(BigInt(buf + 4))
  })
  it('on a Cortex-A53 (no FEAT_LSE, ID_AA64ISAR0_EL1.Atomic = 0) LDADDAL, CAS and CASP are UNDEFINED', () => {
    for (const w of [0xf8e10002, 0xc8a17c02, 0x48207c82]) {
      const m = runWords([w], (m) => { m.cpu.setReg(0, BigInt(buf)) })
      expect(sys(m, SR.ESR_EL1) >> 26n).toBe(0n) // EC 0x00: unknown reason
    }
    expect((sys(runWords([0xd503201f]), SR.ID_AA64ISAR0_EL1) >> 20n) & 15n).toBe(0n)
    expect((sys(runWords([0xd503201f], undefined, 1, { lse: true }), SR.ID_AA64ISAR0_EL1) >> 20n) & 15n).toBe(2n)
  })
})

describe('exceptions', () => {
  it('traps MSR DAIFSet at EL0 with Op1 and Op2 in their ISS places (QEMU 7.2 swaps them)', () => {
    // msr daifset, #2 at EL0 with SCTLR_EL1.UMA clear
    const m = runWords([0xd50342df], (m) => { m.cpu.st[ST.EL] = 0; m.cpu.st[ST.SPSEL] = 0 })
    expect(sys(m, SR.ESR_EL1)).toBe(0x620cd3e4n) // EC 0x18; Op2 6, Op1 3, CRn 4, Rt 31, CRm 2
    expect(m.cpu.pc).toBe(0x400n) // VBAR_EL1 (0) + lower EL using AArch64, synchronous
  })
  it('faults a load through a misaligned SP when SCTLR_EL1.SA is set (QEMU does not check)', () => {
    // ldr x2, [sp, #8]
    const m = runWords([0xf94007e2], (m) => { m.cpu.setReg(31, BigInt(RAM_BASE + 0x1008)) })
    expect(sys(m, SR.ESR_EL1)).toBe(0x9a000000n) // EC 0x26
    const off = runWords([0xf94007e2], (m) => { m.cpu.setReg(31, BigInt(RAM_BASE + 0x1008)); m.cpu.sys[SR.SCTLR_EL1 * 2] &= ~8 })
    expect(off.cpu.pc).toBe(BigInt(RAM_BASE + 4))
  })
  it('takes a hint, barrier, CLREX or MSR (immediate) encoding whose Rt is not 31 as UNDEFINED (unallocated; QEMU too)', () => {
    // wfi, clrex, isb, msr daifset #2, each with Rt = 0 instead of 31
    for (const w of [0xd5032060, 0xd5033f40, 0xd5033fc0, 0xd50342c0]) {
      const m = runWords([w])
      expect(sys(m, SR.ESR_EL1) >> 26n, w.toString(16)).toBe(0n) // EC 0x00: unknown reason
      expect(m.cpu.pc).toBe(0x200n) // VBAR_EL1 (0) + current EL with SP_ELx, synchronous
    }
    const wfi = runWords([0xd503207f, 0xd503201f]) // the real WFI waits (nothing pending): no exception
    expect(sys(wfi, SR.ESR_EL1)).toBe(0n)
  })
  it('banks SP: MSR SPSel switches between SP_EL0 and SP_EL1', () => {
    // msr spsel, #0; mov x1, sp
    const m = runWords([0xd50040bf, 0x910003e1], (m) => {
      m.cpu.setReg(31, 0x1111n)
      m.cpu.sys[SR.SP_EL0 * 2] = 0x2222
    })
    expect(X(m, 1)).toBe(0x2222n)
    expect(sys(m, SR.SP_EL1)).toBe(0x1111n)
  })
})

describe('code', () => {
  it('runs the new instruction after a store overwrites one already decoded', () => {
    // add x0, x0, #1; str w1, [x2] (over the add); b -8 → back to the add, now the stored `sub x0, x0, #1`
    const m = runWords([0x91000400, 0xb9000041, 0x17fffffe], (m) => {
      m.cpu.setReg(1, 0xd1000400n) // sub x0, x0, #1
      m.cpu.setReg(2, BigInt(RAM_BASE))
    }, 4)
    expect(X(m, 0)).toBe(0n)
  })
  it('keeps the loop constants equal to the decoder', () => {
    expect(LOOP_FIELDS).toEqual({
      ALU_LAST: decode.ALU_LAST, MEM_FIRST: decode.MEM_FIRST, K_REG: decode.K_REG, K_IMM: decode.K_IMM,
      K_LSL: decode.K_LSL, K_LSR: decode.K_LSR, EX_INV: decode.EX_INV, EX_SF: decode.EX_SF,
      M_REG: decode.M_REG, M_LIT: decode.M_LIT, M_PRE: decode.M_PRE, M_POST: decode.M_POST,
    })
  })
})

/**
 * The execute loop's inline fast paths (shifted-register LSL/LSR operands, register offsets
 * extended and scaled, UBFM's LSR/LSL aliases) against the architecture's definitions, computed
 * here with BigInt, at every shift amount and on values with both halves busy.
 */
describe('inline operand paths', () => {
  const M64 = (1n << 64n) - 1n
  const values = [0x0123456789abcdefn, 0xfedcba9876543210n, 0x80000000_00000001n, 0xffffffff_fffffffen, 1n, 0n]
  it('ADD (shifted register) LSL/LSR #0..63, X form', () => {
    for (const shift of [0, 1, 5, 31, 32, 33, 47, 63]) {
      for (const [type, f] of [[0, (v: bigint) => (v << BigInt(shift)) & M64], [1, (v: bigint) => v >> BigInt(shift)]] as const) {
        // add x0, x1, x2, lsl|lsr #shift: sf=1 op=0 S=0 01011 shift:2 0 Rm imm6 Rn Rd
        const word = (0x8b000000 | (type << 22) | (2 << 16) | (shift << 10) | (1 << 5) | 0) >>> 0
        for (const v of values) {
          const m = runWords([word], (m) => { m.cpu.setReg(1, 0x1111n); m.cpu.setReg(2, BigInt.asIntN(64, v)) })
          expect(X(m, 0), `shift ${type} #${shift} of ${v.toString(16)}`).toBe((0x1111n + f(v)) & M64)
        }
      }
    }
  })
  it('LDR (register) with LSL #3, UXTW and SXTW offsets', () => {
    const base = BigInt(RAM_BASE + 0x2000)
    // ldr x0, [x1, x2, lsl #3] / ldr x0, [x1, w2, uxtw #3] / ldr x0, [x1, w2, sxtw #3]
    const forms: [number, (i: bigint) => bigint][] = [
      [0xf8627820, (i) => i * 8n], [0xf8625820, (i) => BigInt.asUintN(32, i) * 8n], [0xf862d820, (i) => BigInt.asIntN(32, i) * 8n],
    ]
    for (const [word, off] of forms) {
      for (const idx of [3n, 0xffff_fffen | (7n << 32n), 0x1_0000_0004n]) {
        const o = off(idx)
        if (o < -0x1000n || o >= 0x1000n) continue // stay inside the test's RAM
        const m = runWords([word], (m) => {
          m.cpu.setReg(1, base); m.cpu.setReg(2, BigInt.asIntN(64, idx))
          m.bus.write32(Number(base + o), 0x89abcdef); m.bus.write32(Number(base + o) + 4, 0x01234567)
        })
        expect(X(m, 0), `${word.toString(16)} index ${idx.toString(16)}`).toBe(0x0123456789abcdefn)
      }
    }
  })
  it('UBFM as LSR and LSL #1..63 equals the shifts', () => {
    for (const shift of [1, 7, 31, 32, 33, 63]) {
      // lsr x0, x1, #s = ubfm x0, x1, #s, #63; lsl x0, x1, #s = ubfm x0, x1, #(64-s), #(63-s)
      const lsr = (0xd3400000 | (shift << 16) | (63 << 10) | (1 << 5)) >>> 0
      const lsl = (0xd3400000 | (((64 - shift) & 63) << 16) | ((63 - shift) << 10) | (1 << 5)) >>> 0
      for (const v of values) {
        expect(X(runWords([lsr], (m) => m.cpu.setReg(1, BigInt.asIntN(64, v))), 0)).toBe(v >> BigInt(shift))
        expect(X(runWords([lsl], (m) => m.cpu.setReg(1, BigInt.asIntN(64, v))), 0)).toBe((v << BigInt(shift)) & M64)
      }
    }
  })
})
