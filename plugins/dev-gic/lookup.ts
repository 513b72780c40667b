/**
 * How a CPU plugin reaches the GIC. Its harts are made before the board's devices and get only a
 * `HartHost` (core/arch.ts), whose bus maps the GIC: the lookups below find it there, by what it
 * offers (`gicVersion`, `ppi`) rather than by class, so an instance made by a hot-reloaded
 * dev-gic is found too. They look again at every use, since hot reload swaps the handler behind
 * the bus region: a CPU plugin keeps the objects returned here, never the GIC itself.
 *
 * - the generic timer drives PPIs through `ppiLine(bus, cpu, 27)` (virtual), 30 (physical),
 *   26 (EL2 physical);
 * - MRS/MSR of ICC_* registers go to `gicCpuInterface(bus)` when `findGic(bus)?.gicVersion === 3`
 *   (with a GICv2, or no GIC, those encodings are UNDEFINED: ICC_SRE_EL1.SRE reads as zero);
 * - the GIC drives each hart's 'irq' and 'fiq' inputs itself (`ctx.hartLine`).
 */
import type { MmioRegion } from '../../core/bus.ts'
import type { IrqLine } from '../../core/irq.ts'
import type { IccSysreg } from './icc.ts'

/** What both GIC devices offer the CPUs besides MMIO. */
export interface GicPorts {
  readonly gicVersion: 2 | 3
  /** CPU `cpu`'s PPI `n` (16..31) */
  ppi(cpu: number, n: number): IrqLine
}

/** The GICv3 CPU interface: ICC_* system registers by name, for CPU (hart) `cpu`. */
export interface GicCpuInterface {
  readSysreg(cpu: number, name: IccSysreg): bigint
  writeSysreg(cpu: number, name: IccSysreg, value: bigint): void
}

export type FoundGic = (GicPorts & { readonly gicVersion: 2 }) | (GicPorts & GicCpuInterface & { readonly gicVersion: 3 })

/** What the lookups need of a bus (a MemoryBus). */
export interface GicBus {
  readonly mmio: readonly MmioRegion[]
}

function isGic(h: unknown): h is FoundGic {
  if (typeof h !== 'object' || h === null) return false
  const g = h as Partial<GicPorts & GicCpuInterface>
  if (typeof g.ppi !== 'function') return false
  return g.gicVersion === 2 || (g.gicVersion === 3 && typeof g.readSysreg === 'function' && typeof g.writeSysreg === 'function')
}

/** The GIC mapped on `bus` now (the first one, by address), or null. */
export function findGic(bus: GicBus): FoundGic | null {
  for (const r of bus.mmio) if (isGic(r.handler)) return r.handler
  return null
}

/** CPU `cpu`'s PPI `n` on whichever GIC `bus` maps at each edge; nothing happens while it maps none. */
export function ppiLine(bus: GicBus, cpu: number, n: number): IrqLine {
  return { set: (level) => findGic(bus)?.ppi(cpu, n).set(level) }
}

/**
 * The ICC_* registers of whichever GICv3 `bus` maps at each access; with none, reads give 0 and
 * writes are ignored (the CPU plugin should have raised UNDEFINED: see the header).
 */
export function gicCpuInterface(bus: GicBus): GicCpuInterface {
  const v3 = () => {
    const g = findGic(bus)
    return g?.gicVersion === 3 ? g : null
  }
  return {
    readSysreg: (cpu, name) => v3()?.readSysreg(cpu, name) ?? 0n,
    writeSysreg: (cpu, name, value) => v3()?.writeSysreg(cpu, name, value),
  }
}
