import { describe, it, expect } from 'vitest'
import { allColours, colourGeometry, colourList, pageColour, type CacheDesc, type ColourGeometry } from './colours.ts'

const K = 1024
const M = 1024 * 1024

/** the Cortex-A53's caches, as QEMU models them and as the silicon has them (§5.1's first two rows) */
const A53_CACHES: CacheDesc = {
  llc: { sizeBytes: 1 * M, ways: 16, lineBytes: 64 },
  l1d: { sizeBytes: 32 * K, ways: 4, lineBytes: 64 },
  l1i: { sizeBytes: 32 * K, ways: 2, lineBytes: 64, indexing: 'VIPT' },
}

// reference §5.1 table: (LLC, L1D, L1I) → COLOR_SIZE, COLOR_NUM, period

const rows: { name: string; cache: CacheDesc; colorSize: number; colorNum: number; period: number }[] = [
  {
    name: 'QEMU cortex-a53',
    cache: A53_CACHES,
    colorSize: 2,
    colorNum: 8,
    period: 64 * K,
  },
  {
    name: 'Cortex-A53 silicon (1 MiB 16-way L2)',
    cache: A53_CACHES,
    colorSize: 2,
    colorNum: 8,
    period: 64 * K,
  },
  {
    name: 'Cortex-A72',
    cache: {
      llc: { sizeBytes: 1 * M, ways: 16, lineBytes: 64 },
      l1d: { sizeBytes: 32 * K, ways: 2, lineBytes: 64 },
      l1i: { sizeBytes: 48 * K, ways: 3, lineBytes: 64, indexing: 'PIPT' },
    },
    colorSize: 4,
    colorNum: 4,
    period: 64 * K,
  },
  {
    name: 'Cortex-A57',
    cache: {
      llc: { sizeBytes: 2 * M, ways: 16, lineBytes: 64 },
      l1d: { sizeBytes: 32 * K, ways: 2, lineBytes: 64 },
      l1i: { sizeBytes: 48 * K, ways: 3, lineBytes: 64, indexing: 'PIPT' },
    },
    colorSize: 4,
    colorNum: 8,
    period: 128 * K,
  },
]

describe('colourGeometry (§5.1)', () => {
  for (const r of rows) {
    it(`${r.name}: COLOR_SIZE ${r.colorSize}, COLOR_NUM ${r.colorNum}, period ${r.period / K} KiB`, () => {
      const g = colourGeometry(r.cache)
      expect(g).toEqual({ colorSize: r.colorSize, colorNum: r.colorNum, pagesPerPeriod: r.colorSize * r.colorNum })
      expect(g.pagesPerPeriod * 4096).toBe(r.period)
    })
  }

  it('no LLC (every CROSSCON RISC-V board) gives one colour of one page', () => {
    expect(colourGeometry(undefined)).toEqual({ colorSize: 1, colorNum: 1, pagesPerPeriod: 1 })
    expect(colourGeometry({ l1d: { sizeBytes: 32 * K, ways: 4, lineBytes: 64 } })).toEqual({
      colorSize: 1,
      colorNum: 1,
      pagesPerPeriod: 1,
    })
  })

  it('a VIPT LLC is not coloured (§5.1.2)', () => {
    const g = colourGeometry({ llc: { sizeBytes: 1 * M, ways: 16, lineBytes: 64, indexing: 'VIPT' } })
    expect(g.colorNum).toBe(1)
  })

  it('without L1 info a colour chunk is one page', () => {
    expect(colourGeometry({ llc: { sizeBytes: 1 * M, ways: 16, lineBytes: 64 } })).toEqual({
      colorSize: 1,
      colorNum: 16,
      pagesPerPeriod: 16,
    })
  })

  it('a PIPT I-cache way replaces the D way even when larger, since D is taken as PIPT', () => {
    const g = colourGeometry({
      llc: { sizeBytes: 1 * M, ways: 16, lineBytes: 64 },
      l1d: { sizeBytes: 32 * K, ways: 2, lineBytes: 64 },
      l1i: { sizeBytes: 64 * K, ways: 2, lineBytes: 64, indexing: 'PIPT' },
    })
    expect(g).toEqual({ colorSize: 8, colorNum: 2, pagesPerPeriod: 16 })
  })
})

describe('pageColour (§5.1.5)', () => {
  const a53: ColourGeometry = { colorSize: 2, colorNum: 8, pagesPerPeriod: 16 }
  const a57: ColourGeometry = { colorSize: 4, colorNum: 8, pagesPerPeriod: 32 }

  it('matches hand-computed colours', () => {
    expect(pageColour(0x8000_0000, a53)).toBe(0) // page 0x80000, chunk 0x40000
    expect(pageColour(0x8000_1000, a53)).toBe(0) // second page of the same chunk
    expect(pageColour(0x8000_2000, a53)).toBe(1)
    expect(pageColour(0x8000_2abc, a53)).toBe(1) // offset within the page does not matter
    expect(pageColour(0x8000_e000, a53)).toBe(7)
    expect(pageColour(0x8001_0000, a53)).toBe(0) // one 64 KiB period later
  })

  it('works above 4 GiB, including where bit 31 is set', () => {
    expect(pageColour(0x1_0000_6000, a53)).toBe(3) // page 0x100006, chunk 0x80003
    expect(pageColour(0x1_8000_2000, a53)).toBe(1) // page 0x180002, chunk 0xc0001
    expect(pageColour(0x8_8001_c000, a57)).toBe(7) // page 0x88001c, chunk 0x220007
    // a period that does not divide 2^32 exposes any truncation to 32 bits:
    // page 0x100002 = 1048578, chunk 349526, 349526 mod 5 = 1 (a truncated PA would give 0)
    const odd: ColourGeometry = { colorSize: 3, colorNum: 5, pagesPerPeriod: 15 }
    expect(pageColour(0x1_0000_2000, odd)).toBe(1)
    expect(pageColour(0x1_0000_0000, odd)).toBe(0) // chunk 349525
  })
})

describe('colour bitmaps (§5.2)', () => {
  const g8: ColourGeometry = { colorSize: 2, colorNum: 8, pagesPerPeriod: 16 }

  it('0 and all COLOR_NUM bits mean uncoloured; a subset does not', () => {
    expect(allColours(0n, g8)).toBe(true)
    expect(allColours(0xffn, g8)).toBe(true)
    expect(allColours(0x0fn, g8)).toBe(false)
    expect(allColours(0x80n, g8)).toBe(false)
  })

  it('bits at or above COLOR_NUM are truncated', () => {
    expect(allColours(0x1ffn, g8)).toBe(true)
    expect(allColours(0x100n, g8)).toBe(true)
    expect(allColours(0xffff_ffff_ffff_ffffn, g8)).toBe(true)
    expect(colourList(0x1a5n, g8)).toEqual([0, 2, 5, 7])
  })

  it('one colour: any bitmap is uncoloured', () => {
    const g1: ColourGeometry = { colorSize: 1, colorNum: 1, pagesPerPeriod: 1 }
    expect(allColours(0n, g1)).toBe(true)
    expect(allColours(1n, g1)).toBe(true)
    expect(allColours(0x2n, g1)).toBe(true)
  })
})
