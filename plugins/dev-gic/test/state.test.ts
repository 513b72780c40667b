import { describe, expect, it } from 'vitest'
import { StateError } from '../../../core/state-check.ts'
import { Gicv2 } from '../gicv2.ts'
import { Gicv3, gicAffinity } from '../gicv3.ts'
import { board } from './setup.ts'

const D = 0x0800_0000
const C = 0x0801_0000
const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T

/** a GICv2 in the middle of things: SGIs from two sources, one interrupt active, one level input high */
function busyV2() {
  const b = board((ctx) => new Gicv2(ctx), { base: D, size: 0x2_0000, harts: 2 })
  const { wr, bus, dev } = b
  wr(D, 3)
  for (const c of [0, 1]) {
    wr(C, 0x1f | (1 << 9), c) // both groups, AckCtl, FIQEn, CBPR, EOImode
    wr(C + 4, 0xf0, c)
  }
  wr(D + 0x84, 1 << 8) // SPI 40 in group 1
  bus.write8(D + 0x400 + 40, 0x40)
  bus.write8(D + 0x800 + 40, 0b10)
  bus.write8(D + 0x400 + 33, 0x20)
  bus.write8(D + 0x800 + 33, 0b11)
  wr(D + 0x104, (1 << 8) | (1 << 1))
  dev.irqInput(40).set(true)
  dev.irqInput(33).set(true)
  wr(D + 0xf00, (0b10 << 16) | 3, 0)
  wr(D + 0xf00, (0b10 << 16) | 3, 1)
  expect(b.rd(C + 0xc, 0)).toBe(33) // active on CPU 0
  wr(C + 8, 2, 1)
  return b
}

function busyV3() {
  const b = board((ctx) => new Gicv3(ctx), { base: D, size: 0xa_0000 + 3 * 0x2_0000, harts: 3 })
  const { wr, bus, dev } = b
  wr(D, 3)
  wr(D + 0x84, 0xffffffff)
  bus.write8(D + 0x400 + 45, 0x30)
  wr(D + 0x104, 1 << 13)
  wr(D + 0x6000 + 8 * 45, gicAffinity(2))
  for (let c = 0; c < 3; c++) {
    wr(0x080a_0000 + 0x2_0000 * c + 0x14, c === 1 ? 6 : 0)
    wr(0x080b_0000 + 0x2_0000 * c + 0x80, 0xffffffff)
    wr(0x080b_0000 + 0x2_0000 * c + 0x100, 0xffff | (1 << 27))
    dev.writeSysreg(c, 'ICC_PMR_EL1', 0xe0n)
    dev.writeSysreg(c, 'ICC_IGRPEN1_EL1', 1n)
  }
  dev.ppi(1, 27).set(true)
  dev.irqInput(45).set(true)
  dev.writeSysreg(0, 'ICC_SGI1R_EL1', (5n << 24n) | 0b101n)
  expect(dev.readSysreg(0, 'ICC_IAR1_EL1')).toBe(5n) // active on CPU 0, still pending on CPU 2
  return b
}

describe('gic snapshot and restore', () => {
  it('gicv2: a restored copy holds the same state, drives the same lines and acknowledges the same way', () => {
    const a = busyV2()
    const saved = json(a.dev.snapshot())
    const b = board((ctx) => new Gicv2(ctx), { base: D, size: 0x2_0000, harts: 2 })
    b.dev.restore(saved)
    expect(b.dev.snapshot()).toEqual(a.dev.snapshot())
    for (const c of [0, 1]) expect([b.irq(c).level, b.fiq(c).level]).toEqual([a.irq(c).level, a.fiq(c).level])
    const run = (g: typeof a) => {
      const out: number[] = []
      for (let k = 0; k < 3; k++) for (const c of [0, 1]) {
        const v = g.rd(C + 0xc, c)
        out.push(v)
        if (v < 1020) { g.wr(C + 0x10, v, c); g.wr(C + 0x1000, v & 0x3ff, c) }
      }
      return out
    }
    expect(run(b)).toEqual(run(a))
  })

  it('gicv3: a restored copy holds the same state, routes and redistributor wake state', () => {
    const a = busyV3()
    const saved = json(a.dev.snapshot())
    const b = board((ctx) => new Gicv3(ctx), { base: D, size: 0xa_0000 + 3 * 0x2_0000, harts: 3 })
    b.dev.restore(saved)
    expect(b.dev.snapshot()).toEqual(a.dev.snapshot())
    expect([0, 1, 2].map((c) => b.irq(c).level)).toEqual([0, 1, 2].map((c) => a.irq(c).level))
    expect(b.rd(0x080a_0000 + 0x2_0000 + 0x14)).toBe(6)
    for (const g of [a, b]) {
      expect([0, 1, 2].map((c) => g.dev.readSysreg(c, 'ICC_IAR1_EL1'))).toEqual([1023n, 27n, 5n])
      g.dev.writeSysreg(2, 'ICC_EOIR1_EL1', 5n)
      expect([g.dev.readSysreg(0, 'ICC_RPR_EL1'), g.dev.readSysreg(2, 'ICC_IAR1_EL1')]).toEqual([0n, 45n])
    }
  })

  it('reset returns both to power-on state', () => {
    const a = busyV3()
    a.dev.reset()
    const fresh = board((ctx) => new Gicv3(ctx), { base: D, size: 0xa_0000 + 3 * 0x2_0000, harts: 3 })
    const { level: la, ...restA } = a.dev.snapshot().core
    const { level: lf, ...restF } = fresh.dev.snapshot().core
    expect(restA).toEqual(restF)
    expect(la).not.toEqual(lf) // input lines stay as driven
    expect([0, 1, 2].map((c) => a.irq(c).level)).toEqual([false, false, false])
  })
})

describe('gic refuses a corrupt saved state', () => {
  const refuse = (dev: Gicv2 | Gicv3, state: unknown, path: string, rule: RegExp) => {
    const before = dev.snapshot()
    let err: unknown
    try { dev.restore(state) } catch (e) { err = e }
    expect(err).toBeInstanceOf(StateError)
    expect((err as StateError).path).toBe(path)
    expect((err as StateError).rule).toMatch(rule)
    expect(dev.snapshot()).toEqual(before) // nothing was restored
  }

  it('gicv2', () => {
    const { dev } = busyV2()
    const good = json(dev.snapshot())
    const bad = (f: (s: typeof good) => void) => { const s = json(good); f(s); return s }
    refuse(dev, null, '', /object/)
    refuse(dev, bad((s) => { delete (s as Partial<typeof s>).core }), 'core', /missing|object/)
    refuse(dev, bad((s) => { s.core.enabled.pop() }), 'core.enabled', /must list 10 words/)
    refuse(dev, bad((s) => { s.core.priority[3] = 300 }), 'core.priority[3]', /byte/)
    refuse(dev, bad((s) => { s.core.pending[0] = -1 }), 'core.pending[0]', /unsigned 32-bit/)
    refuse(dev, bad((s) => { s.core.bpr1[1] = 0 }), 'core.bpr1[1]', /binary point from 1/)
    refuse(dev, bad((s) => { s.core.cpuCtlr[0] = 1 << 10 }), 'core.cpuCtlr[0]', /GICC_CTLR/)
    refuse(dev, bad((s) => { s.core.distCtlr = 4 }), 'core.distCtlr', /0\.\.3/)
    refuse(dev, bad((s) => { (s.core as unknown as Record<string, unknown>).extra = 1 }), 'core', /nrecognized/)
    refuse(dev, bad((s) => { s.targets[5] = 0x10 }), 'targets[5]', /CPU the GIC does not have/)
    refuse(dev, bad((s) => { s.targets = s.targets.slice(1) }), 'targets', /one per SPI/)
    expect(() => dev.checkState(good)).not.toThrow()
  })

  it('gicv3', () => {
    const { dev } = busyV3()
    const good = json(dev.snapshot())
    const bad = (f: (s: typeof good) => void) => { const s = json(good); f(s); return s }
    refuse(dev, bad((s) => { s.irouter.push(0) }), 'irouter', /one per SPI/)
    refuse(dev, bad((s) => { s.irouter[0] = 2 ** 32 }), 'irouter[0]', /unsigned 32-bit/)
    refuse(dev, bad((s) => { (s.processorSleep as unknown[])[1] = 1 }), 'processorSleep[1]', /boolean/)
    refuse(dev, bad((s) => { s.core.apr1 = s.core.apr1.slice(0, 4) }), 'core.apr1', /must list 12 active-priority words/)
    refuse(dev, bad((s) => { s.core.level = [] }), 'core.level', /must list/)
    expect(() => dev.checkState(good)).not.toThrow()
  })
})
