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
