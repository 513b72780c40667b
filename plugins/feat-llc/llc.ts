/**
 * A shared last-level cache, as the interference cache colouring removes needs it: physically
 * indexed and tagged, the board's sets × ways × line, shared by every hart, true LRU within a set
 * (each line keeps the tick of its last use; a miss fills an empty way, else evicts the way used
 * longest ago — the lowest way on a tie, which only empty ways can have). Each line remembers
 * which owner (a VM) brought it in, so the model counts, per owner, accesses, hits, misses and
 * the lines of its that another owner's miss evicted. Data accesses only: instruction fetches
 * are not modelled (decoded pages are fetched once, not per instruction).
 */
import { z } from 'zod'
import type { CacheLevel } from '../../core/board.ts'
import { StateError, checkState, stateNum } from '../../core/state-check.ts'

/** what one access did: a hit, or a miss that filled an empty way, evicted a line of its own owner, or another owner's */
export const HIT = 0, MISS_EMPTY = 1, MISS_OWN = 2, MISS_OTHER = 3

export interface OwnerCounts {
  accesses: number
  hits: number
  misses: number
  /** lines of this owner that another owner's miss evicted */
  evictedByOthers: number
}

/**
 * The cache as a session keeps it: its geometry (refused if the board's differs), the LRU clock,
 * every valid way as [index (set × ways + way), line, owner, last use], and the counters as
 * [owner, accesses, hits, misses, evictedByOthers]. Empty ways are left out.
 */
const llcState = z.object({
  sets: stateNum.count,
  ways: stateNum.count,
  lineBytes: stateNum.count,
  tick: stateNum.count,
  lines: z.array(z.tuple([stateNum.count, stateNum.count, stateNum.int32, stateNum.count])),
  counts: z.array(z.tuple([stateNum.int32, stateNum.count, stateNum.count, stateNum.count, stateNum.count])),
}).strict()
export type LlcState = z.infer<typeof llcState>

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

  /** `n` accesses of `owner` that hit the newest line of their set (served without a lookup: nothing else changes) */
  countHits(owner: number, n: number): void {
    const c = this.countsOf(owner)
    c.accesses += n
    c.hits += n
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

  snapshot(): LlcState {
    const lines: LlcState['lines'] = []
    for (let i = 0; i < this.line.length; i++) if (this.line[i]! >= 0) lines.push([i, this.line[i]!, this.owner[i]!, this.used[i]!])
    const counts: LlcState['counts'] = [...this.counts].map(([o, c]) => [o, c.accesses, c.hits, c.misses, c.evictedByOthers])
    return { sets: this.sets, ways: this.ways, lineBytes: this.lineBytes, tick: this.tick, lines, counts }
  }

  /** Take back what `snapshot` gave; a StateError (and nothing changed) for anything it could not have given. */
  restore(state: unknown): void {
    const s = checkState(llcState, state)
    for (const k of ['sets', 'ways', 'lineBytes'] as const) {
      if (s[k] !== this[k]) throw new StateError(k, `is ${s[k]}, but this board's LLC has ${this[k]}`)
    }
    const seen = new Set<number>()
    s.lines.forEach(([i, ln, , used], n) => {
      if (i >= this.line.length) throw new StateError(`lines[${n}][0]`, `way index ${i} is beyond the cache's ${this.line.length} ways`)
      if (seen.has(i)) throw new StateError(`lines[${n}][0]`, `way ${i} appears twice`)
      seen.add(i)
      if (ln % this.sets !== Math.floor(i / this.ways)) throw new StateError(`lines[${n}][1]`, `line ${ln} does not belong to set ${Math.floor(i / this.ways)}`)
      if (used > s.tick) throw new StateError(`lines[${n}][3]`, `last use ${used} is after the clock (${s.tick})`)
    })
    s.counts.forEach(([, accesses, hits, misses], n) => {
      if (hits + misses !== accesses) throw new StateError(`counts[${n}]`, 'hits + misses must equal accesses')
    })
    this.flush()
    this.resetCounts()
    for (const [i, ln, owner, used] of s.lines) {
      this.line[i] = ln
      this.owner[i] = owner
      this.used[i] = used
    }
    this.tick = s.tick
    for (const [o, accesses, hits, misses, evictedByOthers] of s.counts) this.counts.set(o, { accesses, hits, misses, evictedByOthers })
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
