/**
 * The GIC virtualization extensions both versions share (IHI 0048B ch. 5 "GIC Support for
 * Virtualization" for GICv2, IHI 0069 ch. 6 "Virtual interrupt handling and prioritization" with
 * the ICH_ and ICV_ registers for GICv3): per CPU, the list registers, the virtual interface
 * control (HCR), the virtual machine control (VMCR), the virtual active priorities, and from
 * them the virtual CPU interface's acknowledge, priority drop and deactivation, the 'virq' and
 * 'vfiq' outputs and the maintenance interrupt.
 *
 * The registers are views of this state: GICv2's GICH_* and GICV_* frames (gicv2-virt.ts),
 * GICv3's ICH_*_EL2 and ICV_*_EL1 system registers (ich.ts). Each CPU has its own copy; the
 * hypervisor programs the copy of the pCPU it runs on and the guest on that pCPU sees it.
 *
 * Geometry as QEMU's (hw/intc/arm_gic.c with virtualization, arm_gicv3_cpuif.c for cortex-a53):
 * four list registers (list-registers.ts), 5 bits of virtual priority and 5 of preemption, so
 * the minimum binary points are 2 (group 0) and 3 (group 1) and 32 preemption levels fit one
 * active-priority word per group (GICv2: GICH_APR, one word for both groups; GICv3:
 * ICH_AP0R0_EL2 and ICH_AP1R0_EL2).
 *
 * VMCR is kept in the ICH_VMCR_EL2 layout, which GICH_VMCR shares bit for bit: the control bits
 * in GICC_CTLR's places (VENG0/VMGrp0En [0], VENG1/VMGrp1En [1], VAckCtl [2], VFIQEn [3], VCBPR
 * [4], VEOIM/VEM [9]), VBPR1/VMABP [20:18], VBPR0/VMBP [23:21], VPMR [31:24] (GICv2's 5-bit
 * VMPriMask [31:27] is its top 5 bits).
 */
import type { IrqLine } from '../../core/irq.ts'
import { CTLR_ACK_CTL, CTLR_CBPR, CTLR_ENABLE_GRP0, CTLR_ENABLE_GRP1, CTLR_EOI_MODE, CTLR_FIQ_EN, FIRST_SPECIAL, SGIS, type GicCore } from './gic.ts'
import { LIST_REGS, ListRegisters, LR_ACTIVE, LR_INVALID, LR_PENDING, PRIO_MASK, PRIO_SHIFT, VIRT_PRIORITY_BITS } from './list-registers.ts'

/** binary point minima: 7 - PREbits for group 0, one more for group 1 */
export const MIN_VBPR0 = 7 - VIRT_PRIORITY_BITS
export const MIN_VBPR1 = MIN_VBPR0 + 1
/** running priority with nothing active (reads as 0xff) */
const IDLE = 0x100

/** GICH_HCR / ICH_HCR_EL2 */
export const HCR_EN = 1 << 0
export const HCR_UIE = 1 << 1
export const HCR_LRENPIE = 1 << 2
export const HCR_NPIE = 1 << 3
export const HCR_VGRP0EIE = 1 << 4
export const HCR_VGRP0DIE = 1 << 5
export const HCR_VGRP1EIE = 1 << 6
export const HCR_VGRP1DIE = 1 << 7
export const HCR_EOICOUNT_SHIFT = 27
/** GICv2: the enables and EOICount; GICv3 adds the trap controls TC [10], TALL0 [11], TALL1 [12], TSEI [13], TDIR [14] (stored, QEMU's mask) */
const HCR_MASK_V2 = 0xf800_00ff
const HCR_MASK_V3 = 0xf800_7cff

/** GICH_MISR / ICH_MISR_EL2 */
export const MISR_EOI = 1 << 0
export const MISR_U = 1 << 1
export const MISR_LRENP = 1 << 2
export const MISR_NP = 1 << 3
export const MISR_VGRP0E = 1 << 4
export const MISR_VGRP0D = 1 << 5
export const MISR_VGRP1E = 1 << 6
export const MISR_VGRP1D = 1 << 7

const VMCR_CTLR_V2 = CTLR_ENABLE_GRP0 | CTLR_ENABLE_GRP1 | CTLR_ACK_CTL | CTLR_FIQ_EN | CTLR_CBPR | CTLR_EOI_MODE
/** GICv3: VAckCtl is RES0 and VFIQEn RES1 with system registers (QEMU ich_vmcr_write) */
const VMCR_CTLR_V3 = CTLR_ENABLE_GRP0 | CTLR_ENABLE_GRP1 | CTLR_CBPR | CTLR_EOI_MODE
const VMCR_BPR1_SHIFT = 18
const VMCR_BPR0_SHIFT = 21
const VMCR_PMR_SHIFT = 24

const lowestBit = (x: number): number => 31 - Math.clz32(x & -x)
const bump = (v: number, shift: number): number => ((v & ~(31 << shift)) | ((((v >>> shift) + 1) & 31) << shift)) >>> 0

export interface VirtualInterfaceOptions {
  version: 2 | 3
  /** the physical GIC: HW list registers forward their deactivation to it */
  core: GicCore
  /** each CPU's 'virq' and 'vfiq' inputs */
  virq: readonly IrqLine[]
  vfiq: readonly IrqLine[]
  /** each CPU's maintenance interrupt PPI input */
  maintenance: readonly IrqLine[]
}

export class VirtualInterface {
  readonly version: 2 | 3
  readonly cpus: number
  readonly hcr: Uint32Array
  readonly vmcr: Uint32Array
  /** virtual active priorities, one word per group (GICv2: apr0 is GICH_APR, apr1 stays 0) */
  readonly apr0: Uint32Array
  readonly apr1: Uint32Array
  /** list register n of CPU c at k = c * LIST_REGS + n */
  readonly lrs: ListRegisters
  private readonly core: GicCore
  private readonly virq: readonly IrqLine[]
  private readonly vfiq: readonly IrqLine[]
  private readonly maintenance: readonly IrqLine[]
  /** last levels driven: virq, vfiq, maintenance (bits 0..2) per CPU */
  private readonly out: Uint8Array

  constructor(o: VirtualInterfaceOptions) {
    this.version = o.version
    this.cpus = o.virq.length
    this.core = o.core
    this.virq = o.virq
    this.vfiq = o.vfiq
    this.maintenance = o.maintenance
    this.hcr = new Uint32Array(this.cpus)
    this.vmcr = new Uint32Array(this.cpus)
    this.apr0 = new Uint32Array(this.cpus)
    this.apr1 = new Uint32Array(this.cpus)
    this.lrs = new ListRegisters(o.version, this.cpus)
    this.out = new Uint8Array(this.cpus)
    this.resetState()
  }

  // --- registers the hypervisor programs ---

  /** GICH_LR<n> (the low word) / ICH_LR<n>_EL2 */
  lr(cpu: number, n: number): bigint {
    return this.lrs.read(cpu * LIST_REGS + n)
  }

  setLr(cpu: number, n: number, v: bigint): void {
    this.lrs.write(cpu * LIST_REGS + n, v)
    this.update()
  }

  /** the value GICH_HCR / ICH_HCR_EL2 holds after writing `v` */
  hcrValue(v: number): number {
    return (v & (this.version === 2 ? HCR_MASK_V2 : HCR_MASK_V3)) >>> 0
  }

  setHcr(cpu: number, v: number): void {
    this.hcr[cpu] = this.hcrValue(v)
    this.update()
  }

  /** the value GICH_VMCR / ICH_VMCR_EL2 holds after writing `v`: binary points at least their minima, unimplemented priority bits 0 */
  vmcrValue(v: number): number {
    const ctlr = v & (this.version === 2 ? VMCR_CTLR_V2 : VMCR_CTLR_V3)
    const bpr1 = Math.max((v >>> VMCR_BPR1_SHIFT) & 7, MIN_VBPR1)
    const bpr0 = Math.max((v >>> VMCR_BPR0_SHIFT) & 7, MIN_VBPR0)
    const pmr = (v >>> VMCR_PMR_SHIFT) & PRIO_MASK
    return (ctlr | (this.version === 3 ? CTLR_FIQ_EN : 0) | (bpr1 << VMCR_BPR1_SHIFT) | (bpr0 << VMCR_BPR0_SHIFT) | (pmr << VMCR_PMR_SHIFT)) >>> 0
  }

  setVmcr(cpu: number, v: number): void {
    this.vmcr[cpu] = this.vmcrValue(v)
    this.update()
  }

  /** GICV_CTLR / ICV_CTLR_EL1 / ICV_IGRPEN<n>_EL1: change control bits `mask` to `bits` */
  setControl(cpu: number, mask: number, bits: number): void {
    this.setVmcr(cpu, (this.vmcr[cpu]! & ~mask) | (bits & mask))
  }

  control(cpu: number): number {
    return this.vmcr[cpu]! & 0x3ff
  }

  /** VPMR: GICV_PMR, ICV_PMR_EL1 */
  pmr(cpu: number): number {
    return this.vmcr[cpu]! >>> VMCR_PMR_SHIFT
  }

  setPmr(cpu: number, v: number): void {
    this.setVmcr(cpu, (this.vmcr[cpu]! & 0x00ff_ffff) | ((v & 0xff) << VMCR_PMR_SHIFT))
  }

  /** VBPR0 (GICV_BPR, ICV_BPR0_EL1) or VBPR1 (GICV_ABPR, ICV_BPR1_EL1) as stored */
  bpr(cpu: number, g: number): number {
    return (this.vmcr[cpu]! >>> (g ? VMCR_BPR1_SHIFT : VMCR_BPR0_SHIFT)) & 7
  }

  setBpr(cpu: number, g: number, v: number): void {
    const shift = g ? VMCR_BPR1_SHIFT : VMCR_BPR0_SHIFT
    this.setVmcr(cpu, (this.vmcr[cpu]! & ~(7 << shift)) | ((v & 7) << shift))
  }

  setApr(cpu: number, g: number, v: number): void {
    if (g && this.version === 2) return
    ;(g ? this.apr1 : this.apr0)[cpu] = v >>> 0
    this.update()
  }

  // --- status the hypervisor reads (IHI 0048B GICH_MISR/EISRn/ELRSRn, IHI 0069 ICH_MISR/EISR/ELRSR_EL2) ---

  /** GICH_EISR0 / ICH_EISR_EL2 */
  eisr(cpu: number): number {
    return this.lrs.eisr(cpu)
  }

  /** GICH_ELRSR0 / ICH_ELRSR_EL2 */
  elrsr(cpu: number): number {
    return this.lrs.elrsr(cpu)
  }

  /** GICH_MISR / ICH_MISR_EL2 */
  misr(cpu: number): number {
    const hcr = this.hcr[cpu]!
    const ctlr = this.vmcr[cpu]!
    let valid = 0
    let pending = 0
    for (let n = 0; n < LIST_REGS; n++) {
      const s = this.lrs.state(cpu * LIST_REGS + n)
      if (s !== LR_INVALID) valid++
      if (s === LR_PENDING) pending++
    }
    let v = this.lrs.eisr(cpu) ? MISR_EOI : 0
    // U: underflow, at most one valid LR; NP: no LR in the pending state; LRENP: EOICount != 0
    if (hcr & HCR_UIE && valid < 2) v |= MISR_U
    if (hcr & HCR_LRENPIE && hcr >>> HCR_EOICOUNT_SHIFT) v |= MISR_LRENP
    if (hcr & HCR_NPIE && pending === 0) v |= MISR_NP
    const g0 = (ctlr & CTLR_ENABLE_GRP0) !== 0
    const g1 = (ctlr & CTLR_ENABLE_GRP1) !== 0
    if (hcr & HCR_VGRP0EIE && g0) v |= MISR_VGRP0E
    if (hcr & HCR_VGRP0DIE && !g0) v |= MISR_VGRP0D
    if (hcr & HCR_VGRP1EIE && g1) v |= MISR_VGRP1E
    if (hcr & HCR_VGRP1DIE && !g1) v |= MISR_VGRP1D
    return v
  }

  // --- the virtual CPU interface ---

  /**
   * The LR (index k) of the highest-priority pending virtual interrupt, ties to the lowest LR, or
   * -1. GICv3 looks only at groups VMCR enables (IHI 0069 HighestPriorityVirtualInterrupt);
   * GICv2 picks among all and lets the group enable gate the signal (QEMU gic_get_best_virq).
   */
  highestPending(cpu: number): number {
    const ctlr = this.vmcr[cpu]!
    let best = -1
    let bestPrio = IDLE
    for (let n = 0; n < LIST_REGS; n++) {
      const k = cpu * LIST_REGS + n
      if (this.lrs.state(k) !== LR_PENDING) continue
      if (this.version === 3 && !(ctlr & (this.lrs.group(k) ? CTLR_ENABLE_GRP1 : CTLR_ENABLE_GRP0))) continue
      const p = this.lrs.priority(k)
      if (p < bestPrio) {
        bestPrio = p
        best = k
      }
    }
    return best
  }

  /** the group priority bits of a group `g` interrupt (VBPR1 - 1 for group 1, VBPR0 with VCBPR) */
  private groupMask(cpu: number, g: number): number {
    const bpr = g && !(this.vmcr[cpu]! & CTLR_CBPR) ? this.bpr(cpu, 1) - 1 : this.bpr(cpu, 0)
    return (0xff << (bpr + 1)) & 0xff
  }

  /** GICV_RPR / ICV_RPR_EL1: the highest active priority, or IDLE */
  runningPriority(cpu: number): number {
    const a = this.apr0[cpu]! | this.apr1[cpu]!
    return a ? lowestBit(a) << PRIO_SHIFT : IDLE
  }

  /** Whether LR k may be signalled (and acknowledged): interface enabled, its group enabled, below VPMR, preempting the running priority. */
  canSignal(cpu: number, k: number): boolean {
    if (k < 0 || !(this.hcr[cpu]! & HCR_EN)) return false
    const g = this.lrs.group(k)
    if (!(this.vmcr[cpu]! & (g ? CTLR_ENABLE_GRP1 : CTLR_ENABLE_GRP0))) return false
    const p = this.lrs.priority(k)
    if (p >= this.pmr(cpu)) return false
    const r = this.runningPriority(cpu)
    if (r === IDLE) return true
    const m = this.groupMask(cpu, g)
    return (p & m) < (r & m)
  }

  /**
   * Acknowledge LR k (the caller checked `canSignal` and the group): pending → active, its
   * group priority becomes active. Returns the INTID as IAR reports
   * it (GICv2 SGIs with the CPUID in bits 12:10). A special vINTID (1020..1023) is not activated:
   * the LR becomes invalid and the ID is returned (IHI 0069 VirtualReadIAR pseudocode).
   */
  take(cpu: number, k: number): number {
    const id = this.lrs.virtualId(k)
    if (id >= FIRST_SPECIAL && id < 1024) {
      this.lrs.setState(k, LR_INVALID)
      this.update()
      return id
    }
    this.lrs.setState(k, LR_ACTIVE)
    const g = this.lrs.group(k)
    const level = (this.lrs.priority(k) & this.groupMask(cpu, g)) >>> PRIO_SHIFT
    const apr = g && this.version === 3 ? this.apr1 : this.apr0
    apr[cpu] = (apr[cpu]! | (1 << level)) >>> 0
    this.update()
    return (id | (this.lrs.source(k) << 10)) >>> 0
  }

  /** the LR holding `id` (from `source`, GICv2 SGIs) active, or -1 (IHI 0069 FindActiveVirtualInterrupt) */
  private findActive(cpu: number, id: number, source: number): number {
    for (let n = 0; n < LIST_REGS; n++) {
      const k = cpu * LIST_REGS + n
      if (this.lrs.state(k) & LR_ACTIVE && this.lrs.virtualId(k) === id && this.lrs.source(k) === source) return k
    }
    return -1
  }

  /** Clear the highest active priority (group 0 first at equal priority); its priority, or -1 when none was active. */
  private dropPriority(cpu: number): number {
    const a0 = this.apr0[cpu]!
    const a1 = this.apr1[cpu]!
    if (!(a0 | a1)) return -1
    const c0 = a0 ? lowestBit(a0) : 32
    const c1 = a1 ? lowestBit(a1) : 32
    if (c0 <= c1) this.apr0[cpu] = a0 & (a0 - 1)
    else this.apr1[cpu] = a1 & (a1 - 1)
    return Math.min(c0, c1) << PRIO_SHIFT
  }

  /**
   * Deactivate LR k: active → invalid, active and pending → pending; with the HW bit the
   * physical interrupt pINTID is deactivated for this CPU (GICv2: pINTIDs 16..1019 only).
   */
  private deactivateLr(cpu: number, k: number): void {
    if (this.lrs.hw(k)) {
      const p = this.lrs.physicalId(k)
      if (p < FIRST_SPECIAL && (this.version === 3 || p >= SGIS)) this.core.clearActive(cpu, p)
    }
    this.lrs.setState(k, this.lrs.state(k) & ~LR_ACTIVE)
  }

  private countEoi(cpu: number): void {
    this.hcr[cpu] = bump(this.hcr[cpu]!, HCR_EOICOUNT_SHIFT)
  }

  /**
   * GICV_EOIR/AEOIR, ICV_EOIR<g>_EL1 for `id` (from `source`): priority drop, and with EOImode
   * clear the deactivation of its LR. An EOI with nothing active is ignored (CONSTRAINED
   * UNPREDICTABLE; QEMU's choice). With EOImode clear and no active LR for `id`, EOICount counts
   * it (IHI 0069 ICH_HCR_EL2.EOIcount, IHI 0048B GICH_HCR.EOICount). GICv3 deactivates only an
   * LR of group `group` whose group priority is the one dropped (QEMU icv_eoir_write).
   */
  endOfInterrupt(cpu: number, id: number, source: number, group: number): void {
    if (id >= FIRST_SPECIAL && id < 1024) return
    const dropped = this.dropPriority(cpu)
    if (dropped >= 0) {
      const split = (this.vmcr[cpu]! & CTLR_EOI_MODE) !== 0
      const k = this.findActive(cpu, id, source)
      if (k < 0) {
        if (!split) this.countEoi(cpu)
      } else if (!split && (this.version === 2 || (this.lrs.group(k) === group && (this.lrs.priority(k) & this.groupMask(cpu, group)) === dropped))) {
        this.deactivateLr(cpu, k)
      }
    }
    this.update()
  }

  /** GICV_DIR / ICV_DIR_EL1: only with EOImode set; an `id` in no active LR counts in EOICount. */
  deactivate(cpu: number, id: number, source: number): void {
    if ((id >= FIRST_SPECIAL && id < 1024) || !(this.vmcr[cpu]! & CTLR_EOI_MODE)) return
    const k = this.findActive(cpu, id, source)
    if (k < 0) this.countEoi(cpu)
    else this.deactivateLr(cpu, k)
    this.update()
  }

  /**
   * Drive each CPU's 'virq', 'vfiq' and maintenance PPI (`force`: even if unchanged). The
   * highest pending LR is signalled when it may be taken: group 1 as 'virq'; group 0 as 'vfiq'
   * on GICv3, and on GICv2 while VMCR's FIQEn is set. The maintenance interrupt is asserted
   * while the interface is enabled (HCR.En) and MISR is not 0.
   */
  update(force = false): void {
    for (let c = 0; c < this.cpus; c++) {
      const k = this.highestPending(c)
      let out = 0
      if (this.canSignal(c, k)) out = this.lrs.group(k) === 0 && (this.version === 3 || this.vmcr[c]! & CTLR_FIQ_EN) ? 2 : 1
      if (this.hcr[c]! & HCR_EN && this.misr(c)) out |= 4
      const was = this.out[c]!
      if (out === was && !force) continue
      this.out[c] = out
      if ((out ^ was) & 1 || force) this.virq[c]!.set((out & 1) !== 0)
      if ((out ^ was) & 2 || force) this.vfiq[c]!.set((out & 2) !== 0)
      if ((out ^ was) & 4 || force) this.maintenance[c]!.set((out & 4) !== 0)
    }
  }

  /** Power-on values (QEMU: binary points at their minima, everything else 0; GICv3's VFIQEn RES1). */
  private resetState(): void {
    for (const a of [this.hcr, this.apr0, this.apr1]) a.fill(0)
    this.lrs.reset()
    this.vmcr.fill(this.vmcrValue(0))
  }

  reset(): void {
    this.resetState()
    this.update(true)
  }
}
