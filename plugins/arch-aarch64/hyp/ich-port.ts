/**
 * The GICv3 virtual interface control as the vGIC's `GichPort` (gich.ts): each pCPU's
 * ICH_*_EL2 registers (IHI 0069 §12.4), written and read as the hypervisor at EL2 does — Bao's
 * gicv3.c `gich_write_lr` is an MSR ICH_LR<n>_EL2 — through dev-gic's `gicCpuInterface(bus)`.
 *
 * The vGIC builds list registers in GICv2's GICH_LR layout, which holds everything it puts in
 * one (a vINTID below 1020, five priority bits, the group, HW with a pINTID below 1020 or EOI);
 * this port converts them to and from ICH_LR<n>_EL2's (vINTID [31:0], pINTID [44:32] or EOI
 * [41], Priority [55:48], Group [60], HW [61], State [63:62]). GICH_HCR and ICH_HCR_EL2 share
 * their layout (En, UIE, …, EOIcount [31:27]); so do GICH_VMCR and ICH_VMCR_EL2 (dev-gic
 * vgic.ts). GICH_APR is ICH_AP1R0_EL2, group 1's active priorities; group 0's, ICH_AP0R0_EL2,
 * are at ICH_AP0R (gich.ts), which the vGIC saves, restores and resets with the rest: a guest
 * may write ICV_AP0R0_EL1, and what it wrote is not the next VM's on its pCPU (nor its child's).
 */
import type { GicCpuInterface, IccSysreg } from '../../dev-gic/lookup.ts'
import { GICH, ICH_AP0R, LR_EOI, LR_GRP1, LR_HW, type GichPort } from './gich.ts'

const LR_NAMES = ['ICH_LR0_EL2', 'ICH_LR1_EL2', 'ICH_LR2_EL2', 'ICH_LR3_EL2'] as const satisfies readonly IccSysreg[]
/** ICH_LR<n>_EL2's high word: State [31:30], HW [29], Group [28], Priority [23:16], EOI [9], pINTID [12:0] */
const HI_HW = 1 << 29, HI_GROUP = 1 << 28, HI_EOI = 1 << 9

export class IchPort implements GichPort {
  readonly lrs: number
  readonly ap0r = true

  constructor(private readonly icc: GicCpuInterface) {
    // ICH_VTR_EL2.ListRegs + 1, at most the four names there are
    this.lrs = Math.min(Number(icc.readSysreg(0, 'ICH_VTR_EL2') & 0x1fn) + 1, LR_NAMES.length)
  }

  read(pcpu: number, off: number): number {
    const lr = (off - GICH.LR) >> 2
    if (lr >= 0 && lr < this.lrs) return toGichLr(this.icc.readSysreg(pcpu, LR_NAMES[lr]!))
    const name = register(off)
    return name ? Number(BigInt.asIntN(32, this.icc.readSysreg(pcpu, name))) : 0
  }

  write(pcpu: number, off: number, value: number): void {
    const lr = (off - GICH.LR) >> 2
    if (lr >= 0 && lr < this.lrs) return this.icc.writeSysreg(pcpu, LR_NAMES[lr]!, toIchLr(value))
    const name = register(off)
    if (name) this.icc.writeSysreg(pcpu, name, BigInt(value >>> 0))
  }
}

/** the ICH_ register at a GICH offset, other than the list registers */
function register(off: number): IccSysreg | null {
  switch (off) {
    case GICH.HCR: return 'ICH_HCR_EL2'
    case GICH.VTR: return 'ICH_VTR_EL2'
    case GICH.VMCR: return 'ICH_VMCR_EL2'
    case GICH.MISR: return 'ICH_MISR_EL2'
    case GICH.EISR0: return 'ICH_EISR_EL2'
    case GICH.ELSR0: return 'ICH_ELRSR_EL2'
    case GICH.APR: return 'ICH_AP1R0_EL2'
    case ICH_AP0R: return 'ICH_AP0R0_EL2'
  }
  return null
}

/** a GICH_LR value (VirtualID [9:0], PhysicalID [19:10] or EOI [19], Priority [27:23], State [29:28], Grp1 [30], HW [31]) as ICH_LR<n>_EL2 */
export function toIchLr(v: number): bigint {
  const hw = (v & LR_HW) !== 0
  const hi = (((v >>> 28) & 3) << 30) | (hw ? HI_HW | ((v >>> 10) & 0x3ff) : v & LR_EOI ? HI_EOI : 0) |
    (v & LR_GRP1 ? HI_GROUP : 0) | (((v >>> 23) & 0x1f) << 19)
  return (BigInt(hi >>> 0) << 32n) | BigInt(v & 0x3ff)
}

/** an ICH_LR<n>_EL2 value as GICH_LR */
export function toGichLr(x: bigint): number {
  const lo = Number(x & 0xffff_ffffn), hi = Number(x >> 32n)
  const hw = (hi & HI_HW) !== 0
  return ((lo & 0x3ff) | (hw ? LR_HW | ((hi & 0x3ff) << 10) : hi & HI_EOI ? LR_EOI : 0) | (hi & HI_GROUP ? LR_GRP1 : 0) |
    (((hi >>> 19) & 0x1f) << 23) | (((hi >>> 30) & 3) << 28)) | 0
}
