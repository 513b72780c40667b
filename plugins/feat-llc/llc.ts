/**
 * A shared last-level cache, as the interference cache colouring removes needs it: physically
 * indexed and tagged, the board's sets × ways × line, shared by every hart, true LRU within a set
 * (each line keeps the tick of its last use; a miss fills an empty way, else evicts the way used
 * longest ago — the lowest way on a tie, which only empty ways can have). Each line remembers
 * which owner (a VM) brought it in, so the model counts, per owner, accesses, hits, misses and
 * the lines of its that another owner's miss evicted. Data accesses only: instruction fetches
 * are not modelled (decoded pages are fetched once, not per instruction).
 */
import type { CacheLevel } from '../../core/board.ts'

/** what one access did: a hit, or a miss that filled an empty way, evicted a line of its own owner, or another owner's */
export const HIT = 0, MISS_EMPTY = 1, MISS_OWN = 2, MISS_OTHER = 3

export interface OwnerCounts {
  accesses: number
  hits: number
  misses: number
  /** lines of this owner that another owner's miss evicted */
  evictedByOthers: number
}

export class Llc {
  readonly sets: number
  readonly ways: number
  readonly lineBytes: number
  /** per way of each set (set × ways + way): the line number (pa / line) held, -1 empty */
  private readonly line: Float64Array
  private readonly owner: Int32Array
  private readonly used: Float64Array
  private tick = 0
  private readonly counts = new Map<number, OwnerCounts>()
  /** set and way of the last access's line (tests, traces) */
  lastSet = 0
  lastWay = 0
  /** the owner whose line the last miss evicted, or -1 */
  lastVictim = -1

  constructor(g: CacheLevel) {
    if (!(g.sizeBytes > 0 && g.ways > 0 && g.lineBytes > 0)) throw new Error(`LLC geometry ${JSON.stringify(g)}: sizes and ways must be positive`)
    this.sets = g.sizeBytes / (g.ways * g.lineBytes)
    if (!Number.isInteger(this.sets) || this.sets < 1) throw new Error(`LLC geometry ${JSON.stringify(g)}: size is not a whole number of sets`)
    this.ways = g.ways
    this.lineBytes = g.lineBytes
    this.line = new Float64Array(this.sets * this.ways).fill(-1)
    this.owner = new Int32Array(this.sets * this.ways).fill(-1)
    this.used = new Float64Array(this.sets * this.ways)
  }

  /** One access to physical address `pa` by `owner`; what it did (HIT, MISS_*). */
  access(pa: number, owner: number): number {
    const ln = Math.floor(pa / this.lineBytes)
    const set = ln % this.sets
    const base = set * this.ways
    const c = this.countsOf(owner)
    c.accesses++
    this.tick++
    this.lastSet = set
    this.lastVictim = -1
    let victim = base
    for (let w = base; w < base + this.ways; w++) {
      if (this.line[w] === ln) {
        this.used[w] = this.tick
        c.hits++
        this.lastWay = w - base
        return HIT
      }
      if (this.used[w]! < this.used[victim]!) victim = w
    }
    c.misses++
    this.lastWay = victim - base
    const prev = this.owner[victim]!
    const empty = this.line[victim] === -1
    this.line[victim] = ln
    this.owner[victim] = owner
    this.used[victim] = this.tick
    if (empty) return MISS_EMPTY
    this.lastVictim = prev
    if (prev === owner) return MISS_OWN
    this.countsOf(prev).evictedByOthers++
    return MISS_OTHER
  }

  /** one owner's counters (live, not a copy), if it made an access since the last reset */
  ownerCounts(owner: number): Readonly<OwnerCounts> | undefined {
    return this.counts.get(owner)
  }

  /** the counters of every owner seen since the last reset */
  stats(): Map<number, OwnerCounts> {
    return new Map([...this.counts].map(([k, v]) => [k, { ...v }]))
  }

  /** empty the cache and the counters */
  reset(): void {
    this.flush()
    this.resetCounts()
  }

  /** empty the cache: every line invalid (the counters stay) */
  flush(): void {
    this.line.fill(-1)
    this.owner.fill(-1)
    this.used.fill(0)
    this.tick = 0
  }

  /** zero the counters, keeping what the cache holds (to count from a warm state on) */
  resetCounts(): void {
    this.counts.clear()
  }

  private countsOf(owner: number): OwnerCounts {
    let c = this.counts.get(owner)
    if (!c) {
      c = { accesses: 0, hits: 0, misses: 0, evictedByOthers: 0 }
      this.counts.set(owner, c)
    }
    return c
  }
}
