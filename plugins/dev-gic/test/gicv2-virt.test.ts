import { describe, expect, it } from 'vitest'
import { Gicv2 } from '../gicv2.ts'
import { board } from './setup.ts'

const D = 0x0800_0000
const C = 0x0801_0000
const H = 0x0803_0000
const V = 0x0804_0000
const bit = (id: number) => 1 << (id % 32)
// physical
const GICD_ISENABLER = (w: number) => D + 0x100 + 4 * w
const GICD_ISPENDR = (w: number) => D + 0x200 + 4 * w
const GICD_ISACTIVER = (w: number) => D + 0x300 + 4 * w
const GICC_CTLR = C, GICC_PMR = C + 4, GICC_IAR = C + 0xc, GICC_EOIR = C + 0x10
// GICH (IHI 0048B §5.3)
const HCR = H, VTR = H + 4, VMCR = H + 8, MISR = H + 0x10, EISR0 = H + 0x20, ELRSR0 = H + 0x30, HAPR = H + 0xf0
const LR = (n: number) => H + 0x100 + 4 * n
// GICV (IHI 0048B §5.4)
const VCTLR = V, VPMR = V + 4, VBPR = V + 8, VIAR = V + 0xc, VEOIR = V + 0x10, VRPR = V + 0x14, VHPPIR = V + 0x18
const VABPR = V + 0x1c, VAIAR = V + 0x20, VAEOIR = V + 0x24, VAPR = V + 0xd0, VIIDR = V + 0xfc, VDIR = V + 0x1000
const HCR_EN = 1, HCR_UIE = 2, HCR_LRENPIE = 4, HCR_NPIE = 8
const MISR_EOI = 1, MISR_U = 2, MISR_LRENP = 4, MISR_NP = 8
const PENDING = 1, ACTIVE = 2, ACTIVE_PENDING = 3

/** a GICH_LR value */
function lr(o: { id: number; prio: number; state: number; grp1?: boolean; hw?: number; eoi?: boolean; cpuid?: number }): number {
  const low = o.hw !== undefined ? (o.hw << 10) | (1 << 31) : ((o.cpuid ?? 0) << 10) | (o.eoi ? 1 << 19 : 0)
  return (o.id | low | ((o.prio >> 3) << 23) | (o.state << 28) | (o.grp1 ? 1 << 30 : 0)) >>> 0
}
const state = (v: number) => (v >>> 28) & 3

function gic(harts = 2, params: Record<string, unknown> = {}, size = 0x5_0000) {
  const b = board((ctx) => new Gicv2(ctx), { base: D, size, cpus: harts, params })
  const line = (h: number, name: string) => b.ctx.cpuLine(h, name) as ReturnType<typeof b.irq>
  /** the hypervisor on pCPU `cpu` enables its virtual interface; the guest there enables group 0 with PMR open */
  const enable = (cpu: number, hcr = HCR_EN) => {
    b.wr(HCR, hcr, cpu)
    b.wr(VCTLR, 1, cpu)
    b.wr(VPMR, 0xff, cpu)
  }
  return { ...b, virq: (h: number) => line(h, 'virq'), vfiq: (h: number) => line(h, 'vfiq'), enable }
}

describe('gicv2 virtualization: frames and identification', () => {
  it('has GICH at +0x30000 and GICV at +0x40000 with QEMU values, and resets to an empty interface', () => {
    const { rd } = gic(1)
    expect(rd(VTR)).toBe(0x9000_0003) // ListRegs 3, PREbits 4, PRIbits 4
    expect([rd(HCR), rd(VMCR), rd(MISR), rd(EISR0), rd(EISR0 + 4), rd(ELRSR0), rd(ELRSR0 + 4), rd(HAPR)])
      .toEqual([0, (2 << 21) | (3 << 18), 0, 0, 0, 0xf, 0, 0]) // binary points at their minima, four empty LRs
    expect([rd(VBPR), rd(VABPR), rd(VRPR), rd(VIIDR), rd(VIAR), rd(VHPPIR)]).toEqual([2, 3, 0xff, 0x0002_043b, 1023, 1023])
  })

  it('has LRs 0..3 only, RAZ/WI beyond, and keeps the writable bits of each', () => {
    const { rd, wr } = gic(1)
    wr(LR(0), 0xffff_ffff)
    wr(LR(4), 0xffff_ffff)
    expect([rd(LR(0)), rd(LR(4)), rd(LR(63))]).toEqual([0xff8f_ffff, 0, 0]) // bits 22:20 reserved
    wr(HCR, 0xffff_ffff)
    expect(rd(HCR)).toBe(0xf800_00ff)
    wr(VMCR, 0)
    expect(rd(VMCR)).toBe((2 << 21) | (3 << 18)) // binary points cannot go below their minima
    wr(VMCR, 0xffff_ffff)
    expect(rd(VMCR)).toBe(0xf8fc_021f)
  })

  it('is a GIC without the extensions when the window stops short of GICV and names no offset', () => {
    const { dev, rd, wr, ctx } = gic(1, {}, 0x4_0000) // reaches the default GICH, not GICV
    expect(dev.vgic).toBeNull()
    wr(H + 0x100, 0x1000_0001)
    expect(rd(H + 0x100)).toBe(0)
    expect(ctx.cpuLine(0, 'virq')).toMatchObject({ levels: [] }) // never driven
    expect(() => gic(1, { gicvOffset: 0x4_0000 }, 0x2_0000)).toThrow(/must reach params.gichOffset/)
    expect(() => gic(1, { gichOffset: 0x1_0000 })).toThrow(/three different frames/)
    expect(() => gic(1, { maintenanceIrq: 40 })).toThrow(/maintenanceIrq must be a PPI/)
    const moved = gic(1, { gichOffset: 0x2_0000, gicvOffset: 0x6_0000 }, 0x7_0000)
    expect([moved.rd(D + 0x2_0004), moved.rd(D + 0x6_00fc)]).toEqual([0x9000_0003, 0x0002_043b])
    expect([moved.dev.gichOffset, moved.dev.gicvOffset, dev.gichOffset, gic(1).dev.gicvOffset]).toEqual([0x2_0000, 0x6_0000, null, 0x4_0000])
  })

  it('takes word accesses only', () => {
    const { rd, bus } = gic(1)
    bus.write8(LR(0), 0xff)
    bus.write16(HCR, 1)
    expect([rd(LR(0)), rd(HCR)]).toEqual([0, 0])
  })
})

describe('gicv2 virtualization: list register states (IHI 0048B §5.3.4)', () => {
  it('pending → active → invalid through GICV_IAR and GICV_EOIR, the virq line following the LRs', () => {
    const { rd, wr, virq, enable } = gic(1)
    enable(0)
    expect(virq(0).level).toBe(false)
    wr(LR(1), lr({ id: 40, prio: 0x80, state: PENDING }), 0)
    expect([virq(0).level, rd(ELRSR0), rd(VHPPIR)]).toEqual([true, 0b1101, 40])
    expect(rd(VIAR, 0)).toBe(40)
    expect([state(rd(LR(1))), virq(0).level, rd(VRPR), rd(HAPR), rd(VAPR)]).toEqual([ACTIVE, false, 0x80, 1 << 16, 1 << 16])
    expect(rd(VIAR, 0)).toBe(1023) // nothing else pending
    wr(VEOIR, 40, 0)
    expect([state(rd(LR(1))), rd(ELRSR0), rd(VRPR), rd(HAPR)]).toEqual([0, 0xf, 0xff, 0])
  })

  it('reads 1023 from GICV_IAR with no pending LR, with the interface disabled, or with the group disabled', () => {
    const { rd, wr, virq, enable } = gic(1)
    expect(rd(VIAR)).toBe(1023)
    wr(LR(0), lr({ id: 33, prio: 0x10, state: PENDING }))
    expect([virq(0).level, rd(VIAR)]).toEqual([false, 1023]) // GICH_HCR.En clear
    enable(0)
    wr(VCTLR, 0)
    expect([virq(0).level, rd(VIAR)]).toEqual([false, 1023]) // GICV_CTLR.EnableGrp0 clear
    wr(VCTLR, 1)
    expect([virq(0).level, rd(VIAR)]).toEqual([true, 33])
  })

  it('keeps an active-and-pending LR from signalling until its EOI leaves it pending', () => {
    const { rd, wr, virq, enable } = gic(1)
    enable(0)
    wr(LR(0), lr({ id: 50, prio: 0x40, state: PENDING }))
    expect(rd(VIAR)).toBe(50)
    wr(LR(0), rd(LR(0)) | (PENDING << 28)) // the hypervisor marks it pending again while active
    expect([state(rd(LR(0))), virq(0).level]).toEqual([ACTIVE_PENDING, false])
    wr(VEOIR, 50)
    expect([state(rd(LR(0))), virq(0).level, rd(VIAR)]).toEqual([PENDING, true, 50])
  })

  it('takes LRs by priority, ties to the lowest LR, and lets a higher group priority preempt', () => {
    const { rd, wr, virq, enable } = gic(1)
    enable(0)
    wr(LR(0), lr({ id: 60, prio: 0x80, state: PENDING }))
    wr(LR(1), lr({ id: 61, prio: 0x40, state: PENDING }))
    wr(LR(2), lr({ id: 62, prio: 0x40, state: PENDING }))
    expect(rd(VIAR)).toBe(61)
    expect(virq(0).level).toBe(false) // 0x40 cannot preempt 0x40
    wr(LR(3), lr({ id: 63, prio: 0x20, state: PENDING }))
    expect(virq(0).level).toBe(true)
    expect([rd(VIAR), rd(VRPR), rd(HAPR)]).toEqual([63, 0x20, (1 << 4) | (1 << 8)])
    wr(VEOIR, 63)
    wr(VEOIR, 61)
    expect([rd(VIAR), rd(VIAR)]).toEqual([62, 1023]) // 60 cannot preempt 62 (0x80 > 0x40)
  })

  it('masks priorities not below the VMCR priority mask (GICH_VMCR.VMPriMask = GICV_PMR)', () => {
    const { rd, wr, virq, enable } = gic(1)
    enable(0)
    wr(LR(0), lr({ id: 70, prio: 0x80, state: PENDING }))
    wr(VMCR, (rd(VMCR) & 0x07ff_ffff) | ((0x80 >> 3) << 27)) // the hypervisor restores a guest's PMR of 0x80
    expect([rd(VPMR), virq(0).level, rd(VIAR), rd(VHPPIR)]).toEqual([0x80, false, 1023, 70])
    wr(VPMR, 0x8f) // the guest: 5 priority bits
    expect([rd(VPMR), rd(VMCR) >>> 27, virq(0).level]).toEqual([0x88, 0x11, true])
    expect(rd(VIAR)).toBe(70)
  })

  it('sends group 1 through GICV_AIAR (GICV_IAR with AckCtl clear gives 1022) and group 0 to vfiq with FIQEn', () => {
    const { rd, wr, virq, vfiq } = gic(1)
    wr(HCR, HCR_EN)
    wr(VPMR, 0xff)
    wr(LR(0), lr({ id: 80, prio: 0x40, state: PENDING, grp1: true }))
    expect(virq(0).level).toBe(false) // group 1 not enabled
    wr(VCTLR, 0b10)
    expect([virq(0).level, rd(VHPPIR), rd(V + 0x28)]).toEqual([true, 1022, 80])
    expect(rd(VIAR)).toBe(1022)
    expect(rd(VAIAR)).toBe(80)
    wr(VAEOIR, 80)
    wr(LR(1), lr({ id: 81, prio: 0x40, state: PENDING }))
    wr(VCTLR, 0b1001) // EnableGrp0, FIQEn
    expect([vfiq(0).level, virq(0).level]).toEqual([true, false])
    expect([rd(VAIAR), rd(VIAR)]).toEqual([1023, 81])
    expect(vfiq(0).level).toBe(false)
  })

  it('reports a software SGI with its CPUID and matches it in GICV_EOIR', () => {
    const { rd, wr, enable } = gic(1)
    enable(0)
    wr(LR(0), lr({ id: 3, prio: 0x40, state: PENDING, cpuid: 2 }))
    expect(rd(VIAR)).toBe(3 | (2 << 10))
    wr(VEOIR, 3 | (1 << 10)) // another source: priority drop, no LR matches
    expect([state(rd(LR(0))), (rd(HCR) >>> 27)]).toEqual([ACTIVE, 1])
  })
})

describe('gicv2 virtualization: EOI, deactivation and the HW bit', () => {
  /** SPI 40, level-sensitive, taken by the hypervisor on CPU 0 with EOImode 1 (priority dropped, still active), handed to the guest */
  function forwarded() {
    const g = gic(1)
    const { rd, wr, dev, bus } = g
    wr(D, 1)
    wr(GICC_CTLR, 1 | (1 << 9)) // EnableGrp0, EOImode: Bao's gicc_init
    wr(GICC_PMR, 0xff)
    bus.write8(D + 0x400 + 40, 0xa0)
    wr(GICD_ISENABLER(1), bit(40))
    dev.irqInput(40).set(true)
    expect(rd(GICC_IAR)).toBe(40)
    wr(GICC_EOIR, 40)
    expect([rd(GICD_ISACTIVER(1)) & bit(40), g.irq(0).level]).toEqual([bit(40), false])
    return g
  }

  it('forwards the deactivation of an LR with the HW bit to the physical interrupt', () => {
    const { rd, wr, irq, enable } = forwarded()
    enable(0)
    wr(LR(0), lr({ id: 40, prio: 0xa0, state: PENDING, hw: 40 }))
    expect(rd(VIAR)).toBe(40)
    expect(rd(GICD_ISACTIVER(1)) & bit(40)).toBe(bit(40))
    wr(VEOIR, 40)
    expect([state(rd(LR(0))), rd(GICD_ISACTIVER(1)) & bit(40), rd(ELRSR0) & 1]).toEqual([0, 0, 1])
    expect(irq(0).level).toBe(true) // the line is still high: the physical interrupt fires again
  })

  it('leaves the physical interrupt active for an LR without the HW bit', () => {
    const { rd, wr, irq, enable } = forwarded()
    enable(0)
    wr(LR(0), lr({ id: 40, prio: 0xa0, state: PENDING }))
    expect(rd(VIAR)).toBe(40)
    wr(VEOIR, 40)
    expect([state(rd(LR(0))), rd(GICD_ISACTIVER(1)) & bit(40), irq(0).level]).toEqual([0, bit(40), false])
  })

  it('splits priority drop and deactivation with the guest EOImode: GICV_DIR deactivates (and forwards HW)', () => {
    const { rd, wr, enable } = forwarded()
    enable(0)
    wr(VCTLR, 1 | (1 << 9))
    wr(LR(0), lr({ id: 40, prio: 0xa0, state: PENDING, hw: 40 }))
    expect(rd(VIAR)).toBe(40)
    wr(VEOIR, 40)
    expect([state(rd(LR(0))), rd(VRPR), rd(GICD_ISACTIVER(1)) & bit(40)]).toEqual([ACTIVE, 0xff, bit(40)])
    wr(VDIR, 40)
    expect([state(rd(LR(0))), rd(GICD_ISACTIVER(1)) & bit(40), rd(HCR) >>> 27]).toEqual([0, 0, 0])
  })

  it('counts in GICH_HCR.EOICount the EOIs (EOImode 0) and DIRs (EOImode 1) of interrupts in no LR, raising LRENP', () => {
    const { rd, wr, enable } = gic(1)
    enable(0, HCR_EN | HCR_LRENPIE)
    wr(LR(0), lr({ id: 90, prio: 0x60, state: PENDING }))
    expect(rd(VIAR)).toBe(90)
    wr(LR(0), 0) // the hypervisor spills the active interrupt out of the LRs
    wr(VEOIR, 90)
    expect([rd(HCR) >>> 27, rd(MISR), rd(VRPR)]).toEqual([1, MISR_LRENP, 0xff])
    wr(VEOIR, 91) // nothing active: no priority dropped, not counted
    expect(rd(HCR) >>> 27).toBe(1)
    wr(VCTLR, 1 | (1 << 9))
    wr(LR(0), lr({ id: 92, prio: 0x60, state: PENDING }))
    expect(rd(VIAR)).toBe(92)
    wr(LR(0), 0)
    wr(VEOIR, 92) // EOImode 1: priority drop only, not counted
    expect(rd(HCR) >>> 27).toBe(1)
    wr(VDIR, 92)
    expect(rd(HCR) >>> 27).toBe(2)
    wr(HCR, HCR_EN | HCR_LRENPIE) // the hypervisor handled both: EOICount back to 0
    expect(rd(MISR)).toBe(0)
  })
})

describe('gicv2 virtualization: maintenance interrupt (GICH_MISR, PPI 25)', () => {
  it('raises underflow (U) while at most one LR is valid and no-pending (NP) while none is pending', () => {
    const { rd, wr, dev } = gic(1)
    const maint = () => dev.core.pendingWord(0, 0) & bit(25)
    wr(HCR, HCR_UIE | HCR_NPIE)
    expect([rd(MISR), maint()]).toEqual([MISR_U | MISR_NP, 0]) // not while GICH_HCR.En is clear
    wr(HCR, HCR_EN | HCR_UIE | HCR_NPIE)
    expect(maint()).toBe(bit(25))
    wr(LR(0), lr({ id: 40, prio: 0, state: PENDING }))
    expect(rd(MISR)).toBe(MISR_U)
    wr(LR(1), lr({ id: 41, prio: 0, state: ACTIVE }))
    expect([rd(MISR), maint()]).toEqual([0, 0])
    wr(LR(0), 0)
    expect(rd(MISR)).toBe(MISR_U | MISR_NP)
  })

  it('raises EOI for an LR with the EOI bit once deactivated: GICH_EISR names it, GICH_ELRSR does not', () => {
    const { rd, wr, enable } = gic(1)
    enable(0)
    wr(LR(2), lr({ id: 45, prio: 0x20, state: PENDING, eoi: true }))
    expect(rd(VIAR)).toBe(45)
    expect([rd(EISR0), rd(MISR)]).toEqual([0, 0])
    wr(VEOIR, 45)
    expect([rd(EISR0), rd(ELRSR0), rd(MISR)]).toEqual([0b100, 0b1011, MISR_EOI])
    wr(LR(2), 0)
    expect([rd(EISR0), rd(ELRSR0), rd(MISR)]).toEqual([0, 0xf, 0])
  })

  it('reports the virtual group enables as the VGrp*IE bits select', () => {
    const { rd, wr } = gic(1)
    wr(HCR, 0xf0)
    expect(rd(MISR)).toBe(0xa0) // VGrp0D, VGrp1D
    wr(VCTLR, 0b11)
    expect(rd(MISR)).toBe(0x50) // VGrp0E, VGrp1E
  })

  it('drives the maintenance PPI of the CPU whose interface it is into the physical GIC', () => {
    const { rd, wr, irq, bus } = gic(2)
    wr(D, 1)
    for (const c of [0, 1]) { wr(GICC_CTLR, 1, c); wr(GICC_PMR, 0xff, c) }
    wr(GICD_ISENABLER(0), bit(25), 1)
    bus.write(D + 0x400 + 25, 1, 0x80, 1)
    wr(HCR, HCR_EN | HCR_NPIE, 1)
    expect([irq(0).level, irq(1).level, rd(GICD_ISPENDR(0), 1) & bit(25)]).toEqual([false, true, bit(25)])
    expect(rd(GICC_IAR, 1)).toBe(25)
    wr(LR(0), lr({ id: 40, prio: 0, state: PENDING }), 1) // the hypervisor refills: NP clears, the PPI drops
    expect(rd(GICD_ISPENDR(0), 1) & bit(25)).toBe(0)
  })
})

describe('gicv2 virtualization: per-CPU banking', () => {
  it('gives each CPU its own GICH and GICV; host accesses act as CPU 0', () => {
    const { rd, wr, virq, enable } = gic(2)
    enable(0)
    enable(1)
    wr(LR(0), lr({ id: 40, prio: 0x40, state: PENDING }), 1)
    wr(VMCR, rd(VMCR, 0) | (1 << 9), 0)
    expect([virq(0).level, virq(1).level]).toEqual([false, true])
    expect([rd(LR(0), 0), rd(LR(0), 1) & 0x3ff, rd(LR(0)), rd(ELRSR0, 0), rd(ELRSR0, 1)]).toEqual([0, 40, 0, 0xf, 0xe])
    expect([rd(VCTLR, 0), rd(VCTLR, 1)]).toEqual([0x201, 1])
    expect([rd(VIAR, 0), rd(VIAR, 1)]).toEqual([1023, 40])
    expect([rd(VRPR, 0), rd(VRPR, 1), rd(HAPR, 0), rd(HAPR, 1)]).toEqual([0xff, 0x40, 0, 1 << 8])
  })
})
