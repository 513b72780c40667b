import { describe, expect, it } from 'vitest'
import { Gicv3 } from '../gicv3.ts'
import { iccRoute, iccSysregAt, type IccSysreg } from '../icc.ts'
import { gicCpuInterface } from '../lookup.ts'
import { board } from './setup.ts'

const D = 0x0800_0000
const SGI = (c: number) => 0x080a_0000 + 0x2_0000 * c + 0x1_0000
const bit = (id: number) => 1 << (id % 32)
const PENDING = 1n, ACTIVE = 2n
const EN = 1n, UIE = 2n, LRENPIE = 4n, NPIE = 8n
/** ICH_VMCR_EL2: VENG0 [0], VENG1 [1], VEOIM [9], VPMR [31:24] (the binary points keep their minima) */
const vmcr = (o: { eng0?: boolean; eng1?: boolean; eoim?: boolean; pmr?: number }) =>
  BigInt(((o.eng0 ? 1 : 0) | (o.eng1 ? 2 : 0) | (o.eoim ? 1 << 9 : 0) | ((o.pmr ?? 0xff) << 24)) >>> 0)

/** an ICH_LR<n>_EL2 value */
function lr(o: { id: number; prio: number; state: bigint; g1?: boolean; hw?: number; eoi?: boolean }): bigint {
  const phys = o.hw !== undefined ? (BigInt(o.hw) << 32n) | (1n << 61n) : o.eoi ? 1n << 41n : 0n
  return BigInt(o.id) | phys | (BigInt(o.prio) << 48n) | (o.g1 ? 1n << 60n : 0n) | (o.state << 62n)
}
const stateOf = (v: bigint) => v >> 62n

function gic(harts = 1) {
  const b = board((ctx) => new Gicv3(ctx), { base: D, size: 0xa_0000 + harts * 0x2_0000, cpus: harts })
  const { dev } = b
  const line = (h: number, name: string) => b.ctx.cpuLine(h, name) as ReturnType<typeof b.irq>
  /** EL2's view */
  const ich = (cpu: number, name: IccSysreg) => dev.readSysreg(cpu, name)
  const setIch = (cpu: number, name: IccSysreg, v: bigint) => dev.writeSysreg(cpu, name, v)
  /** the guest's view at EL1 with IMO/FMO set: ICV_ */
  const icv = (cpu: number, name: IccSysreg) => dev.readSysreg(cpu, name, { virtual: true })
  const setIcv = (cpu: number, name: IccSysreg, v: bigint | number) => dev.writeSysreg(cpu, name, BigInt(v), { virtual: true })
  return { ...b, ich, setIch, icv, setIcv, virq: (h: number) => line(h, 'virq'), vfiq: (h: number) => line(h, 'vfiq') }
}

describe('gicv3 virtualization: ICH_*_EL2 and the MRS/MSR decode', () => {
  it('reports four list registers and 5 priority bits in ICH_VTR_EL2, and resets to an empty interface', () => {
    const { ich } = gic()
    expect(ich(0, 'ICH_VTR_EL2')).toBe(0x90b8_0003n) // ListRegs 3, TDS, nV4, A3V, IDbits 1, PREbits 4, PRIbits 4
    expect([ich(0, 'ICH_HCR_EL2'), ich(0, 'ICH_MISR_EL2'), ich(0, 'ICH_EISR_EL2'), ich(0, 'ICH_ELRSR_EL2')]).toEqual([0n, 0n, 0n, 0xfn])
    expect(ich(0, 'ICH_VMCR_EL2')).toBe(BigInt((2 << 21) | (3 << 18) | (1 << 3))) // VBPR0 2, VBPR1 3, VFIQEn RES1
  })

  it('decodes the ICH_ encodings, with ICH_LR4..15 and ICH_AP<g>R1..3 absent (UNDEFINED)', () => {
    expect(iccSysregAt(3, 4, 12, 11, 0)).toEqual({ name: 'ICH_HCR_EL2', access: 'rw', el: 2 })
    expect(iccSysregAt(3, 4, 12, 11, 1)).toEqual({ name: 'ICH_VTR_EL2', access: 'r', el: 2 })
    expect(iccSysregAt(3, 4, 12, 11, 5)?.name).toBe('ICH_ELRSR_EL2')
    expect(iccSysregAt(3, 4, 12, 11, 7)?.name).toBe('ICH_VMCR_EL2')
    expect(iccSysregAt(3, 4, 12, 12, 3)?.name).toBe('ICH_LR3_EL2')
    expect(iccSysregAt(3, 4, 12, 9, 0)?.name).toBe('ICH_AP1R0_EL2')
    expect(iccSysregAt(3, 4, 12, 9, 5)?.name).toBe('ICC_SRE_EL2')
    for (const [crm, op2] of [[12, 4], [13, 0], [8, 1], [9, 3]] as const) expect(iccSysregAt(3, 4, 12, crm, op2)).toBeUndefined()
  })

  it("routes an EL1 access by HCR_EL2's IMO/FMO: ICV_ for the group's registers, a trap for the SGI registers", () => {
    const at = (crm: number, op2: number) => iccSysregAt(3, 0, 12, crm, op2)!
    const iar1 = at(12, 0), iar0 = at(8, 0), ctlr = at(12, 4), sgi1 = at(11, 5), sre = at(12, 5)
    expect([iccRoute(iar1, 1, true, false), iccRoute(iar1, 1, false, true), iccRoute(iar1, 2, true, true)]).toEqual(['icv', 'icc', 'icc'])
    expect([iccRoute(iar0, 1, true, false), iccRoute(iar0, 1, false, true)]).toEqual(['icc', 'icv'])
    expect([iccRoute(ctlr, 1, false, true), iccRoute(ctlr, 1, false, false)]).toEqual(['icv', 'icc'])
    expect([iccRoute(sgi1, 1, false, true), iccRoute(sgi1, 0, true, true), iccRoute(sre, 1, true, true)]).toEqual(['trap', 'icc', 'icc'])
  })

  it('keeps the writable bits: LR priority low bits and NMI RES0, ICH_HCR_EL2 with its trap controls', () => {
    const { ich, setIch } = gic()
    setIch(0, 'ICH_LR2_EL2', 0xffff_ffff_ffff_ffffn)
    expect(ich(0, 'ICH_LR2_EL2')).toBe(0xf0f8_1fff_ffff_ffffn)
    setIch(0, 'ICH_HCR_EL2', 0xffff_ffff_ffff_ffffn)
    expect(ich(0, 'ICH_HCR_EL2')).toBe(0xf800_7cffn)
    setIch(0, 'ICH_VMCR_EL2', 0n)
    expect(ich(0, 'ICH_VMCR_EL2')).toBe(BigInt((2 << 21) | (3 << 18) | (1 << 3)))
  })
})

describe('gicv3 virtualization: ICV_ registers on the list registers', () => {
  it('pending → active → invalid through ICV_IAR1_EL1 and ICV_EOIR1_EL1, virq following', () => {
    const { ich, setIch, icv, setIcv, virq } = gic()
    setIch(0, 'ICH_VMCR_EL2', vmcr({ eng1: true }))
    setIch(0, 'ICH_HCR_EL2', EN)
    setIch(0, 'ICH_LR0_EL2', lr({ id: 48, prio: 0x80, state: PENDING, g1: true }))
    expect([virq(0).level, icv(0, 'ICC_HPPIR1_EL1'), icv(0, 'ICC_HPPIR0_EL1')]).toEqual([true, 48n, 1023n])
    expect(icv(0, 'ICC_IAR0_EL1')).toBe(1023n) // wrong group
    expect(icv(0, 'ICC_IAR1_EL1')).toBe(48n)
    expect([stateOf(ich(0, 'ICH_LR0_EL2')), virq(0).level, icv(0, 'ICC_RPR_EL1'), ich(0, 'ICH_AP1R0_EL2'), icv(0, 'ICC_AP1R0_EL1')])
      .toEqual([ACTIVE, false, 0x80n, 1n << 16n, 1n << 16n])
    expect(icv(0, 'ICC_IAR1_EL1')).toBe(1023n) // an empty set
    setIcv(0, 'ICC_EOIR1_EL1', 48)
    expect([stateOf(ich(0, 'ICH_LR0_EL2')), icv(0, 'ICC_RPR_EL1'), ich(0, 'ICH_ELRSR_EL2')]).toEqual([0n, 0xffn, 0xfn])
  })

  it('deactivates only through the EOIR of the LR\'s own group (IHI 0069 ICV_EOIR<n>_EL1)', () => {
    const { ich, setIch, icv, setIcv } = gic()
    setIch(0, 'ICH_HCR_EL2', EN)
    setIch(0, 'ICH_VMCR_EL2', vmcr({ eng1: true }))
    setIch(0, 'ICH_LR0_EL2', lr({ id: 35, prio: 0x40, state: PENDING, g1: true }))
    expect(icv(0, 'ICC_IAR1_EL1')).toBe(35n)
    setIcv(0, 'ICC_EOIR0_EL1', 35) // the wrong group: priority drop only
    expect([stateOf(ich(0, 'ICH_LR0_EL2')), icv(0, 'ICC_RPR_EL1'), ich(0, 'ICH_HCR_EL2') >> 27n]).toEqual([ACTIVE, 0xffn, 0n])
  })

  it('signals group 0 as vfiq and looks only at groups VMCR enables', () => {
    const { setIch, icv, virq, vfiq } = gic()
    setIch(0, 'ICH_HCR_EL2', EN)
    setIch(0, 'ICH_LR0_EL2', lr({ id: 30, prio: 0x40, state: PENDING }))
    setIch(0, 'ICH_LR1_EL2', lr({ id: 31, prio: 0x80, state: PENDING, g1: true }))
    setIch(0, 'ICH_VMCR_EL2', vmcr({ eng1: true }))
    expect([vfiq(0).level, virq(0).level, icv(0, 'ICC_HPPIR1_EL1')]).toEqual([false, true, 31n]) // 30 is in a disabled group
    setIch(0, 'ICH_VMCR_EL2', vmcr({ eng0: true, eng1: true }))
    expect([vfiq(0).level, virq(0).level]).toEqual([true, false])
    expect(icv(0, 'ICC_IAR0_EL1')).toBe(30n)
    expect(vfiq(0).level).toBe(false)
  })

  it('masks by ICV_PMR_EL1 (VPMR, 5 bits) and keeps the guest ICV_ state apart from the physical ICC_ state', () => {
    const { ich, setIch, icv, setIcv, virq, dev } = gic()
    setIch(0, 'ICH_HCR_EL2', EN)
    setIch(0, 'ICH_VMCR_EL2', vmcr({ eng1: true, pmr: 0x80 }))
    setIch(0, 'ICH_LR0_EL2', lr({ id: 40, prio: 0x80, state: PENDING, g1: true }))
    expect([icv(0, 'ICC_PMR_EL1'), virq(0).level, icv(0, 'ICC_IAR1_EL1')]).toEqual([0x80n, false, 1023n])
    setIcv(0, 'ICC_PMR_EL1', 0xff)
    expect([icv(0, 'ICC_PMR_EL1'), ich(0, 'ICH_VMCR_EL2') >> 24n, dev.readSysreg(0, 'ICC_PMR_EL1'), virq(0).level]).toEqual([0xf8n, 0xf8n, 0n, true])
    setIcv(0, 'ICC_IGRPEN1_EL1', 0)
    expect([icv(0, 'ICC_IGRPEN1_EL1'), dev.readSysreg(0, 'ICC_IGRPEN1_EL1', { virtual: false }), virq(0).level]).toEqual([0n, 0n, false])
    // ICV_CTLR_EL1: PRIbits 4, IDbits 1, A3V; CBPR and EOImode land in VMCR
    setIcv(0, 'ICC_CTLR_EL1', 3)
    expect([icv(0, 'ICC_CTLR_EL1'), (ich(0, 'ICH_VMCR_EL2') >> 4n) & 1n, (ich(0, 'ICH_VMCR_EL2') >> 9n) & 1n]).toEqual([0x8c03n, 1n, 1n])
    expect([icv(0, 'ICC_BPR1_EL1'), icv(0, 'ICC_SRE_EL1')]).toEqual([3n, 7n]) // VBPR0 + 1 with VCBPR; SRE has no ICV_ face
  })

  it('forwards the deactivation of an LR with the HW bit to the physical SPI, with and without VEOIM', () => {
    for (const eoim of [false, true]) {
      const { dev, rd, wr, bus, ich, setIch, icv, setIcv, irq } = gic()
      // the hypervisor: SPI 40 group 1, EOImode 1, taken and priority-dropped, still active
      wr(D, 3)
      wr(SGI(0) - 0x1_0000 + 0x14, 0) // GICR_WAKER
      dev.writeSysreg(0, 'ICC_PMR_EL1', 0xffn)
      dev.writeSysreg(0, 'ICC_IGRPEN1_EL1', 1n)
      dev.writeSysreg(0, 'ICC_CTLR_EL1', 2n)
      wr(D + 0x84, bit(40))
      bus.write8(D + 0x400 + 40, 0xa0)
      wr(D + 0x104, bit(40))
      dev.irqInput(40).set(true)
      expect(dev.readSysreg(0, 'ICC_IAR1_EL1')).toBe(40n)
      dev.writeSysreg(0, 'ICC_EOIR1_EL1', 40n)
      expect(rd(D + 0x304) & bit(40)).toBe(bit(40))
      // the guest
      setIch(0, 'ICH_HCR_EL2', EN)
      setIch(0, 'ICH_VMCR_EL2', vmcr({ eng1: true, eoim }))
      setIch(0, 'ICH_LR0_EL2', lr({ id: 40, prio: 0xa0, state: PENDING, g1: true, hw: 40 }))
      expect(icv(0, 'ICC_IAR1_EL1')).toBe(40n)
      setIcv(0, 'ICC_EOIR1_EL1', 40)
      expect([stateOf(ich(0, 'ICH_LR0_EL2')), rd(D + 0x304) & bit(40)]).toEqual(eoim ? [ACTIVE, bit(40)] : [0n, 0])
      if (eoim) setIcv(0, 'ICC_DIR_EL1', 40)
      expect([stateOf(ich(0, 'ICH_LR0_EL2')), rd(D + 0x304) & bit(40), irq(0).level]).toEqual([0n, 0, true])
    }
  })

  it('counts EOIs and DIRs of interrupts in no LR in ICH_HCR_EL2.EOIcount and raises the maintenance PPI', () => {
    const { dev, ich, setIch, icv, setIcv } = gic()
    const maint = () => dev.core.pendingWord(0, 0) & bit(25)
    setIch(0, 'ICH_HCR_EL2', EN | LRENPIE)
    setIch(0, 'ICH_VMCR_EL2', vmcr({ eng1: true }))
    setIch(0, 'ICH_LR0_EL2', lr({ id: 50, prio: 0x60, state: PENDING, g1: true }))
    expect(icv(0, 'ICC_IAR1_EL1')).toBe(50n)
    setIch(0, 'ICH_LR0_EL2', 0n)
    expect(maint()).toBe(0)
    setIcv(0, 'ICC_EOIR1_EL1', 50)
    expect([ich(0, 'ICH_HCR_EL2') >> 27n, ich(0, 'ICH_MISR_EL2'), maint()]).toEqual([1n, 4n, bit(25)])
    setIch(0, 'ICH_VMCR_EL2', vmcr({ eng1: true, eoim: true }))
    setIcv(0, 'ICC_DIR_EL1', 51)
    expect(ich(0, 'ICH_HCR_EL2') >> 27n).toBe(2n)
    setIch(0, 'ICH_HCR_EL2', EN)
    expect(maint()).toBe(0)
  })

  it('raises underflow and no-pending maintenance, and EOI for an LR with the EOI bit', () => {
    const { ich, setIch, icv, setIcv } = gic()
    setIch(0, 'ICH_VMCR_EL2', vmcr({ eng1: true }))
    setIch(0, 'ICH_HCR_EL2', EN | UIE | NPIE)
    expect(ich(0, 'ICH_MISR_EL2')).toBe(0b1010n) // U, NP
    setIch(0, 'ICH_LR1_EL2', lr({ id: 60, prio: 0x10, state: PENDING, g1: true, eoi: true }))
    setIch(0, 'ICH_LR2_EL2', lr({ id: 61, prio: 0x20, state: PENDING, g1: true }))
    expect(ich(0, 'ICH_MISR_EL2')).toBe(0n)
    expect(icv(0, 'ICC_IAR1_EL1')).toBe(60n)
    setIcv(0, 'ICC_EOIR1_EL1', 60)
    expect([ich(0, 'ICH_EISR_EL2'), ich(0, 'ICH_ELRSR_EL2'), ich(0, 'ICH_MISR_EL2')]).toEqual([0b10n, 0b1001n, 0b11n]) // EOI, U
  })

  it('gives each CPU its own list registers and virq line', () => {
    const { setIch, icv, virq } = gic(2)
    for (const c of [0, 1]) {
      setIch(c, 'ICH_HCR_EL2', EN)
      setIch(c, 'ICH_VMCR_EL2', vmcr({ eng1: true }))
    }
    setIch(1, 'ICH_LR3_EL2', lr({ id: 27, prio: 0x20, state: PENDING, g1: true }))
    expect([virq(0).level, virq(1).level, icv(0, 'ICC_IAR1_EL1'), icv(1, 'ICC_IAR1_EL1')]).toEqual([false, true, 1023n, 27n])
  })

  it('reaches ICV_ through gicCpuInterface(bus) with { virtual: true }', () => {
    const { bus, setIch } = gic()
    const cpuif = gicCpuInterface(bus)
    setIch(0, 'ICH_HCR_EL2', EN)
    cpuif.writeSysreg(0, 'ICH_VMCR_EL2', vmcr({ eng1: true }))
    cpuif.writeSysreg(0, 'ICH_LR0_EL2', lr({ id: 33, prio: 0x10, state: PENDING, g1: true }))
    expect([cpuif.readSysreg(0, 'ICC_IAR1_EL1'), cpuif.readSysreg(0, 'ICC_IAR1_EL1', { virtual: true })]).toEqual([1023n, 33n])
  })
})
