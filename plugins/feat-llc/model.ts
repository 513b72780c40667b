/**
 * The LLC model of one machine (llc.ts), fed by its bus: every guest load and store a hart makes
 * (the bus is observed, so none takes the CPUs' fast path), charged to the VM running on that
 * hart — or to the hart itself (as owner `-1 - hart`) where no hypervisor runs. Under a
 * hypervisor a miss also stalls the hart for the board's `llcMissCycles`: time passes, no
 * instruction retires, so a VM's own clock shows what another VM's evictions cost it.
 */
import type { BoardDesc } from '../../core/board.ts'
import type { BusObserver, LineTracking, MemoryBus } from '../../core/bus.ts'
import type { Hypervisor } from '../../core/hypervisor/hypervisor.ts'
import { HIT, Llc, type OwnerCounts } from './llc.ts'

export class LlcModel {
  readonly llc: Llc
  /** the hypervisor whose VMs own the accesses, once one boots on this machine */
  hv: Hypervisor | null = null

  constructor(readonly board: BoardDesc) {
    this.llc = new Llc(board.caches!.llc!)
    this.missCycles = board.caches!.llcMissCycles ?? 0
    this.lines = {
      lineBytes: this.llc.lineBytes,
      sets: this.llc.sets,
      // reported before any flush of the hart's TLB (every trap): the VM on it is the one that made them
      hits: (cpu, n) => { this.llc.countHits(this.owner(cpu), n) },
    }
  }

  readonly observe: BusObserver = (_kind, pa, _size, _value, cpu) => {
    if (cpu < 0) return // the host (image loading, the API): not a guest access
    const hv = this.hv
    // a miss costs the hart the board's memory latency: its own clock shows the interference
    if (this.llc.access(pa, this.owner(cpu)) !== HIT && hv) hv.machine.cpus[cpu]?.stall(this.missCycles)
  }
  private readonly missCycles: number

  /**
   * Line tracking (core/bus.ts LineTracking): a hart may serve accesses to the line an access
   * just made the newest of its set through a line entry, translated code inline, and report them
   * in bulk here as hits — exact for true LRU, where touching the newest line again moves nothing.
   */
  readonly lines: LineTracking

  /** who an access of hart `cpu` is charged to: the VM on it, or the hart itself (`-1 - cpu`) */
  private owner(cpu: number): number {
    const v = this.hv?.onCpu[cpu]
    return v ? v.vm.id : -1 - cpu
  }

  /** per VM (by name; `hart N` without a hypervisor): accesses, hits, misses, lines other VMs evicted */
  stats(): Record<string, OwnerCounts & { missRate: number }> {
    const out: Record<string, OwnerCounts & { missRate: number }> = {}
    for (const [owner, c] of this.llc.stats()) {
      const name = owner >= 0 ? (this.hv?.vms.find((v) => v.id === owner)?.name ?? `VM ${owner}`) : `hart ${-1 - owner}`
      out[name] = { ...c, missRate: c.accesses ? c.misses / c.accesses : 0 }
    }
    return out
  }
}

const models = new WeakMap<MemoryBus, LlcModel>()

/** the model on `bus`, if the feature is on for its machine */
export function llcOn(bus: MemoryBus): LlcModel | undefined {
  return models.get(bus)
}

/** the bus observer factory: a model per machine whose board describes an LLC, tracking lines for the CPUs */
export function attach(bus: MemoryBus, board: BoardDesc): { observer: BusObserver; lines: LineTracking } | null {
  if (!board.caches?.llc) return null
  const m = new LlcModel(board)
  models.set(bus, m)
  return { observer: m.observe, lines: m.lines }
}
