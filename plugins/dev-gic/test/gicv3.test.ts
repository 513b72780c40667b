import { describe, expect, it } from 'vitest'
import { Gicv3, gicAffinity } from '../gicv3.ts'
import { iccSysregAt } from '../icc.ts'
import { findGic, gicCpuInterface, ppiLine } from '../lookup.ts'
import { board } from './setup.ts'

const D = 0x0800_0000
const RD = (c: number) => 0x080a_0000 + 0x2_0000 * c
const SGI = (c: number) => RD(c) + 0x1_0000
const GICD_CTLR = D, GICD_TYPER = D + 4
const GICD_ISENABLER = (w: number) => D + 0x100 + 4 * w
const GICD_ISPENDR = (w: number) => D + 0x200 + 4 * w
const GICD_IGROUPR = (w: number) => D + 0x80 + 4 * w
const GICD_IPRIORITYR = (id: number) => D + 0x400 + id
const GICD_ICFGR = (k: number) => D + 0xc00 + 4 * k
const IROUTER = (id: number) => D + 0x6000 + 8 * id
const GICR_TYPER = (c: number) => RD(c) + 8, GICR_WAKER = (c: number) => RD(c) + 0x14
const GICR_IGROUPR0 = (c: number) => SGI(c) + 0x80
const GICR_ISENABLER0 = (c: number) => SGI(c) + 0x100
const GICR_ICENABLER0 = (c: number) => SGI(c) + 0x180
const GICR_ISPENDR0 = (c: number) => SGI(c) + 0x200
const GICR_ISACTIVER0 = (c: number) => SGI(c) + 0x300
const GICR_IPRIORITYR = (c: number, id: number) => SGI(c) + 0x400 + id
const GICR_ICFGR = (c: number, k: number) => SGI(c) + 0xc00 + 4 * k
const bit = (id: number) => 1 << (id % 32)

function gic(harts = 2, params: Record<string, unknown> = {}) {
  const b = board((ctx) => new Gicv3(ctx), { base: D, size: 0xa_0000 + harts * 0x2_0000, cpus: harts, params })
  const { dev, wr } = b
  const sys = (cpu: number, name: Parameters<Gicv3['readSysreg']>[1]) => Number(dev.readSysreg(cpu, name))
  const set = (cpu: number, name: Parameters<Gicv3['writeSysreg']>[1], v: number | bigint) => dev.writeSysreg(cpu, name, BigInt(v))
  /** distributor on (both groups), each CPU awake with group 1 enabled and PMR open, every private interrupt group 1 */
  const enableAll = () => {
    wr(GICD_CTLR, 3)
    for (let c = 0; c < harts; c++) {
      wr(GICR_WAKER(c), 0)
      wr(GICR_IGROUPR0(c), 0xffffffff)
      set(c, 'ICC_PMR_EL1', 0xff)
      set(c, 'ICC_IGRPEN1_EL1', 1)
    }
  }
  return { ...b, sys, set, enableAll }
}

describe('gicv3 distributor', () => {
  it('reports affinity routing and a single Security state, and its geometry', () => {
    const { rd, wr, bus } = gic(4)
    expect(rd(GICD_CTLR)).toBe(0x50) // ARE, DS
    wr(GICD_CTLR, 0)
    wr(GICD_CTLR, 0xffffffff)
    expect(rd(GICD_CTLR)).toBe(0x53)
    // ITLinesNumber 8 (288), CPUNumber 3, IDbits 9, A3V, No1N
    expect(rd(GICD_TYPER)).toBe((8 | (3 << 5) | (9 << 19) | (1 << 24) | (1 << 25)) >>> 0)
    expect([rd(D + 8), bus.read8(D + 0xffe8), bus.read8(D + 0xffe0), bus.read8(RD(2) + 0xffe0)]).toEqual([0x43b, 0x3b, 0x92, 0x93])
  })

  it('leaves INTIDs 0..31 to the redistributors: their distributor words are RAZ/WI', () => {
    const { rd, wr, bus } = gic(2)
    wr(GICD_ISENABLER(0), 0xffffffff)
    wr(GICD_IGROUPR(0), 0xffffffff)
    bus.write8(GICD_IPRIORITYR(20), 0x80)
    wr(GICD_ICFGR(1), 0xaaaaaaaa)
    expect([rd(GICD_ISENABLER(0)), rd(GICD_IGROUPR(0)), bus.read8(GICD_IPRIORITYR(20)), rd(GICD_ICFGR(1))]).toEqual([0, 0, 0, 0])
    expect([rd(GICR_ISENABLER0(0)), rd(GICR_ISENABLER0(1))]).toEqual([0, 0])
    wr(GICD_ISENABLER(1), bit(40))
    expect(rd(GICD_ISENABLER(1))).toBe(bit(40))
  })

  it('routes an SPI to the CPU whose affinity GICD_IROUTER names', () => {
    const { dev, rd, wr, bus, irq, sys, enableAll } = gic(2)
    enableAll()
    wr(GICD_IGROUPR(1), bit(40))
    bus.write8(GICD_IPRIORITYR(40), 0x40)
    wr(GICD_ISENABLER(1), bit(40))
    dev.irqInput(40).set(true)
    expect([irq(0).level, irq(1).level]).toEqual([true, false]) // IROUTER resets to 0: CPU 0
    wr(IROUTER(40), gicAffinity(1))
    expect([irq(0).level, irq(1).level]).toEqual([false, true])
    expect(sys(0, 'ICC_IAR1_EL1')).toBe(1023)
    wr(IROUTER(40), 0x8000_0005) // Interrupt_Routing_Mode is RAZ/WI; no CPU has affinity 0.0.0.5
    expect([rd(IROUTER(40)), irq(0).level, irq(1).level]).toEqual([5, false, false])
    wr(IROUTER(40), 1)
    wr(IROUTER(40) + 4, 1) // Aff3 = 1: still nobody
    expect([rd(IROUTER(40) + 4), irq(1).level]).toEqual([1, false])
    wr(IROUTER(40) + 4, 0)
    expect(irq(1).level).toBe(true)
    expect(sys(1, 'ICC_IAR1_EL1')).toBe(40)
  })

  it('keeps level and edge SPIs apart through GICD_ICFGR', () => {
    const { dev, rd, wr, enableAll } = gic(1)
    enableAll()
    wr(GICD_ICFGR(2), 2 << 2 * (33 - 32)) // 33 edge, 34 level
    dev.irqInput(33).set(true)
    dev.irqInput(33).set(false)
    dev.irqInput(34).set(true)
    dev.irqInput(34).set(false)
    expect(rd(GICD_ISPENDR(1)) & (bit(33) | bit(34))).toBe(bit(33))
  })
})

describe('gicv3 redistributors', () => {
  it('describes each CPU in GICR_TYPER, the last one marked Last', () => {
    const { rd } = gic(3)
    expect([0, 1, 2].map((c) => rd(GICR_TYPER(c)))).toEqual([0 << 8, 1 << 8, (2 << 8) | (1 << 4)])
    expect([0, 1, 2].map((c) => rd(GICR_TYPER(c) + 4))).toEqual([0, 1, 2])
    const big = gic(18)
    expect([big.rd(GICR_TYPER(17)), big.rd(GICR_TYPER(17) + 4)]).toEqual([(17 << 8) | (1 << 4), 0x101])
  })

  it('sleeps until GICR_WAKER.ProcessorSleep is cleared (ChildrenAsleep follows)', () => {
    const { rd, wr } = gic(2)
    expect(rd(GICR_WAKER(1))).toBe(6)
    wr(GICR_WAKER(1), 0)
    expect([rd(GICR_WAKER(0)), rd(GICR_WAKER(1))]).toEqual([6, 0])
  })

  it('banks SGIs and PPIs by frame, whichever CPU accesses the frame', () => {
    const { rd, wr, bus } = gic(2)
    wr(GICR_ISENABLER0(1), bit(27) | bit(3), 0) // CPU 0 programs CPU 1's redistributor
    bus.write(GICR_IPRIORITYR(1, 27), 1, 0x30, 0)
    expect([rd(GICR_ISENABLER0(1)), rd(GICR_ISENABLER0(0), 1)]).toEqual([bit(27) | bit(3), 0])
    expect([bus.read8(GICR_IPRIORITYR(1, 27)), bus.read8(GICR_IPRIORITYR(0, 27))]).toEqual([0x30, 0])
    wr(GICR_ICENABLER0(1), bit(3))
    expect(rd(GICR_ISENABLER0(1))).toBe(bit(27))
    expect(rd(GICR_ICFGR(1, 0))).toBe(0xaaaaaaaa) // SGIs edge, read-only
    wr(GICR_ICFGR(1, 1), 2 << 2 * (30 - 16))
    expect([rd(GICR_ICFGR(1, 1)), rd(GICR_ICFGR(0, 1))]).toEqual([2 << 28, 0])
    expect(rd(SGI(1) + 0xd00)).toBe(0) // GICR_IGRPMODR0: RAZ/WI with DS = 1
    bus.write8(GICR_ISENABLER0(1) + 1, 0xff) // word register: narrow writes ignored
    bus.write16(GICR_IPRIORITYR(1, 2), 0x1234) // byte registers take them
    expect([rd(GICR_ISENABLER0(1)), rd(GICR_IPRIORITYR(1, 0))]).toEqual([bit(27), 0x12340000])
  })

  it('takes a PPI through the CPU interface: IAR1, running priority, EOIR1', () => {
    const { dev, rd, wr, bus, irq, sys, set, enableAll } = gic(2)
    enableAll()
    bus.write8(GICR_IPRIORITYR(1, 27), 0x80)
    wr(GICR_ISENABLER0(1), bit(27))
    dev.ppi(1, 27).set(true)
    expect([irq(0).level, irq(1).level]).toEqual([false, true])
    expect([rd(GICR_ISPENDR0(1)), rd(GICR_ISPENDR0(0))]).toEqual([bit(27), 0])
    expect(sys(1, 'ICC_HPPIR1_EL1')).toBe(27)
    expect(sys(1, 'ICC_IAR1_EL1')).toBe(27)
    expect([sys(1, 'ICC_RPR_EL1'), sys(1, 'ICC_AP1R1_EL1'), rd(GICR_ISACTIVER0(1))]).toEqual([0x80, 0, bit(27)])
    expect(sys(1, 'ICC_AP1R2_EL1')).toBe(1) // preemption level 0x80 >> 1 = 64
    dev.ppi(1, 27).set(false)
    set(1, 'ICC_EOIR1_EL1', 27)
    expect([sys(1, 'ICC_RPR_EL1'), rd(GICR_ISACTIVER0(1)), irq(1).level, sys(1, 'ICC_IAR1_EL1')]).toEqual([0xff, 0, false, 1023])
  })
})

describe('gicv3 CPU interface (ICC_*)', () => {
  it('answers 1023 with nothing pending and ignores EOIs of special INTIDs', () => {
    const { sys, set, enableAll } = gic(1)
    enableAll()
    expect([sys(0, 'ICC_IAR1_EL1'), sys(0, 'ICC_IAR0_EL1'), sys(0, 'ICC_HPPIR1_EL1')]).toEqual([1023, 1023, 1023])
    set(0, 'ICC_EOIR1_EL1', 1023)
    expect(sys(0, 'ICC_RPR_EL1')).toBe(0xff)
  })

  it('signals group 0 as FIQ and group 1 as IRQ, each taken by its own IAR', () => {
    const { rd, wr, bus, irq, fiq, sys, set, enableAll } = gic(1)
    enableAll()
    wr(GICD_IGROUPR(1), bit(41)) // 40: group 0, 41: group 1
    bus.write8(GICD_IPRIORITYR(40), 0x20)
    bus.write8(GICD_IPRIORITYR(41), 0x40)
    wr(GICD_ISENABLER(1), bit(40) | bit(41))
    wr(GICD_ISPENDR(1), bit(40) | bit(41))
    expect([fiq(0).level, irq(0).level]).toEqual([false, false]) // HPPI 40 is group 0, not enabled at the CPU interface
    set(0, 'ICC_IGRPEN0_EL1', 1)
    expect([fiq(0).level, irq(0).level, sys(0, 'ICC_IGRPEN0_EL1')]).toEqual([true, false, 1])
    expect([sys(0, 'ICC_HPPIR1_EL1'), sys(0, 'ICC_HPPIR0_EL1'), sys(0, 'ICC_IAR1_EL1')]).toEqual([1023, 40, 1023])
    expect(sys(0, 'ICC_IAR0_EL1')).toBe(40)
    expect([fiq(0).level, irq(0).level]).toEqual([false, false]) // 41 (0x40) cannot preempt 0x20
    set(0, 'ICC_EOIR1_EL1', 40) // wrong group: no priority drop, no deactivation
    expect([sys(0, 'ICC_RPR_EL1'), rd(D + 0x304) & bit(40)]).toEqual([0x20, bit(40)])
    set(0, 'ICC_EOIR0_EL1', 40)
    expect([irq(0).level, sys(0, 'ICC_IAR1_EL1')]).toEqual([true, 41])
    set(0, 'ICC_EOIR1_EL1', 41)
    expect(rd(GICD_ISENABLER(1) + 0x200)).toBe(0) // ISACTIVER1
  })

  it('masks by ICC_PMR_EL1', () => {
    const { wr, bus, irq, sys, set, enableAll } = gic(1)
    enableAll()
    wr(GICD_IGROUPR(1), 0xffffffff)
    bus.write8(GICD_IPRIORITYR(40), 0x50)
    wr(GICD_ISENABLER(1), bit(40))
    set(0, 'ICC_PMR_EL1', 0x50)
    wr(GICD_ISPENDR(1), bit(40))
    expect([irq(0).level, sys(0, 'ICC_IAR1_EL1')]).toEqual([false, 1023])
    set(0, 'ICC_PMR_EL1', 0xf0)
    expect([sys(0, 'ICC_PMR_EL1'), irq(0).level, sys(0, 'ICC_IAR1_EL1')]).toEqual([0xf0, true, 40])
  })

  it('preempts by group priority, group 1 counting its binary point one less (ICC_BPR1_EL1)', () => {
    const preempts = (bpr1: number) => {
      const { wr, bus, irq, sys, set, enableAll } = gic(1)
      enableAll()
      wr(GICD_IGROUPR(1), 0xffffffff)
      for (const [id, p] of [[40, 0x50], [41, 0x40]] as const) bus.write8(GICD_IPRIORITYR(id), p)
      wr(GICD_ISENABLER(1), bit(40) | bit(41))
      set(0, 'ICC_BPR1_EL1', bpr1)
      wr(GICD_ISPENDR(1), bit(40))
      expect(sys(0, 'ICC_IAR1_EL1')).toBe(40)
      wr(GICD_ISPENDR(1), bit(41))
      return [irq(0).level, sys(0, 'ICC_IAR1_EL1'), sys(0, 'ICC_RPR_EL1')]
    }
    expect(preempts(4)).toEqual([true, 41, 0x40]) // group priority [7:4]: 0x40 < 0x50
    expect(preempts(5)).toEqual([false, 1023, 0x40]) // [7:5]: one group
  })

  it('shares BPR0 with group 1 under CBPR and splits EOI from deactivation under EOImode', () => {
    const { rd, wr, bus, irq, sys, set, enableAll } = gic(1)
    enableAll()
    set(0, 'ICC_BPR0_EL1', 2)
    set(0, 'ICC_CTLR_EL1', 0b11) // CBPR, EOImode
    expect(sys(0, 'ICC_CTLR_EL1')).toBe(0b11 | (7 << 8) | (1 << 15))
    expect(sys(0, 'ICC_BPR1_EL1')).toBe(3)
    set(0, 'ICC_BPR1_EL1', 7) // ignored under CBPR
    set(0, 'ICC_CTLR_EL1', 0b10)
    expect(sys(0, 'ICC_BPR1_EL1')).toBe(1)
    wr(GICD_IGROUPR(1), bit(50))
    bus.write8(GICD_IPRIORITYR(50), 0x10)
    wr(GICD_ISENABLER(1), bit(50))
    wr(GICD_ISPENDR(1), bit(50))
    expect(sys(0, 'ICC_IAR1_EL1')).toBe(50)
    set(0, 'ICC_EOIR1_EL1', 50)
    expect([sys(0, 'ICC_RPR_EL1'), rd(D + 0x304)]).toEqual([0xff, bit(50)])
    wr(GICD_ISPENDR(1), bit(50))
    expect(irq(0).level).toBe(false) // still active
    set(0, 'ICC_DIR_EL1', 50)
    expect([rd(D + 0x304), irq(0).level]).toEqual([0, true])
  })

  it('reads ICC_SRE_EL1 as system registers on, and decodes MRS/MSR encodings', () => {
    const { dev, sys, set } = gic(1)
    set(0, 'ICC_SRE_EL1', 0)
    expect([sys(0, 'ICC_SRE_EL1'), sys(0, 'ICC_SRE_EL2')]).toEqual([7, 15])
    expect(iccSysregAt(3, 0, 12, 12, 0)).toEqual({ name: 'ICC_IAR1_EL1', access: 'r', el: 1, virt: { by: 'IMO', trap: false } })
    expect(iccSysregAt(3, 0, 12, 11, 5)).toEqual({ name: 'ICC_SGI1R_EL1', access: 'w', el: 1, virt: { by: 'IMO|FMO', trap: true } })
    expect(iccSysregAt(3, 0, 4, 6, 0)).toEqual({ name: 'ICC_PMR_EL1', access: 'rw', el: 1, virt: { by: 'IMO|FMO', trap: false } })
    expect(iccSysregAt(3, 0, 12, 12, 5)).toEqual({ name: 'ICC_SRE_EL1', access: 'rw', el: 1 }) // never virtual
    expect(iccSysregAt(3, 0, 12, 0, 0)).toBeUndefined() // VBAR_EL1
    expect(dev.readSysreg(0, 'ICC_EOIR1_EL1')).toBe(0n)
    expect(() => dev.readSysreg(1, 'ICC_IAR1_EL1')).toThrow(/no CPU interface 1/)
    expect(() => dev.readSysreg(0, 'ICC_BOGUS_EL1' as 'ICC_IAR1_EL1')).toThrow(/no system register/)
  })
})

describe('gicv3 SGIs (ICC_SGI1R_EL1, ICC_SGI0R_EL1)', () => {
  const sgi = (o: { id: number; list?: number; aff1?: number; aff2?: number; aff3?: number; rs?: number; irm?: boolean }) =>
    BigInt(o.list ?? 0) | (BigInt(o.aff1 ?? 0) << 16n) | (BigInt(o.id) << 24n) | (BigInt(o.aff2 ?? 0) << 32n) |
    (o.irm ? 1n << 40n : 0n) | (BigInt(o.rs ?? 0) << 44n) | (BigInt(o.aff3 ?? 0) << 48n)

  it('pends an SGI on the CPUs of the target list, in the group the register generates', () => {
    const { rd, wr, irq, sys, set, enableAll } = gic(3)
    enableAll()
    for (let c = 0; c < 3; c++) wr(GICR_ISENABLER0(c), 0xffff)
    set(0, 'ICC_SGI1R_EL1', sgi({ id: 1, list: 0b110 }))
    expect([irq(0).level, irq(1).level, irq(2).level]).toEqual([false, true, true])
    expect([sys(1, 'ICC_IAR1_EL1'), sys(2, 'ICC_IAR1_EL1')]).toEqual([1, 1]) // no source field in GICv3
    wr(GICR_IGROUPR0(1), 0xffff & ~bit(2)) // SGI 2 is group 0 on CPU 1
    set(0, 'ICC_SGI1R_EL1', sgi({ id: 2, list: 0b10 }))
    expect(rd(GICR_ISPENDR0(1)) & bit(2)).toBe(0)
    set(0, 'ICC_SGI0R_EL1', sgi({ id: 2, list: 0b10 }))
    expect(rd(GICR_ISPENDR0(1)) & bit(2)).toBe(bit(2))
  })

  it('sends to every other CPU with IRM, and matches Aff1 and RS beyond 16 CPUs', () => {
    const { rd, set, enableAll } = gic(18)
    enableAll()
    set(5, 'ICC_SGI1R_EL1', sgi({ id: 7, irm: true }))
    const pending = (id: number) => Array.from({ length: 18 }, (_, c) => (rd(GICR_ISPENDR0(c)) >>> id) & 1)
    expect(pending(7)).toEqual(Array.from({ length: 18 }, (_, c) => (c === 5 ? 0 : 1)))
    set(0, 'ICC_SGI1R_EL1', sgi({ id: 8, aff1: 1, list: 0b10 })) // Aff1 = 1, Aff0 = 1: CPU 17
    expect(pending(8)).toEqual(Array.from({ length: 18 }, (_, c) => (c === 17 ? 1 : 0)))
    set(0, 'ICC_SGI1R_EL1', sgi({ id: 9, rs: 1, list: 0xffff })) // Aff0 16..31 of cluster 0: nobody
    set(0, 'ICC_SGI1R_EL1', sgi({ id: 9, aff2: 1, list: 0xffff })) // Aff2 = 1: nobody
    expect(pending(9)).toEqual(Array.from({ length: 18 }, () => 0))
  })
})

describe('gicv3 window and lookups', () => {
  it('needs a window reaching the last redistributor, and reads 0 in between', () => {
    expect(() => board((ctx) => new Gicv3(ctx), { base: D, size: 0xc_0000, cpus: 2 })).toThrow(/must reach params.gicrOffset/)
    const b = board((ctx) => new Gicv3(ctx), { base: D, size: 0x8_0000, cpus: 2, params: { gicrOffset: 0x4_0000 } })
    expect([b.rd(D + 0x4_0000 + 0x2_0000 + 8), b.rd(D + 0x2_0000)]).toEqual([(1 << 8) | (1 << 4), 0])
    expect(() => board((ctx) => new Gicv3(ctx), { base: D, size: 0xe_0000, cpus: 2, params: { gicrOffset: 0xa_1000 } })).toThrow(/multiple of 0x10000/)
  })

  it('lets a CPU plugin find the GIC on its bus, drive PPIs and reach ICC_* even across a hot reload', () => {
    const { bus, dev, ctx, irq, wr, enableAll } = gic(2)
    enableAll()
    wr(GICR_ISENABLER0(0), bit(30))
    expect(findGic(bus)).toBe(dev)
    const timer = ppiLine(bus, 0, 30)
    const icc = gicCpuInterface(bus)
    timer.set(true)
    expect(irq(0).level).toBe(true)
    // hot reload: a new instance takes the old one's state and its place behind the region
    const next = new Gicv3(ctx)
    next.restore(JSON.parse(JSON.stringify(dev.snapshot())))
    bus.replaceMmioHandler(bus.mmio.find((r) => r.handler === dev)!, next)
    expect(findGic(bus)).toBe(next)
    expect(icc.readSysreg(0, 'ICC_IAR1_EL1')).toBe(30n)
    timer.set(false)
    icc.writeSysreg(0, 'ICC_EOIR1_EL1', 30n)
    expect([next.readSysreg(0, 'ICC_RPR_EL1'), irq(0).level]).toEqual([0xffn, false])
    // the old instance heard neither the acknowledge nor the line going low
    expect([dev.read(0xb_0200, 4), dev.readSysreg(0, 'ICC_HPPIR1_EL1')]).toEqual([bit(30), 30n])
    timer.set(true)
    expect(irq(0).level).toBe(true)
  })

  it('finds nothing on a bus without a GIC, and ICC_* then read 0', () => {
    const bus = { mmio: [] }
    expect(findGic(bus)).toBeNull()
    expect(gicCpuInterface(bus).readSysreg(0, 'ICC_IAR1_EL1')).toBe(0n)
    ppiLine(bus, 0, 27).set(true)
  })
})
