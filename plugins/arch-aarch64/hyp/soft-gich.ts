/**
 * A GICv2 virtual CPU interface modelled in the hypervisor (ARM IHI 0048B ch. 5), for a physical
 * GIC model without one: per physical CPU the GICH_* control registers (list registers, HCR,
 * VMCR, APR, and the derived MISR/EISR/ELSR) the vGIC writes through `GichPort`, and the GICV_*
 * frame the guest sees (a GICC as §5.4 describes it: IAR takes the highest-priority pending list
 * register, EOIR drops priority and — with VEM clear — deactivates, DIR deactivates). Outputs as
 * the hardware's: the CPU's virtual IRQ ('virq'), the maintenance interrupt (PPI 25 on the
 * physical GIC), and for a HW list register the deactivation of its physical interrupt.
 * Priorities keep 5 bits (GICH_VTR.PRIbits = 4, as the GIC-400); every active priority is a bit
 * of GICH_APR.
 */
import type { IrqLine } from '../../../core/irq.ts'
import type { MmioHandler } from '../../../core/bus.ts'
import { GICH, HCR_EN, HCR_UIE, LR_ACTIVE, LR_EOI, LR_GRP1, LR_HW, LR_PENDING, LR_STATE, MISR_EOI, MISR_U, type GichPort } from './gich.ts'

const LRS = 4
const SPURIOUS = 1023
/** GICH_VTR: ListRegs = 3, PREbits = PRIbits = 4 (5 bits) */
const VTR = (4 << 29) | (4 << 26) | (LRS - 1)
/** GICV_IIDR: architecture version 2, implementer ARM */
const GICV_IIDR = 0x0002_043b
const IDLE = 32

export interface SoftGichOutputs {
  virq(pcpu: number): IrqLine
  maintenance(pcpu: number): IrqLine
  /** a HW list register's virtual interrupt was deactivated: deactivate physical `pid` on `pcpu` */
  deactivate(pcpu: number, pid: number): void
}

export interface SoftGichState { lr: number[]; hcr: number[]; vmcr: number[]; apr: number[] }

export class SoftGich implements GichPort {
  readonly lrs = LRS
  readonly ap0r = false
  private readonly lr: Int32Array
  private readonly hcr: Int32Array
  private readonly vmcr: Int32Array
  private readonly apr: Int32Array
  private readonly virq: IrqLine[]
  private readonly maint: IrqLine[]

  constructor(readonly cpus: number, private readonly out: SoftGichOutputs) {
    this.lr = new Int32Array(cpus * LRS)
    this.hcr = new Int32Array(cpus)
    this.vmcr = new Int32Array(cpus)
    this.apr = new Int32Array(cpus)
    this.virq = Array.from({ length: cpus }, (_, p) => out.virq(p))
    this.maint = Array.from({ length: cpus }, (_, p) => out.maintenance(p))
  }

  // ---- GICH_* (the hypervisor's view) ----

  read(p: number, off: number): number {
    switch (off) {
      case GICH.HCR: return this.hcr[p]!
      case GICH.VTR: return VTR
      case GICH.VMCR: return this.vmcr[p]!
      case GICH.MISR: return this.misr(p)
      case GICH.EISR0: return this.eisr(p)
      case GICH.ELSR0: return this.elsr(p)
      case GICH.APR: return this.apr[p]!
    }
    if (off >= GICH.LR && off < GICH.LR + 4 * LRS) return this.lr[p * LRS + ((off - GICH.LR) >> 2)]!
    return 0
  }

  write(p: number, off: number, value: number): void {
    switch (off) {
      case GICH.HCR: this.hcr[p] = value & (HCR_EN | HCR_UIE); break
      case GICH.VMCR: this.vmcr[p] = value & 0xfffc021f; break
      case GICH.APR: this.apr[p] = value; break
      default:
        if (off >= GICH.LR && off < GICH.LR + 4 * LRS) this.lr[p * LRS + ((off - GICH.LR) >> 2)] = value
        else return
    }
    this.update(p)
  }

  private eisr(p: number): number {
    let m = 0
    for (let i = 0; i < LRS; i++) {
      const v = this.lr[p * LRS + i]!
      if ((v & LR_STATE) === 0 && (v & LR_HW) === 0 && (v & LR_EOI) !== 0) m |= 1 << i
    }
    return m
  }

  private elsr(p: number): number {
    let m = 0
    for (let i = 0; i < LRS; i++) {
      const v = this.lr[p * LRS + i]!
      if ((v & LR_STATE) === 0 && ((v & LR_HW) !== 0 || (v & LR_EOI) === 0)) m |= 1 << i
    }
    return m
  }

  private misr(p: number): number {
    let valid = 0
    for (let i = 0; i < LRS; i++) if ((this.lr[p * LRS + i]! & LR_STATE) !== 0) valid++
    return (this.eisr(p) !== 0 ? MISR_EOI : 0) | ((this.hcr[p]! & HCR_UIE) !== 0 && valid <= 1 ? MISR_U : 0)
  }

  /** the virtual IRQ and the maintenance interrupt, recomputed */
  private update(p: number): void {
    const en = (this.hcr[p]! & HCR_EN) !== 0
    const i = this.hppi(p)
    const prio = i < 0 ? IDLE : (this.lr[p * LRS + i]! >>> 23) & 0x1f
    this.virq[p]!.set(en && i >= 0 && prio < this.pmr(p) && prio < this.running(p))
    this.maint[p]!.set(en && this.misr(p) !== 0)
  }

  private pmr(p: number): number { return (this.vmcr[p]! >>> 27) & 0x1f }
  private running(p: number): number {
    const a = this.apr[p]!
    return a === 0 ? IDLE : 31 - Math.clz32(a & -a)
  }

  /** the list register holding the highest-priority pending interrupt of an enabled group, or -1 */
  private hppi(p: number): number {
    const vmcr = this.vmcr[p]!
    let best = -1, bestPrio = IDLE
    for (let i = 0; i < LRS; i++) {
      const v = this.lr[p * LRS + i]!
      if ((v & LR_STATE) !== LR_PENDING) continue
      if ((v & LR_GRP1) !== 0 ? (vmcr & 2) === 0 : (vmcr & 1) === 0) continue
      const prio = (v >>> 23) & 0x1f
      if (prio < bestPrio) { best = i; bestPrio = prio }
    }
    return best
  }

  // ---- GICV_* (the guest's view: a GICC, IHI 0048B §5.4) ----

  /** the GICV frame of physical CPU `pcpu(cpu)`, where `cpu` is what the access carries */
  gicv(pcpuOf: (cpu: number) => number): MmioHandler {
    return {
      read: (off, _size, cpu = 0) => this.gicvRead(pcpuOf(cpu), off),
      write: (off, size, value, cpu = 0) => { if (size === 4) this.gicvWrite(pcpuOf(cpu), off, value | 0) },
    }
  }

  private gicvRead(p: number, off: number): number {
    const vmcr = this.vmcr[p]!
    switch (off) {
      case 0x00: return (vmcr & 0x1f) | (vmcr & (1 << 9)) // GICV_CTLR: EnableGrp0/1, AckCtl, FIQEn, CBPR, EOImode
      case 0x04: return this.pmr(p) << 3 // GICV_PMR
      case 0x08: return (vmcr >>> 21) & 7 // GICV_BPR
      case 0x1c: return (vmcr >>> 18) & 7 // GICV_ABPR
      case 0x0c: case 0x20: return this.acknowledge(p)
      case 0x14: { const r = this.running(p); return r === IDLE ? 0xff : r << 3 } // GICV_RPR
      case 0x18: case 0x28: { const i = this.hppi(p); return i < 0 ? SPURIOUS : this.lr[p * LRS + i]! & 0x3ff }
      case 0xd0: return this.apr[p]!
      case 0xfc: return GICV_IIDR
    }
    return 0
  }

  private gicvWrite(p: number, off: number, v: number): void {
    const vmcr = this.vmcr[p]!
    switch (off) {
      case 0x00: this.vmcr[p] = (vmcr & ~0x21f) | (v & 0x21f); break
      case 0x04: this.vmcr[p] = (vmcr & 0x07ffffff) | (((v >>> 3) & 0x1f) << 27); break
      case 0x08: this.vmcr[p] = (vmcr & ~(7 << 21)) | ((v & 7) << 21); break
      case 0x1c: this.vmcr[p] = (vmcr & ~(7 << 18)) | ((v & 7) << 18); break
      case 0x10: case 0x24: this.endOfInterrupt(p, v & 0x3ff); break
      case 0xd0: this.apr[p] = v; break
      case 0x1000: if ((vmcr & (1 << 9)) !== 0) this.deactivate(p, v & 0x3ff); break
      default: return
    }
    this.update(p)
  }

  /** GICV_IAR: pending → active, its priority active; the SGI's source CPU in [12:10] */
  private acknowledge(p: number): number {
    const i = this.hppi(p)
    if (i < 0) return SPURIOUS
    const k = p * LRS + i, v = this.lr[k]!
    const prio = (v >>> 23) & 0x1f
    if (prio >= this.pmr(p) || prio >= this.running(p)) return SPURIOUS
    this.lr[k] = (v & ~LR_STATE) | LR_ACTIVE
    this.apr[p] = this.apr[p]! | (1 << prio)
    this.update(p)
    const id = v & 0x3ff
    return (v & LR_HW) === 0 && id < 16 ? id | (v & (7 << 10)) : id
  }

  /** GICV_EOIR: drop the running priority; deactivate too unless GICV_CTLR.EOImode */
  private endOfInterrupt(p: number, id: number): void {
    const a = this.apr[p]!
    this.apr[p] = a & (a - 1)
    if ((this.vmcr[p]! & (1 << 9)) === 0) this.deactivate(p, id)
  }

  private deactivate(p: number, id: number): void {
    for (let i = 0; i < LRS; i++) {
      const k = p * LRS + i, v = this.lr[k]!
      if ((v & 0x3ff) !== id || (v & LR_ACTIVE) === 0) continue
      this.lr[k] = v & ~LR_ACTIVE
      if ((v & LR_HW) !== 0) this.out.deactivate(p, (v >>> 10) & 0x3ff)
      return
    }
  }

  snapshot(): SoftGichState {
    return { lr: [...this.lr], hcr: [...this.hcr], vmcr: [...this.vmcr], apr: [...this.apr] }
  }

  restore(s: SoftGichState): void {
    this.lr.set(s.lr.slice(0, this.lr.length))
    this.hcr.set(s.hcr.slice(0, this.cpus))
    this.vmcr.set(s.vmcr.slice(0, this.cpus))
    this.apr.set(s.apr.slice(0, this.cpus))
    for (let p = 0; p < this.cpus; p++) this.update(p)
  }
}
