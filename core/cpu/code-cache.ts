/**
 * Decoded-instruction pages, shared by every CPU on a bus and keyed by arena page: an
 * Int32Array of 2048 slots (one per halfword) × [op word, imm], with the translated regions and
 * visit counts of the same page. Shared by the arch plugins: each arch's decoder fills slots its
 * own way but keeps the rules this file relies on — a word of 0 is a slot not decoded yet, bit 7
 * of the word marks a 2-byte instruction (others are 4 bytes), and bits 30 and 31 are this
 * file's (SLOT_NO_REGION, SLOT_REGION): an execute loop learns from the word it reads anyway
 * whether to look at the page's regions, an array that cold code would otherwise stream through
 * the host's caches at every block.
 *
 * A page is dropped when anything writes its instructions (the bus reports writes to pages
 * flagged in `bus.codePages`; the CPUs' store TLBs never map such pages, so CPU stores to them
 * take the slow path and are reported too). A write beside the instructions — data sharing the page — keeps it: relocated
 * U-Boot writes variables next to its hottest code.
 */
import type { MemoryBus } from '../bus.ts'

/**
 * A translated region's function (an arch's translation tier makes them): CPU state at arena
 * offset `base`, entered at pc (pcLo, pcHi), `el` instructions of the window elapsed and `left`
 * to go; returns the instructions of the window elapsed when it leaves — `el` plus what it and
 * the regions it went on into (through the table and the jump cache, tlb.ts) executed.
 */
export type BlockFn = (base: number, pcLo: number, pcHi: number, el: number, left: number) => number

/** bit 31 of a decoded slot's word: a translated region is entered here (`blocks[page][slot]`) */
export const SLOT_REGION = 1 << 31
/** bit 30 of a decoded slot's word: no region can start here (`blocks[page][slot]` is null) */
export const SLOT_NO_REGION = 1 << 30

interface CpuLike {
  brk: boolean
  tlb: { dropWritesTo(page: number): void; dropJumps(): void }
}

const caches = new WeakMap<MemoryBus, CodeCache>()

export class CodeCache {
  readonly pages: (Int32Array | undefined)[] = []
  /** per page: the translated region function entered at each slot (null = no block can start there) */
  readonly blocks: ((BlockFn | null)[] | undefined)[] = []
  /** per page: the table index of the region function entered at each slot (0 = none) */
  readonly index: (Int32Array | undefined)[] = []
  /** per page: visit counts of slots not yet translated */
  readonly heat: (Uint16Array | undefined)[] = []
  readonly cpus: CpuLike[] = []
  /**
   * Every live region function, so that translated code can go on into another region with
   * `return_call_indirect` instead of returning to JavaScript. Index 0 is never used; the
   * indices of a dropped page's regions are reused, so the table stays as big as the code
   * translated at once, however long the run.
   */
  readonly table = new WebAssembly.Table({ element: 'anyfunc', initial: 64 })
  /** per page: the table indices of its regions */
  private readonly owned: (number[] | undefined)[] = []
  /** what the tier did, for `--stats`: modules compiled, regions, instructions translated, bytes of WebAssembly, ms translating; instructions run in translated code, and how often the execute loop entered it */
  readonly stats = new TierStats()
  private readonly free: number[] = []
  private used = 1

  static of(bus: MemoryBus): CodeCache {
    let c = caches.get(bus)
    if (!c) {
      const cache = new CodeCache(bus)
      caches.set(bus, cache)
      c = cache
    }
    return c
  }

  private constructor(private readonly bus: MemoryBus) {
    bus.onCodeWrite((page, off, size) => {
      const d = this.pages[page]
      // a write beside the code (data sharing its page) leaves the decoded and translated code be
      if (d && !overlapsCode(d, off, size)) return false
      this.drop(page)
      return true
    })
    // translated code looks memory up by pages, or by lines while a cache model tracks them
    // (core/bus.ts LineTracking): made for the other, it would send every access the slow way
    let tracking = bus.lineTracking
    bus.onObservedChange(() => {
      if (bus.lineTracking === tracking) return
      tracking = bus.lineTracking
      for (let p = 0; p < this.pages.length; p++) if (this.pages[p]) this.drop(p)
    })
  }

  /** Forget arena page `page`'s decoded instructions and translated regions. */
  private drop(page: number): void {
    this.pages[page] = undefined
    this.blocks[page] = undefined
    this.index[page] = undefined
    this.heat[page] = undefined
    for (const i of this.owned[page] ?? []) { this.table.set(i, null); this.free.push(i) }
    this.owned[page] = undefined
    for (const h of this.cpus) { h.brk = true; h.tlb.dropJumps() }
  }

  /** The decoded page for arena page `page`, created (empty) on first use. */
  page(page: number): Int32Array {
    // (read past the end only after checking: an out-of-bounds read deoptimises the loops this is inlined into)
    let d = page < this.pages.length ? this.pages[page] : undefined
    if (!d) {
      this.reach(page)
      d = new Int32Array(4096)
      this.pages[page] = d
      // a page's region arrays are made when its first region is (most code pages of a boot never
      // get one: 32 KiB each of garbage); until then they are shared, empty, and never written
      this.blocks[page] = NO_REGIONS
      this.index[page] = NO_INDEX
      this.heat[page] = new Uint16Array(4096)
      if (!this.bus.codePages[page]) {
        this.bus.codePages[page] = 1
        for (const h of this.cpus) h.tlb.dropWritesTo(page)
      }
    }
    return d
  }

  /**
   * A new region function of arena page `page`, entered at page offsets `starts`: it serves
   * each of them that has no function yet. Returns its table index.
   */
  addRegion(page: number, fn: BlockFn, starts: readonly number[]): number {
    const i = this.free.pop() ?? this.used++
    if (i >= this.table.length) this.table.grow(this.table.length)
    this.table.set(i, fn)
    ;(this.owned[page] ??= []).push(i)
    const bl = this.ownBlocks(page), ix = this.index[page]!, dec = this.pages[page]!
    for (const s of starts) {
      if (bl[s] != null) continue
      bl[s] = fn
      ix[s] = i
      if (dec[s] !== 0) dec[s] = dec[s]! & ~SLOT_NO_REGION | SLOT_REGION
    }
    return i
  }

  /**
   * A function entered at slot `off` of arena page `page` that is in no table (an execute loop's
   * warm-up uses JavaScript stand-ins for regions, which a WebAssembly table cannot hold). The
   * slot must be decoded: its word carries the mark.
   */
  setEntry(page: number, off: number, fn: BlockFn): void {
    const dec = this.pages[page]!
    if (dec[off] === 0) throw new Error(`setEntry: slot ${off} of page ${page} is not decoded`)
    this.ownBlocks(page)[off] = fn
    dec[off] = dec[off]! & ~SLOT_NO_REGION | SLOT_REGION
  }

  /** No region can start at slot `off` of arena page `page` (a translation there failed): the execute loop stops counting visits there. */
  noRegion(page: number, off: number): void {
    this.ownBlocks(page)[off] = null
    const dec = this.pages[page]!
    if (dec[off] !== 0) dec[off] = dec[off]! | SLOT_NO_REGION
  }

  /**
   * Page `page`'s own region arrays, made on first need (see `page`). Only the CPU translating
   * the page can hold the shared ones meanwhile (the others fetch their page again when they next
   * run): its execute loop looks the page up again after translating.
   */
  private ownBlocks(page: number): (BlockFn | null)[] {
    let bl = this.blocks[page]!
    if (bl === NO_REGIONS) {
      bl = noBlocks()
      this.blocks[page] = bl
      this.index[page] = new Int32Array(4096)
    }
    return bl
  }

  /**
   * Keep the per-page arrays dense up to `page`. Arena pages of RAM lie far apart, and an array
   * written at sparse indices falls back to dictionary elements: a hash lookup on every page
   * change of the fetch path (and after every VM exit).
   */
  private reach(page: number): void {
    for (let i = this.pages.length; i <= page; i++) {
      this.pages.push(undefined)
      this.blocks.push(undefined)
      this.index.push(undefined)
      this.heat.push(undefined)
      this.owned.push(undefined)
    }
  }
}

/**
 * What a translation tier did (see CodeCache.stats), every figure a double from the start. As
 * fields of a plain object they began as small integers, and the first fraction of a millisecond
 * of translating (or a count past 2^30) changed the object's hidden class — under the optimised
 * execute loop, which reads this object: V8 threw away the loop's optimised code (100 ms of
 * compiling, on this machine) and ran it unoptimised meanwhile.
 */
export class TierStats {
  private readonly v = new Float64Array(7)
  get modules(): number { return this.v[0]! }
  set modules(n: number) { this.v[0] = n }
  get regions(): number { return this.v[1]! }
  set regions(n: number) { this.v[1] = n }
  get translated(): number { return this.v[2]! }
  set translated(n: number) { this.v[2] = n }
  get bytes(): number { return this.v[3]! }
  set bytes(n: number) { this.v[3] = n }
  get translateMs(): number { return this.v[4]! }
  set translateMs(n: number) { this.v[4] = n }
  get ranTranslated(): number { return this.v[5]! }
  set ranTranslated(n: number) { this.v[5] = n }
  get entries(): number { return this.v[6]! }
  set entries(n: number) { this.v[6] = n }
}

/** the region arrays of every page that has no region yet: never written (CodeCache.ownBlocks) */
const NO_REGIONS = noBlocks()
const NO_INDEX = new Int32Array(4096)

/**
 * Whether bytes [off, off + size) of a page hold any instruction decoded in `dec` (slots are
 * halfwords; an instruction is 2 or 4 bytes, so one starting up to 3 bytes before `off` reaches it).
 */
function overlapsCode(dec: Int32Array, off: number, size: number): boolean {
  for (let o = Math.max(0, (off - 3) & ~1); o < off + size && o < 4096; o += 2) {
    const w = dec[o]!
    if (w !== 0 && o + 4 - ((w >> 6) & 2) > off) return true
  }
  return false
}

/**
 * A page's empty block list, with the elements kind (V8's HOLEY_ELEMENTS) it has once functions
 * are in it: an execute loop that first saw only empty pages (its warm-up) would otherwise be
 * deoptimised by the first translated page ("wrong map") and run unoptimised while recompiled.
 */
export function noBlocks(): (BlockFn | null)[] {
  return new Array<BlockFn | null | undefined>(4096).fill(undefined) as (BlockFn | null)[]
}
