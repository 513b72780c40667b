import { describe, it, expect } from 'vitest'
import { pageColour, type ColourGeometry } from './colours.ts'
import { PagePool, PagePoolError, type Range } from './page-pool.ts'
import { mulberry32 } from '../../test/rng.ts'

const PAGE = 4096
const M = 1024 * 1024
// QEMU cortex-a53 (§5.1): 8 colours of 2 pages, a 16-page period
const A53: ColourGeometry = { colorSize: 2, colorNum: 8, pagesPerPeriod: 16 }
const RAM: Range[] = [{ base: 0x8000_0000, size: 16 * M }]
const RAM_PAGES = (16 * M) / PAGE

/** a fixed-seed PRNG so the random tests replay exactly */
const prng = mulberry32

function expectOnly(pages: number[], colours: number[], g: ColourGeometry): void {
  for (const pa of pages) expect(colours).toContain(pageColour(pa, g))
}

function expectAscending(pages: number[]): void {
  for (let i = 1; i < pages.length; i++) expect(pages[i]!).toBeGreaterThan(pages[i - 1]!)
}

describe('PagePool.reserve', () => {
  it('takes exactly the asked range', () => {
    const pool = new PagePool(RAM, A53)
    expect(pool.reserve(0x8010_0000, 2 * M)).toBe(true)
    expect(pool.freeCount()).toBe(RAM_PAGES - 512)
    expect(pool.allocated()).toEqual([{ base: 0x8010_0000, size: 2 * M }])
  })

  it('rounds a range outward to whole pages', () => {
    const pool = new PagePool(RAM, A53)
    expect(pool.reserve(0x8040_0800, 0x1000)).toBe(true)
    expect(pool.allocated()).toEqual([{ base: 0x8040_0000, size: 0x2000 }])
  })

  it('refuses an overlap or a range leaving RAM and takes nothing', () => {
    const pool = new PagePool(RAM, A53)
    pool.reserve(0x8010_0000, 2 * M)
    const before = pool.allocated()
    // the last page of the first reservation is the first page here
    expect(pool.reserve(0x802f_f000, 0x4000)).toBe(false)
    expect(pool.reserve(0x80ff_0000, 0x2_0000)).toBe(false) // runs past the end of RAM
    expect(pool.reserve(0x7fff_f000, 0x2000)).toBe(false) // starts below RAM
    expect(pool.reserve(0x9000_0000, 0x1000)).toBe(false)
    expect(pool.allocated()).toEqual(before)
    expect(pool.freeCount()).toBe(RAM_PAGES - 512)
    // the pages next to the refused ones are still free
    expect(pool.reserve(0x8030_0000, 0x4000)).toBe(true)
  })
})

describe('PagePool.allocContiguous', () => {
  it('takes the lowest-addressed free run that fits', () => {
    const pool = new PagePool(RAM, A53)
    expect(pool.allocContiguous(0x3000)).toBe(0x8000_0000)
    expect(pool.allocContiguous(0x2001)).toBe(0x8000_3000) // rounded up to 3 pages
    pool.freeRange(0x8000_0000, 0x3000)
    expect(pool.allocContiguous(0x2000)).toBe(0x8000_0000)
    // the one-page hole at 0x80002000 is too small for 4 pages
    expect(pool.allocContiguous(0x4000)).toBe(0x8000_6000)
    expect(pool.allocContiguous(0x1000)).toBe(0x8000_2000)
  })

  it('returns null when no run is long enough, even if enough pages are free', () => {
    const pool = new PagePool(RAM, A53)
    expect(pool.allocContiguous(17 * M)).toBeNull()
    pool.reserve(0x8080_0000, 0x1000) // splits RAM into two 8 MiB runs
    expect(pool.allocContiguous(9 * M)).toBeNull()
    expect(pool.freeCount()).toBe(RAM_PAGES - 1)
    expect(pool.largestFree()).toBe(8 * M)
  })
})

describe('PagePool.allocColoured (§5.2)', () => {
  it('returns exactly the asked number of pages, all of the asked colours, ascending', () => {
    const pool = new PagePool(RAM, A53)
    const pages = pool.allocColoured(64 * PAGE, 0x0fn)!
    expect(pages).toHaveLength(64)
    expectOnly(pages, [0, 1, 2, 3], A53)
    expectAscending(pages)
    // colours 0..3 are the first 8 pages of each 16-page period
    const expected: number[] = []
    for (let p = 0; expected.length < 64; p++) if (p % 16 < 8) expected.push(0x8000_0000 + p * PAGE)
    expect(pages).toEqual(expected)
    expect(pool.freeCount(0x0fn)).toBe(RAM_PAGES / 2 - 64)
    expect(pool.freeCount(0xf0n)).toBe(RAM_PAGES / 2)
  })

  it('two allocations with disjoint colours never share a colour', () => {
    const pool = new PagePool(RAM, A53)
    const a = pool.allocColoured(3 * M, 0x0fn)!
    const b = pool.allocColoured(3 * M + 5 * PAGE, 0xf0n)!
    expect(b).toHaveLength((3 * M) / PAGE + 5)
    const ca = new Set(a.map((pa) => pageColour(pa, A53)))
    const cb = new Set(b.map((pa) => pageColour(pa, A53)))
    for (const c of ca) expect(cb.has(c)).toBe(false)
    expect(new Set([...a, ...b]).size).toBe(a.length + b.length)
  })

  it('skips pages already taken', () => {
    const pool = new PagePool(RAM, A53)
    pool.reserve(0x8000_0000, 0x2000) // colour 0's first chunk
    const pages = pool.allocColoured(2 * PAGE, 0x01n)!
    expect(pages).toEqual([0x8001_0000, 0x8001_1000])
  })

  it('not enough pages of the colours: null, and nothing taken', () => {
    const pool = new PagePool(RAM, A53)
    const perColour = RAM_PAGES / 8
    expect(pool.freeCount(0x01n)).toBe(perColour)
    expect(pool.allocColoured((perColour + 1) * PAGE, 0x01n)).toBeNull()
    expect(pool.freeCount()).toBe(RAM_PAGES)
    expect(pool.freeCount(0x01n)).toBe(perColour)
    expect(pool.allocated()).toEqual([])
    expect(pool.allocColoured(perColour * PAGE, 0x01n)).toHaveLength(perColour)
    expect(pool.freeCount(0x01n)).toBe(0)
    expect(pool.freeCount()).toBe(RAM_PAGES - perColour)
  })

  it('uncoloured bitmaps (0 or all colours) allocate like allocContiguous', () => {
    for (const colors of [0n, 0xffn]) {
      const a = new PagePool(RAM, A53)
      const b = new PagePool(RAM, A53)
      for (const p of [a, b]) p.reserve(0x8000_3000, 0x1000)
      const pages = a.allocColoured(5 * PAGE, colors)!
      const base = b.allocContiguous(5 * PAGE)!
      expect(pages).toEqual([0, 1, 2, 3, 4].map((k) => base + k * PAGE))
      expect(a.allocated()).toEqual(b.allocated())
    }
  })
})

describe('PagePool.free', () => {
  it('a double free throws and changes nothing', () => {
    const pool = new PagePool(RAM, A53)
    const pages = pool.allocColoured(4 * PAGE, 0x03n)!
    const before = pool.allocated()
    expect(() => pool.freePages([pages[0]!, pages[0]!])).toThrow(PagePoolError)
    expect(pool.allocated()).toEqual(before)
    pool.freePages(pages)
    expect(() => pool.freePages([pages[1]!])).toThrow(/double-free/)
    expect(() => pool.freeRange(0x8000_0000, 0x1000)).toThrow(/double-free/)
    expect(() => pool.freePages([0x1000])).toThrow(/outside-ram/)
    expect(pool.freeCount()).toBe(RAM_PAGES)
  })

  it('1,000 random alloc/free steps keep freeCount and allocated() exact, and end empty', () => {
    const run = (): number[] => {
      const rnd = prng(0xba0bab)
      const pool = new PagePool(RAM, A53)
      const live: number[][] = []
      const owner = new Map<number, number>() // page → live index, the model allocated() is checked against
      const log: number[] = []
      let liveCount = 0
      for (let step = 0; step < 1000; step++) {
        const r = rnd()
        if (r < 0.45 || live.length === 0) {
          const size = Math.floor(rnd() * 64 + 1) * PAGE
          let pages: number[] | null
          if (rnd() < 0.5) {
            const base = pool.allocContiguous(size)
            pages = base === null ? null : Array.from({ length: size / PAGE }, (_, k) => base + k * PAGE)
          } else {
            const colors = BigInt(Math.floor(rnd() * 256))
            pages = pool.allocColoured(size, colors)
            if (pages && colors !== 0n && colors !== 0xffn) {
              expectOnly(pages, [0, 1, 2, 3, 4, 5, 6, 7].filter((c) => (colors >> BigInt(c)) & 1n), A53)
            }
          }
          if (pages) {
            expect(pages).toHaveLength(size / PAGE)
            for (const pa of pages) {
              expect(owner.has(pa)).toBe(false)
              owner.set(pa, live.length)
            }
            live.push(pages)
            liveCount += pages.length
            log.push(pages[0]!)
          } else log.push(-1)
        } else {
          const k = Math.floor(rnd() * live.length)
          const pages = live[k]!
          live[k] = live[live.length - 1]!
          live.pop()
          for (const pa of pages) owner.delete(pa)
          pool.freePages(pages)
          liveCount -= pages.length
        }
        expect(pool.freeCount()).toBe(RAM_PAGES - liveCount)
        if (step % 50 === 0) expect(pool.allocated()).toEqual(toRanges([...owner.keys()]))
      }
      for (const pages of live) pool.freePages(pages)
      expect(pool.freeCount()).toBe(RAM_PAGES)
      for (let c = 0; c < 8; c++) expect(pool.freeCount(1n << BigInt(c))).toBe(RAM_PAGES / 8)
      expect(pool.allocated()).toEqual([])
      expect(pool.largestFree()).toBe(16 * M)
      expect(pool.allocContiguous(PAGE)).toBe(0x8000_0000)
      return log
    }
    // deterministic: the same calls give the same addresses
    expect(run()).toEqual(run())
  })
})

describe('PagePool sessions', () => {
  it('fromAllocated(allocated()) rebuilds a pool that answers every later call the same', () => {
    const rnd = prng(42)
    const pool = new PagePool(RAM, A53)
    for (let i = 0; i < 40; i++) {
      const size = Math.floor(rnd() * 40 + 1) * PAGE
      if (rnd() < 0.5) pool.allocContiguous(size)
      else pool.allocColoured(size, BigInt(Math.floor(rnd() * 255) + 1))
    }
    pool.freeRange(0x8000_4000, 0x2000) // holes below the scan hint as well
    const copy = PagePool.fromAllocated(RAM, A53, pool.allocated())
    expect(copy.allocated()).toEqual(pool.allocated())
    expect(copy.freeCount()).toBe(pool.freeCount())
    for (let c = 0; c < 8; c++) expect(copy.freeCount(1n << BigInt(c))).toBe(pool.freeCount(1n << BigInt(c)))
    expect(copy.largestFree()).toBe(pool.largestFree())
    for (let i = 0; i < 20; i++) {
      const size = Math.floor(rnd() * 40 + 1) * PAGE
      const colors = BigInt(Math.floor(rnd() * 256))
      expect(copy.allocColoured(size, colors)).toEqual(pool.allocColoured(size, colors))
      expect(copy.allocContiguous(size)).toBe(pool.allocContiguous(size))
    }
  })

  it('fromAllocated refuses ranges outside RAM or overlapping', () => {
    expect(() => PagePool.fromAllocated(RAM, A53, [{ base: 0x1000, size: 0x1000 }])).toThrow(PagePoolError)
    expect(() =>
      PagePool.fromAllocated(RAM, A53, [
        { base: 0x8000_0000, size: 0x2000 },
        { base: 0x8000_1000, size: 0x2000 },
      ]),
    ).toThrow(PagePoolError)
  })
})

describe('PagePool with two banks', () => {
  // the second bank lies above 4 GiB
  const TWO: Range[] = [
    { base: 0x1_0000_0000, size: 1 * M },
    { base: 0x8000_0000, size: 1 * M },
  ]

  it('allocates from the lower bank first and never across banks', () => {
    const pool = new PagePool(TWO, A53)
    expect(pool.freeCount()).toBe(512)
    expect(pool.allocContiguous(2 * M)).toBeNull()
    expect(pool.allocContiguous(1 * M)).toBe(0x8000_0000)
    expect(pool.allocContiguous(PAGE)).toBe(0x1_0000_0000)
    expect(pool.allocated()).toEqual([
      { base: 0x8000_0000, size: 1 * M },
      { base: 0x1_0000_0000, size: PAGE },
    ])
    expect(pool.reserve(0x8000_0000 + 1 * M, PAGE)).toBe(false) // the gap is not RAM
  })

  it('a coloured allocation that does not fit the first bank comes wholly from the next', () => {
    const pool = new PagePool(TWO, A53)
    const first = pool.allocColoured(20 * PAGE, 0x01n)! // 32 colour-0 pages per bank
    expect(first.every((pa) => pa < 0x1_0000_0000)).toBe(true)
    const second = pool.allocColoured(20 * PAGE, 0x01n)!
    expect(second.every((pa) => pa >= 0x1_0000_0000)).toBe(true)
    expectOnly(second, [0], A53)
    expect(second[0]).toBe(0x1_0000_0000)
    expect(pool.allocColoured(13 * PAGE, 0x01n)).toBeNull() // 12 + 12 left, but in two banks
    expect(pool.freeCount(0x01n)).toBe(24)
    pool.freePages([...second, ...first])
    expect(pool.allocated()).toEqual([])
  })

  it('banks that touch merge into one allocated run', () => {
    const pool = new PagePool(
      [
        { base: 0x8000_0000, size: 1 * M },
        { base: 0x8010_0000, size: 1 * M },
      ],
      A53,
    )
    expect(pool.reserve(0x800f_f000, 0x2000)).toBe(true)
    expect(pool.allocated()).toEqual([{ base: 0x800f_f000, size: 0x2000 }])
    pool.freeRange(0x800f_f000, 0x2000)
    expect(pool.freeCount()).toBe(512)
  })
})

describe('PagePool speed', () => {
  it('a 64 MiB coloured allocation on a 2 GiB bank is quick', () => {
    const t0 = performance.now()
    const pool = new PagePool([{ base: 0x8_0000_0000, size: 2048 * M }], A53)
    const a = pool.allocColoured(64 * M, 0x0fn)!
    const b = pool.allocColoured(64 * M, 0x10n)! // one colour: scans eight times the pages
    const c = pool.allocContiguous(64 * M)!
    const ms = performance.now() - t0
    expect(a).toHaveLength((64 * M) / PAGE)
    expect(b).toHaveLength((64 * M) / PAGE)
    expectOnly(b, [4], A53)
    expect(c).toBeGreaterThan(0x8_0000_0000)
    pool.freePages(a)
    pool.freePages(b)
    pool.freeRange(c, 64 * M)
    expect(pool.freeCount()).toBe((2048 * M) / PAGE)
    expect(ms).toBeLessThan(2000)
  })
})

/** sorted page addresses → merged ranges, the model of allocated() */
function toRanges(pages: number[]): Range[] {
  const out: Range[] = []
  for (const pa of pages.sort((x, y) => x - y)) {
    const prev = out[out.length - 1]
    if (prev && prev.base + prev.size === pa) prev.size += PAGE
    else out.push({ base: pa, size: PAGE })
  }
  return out
}

describe('PagePool free counts per colour', () => {
  it('match a page-by-page count after random reservations, allocations and frees, banks off the colour period', () => {
    const rnd = prng(12)
    // two banks whose first pages are not at a period boundary, one shorter than a period
    const ram: Range[] = [{ base: 0x8000_3000, size: 5 * M + 0x5000 }, { base: 0x9000_1000, size: 0xb000 }]
    const pool = new PagePool(ram, A53)
    const held: number[][] = []
    const check = (): void => {
      const taken = new Set<number>()
      for (const r of pool.allocated()) for (let pa = r.base; pa < r.base + r.size; pa += PAGE) taken.add(pa)
      const free = Array.from({ length: A53.colorNum }, () => 0)
      for (const r of ram) for (let pa = r.base; pa < r.base + r.size; pa += PAGE) if (!taken.has(pa)) free[pageColour(pa, A53)]!++
      for (let c = 0; c < A53.colorNum; c++) expect(pool.freeCount(1n << BigInt(c)), `colour ${c}`).toBe(free[c])
    }
    check()
    for (let k = 0; k < 60; k++) {
      const op = Math.floor(rnd() * 3)
      if (op === 0) {
        const pages = pool.allocColoured((1 + Math.floor(rnd() * 40)) * PAGE, BigInt(1 + Math.floor(rnd() * 255)))
        if (pages) held.push(pages)
      } else if (op === 1) {
        const base = pool.allocContiguous((1 + Math.floor(rnd() * 300)) * PAGE)
        if (base !== null) held.push([base])
        if (base !== null) pool.freeRange(base, PAGE) // give its first page back at once
        if (base !== null) held.pop()
      } else if (held.length) {
        pool.freePages(held.splice(Math.floor(rnd() * held.length), 1)[0]!)
      }
      check()
    }
  })
})
