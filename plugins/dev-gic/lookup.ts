/**
 * How a CPU plugin reaches the GIC. Its harts are made before the board's devices and get only a
 * `CpuHost` (core/arch.ts), whose bus maps the GIC: the lookups below find it there, by what it
 * offers (`gicVersion`, `ppi`) rather than by class, so an instance made by a hot-reloaded
 * dev-gic is found too. They look again at every use, since hot reload swaps the handler behind
 * the bus region: a CPU plugin keeps the objects returned here, never the GIC itself.
 *
 * - the generic timer drives PPIs through `ppiLine(bus, cpu, 27)` (virtual), 30 (physical),
 *   26 (EL2 physical);
 * - MRS/MSR of GIC system registers (ICC_*, and the hypervisor's ICH_*) go to
 *   `gicCpuInterface(bus)` when `findGic(bus)?.gicVersion === 3` (with a GICv2, or no GIC, those
 *   encodings are UNDEFINED: ICC_SRE_EL1.SRE reads as zero). A guest's access at EL1 that
 *   HCR_EL2.IMO/FMO route to EL2 is an ICV_ access: `readSysreg(cpu, 'ICC_IAR1_EL1', { virtual:
 *   true })` — icc.ts's header gives the steps (`iccSysregAt`, `iccRoute`);
 * - the GIC drives each hart's 'irq' and 'fiq' inputs itself (`ctx.cpuLine`), and its virtual
 *   CPU interface drives 'virq' and 'vfiq' (GICv3 always; GICv2 when its window has GICH/GICV);
 * - a GICv2's virtualization frames are plain MMIO in its window: the hypervisor on pCPU c
 *   programs c's list registers with `bus.write(GICH + offset, 4, value, c)` (gicv2-virt.ts).
 */
import type { MmioRegion } from '../../core/bus.ts'
import type { IrqLine } from '../../core/irq.ts'
import type { IccSysreg } from './icc.ts'

// the decode a CPU plugin needs for MRS/MSR (icc.ts's header), so that lookup.ts is all it imports
export { iccRoute, iccSysregAt, type IccSysreg, type IccSysregInfo } from './icc.ts'

/** What both GIC devices offer the CPUs besides MMIO. */
export interface GicPorts {
  readonly gicVersion: 2 | 3
  /** CPU `cpu`'s PPI `n` (16..31) */
  ppi(cpu: number, n: number): IrqLine
}

/** How a system register access is made. */
export interface SysregAccess {
  /** an ICV_ access: EL1 with HCR_EL2.IMO/FMO routing this ICC_ register to EL2 (icc.ts `iccRoute` says 'icv') */
  virtual?: boolean
}

/** The GICv3 CPU interface: ICC_* (and ICH_*) system registers by name, for CPU (hart) `cpu`. */
export interface GicCpuInterface {
  readSysreg(cpu: number, name: IccSysreg, opts?: SysregAccess): bigint
  writeSysreg(cpu: number, name: IccSysreg, value: bigint, opts?: SysregAccess): void
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
    readSysreg: (cpu, name, opts) => v3()?.readSysreg(cpu, name, opts) ?? 0n,
    writeSysreg: (cpu, name, value, opts) => v3()?.writeSysreg(cpu, name, value, opts),
  }
}
