/**
 * A per-CPU software TLB: direct-mapped, 256 entries each for fetch, load and store, mapping a
 * virtual page to the arena offset of its physical page. An entry is 4 int32s in one array —
 * [low word of the page address, high word, arena offset, arena offset − low word (mod 2^32): an
 * address's arena offset in one add, as translated code takes it] — so the execute loop keeps
 * one array per kind live, not three. The arrays live in the CPU's state area in the arena,
 * where translated blocks read them too. Only arena RAM is ever entered; MMIO and observed pages
 * always miss. Shared by the arch plugins: what fills it (the page-table walk) is the arch's.
 */
export const TLB_SIZE = 256
/** bytes of one kind's entries */
const TLB_BYTES = TLB_SIZE * 16
/**
 * Entries of the jump cache, which follows the three TLBs: a virtual pc → the table index of the
 * translated region entered there (code-cache.ts), [pc low word, pc high word, index,
 * generation], indexed by ((pc >>> 1) ^ (pc >>> 11)) & (JUMP_SIZE - 1) (code at the same offset
 * of neighbouring 2 KiB blocks, as functions on different pages often are, lands apart).
 * Translated code looks its exits up here to go on into the next region without returning to
 * JavaScript. An entry is only as good as the fetch mapping it was made under, so every flush of
 * the TLBs empties it too — by starting a new generation (the word JUMP_GEN bytes from the TLBs'
 * start, just before them): an entry counts only if it is of the current one. Every trap and
 * xRET flushes, so emptying 1,024 entries each time (~1 µs) was most of a trap's cost.
 */
export const JUMP_SIZE = 1024
/** byte offset of the jump cache from the TLBs' start; bytes the TLBs and the jump cache take */
export const JUMP_OFFSET = 3 * TLB_BYTES
export const TLB_AREA_BYTES = JUMP_OFFSET + JUMP_SIZE * 16
/** an empty jump-cache entry's pc word: odd, so never an instruction's address */
const NO_JUMP = 1
/** byte offset of the current jump-cache generation from the TLBs' start */
export const JUMP_GEN = -4
/** byte offset of the count of accesses served through line entries (below) since the last report */
export const LINE_HITS = -8
/**
 * Line entries: with a cache model that tracks lines (core/bus.ts LineTracking) the load and
 * store TLBs hold lines, not pages — [line address | LINE_MARK, high word, arena offset of the
 * line, arena offset − line address], at index (address >>> lineShift) & (TLB_SIZE − 1). The mark
 * (bit 3, inside the line offset) keeps them from ever matching a page lookup (whose bits 3-11 are
 * zero), and page entries from matching a line lookup, so a CPU's page lookups simply miss while
 * lines are tracked. Translated code made for line tracking looks lines up and counts its hits.
 */
export const LINE_MARK = 8
/**
 * An empty entry's page word: never page-aligned, and not a page address with a misaligned
 * offset's low bits kept either (translated blocks compare entry and address that way).
 */
const INVALID = 0x800

export class Tlb {
  /** fetch entries */
  readonly f: Int32Array
  /** load entries */
  readonly r: Int32Array
  /** store entries */
  readonly w: Int32Array
  /** the jump cache */
  readonly j: Int32Array
  /** the three TLBs as one array, for `flush` */
  private readonly all: Int32Array
  /** the current jump-cache generation, as translated code reads it */
  private readonly gen: Int32Array
  /** accesses served through line entries since the last report (translated code counts them) */
  readonly lineHits: Int32Array
  /** called before a flush when line hits are pending: the owner reports them while they are still its current context's */
  onFlush: (() => void) | null = null

  /** three consecutive TLB_BYTES arrays at `offset` of `buf`: fetch, load, store */
  constructor(buf: ArrayBufferLike, offset: number) {
    this.f = new Int32Array(buf, offset, TLB_SIZE * 4)
    this.r = new Int32Array(buf, offset + TLB_BYTES, TLB_SIZE * 4)
    this.w = new Int32Array(buf, offset + 2 * TLB_BYTES, TLB_SIZE * 4)
    this.j = new Int32Array(buf, offset + JUMP_OFFSET, JUMP_SIZE * 4)
    this.all = new Int32Array(buf, offset, 3 * TLB_SIZE * 4)
    this.gen = new Int32Array(buf, offset + JUMP_GEN, 1)
    this.lineHits = new Int32Array(buf, offset + LINE_HITS, 1)
    this.clearJumps()
    this.flush()
  }

  /** Every trap and xRET comes here (a mode change): one loop over the three kinds, no array made. */
  flush(): void {
    // (called only with hits to report: outside line tracking this call site never runs)
    if (this.lineHits[0] !== 0) this.onFlush!()
    const t = this.all
    for (let i = 0; i < t.length; i += 4) t[i] = INVALID
    this.dropJumps()
  }

  /** Empty the load and store TLBs only (fetch mappings and jumps stay): line entries another CPU's accesses may have made stale. */
  flushData(): void {
    if (this.lineHits[0] !== 0) this.onFlush!()
    const r = this.r, w = this.w
    for (let i = 0; i < r.length; i += 4) r[i] = INVALID
    for (let i = 0; i < w.length; i += 4) w[i] = INVALID
  }

  /** Drop the entry at `slot` (an index into `t`, as `fillLine` returned). */
  drop(t: Int32Array, slot: number): void {
    t[slot] = INVALID
  }

  /** Map the line of virtual (lo, hi) to arena offset `arenaLineOff` (its first byte) in `t`; returns the entry's index. */
  fillLine(t: Int32Array, lo: number, hi: number, lineShift: number, arenaLineOff: number): number {
    const i = ((lo >>> lineShift) & (TLB_SIZE - 1)) << 2
    const line = lo & -(1 << lineShift)
    t[i] = line | LINE_MARK
    t[i + 1] = hi
    t[i + 2] = arenaLineOff
    t[i + 3] = (arenaLineOff - line) | 0
    return i
  }

  /** Forget every jump (translated regions went away, or the mapping they were reached under): a new generation. */
  dropJumps(): void {
    const g = (this.gen[0]! + 1) | 0
    this.gen[0] = g
    // after 2^32 generations an old entry's could come round again
    if (g === 0) this.clearJumps()
  }

  private clearJumps(): void {
    const t = this.j
    for (let i = 0; i < t.length; i += 4) t[i] = NO_JUMP
  }

  /** Remember that translated region `index` (code-cache.ts's table) is entered at pc (lo, hi). */
  jump(lo: number, hi: number, index: number): void {
    const i = (((lo >>> 1) ^ (lo >>> 11)) & (JUMP_SIZE - 1)) << 2
    const t = this.j
    t[i] = lo
    t[i + 1] = hi
    t[i + 2] = index
    t[i + 3] = this.gen[0]!
  }

  /** Forget store mappings onto arena page `page` (it now holds decoded code). */
  dropWritesTo(page: number): void {
    const t = this.w
    for (let i = 0; i < t.length; i += 4) if (t[i] !== INVALID && t[i + 2]! >>> 12 === page) t[i] = INVALID
  }

  fill(t: Int32Array, lo: number, hi: number, arenaPageOff: number): void {
    const i = ((lo >>> 12) & (TLB_SIZE - 1)) << 2
    t[i] = lo & -4096
    t[i + 1] = hi
    t[i + 2] = arenaPageOff
    t[i + 3] = (arenaPageOff - (lo & -4096)) | 0
  }
}
