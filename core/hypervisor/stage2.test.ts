import { describe, expect, it } from 'vitest'
import { S2_R, S2_W, S2_X, Stage2Map, type Stage2Entry } from './stage2.ts'
import { LEAF_PAGES } from './stage2-table.ts'
import { mulberry32 } from '../../test/rng.ts'

const PAGE = 4096
const RWX = S2_R | S2_W | S2_X

const ram = (gpa: number, size: number, pa: number, name = `ram@${gpa.toString(16)}`): Stage2Entry =>
  ({ gpa, size, pa, perm: RWX, kind: 'ram', name })
const plain = (m: { entries: readonly Stage2Entry[] }): unknown[] =>
  m.entries.map((e) => [e.gpa, e.size, e.pa, e.perm, e.kind, e.name, e.handler ?? null])

describe('Stage2Map lookup', () => {
  it('finds an entry from its first byte to its last, and nothing either side', () => {
    const m = new Stage2Map()
    const e = ram(0x8000_0000, 3 * PAGE, 0x9000_0000)
    m.map(e)
    expect(m.lookup(0x8000_0000)).toBe(e)
    expect(m.lookup(0x8000_0fff)).toBe(e)
    expect(m.lookup(0x8000_1000)).toBe(e)
    expect(m.lookup(0x8000_2fff)).toBe(e)
    expect(m.lookup(0x8000_3000)).toBeUndefined()
    expect(m.lookup(0x7fff_ffff)).toBeUndefined()
  })

  it('tells apart entries on neighbouring pages, past the last-hit cache', () => {
    const m = new Stage2Map()
    const a = ram(0x1000, PAGE, 0x10_0000), b = ram(0x2000, PAGE, 0x20_0000)
    m.map(b)
    m.map(a)
    expect(m.lookup(0x1fff)).toBe(a)
    expect(m.lookup(0x2000)).toBe(b)
    expect(m.lookup(0x1000)).toBe(a)
    expect(m.entries).toEqual([a, b])
  })

  it('reaches guest-physical addresses beyond 2^40, and a region spanning whole 2 MiB leaves', () => {
    const m = new Stage2Map()
    const hi = ram(2 ** 44 + 0x20_0000, 2 * PAGE, 0x8000_0000)
    const big = ram(0x1_0000_0000, 4 * 1024 * 1024 * 1024, 0x1_0000_0000)
    m.map(hi)
    m.map(big)
    expect(m.lookup(2 ** 44 + 0x20_1fff)).toBe(hi)
    expect(m.lookup(2 ** 44 + 0x20_2000)).toBeUndefined()
    expect(m.lookup(0x1_0000_0000)).toBe(big)
    expect(m.lookup(0x1_ffff_ffff)).toBe(big)
    expect(m.lookup(0x2_0000_0000)).toBeUndefined()
  })

  it('an entry changed in place (hot reload swaps its handler) is what lookup returns', () => {
    const m = new Stage2Map()
    const h1 = { read: () => 1, write: () => {} }, h2 = { read: () => 2, write: () => {} }
    m.map({ gpa: 0x1000_0000, size: PAGE, pa: 0, perm: S2_R | S2_W, kind: 'emulated', name: 'uart', handler: h1 })
    for (const e of m.entries) if (e.handler === h1) e.handler = h2
    expect(m.lookup(0x1000_0004)!.handler).toBe(h2)
  })

  it('finds an entry that is not on page boundaries, with a page-aligned one beside it', () => {
    const m = new Stage2Map()
    const dev = { gpa: 0x1000_0100, size: 0x100, pa: 0, perm: S2_R | S2_W, kind: 'emulated' as const, name: 'odd' }
    const next = ram(0x1000_1000, PAGE, 0x8000_0000)
    m.map(dev)
    m.map(next)
    expect(m.lookup(0x1000_00ff)).toBeUndefined()
    expect(m.lookup(0x1000_0100)).toBe(dev)
    expect(m.lookup(0x1000_01ff)).toBe(dev)
    expect(m.lookup(0x1000_0200)).toBeUndefined()
    expect(m.lookup(0x1000_1000)).toBe(next)
    m.unmap(0x1000_0100)
    expect(m.lookup(0x1000_0100)).toBeUndefined()
  })
})

describe('Stage2Map edits', () => {
  it('refuses an overlapping entry, naming the first one it overlaps, and stays as it was', () => {
    const m = new Stage2Map()
    m.map(ram(0x1000, 2 * PAGE, 0, 'a'))
    m.map(ram(0x4000, PAGE, 0, 'b'))
    const before = plain(m)
    expect(() => m.map(ram(0x2000, 3 * PAGE, 0, 'c'))).toThrow('stage-2: c at 0x2000 overlaps a at 0x1000')
    expect(() => m.map(ram(0x4fff, PAGE, 0, 'd'))).toThrow('stage-2: d at 0x4fff overlaps b at 0x4000')
    expect(() => m.map(ram(0, 0x10000, 0, 'e'))).toThrow('stage-2: e at 0x0 overlaps a at 0x1000')
    expect(plain(m)).toEqual(before)
    m.map(ram(0x3000, PAGE, 0, 'between'))
    expect(m.entries.map((e) => e.name)).toEqual(['a', 'between', 'b'])
  })

  it('unmap removes the entry starting at gpa and only that', () => {
    const m = new Stage2Map()
    const a = ram(0x1000, PAGE, 0), b = ram(0x2000, PAGE, 0x1000)
    m.map(a)
    m.map(b)
    expect(m.unmap(0x1800)).toBeUndefined()
    expect(m.unmap(0x1000)).toBe(a)
    expect(m.lookup(0x1000)).toBeUndefined()
    expect(m.lookup(0x2000)).toBe(b)
    expect(m.entries).toEqual([b])
  })

  it('unmapRange splits entries straddling both ends and returns the removed pieces', () => {
    const m = new Stage2Map()
    m.map(ram(0x10000, 8 * PAGE, 0x80000, 'a'))
    m.map(ram(0x18000, 4 * PAGE, 0x90000, 'b'))
    const removed = m.unmapRange(0x12000, 0x8000)
    expect(removed.map((e) => [e.gpa, e.size, e.pa, e.name])).toEqual([[0x12000, 0x6000, 0x82000, 'a'], [0x18000, 0x2000, 0x90000, 'b']])
    expect(m.entries.map((e) => [e.gpa, e.size, e.pa, e.name])).toEqual([[0x10000, 0x2000, 0x80000, 'a'], [0x1a000, 0x2000, 0x92000, 'b']])
    expect(m.lookup(0x11fff)!.pa).toBe(0x80000)
    expect(m.lookup(0x12000)).toBeUndefined()
    expect(m.lookup(0x19fff)).toBeUndefined()
    expect(m.lookup(0x1a000)!.pa).toBe(0x92000)
  })

  it('mapMerged joins an entry with the neighbours it continues, and lookups see the joined entry', () => {
    const m = new Stage2Map()
    m.map(ram(0x10000, PAGE, 0x80000, 'a'))
    m.map(ram(0x12000, PAGE, 0x82000, 'c'))
    m.map(ram(0x13000, PAGE, 0x99000, 'far'))
    m.mapMerged(ram(0x11000, PAGE, 0x81000, 'b'))
    expect(m.entries.map((e) => [e.gpa, e.size, e.pa, e.name])).toEqual([[0x10000, 0x3000, 0x80000, 'a'], [0x13000, 0x1000, 0x99000, 'far']])
    const joined = m.entries[0]
    for (const g of [0x10000, 0x11000, 0x12fff]) expect(m.lookup(g)).toBe(joined)
    expect(m.lookup(0x13000)!.name).toBe('far')
  })
})

describe('Stage2Map.mapPages', () => {
  it('makes one entry per run of consecutive host pages', () => {
    const m = new Stage2Map()
    const made = m.mapPages(0x8000_0000, [0x1000, 0x2000, 0x3000, 0x9000, 0x5000, 0x6000], RWX, 'ram', 'colour')
    expect(made.map((e) => [e.gpa, e.size, e.pa])).toEqual([[0x8000_0000, 0x3000, 0x1000], [0x8000_3000, 0x1000, 0x9000], [0x8000_4000, 0x2000, 0x5000]])
    expect(m.entries).toEqual(made)
  })

  it('maps 10,000 scattered pages, each found by lookup at both of its edges, in an index that stays sparse', () => {
    const m = new Stage2Map()
    const rnd = mulberry32(7)
    const n = 10_000
    // a host page per guest page: every 16th page of 64 MiB, shuffled (colouring scatters them)
    const pas = Array.from({ length: n }, (_, i) => 0x8000_0000 + i * 16 * PAGE)
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1))
      ;[pas[i], pas[j]] = [pas[j]!, pas[i]!]
    }
    const base = 0x40_0000_0000 // 256 GiB: past 32 bits
    m.map(ram(base - PAGE, PAGE, 0x1000, 'below'))
    const made = m.mapPages(base, pas, RWX, 'ram', 'colour')
    m.map(ram(base + n * PAGE, PAGE, 0x2000, 'above'))
    expect(made.length).toBe(n)
    for (let i = 0; i < n; i++) {
      const g = base + i * PAGE
      expect(m.lookup(g)!.pa).toBe(pas[i])
      expect(m.lookup(g + PAGE - 1)!.pa).toBe(pas[i])
    }
    expect(m.lookup(base - 1)!.name).toBe('below')
    expect(m.lookup(base + n * PAGE)!.name).toBe('above')
    expect(m.entries.length).toBe(n + 2)
    expect(m.entries.every((e, i, a) => i === 0 || a[i - 1]!.gpa < e.gpa)).toBe(true)
    // 10,000 pages need 20 leaves of 512 (+2 for the neighbours' leaves at most)
    const t = (m as unknown as { table: { size: number } }).table
    expect(t.size).toBeLessThanOrEqual(Math.ceil(n / LEAF_PAGES) + 2)
    m.unmapRange(base, n * PAGE)
    expect(m.entries.map((e) => e.name)).toEqual(['below', 'above'])
    expect(m.lookup(base)).toBeUndefined()
    expect(t.size).toBeLessThanOrEqual(2)
  })

  it('maps nothing when any run overlaps', () => {
    const m = new Stage2Map()
    m.map(ram(0x5000, PAGE, 0, 'taken'))
    expect(() => m.mapPages(0x1000, [0x10000, 0x30000, 0x50000, 0x70000, 0x90000], RWX, 'ram', 'c')).toThrow('stage-2: c at 0x5000 overlaps taken at 0x5000')
    expect(m.entries.map((e) => e.name)).toEqual(['taken'])
    expect(m.lookup(0x1000)).toBeUndefined()
  })
})

/** The list-and-scan Stage2Map this index replaced: the reference the differential test holds it to. */
class ReferenceMap {
  readonly entries: Stage2Entry[] = []

  map(e: Stage2Entry): void {
    for (const o of this.entries) {
      if (e.gpa < o.gpa + o.size && o.gpa < e.gpa + e.size) {
        throw new Error(`stage-2: ${e.name} at 0x${e.gpa.toString(16)} overlaps ${o.name} at 0x${o.gpa.toString(16)}`)
      }
    }
    this.entries.push(e)
    this.entries.sort((a, b) => a.gpa - b.gpa)
  }

  mapPages(gpa: number, pas: number[], perm: number, kind: Stage2Entry['kind'], name: string): void {
    const runs: Stage2Entry[] = []
    for (let i = 0; i < pas.length;) {
      let j = i + 1
      while (j < pas.length && pas[j] === pas[i]! + (j - i) * PAGE) j++
      runs.push({ gpa: gpa + i * PAGE, size: (j - i) * PAGE, pa: pas[i]!, perm, kind, name })
      i = j
    }
    const trial = new ReferenceMap()
    trial.entries.push(...this.entries)
    for (const r of runs) trial.map(r)
    for (const r of runs) this.map(r)
  }

  unmap(gpa: number): Stage2Entry | undefined {
    const i = this.entries.findIndex((e) => e.gpa === gpa)
    return i < 0 ? undefined : this.entries.splice(i, 1)[0]
  }

  unmapRange(gpa: number, size: number): Stage2Entry[] {
    const end = gpa + size
    const removed: Stage2Entry[] = []
    const keep: Stage2Entry[] = []
    for (const e of this.entries) {
      const eEnd = e.gpa + e.size
      if (eEnd <= gpa || e.gpa >= end) { keep.push(e); continue }
      if (e.gpa < gpa) keep.push({ ...e, size: gpa - e.gpa })
      if (eEnd > end) keep.push({ ...e, gpa: end, size: eEnd - end, pa: e.pa + (end - e.gpa) })
      const lo = Math.max(e.gpa, gpa), hi = Math.min(eEnd, end)
      removed.push({ ...e, gpa: lo, size: hi - lo, pa: e.pa + (lo - e.gpa) })
    }
    this.entries.length = 0
    this.entries.push(...keep.sort((a, b) => a.gpa - b.gpa))
    return removed
  }

  mapMerged(e: Stage2Entry): void {
    this.map(e)
    const out: Stage2Entry[] = []
    for (const x of this.entries) {
      const p = out[out.length - 1]
      if (p && !p.handler && !x.handler && p.kind === x.kind && p.perm === x.perm && p.gpa + p.size === x.gpa && p.pa + p.size === x.pa) {
        out[out.length - 1] = { ...p, size: p.size + x.size }
      } else out.push(x)
    }
    this.entries.length = 0
    this.entries.push(...out)
  }

  lookup(gpa: number): Stage2Entry | undefined {
    for (const e of this.entries) if (gpa >= e.gpa && gpa < e.gpa + e.size) return e
    return undefined
  }
}


describe('Stage2Map against the list it replaced', () => {
  it('answers as the list did around empty entries (size 0) sharing an entry\'s first byte or its end', () => {
    const m = new Stage2Map()
    const ref = new ReferenceMap()
    const both = (f: (x: Stage2Map | ReferenceMap) => unknown): void => {
      const run = (x: Stage2Map | ReferenceMap): unknown => {
        try { const r = f(x); return Array.isArray(r) ? plain({ entries: r }) : r } catch (e) { return (e as Error).message }
      }
      expect(run(m)).toEqual(run(ref))
      expect(plain(m)).toEqual(plain(ref))
    }
    both((x) => x.map(ram(0x10000, 0x4000, 0x80000, 'e')))
    both((x) => x.map(ram(0x10000, 0, 0, 'z-start')))
    both((x) => x.map(ram(0x14000, 0, 0, 'z-end')))
    both((x) => x.map(ram(0x12000, 0, 0, 'z-inside')))
    both((x) => x.map(ram(0x13000, 0x2000, 0, 'across-end')))
    both((x) => x.unmapRange(0x11000, 0x1000))
    both((x) => x.unmapRange(0x10800, 0x3000))
    both((x) => x.map(ram(0x10000, 0x1000, 0, 'again')))
    for (const g of [0xffff, 0x10000, 0x107ff, 0x10800, 0x13800, 0x14000]) expect(plain({ entries: [m.lookup(g)!].filter(Boolean) })).toEqual(plain({ entries: [ref.lookup(g)!].filter(Boolean) }))
  })

  it('agrees on every result, listing and lookup over 3,000 random edits (seed 1)', () => {
    const rnd = mulberry32(1)
    const int = (n: number): number => Math.floor(rnd() * n)
    // guest pages 0..8191 (16 leaves, so runs cross leaf edges), at 2^40 to exercise wide GPAs
    const BASE = 2 ** 40
    const PAGES = 8192
    const gpaAt = (p: number): number => BASE + p * PAGE
    const m = new Stage2Map()
    const ref = new ReferenceMap()
    const kinds: Stage2Entry['kind'][] = ['ram', 'ram', 'device', 'ipc']
    const entry = (): Stage2Entry => {
      const r = rnd()
      // mostly page-aligned; a few odd ones (sub-page offsets or empty), a few that cover whole leaves
      const gpa = r < 0.08 ? gpaAt(int(PAGES)) + 0x100 * (1 + int(14)) : gpaAt(int(PAGES))
      const size = r < 0.01 ? 0 : r < 0.08 ? 0x100 * (1 + int(40)) : r < 0.15 ? PAGE * LEAF_PAGES * (1 + int(2)) : PAGE * (1 + int(r < 0.5 ? 4 : 64))
      return { gpa, size, pa: PAGE * int(4096), perm: 1 + int(7), kind: kinds[int(kinds.length)]!, name: `e${int(1000)}` }
    }
    const both = <T>(f: (x: Stage2Map | ReferenceMap) => T): [T | Error, T | Error] => {
      const run = (x: Stage2Map | ReferenceMap): T | Error => { try { return f(x) } catch (e) { return e as Error } }
      return [run(m), run(ref)]
    }
    const strip = (v: unknown): unknown => (v instanceof Error ? v.message : Array.isArray(v) ? plain({ entries: v }) : v && typeof v === 'object' ? plain({ entries: [v as Stage2Entry] }) : v)
    const sizes: number[] = []
    /** steps after which the map held: an edit that succeeded, a merge, an odd entry, a leaf-sized one */
    const ops = { map: 0, merged: 0, odd: 0, leaf: 0 }
    for (let step = 0; step < 3000; step++) {
      const op = rnd()
      let got: [unknown, unknown]
      if (op < 0.35) {
        const e = entry()
        if (e.size === 0 && ref.entries.length) {
          // an empty entry may sit at another's first byte or just past its last
          const p = ref.entries[int(ref.entries.length)]!
          e.gpa = rnd() < 0.5 ? p.gpa : p.gpa + p.size
        }
        got = both((x) => x.map({ ...e }))
      } else if (op < 0.5) {
        const e = entry()
        if (rnd() < 0.5 && ref.entries.length) {
          // a piece that continues an existing entry, so merges happen
          const p = ref.entries[int(ref.entries.length)]!
          Object.assign(e, { gpa: p.gpa + p.size, pa: p.pa + p.size, kind: p.kind, perm: p.perm })
        }
        got = both((x) => x.mapMerged({ ...e }))
      } else if (op < 0.6) {
        const n = 1 + int(rnd() < 0.8 ? 40 : 1200)
        const start = 1 + int(4096)
        const pas = Array.from({ length: n }, (_, i) => PAGE * (rnd() < 0.7 ? start + i : int(1 << 20)))
        const g = gpaAt(int(PAGES))
        got = both((x) => x.mapPages(g, pas, RWX, 'ram', 'pages'))
        if (!(got[0] instanceof Error)) got = [undefined, undefined]
      } else if (op < 0.72) {
        const g = ref.entries.length && rnd() < 0.8 ? ref.entries[int(ref.entries.length)]!.gpa : gpaAt(int(PAGES))
        got = both((x) => x.unmap(g))
      } else if (op < 0.85) {
        const g = gpaAt(int(PAGES)) + (rnd() < 0.2 ? 0x80 * int(32) : 0)
        const size = rnd() < 0.25 ? PAGE * LEAF_PAGES * (1 + int(4)) : PAGE * int(80) + (rnd() < 0.1 ? 0x40 : 0)
        got = both((x) => x.unmapRange(g, size))
      } else {
        got = [null, null]
        for (let k = 0; k < 50; k++) {
          const g = gpaAt(int(PAGES + 16)) + int(PAGE)
          expect([step, g, strip(m.lookup(g))]).toEqual([step, g, strip(ref.lookup(g))])
        }
      }
      expect([step, strip(got[0])]).toEqual([step, strip(got[1])])
      expect(plain(m)).toEqual(plain(ref))
      // both edges of a few entries, and the bytes just outside them
      for (let k = 0; k < 8 && ref.entries.length; k++) {
        const e = ref.entries[int(ref.entries.length)]!
        for (const g of [e.gpa - 1, e.gpa, e.gpa + e.size - 1, e.gpa + e.size]) {
          expect([step, g, strip(m.lookup(g))]).toEqual([step, g, strip(ref.lookup(g))])
        }
      }
      const n = sizes[sizes.length - 1] ?? 0
      sizes.push(ref.entries.length)
      if (!(got[0] instanceof Error) && op < 0.6) ops.map++
      if (op >= 0.35 && op < 0.5 && !(got[0] instanceof Error) && ref.entries.length <= n) ops.merged++
      if (ref.entries.some((e) => e.gpa % PAGE || e.size % PAGE)) ops.odd++
      if (ref.entries.some((e) => e.size >= PAGE * LEAF_PAGES)) ops.leaf++
    }
    // the walk kept the map busy: many entries, some odd, some spanning whole leaves
    expect(Math.max(...sizes)).toBeGreaterThan(100)
    expect(ops.map).toBeGreaterThan(200)
    expect(ops.merged).toBeGreaterThan(20)
    expect(ops.odd).toBeGreaterThan(5)
    expect(ops.leaf).toBeGreaterThan(5)
    // the listing is what lookup answers from: same objects
    for (const e of m.entries) if (e.size > 0) expect(m.lookup(e.gpa)).toBe(e)
  })
})
