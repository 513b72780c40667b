/**
 * The list registers of the GIC virtualization extensions, each CPU's four, kept in each
 * version's own layout as low and high words (a GICv2 LR is one word: its high word stays 0):
 *
 *   GICv2 GICH_LR<n> (IHI 0048B §5.3.13): VirtualID [9:0], PhysicalID [19:10] (HW) or CPUID
 *     [12:10] and EOI [19] (software), Priority [27:23] (the top 5 bits), State [29:28], Grp1
 *     [30], HW [31]
 *   GICv3 ICH_LR<n>_EL2 (IHI 0069 §12.4.6): vINTID [31:0], pINTID [44:32] (HW) or EOI [41]
 *     (software), Priority [55:48], Group [60], HW [61], State [63:62]
 *   State: 0 invalid, 1 pending, 2 active, 3 active and pending.
 *
 * Geometry as QEMU's (hw/intc/arm_gic.c with virtualization, arm_gicv3_cpuif.c for cortex-a53):
 * four list registers and 5 bits of virtual priority, so the low 3 priority bits are RES0.
 */
import { SGIS } from './gic.ts'

export const LIST_REGS = 4
/** virtual priority bits (PRIbits) and preemption bits (PREbits), as QEMU */
export const VIRT_PRIORITY_BITS = 5
/** priority bits below the implemented ones: LR priorities and VPMR keep them 0 */
export const PRIO_SHIFT = 8 - VIRT_PRIORITY_BITS
export const PRIO_MASK = (0xff << PRIO_SHIFT) & 0xff

export const LR_INVALID = 0
export const LR_PENDING = 1
export const LR_ACTIVE = 2

/** GICv2: all but bits 22:20 */
const MASK_V2 = 0xff8f_ffff
/** GICv3 high word: State, HW, Group [63:60], Priority [55:48] (implemented bits), pINTID [44:32]; NMI [59] and the rest RES0 */
const MASK_V3_HI = (0xf000_0000 | (PRIO_MASK << 16) | 0x1fff) >>> 0

/** All CPUs' list registers; LR n of CPU c is index k = c * LIST_REGS + n. */
export class ListRegisters {
  readonly lo: Uint32Array
  readonly hi: Uint32Array
  /** writable bits of the low and high words */
  readonly maskLo: number
  readonly maskHi: number

  constructor(readonly version: 2 | 3, cpus: number) {
    this.lo = new Uint32Array(cpus * LIST_REGS)
    this.hi = new Uint32Array(cpus * LIST_REGS)
    this.maskLo = version === 2 ? MASK_V2 : 0xffff_ffff
    this.maskHi = version === 2 ? 0 : MASK_V3_HI
  }

  /** GICH_LR<n> (the low word) / ICH_LR<n>_EL2 */
  read(k: number): bigint {
    return (BigInt(this.hi[k]!) << 32n) | BigInt(this.lo[k]!)
  }

  /** a write: the bits the register does not implement stay 0 */
  write(k: number, v: bigint): void {
    this.lo[k] = Number(v & 0xffff_ffffn) & this.maskLo
    this.hi[k] = Number((v >> 32n) & 0xffff_ffffn) & this.maskHi
  }

  state(k: number): number {
    return this.version === 2 ? (this.lo[k]! >>> 28) & 3 : this.hi[k]! >>> 30
  }

  setState(k: number, s: number): void {
    if (this.version === 2) this.lo[k] = ((this.lo[k]! & ~(3 << 28)) | (s << 28)) >>> 0
    else this.hi[k] = ((this.hi[k]! & 0x3fff_ffff) | (s << 30)) >>> 0
  }

  virtualId(k: number): number {
    return this.version === 2 ? this.lo[k]! & 0x3ff : this.lo[k]!
  }

  physicalId(k: number): number {
    return this.version === 2 ? (this.lo[k]! >>> 10) & 0x3ff : this.hi[k]! & 0x1fff
  }

  priority(k: number): number {
    return this.version === 2 ? ((this.lo[k]! >>> 23) & 0x1f) << PRIO_SHIFT : (this.hi[k]! >>> 16) & 0xff
  }

  group(k: number): number {
    return this.version === 2 ? (this.lo[k]! >>> 30) & 1 : (this.hi[k]! >>> 28) & 1
  }

  hw(k: number): boolean {
    return (this.version === 2 ? this.lo[k]! >>> 31 : (this.hi[k]! >>> 29) & 1) === 1
  }

  /** a software interrupt whose deactivation raises an EOI maintenance interrupt */
  eoi(k: number): boolean {
    return !this.hw(k) && (this.version === 2 ? (this.lo[k]! >>> 19) & 1 : (this.hi[k]! >>> 9) & 1) === 1
  }

  /** GICv2: the source CPU of a software SGI (CPUID), reported with it in GICV_IAR; else 0 */
  source(k: number): number {
    return this.version === 2 && !this.hw(k) && this.virtualId(k) < SGIS ? (this.lo[k]! >>> 10) & 7 : 0
  }

  /** GICH_EISR0 / ICH_EISR_EL2: LRs with an EOI maintenance interrupt (invalid, software, EOI set) */
  eisr(cpu: number): number {
    let v = 0
    for (let n = 0; n < LIST_REGS; n++) {
      const k = cpu * LIST_REGS + n
      if (this.state(k) === LR_INVALID && this.eoi(k)) v |= 1 << n
    }
    return v
  }

  /** GICH_ELRSR0 / ICH_ELRSR_EL2: empty LRs (invalid and not waiting for an EOI maintenance interrupt) */
  elrsr(cpu: number): number {
    let v = 0
    for (let n = 0; n < LIST_REGS; n++) {
      const k = cpu * LIST_REGS + n
      if (this.state(k) === LR_INVALID && !this.eoi(k)) v |= 1 << n
    }
    return v
  }

  reset(): void {
    this.lo.fill(0)
    this.hi.fill(0)
  }
}
