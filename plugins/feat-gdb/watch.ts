/**
 * Watchpoints (Z2 write, Z3 read, Z4 access) on guest-virtual ranges. A range is translated to
 * the physical pages behind it when GDB sets it (through the thread's translation at that
 * moment, as a hardware watchpoint on a physically-tagged debug unit would be), and watched with
 * a bus observer while any is set (the CPUs' accesses then take the slow path). Only accesses by
 * the target's own threads count: another VM sharing the page (an IPC window) does not stop this
 * one, as a core's watchpoint sees only that core's accesses.
 */
import type { Cpu } from '../../core/arch.ts'
import type { MemoryBus } from '../../core/bus.ts'

export type WatchKind = 'watch' | 'rwatch' | 'awatch'

/** the Z packet type of each kind (Z2, Z3, Z4) */
export const WATCH_OF_Z: Record<number, WatchKind> = { 2: 'watch', 3: 'rwatch', 4: 'awatch' }

interface Watch {
  kind: WatchKind
  va: bigint
  len: number
  ranges: { pa: number; va: bigint; len: number }[]
}

export interface WatchHit {
  kind: WatchKind
  /** the guest-virtual address accessed (within the watched range) */
  addr: bigint
}

export class Watches {
  private list: Watch[] = []
  private unobserve: (() => void) | null = null
  /** the first access that matched since the last `take` */
  private hit: WatchHit | null = null

  /** `mine(cpu)`: whether that CPU (by id) runs one of the target's threads now */
  constructor(private readonly bus: MemoryBus, private readonly cpus: readonly Cpu[], private readonly mine: (cpu: Cpu) => boolean) {}

  get active(): boolean {
    return this.list.length > 0
  }

  add(kind: WatchKind, va: bigint, len: number, ranges: Watch['ranges']): void {
    this.list.push({ kind, va, len, ranges })
    this.sync()
  }

  /** remove the watchpoint GDB set with the same kind, address and length; false when there is none */
  remove(kind: WatchKind, va: bigint, len: number): boolean {
    const i = this.list.findIndex((w) => w.kind === kind && w.va === va && w.len === len)
    if (i < 0) return false
    this.list.splice(i, 1)
    this.sync()
    return true
  }

  clear(): void {
    this.list = []
    this.hit = null
    this.sync()
  }

  /** the pending hit, once */
  take(): WatchHit | null {
    const h = this.hit
    this.hit = null
    return h
  }

  private sync(): void {
    if (!this.list.length) {
      this.unobserve?.()
      this.unobserve = null
    } else if (!this.unobserve) {
      this.unobserve = this.bus.observe((kind, pa, size, _value, cpuId) => this.access(kind, pa, size, cpuId))
    }
  }

  private access(kind: 'r' | 'w', pa: number, size: number, cpuId: number): void {
    if (this.hit || cpuId < 0) return
    const cpu = this.cpus[cpuId]
    if (!cpu || !this.mine(cpu)) return
    for (const w of this.list) {
      if (w.kind === 'watch' ? kind !== 'w' : w.kind === 'rwatch' ? kind !== 'r' : false) continue
      for (const r of w.ranges) {
        if (pa + size <= r.pa || pa >= r.pa + r.len) continue
        this.hit = { kind: w.kind, addr: r.va + BigInt(Math.max(pa, r.pa) - r.pa) }
        // finish the instruction, then stop: the stub looks after every instruction while watching
        cpu.breakOut()
        return
      }
    }
  }
}
