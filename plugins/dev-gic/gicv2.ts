/**
 * The GICv2 (ARM IHI 0048B) without the Security Extensions, as QEMU's `arm_gic` (revision 2,
 * security off) models it: distributor (GICD_*) and CPU interface (GICC_*), with interrupt groups.
 *
 * One device, one window. A board entry maps one MMIO window to one device and a DeviceContext
 * cannot reach another device, so the distributor and the CPU interface cannot be two board
 * devices sharing state. The device's window therefore starts at the distributor and spans the
 * CPU interface: GICD_* at +0 (4 KiB), GICC_* at +params.giccOffset (default 0x10000, as on QEMU
 * virt: GICD 0x08000000, GICC 0x08010000), 8 KiB with GICC_DIR at +0x1000. The rest of the
 * window reads 0.
 *
 * The virtualization extensions (IHI 0048B ch. 5; vgic.ts, gicv2-virt.ts) join the same window:
 * GICH_* at +params.gichOffset (default 0x30000, 4 KiB) and GICV_* at +params.gicvOffset (default
 * 0x40000, 8 KiB), as on QEMU virt with virtualization=on (GICH 0x08030000, GICV 0x08040000). A
 * board entry is `{ type: 'gicv2', base: 0x08000000, size: 0x50000 }`. A window that stops short
 * of the default GICV frame and names neither offset is a GIC without the extensions (QEMU's
 * virtualization=off; `{ size: 0x20000 }`): no GICH/GICV, no 'virq'/'vfiq', no maintenance.
 *
 * Banking. The bus passes the accessing CPU with every access (core/bus.ts `MmioHandler`), so
 * GICD_*0 registers of SGIs and PPIs and every GICC_* register act for the CPU that accessed
 * them. Host accesses (cpu -1: the REPL, tests, the hypervisor model's bookkeeping) act as CPU 0.
 *
 * Params: `irqs` (INTIDs incl. the 32 private ones; default 288 as QEMU virt), `giccOffset`,
 * `gichOffset`, `gicvOffset`, `maintenanceIrq` (the PPI, default 25 as QEMU virt).
 * Inputs: `irqInput(n)` for SPI n (32..irqs-1); `ppi(cpu, n)` for CPU cpu's PPI n (16..31).
 * Outputs: each CPU's 'irq' and 'fiq' (`ctx.cpuLine(cpu, 'irq' | 'fiq')`); group 0 goes to
 * 'fiq' only while that CPU's GICC_CTLR.FIQEn is set. With the virtualization extensions also
 * each CPU's 'virq' and 'vfiq' (its virtual CPU interface) and its maintenance PPI, asserted
 * while GICH_HCR.En is set and GICH_MISR is not 0. The state machines are gic.ts's and vgic.ts's.
 */
import type { Device, DeviceContext } from '../../core/device.ts'
import type { IrqLine } from '../../core/irq.ts'
import { Registers, type RegSpec } from '../../core/regs.ts'
import { checkState, stateNum, StateError } from '../../core/state-check.ts'
import { z } from 'zod'
import {
  APR_WORDS, CTLR_ACK_CTL, CTLR_MASK, GicCore, IDLE_PRIORITY, PRIVATE, SGIS, SPURIOUS, SPURIOUS_GROUP1,
} from './gic.ts'
import { checkCore, restoreCore, snapshotCore, type GicCoreState } from './gic-state.ts'
import { cpuLines, DEFAULT_MAINTENANCE_IRQ, GicInputs, idRegisters, interruptRegs, irqsParam, offsetParam, ppiParam, view, virtualCpuLines } from './common.ts'
import { gichRegisters, GICH_SIZE, gicvRegisters, GICV_SIZE } from './gicv2-virt.ts'
import { VirtualInterface } from './vgic.ts'
import { checkVirtual, restoreVirtual, snapshotVirtual, type VirtualInterfaceState } from './vgic-state.ts'

/** IHI 0048B: a GICv2 has at most 8 CPU interfaces (GICD_TYPER.CPUNumber, 8-bit target lists) */
const MAX_CPUS = 8
const GICD_SIZE = 0x1000
const GICC_SIZE = 0x2000
/** QEMU's identification values: implementer ARM (0x43b); GICC_IIDR architecture version 2 */
const GICD_IIDR = 0x43b
const GICC_IIDR = 0x0002_043b
/** PIDR4..7, PIDR0..3 (PIDR2 ArchRev 2), CIDR0..3, as QEMU's gic_id_gicv2 */
const ID_REGS = [0x04, 0x00, 0x00, 0x00, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1]
/** GICD_SGIR TargetListFilter (bits 25:24) */
const SGIR_LIST = 0
const SGIR_OTHERS = 1
const SGIR_SELF = 2
/** QEMU virt: GICH at +0x30000, GICV at +0x40000 */
const DEFAULT_GICH = 0x3_0000
const DEFAULT_GICV = 0x4_0000

export interface Gicv2State {
  core: GicCoreState
  /** GICD_ITARGETSR of each SPI (INTID 32 first) */
  targets: number[]
  /** the virtualization extensions' state, present exactly when the GIC has them */
  virt?: VirtualInterfaceState
}

/** GICH_* and GICV_* where they sit in the window */
interface VirtFrames {
  gich: Registers
  gicv: Registers
  gichOffset: number
  gicvOffset: number
}

export class Gicv2 implements Device {
  readonly gicVersion = 2
  readonly core: GicCore
  readonly giccOffset: number
  /** the virtualization extensions (list registers, virtual CPU interface), or null without them */
  readonly vgic: VirtualInterface | null
  /** the maintenance interrupt's PPI (with the virtualization extensions) */
  readonly maintenanceIrq: number
  private readonly frames: VirtFrames | null
  private readonly gicd: Registers
  private readonly gicc: Registers
  private readonly inputs: GicInputs
  /** GICD_ITARGETSR for SPIs: a CPU mask per SPI */
  private readonly targets: Uint8Array
  private readonly allCpus: number

  constructor(ctx: DeviceContext) {
    const cpus = ctx.cpus
    if (cpus < 1 || cpus > MAX_CPUS) throw new Error(`${ctx.name}: a GICv2 serves 1 to ${MAX_CPUS} CPUs, the board has ${cpus}`)
    const lines = irqsParam(ctx)
    this.giccOffset = offsetParam(ctx, 'giccOffset', 0x1_0000, GICC_SIZE)
    this.allCpus = (1 << cpus) - 1
    this.targets = new Uint8Array(lines - PRIVATE)
    const { irq, fiq } = cpuLines(ctx)
    // IHI 0048B GICD_ITARGETSRn: on a uniprocessor GIC every interrupt targets the one CPU
    const routed = cpus === 1 ? () => true : (id: number, cpu: number) => ((this.targets[id - PRIVATE]! >>> cpu) & 1) === 1
    this.core = new GicCore({ version: 2, cpus, lines, routed, irq, fiq })
    this.inputs = new GicInputs(this.core, ctx.name)
    this.gicd = new Registers(this.distributor())
    this.gicc = new Registers(this.cpuInterface())
    this.maintenanceIrq = ppiParam(ctx, 'maintenanceIrq', DEFAULT_MAINTENANCE_IRQ)
    const p = ctx.params
    if (p.gichOffset !== undefined || p.gicvOffset !== undefined || ctx.size >= DEFAULT_GICV + GICV_SIZE) {
      const gichOffset = offsetParam(ctx, 'gichOffset', DEFAULT_GICH, GICH_SIZE)
      const gicvOffset = offsetParam(ctx, 'gicvOffset', DEFAULT_GICV, GICV_SIZE)
      if (new Set([this.giccOffset, gichOffset, gicvOffset]).size < 3) {
        throw new Error(`${ctx.name}: params.giccOffset, gichOffset and gicvOffset must name three different frames`)
      }
      const { virq, vfiq } = virtualCpuLines(ctx)
      const maintenance = Array.from({ length: cpus }, (_, c) => this.inputs.ppi(c, this.maintenanceIrq))
      const v = (this.vgic = new VirtualInterface({ version: 2, core: this.core, virq, vfiq, maintenance }))
      const me = (cpu: number) => this.me(cpu)
      this.frames = { gich: new Registers(gichRegisters(v, me)), gicv: new Registers(gicvRegisters(v, me)), gichOffset, gicvOffset }
    } else {
      this.vgic = null
      this.frames = null
    }
    this.core.update(true)
    this.vgic?.update(true)
  }

  /** GICH_*'s offset in the window, or null without the virtualization extensions */
  get gichOffset(): number | null {
    return this.frames?.gichOffset ?? null
  }

  /** GICV_*'s offset in the window (the frame a hypervisor maps at each VM's GICC address), or null */
  get gicvOffset(): number | null {
    return this.frames?.gicvOffset ?? null
  }

  /** the accessing CPU as the banked registers see it: the host acts as CPU 0 */
  private me(cpu: number): number {
    return cpu >= 0 && cpu < this.core.cpus ? cpu : 0
  }

  /** IHI 0048B §4.3: the distributor registers */
  private distributor(): RegSpec[] {
    const c = this.core
    const words = c.words
    const me = (cpu: number) => this.me(cpu)
    const done = () => c.update()
    return [
      view({ name: 'GICD_CTLR', offset: 0x000, read: () => c.distCtlr, write: (_v, _o, x) => { c.distCtlr = x & 3; done() } }),
      // ITLinesNumber [4:0], CPUNumber [7:5]; SecurityExtn [10] 0
      view({ name: 'GICD_TYPER', offset: 0x004, read: () => (words - 1) | ((c.cpus - 1) << 5) }),
      view({ name: 'GICD_IIDR', offset: 0x008, read: () => GICD_IIDR }),
      ...interruptRegs(c, { prefix: 'GICD_', suffix: '', base: 0, words: c.words, at: (w, cpu) => [me(cpu), w], sgiBitsFixed: true }),
      view({
        name: 'GICD_ITARGETSR', offset: 0x800, width: 1, count: c.lines,
        read: (_, id, cpu) => this.readTarget(id, me(cpu)),
        write: (_v, _o, x, id) => { if (id >= PRIVATE && c.cpus > 1) this.targets[id - PRIVATE] = x & this.allCpus; done() },
      }),
      view({ name: 'GICD_SGIR', offset: 0xf00, write: (_v, _o, x, _i, cpu) => this.writeSgir(me(cpu), x) }),
      // GICD_CPENDSGIRn, GICD_SPENDSGIRn: one byte per SGI, one bit per source CPU, for the accessing CPU
      view({
        name: 'GICD_CPENDSGIR', offset: 0xf10, width: 1, count: SGIS, read: (_, id, cpu) => c.sgiSources[me(cpu) * SGIS + id]!,
        write: (_v, _o, x, id, cpu) => { c.setSgiSources(me(cpu), id, c.sgiSources[me(cpu) * SGIS + id]! & ~x); done() },
      }),
      view({
        name: 'GICD_SPENDSGIR', offset: 0xf20, width: 1, count: SGIS, read: (_, id, cpu) => c.sgiSources[me(cpu) * SGIS + id]!,
        write: (_v, _o, x, id, cpu) => { c.setSgiSources(me(cpu), id, c.sgiSources[me(cpu) * SGIS + id]! | (x & this.allCpus)); done() },
      }),
      ...idRegisters('GICD_', ID_REGS, 0xfd0),
    ]
  }

  /** GICD_ITARGETSRn: SGIs and PPIs read as the accessing CPU's bit; a uniprocessor GIC's are RAZ */
  private readTarget(id: number, cpu: number): number {
    if (this.core.cpus === 1) return 0
    return id < PRIVATE ? 1 << cpu : this.targets[id - PRIVATE]!
  }

  /** GICD_SGIR: SGI `SGIINTID` [3:0] to the CPUs the filter names, from the writing CPU */
  private writeSgir(self: number, v: number): void {
    let list: number
    switch ((v >>> 24) & 3) {
      case SGIR_LIST: list = (v >>> 16) & this.allCpus; break
      case SGIR_OTHERS: list = this.allCpus & ~(1 << self); break
      case SGIR_SELF: list = 1 << self; break
      default: return // reserved filter: ignored
    }
    for (let t = 0; t < this.core.cpus; t++) if (list & (1 << t)) this.core.pendSgi(t, v & 0xf, self)
    this.core.update()
  }

  /** IHI 0048B §4.4: the CPU interface registers, each the accessing CPU's */
  private cpuInterface(): RegSpec[] {
    const c = this.core
    const me = (cpu: number) => this.me(cpu)
    const done = () => c.update()
    const aprs = (name: string, offset: number, apr: Uint32Array): RegSpec => view({
      name, offset, count: APR_WORDS, read: (_, n, cpu) => apr[me(cpu) * APR_WORDS + n]!,
      write: (_v, _o, x, n, cpu) => { apr[me(cpu) * APR_WORDS + n] = x; done() },
    })
    return [
      view({ name: 'GICC_CTLR', offset: 0x00, read: (_, _i, cpu) => c.cpuCtlr[me(cpu)]!, write: (_v, _o, x, _i, cpu) => { c.cpuCtlr[me(cpu)] = x & CTLR_MASK; done() } }),
      view({ name: 'GICC_PMR', offset: 0x04, read: (_, _i, cpu) => c.pmr[me(cpu)]!, write: (_v, _o, x, _i, cpu) => { c.pmr[me(cpu)] = x & 0xff; done() } }),
      view({ name: 'GICC_BPR', offset: 0x08, read: (_, _i, cpu) => c.bpr0[me(cpu)]!, write: (_v, _o, x, _i, cpu) => { c.bpr0[me(cpu)] = x & 7; done() } }),
      view({ name: 'GICC_IAR', offset: 0x0c, read: (_, _i, cpu) => this.acknowledge(me(cpu), false) }),
      view({ name: 'GICC_EOIR', offset: 0x10, write: (_v, _o, x, _i, cpu) => this.eoi(me(cpu), x & 0x3ff, false) }),
      view({ name: 'GICC_RPR', offset: 0x14, read: (_, _i, cpu) => Math.min(c.runningPriority(me(cpu)), IDLE_PRIORITY - 1) }),
      view({ name: 'GICC_HPPIR', offset: 0x18, read: (_, _i, cpu) => this.highestPending(me(cpu), false) }),
      // GICC_ABPR is group 1's binary point; its minimum is one more than GICC_BPR's
      view({ name: 'GICC_ABPR', offset: 0x1c, read: (_, _i, cpu) => c.bpr1[me(cpu)]!, write: (_v, _o, x, _i, cpu) => { c.bpr1[me(cpu)] = Math.max(x & 7, 1); done() } }),
      view({ name: 'GICC_AIAR', offset: 0x20, read: (_, _i, cpu) => this.acknowledge(me(cpu), true) }),
      view({ name: 'GICC_AEOIR', offset: 0x24, write: (_v, _o, x, _i, cpu) => this.eoi(me(cpu), x & 0x3ff, true) }),
      view({ name: 'GICC_AHPPIR', offset: 0x28, read: (_, _i, cpu) => this.highestPending(me(cpu), true) }),
      aprs('GICC_APR', 0xd0, c.apr0),
      aprs('GICC_NSAPR', 0xe0, c.apr1),
      view({ name: 'GICC_IIDR', offset: 0xfc, read: () => GICC_IIDR }),
      view({ name: 'GICC_DIR', offset: 0x1000, write: (_v, _o, x, _i, cpu) => c.deactivate(me(cpu), x & 0x3ff) }),
    ]
  }

  /**
   * GICC_IAR (`alias`: GICC_AIAR, group 1 only): the HPPI with the SGI's source
   * CPU in bits 12:10; 1023 when nothing may be taken; 1022 when GICC_IAR meets a group 1 HPPI
   * with AckCtl clear (QEMU gic_get_current_pending_irq, a GIC without Security Extensions).
   */
  private acknowledge(cpu: number, alias: boolean): number {
    const c = this.core
    const id = c.hppi(cpu)
    if (!c.canAcknowledge(cpu, id)) return SPURIOUS
    const g = c.groupOf(cpu, id)
    if (alias && g !== 1) return SPURIOUS
    if (!alias && g === 1 && !(c.cpuCtlr[cpu]! & CTLR_ACK_CTL)) return SPURIOUS_GROUP1
    return id | (c.acknowledge(cpu, id) << 10)
  }

  /**
   * GICC_HPPIR / GICC_AHPPIR: the HPPI without taking it; 1023 when the priority mask hides it,
   * as QEMU's (its current_pending is set only for an interrupt above GICC_PMR; recorded in
   * guests/aarch64/gic's golden) — the running priority does not matter here.
   */
  private highestPending(cpu: number, alias: boolean): number {
    const c = this.core
    const id = c.hppi(cpu)
    if (id === SPURIOUS || c.prio(cpu, id) >= c.pmr[cpu]!) return SPURIOUS
    const g = c.groupOf(cpu, id)
    if (alias && g !== 1) return SPURIOUS
    if (!alias && g === 1 && !(c.cpuCtlr[cpu]! & CTLR_ACK_CTL)) return SPURIOUS_GROUP1
    const sources = id < SGIS ? c.sgiSources[cpu * SGIS + id]! : 0
    return id | (sources ? (31 - Math.clz32(sources & -sources)) << 10 : 0)
  }

  /** GICC_EOIR (the interrupt's own group) / GICC_AEOIR (group 1) */
  private eoi(cpu: number, id: number, alias: boolean): void {
    const c = this.core
    if (!c.exists(id)) return
    c.endOfInterrupt(cpu, id, alias ? 1 : c.groupOf(cpu, id))
  }

  read(offset: number, size: number, cpu = -1): number {
    if (offset < GICD_SIZE) return this.gicd.read(offset, size, cpu)
    const o = offset - this.giccOffset
    if (o >= 0 && o < GICC_SIZE) return this.gicc.read(o, size, cpu)
    const f = this.frames
    if (!f) return 0
    const h = offset - f.gichOffset
    if (h >= 0 && h < GICH_SIZE) return f.gich.read(h, size, cpu)
    const v = offset - f.gicvOffset
    return v >= 0 && v < GICV_SIZE ? f.gicv.read(v, size, cpu) : 0
  }

  /**
   * IHI 0048B makes only GICD_IPRIORITYR, GICD_ITARGETSR and GICD_C/SPENDSGIR byte-accessible; a
   * narrower write to any other register is ignored (it would reach a view with the other bytes
   * zero). Narrow reads are served from the whole register. GICC_*, GICH_* and GICV_* are word
   * registers only.
   */
  write(offset: number, size: number, value: number, cpu = -1): void {
    if (offset < GICD_SIZE) {
      if (size === 4 || (offset >= 0x400 && offset < 0xc00) || (offset >= 0xf10 && offset < 0xf30)) this.gicd.write(offset, size, value, cpu)
      return
    }
    if (size !== 4) return
    const o = offset - this.giccOffset
    if (o >= 0 && o < GICC_SIZE) return this.gicc.write(o, size, value, cpu)
    const f = this.frames
    if (!f) return
    const h = offset - f.gichOffset
    if (h >= 0 && h < GICH_SIZE) return f.gich.write(h, size, value, cpu)
    const v = offset - f.gicvOffset
    if (v >= 0 && v < GICV_SIZE) f.gicv.write(v, size, value, cpu)
  }

  /** SPI `n`'s input (32..irqs-1); the board wires `{ to: 'gic0', input: n }` here. */
  irqInput(n: number): IrqLine {
    return this.inputs.spi(n)
  }

  /** CPU `cpu`'s PPI `n` (16..31): the generic timers (26, 27, 30), the maintenance interrupt (25). */
  cpuIrqInput(cpu: number, n: number): IrqLine {
    return this.inputs.ppi(cpu, n)
  }

  ppi(cpu: number, n: number): IrqLine {
    return this.inputs.ppi(cpu, n)
  }

  reset(): void {
    this.targets.fill(0)
    this.core.reset()
    this.vgic?.reset()
  }

  snapshot(): Gicv2State {
    const s: Gicv2State = { core: snapshotCore(this.core), targets: [...this.targets] }
    if (this.vgic) s.virt = snapshotVirtual(this.vgic)
    return s
  }

  checkState(state: unknown): void {
    const s = checkState(z.object({ core: z.unknown(), targets: z.array(stateNum.u8), virt: z.unknown().optional() }).strict(), state)
    checkCore(this.core, s.core, 'core')
    if (s.targets.length !== this.targets.length) throw new StateError('targets', `must list ${this.targets.length} targets, one per SPI (this GIC's geometry)`)
    const bad = s.targets.findIndex((t) => t & ~this.allCpus)
    if (bad >= 0) throw new StateError(`targets[${bad}]`, `names a CPU the GIC does not have (mask 0x${this.allCpus.toString(16)})`)
    if (!this.vgic) {
      if (s.virt !== undefined) throw new StateError('virt', 'this GIC has no virtualization extensions (its window stops short of GICH/GICV)')
    } else if (s.virt === undefined) throw new StateError('virt', 'missing: this GIC has the virtualization extensions')
    else checkVirtual(this.vgic, s.virt, 'virt')
  }

  restore(state: unknown): void {
    this.checkState(state)
    const s = state as Gicv2State
    restoreCore(this.core, s.core)
    this.targets.set(s.targets)
    if (this.vgic && s.virt) restoreVirtual(this.vgic, s.virt)
    this.core.update(true)
    this.vgic?.update(true)
  }
}
