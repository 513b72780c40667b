/**
 * A VM's stage-2 map (Bao's per-VM address space): guest-physical windows backed by host RAM,
 * by a passed-through device, or by an emulated device whose accesses the hypervisor serves.
 * The architecture plugin consults it on every TLB miss with V=1 (RISC-V G-stage, Arm stage 2);
 * anything outside it is a stage-2 fault, which stops the VM (fault containment).
 */
import type { MmioHandler } from '../bus.ts'

export const S2_R = 1, S2_W = 2, S2_X = 4

export interface Stage2Entry {
  gpa: number
  size: number
  /** host-physical address of gpa (RAM or device); unused when `handler` is set */
  pa: number
  perm: number
  kind: 'ram' | 'device' | 'ipc' | 'emulated'
  name: string
  /** emulated devices: served by the hypervisor, offsets from `gpa` */
  handler?: MmioHandler
}

export class Stage2Map {
  readonly entries: Stage2Entry[] = []
  /** the last hit, since accesses cluster */
  private last: Stage2Entry | undefined

  map(e: Stage2Entry): void {
    for (const o of this.entries) {
      if (e.gpa < o.gpa + o.size && o.gpa < e.gpa + e.size) {
        throw new Error(`stage-2: ${e.name} at 0x${e.gpa.toString(16)} overlaps ${o.name} at 0x${o.gpa.toString(16)}`)
      }
    }
    this.entries.push(e)
    this.entries.sort((a, b) => a.gpa - b.gpa)
  }

  unmap(gpa: number): Stage2Entry | undefined {
    const i = this.entries.findIndex((e) => e.gpa === gpa)
    if (i < 0) return undefined
    this.last = undefined
    return this.entries.splice(i, 1)[0]
  }

  /**
   * Remove [gpa, gpa+size) from the map, splitting entries that straddle its ends (a parent
   * donating part of a region). Returns the removed pieces.
   */
  unmapRange(gpa: number, size: number): Stage2Entry[] {
    const end = gpa + size
    const removed: Stage2Entry[] = []
    const keep: Stage2Entry[] = []
    for (const e of this.entries) {
      const eEnd = e.gpa + e.size
      if (eEnd <= gpa || e.gpa >= end) { keep.push(e); continue }
      if (e.gpa < gpa) keep.push({ ...e, size: gpa - e.gpa })
      if (eEnd > end) keep.push({ ...e, gpa: end, size: eEnd - end, pa: e.pa + (end - e.gpa) })
      const lo = Math.max(e.gpa, gpa), hi = Math.min(eEnd, end)
      removed.push({ ...e, gpa: lo, size: hi - lo, pa: e.pa + (lo - e.gpa) })
    }
    this.entries.length = 0
    this.entries.push(...keep.sort((a, b) => a.gpa - b.gpa))
    this.last = undefined
    return removed
  }

  /** Map `e` and merge it with neighbours that continue it (same kind, permissions, contiguous). */
  mapMerged(e: Stage2Entry): void {
    this.map(e)
    const out: Stage2Entry[] = []
    for (const x of this.entries) {
      const p = out[out.length - 1]
      if (p && !p.handler && !x.handler && p.kind === x.kind && p.perm === x.perm && p.gpa + p.size === x.gpa && p.pa + p.size === x.pa) {
        out[out.length - 1] = { ...p, size: p.size + x.size }
      } else out.push(x)
    }
    this.entries.length = 0
    this.entries.push(...out)
    this.last = undefined
  }

  lookup(gpa: number): Stage2Entry | undefined {
    const l = this.last
    if (l && gpa >= l.gpa && gpa < l.gpa + l.size) return l
    for (const e of this.entries) {
      if (gpa >= e.gpa && gpa < e.gpa + e.size) {
        this.last = e
        return e
      }
    }
    return undefined
  }
}
