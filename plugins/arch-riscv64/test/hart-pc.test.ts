import { describe, expect, it } from 'vitest'
import { MemoryBus } from '../../../core/bus.ts'
import { Scheduler } from '../../../core/scheduler.ts'
import { RiscvHart } from '../hart.ts'
import { STATE } from '../wasm-tier.ts'

describe('the hart keeps its pc in its state area', () => {
  it('as two int32 words, read back as they were written, whatever their top bits', () => {
    const bus = new MemoryBus(8192)
    bus.addRam(0x80000000, 8192)
    const h = new RiscvHart({ bus, sched: new Scheduler(), cpuHz: 100_000_000, timebaseHz: 10_000_000, cpus: 1 }, 0)
    const words = new Int32Array(bus.arena.buffer, h.stateBase + STATE.PC, 2)
    h.pc = 0xffffffff80001234n
    expect([words[0], words[1]]).toEqual([0x80001234 | 0, -1])
    expect(h.pcLo).toBe(0x80001234 | 0)
    expect(h.pcHi).toBe(-1)
    // the field is not a number V8 keeps as a small integer; a read gives the int32 all the same
    h.pcLo = 0x7fffffff
    h.pcLo = (h.pcLo + 1) | 0
    expect(h.pcLo).toBe(-0x80000000)
    expect(BigInt.asUintN(64, h.pc)).toBe(0xffffffff80000000n)
    // a snapshot carries it, and restore puts it back into the state area
    const snap = h.snapshot()
    h.pc = 0n
    h.restore(snap)
    expect(BigInt.asUintN(64, h.pc)).toBe(0xffffffff80000000n)
    expect(words[0]).toBe(-0x80000000)
  })
})
