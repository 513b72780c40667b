/**
 * MRS/MSR of the GIC's system registers (gic-sysregs.ts) on the QEMU virt boards: served by the
 * GICv3 for the hart's CPU interface, the ICV_ face under HCR_EL2.IMO/FMO, a trap to EL2 for
 * ICC_SGI1R_EL1 there, UNDEFINED for the wrong direction, too low an EL, or a GICv2 machine.
 */
import { describe, expect, it } from 'vitest'
import { Machine } from '../../../core/machine.ts'
import { PluginHost } from '../../../core/plugins.ts'
import { gicCpuInterface } from '../../dev-gic/lookup.ts'
import { disassemble } from '../disasm.ts'
import type { A64Cpu } from '../cpu.ts'
import { HCR, SR } from '../sysreg-defs.ts'
import { ST } from '../state.ts'

const CODE = 0x4008_0000, VBAR1 = 0x4010_0000, VBAR2 = 0x4010_1000
const MRS_X0_ICC_SRE_EL1 = 0xd538cca0, MSR_ICC_PMR_EL1_X1 = 0xd5184601, MRS_X2_ICC_PMR_EL1 = 0xd5384602
const MRS_X3_ICC_IAR1_EL1 = 0xd538cc03, MSR_ICC_SGI1R_EL1_X4 = 0xd518cba4, MSR_ICC_IAR1_EL1_X5 = 0xd518cc05
const MRS_X6_ICH_HCR_EL2 = 0xd53ccb06, MSR_ICC_EOIR1_EL1_X3 = 0xd518cc23, MRS_X7_ICC_IGRPEN1_EL1 = 0xd538cce7

async function machine(board: string) {
  const host = new PluginHost()
  const m = new Machine(await host.loadBoard(board), host.archs.get('aarch64')!, host, { cpus: 1 })
  const h = m.cpus[0] as A64Cpu
  h.reset(BigInt(CODE))
  h.sys[SR.VBAR_EL1 * 2] = VBAR1
  h.sys[SR.VBAR_EL2 * 2] = VBAR2
  /** run `words` from CODE, one instruction each, the registers set first */
  const run = (words: number[], regs: Record<number, bigint> = {}) => {
    words.forEach((w, i) => m.bus.write32(CODE + 4 * i, w >>> 0))
    h.pc = BigInt(CODE)
    for (const [n, v] of Object.entries(regs)) h.setReg(Number(n), v)
    for (let i = 0; i < words.length; i++) h.run(1)
  }
  const esr = (el: 1 | 2) => h.sys[(el === 1 ? SR.ESR_EL1 : SR.ESR_EL2) * 2]! >>> 0
  return { m, h, run, esr, icc: gicCpuInterface(m.bus) }
}

/** a guest at EL1 under a hypervisor's HCR_EL2 (the hart has EL2; no trap hook: EL2's vectors take what traps) */
function asGuest(h: A64Cpu): void {
  h.el2 = true
  h.st[ST.EL] = 1
  h.sys[SR.HCR_EL2 * 2] = HCR.RW | HCR.IMO | HCR.FMO | HCR.VM
}

describe('GIC system registers from the A64 hart', () => {
  it('reads ICC_SRE_EL1 as SRE | DFB | DIB and reaches the physical CPU interface at EL1 (ICC_PMR_EL1, ICC_IGRPEN1_EL1)', async () => {
    const { h, run, icc } = await machine('qemu-virt-aarch64-gicv3')
    run([MRS_X0_ICC_SRE_EL1, MSR_ICC_PMR_EL1_X1, MRS_X2_ICC_PMR_EL1, MRS_X7_ICC_IGRPEN1_EL1], { 1: 0xe0n })
    expect([h.reg(0), h.reg(2), h.reg(7)]).toEqual([7n, 0xe0n, 0n])
    expect(icc.readSysreg(0, 'ICC_PMR_EL1')).toBe(0xe0n)
    expect(h.pc).toBe(BigInt(CODE + 16))
  })

  it('acknowledges an SGI sent to itself through ICC_SGI1R_EL1 with ICC_IAR1_EL1 and ends it with ICC_EOIR1_EL1', async () => {
    const { h, m, run, icc } = await machine('qemu-virt-aarch64-gicv3')
    const bus = m.bus
    bus.write32(0x800_0000, 0x12) // GICD_CTLR: ARE, EnableGrp1
    bus.write32(0x80b_0080, 0xffff_ffff) // GICR_IGROUPR0 of CPU 0
    bus.write32(0x80b_0100, 1 << 9) // GICR_ISENABLER0: SGI 9
    icc.writeSysreg(0, 'ICC_PMR_EL1', 0xffn)
    icc.writeSysreg(0, 'ICC_IGRPEN1_EL1', 1n)
    run([MSR_ICC_SGI1R_EL1_X4], { 4: (9n << 24n) | 1n }) // SGI 9, target list {Aff0 0}
    expect(h.irqIn).toBe(true)
    run([MRS_X3_ICC_IAR1_EL1, MSR_ICC_EOIR1_EL1_X3])
    expect(h.reg(3)).toBe(9n)
    expect([h.irqIn, bus.read32(0x80b_0300)]).toEqual([false, 0]) // not pending, not active
  })

  it('gives a guest at EL1 under HCR_EL2.IMO/FMO the ICV_ registers, and traps its ICC_SGI1R_EL1 to EL2 (EC 0x18)', async () => {
    const { h, run, icc, esr } = await machine('qemu-virt-aarch64-gicv3')
    asGuest(h)
    // the hypervisor's list register: vINTID 27 pending, group 1, priority 0x80; interface on
    icc.writeSysreg(0, 'ICH_LR0_EL2', (1n << 62n) | (1n << 60n) | (0x80n << 48n) | 27n)
    icc.writeSysreg(0, 'ICH_VMCR_EL2', 2n) // VENG1
    icc.writeSysreg(0, 'ICH_HCR_EL2', 1n)
    run([MSR_ICC_PMR_EL1_X1, MRS_X3_ICC_IAR1_EL1], { 1: 0xf0n })
    expect(icc.readSysreg(0, 'ICH_VMCR_EL2') >> 24n).toBe(0xf0n) // ICV_PMR_EL1 is VMCR.VPMR
    expect(icc.readSysreg(0, 'ICC_PMR_EL1')).toBe(0n) // the physical one untouched
    expect(h.reg(3)).toBe(27n)
    expect(icc.readSysreg(0, 'ICH_LR0_EL2') >> 62n).toBe(2n) // active
    run([MSR_ICC_SGI1R_EL1_X4], { 4: 1n })
    expect([h.el, h.pc]).toEqual([2, BigInt(VBAR2 + 0x400)])
    // ISS: Op0 3, Op2 5, Op1 0, CRn 12, Rt 4, CRm 11, write
    expect(esr(2)).toBe(((0x18 << 26) | (1 << 25) | (3 << 20) | (5 << 17) | (12 << 10) | (4 << 5) | (11 << 1)) >>> 0)
  })

  it('is UNDEFINED for a write of a read-only register, an EL2 register at EL1, any of them at EL0, and on a GICv2 machine', async () => {
    const undef = async (board: string, word: number, el = 1) => {
      const { h, run, esr } = await machine(board)
      h.st[ST.EL] = el
      h.st[ST.SPSEL] = el === 0 ? 0 : 1
      run([word])
      return { pc: h.pc, el: h.el, ec: esr(1) >>> 26 }
    }
    const taken = (el: number) => ({ pc: BigInt(VBAR1 + (el === 0 ? 0x400 : 0x200)), el: 1, ec: 0 })
    expect(await undef('qemu-virt-aarch64-gicv3', MSR_ICC_IAR1_EL1_X5)).toEqual(taken(1))
    expect(await undef('qemu-virt-aarch64-gicv3', MRS_X6_ICH_HCR_EL2)).toEqual(taken(1))
    expect(await undef('qemu-virt-aarch64-gicv3', MRS_X3_ICC_IAR1_EL1, 0)).toEqual(taken(0))
    expect(await undef('qemu-virt-aarch64', MRS_X0_ICC_SRE_EL1)).toEqual(taken(1))
  })

  it('disassembles the GIC registers by name, as objdump does', () => {
    const text = (w: number) => disassemble(new Uint8Array(new Uint32Array([w]).buffer), 0n).text
    expect([MRS_X0_ICC_SRE_EL1, MSR_ICC_PMR_EL1_X1, MRS_X6_ICH_HCR_EL2].map(text)).toEqual(['mrs x0, icc_sre_el1', 'msr icc_pmr_el1, x1', 'mrs x6, ich_hcr_el2'])
  })
})
