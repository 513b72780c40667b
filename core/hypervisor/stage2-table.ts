/**
 * The page-granular index behind a stage-2 map: guest page number (gpa / 4 KiB) → the entry
 * mapping that page, in two levels like the hardware's own tables. The top level is sparse (a
 * Map keyed by leaf number, so any guest-physical width below 2^53 works); a leaf spans 512
 * pages (2 MiB, a Sv39x4 megapage or an Arm stage-2 level-2 block) and is either one entry
 * covering all of it — a "block", so a 4 GiB region costs 2,048 leaves and no page arrays — or an
 * array of 512 slots for a leaf that entries share or only partly cover (cache colouring maps
 * page by page).
 *
 * The index stores; it does not judge: callers give it page-aligned, non-overlapping entries
 * (Stage2Map checks overlaps against its sorted list).
 */
import type { Stage2Entry } from './stage2.ts'

/** pages per leaf: 512 × 4 KiB = 2 MiB (priv 1.12 §4.4.1 megapage; Arm ARM D8.3 level-2 block) */
export const LEAF_PAGES = 512

class Leaf {
  constructor(
    /** the entry covering every page of the leaf, or undefined when `pages` holds them */
    public whole: Stage2Entry | undefined,
    public pages: (Stage2Entry | undefined)[] | undefined,
    /** filled slots of `pages`, so an emptied leaf is dropped */
    public used: number,
  ) {}
}

export class Stage2Table {
  private readonly leaves = new Map<number, Leaf>()

  /** The entry mapping guest page `gpn`. The TLB-miss path: one Map probe, no allocation. */
  get(gpn: number): Stage2Entry | undefined {
    const li = Math.floor(gpn / LEAF_PAGES)
    const leaf = this.leaves.get(li)
    if (leaf === undefined) return undefined
    const w = leaf.whole
    if (w !== undefined) return w
    return leaf.pages![gpn - li * LEAF_PAGES]
  }

  /** Point pages [p0, p1) at `e`, replacing whatever they held. */
  set(p0: number, p1: number, e: Stage2Entry): void {
    for (let li = Math.floor(p0 / LEAF_PAGES); li * LEAF_PAGES < p1; li++) {
      const base = li * LEAF_PAGES
      const a = Math.max(p0, base), b = Math.min(p1, base + LEAF_PAGES)
      if (a === base && b === base + LEAF_PAGES) {
        this.leaves.set(li, new Leaf(e, undefined, 0))
        continue
      }
      const pages = this.slots(li)
      const leaf = this.leaves.get(li)!
      for (let p = a; p < b; p++) {
        if (pages[p - base] === undefined) leaf.used++
        pages[p - base] = e
      }
    }
  }

  /** Empty the pages of [p0, p1) that point at `e`; pages held by others stay. */
  clear(p0: number, p1: number, e: Stage2Entry): void {
    for (let li = Math.floor(p0 / LEAF_PAGES); li * LEAF_PAGES < p1; li++) {
      const leaf = this.leaves.get(li)
      if (leaf === undefined) continue
      const base = li * LEAF_PAGES
      const a = Math.max(p0, base), b = Math.min(p1, base + LEAF_PAGES)
      if (leaf.whole === e && a === base && b === base + LEAF_PAGES) {
        this.leaves.delete(li)
        continue
      }
      if (leaf.whole !== undefined && leaf.whole !== e) continue
      const pages = this.slots(li)
      for (let p = a; p < b; p++) {
        if (pages[p - base] !== e) continue
        pages[p - base] = undefined
        leaf.used--
      }
      if (leaf.used === 0) this.leaves.delete(li)
    }
  }

  /** Leaves in use (tests: the index stays sparse). */
  get size(): number {
    return this.leaves.size
  }

  /** Leaf `li` as 512 slots, splitting a block into its pages or making an empty leaf. */
  private slots(li: number): (Stage2Entry | undefined)[] {
    let leaf = this.leaves.get(li)
    if (leaf === undefined) {
      leaf = new Leaf(undefined, new Array<Stage2Entry | undefined>(LEAF_PAGES).fill(undefined), 0)
      this.leaves.set(li, leaf)
    } else if (leaf.whole !== undefined) {
      leaf.pages = new Array<Stage2Entry | undefined>(LEAF_PAGES).fill(leaf.whole)
      leaf.used = LEAF_PAGES
      leaf.whole = undefined
    }
    return leaf.pages!
  }
}
