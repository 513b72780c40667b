/**
 * Bao's page pools (`src/core/mem.c`, reference §1.3 step 3 and §5.2): one pool per RAM bank,
 * a free bitmap of 4 KiB pages, a free count and a `last` hint. Allocation is first fit from the
 * lowest address, so the result depends only on which pages are taken — a pool rebuilt from
 * `allocated()` (sessions) answers every later call exactly as the original would have.
 * Addresses are plain numbers and are only ever divided, never bit-masked: banks above 4 GiB work.
 */
import { PAGE_SIZE, allColours, colourList, type ColourGeometry } from './colours.ts'

export interface Range {
  base: number
  size: number
}

export type PagePoolErrorCode = 'double-free' | 'outside-ram' | 'bad-ram' | 'bad-range'

/** A caller's bug (double free, a restored range that does not fit), never a guest's doing. */
export class PagePoolError extends Error {
  override readonly name = 'PagePoolError'
  constructor(
    readonly code: PagePoolErrorCode,
    readonly pa: number,
    detail: string,
  ) {
    super(`${code} at 0x${pa.toString(16)}: ${detail}`)
  }
}

interface Pool {
  base: number
  /** base / PAGE_SIZE: the absolute page number of index 0, which fixes the colour phase */
  firstPage: number
  pages: number
  /** one byte per page, 1 = allocated (Bao's `pool->bitmap`) */
  used: Uint8Array
  free: number
  freeByColour: Int32Array
  /** every page below `last` is allocated: scans start here (Bao's `pool->last`, kept as a lower bound) */
  last: number
}

export class PagePool {
  readonly geometry: ColourGeometry
  private readonly pools: Pool[]

  constructor(ram: readonly Range[], g: ColourGeometry) {
    if (!(Number.isInteger(g.colorSize) && g.colorSize >= 1 && Number.isInteger(g.colorNum) && g.colorNum >= 1)) {
      throw new PagePoolError('bad-ram', 0, `colour geometry ${g.colorSize}×${g.colorNum} is not whole pages`)
    }
    this.geometry = g
    this.pools = []
    // a bank's partial pages at either end are not usable RAM
    const banks = ram
      .map((r) => ({ first: Math.ceil(r.base / PAGE_SIZE), end: Math.floor((r.base + r.size) / PAGE_SIZE) }))
      .filter((b) => b.end > b.first)
      .sort((a, b) => a.first - b.first)
    for (const b of banks) {
      const prev = this.pools[this.pools.length - 1]
      if (prev && prev.firstPage + prev.pages > b.first) {
        throw new PagePoolError('bad-ram', b.first * PAGE_SIZE, 'RAM banks overlap')
      }
      const pages = b.end - b.first
      const pool: Pool = {
        base: b.first * PAGE_SIZE,
        firstPage: b.first,
        pages,
        used: new Uint8Array(pages),
        free: 0,
        freeByColour: new Int32Array(g.colorNum),
        last: 0,
      }
      this.countRange(pool, 0, pages, 1)
      this.pools.push(pool)
    }
  }

  /** Reserve exactly [base, base+size) (page-rounded outward). False, and nothing taken, if any page is outside RAM or not free. */
  reserve(base: number, size: number): boolean {
    if (!(size >= 0)) return false
    if (size === 0) return true
    const segs = this.segments(base, size)
    if (!segs) return false
    for (const [p, s, e] of segs) if (p.used.subarray(s, e).indexOf(1) !== -1) return false
    for (const [p, s, e] of segs) this.markRange(p, s, e, 1)
    return true
  }

  /** `size` bytes (rounded up to pages) contiguous — uncoloured allocation. Returns base or null. Allocate from the lowest-addressed free run that fits (deterministic). */
  allocContiguous(size: number): number | null {
    const n = pagesOf(size)
    if (n <= 0) return null
    for (const p of this.pools) {
      if (p.free < n) continue
      for (const [start, end] of freeRuns(p)) {
        if (end - start >= n) {
          this.markRange(p, start, start + n, 1)
          return p.base + start * PAGE_SIZE
        }
      }
    }
    return null
  }

  /** Coloured allocation (§5.2): n pages whose colour is in `colors`, returned in ascending address order (= colour order as Bao walks the pool), not necessarily contiguous. Null and nothing taken if there are not enough. If allColours(colors) this is the same as allocContiguous expanded to page addresses. */
  allocColoured(size: number, colors: bigint): number[] | null {
    const g = this.geometry
    if (allColours(colors, g)) {
      const base = this.allocContiguous(size)
      if (base === null) return null
      const out = new Array<number>(pagesOf(size))
      for (let k = 0; k < out.length; k++) out[k] = base + k * PAGE_SIZE
      return out
    }
    const n = pagesOf(size)
    if (n <= 0) return null
    const list = colourList(colors, g)
    const want = new Uint8Array(g.colorNum)
    for (const c of list) want[c] = 1
    // like Bao's mem_alloc_ppages, one allocation comes from one pool: the first with enough
    for (const p of this.pools) {
      let avail = 0
      for (const c of list) avail += p.freeByColour[c]
      if (avail < n) continue
      // the per-colour counts promise n free pages of these colours from `last` on, so mark as we go
      const out = new Array<number>(n)
      let k = 0
      let i = p.last
      while (k < n) {
        const chunk = Math.floor((p.firstPage + i) / g.colorSize)
        const end = Math.min(p.pages, (chunk + 1) * g.colorSize - p.firstPage)
        const c = chunk % g.colorNum
        if (want[c]) {
          for (let j = i; j < end && k < n; j++) {
            if (p.used[j] !== 0) continue
            p.used[j] = 1
            p.freeByColour[c]--
            out[k++] = p.base + j * PAGE_SIZE
          }
        }
        i = end
      }
      p.free -= n
      this.advanceLast(p)
      return out
    }
    return null
  }

  /** Give pages back (any mix of the above). Freeing a page that is not allocated throws (a double free is a bug). */
  freePages(pas: readonly number[]): void {
    const done: [Pool, number][] = []
    for (const pa of pas) {
      const page = Math.floor(pa / PAGE_SIZE)
      const p = this.poolOf(page)
      let err: PagePoolError | undefined
      if (!p) err = new PagePoolError('outside-ram', pa, 'freed page is not in any RAM bank')
      else if (p.used[page - p.firstPage] === 0) err = new PagePoolError('double-free', pa, 'page is not allocated')
      if (err) {
        // all or nothing: a bad list leaves the pool as it was
        for (const [q, j] of done) this.markRange(q, j, j + 1, 1)
        throw err
      }
      const j = page - p!.firstPage
      this.markRange(p!, j, j + 1, 0)
      done.push([p!, j])
    }
  }

  freeRange(base: number, size: number): void {
    if (!(size >= 0)) throw new PagePoolError('bad-range', base, `size ${size}`)
    if (size === 0) return
    const segs = this.segments(base, size)
    if (!segs) throw new PagePoolError('outside-ram', base, `[0x${base.toString(16)}, +0x${size.toString(16)}) is not all RAM`)
    for (const [p, s, e] of segs) {
      const k = p.used.subarray(s, e).indexOf(0)
      if (k !== -1) throw new PagePoolError('double-free', p.base + (s + k) * PAGE_SIZE, 'page is not allocated')
    }
    for (const [p, s, e] of segs) this.markRange(p, s, e, 0)
  }

  /** free pages in total, or only those of the colours in `colors` */
  freeCount(colors?: bigint): number {
    let n = 0
    if (colors === undefined || allColours(colors, this.geometry)) {
      for (const p of this.pools) n += p.free
      return n
    }
    const list = colourList(colors, this.geometry)
    for (const p of this.pools) for (const c of list) n += p.freeByColour[c]
    return n
  }

  /** largest contiguous free run, in bytes (for error messages) */
  largestFree(): number {
    let best = 0
    for (const p of this.pools) {
      for (const [start, end] of freeRuns(p)) best = Math.max(best, end - start)
    }
    return best * PAGE_SIZE
  }

  /** sessions: the allocated pages as sorted ranges [{base,size}] (runs merged), and rebuilding a pool from them */
  allocated(): Range[] {
    const out: Range[] = []
    for (const p of this.pools) {
      let i = 0
      while (i < p.pages) {
        const start = p.used.indexOf(1, i)
        if (start === -1) break
        let end = p.used.indexOf(0, start)
        if (end === -1) end = p.pages
        const base = p.base + start * PAGE_SIZE
        const prev = out[out.length - 1]
        // banks that touch give one run across the boundary
        if (prev && prev.base + prev.size === base) prev.size += (end - start) * PAGE_SIZE
        else out.push({ base, size: (end - start) * PAGE_SIZE })
        i = end
      }
    }
    return out
  }

  static fromAllocated(ram: readonly Range[], g: ColourGeometry, used: readonly Range[]): PagePool {
    const pool = new PagePool(ram, g)
    for (const u of used) {
      if (!pool.reserve(u.base, u.size)) {
        throw new PagePoolError('bad-range', u.base, `restored range +0x${u.size.toString(16)} is outside RAM or overlaps another`)
      }
    }
    return pool
  }

  /** [pool, start, end) page-index pieces covering the page-rounded range, or null if any page is not RAM */
  private segments(base: number, size: number): [Pool, number, number][] | null {
    const first = Math.floor(base / PAGE_SIZE)
    const end = Math.ceil((base + size) / PAGE_SIZE)
    const segs: [Pool, number, number][] = []
    let covered = 0
    for (const p of this.pools) {
      const s = Math.max(first, p.firstPage)
      const e = Math.min(end, p.firstPage + p.pages)
      if (s >= e) continue
      segs.push([p, s - p.firstPage, e - p.firstPage])
      covered += e - s
    }
    return covered === end - first ? segs : null
  }

  private poolOf(page: number): Pool | undefined {
    for (const p of this.pools) if (page >= p.firstPage && page < p.firstPage + p.pages) return p
    return undefined
  }

  /** mark pages [s, e) of `p`, all currently in the other state, as allocated (1) or free (0) */
  private markRange(p: Pool, s: number, e: number, v: 0 | 1): void {
    p.used.fill(v, s, e)
    this.countRange(p, s, e, v === 1 ? -1 : 1)
    if (v === 1) this.advanceLast(p)
    else if (s < p.last) p.last = s
  }

  /** add `delta` per page of [s, e) to the free counts, a colour chunk at a time */
  private countRange(p: Pool, s: number, e: number, delta: number): void {
    const g = this.geometry
    p.free += delta * (e - s)
    // whole colour periods give every colour the same (a pool of 2 GiB is 16,384 periods of 32
    // one-page colours: counted chunk by chunk it cost 20 ms of every boot); then what is left
    const period = g.colorSize * g.colorNum
    const periods = Math.floor((e - s) / period)
    if (periods > 0) for (let c = 0; c < g.colorNum; c++) p.freeByColour[c] += delta * periods * g.colorSize
    let i = s + periods * period
    while (i < e) {
      const chunk = Math.floor((p.firstPage + i) / g.colorSize)
      const end = Math.min(e, (chunk + 1) * g.colorSize - p.firstPage)
      p.freeByColour[chunk % g.colorNum] += delta * (end - i)
      i = end
    }
  }

  private advanceLast(p: Pool): void {
    if (p.last < p.pages && p.used[p.last] === 0) return
    const k = p.used.indexOf(0, p.last)
    p.last = k === -1 ? p.pages : k
  }
}

function pagesOf(size: number): number {
  return size > 0 ? Math.ceil(size / PAGE_SIZE) : 0
}

/** The free runs of `p` from its scan hint on, as [first page, end page) in address order. */
function* freeRuns(p: Pool): Generator<[number, number]> {
  let i = p.last
  while (i < p.pages) {
    const start = p.used.indexOf(0, i)
    if (start === -1) return
    let end = p.used.indexOf(1, start)
    if (end === -1) end = p.pages
    yield [start, end]
    i = end
  }
}
