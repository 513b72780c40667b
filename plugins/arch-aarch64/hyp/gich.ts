/**
 * The hypervisor's port to the GICv2 virtualization extensions (ARM IHI 0048B ch. 5): the virtual
 * interface control registers GICH_* of each physical CPU, through which the vGIC (vgic.ts) fills
 * list registers. `BusGich` reaches a physical GIC's GICH frame over the bus (the access carries
 * the pCPU, as the banked frame at GICD+0x30000 on QEMU virt expects). `SoftGich` (soft-gich.ts)
 * models the same registers and the GICV frame in the hypervisor, for a GIC model without them.
 * `IchPort` (ich-port.ts) maps them onto a GICv3's ICH_*_EL2 system registers.
 */
import type { MemoryBus } from '../../../core/bus.ts'

/** GICH_* offsets (IHI 0048B §5.3, Table 5-1) */
export const GICH = { HCR: 0x00, VTR: 0x04, VMCR: 0x08, MISR: 0x10, EISR0: 0x20, EISR1: 0x24, ELSR0: 0x30, ELSR1: 0x34, APR: 0xf0, LR: 0x100 } as const
/**
 * GICv3's ICH_AP0R0_EL2 (IHI 0069 §12.4.1), which IchPort presents beside GICH_APR (its
 * ICH_AP1R0_EL2): a GICv3 keeps group 0's active priorities apart, where GICv2's one GICH_APR
 * holds both groups. Not a GICH offset: only a port with `ap0r` has it.
 */
export const ICH_AP0R = 0xf4
/** GICH_HCR bits: En, UIE (underflow maintenance) */
export const HCR_EN = 1 << 0, HCR_UIE = 1 << 1
/** GICH_MISR bits: EOI, U */
export const MISR_EOI = 1 << 0, MISR_U = 1 << 1
/** GICH_LRn fields (§5.3.11): VirtualID [9:0], PhysicalID [19:10] (HW) or EOI [19] + CPUID [12:10], Priority [27:23], State [29:28], Grp1 [30], HW [31] */
export const LR_HW = 1 << 31, LR_GRP1 = 1 << 30, LR_ACTIVE = 1 << 29, LR_PENDING = 1 << 28, LR_EOI = 1 << 19
export const LR_STATE = LR_ACTIVE | LR_PENDING

/** One list register's value for virtual interrupt `vid` (a GICD priority byte; `pid` the physical INTID when HW-linked, else the SGI source) */
export function lrValue(vid: number, prio: number, hw: boolean, pid: number, grp1: boolean): number {
  const p = ((prio >>> 3) & 0x1f) << 23
  const low = hw ? LR_HW | ((pid & 0x3ff) << 10) : LR_EOI | ((pid & 7) << 10)
  return (low | p | LR_PENDING | (grp1 ? LR_GRP1 : 0) | (vid & 0x3ff)) | 0
}

/** What the vGIC needs of a virtual interface: its list registers and control registers, per pCPU. */
export interface GichPort {
  /** list registers per CPU interface (GICH_VTR.ListRegs + 1) */
  readonly lrs: number
  /** whether the group 0 active priorities are a register of their own, at ICH_AP0R (a GICv3's) */
  readonly ap0r: boolean
  read(pcpu: number, off: number): number
  write(pcpu: number, off: number, value: number): void
}

/** A physical GIC's GICH frame at `base`. */
export class BusGich implements GichPort {
  readonly lrs: number
  readonly ap0r = false
  constructor(private readonly bus: MemoryBus, private readonly base: number) {
    this.lrs = (bus.read(base + GICH.VTR, 4, 0) & 0x3f) + 1
  }
  read(pcpu: number, off: number): number { return this.bus.read(this.base + off, 4, pcpu) | 0 }
  write(pcpu: number, off: number, value: number): void { this.bus.write(this.base + off, 4, value >>> 0, pcpu) }
}
