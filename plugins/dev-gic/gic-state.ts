/**
 * The GIC state (gic.ts) as sessions and hot reload keep it: plain JSON, one list per bitmap or
 * per-CPU array, checked against the geometry of the GIC restoring it (CPUs, interrupts) before
 * anything changes — a state saved on another board is refused, not reshaped.
 */
import { checkState, stateNum } from '../../core/state-check.ts'
import { z } from 'zod'
import { CTLR_MASK, type GicCore } from './gic.ts'

export interface GicCoreState {
  distCtlr: number
  enabled: number[]
  pending: number[]
  active: number[]
  group: number[]
  edge: number[]
  level: number[]
  priority: number[]
  sgiSources: number[]
  cpuCtlr: number[]
  pmr: number[]
  bpr0: number[]
  bpr1: number[]
  apr0: number[]
  apr1: number[]
}

const LISTS = ['enabled', 'pending', 'active', 'group', 'edge', 'level', 'priority', 'sgiSources', 'cpuCtlr', 'pmr', 'bpr0', 'bpr1', 'apr0', 'apr1'] as const

export function snapshotCore(c: GicCore): GicCoreState {
  const s = { distCtlr: c.distCtlr } as GicCoreState
  for (const f of LISTS) s[f] = Array.from(c[f])
  return s
}

/** The shape of a saved state for `c`'s geometry. */
function schema(c: GicCore) {
  const list = <T extends z.ZodTypeAny>(item: T, len: number, what: string) =>
    z.array(item).length(len, `must list ${len} ${what} (this GIC's geometry)`)
  const bits = list(stateNum.u32, c.enabled.length, 'words')
  const perCpu = <T extends z.ZodTypeAny>(item: T) => list(item, c.cpus, 'values, one per CPU')
  const bpr = (min: number) => z.number().int().min(min, `must be a binary point from ${min} to 7`).max(7, `must be a binary point from ${min} to 7`)
  return z.object({
    distCtlr: z.number().int().min(0, 'must be 0..3 (EnableGrp0, EnableGrp1)').max(3, 'must be 0..3 (EnableGrp0, EnableGrp1)'),
    enabled: bits, pending: bits, active: bits, group: bits, edge: bits, level: bits,
    priority: list(stateNum.u8, c.priority.length, 'priorities'),
    sgiSources: list(stateNum.u8, c.sgiSources.length, 'SGI source masks'),
    cpuCtlr: perCpu(stateNum.u32.refine((v) => (v & ~CTLR_MASK) === 0, 'has bits GICC_CTLR does not implement')),
    pmr: perCpu(stateNum.u8), bpr0: perCpu(bpr(0)), bpr1: perCpu(bpr(1)),
    apr0: list(stateNum.u32, c.apr0.length, 'active-priority words'),
    apr1: list(stateNum.u32, c.apr1.length, 'active-priority words'),
  }).strict()
}

/** `state` as `c` would restore it; throws StateError at `path`.field for one it would refuse. */
export function checkCore(c: GicCore, state: unknown, path: string): GicCoreState {
  return checkState(schema(c), state, path) as GicCoreState
}

/** Takes back a checked state (`checkCore`); the caller drives the outputs afterwards (`update(true)`). */
export function restoreCore(c: GicCore, s: GicCoreState): void {
  c.distCtlr = s.distCtlr
  for (const f of LISTS) c[f].set(s[f])
}
