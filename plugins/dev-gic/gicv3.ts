/**
 * The GICv3 (ARM IHI 0069) as QEMU's `arm-gicv3` without security (GICD_CTLR.DS = 1, one
 * Security state) and without LPIs or an ITS: distributor (GICD_*), one redistributor per CPU
 * (GICR_*: RD_base and SGI_base frames, 128 KiB each) and the CPU interface as ICC_* system
 * registers (icc.ts), which the CPU plugin calls through `readSysreg`/`writeSysreg`.
 *
 * Affinity routing is always on (GICD_CTLR.ARE reads as one, writes are ignored: QEMU does not
 * model legacy operation either), so the distributor's registers of INTIDs 0..31 are RAZ/WI and
 * SGIs and PPIs are programmed in each CPU's redistributor. SPIs go where GICD_IROUTER names;
 * 1-of-N routing is not offered (GICD_TYPER.No1N = 1, Interrupt_Routing_Mode RAZ/WI) and an SPI
 * routed to an affinity no CPU has stays pending.
 *
 * One window from the distributor over the redistributors: GICD_* at +0 (64 KiB), CPU c's
 * redistributor at +params.gicrOffset + c * 0x20000 (default 0xa0000: QEMU virt's GICD at
 * 0x08000000, GICR at 0x080a0000). A board entry is `{ type: 'gicv3', base: 0x08000000, size:
 * 0xa0000 + cpus * 0x20000 }`; what lies between (QEMU virt's ITS) reads 0.
 *
 * Affinity: CPU c is Aff1 = c / 16, Aff0 = c % 16 (QEMU virt with a GICv3 makes clusters of 16
 * CPUs); `gicAffinity(c)` gives it in GICR_TYPER[63:32] layout (Aff3.Aff2.Aff1.Aff0), whose low
 * 24 bits the CPU plugin's MPIDR_EL1 should carry so SGI targets and IROUTER mean what software
 * computes from MPIDR_EL1.
 *
 * GICR_WAKER keeps ProcessorSleep (ChildrenAsleep follows it at once) without gating delivery,
 * as QEMU. Params: `irqs` (default 288, QEMU virt), `gicrOffset`, `maintenanceIrq` (default 25).
 *
 * The virtualization extensions are always there (vgic.ts, ich.ts): ICH_*_EL2 for the
 * hypervisor, ICV_*_EL1 for the guest (`readSysreg(cpu, name, { virtual: true })`), each CPU's
 * 'virq' and 'vfiq' outputs and its maintenance PPI, asserted while ICH_HCR_EL2.En is set and
 * ICH_MISR_EL2 is not 0.
 */
import type { Device, DeviceContext } from '../../core/device.ts'
import type { IrqLine } from '../../core/irq.ts'
import { Registers, type RegSpec } from '../../core/regs.ts'
import { checkState, stateNum, StateError } from '../../core/state-check.ts'
import { z } from 'zod'
import { checkCore, restoreCore, snapshotCore, type GicCoreState } from './gic-state.ts'
import { cpuLines, DEFAULT_MAINTENANCE_IRQ, GicInputs, idRegisters, interruptRegs, irqsParam, offsetParam, ppiParam, view, virtualCpuLines } from './common.ts'
import { FIRST_SPECIAL, GicCore, PRIVATE } from './gic.ts'
import { iccReg, type IccHost, type IccSysreg } from './icc.ts'
import type { SysregAccess } from './lookup.ts'
import { VirtualInterface } from './vgic.ts'
import { checkVirtual, restoreVirtual, snapshotVirtual, type VirtualInterfaceState } from './vgic-state.ts'

const GICD_SIZE = 0x1_0000
/** RD_base + SGI_base (no VLPI frames) */
export const GICR_STRIDE = 0x2_0000
const SGI_BASE = 0x1_0000
const IIDR = 0x43b
/** QEMU's gicv3_idreg: PIDR4..7, PIDR0..3 (PIDR0 0x92 distributor / 0x93 redistributor, PIDR2 ArchRev 3), CIDR0..3 */
const idValues = (pidr0: number) => [0x44, 0x00, 0x00, 0x00, pidr0, 0xb4, 0x3b, 0x00, 0x0d, 0xf0, 0x05, 0xb1]
/** IHI 0069 GICD_CTLR with DS = 1: ARE [4] and DS [6] read as one */
const CTLR_ARE = 1 << 4
const CTLR_DS = 1 << 6
/** GICD_TYPER: IDbits 9 (INTIDs below 1024, no LPIs) [23:19], A3V [24], No1N [25] */
const TYPER_FIXED = (9 << 19) | (1 << 24) | (1 << 25)
/** GICR_WAKER */
const WAKER_PROCESSOR_SLEEP = 1 << 1
const WAKER_CHILDREN_ASLEEP = 1 << 2

/** CPU `cpu`'s affinity, Aff3.Aff2.Aff1.Aff0 (GICR_TYPER[63:32], GICD_IROUTER's fields packed the same way). */
export function gicAffinity(cpu: number): number {
  return ((cpu >>> 4) << 8) | (cpu & 15)
}

export interface Gicv3State {
  core: GicCoreState
  /** GICD_IROUTER of each SPI (INTID 32 first), its affinity fields packed as `gicAffinity` */
  irouter: number[]
  /** GICR_WAKER.ProcessorSleep of each redistributor */
  processorSleep: boolean[]
  /** the list registers and virtual interface control of each CPU */
  virt: VirtualInterfaceState
}

export class Gicv3 implements Device, IccHost {
  readonly gicVersion = 3
  readonly core: GicCore
  readonly gicrOffset: number
  readonly vgic: VirtualInterface
  /** the maintenance interrupt's PPI */
  readonly maintenanceIrq: number
  private readonly gicd: Registers
  /** one redistributor's frames; the access's `cpu` argument carries the redistributor's index */
  private readonly gicr: Registers
  private readonly inputs: GicInputs
  private readonly irouter: Uint32Array
  /** per SPI, the CPU its IROUTER names, or -1 */
  private readonly target: Int16Array
  private readonly sleep: Uint8Array

  constructor(ctx: DeviceContext) {
    const cpus = ctx.cpus
    if (cpus < 1 || cpus > 512) throw new Error(`${ctx.name}: a GICv3 here serves 1 to 512 CPUs, the board has ${cpus}`)
    const lines = irqsParam(ctx)
    // redistributor frames are 64 KiB each and 64 KiB aligned (GICv3 §12.10)
    this.gicrOffset = offsetParam(ctx, 'gicrOffset', 0xa_0000, cpus * GICR_STRIDE, 0x1_0000)
    const spis = Math.min(lines, FIRST_SPECIAL) - PRIVATE
    this.irouter = new Uint32Array(spis)
    this.target = new Int16Array(spis)
    this.sleep = new Uint8Array(cpus)
    const { irq, fiq } = cpuLines(ctx)
    this.core = new GicCore({ version: 3, cpus, lines, routed: (id, cpu) => this.target[id - PRIVATE] === cpu, irq, fiq })
    this.inputs = new GicInputs(this.core, ctx.name)
    this.gicd = new Registers(this.distributor())
    this.gicr = new Registers(this.redistributor())
    this.maintenanceIrq = ppiParam(ctx, 'maintenanceIrq', DEFAULT_MAINTENANCE_IRQ)
    const { virq, vfiq } = virtualCpuLines(ctx)
    const maintenance = Array.from({ length: cpus }, (_, c) => this.inputs.ppi(c, this.maintenanceIrq))
    this.vgic = new VirtualInterface({ version: 3, core: this.core, virq, vfiq, maintenance })
    this.resetState()
    this.core.update(true)
    this.vgic.update(true)
  }

  /** The distributor; with affinity routing (IHI 0069 §2.3), words and bytes of INTIDs 0..31 are RAZ/WI */
  private distributor(): RegSpec[] {
    const c = this.core
    const spis = this.irouter.length
    const irouter = (half: 0 | 1): RegSpec => view({
      name: `GICD_IROUTER${half ? '[63:32]' : '[31:0]'}`, offset: 0x6000 + 8 * PRIVATE + 4 * half, count: spis, stride: 8,
      read: (_, i) => (half ? this.irouter[i]! >>> 24 : this.irouter[i]! & 0xff_ffff),
      write: (_v, _o, x, i) => {
        // [31:0]: Aff2.Aff1.Aff0 (Interrupt_Routing_Mode [31] RAZ/WI); [63:32]: Aff3
        const keep = half ? 0xff_ffff : 0xff00_0000
        this.irouter[i] = ((this.irouter[i]! & keep) | (half ? (x & 0xff) << 24 : x & 0xff_ffff)) >>> 0
        this.route(i)
        c.update()
      },
    })
    return [
      view({ name: 'GICD_CTLR', offset: 0x0, read: () => c.distCtlr | CTLR_ARE | CTLR_DS, write: (_v, _o, x) => { c.distCtlr = x & 3; c.update() } }),
      view({ name: 'GICD_TYPER', offset: 0x4, read: () => (c.words - 1) | (Math.min(c.cpus - 1, 7) << 5) | TYPER_FIXED }),
      view({ name: 'GICD_IIDR', offset: 0x8, read: () => IIDR }),
      ...interruptRegs(c, { prefix: 'GICD_', suffix: '', base: 0, words: c.words, at: (w) => (w === 0 ? null : [0, w]), sgiBitsFixed: false }),
      irouter(0),
      irouter(1),
      ...idRegisters('GICD_', idValues(0x92), 0xffd0),
    ]
  }

  /** RD_base (control, identification, wake) and SGI_base (SGIs and PPIs) of redistributor `r` */
  private redistributor(): RegSpec[] {
    const c = this.core
    return [
      // EnableLPIs and the rest: no LPIs, nothing to control
      view({ name: 'GICR_CTLR', offset: 0x0, read: () => 0 }),
      view({ name: 'GICR_IIDR', offset: 0x4, read: () => IIDR }),
      // Processor_Number [23:8], Last [4]
      view({ name: 'GICR_TYPER[31:0]', offset: 0x8, read: (_, _i, r) => (r << 8) | (r === c.cpus - 1 ? 1 << 4 : 0) }),
      view({ name: 'GICR_TYPER[63:32]', offset: 0xc, read: (_, _i, r) => gicAffinity(r) }),
      view({
        name: 'GICR_WAKER', offset: 0x14, read: (_, _i, r) => (this.sleep[r] ? WAKER_PROCESSOR_SLEEP | WAKER_CHILDREN_ASLEEP : 0),
        write: (_v, _o, x, _i, r) => { this.sleep[r] = x & WAKER_PROCESSOR_SLEEP ? 1 : 0 },
      }),
      ...idRegisters('GICR_', idValues(0x93), 0xffd0),
      ...interruptRegs(c, { prefix: 'GICR_', suffix: '0', base: SGI_BASE, words: 1, at: (_i, r) => [r, 0], sgiBitsFixed: false }),
    ]
  }

  /** SPI i's target after its IROUTER changed */
  private route(i: number): void {
    let t = -1
    for (let cpu = 0; cpu < this.core.cpus && t < 0; cpu++) if (gicAffinity(cpu) === this.irouter[i]) t = cpu
    this.target[i] = t
  }

  /**
   * ICC_SGI1R_EL1, ICC_SGI0R_EL1 from `cpu`: INTID [27:24]; the CPUs of affinity
   * Aff3 [55:48].Aff2 [39:32].Aff1 [23:16] whose Aff0 is RS [47:44] * 16 + a TargetList [15:0]
   * bit, or every CPU but the writer when IRM [40] is set. An SGI becomes pending only where it is
   * configured in the group the register generates (GICR_IGROUPR0; DS = 1).
   */
  generateSgi(cpu: number, value: bigint, group: 0 | 1): void {
    const lo = Number(value & 0xffff_ffffn)
    const hi = Number((value >> 32n) & 0xffff_ffffn)
    const id = (lo >>> 24) & 0xf
    const irm = (hi >>> 8) & 1
    const aff321 = (((hi >>> 16) & 0xff) << 24) | ((hi & 0xff) << 16) | (((lo >>> 16) & 0xff) << 8)
    const rs = (hi >>> 12) & 0xf
    const c = this.core
    for (let t = 0; t < c.cpus; t++) {
      if (irm) {
        if (t === cpu) continue
      } else {
        const a = gicAffinity(t)
        if (((a & ~0xff) >>> 0) !== aff321 >>> 0 || (a & 0xff) >>> 4 !== rs || !(lo & (1 << (a & 15)))) continue
      }
      if (c.groupOf(t, id) === group) c.pendSgi(t, id, cpu)
    }
    c.update()
  }

  /**
   * A GIC system register (ICC_*, ICH_*) read by CPU `cpu` (0n for a write-only one: the CPU
   * plugin raises UNDEFINED first). `virtual`: the ICV_ register behind an ICC_ one (icc.ts
   * `iccRoute`); ignored for a register without one.
   */
  readSysreg(cpu: number, name: IccSysreg, opts?: SysregAccess): bigint {
    const r = this.face(name, opts)
    return r.read ? r.read(this, this.cpu(cpu)) : 0n
  }

  /** A GIC system register written by CPU `cpu` (ignored for a read-only one); `virtual` as `readSysreg`. */
  writeSysreg(cpu: number, name: IccSysreg, value: bigint, opts?: SysregAccess): void {
    this.face(name, opts).write?.(this, this.cpu(cpu), BigInt.asUintN(64, value))
  }

  private face(name: IccSysreg, opts: SysregAccess | undefined) {
    const r = iccReg(name)
    return opts?.virtual && r.virt && !r.virt.trap ? r.virt : r
  }

  private cpu(cpu: number): number {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.core.cpus) throw new RangeError(`gicv3: no CPU interface ${cpu} (the GIC has ${this.core.cpus})`)
    return cpu
  }

  read(offset: number, size: number, cpu = -1): number {
    if (offset < GICD_SIZE) return this.gicd.read(offset, size, cpu)
    const o = offset - this.gicrOffset
    const r = Math.floor(o / GICR_STRIDE)
    return o >= 0 && r < this.core.cpus ? this.gicr.read(o - r * GICR_STRIDE, size, r) : 0
  }

  /**
   * IHI 0069 makes only GICD_IPRIORITYR and GICR_IPRIORITYR<n> byte-accessible here; a narrower write to
   * any other register is ignored (it would reach a view with the other bytes zero), as QEMU
   * does. 64-bit registers arrive as two 32-bit halves (core/bus.ts).
   */
  write(offset: number, size: number, value: number, cpu = -1): void {
    if (offset < GICD_SIZE) {
      if (size === 4 || (offset >= 0x400 && offset < 0x800)) this.gicd.write(offset, size, value, cpu)
      return
    }
    const o = offset - this.gicrOffset
    const r = Math.floor(o / GICR_STRIDE)
    if (o < 0 || r >= this.core.cpus) return
    const f = o - r * GICR_STRIDE
    if (size === 4 || (f >= SGI_BASE + 0x400 && f < SGI_BASE + 0x420)) this.gicr.write(f, size, value, r)
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

  private resetState(): void {
    // IROUTER resets UNKNOWN; QEMU's 0 routes every SPI to CPU 0
    this.irouter.fill(0)
    for (let i = 0; i < this.irouter.length; i++) this.route(i)
    this.sleep.fill(1)
  }

  reset(): void {
    this.resetState()
    this.core.reset()
    this.vgic.reset()
  }

  snapshot(): Gicv3State {
    return {
      core: snapshotCore(this.core), irouter: [...this.irouter], processorSleep: [...this.sleep].map((s) => s === 1),
      virt: snapshotVirtual(this.vgic),
    }
  }

  checkState(state: unknown): void {
    const s = checkState(z.object({ core: z.unknown(), irouter: z.array(stateNum.u32), processorSleep: z.array(z.boolean()), virt: z.unknown() }).strict(), state)
    checkCore(this.core, s.core, 'core')
    checkVirtual(this.vgic, s.virt, 'virt')
    if (s.irouter.length !== this.irouter.length) throw new StateError('irouter', `must list ${this.irouter.length} routes, one per SPI (this GIC's geometry)`)
    if (s.processorSleep.length !== this.core.cpus) throw new StateError('processorSleep', `must list ${this.core.cpus} values, one per redistributor`)
  }

  restore(state: unknown): void {
    this.checkState(state)
    const s = state as Gicv3State
    restoreCore(this.core, s.core)
    this.irouter.set(s.irouter)
    for (let i = 0; i < this.irouter.length; i++) this.route(i)
    this.sleep.set(s.processorSleep.map((b) => (b ? 1 : 0)))
    restoreVirtual(this.vgic, s.virt)
    this.core.update(true)
    this.vgic.update(true)
  }
}
