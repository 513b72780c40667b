import { describe, expect, it } from 'vitest'
import { MemoryBus } from '../../../core/bus.ts'
import type { DeviceContext } from '../../../core/device.ts'
import type { IrqLine } from '../../../core/irq.ts'
import { Scheduler } from '../../../core/scheduler.ts'
import { Plic } from '../plic.ts'

const BASE = 0xc00_0000
const prio = (s: number) => BASE + 4 * s
const pending = (w: number) => BASE + 0x1000 + 4 * w
const enable = (c: number, w = 0) => BASE + 0x2000 + 0x80 * c + 4 * w
const threshold = (c: number) => BASE + 0x20_0000 + 0x1000 * c
const claim = (c: number) => threshold(c) + 4

type Rec = IrqLine & { level: boolean; levels: boolean[] }
function recorder(): Rec {
  const r: Rec = { level: false, levels: [], set(l) { r.levels.push(l); r.level = l } }
  return r
}

function setup(params: Record<string, unknown> = { sources: 96 }, harts = 2) {
  const bus = new MemoryBus(0)
  const lines = new Map<string, Rec>()
  const cpuLine = (h: number, l: string) => lines.get(`${h}:${l}`) ?? lines.set(`${h}:${l}`, recorder()).get(`${h}:${l}`)!
  const ctx: DeviceContext = {
    name: 'plic0', base: BASE, size: 0x60_0000, params, irqs: [], cpus: harts, cpuLine,
    sched: new Scheduler(), timebaseHz: 10_000_000, cpuHz: 1_000_000_000,
    serial: () => { throw new Error('no serial') }, machine: { poweroff() {}, reset() {} },
  }
  const plic = new Plic(ctx)
  bus.addMmio(BASE, 0x60_0000, 'plic0', plic)
  return { bus, plic, cpuLine }
}

describe('plic registers', () => {
  it('keeps 3-bit priorities and hardwires source 0', () => {
    const { bus } = setup()
    bus.write32(prio(0), 5)
    bus.write32(prio(10), 0xff)
    bus.write32(prio(95), 3)
    expect([bus.read32(prio(0)), bus.read32(prio(10)), bus.read32(prio(95)), bus.read32(prio(96))]).toEqual([0, 7, 3, 0])
  })

  it('masks enable bits that name no source (id 0, ids >= sources)', () => {
    const { bus } = setup()
    bus.write32(enable(1, 0), 0xffffffff)
    bus.write32(enable(1, 2), 0xffffffff)
    bus.write32(enable(1, 3), 0xffffffff)
    expect([bus.read32(enable(1, 0)), bus.read32(enable(1, 2)), bus.read32(enable(1, 3))]).toEqual([0xfffffffe, 0xffffffff, 0])
    expect(bus.read32(enable(4))).toBe(0) // only 4 contexts for 2 harts
  })

  it('shows input levels in the read-only pending array', () => {
    const { bus, plic } = setup()
    plic.irqInput(10).set(true)
    plic.irqInput(33).set(true)
    bus.write32(pending(0), 0)
    expect([bus.read32(pending(0)), bus.read32(pending(1))]).toEqual([1 << 10, 1 << 1])
    plic.irqInput(10).set(false)
    expect(bus.read32(pending(0))).toBe(0)
  })

  it('reads 0 and ignores writes for accesses that are not 32-bit', () => {
    const { bus } = setup()
    bus.write32(prio(1), 3)
    bus.write8(prio(1), 1)
    expect([bus.read8(prio(1)), bus.read16(prio(1)), bus.read32(prio(1))]).toEqual([0, 0, 3])
  })

  it('refuses wiring to a source that does not exist', () => {
    const { plic } = setup()
    expect(() => plic.irqInput(0)).toThrow(/no interrupt source 0/)
    expect(() => plic.irqInput(96)).toThrow(/no interrupt source 96/)
  })
})

describe('plic contexts and outputs', () => {
  it('derives M and S contexts per hart when none are given', () => {
    const { bus, plic, cpuLine } = setup({ sources: 96 }, 3)
    expect(plic.contexts).toEqual([
      { hart: 0, line: 'meip' }, { hart: 0, line: 'seip' }, { hart: 1, line: 'meip' },
      { hart: 1, line: 'seip' }, { hart: 2, line: 'meip' }, { hart: 2, line: 'seip' },
    ])
    bus.write32(prio(5), 1)
    bus.write32(enable(5), 1 << 5)
    plic.irqInput(5).set(true)
    expect(cpuLine(2, 'seip').level).toBe(true)
    expect(cpuLine(2, 'meip').level).toBe(false)
  })

  it('drives each given context line', () => {
    const { bus, plic, cpuLine } = setup({ sources: 32, contexts: [{ hart: 1, line: 'seip' }] })
    bus.write32(prio(3), 2)
    bus.write32(enable(0), 1 << 3)
    plic.irqInput(3).set(true)
    expect(cpuLine(1, 'seip').level).toBe(true)
  })

  it('interrupts only above the threshold, never at priority 0', () => {
    const { bus, plic, cpuLine } = setup()
    const meip = cpuLine(0, 'meip')
    bus.write32(enable(0), 1 << 10)
    plic.irqInput(10).set(true)
    expect(meip.level).toBe(false) // priority 0
    bus.write32(prio(10), 3)
    expect(meip.level).toBe(true)
    bus.write32(threshold(0), 3)
    expect(meip.level).toBe(false)
    expect(bus.read32(claim(0))).toBe(0) // claim respects the threshold too
    bus.write32(threshold(0), 2)
    expect(meip.level).toBe(true)
    expect(bus.read32(threshold(0))).toBe(2)
  })
})

describe('plic claim/complete', () => {
  function busy() {
    const s = setup()
    const { bus, plic } = s
    for (const [src, p] of [[3, 2], [7, 5], [9, 5], [12, 1]] as const) {
      bus.write32(prio(src), p)
      plic.irqInput(src).set(true)
    }
    bus.write32(enable(0), (1 << 3) | (1 << 7) | (1 << 9) | (1 << 12))
    return s
  }

  it('claims by priority, ties to the lowest id', () => {
    const { bus } = busy()
    expect([bus.read32(claim(0)), bus.read32(claim(0)), bus.read32(claim(0)), bus.read32(claim(0))]).toEqual([7, 9, 3, 12])
    expect(bus.read32(claim(0))).toBe(0)
  })

  it('a claimed source is not pending while in service, even with its input high', () => {
    const { bus, cpuLine } = busy()
    bus.write32(threshold(0), 4)
    expect(bus.read32(claim(0))).toBe(7)
    expect(bus.read32(pending(0)) & (1 << 7)).toBe(0)
    expect(cpuLine(0, 'meip').level).toBe(true) // 9 still waits
    expect(bus.read32(claim(0))).toBe(9)
    expect(cpuLine(0, 'meip').level).toBe(false)
    bus.write32(claim(0), 7) // complete: input still high → pending again
    expect(bus.read32(pending(0)) & (1 << 7)).toBe(1 << 7)
    expect(cpuLine(0, 'meip').level).toBe(true)
  })

  it('a source whose input dropped while in service does not return on complete', () => {
    const { bus, plic, cpuLine } = busy()
    bus.write32(threshold(0), 4)
    bus.read32(claim(0))
    bus.read32(claim(0))
    plic.irqInput(7).set(false)
    bus.write32(claim(0), 7)
    expect(cpuLine(0, 'meip').level).toBe(false)
    expect(bus.read32(pending(0)) & (1 << 7)).toBe(0)
  })

  it('ignores a completion for a source not enabled for that context', () => {
    const { bus } = busy()
    expect(bus.read32(claim(0))).toBe(7)
    bus.write32(claim(1), 7) // context 1 does not enable 7
    expect(bus.read32(pending(0)) & (1 << 7)).toBe(0)
    bus.write32(claim(0), 7)
    expect(bus.read32(pending(0)) & (1 << 7)).toBe(1 << 7)
  })

  it('lets one context claim what another sees, and that clears it for both', () => {
    const { bus, plic, cpuLine } = setup()
    bus.write32(prio(20), 1)
    bus.write32(enable(0), 1 << 20)
    bus.write32(enable(2), 1 << 20)
    plic.irqInput(20).set(true)
    expect([cpuLine(0, 'meip').level, cpuLine(1, 'meip').level]).toEqual([true, true])
    expect(bus.read32(claim(2))).toBe(20)
    expect([cpuLine(0, 'meip').level, cpuLine(1, 'meip').level]).toEqual([false, false])
    expect(bus.read32(claim(0))).toBe(0)
  })
})

describe('plic state', () => {
  it('round-trips snapshot/restore through JSON and re-drives the outputs', () => {
    const a = setup()
    a.bus.write32(prio(7), 4)
    a.bus.write32(prio(40), 6)
    a.bus.write32(enable(1, 1), 1 << 8)
    a.bus.write32(enable(1, 0), 1 << 7)
    a.bus.write32(threshold(1), 1)
    a.plic.irqInput(7).set(true)
    a.plic.irqInput(40).set(true)
    expect(a.bus.read32(claim(1))).toBe(40)
    const state = JSON.parse(JSON.stringify(a.plic.snapshot()))
    const b = setup()
    b.plic.restore(state)
    expect(b.cpuLine(0, 'seip').level).toBe(true)
    expect([b.bus.read32(prio(40)), b.bus.read32(threshold(1)), b.bus.read32(enable(1, 1))]).toEqual([6, 1, 1 << 8])
    expect(b.bus.read32(claim(1))).toBe(7) // 40 is still in service
    b.bus.write32(claim(1), 40)
    expect(b.bus.read32(claim(1))).toBe(40)
  })

  it('reset clears registers and service but keeps input levels', () => {
    const { bus, plic, cpuLine } = setup()
    bus.write32(prio(4), 1)
    bus.write32(enable(0), 1 << 4)
    plic.irqInput(4).set(true)
    expect(bus.read32(claim(0))).toBe(4)
    plic.reset()
    expect(cpuLine(0, 'meip').level).toBe(false)
    expect([bus.read32(prio(4)), bus.read32(enable(0)), bus.read32(pending(0))]).toEqual([0, 0, 1 << 4])
  })
})
