/**
 * The physical GIC as the hypervisor drives it at EL2 (Bao's gicv2.c / gicv3.c): each pCPU's CPU
 * interface set up with priority drop and deactivation split (EOImode = 1: a HW-linked list
 * register's guest deactivation ends the physical interrupt, reference §9), every interrupt in
 * group 1 and the maintenance PPI enabled; an interrupt acknowledged and its priority dropped;
 * deactivated; and a VM's interrupts routed to its pCPUs.
 *
 * GICv2 (IHI 0048B): the distributor and the banked GICC frame over the bus, the access carrying
 * the pCPU. GICv3 (IHI 0069): the distributor and each pCPU's redistributor over the bus, the CPU
 * interface as ICC_*_EL1 system registers through dev-gic's `gicCpuInterface`.
 */
import type { MemoryBus } from '../../../core/bus.ts'
import type { GicCpuInterface } from '../../dev-gic/lookup.ts'

export interface PhysGic {
  /** Bao's gic_cpu_init on pCPU `p`, with maintenance PPI `maintenance` enabled */
  setupCpu(p: number, maintenance: number): void
  /** the interrupt pCPU `p` takes, its priority dropped (still active), or 1023 */
  acknowledge(p: number): number
  /** end `id`'s active state on pCPU `p` */
  deactivate(p: number, id: number): void
  /** SPI `irq` to pCPU `p`, enabled */
  routeSpi(irq: number, p: number): void
  /** PPI `irq` of pCPU `p` enabled */
  enablePpi(irq: number, p: number): void
}

/** GICC_* offsets of the physical CPU interface (IHI 0048B §4.4) */
const GICC_CTLR = 0x00, GICC_PMR = 0x04, GICC_IAR = 0x0c, GICC_EOIR = 0x10, GICC_DIR = 0x1000
/** GICC_CTLR: EnableGrp0, EnableGrp1, EOImodeNS (priority drop and deactivation split) */
const GICC_CTLR_HYP = 1 | 2 | (1 << 9)
/** distributor offsets both versions share */
const GICD_CTLR = 0x000, GICD_IGROUPR = 0x080, GICD_ISENABLER = 0x100

export class PhysGicv2 implements PhysGic {
  constructor(private readonly bus: MemoryBus, private readonly gicd: number, private readonly gicc: number) {}

  setupCpu(p: number, maintenance: number): void {
    const bus = this.bus
    bus.write(this.gicd + GICD_CTLR, 4, 3) // both groups forwarded
    bus.write(this.gicc + GICC_CTLR, 4, GICC_CTLR_HYP, p)
    bus.write(this.gicc + GICC_PMR, 4, 0xff, p)
    bus.write(this.gicd + GICD_ISENABLER, 4, 1 << maintenance, p) // banked
  }

  acknowledge(p: number): number {
    const iar = this.bus.read(this.gicc + GICC_IAR, 4, p)
    const id = iar & 0x3ff
    if (id < 1020) this.bus.write(this.gicc + GICC_EOIR, 4, iar, p)
    return id
  }

  deactivate(p: number, id: number): void {
    this.bus.write(this.gicc + GICC_DIR, 4, id, p)
  }

  routeSpi(irq: number, p: number): void {
    this.bus.write(this.gicd + 0x800 + irq, 1, 1 << p) // GICD_ITARGETSR
    this.bus.write(this.gicd + GICD_ISENABLER + 4 * (irq >>> 5), 4, 1 << (irq & 31))
  }

  enablePpi(irq: number, p: number): void {
    this.bus.write(this.gicd + GICD_ISENABLER, 4, 1 << irq, p)
  }
}

/** GICD_CTLR with DS = 1: EnableGrp1 [1], ARE [4] */
const GICD_CTLR_V3 = (1 << 1) | (1 << 4)
/** a redistributor's frames (RD_base, SGI_base) and the registers used here */
const GICR_STRIDE = 0x2_0000, GICR_TYPER_AFF = 0x0c, GICR_WAKER = 0x14, SGI_BASE = 0x1_0000
/** ICC_CTLR_EL1.EOImode */
const ICC_CTLR_EOI_MODE = 2n

export class PhysGicv3 implements PhysGic {
  constructor(private readonly bus: MemoryBus, private readonly gicd: number, private readonly gicr: number,
    private readonly icc: GicCpuInterface, private readonly lines: number) {}

  private rd(p: number): number { return this.gicr + p * GICR_STRIDE }

  setupCpu(p: number, maintenance: number): void {
    const bus = this.bus, rd = this.rd(p)
    bus.write(this.gicd + GICD_CTLR, 4, GICD_CTLR_V3)
    for (let w = 1; w < this.lines / 32; w++) bus.write(this.gicd + GICD_IGROUPR + 4 * w, 4, 0xffff_ffff)
    // Bao's gicr_init: awake, every private interrupt group 1
    bus.write(rd + GICR_WAKER, 4, 0)
    bus.write(rd + SGI_BASE + GICD_IGROUPR, 4, 0xffff_ffff)
    bus.write(rd + SGI_BASE + GICD_ISENABLER, 4, 1 << maintenance)
    // gicc_init: everything unmasked, EOImode 1, group 1 on
    this.icc.writeSysreg(p, 'ICC_PMR_EL1', 0xffn)
    this.icc.writeSysreg(p, 'ICC_BPR1_EL1', 0n)
    this.icc.writeSysreg(p, 'ICC_CTLR_EL1', ICC_CTLR_EOI_MODE)
    this.icc.writeSysreg(p, 'ICC_IGRPEN1_EL1', 1n)
  }

  acknowledge(p: number): number {
    const id = Number(this.icc.readSysreg(p, 'ICC_IAR1_EL1') & 0xff_ffffn)
    if (id < 1020) this.icc.writeSysreg(p, 'ICC_EOIR1_EL1', BigInt(id))
    return id
  }

  deactivate(p: number, id: number): void {
    this.icc.writeSysreg(p, 'ICC_DIR_EL1', BigInt(id))
  }

  routeSpi(irq: number, p: number): void {
    // GICD_IROUTER<irq>: pCPU p's affinity, as its redistributor's GICR_TYPER gives it
    const aff = this.bus.read(this.rd(p) + GICR_TYPER_AFF, 4)
    this.bus.write(this.gicd + 0x6000 + 8 * irq, 4, aff & 0xff_ffff)
    this.bus.write(this.gicd + 0x6000 + 8 * irq + 4, 4, aff >>> 24)
    this.bus.write(this.gicd + GICD_ISENABLER + 4 * (irq >>> 5), 4, 1 << (irq & 31))
  }

  enablePpi(irq: number, p: number): void {
    this.bus.write(this.rd(p) + SGI_BASE + GICD_ISENABLER, 4, 1 << irq)
  }
}
