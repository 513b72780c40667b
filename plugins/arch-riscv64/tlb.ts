/**
 * A per-hart software TLB: direct-mapped, 256 entries each for fetch, load and store, mapping a
 * virtual page to the arena offset of its physical page. An entry is 4 int32s in one array —
 * [low word of the page address, high word, arena offset, unused] — so the execute loop keeps
 * one array per kind live, not three. Only arena RAM is ever entered; MMIO and observed pages
 * always miss.
 */
export const TLB_SIZE = 256
const INVALID = 1 // never a page-aligned address

export class Tlb {
  /** fetch entries */
  readonly f = new Int32Array(TLB_SIZE * 4)
  /** load entries */
  readonly r = new Int32Array(TLB_SIZE * 4)
  /** store entries */
  readonly w = new Int32Array(TLB_SIZE * 4)

  constructor() {
    this.flush()
  }

  flush(): void {
    for (const t of [this.f, this.r, this.w]) for (let i = 0; i < t.length; i += 4) t[i] = INVALID
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
  }
}
