import { describe, expect, it } from 'vitest'
import { runWarmUp } from '../warm-up.ts'
import { SR } from '../sysreg-defs.ts'

describe('the A64 execute loop warm-up', () => {
  it('runs its program round and round on a bus of its own, taking only its own SVCs', () => {
    const h = runWarmUp()
    expect(h.instret).toBe(60 * 97)
    // the last exception was an SVC (EC 0x15) from its own loop, at EL1: no abort, no UNDEFINED
    expect(h.sys[SR.ESR_EL1 * 2]! >>> 26).toBe(0x15)
    expect(h.el).toBe(1)
    // it went round its loop many times (x5 counts rounds), negating its operands each time
    expect(h.reg(5)).toBeGreaterThan(20n)
    expect(h.pc >= 0x4000_0000n && h.pc < 0x4000_0400n).toBe(true)
  })
})
