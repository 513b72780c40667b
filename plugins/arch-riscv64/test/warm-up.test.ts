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
  })
})
