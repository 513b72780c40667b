/**
 * Interrupts, WFI and the generic timer on a scheduled machine: the virtual timer's output line
 * rises at CVAL in 62.5 MHz ticks of virtual time, a GIC stand-in passes it to the hart's IRQ
 * input, and the hart takes it only while PSTATE.I is clear; WFI idles the hart until then.
 * Also PSCI CPU_ON waking a second hart.
 */
import { describe, expect, it } from 'vitest'
import { irqLine } from '../../../core/irq.ts'
import { SR } from '../sysreg-defs.ts'
import { ST } from '../state.ts'
import { RAM_BASE, testMachine } from './harness.ts'

const VBAR = RAM_BASE + 0x800

function load(m: ReturnType<typeof testMachine>, at: number, words: number[]): void {
  words.forEach((w, i) => m.bus.write32(at + 4 * i, w >>> 0))
}

describe('the virtual timer through a GIC stand-in', () => {
  it('raises its line at CVAL; the hart leaves WFI and takes the IRQ once unmasked', () => {
    const m = testMachine()
    const h = m.cpu
    // msr vbar_el1, x10; msr cntv_cval_el0, x1; mov x2, #1; msr cntv_ctl_el0, x2; msr daifclr, #2; wfi; b .
    load(m, RAM_BASE, [0xd518c00a, 0xd51be341, 0xd2800022, 0xd51be322, 0xd50342ff, 0xd503207f, 0x14000000])
    // at VBAR + 0x280 (current EL with SP_ELx, IRQ): mrs x3, cntvct_el0; mrs x4, cntv_ctl_el0; b .
    load(m, VBAR + 0x280, [0xd53be043, 0xd53be324, 0x14000000])
    h.reset(BigInt(RAM_BASE))
    h.setReg(10, BigInt(VBAR))
    h.setReg(1, 1000n) // ticks of 62.5 MHz: 16 µs, 16,000 cycles of this 1 GHz machine
    const edges: number[] = []
    h.timerOut.virt = irqLine((level) => { edges.push(m.sched.time()); h.irq('irq').set(level) })
    m.sched.run({ cycles: 10_000 })
    expect(h.idle).toBe(true) // in WFI, nothing pending yet
    expect(edges).toEqual([])
    m.sched.run({ cycles: 20_000 })
    expect(edges).toEqual([16_000])
    expect(h.pc).toBe(BigInt(VBAR + 0x288))
    expect(BigInt.asUintN(64, h.reg(3))).toBeGreaterThanOrEqual(1000n)
    expect(h.reg(4)).toBe(5n) // ENABLE | ISTATUS
    expect(BigInt.asUintN(64, (BigInt(h.sys[SR.ELR_EL1 * 2 + 1]!) << 32n) | BigInt(h.sys[SR.ELR_EL1 * 2]! >>> 0))).toBe(BigInt(RAM_BASE + 0x18))
    expect(h.st[ST.DAIF]).toBe(0x3c0)
  })

  it('goes nowhere when the board wired nothing: the hart sleeps on', () => {
    const m = testMachine()
    load(m, RAM_BASE, [0xd518c00a, 0xd51be341, 0xd2800022, 0xd51be322, 0xd50342ff, 0xd503207f, 0x14000000])
    m.cpu.reset(BigInt(RAM_BASE))
    m.cpu.setReg(1, 10n)
    expect(m.sched.run({ cycles: 100_000 })).toBe('limit')
    expect(m.cpu.idle).toBe(true)
    expect(m.cpu.pc).toBe(BigInt(RAM_BASE + 0x18))
  })

  it('leaves a masked IRQ pending until DAIF.I clears', () => {
    const m = testMachine()
    const h = m.cpu
    // msr daifset, #2 (already masked at reset); nop; msr daifclr, #2; b .
    load(m, RAM_BASE, [0xd50342df, 0xd503201f, 0xd50342ff, 0x14000000])
    load(m, VBAR + 0x280, [0x14000000])
    h.reset(BigInt(RAM_BASE))
    h.sys[SR.VBAR_EL1 * 2] = VBAR
    h.irq('irq').set(true)
    h.run(2)
    expect(h.pc).toBe(BigInt(RAM_BASE + 8))
    h.run(2)
    expect(h.pc).toBe(BigInt(VBAR + 0x280))
    expect(h.sys[SR.SPSR_EL1 * 2]! & 0x3df).toBe(0x345) // I was clear (D, A, F set), EL1h
  })
})

describe('PSCI', () => {
  it('CPU_ON starts a powered-off hart at its entry with x0 = the context id', () => {
    const m = testMachine({ cpus: 2 })
    const [a, b] = m.cpus as [typeof m.cpu, typeof m.cpu]
    // hvc #0; b .
    load(m, RAM_BASE, [0xd4000002, 0x14000000])
    load(m, RAM_BASE + 0x100, [0x14000000])
    a.reset(BigInt(RAM_BASE))
    b.off = true
    b.idle = true
    a.setReg(0, 0xc4000003n) // CPU_ON (SMC64)
    a.setReg(1, 1n) // MPIDR affinity of hart 1
    a.setReg(2, BigInt(RAM_BASE + 0x100))
    a.setReg(3, 0xabcn)
    m.sched.run({ cycles: 5000 })
    expect(a.reg(0)).toBe(0n)
    expect(b.off).toBe(false)
    expect(b.pc).toBe(BigInt(RAM_BASE + 0x100))
    expect(b.reg(0)).toBe(0xabcn)
    expect(b.st[ST.EL]).toBe(1)
  })
})
