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
  const b = board((ctx) => new Gicv2(ctx), { base: D, size: 0x2_0000, cpus: 2 })
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
  const b = board((ctx) => new Gicv3(ctx), { base: D, size: 0xa_0000 + 3 * 0x2_0000, cpus: 3 })
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

const H = 0x0803_0000
const V = 0x0804_0000

/** a GICv2 with its virtualization frames mid-flight: LRs in each state, a HW LR, EOICount, maintenance asserted on CPU 1 */
function busyV2Virt() {
  const b = board((ctx) => new Gicv2(ctx), { base: D, size: 0x5_0000, cpus: 2 })
  const { wr, rd, bus, dev } = b
  wr(D, 1)
  for (const c of [0, 1]) { wr(C, 1 | (1 << 9), c); wr(C + 4, 0xff, c) }
  bus.write8(D + 0x400 + 40, 0xa0)
  bus.write8(D + 0x800 + 40, 1)
  wr(D + 0x104, 1 << 8)
  dev.irqInput(40).set(true)
  expect(rd(C + 0xc, 0)).toBe(40) // physically active on CPU 0, handed to its guest
  wr(C + 0x10, 40, 0)
  const lr = (id: number, prio: number, st: number, extra = 0) => (id | ((prio >> 3) << 23) | (st << 28) | extra) >>> 0
  for (const c of [0, 1]) { wr(V, 1, c); wr(V + 4, 0xf8, c) }
  wr(H + 0x100, lr(40, 0xa0, 1, (1 << 31) | (40 << 10)), 0) // HW
  wr(H + 0x104, lr(41, 0x40, 1, 1 << 19), 0) // EOI maintenance
  wr(H + 0x108, lr(42, 0xc0, 1), 0)
  wr(H, 1 | 4, 0) // En, LRENPIE
  expect(rd(V + 0xc, 0)).toBe(41)
  wr(H + 0x104, 0, 0) // spilled while active
  wr(V + 0x10, 41, 0) // EOICount 1
  expect(rd(V + 0xc, 0)).toBe(40) // active, its priority in GICH_APR
  wr(H + 0x100, lr(33, 0x20, 3), 1) // CPU 1: active and pending
  wr(H, 1 | 2 | 8, 1) // En, UIE, NPIE: underflow
  expect(rd(H + 0x10, 1)).toBe(2 | 8)
  return b
}

describe('gic snapshot and restore', () => {
  it('gicv2 with the virtualization extensions: LRs, HCR, VMCR and APR come back and behave the same', () => {
    const a = busyV2Virt()
    const saved = json(a.dev.snapshot())
    expect(saved.virt?.lrLo.length).toBe(8)
    const b = board((ctx) => new Gicv2(ctx), { base: D, size: 0x5_0000, cpus: 2 })
    b.dev.restore(saved)
    expect(b.dev.snapshot()).toEqual(a.dev.snapshot())
    const lines = (g: typeof a) => [0, 1].flatMap((c) => ['irq', 'virq', 'vfiq'].map((l) => (g.ctx.cpuLine(c, l) as ReturnType<typeof g.irq>).level))
    expect(lines(b)).toEqual(lines(a))
    // EOICount, the running priority, CPU 1's maintenance PPI; then the guest's EOI of the HW LR
    // deactivates SPI 40, which fires again (its line is high), and LR2 is taken
    const run = (g: typeof a) => {
      const out = [g.rd(H, 0) >>> 27, g.rd(V + 0x14, 0), g.rd(D + 0x200, 1) & (1 << 25)]
      g.wr(V + 0x10, 40, 0)
      out.push(g.rd(D + 0x304) & (1 << 8), g.rd(V + 0xc, 0), g.rd(C + 0xc, 0))
      return out
    }
    const expected = [1, 0xa0, 1 << 25, 0, 42, 40]
    expect(run(a)).toEqual(expected)
    expect(run(b)).toEqual(expected)
  })

  it('gicv3: the list registers and virtual interface state come back', () => {
    const a = busyV3()
    const { dev } = a
    dev.writeSysreg(1, 'ICH_HCR_EL2', 1n | 4n)
    dev.writeSysreg(1, 'ICH_VMCR_EL2', 2n | (0xf0n << 24n))
    dev.writeSysreg(1, 'ICH_LR3_EL2', 45n | (1n << 60n) | (0x20n << 48n) | (1n << 62n))
    expect(dev.readSysreg(1, 'ICC_IAR1_EL1', { virtual: true })).toBe(45n)
    dev.writeSysreg(1, 'ICH_LR1_EL2', 0xdead_beefn | (0x1fffn << 32n) | (1n << 62n) | (1n << 61n))
    const saved = json(dev.snapshot())
    const b = board((ctx) => new Gicv3(ctx), { base: D, size: 0xa_0000 + 3 * 0x2_0000, cpus: 3 })
    b.dev.restore(saved)
    expect(b.dev.snapshot()).toEqual(dev.snapshot())
    for (const g of [a, b]) {
      expect([g.dev.readSysreg(1, 'ICH_LR1_EL2'), g.dev.readSysreg(1, 'ICH_AP1R0_EL2'), g.dev.readSysreg(1, 'ICC_RPR_EL1', { virtual: true })])
        .toEqual([0xdead_beefn | (0x1fffn << 32n) | (1n << 62n) | (1n << 61n), 1n << 4n, 0x20n])
      g.dev.writeSysreg(1, 'ICC_EOIR1_EL1', 45n, { virtual: true })
      expect(g.dev.readSysreg(1, 'ICH_LR3_EL2') >> 62n).toBe(0n)
    }
  })


  it('gicv2: a restored copy holds the same state, drives the same lines and acknowledges the same way', () => {
    const a = busyV2()
    const saved = json(a.dev.snapshot())
    const b = board((ctx) => new Gicv2(ctx), { base: D, size: 0x2_0000, cpus: 2 })
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
    const b = board((ctx) => new Gicv3(ctx), { base: D, size: 0xa_0000 + 3 * 0x2_0000, cpus: 3 })
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
    const fresh = board((ctx) => new Gicv3(ctx), { base: D, size: 0xa_0000 + 3 * 0x2_0000, cpus: 3 })
    const { level: la, ...restA } = a.dev.snapshot().core
    const { level: lf, ...restF } = fresh.dev.snapshot().core
    expect(restA).toEqual(restF)
    expect(a.dev.snapshot().virt).toEqual(fresh.dev.snapshot().virt)
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

  it('gicv2 virtualization state: register values no write could leave, wrong geometry, presence', () => {
    const { dev } = busyV2Virt()
    const good = json(dev.snapshot())
    const bad = (f: (s: typeof good) => void) => { const s = json(good); f(s); return s }
    refuse(dev, bad((s) => { s.virt!.hcr[1] = 1 << 10 }), 'virt.hcr[1]', /GICH_HCR/)
    refuse(dev, bad((s) => { s.virt!.vmcr[0] = 0 }), 'virt.vmcr[0]', /GICH_VMCR/) // binary points below their minima
    refuse(dev, bad((s) => { s.virt!.lrLo[3] = 1 << 21 }), 'virt.lrLo[3]', /list register/)
    refuse(dev, bad((s) => { s.virt!.lrHi[0] = 1 }), 'virt.lrHi[0]', /list register/)
    refuse(dev, bad((s) => { s.virt!.apr1[1] = 1 }), 'virt.apr1[1]', /GICv2/)
    refuse(dev, bad((s) => { s.virt!.lrLo.pop() }), 'virt.lrLo', /must list 8 words/)
    refuse(dev, bad((s) => { s.virt!.apr0 = [0] }), 'virt.apr0', /one per CPU/)
    refuse(dev, bad((s) => { delete s.virt }), 'virt', /missing/)
    refuse(busyV2().dev, { ...json(busyV2().dev.snapshot()), virt: good.virt }, 'virt', /no virtualization extensions/)
    expect(() => dev.checkState(good)).not.toThrow()
  })

  it('gicv3', () => {
    const { dev } = busyV3()
    const good = json(dev.snapshot())
    const bad = (f: (s: typeof good) => void) => { const s = json(good); f(s); return s }
    refuse(dev, bad((s) => { s.virt.lrHi[5] = 1 << 27 }), 'virt.lrHi[5]', /list register/) // NMI: RES0 here
    refuse(dev, bad((s) => { s.virt.lrHi[0] = 0x7 << 16 }), 'virt.lrHi[0]', /list register/) // priority bits not implemented
    refuse(dev, bad((s) => { s.virt.vmcr[2] = s.virt.vmcr[2]! & ~8 }), 'virt.vmcr[2]', /ICH_VMCR_EL2/) // VFIQEn is RES1
    refuse(dev, bad((s) => { (s.virt as unknown as Record<string, unknown>).hcr = 'x' }), 'virt.hcr', /array|Expected/)
    refuse(dev, bad((s) => { delete (s as Partial<typeof s>).virt }), 'virt', /missing/)
    refuse(dev, bad((s) => { s.irouter.push(0) }), 'irouter', /one per SPI/)
    refuse(dev, bad((s) => { s.irouter[0] = 2 ** 32 }), 'irouter[0]', /unsigned 32-bit/)
    refuse(dev, bad((s) => { (s.processorSleep as unknown[])[1] = 1 }), 'processorSleep[1]', /boolean/)
    refuse(dev, bad((s) => { s.core.apr1 = s.core.apr1.slice(0, 4) }), 'core.apr1', /must list 12 active-priority words/)
    refuse(dev, bad((s) => { s.core.level = [] }), 'core.level', /must list/)
    expect(() => dev.checkState(good)).not.toThrow()
  })
})
