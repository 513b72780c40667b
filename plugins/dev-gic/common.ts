/** What the two GIC devices share around their state: board params, register blocks, input wires. */
import type { DeviceContext } from '../../core/device.ts'
import type { IrqLine } from '../../core/irq.ts'
import type { RegSpec } from '../../core/regs.ts'
import { FIRST_SPECIAL, PRIVATE, SGIS, type GicCore } from './gic.ts'

/**
 * Interrupts (INTIDs incl. the 32 private ones) when the board gives none: QEMU's virt machine
 * creates its GIC (v2 or v3) with "num-irq" = NUM_IRQS + 32 = 256 + 32 (hw/arm/virt.c).
 */
export const DEFAULT_IRQS = 288

/** `params.irqs`: a multiple of 32 from 32 to 1024 (GICD_TYPER.ITLinesNumber + 1 = irqs / 32). */
export function irqsParam(ctx: DeviceContext): number {
  const v = ctx.params.irqs ?? DEFAULT_IRQS
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 32 || v > 1024 || v % 32) {
    throw new Error(`${ctx.name}: params.irqs must be a multiple of 32 from 32 to 1024 (got ${String(v)})`)
  }
  return v
}

/** An offset param inside the device's window, aligned to `align` (4 KiB: GICv2 frames; the GICv3 redistributors pass 64 KiB). */
export function offsetParam(ctx: DeviceContext, key: string, dflt: number, span: number, align = 0x1000): number {
  const v = ctx.params[key] ?? dflt
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v % align) {
    throw new Error(`${ctx.name}: params.${key} must be a positive multiple of 0x${align.toString(16)} (got ${String(v)})`)
  }
  if (v + span > ctx.size) {
    throw new Error(`${ctx.name}: the window (size 0x${ctx.size.toString(16)}) must reach params.${key} + 0x${span.toString(16)} = 0x${(v + span).toString(16)}`)
  }
  return v
}

/** The GIC maintenance interrupt's PPI on QEMU virt (ARCH_GIC_MAINT_IRQ), and CROSSCON's qemu-aarch64-virt. */
export const DEFAULT_MAINTENANCE_IRQ = 25

/** A PPI param (16..31): the maintenance interrupt's INTID. */
export function ppiParam(ctx: DeviceContext, key: string, dflt: number): number {
  const v = ctx.params[key] ?? dflt
  if (typeof v !== 'number' || !Number.isInteger(v) || v < SGIS || v >= PRIVATE) {
    throw new Error(`${ctx.name}: params.${key} must be a PPI, ${SGIS}..${PRIVATE - 1} (got ${String(v)})`)
  }
  return v
}

/** Each CPU's virtual interrupt inputs ('virq', 'vfiq'), which a virtual CPU interface drives. */
export function virtualCpuLines(ctx: DeviceContext): { virq: IrqLine[]; vfiq: IrqLine[] } {
  const virq: IrqLine[] = []
  const vfiq: IrqLine[] = []
  for (let c = 0; c < ctx.cpus; c++) {
    virq.push(ctx.cpuLine(c, 'virq'))
    vfiq.push(ctx.cpuLine(c, 'vfiq'))
  }
  return { virq, vfiq }
}

/** A register that stores nothing: its reads and writes are views of the GIC state. */
export function view(spec: Omit<RegSpec, 'mask' | 'reset' | 'banked'>): RegSpec {
  return { ...spec, mask: 0, access: spec.access ?? (spec.read && spec.write ? 'rw' : spec.read ? 'r' : 'w') }
}

/** Where an access to element `i` of a word-register block lands: [the CPU whose view, word], or nowhere (RAZ/WI). */
export type WordAt = (i: number, cpu: number) => readonly [cpu: number, w: number] | null

export interface InterruptRegsOptions {
  /** 'GICD_' or 'GICR_' */
  prefix: string
  /** '' for the distributor's arrays (GICD_ISENABLER<n>), '0' for a redistributor's (GICR_ISENABLER0) */
  suffix: string
  /** offset of the block: 0 in the distributor, 0x10000 (SGI_base) in a redistributor */
  base: number
  /** word registers per kind: every word in a distributor, 1 in a redistributor */
  words: number
  at: WordAt
  /** GICv2 (IHI 0048B, GICD_ISENABLERn..GICD_ICPENDRn): SGI enable and pending bits are read-only there */
  sgiBitsFixed: boolean
}

/**
 * The per-interrupt registers, laid out alike in a GIC distributor (IHI 0048B's and IHI 0069's
 * distributor register maps) and a GICv3 redistributor's SGI_base frame: IGROUPR, IS/ICENABLER,
 * IS/ICPENDR, IS/ICACTIVER (write 1 to set / to clear, both reading the state), IPRIORITYR (a
 * byte per interrupt) and ICFGR (two bits per interrupt).
 */
export function interruptRegs(core: GicCore, o: InterruptRegsOptions): RegSpec[] {
  const c = core
  const name = (n: string) => `${o.prefix}${n}${o.suffix}`
  const noSgi = (w: number, x: number) => (o.sgiBitsFixed && w === 0 ? x & ~0xffff : x)
  const word = (n: string, offset: number, read: (cpu: number, w: number) => number, change?: (cpu: number, w: number, x: number) => void) => view({
    name: name(n), offset: o.base + offset, count: o.words,
    read: (_, i, cpu) => { const a = o.at(i, cpu); return a ? read(a[0], a[1]) & c.validBits(a[1]) : 0 },
    write: change && ((_v, _o, x, i, cpu) => { const a = o.at(i, cpu); if (a) { change(a[0], a[1], x); c.update() } }),
  })
  const pair = (n: string, offset: number, map: Uint32Array, read: (cpu: number, w: number) => number, fixed: boolean) => [
    word(`IS${n}`, offset, read, (cpu, w, x) => c.change(map, cpu, w, fixed ? noSgi(w, x) : x, true)),
    word(`IC${n}`, offset + 0x80, read, (cpu, w, x) => c.change(map, cpu, w, fixed ? noSgi(w, x) : x, false)),
  ]
  /** an element of a per-interrupt array (`per` elements a word) as [cpu, element in that CPU's view], or null */
  const elem = (i: number, cpu: number, per: number): readonly [number, number] | null => {
    const a = o.at(Math.floor(i / per), cpu)
    return a ? [a[0], a[1] * per + (i % per)] : null
  }
  return [
    word('IGROUPR', 0x080, (cpu, w) => c.group[c.at(cpu, w)]!, (cpu, w, x) => { c.change(c.group, cpu, w, ~0, false); c.change(c.group, cpu, w, x, true) }),
    ...pair('ENABLER', 0x100, c.enabled, (cpu, w) => c.enabled[c.at(cpu, w)]!, true),
    ...pair('PENDR', 0x200, c.pending, (cpu, w) => c.pendingWord(cpu, w), true),
    ...pair('ACTIVER', 0x300, c.active, (cpu, w) => c.active[c.at(cpu, w)]!, false),
    view({
      name: `${o.prefix}IPRIORITYR`, offset: o.base + 0x400, width: 1, count: 32 * o.words,
      read: (_, i, cpu) => { const a = elem(i, cpu, 32); return a && c.exists(a[1]) ? c.prio(a[0], a[1]) : 0 },
      write: (_v, _o, x, i, cpu) => { const a = elem(i, cpu, 32); if (a) { c.setPrio(a[0], a[1], x); c.update() } },
    }),
    view({
      name: `${o.prefix}ICFGR`, offset: o.base + 0xc00, count: 2 * o.words,
      read: (_, k, cpu) => { const a = elem(k, cpu, 2); return a ? c.icfgr(a[0], a[1]) : 0 },
      write: (_v, _o, x, k, cpu) => { const a = elem(k, cpu, 2); if (a) { c.setIcfgr(a[0], a[1], x); c.update() } },
    }),
  ]
}

/**
 * The CoreSight identification block at the end of a GIC frame — PIDR4..7, PIDR0..3, CIDR0..3,
 * one byte each in a word (the identification registers of IHI 0048B and IHI 0069) — from `at`: 0xfd0 in a 4 KiB
 * GICv2 distributor, 0xffd0 in a 64 KiB GICv3 frame.
 */
export function idRegisters(prefix: string, values: readonly number[], at: number): RegSpec[] {
  const block = (name: string, offset: number, v: readonly number[]): RegSpec =>
    view({ name: `${prefix}${name}`, offset, count: 4, read: (_, i) => v[i]! })
  return [block('PIDR4-7', at, values.slice(0, 4)), block('PIDR0-3', at + 0x10, values.slice(4, 8)), block('CIDR0-3', at + 0x20, values.slice(8, 12))]
}

/** Each CPU's interrupt inputs the GIC drives, by the names the A64 harts give them. */
export function cpuLines(ctx: DeviceContext): { irq: IrqLine[]; fiq: IrqLine[] } {
  const irq: IrqLine[] = []
  const fiq: IrqLine[] = []
  for (let c = 0; c < ctx.cpus; c++) {
    irq.push(ctx.cpuLine(c, 'irq'))
    fiq.push(ctx.cpuLine(c, 'fiq'))
  }
  return { irq, fiq }
}

/**
 * The input wires: `irqInput(n)` for SPI `n` (the board's `{ to, input }` wiring), `ppi(cpu, n)`
 * for CPU `cpu`'s PPI `n` (16..31: the generic timers, the GIC maintenance interrupt), one line
 * object per wire so a source may keep it.
 */
export class GicInputs {
  private readonly spis = new Map<number, IrqLine>()
  private readonly ppis = new Map<number, IrqLine>()

  constructor(private readonly core: GicCore, private readonly name: string) {}

  spi(n: number): IrqLine {
    const c = this.core
    if (!Number.isInteger(n) || n < PRIVATE || !c.exists(n)) {
      throw new Error(`${this.name}: no SPI ${n} (valid: ${PRIVATE}..${Math.min(c.lines, FIRST_SPECIAL) - 1}; PPIs are inputs through ppi(cpu, n))`)
    }
    let line = this.spis.get(n)
    if (!line) this.spis.set(n, (line = { set: (level: boolean) => c.setLevel(0, n, level) }))
    return line
  }

  ppi(cpu: number, n: number): IrqLine {
    const c = this.core
    if (!Number.isInteger(n) || n < SGIS || n >= PRIVATE) throw new Error(`${this.name}: no PPI ${n} (valid: ${SGIS}..${PRIVATE - 1})`)
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= c.cpus) throw new Error(`${this.name}: no CPU ${cpu} (the GIC has ${c.cpus})`)
    const key = cpu * PRIVATE + n
    let line = this.ppis.get(key)
    if (!line) this.ppis.set(key, (line = { set: (level: boolean) => c.setLevel(cpu, n, level) }))
    return line
  }
}
