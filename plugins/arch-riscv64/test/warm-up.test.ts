import { describe, expect, it } from 'vitest'
import { runWarmUp } from '../warm-up.ts'
import { CSR } from '../csr-defs.ts'
import { SLOT_NO_REGION } from '../../../core/cpu/code-cache.ts'

describe('the execute loop warm-up', () => {
  it('runs its program round and round without a trap, on a bus of its own', () => {
    const h = runWarmUp()
    expect(h.instret).toBe(40 * 97)
    expect(h.c[CSR.mcause * 2]).toBe(0) // no exception, no interrupt
    expect(h.c[CSR.mepc * 2]).toBe(0)
    expect(h.pc >= 0x80000000n && h.pc < 0x80000200n).toBe(true)
    // it went round its loop more than once: the counter a0 grew by one per round (c.addi a0, 1)
    expect(h.reg(10) - 0x1234n).toBeGreaterThan(10n)
    // the loop went into the two stand-in blocks (the fences) every round, and its stores beside
    // the code (slow path, every width) reached memory: the last sd wrote a0 of its round
    expect(h.code.stats.ranTranslated).toBeGreaterThan(20)
    expect(h.code.stats.entries).toBe(h.code.stats.ranTranslated)
    expect(h.bus.read(0x800007d8, 4, 0)).not.toBe(0)
    // slots got hot (so the loop's call into the translator has its feedback), but nothing was compiled
    expect(h.code.stats.modules).toBe(0)
    const page0 = h.code.page(h.bus.ramOffset(0x80000000) >>> 12)
    expect(page0.some((w) => (w & SLOT_NO_REGION) !== 0)).toBe(true)
    // the way back went last across the page boundary: an instruction in two pages, never kept decoded
    const page2 = h.code.page(h.bus.ramOffset(0x80002000) >>> 12)
    expect(page2[4094]).toBe(0)
    expect(h.bus.read(0x80002ffe, 2, 0) | (h.bus.read(0x80003000, 2, 0) << 16)).toBe(0x81efd06f | 0) // jal zero,0x8000001c (as assembled)
  })
})
