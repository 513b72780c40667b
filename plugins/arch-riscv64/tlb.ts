/**
 * A per-hart software TLB: direct-mapped, 256 entries each for fetch, load and store, mapping a
 * virtual page (tag = low word of the page address + high word) to the arena offset of its
 * physical page. Only arena RAM is ever entered; MMIO and observed pages always miss.
 */
export const TLB_SIZE = 256
const INVALID = 1 // never a page-aligned address

export class Tlb {
  readonly fTagLo = new Int32Array(TLB_SIZE).fill(INVALID)
  readonly fTagHi = new Int32Array(TLB_SIZE)
  readonly fOff = new Int32Array(TLB_SIZE)
  readonly rTagLo = new Int32Array(TLB_SIZE).fill(INVALID)
  readonly rTagHi = new Int32Array(TLB_SIZE)
  readonly rOff = new Int32Array(TLB_SIZE)
  readonly wTagLo = new Int32Array(TLB_SIZE).fill(INVALID)
  readonly wTagHi = new Int32Array(TLB_SIZE)
  readonly wOff = new Int32Array(TLB_SIZE)

  flush(): void {
    this.fTagLo.fill(INVALID)
    this.rTagLo.fill(INVALID)
    this.wTagLo.fill(INVALID)
  }

  /** Forget store mappings onto arena page `page` (it now holds decoded code). */
  dropWritesTo(page: number): void {
    const off = this.wOff, tag = this.wTagLo
    for (let i = 0; i < TLB_SIZE; i++) if (tag[i] !== INVALID && off[i]! >>> 12 === page) tag[i] = INVALID
  }

  fill(kind: 'f' | 'r' | 'w', lo: number, hi: number, arenaPageOff: number): void {
    const i = (lo >>> 12) & (TLB_SIZE - 1)
    const tl = kind === 'f' ? this.fTagLo : kind === 'r' ? this.rTagLo : this.wTagLo
    const th = kind === 'f' ? this.fTagHi : kind === 'r' ? this.rTagHi : this.wTagHi
    const off = kind === 'f' ? this.fOff : kind === 'r' ? this.rOff : this.wOff
    tl[i] = lo & -4096
    th[i] = hi
    off[i] = arenaPageOff
  }
}
