/**
 * The virtualization extensions' state (vgic.ts) as sessions and hot reload keep it: per CPU the
 * virtual interface control (HCR), the virtual machine control (VMCR), the active priorities and
 * the list registers, each checked against what the register could hold — a value no write
 * could have left there is refused, not cleaned up — before anything changes.
 */
import { checkState, stateNum } from '../../core/state-check.ts'
import { z } from 'zod'
import { LIST_REGS } from './list-registers.ts'
import type { VirtualInterface } from './vgic.ts'

export interface VirtualInterfaceState {
  /** GICH_HCR / ICH_HCR_EL2 per CPU */
  hcr: number[]
  /** GICH_VMCR / ICH_VMCR_EL2 per CPU (the same layout) */
  vmcr: number[]
  /** GICH_APR / ICH_AP0R0_EL2, and ICH_AP1R0_EL2 (0 on GICv2), per CPU */
  apr0: number[]
  apr1: number[]
  /** list registers, CPU-major (CPU c's LR n at c * 4 + n): low and high words (GICv2: high 0) */
  lrLo: number[]
  lrHi: number[]
}

export function snapshotVirtual(v: VirtualInterface): VirtualInterfaceState {
  return {
    hcr: Array.from(v.hcr), vmcr: Array.from(v.vmcr), apr0: Array.from(v.apr0), apr1: Array.from(v.apr1),
    lrLo: Array.from(v.lrs.lo), lrHi: Array.from(v.lrs.hi),
  }
}

function schema(v: VirtualInterface) {
  const { maskLo, maskHi } = v.lrs
  const reg = (what: string, ok: (x: number) => boolean) => stateNum.u32.refine(ok, `is not a value ${what} can hold`)
  const perCpu = (item: z.ZodTypeAny) => z.array(item).length(v.cpus, `must list ${v.cpus} values, one per CPU (this GIC's geometry)`)
  const perLr = (item: z.ZodTypeAny) => z.array(item).length(v.cpus * LIST_REGS, `must list ${v.cpus * LIST_REGS} words, ${LIST_REGS} list registers per CPU`)
  const v3 = v.version === 3
  return z.object({
    hcr: perCpu(reg(v3 ? 'ICH_HCR_EL2' : 'GICH_HCR', (x) => v.hcrValue(x) === x)),
    vmcr: perCpu(reg(v3 ? 'ICH_VMCR_EL2' : 'GICH_VMCR', (x) => v.vmcrValue(x) === x)),
    apr0: perCpu(stateNum.u32),
    apr1: perCpu(v3 ? stateNum.u32 : reg('GICv2 (no group 1 active priorities of its own)', (x) => x === 0)),
    lrLo: perLr(reg('a list register', (x) => (x & ~maskLo) === 0)),
    lrHi: perLr(reg('a list register', (x) => (x & ~maskHi) === 0)),
  }).strict()
}

/** `state` as `v` would restore it; throws StateError at `path`.field for one it would refuse. */
export function checkVirtual(v: VirtualInterface, state: unknown, path: string): VirtualInterfaceState {
  return checkState(schema(v), state, path) as VirtualInterfaceState
}

/** Takes back a checked state (`checkVirtual`); the caller drives the outputs afterwards (`update(true)`). */
export function restoreVirtual(v: VirtualInterface, s: VirtualInterfaceState): void {
  v.hcr.set(s.hcr)
  v.vmcr.set(s.vmcr)
  v.apr0.set(s.apr0)
  v.apr1.set(s.apr1)
  v.lrs.lo.set(s.lrLo)
  v.lrs.hi.set(s.lrHi)
}
