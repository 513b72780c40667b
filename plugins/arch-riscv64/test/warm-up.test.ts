import { describe, expect, it } from 'vitest'
import { runWarmUp } from '../warm-up.ts'
import { CSR } from '../csr-defs.ts'

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
  })
})
