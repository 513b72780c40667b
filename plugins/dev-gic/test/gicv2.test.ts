import { describe, expect, it } from 'vitest'
import { Gicv2 } from '../gicv2.ts'
import { board } from './setup.ts'

const D = 0x0800_0000
const C = 0x0801_0000
const CTLR = D, TYPER = D + 4, IIDR = D + 8
const IGROUPR = (w: number) => D + 0x80 + 4 * w
const ISENABLER = (w: number) => D + 0x100 + 4 * w
const ICENABLER = (w: number) => D + 0x180 + 4 * w
const ISPENDR = (w: number) => D + 0x200 + 4 * w
const ICPENDR = (w: number) => D + 0x280 + 4 * w
const ISACTIVER = (w: number) => D + 0x300 + 4 * w
const ICACTIVER = (w: number) => D + 0x380 + 4 * w
const IPRIORITYR = (id: number) => D + 0x400 + id
const ITARGETSR = (id: number) => D + 0x800 + id
const ICFGR = (k: number) => D + 0xc00 + 4 * k
const SGIR = D + 0xf00
const CPENDSGIR = (id: number) => D + 0xf10 + id
const SPENDSGIR = (id: number) => D + 0xf20 + id
const GICC_CTLR = C, PMR = C + 4, BPR = C + 8, IAR = C + 0xc, EOIR = C + 0x10, RPR = C + 0x14, HPPIR = C + 0x18
const ABPR = C + 0x1c, AIAR = C + 0x20, AEOIR = C + 0x24, AHPPIR = C + 0x28, APR0 = C + 0xd0, NSAPR0 = C + 0xe0, GICC_IIDR = C + 0xfc, DIR = C + 0x1000
const bit = (id: number) => 1 << (id % 32)

function gic(harts = 2, params: Record<string, unknown> = {}) {
  const b = board((ctx) => new Gicv2(ctx), { base: D, size: 0x2_0000, cpus: harts, params })
  const { wr, bus } = b
  /** distributor and every CPU interface on, PMR open, both groups */
  const enableAll = () => {
    wr(CTLR, 3)
    for (let c = 0; c < harts; c++) {
      wr(GICC_CTLR, 3, c)
      wr(PMR, 0xff, c)
    }
  }
  /** enable SPI/PPI `id` with priority `prio`, routed to `targets` */
  const spi = (id: number, prio: number, targets = 1, cpu = 0) => {
    bus.write8(IPRIORITYR(id), prio)
    if (id >= 32) bus.write8(ITARGETSR(id), targets)
    wr(ISENABLER(id >> 5), bit(id), cpu)
  }
  return { ...b, enableAll, spi }
}

describe('gicv2 identification and window', () => {
  it('reports its geometry and QEMU identification values', () => {
    const { rd, bus } = gic(2)
    // 288 interrupts: ITLinesNumber 8; 2 CPUs: CPUNumber 1; no Security Extensions
    expect(rd(TYPER)).toBe(8 | (1 << 5))
    expect(rd(IIDR)).toBe(0x43b)
    expect(rd(GICC_IIDR)).toBe(0x0002043b)
    expect(bus.read8(D + 0xfe8)).toBe(0x2b) // ICPIDR2: ArchRev 2
    expect([rd(D + 0xff0), rd(D + 0xffc)]).toEqual([0x0d, 0xb1])
  })

  it('takes its size from params.irqs and refuses bad geometry', () => {
    expect(gic(1, { irqs: 64 }).rd(TYPER)).toBe(1)
    expect(() => gic(1, { irqs: 100 })).toThrow(/multiple of 32/)
    expect(() => gic(9)).toThrow(/1 to 8 CPUs/)
    expect(() => board((ctx) => new Gicv2(ctx), { base: D, size: 0x1_0000, cpus: 1 })).toThrow(/must reach params.giccOffset/)
    const moved = board((ctx) => new Gicv2(ctx), { base: D, size: 0x4_0000, cpus: 1, params: { giccOffset: 0x2_0000 } })
    moved.wr(D + 0x2_0004, 0xf0)
    expect([moved.rd(D + 0x2_0004), moved.rd(C + 4)]).toEqual([0xf0, 0])
  })

  it('reads zero outside its frames and past the last interrupt', () => {
    const { rd, wr } = gic(2, { irqs: 64 })
    wr(ISENABLER(2), 0xffffffff)
    expect([rd(ISENABLER(2)), rd(D + 0x1800), rd(C + 0x3000), rd(IPRIORITYR(64))]).toEqual([0, 0, 0, 0])
  })

  it('refuses wiring to an input that is not an SPI', () => {
    const { dev } = gic(2)
    expect(() => dev.irqInput(31)).toThrow(/no SPI 31.*ppi\(cpu, n\)/)
    expect(() => dev.irqInput(288)).toThrow(/no SPI 288/)
    expect(() => dev.ppi(0, 15)).toThrow(/no PPI 15/)
    expect(() => dev.ppi(2, 27)).toThrow(/no CPU 2/)
  })
})

describe('gicv2 interrupt state machine (IHI 0048B §3.2.4)', () => {
  it('edge-triggered: inactive → pending → active → active and pending → pending', () => {
    const { dev, rd, wr, enableAll, spi, irq } = gic(1)
    enableAll()
    wr(ICFGR(2), 2 << 2 * (40 - 32)) // INTID 40 edge-triggered
    spi(40, 0x80)
    const line = dev.irqInput(40)
    line.set(true)
    line.set(false) // the latch keeps it pending
    expect(rd(ISPENDR(1)) & bit(40)).toBeTruthy()
    expect(irq(0).level).toBe(true)
    expect(rd(IAR, 0)).toBe(40)
    expect([rd(ISPENDR(1)) & bit(40), rd(ISACTIVER(1)) & bit(40)]).toEqual([0, bit(40)])
    expect(irq(0).level).toBe(false)
    line.set(true) // a new edge while active: active and pending, not signalled
    expect(rd(ISPENDR(1)) & bit(40)).toBeTruthy()
    expect(irq(0).level).toBe(false)
    wr(EOIR, 40, 0)
    expect(rd(ISACTIVER(1)) & bit(40)).toBe(0)
    expect(irq(0).level).toBe(true)
    expect(rd(IAR, 0)).toBe(40)
  })

  it('level-sensitive: pending exactly while the line is high, whatever ICPENDR says', () => {
    const { dev, rd, wr, enableAll, spi, irq } = gic(1)
    enableAll()
    spi(33, 0x10)
    const line = dev.irqInput(33)
    line.set(true)
    expect(rd(ISPENDR(1)) & bit(33)).toBeTruthy()
    wr(ICPENDR(1), bit(33))
    expect(rd(ISPENDR(1)) & bit(33)).toBeTruthy()
    expect(rd(IAR, 0)).toBe(33)
    expect(rd(ISPENDR(1)) & bit(33)).toBeTruthy() // still high: active and pending
    wr(EOIR, 33, 0)
    expect(irq(0).level).toBe(true) // fires again at once
    expect(rd(IAR, 0)).toBe(33)
    line.set(false)
    wr(EOIR, 33, 0)
    expect([rd(ISPENDR(1)) & bit(33), rd(ISACTIVER(1)), irq(0).level]).toEqual([0, 0, false])
  })

  it('software pending, enable and active bits through the set/clear pairs', () => {
    const { rd, wr, enableAll, irq } = gic(1)
    enableAll()
    wr(ISPENDR(2), bit(70))
    expect(irq(0).level).toBe(false) // not enabled
    wr(ISENABLER(2), bit(70))
    expect([rd(ISENABLER(2)), rd(ICENABLER(2)), irq(0).level]).toEqual([bit(70), bit(70), true])
    wr(ICENABLER(2), bit(70))
    expect([rd(ISENABLER(2)), irq(0).level]).toEqual([0, false])
    wr(ISENABLER(2), bit(70))
    wr(ISACTIVER(2), bit(70)) // active and pending: not signalled
    expect([rd(ICACTIVER(2)), irq(0).level]).toEqual([bit(70), false])
    wr(ICACTIVER(2), bit(70))
    expect(irq(0).level).toBe(true)
    wr(ICPENDR(2), bit(70))
    expect([rd(ISPENDR(2)), irq(0).level]).toEqual([0, false])
  })

  it('forwards nothing while the distributor or the CPU interface is off', () => {
    const { rd, wr, spi, irq } = gic(1)
    spi(35, 0)
    wr(ISPENDR(1), bit(35))
    wr(GICC_CTLR, 1, 0)
    wr(PMR, 0xff, 0)
    expect([irq(0).level, rd(HPPIR, 0)]).toEqual([false, 1023])
    wr(CTLR, 1)
    expect([irq(0).level, rd(HPPIR, 0)]).toEqual([true, 35])
    wr(GICC_CTLR, 0, 0)
    expect([irq(0).level, rd(IAR, 0)]).toEqual([false, 1023])
  })
})

describe('gicv2 priority, PMR and preemption', () => {
  it('acknowledges by priority, ties to the lowest INTID; 1023 when nothing is left', () => {
    const { rd, wr, enableAll, spi } = gic(1)
    enableAll()
    for (const [id, p] of [[40, 0x80], [41, 0x40], [42, 0x40], [43, 0xc0]] as const) {
      spi(id, p)
      wr(ISPENDR(1), bit(id))
    }
    expect(rd(HPPIR, 0)).toBe(41)
    const order = [rd(IAR, 0)]
    wr(EOIR, order[0]!, 0)
    for (let k = 0; k < 4; k++) {
      const id = rd(IAR, 0)
      order.push(id)
      wr(EOIR, id, 0)
    }
    expect(order).toEqual([41, 42, 40, 43, 1023])
    wr(EOIR, 1023, 0) // ignored
    expect(rd(RPR, 0)).toBe(0xff)
  })

  it('masks priorities not below GICC_PMR, in GICC_HPPIR too (as QEMU: guests/aarch64/gic)', () => {
    const { rd, wr, enableAll, spi, irq } = gic(1)
    enableAll()
    spi(50, 0x40)
    wr(ISPENDR(1), bit(50))
    wr(PMR, 0x40, 0)
    expect([irq(0).level, rd(IAR, 0), rd(HPPIR, 0)]).toEqual([false, 1023, 1023])
    wr(PMR, 0x41, 0)
    expect([irq(0).level, rd(PMR, 0), rd(HPPIR, 0), rd(IAR, 0)]).toEqual([true, 0x41, 50, 50])
  })

  it('lets a higher group priority preempt, nests EOIs and tracks the running priority', () => {
    const { rd, wr, enableAll, spi, irq } = gic(1)
    enableAll()
    spi(40, 0x80)
    spi(41, 0x40)
    wr(ISPENDR(1), bit(40))
    expect(rd(IAR, 0)).toBe(40)
    // preemption level 0x80 >> 1 = 64: GICC_APR2 bit 0
    expect([rd(RPR, 0), rd(APR0, 0), rd(APR0 + 4, 0), rd(APR0 + 8, 0)]).toEqual([0x80, 0, 0, 1])
    wr(ISPENDR(1), bit(41))
    expect(irq(0).level).toBe(true) // 0x40 preempts 0x80
    expect(rd(IAR, 0)).toBe(41)
    expect([rd(RPR, 0), rd(APR0 + 4, 0)]).toEqual([0x40, 1])
    wr(ISPENDR(1), bit(40)) // same priority as an active one: waits
    wr(EOIR, 41, 0)
    expect([rd(RPR, 0), irq(0).level]).toEqual([0x80, false])
    wr(EOIR, 40, 0)
    expect([rd(RPR, 0), irq(0).level]).toEqual([0xff, true])
  })

  it('groups priorities by the binary point: only the group priority preempts', () => {
    const preempts = (bpr: number) => {
      const { rd, wr, enableAll, spi, irq } = gic(1)
      enableAll()
      spi(40, 0x50)
      spi(41, 0x40)
      wr(BPR, bpr, 0)
      wr(ISPENDR(1), bit(40))
      expect(rd(IAR, 0)).toBe(40)
      wr(ISPENDR(1), bit(41))
      return [irq(0).level, rd(IAR, 0), rd(RPR, 0)]
    }
    expect(preempts(3)).toEqual([true, 41, 0x40]) // group priority [7:4]: 0x40 < 0x50
    expect(preempts(4)).toEqual([false, 1023, 0x40]) // [7:5]: one group (0x50 runs as 0x40)
  })

  it('groups group 1 priorities by GICC_ABPR counted one less, or by GICC_BPR under CBPR', () => {
    const preempts = (abpr: number, ctlr = 3 | 4) => {
      const { rd, wr, enableAll, spi, irq } = gic(1)
      enableAll()
      wr(GICC_CTLR, ctlr, 0)
      wr(IGROUPR(1), bit(40) | bit(41))
      spi(40, 0x50)
      spi(41, 0x40)
      wr(BPR, 7, 0)
      wr(ABPR, abpr, 0)
      wr(ISPENDR(1), bit(40))
      expect(rd(IAR, 0)).toBe(40)
      wr(ISPENDR(1), bit(41))
      return irq(0).level
    }
    expect([preempts(4), preempts(5)]).toEqual([true, false])
    expect(preempts(4, 3 | 4 | 16)).toBe(false) // CBPR: GICC_BPR (7) groups everything
  })

  it('clamps the binary points to their minimum', () => {
    const { rd, wr } = gic(1)
    expect([rd(BPR, 0), rd(ABPR, 0)]).toEqual([0, 1])
    wr(BPR, 0xff, 0)
    wr(ABPR, 0, 0)
    expect([rd(BPR, 0), rd(ABPR, 0)]).toEqual([7, 1])
  })
})

describe('gicv2 groups, FIQ and EOImode', () => {
  it('signals group 0 on fiq only with FIQEn; 1022 for group 1 unless AckCtl; AIAR takes group 1', () => {
    const { rd, wr, enableAll, spi, irq, fiq } = gic(1)
    enableAll()
    spi(40, 0x40)
    wr(ISPENDR(1), bit(40))
    expect([irq(0).level, fiq(0).level]).toEqual([true, false])
    wr(GICC_CTLR, 3 | 8, 0) // FIQEn
    expect([irq(0).level, fiq(0).level]).toEqual([false, true])
    wr(IGROUPR(1), bit(40)) // group 1 → irq
    expect([irq(0).level, fiq(0).level]).toEqual([true, false])
    expect([rd(HPPIR, 0), rd(IAR, 0), rd(AHPPIR, 0)]).toEqual([1022, 1022, 40])
    expect(rd(AIAR, 0)).toBe(40)
    // group 1: binary point ABPR - 1 = 0, level 0x40 >> 1 = 32 in GICC_NSAPR1
    expect([rd(APR0 + 4, 0), rd(NSAPR0 + 4, 0), rd(RPR, 0)]).toEqual([0, 1, 0x40])
    wr(AEOIR, 40, 0)
    expect([rd(ISACTIVER(1)), rd(RPR, 0)]).toEqual([0, 0xff])
    wr(ISPENDR(1), bit(40))
    wr(GICC_CTLR, 3 | 4, 0) // AckCtl: GICC_IAR takes group 1 too
    expect(rd(IAR, 0)).toBe(40)
  })

  it('drops a group only when the distributor enables it', () => {
    const { rd, wr, enableAll, spi, irq } = gic(1)
    enableAll()
    spi(40, 0x40)
    spi(41, 0x80)
    wr(IGROUPR(1), bit(41))
    wr(ISPENDR(1), bit(40) | bit(41))
    wr(CTLR, 2) // group 1 only: 40 (group 0) is not forwarded
    wr(GICC_CTLR, 3 | 4, 0)
    expect([rd(HPPIR, 0), irq(0).level]).toEqual([41, true])
    expect(rd(IGROUPR(1))).toBe(bit(41))
  })

  it('splits priority drop and deactivation with EOImode; GICC_DIR deactivates', () => {
    const { rd, wr, enableAll, spi, irq } = gic(1)
    enableAll()
    wr(GICC_CTLR, 3 | (1 << 9), 0)
    spi(40, 0x40)
    wr(ISPENDR(1), bit(40))
    expect(rd(IAR, 0)).toBe(40)
    wr(EOIR, 40, 0)
    expect([rd(RPR, 0), rd(ISACTIVER(1))]).toEqual([0xff, bit(40)])
    wr(ISPENDR(1), bit(40))
    expect(irq(0).level).toBe(false) // still active
    wr(DIR, 40, 0)
    expect([rd(ISACTIVER(1)), irq(0).level]).toEqual([0, true])
  })

  it('ignores GICC_DIR with EOImode clear', () => {
    const { rd, wr, enableAll, spi } = gic(1)
    enableAll()
    spi(40, 0x40)
    wr(ISPENDR(1), bit(40))
    rd(IAR, 0)
    wr(DIR, 40, 0)
    expect(rd(ISACTIVER(1))).toBe(bit(40))
    expect(rd(APR0 + 4, 0)).toBe(1)
  })
})

describe('gicv2 SGIs', () => {
  it('sends through GICD_SGIR with a target list and reports the source in GICC_IAR', () => {
    const { bus, rd, wr, enableAll, irq } = gic(3)
    enableAll()
    wr(SGIR, (0b010 << 16) | 5, 0) // list: CPU 1
    expect([irq(0).level, irq(1).level, irq(2).level]).toEqual([false, true, false])
    expect(rd(ISPENDR(0), 1) & bit(5)).toBeTruthy()
    expect(rd(ISPENDR(0), 0) & bit(5)).toBe(0) // banked: CPU 0's SGI 5 is not pending
    expect(rd(IAR, 1)).toBe(5 | (0 << 10))
    wr(EOIR, 5, 1)
    wr(SGIR, (1 << 24) | 3, 2) // all but self, from CPU 2
    expect([irq(0).level, irq(1).level, irq(2).level]).toEqual([true, true, false])
    expect([rd(IAR, 0), rd(IAR, 1)]).toEqual([3 | (2 << 10), 3 | (2 << 10)])
    wr(SGIR, (2 << 24) | 7, 2) // self
    expect(rd(IAR, 2)).toBe(7 | (2 << 10))
    wr(SGIR, (3 << 24) | 8, 0) // reserved filter: nothing
    expect([bus.read(SPENDSGIR(8), 1, 0), bus.read(SPENDSGIR(8), 1, 1)]).toEqual([0, 0])
    expect([rd(ISPENDR(0), 0), rd(ISPENDR(0), 1)].map((v) => v & bit(8))).toEqual([0, 0])
  })

  it('keeps one pending SGI per source CPU: each is taken in turn', () => {
    const { bus, rd, wr, enableAll } = gic(3)
    enableAll()
    wr(SGIR, (1 << 16) | 2, 2)
    wr(SGIR, (1 << 16) | 2, 1)
    expect(bus.read(SPENDSGIR(2), 1, 0)).toBe(0b110)
    expect(rd(HPPIR, 0)).toBe(2 | (1 << 10))
    expect(rd(IAR, 0)).toBe(2 | (1 << 10))
    expect(bus.read(CPENDSGIR(2), 1, 0)).toBe(0b100) // the other source still waits
    expect(rd(IAR, 0)).toBe(1023) // active and pending
    wr(EOIR, 2 | (1 << 10), 0)
    expect(rd(IAR, 0)).toBe(2 | (2 << 10))
    wr(EOIR, 2, 0)
    expect(rd(ISPENDR(0), 0) & bit(2)).toBe(0)
  })

  it('SGIs are always enabled and their pending bits move only through S/CPENDSGIR', () => {
    const { bus, rd, wr } = gic(2)
    expect(rd(ISENABLER(0), 0) & 0xffff).toBe(0xffff)
    wr(ICENABLER(0), 0xffff, 0)
    wr(ISPENDR(0), 1 << 4, 0)
    expect([rd(ISENABLER(0), 0) & 0xffff, rd(ISPENDR(0), 0)]).toEqual([0xffff, 0])
    bus.write(SPENDSGIR(4), 1, 0b11, 1) // on CPU 1, from CPUs 0 and 1
    expect([rd(ISPENDR(0), 1), rd(ISPENDR(0), 0)]).toEqual([1 << 4, 0])
    bus.write(CPENDSGIR(4), 1, 0b01, 1)
    expect([bus.read(SPENDSGIR(4), 1, 1), rd(ISPENDR(0), 1)]).toEqual([0b10, 1 << 4])
    wr(ICPENDR(0), 1 << 4, 1)
    expect(rd(ISPENDR(0), 1)).toBe(1 << 4)
    bus.write(CPENDSGIR(4), 1, 0xff, 1)
    expect(rd(ISPENDR(0), 1)).toBe(0)
    expect(rd(ICFGR(0))).toBe(0xaaaaaaaa) // SGIs: edge, read-only
    wr(ICFGR(0), 0)
    expect(rd(ICFGR(0))).toBe(0xaaaaaaaa)
  })
})

describe('gicv2 PPIs and routing', () => {
  it('banks PPIs per CPU: input, enable, priority, configuration', () => {
    const { dev, bus, rd, wr, enableAll, irq } = gic(2)
    enableAll()
    wr(ISENABLER(0), bit(27), 1) // CPU 1 enables its PPI 27
    bus.write(IPRIORITYR(27), 1, 0x20, 1)
    expect([bus.read(IPRIORITYR(27), 1, 1), bus.read(IPRIORITYR(27), 1, 0)]).toEqual([0x20, 0])
    dev.ppi(0, 27).set(true) // CPU 0's timer: not enabled there
    expect([irq(0).level, irq(1).level]).toEqual([false, false])
    expect(rd(ISPENDR(0), 0) & bit(27)).toBeTruthy()
    expect(rd(ISPENDR(0), 1) & bit(27)).toBe(0)
    dev.ppi(1, 27).set(true)
    expect([irq(0).level, irq(1).level]).toEqual([false, true])
    expect([rd(ISENABLER(0), 0) & bit(27), rd(ISENABLER(0), 1) & bit(27)]).toEqual([0, bit(27)])
    expect(rd(IAR, 1)).toBe(27)
    wr(ICFGR(1), 2 << 2 * (27 - 16), 0) // CPU 0's PPI 27 edge-triggered; CPU 1's stays level
    expect([rd(ICFGR(1), 0), rd(ICFGR(1), 1)]).toEqual([2 << 22, 0])
  })

  it('reads ITARGETSR of SGIs and PPIs as the accessing CPU; a uniprocessor GIC reads 0', () => {
    const { bus, rd, wr } = gic(4)
    expect([0, 1, 2, 3].map((c) => bus.read(ITARGETSR(30), 1, c))).toEqual([1, 2, 4, 8])
    expect(rd(D + 0x800 + 28, 3)).toBe(0x08080808)
    wr(D + 0x81c, 0) // read-only
    expect(bus.read(ITARGETSR(29), 1, 1)).toBe(2)
    bus.write8(ITARGETSR(40), 0xff)
    expect(bus.read8(ITARGETSR(40))).toBe(0x0f) // only CPUs that exist
    const up = gic(1)
    up.bus.write8(ITARGETSR(40), 1)
    expect([up.bus.read8(ITARGETSR(40)), up.bus.read8(ITARGETSR(20))]).toEqual([0, 0])
  })

  it('routes an SPI to the CPUs ITARGETSR names; the first to acknowledge takes it', () => {
    const { dev, bus, rd, enableAll, spi, irq } = gic(2)
    enableAll()
    spi(48, 0x40, 0b10)
    const line = dev.irqInput(48)
    line.set(true)
    expect([irq(0).level, irq(1).level]).toEqual([false, true])
    expect(rd(IAR, 0)).toBe(1023)
    bus.write8(ITARGETSR(48), 0b11)
    expect([irq(0).level, irq(1).level]).toEqual([true, true])
    expect(rd(IAR, 0)).toBe(48)
    expect([irq(0).level, irq(1).level]).toEqual([false, false])
    expect(rd(IAR, 1)).toBe(1023)
    bus.write8(ITARGETSR(48), 0)
    expect(bus.read(ITARGETSR(48) & ~3, 4)).toBe(0)
  })

  it('accepts byte and word accesses to IPRIORITYR and ITARGETSR, and ignores narrow writes elsewhere', () => {
    const { bus, rd, wr } = gic(2)
    wr(IPRIORITYR(40), 0x44332211)
    expect([bus.read8(IPRIORITYR(41)), rd(IPRIORITYR(40))]).toEqual([0x22, 0x44332211])
    bus.write16(ITARGETSR(42), 0x0201)
    expect(rd(ITARGETSR(40))).toBe(0x02010000)
    wr(CTLR, 3)
    wr(ICFGR(3), 0xaaaa0000)
    bus.write8(CTLR + 1, 0)
    bus.write16(ICFGR(3), 0xffff)
    bus.write8(GICC_CTLR, 1)
    expect([rd(CTLR), rd(ICFGR(3)), rd(GICC_CTLR, 0), bus.read16(ICFGR(3) + 2)]).toEqual([3, 0xaaaa0000, 0, 0xaaaa])
  })
})

describe('gicv2 reset', () => {
  it('returns to power-on state but keeps input levels', () => {
    const { dev, rd, wr, enableAll, spi, irq } = gic(1)
    enableAll()
    spi(33, 0x10)
    dev.irqInput(33).set(true)
    expect(irq(0).level).toBe(true)
    dev.reset()
    expect([irq(0).level, rd(CTLR), rd(ISENABLER(1)), rd(ABPR, 0), rd(ISENABLER(0)) & 0xffff]).toEqual([false, 0, 0, 1, 0xffff])
    expect(rd(ISPENDR(1)) & bit(33)).toBeTruthy()
    wr(CTLR, 1)
    expect(rd(CTLR)).toBe(1)
  })
})
