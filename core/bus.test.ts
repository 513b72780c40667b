import { describe, expect, it } from 'vitest'
import { BusError, MemoryBus, PAGE_SIZE, STATE_AREA_BYTES, type MmioHandler } from './bus.ts'

const RAM_BASE = 0x8000_0000
const RAM_SIZE = 64 * 1024

function board(): MemoryBus {
  const bus = new MemoryBus(RAM_SIZE)
  bus.addRam(RAM_BASE, RAM_SIZE)
  return bus
}

/** Run `fn`, which must throw a BusError (a value, not an Error subclass), and return it. */
function busError(fn: () => unknown): BusError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(BusError)
    return e as BusError
  }
  throw new Error('expected a BusError, nothing was thrown')
}

/** A device that records every access and answers reads with offset-dependent values. */
class FakeDevice implements MmioHandler {
  readonly log: string[] = []
  read(offset: number, size: number): number {
    this.log.push(`r ${offset} ${size}`)
    return (0xd000_0000 + offset) >>> 0
  }
  write(offset: number, size: number, value: number): void {
    this.log.push(`w ${offset} ${size} 0x${value.toString(16)}`)
  }
}

describe('MemoryBus RAM', () => {
  it('reads back what was written at every width', () => {
    const bus = board()
    bus.write8(RAM_BASE, 0xab)
    bus.write16(RAM_BASE + 2, 0xbeef)
    bus.write32(RAM_BASE + 4, 0xdead_beef)
    bus.write64(RAM_BASE + 8, 0x0123_4567_89ab_cdefn)
    expect(bus.read8(RAM_BASE)).toBe(0xab)
    expect(bus.read16(RAM_BASE + 2)).toBe(0xbeef)
    expect(bus.read32(RAM_BASE + 4)).toBe(0xdead_beef)
    expect(bus.read64(RAM_BASE + 8)).toBe(0x0123_4567_89ab_cdefn)
  })

  it('stores little-endian: the least significant byte at the lowest address', () => {
    const bus = board()
    bus.write32(RAM_BASE, 0x1122_3344)
    bus.write64(RAM_BASE + 8, 0x0102_0304_0506_0708n)
    expect([...bus.dump(RAM_BASE, 4)]).toEqual([0x44, 0x33, 0x22, 0x11])
    expect([...bus.dump(RAM_BASE + 8, 8)]).toEqual([8, 7, 6, 5, 4, 3, 2, 1])
    expect(bus.read16(RAM_BASE + 1)).toBe(0x2233)
  })

  it('returns reads zero-extended (a 32-bit all-ones value is positive)', () => {
    const bus = board()
    bus.write32(RAM_BASE, -1)
    expect(bus.read32(RAM_BASE)).toBe(0xffff_ffff)
    expect(bus.read16(RAM_BASE)).toBe(0xffff)
    expect(bus.read8(RAM_BASE)).toBe(0xff)
  })

  it('truncates a written value to the access width and leaves the neighbours alone', () => {
    const bus = board()
    bus.write32(RAM_BASE, 0x5555_5555)
    bus.write8(RAM_BASE + 1, 0x1ff)
    bus.write16(RAM_BASE + 2, 0x1_2345)
    expect(bus.read32(RAM_BASE)).toBe(0x2345_ff55)
  })

  it('handles misaligned accesses of every width', () => {
    const bus = board()
    for (const off of [1, 3, 5, 7]) {
      const at = RAM_BASE + 0x10 * off
      bus.write16(at + 0x100, 0xa1b2)
      expect(bus.read16(at + 0x100)).toBe(0xa1b2)
      bus.write32(at + 0x200, 0xc3d4_e5f6)
      expect(bus.read32(at + 0x200)).toBe(0xc3d4_e5f6)
      bus.write64(at + 0x300, 0xfedc_ba98_7654_3210n)
      expect(bus.read64(at + 0x300)).toBe(0xfedc_ba98_7654_3210n)
    }
    expect([...bus.dump(RAM_BASE + 0x210, 4)]).toEqual([0xf6, 0xe5, 0xd4, 0xc3])
  })

  it('handles accesses that cross a page boundary', () => {
    const bus = board()
    const edge = RAM_BASE + PAGE_SIZE
    bus.write32(edge - 2, 0x0a0b_0c0d)
    expect(bus.read32(edge - 2)).toBe(0x0a0b_0c0d)
    expect(bus.read16(edge - 2)).toBe(0x0c0d)
    expect(bus.read16(edge)).toBe(0x0a0b)
    bus.write64(edge - 3, 0x1112_1314_1516_1718n)
    expect(bus.read64(edge - 3)).toBe(0x1112_1314_1516_1718n)
  })

  it('reads never-written RAM as zero', () => {
    const bus = board()
    expect(bus.read32(RAM_BASE + RAM_SIZE - 4)).toBe(0)
    expect(bus.read64(RAM_BASE + 0x800)).toBe(0n)
  })

  it('places RAM in the arena after the state area', () => {
    const bus = board()
    expect(bus.ramOffset(RAM_BASE)).toBe(STATE_AREA_BYTES)
    expect(bus.ramOffset(RAM_BASE + RAM_SIZE - 1)).toBe(STATE_AREA_BYTES + RAM_SIZE - 1)
    expect(bus.ramOffset(RAM_BASE + RAM_SIZE)).toBe(-1)
    bus.write32(RAM_BASE + 0x10, 0xcafe_f00d)
    expect(bus.dv.getUint32(STATE_AREA_BYTES + 0x10, true)).toBe(0xcafe_f00d)
  })

  it('keeps RAM beyond the arena as sparse pages with the same semantics', () => {
    // ramBytes 0: the arena holds only the state area, so all RAM is sparse
    const bus = new MemoryBus(0)
    bus.addRam(RAM_BASE, 4 * PAGE_SIZE)
    expect(bus.ramOffset(RAM_BASE)).toBe(-1)
    expect(bus.read32(RAM_BASE + 8)).toBe(0)
    bus.write32(RAM_BASE + PAGE_SIZE - 1, 0x8899_aabb) // misaligned, crossing a page
    expect(bus.read32(RAM_BASE + PAGE_SIZE - 1)).toBe(0x8899_aabb)
    bus.write64(RAM_BASE + 0x20, 0xf0e1_d2c3_b4a5_9687n)
    expect(bus.read64(RAM_BASE + 0x20)).toBe(0xf0e1_d2c3_b4a5_9687n)
    expect([...bus.dump(RAM_BASE + 0x20, 2)]).toEqual([0x87, 0x96])
  })
})

describe('MemoryBus MMIO', () => {
  it('dispatches reads and writes to the handler with region offsets and sizes', () => {
    const bus = board()
    const dev = new FakeDevice()
    bus.addMmio(0x1000_0000, 0x100, 'dev0', dev)
    bus.write8(0x1000_0003, 0x41)
    bus.write16(0x1000_0010, 0x1234)
    bus.write32(0x1000_00fc, 0xffff_ffff)
    expect(bus.read32(0x1000_0020)).toBe(0xd000_0020)
    expect(bus.read8(0x1000_0000)).toBe(0xd000_0000)
    expect(dev.log).toEqual(['w 3 1 0x41', 'w 16 2 0x1234', 'w 252 4 0xffffffff', 'r 32 4', 'r 0 1'])
  })

  it('passes written values to the handler as unsigned', () => {
    const bus = board()
    const dev = new FakeDevice()
    bus.addMmio(0x1000_0000, 0x100, 'dev0', dev)
    bus.write32(0x1000_0000, -2)
    expect(dev.log).toEqual(['w 0 4 0xfffffffe'])
  })

  it('returns a handler result as an unsigned 32-bit number', () => {
    const bus = board()
    bus.addMmio(0x1000_0000, 0x100, 'neg', { read: () => -1, write: () => {} })
    expect(bus.read32(0x1000_0000)).toBe(0xffff_ffff)
  })

  it('splits an 8-byte access into the low word then the high word', () => {
    const bus = board()
    const dev = new FakeDevice()
    bus.addMmio(0x200_0000, 0x1_0000, 'clint', dev)
    bus.write64(0x200_4000, 0x1111_2222_3333_4444n)
    expect(bus.read64(0x200_4008)).toBe((0xd000_400cn << 32n) | 0xd000_4008n)
    expect(dev.log).toEqual(['w 16384 4 0x33334444', 'w 16388 4 0x11112222', 'r 16392 4', 'r 16396 4'])
  })

  it('picks the right region among several and stops dispatching after removal', () => {
    const bus = board()
    const a = new FakeDevice()
    const b = new FakeDevice()
    const ra = bus.addMmio(0x1000_0000, 0x100, 'a', a)
    bus.addMmio(0x1000_1000, 0x100, 'b', b)
    bus.write8(0x1000_1004, 1)
    expect(a.log).toEqual([])
    expect(b.log).toEqual(['w 4 1 0x1'])
    bus.removeMmio(ra)
    expect(busError(() => bus.read8(0x1000_0000)).pa).toBe(0x1000_0000)
  })

  it('sends accesses to a replaced handler without changing the map', () => {
    const bus = board()
    const old = new FakeDevice()
    const neu = new FakeDevice()
    const r = bus.addMmio(0x1000_0000, 0x100, 'dev', old)
    const gen = bus.generation
    bus.replaceMmioHandler(r, neu)
    bus.write8(0x1000_0001, 7)
    expect(old.log).toEqual([])
    expect(neu.log).toEqual(['w 1 1 0x7'])
    expect(bus.findMmio(0x1000_0001)).toBe(r)
    expect(bus.generation).toBe(gen)
  })

  it('rejects an access that runs past the end of a region', () => {
    const bus = board()
    const dev = new FakeDevice()
    bus.addMmio(0x1000_0000, 0x100, 'dev0', dev)
    const e = busError(() => bus.read32(0x1000_00fe))
    expect([e.pa, e.kind, e.size]).toEqual([0x1000_00fe, 'r', 4])
    expect(busError(() => bus.write16(0x1000_00ff, 0)).kind).toBe('w')
    expect(dev.log).toEqual([])
  })

  it('tells the handler which CPU accesses, -1 for the host', () => {
    const bus = board()
    const cpus: number[] = []
    bus.addMmio(0x1000_0000, 0x100, 'dev0', {
      read: (_o, _s, cpu) => { cpus.push(cpu!); return 0 },
      write: (_o, _s, _v, cpu) => { cpus.push(cpu!) },
    })
    bus.read(0x1000_0000, 4, 3)
    bus.write(0x1000_0000, 4, 0, 1)
    bus.read32(0x1000_0000)
    bus.write8(0x1000_0000, 0)
    expect(cpus).toEqual([3, 1, -1, -1])
  })
})

describe('MemoryBus errors and the map', () => {
  it('throws BusError with the address and kind for an unmapped read', () => {
    const bus = board()
    const e = busError(() => bus.read32(0x4000_0000))
    expect([e.pa, e.kind, e.size]).toEqual([0x4000_0000, 'r', 4])
  })

  it('throws BusError with the address and kind for an unmapped write', () => {
    const bus = board()
    const e = busError(() => bus.write16(0x4000_0010, 1))
    expect([e.pa, e.kind, e.size]).toEqual([0x4000_0010, 'w', 2])
  })

  it('throws BusError just past the end of RAM and just before it', () => {
    const bus = board()
    expect(busError(() => bus.read8(RAM_BASE + RAM_SIZE)).pa).toBe(RAM_BASE + RAM_SIZE)
    expect(busError(() => bus.read8(RAM_BASE - 1)).pa).toBe(RAM_BASE - 1)
    expect(busError(() => bus.write8(RAM_BASE + RAM_SIZE, 0)).kind).toBe('w')
  })

  it('throws BusError naming an unmapped byte for accesses that start in RAM and run off its end', () => {
    const bus = board()
    const r = busError(() => bus.read32(RAM_BASE + RAM_SIZE - 2))
    expect(r.kind).toBe('r')
    expect(r.pa).toBeGreaterThanOrEqual(RAM_BASE + RAM_SIZE)
    expect(r.pa).toBeLessThan(RAM_BASE + RAM_SIZE + 2)
    const w = busError(() => bus.write32(RAM_BASE + RAM_SIZE - 2, 0))
    expect(w.kind).toBe('w')
    expect(w.pa).toBeGreaterThanOrEqual(RAM_BASE + RAM_SIZE)
    expect(w.pa).toBeLessThan(RAM_BASE + RAM_SIZE + 2)
  })

  it('rejects RAM overlapping RAM, MMIO overlapping RAM, and RAM overlapping MMIO', () => {
    const bus = board()
    bus.addMmio(0x1000_0000, 0x1000, 'uart0', new FakeDevice())
    expect(() => bus.addRam(RAM_BASE + RAM_SIZE - PAGE_SIZE, 2 * PAGE_SIZE)).toThrow(/overlaps RAM/)
    expect(() => bus.addMmio(RAM_BASE + 0x10, 0x10, 'dev1', new FakeDevice())).toThrow(/dev1 .*overlaps RAM/)
    expect(() => bus.addRam(0x1000_0000 - PAGE_SIZE, 2 * PAGE_SIZE)).toThrow(/overlaps uart0/)
    expect(() => bus.addMmio(0x1000_0fff, 2, 'dev2', new FakeDevice())).toThrow(/overlaps uart0/)
  })

  it('accepts regions that touch without overlapping', () => {
    const bus = board()
    bus.addMmio(RAM_BASE + RAM_SIZE, 0x1000, 'after', new FakeDevice())
    bus.addMmio(RAM_BASE - 0x1000, 0x1000, 'before', new FakeDevice())
    bus.addRam(RAM_BASE + RAM_SIZE + 0x1000, PAGE_SIZE)
    expect(bus.isRamRange(RAM_BASE + RAM_SIZE + 0x1000, PAGE_SIZE)).toBe(true)
  })

  it('rejects RAM that is not page-aligned', () => {
    const bus = new MemoryBus(RAM_SIZE)
    expect(() => bus.addRam(RAM_BASE + 1, PAGE_SIZE)).toThrow(/page-aligned/)
    expect(() => bus.addRam(RAM_BASE, PAGE_SIZE + 1)).toThrow(/page-aligned/)
    expect(() => bus.addRam(RAM_BASE, 0)).toThrow(/page-aligned/)
    expect(bus.ram).toEqual([])
  })

  it('bumps generation whenever the map changes', () => {
    const bus = new MemoryBus(RAM_SIZE)
    const g0 = bus.generation
    bus.addRam(RAM_BASE, RAM_SIZE)
    const g1 = bus.generation
    const r = bus.addMmio(0x1000_0000, 0x100, 'dev', new FakeDevice())
    const g2 = bus.generation
    bus.removeMmio(r)
    const g3 = bus.generation
    expect(g1).toBeGreaterThan(g0)
    expect(g2).toBeGreaterThan(g1)
    expect(g3).toBeGreaterThan(g2)
  })

  it('reports whether a range is entirely RAM across adjacent regions', () => {
    const bus = new MemoryBus(2 * PAGE_SIZE)
    bus.addRam(RAM_BASE + PAGE_SIZE, PAGE_SIZE)
    bus.addRam(RAM_BASE, PAGE_SIZE)
    expect(bus.isRamRange(RAM_BASE, 2 * PAGE_SIZE)).toBe(true)
    expect(bus.isRamRange(RAM_BASE, 2 * PAGE_SIZE + 1)).toBe(false)
    expect(bus.isRamRange(RAM_BASE - 1, 2)).toBe(false)
    // the two regions are physically adjacent but added out of order, so not contiguous in
    // the arena: an access across the seam must still see the right bytes
    bus.write32(RAM_BASE + PAGE_SIZE - 2, 0x0102_0304)
    expect(bus.read32(RAM_BASE + PAGE_SIZE - 2)).toBe(0x0102_0304)
    expect(bus.read16(RAM_BASE + PAGE_SIZE)).toBe(0x0102)
  })
})

describe('MemoryBus with 4 GiB of RAM', () => {
  const GiB = 2 ** 30
  const last = RAM_BASE + 4 * GiB - 1

  it('does not allocate the RAM it is given: first and last byte work, RSS grows < 64 MiB', () => {
    global.gc?.()
    const rss0 = process.memoryUsage().rss
    const bus = new MemoryBus(4 * GiB)
    bus.addRam(RAM_BASE, 4 * GiB)
    bus.write8(RAM_BASE, 0x5a)
    bus.write8(last, 0xa5)
    bus.write32(last - 3 - PAGE_SIZE * 1000, 0x7654_3210)
    expect(bus.read8(RAM_BASE)).toBe(0x5a)
    expect(bus.read8(last)).toBe(0xa5)
    expect(bus.read32(last - 3 - PAGE_SIZE * 1000)).toBe(0x7654_3210)
    expect(bus.read8(last - 1)).toBe(0)
    expect(bus.isRamRange(RAM_BASE, 4 * GiB)).toBe(true)
    expect(busError(() => bus.read8(last + 1)).pa).toBe(last + 1)
    // the tail beyond the arena is sparse: the CPU fast path cannot reach it
    expect(bus.ramOffset(RAM_BASE)).toBeGreaterThanOrEqual(0)
    expect(bus.ramOffset(last)).toBe(-1)
    const grew = process.memoryUsage().rss - rss0
    expect(grew).toBeLessThan(64 * 2 ** 20)
  })

  it('reads, writes, loads and dumps across the arena/sparse seam', () => {
    const bus = new MemoryBus(4 * GiB)
    bus.addRam(RAM_BASE, 4 * GiB)
    const seam = bus.ram.find((r) => r.arenaOffset < 0)!.base
    expect(seam).toBeGreaterThan(RAM_BASE)
    expect(bus.ramOffset(seam - 1)).toBeGreaterThan(0)
    expect(bus.ramOffset(seam)).toBe(-1)

    bus.write32(seam - 2, 0xa1b2_c3d4)
    expect(bus.read32(seam - 2)).toBe(0xa1b2_c3d4)
    expect(bus.read16(seam)).toBe(0xa1b2)
    bus.write64(seam - 4, 0x1020_3040_5060_7080n)
    expect(bus.read64(seam - 4)).toBe(0x1020_3040_5060_7080n)

    const bytes = new Uint8Array(3 * PAGE_SIZE + 123).map((_, i) => (i * 7 + 3) & 0xff)
    const at = seam - PAGE_SIZE - 45
    bus.load(at, bytes)
    expect(bus.dump(at, bytes.length)).toEqual(bytes)
    expect(bus.read8(seam - 1)).toBe(bytes[PAGE_SIZE + 44])
    expect(bus.read8(seam)).toBe(bytes[PAGE_SIZE + 45])
    expect(bus.read8(at - 1)).toBe(0)
    expect(bus.read8(at + bytes.length)).toBe(0)
  })
})

describe('MemoryBus load and dump', () => {
  it('copies bytes in and out at an unaligned address across pages', () => {
    const bus = board()
    const bytes = new Uint8Array(2 * PAGE_SIZE + 17).map((_, i) => (i * 13) & 0xff)
    bus.load(RAM_BASE + 5, bytes)
    expect(bus.dump(RAM_BASE + 5, bytes.length)).toEqual(bytes)
    expect(bus.read8(RAM_BASE + 4)).toBe(0)
    expect(bus.read8(RAM_BASE + 5 + bytes.length)).toBe(0)
    expect(bus.read32(RAM_BASE + 5 + PAGE_SIZE)).toBe(
      bytes[PAGE_SIZE]! | (bytes[PAGE_SIZE + 1]! << 8) | (bytes[PAGE_SIZE + 2]! << 16) | ((bytes[PAGE_SIZE + 3]! << 24) >>> 0),
    )
  })

  it('refuses a load that does not fit RAM and writes nothing', () => {
    const bus = board()
    const bytes = new Uint8Array(16).fill(0xee)
    const e = busError(() => bus.load(RAM_BASE + RAM_SIZE - 8, bytes))
    expect([e.pa, e.kind]).toEqual([RAM_BASE + RAM_SIZE - 8, 'w'])
    expect([...bus.dump(RAM_BASE + RAM_SIZE - 8, 8)]).toEqual(new Array(8).fill(0))
  })

  it('refuses to load into MMIO', () => {
    const bus = board()
    const dev = new FakeDevice()
    bus.addMmio(0x1000_0000, 0x100, 'dev', dev)
    busError(() => bus.load(0x1000_0000, new Uint8Array(4)))
    expect(dev.log).toEqual([])
  })

  it('dump of unmapped memory throws BusError', () => {
    const bus = board()
    expect(busError(() => bus.dump(RAM_BASE + RAM_SIZE - 2, 4)).pa).toBe(RAM_BASE + RAM_SIZE)
  })
})

describe('MemoryBus observers', () => {
  const log = (seen: string[]) => (kind: string, pa: number, size: number, value: number): void => { seen.push(`${kind} ${pa.toString(16)} ${size} ${value.toString(16)}`) }

  it('sees reads and writes with kind, address, size and value while registered, and nothing after', () => {
    const bus = board()
    const seen: string[] = []
    expect(bus.observed).toBe(false)
    const stop = bus.observe(log(seen))
    expect(bus.observed).toBe(true)
    bus.write32(RAM_BASE, 0x1234_5678)
    bus.read16(RAM_BASE + 2)
    bus.write8(RAM_BASE + 9, 0xff)
    stop()
    expect(bus.observed).toBe(false)
    bus.read32(RAM_BASE)
    bus.write32(RAM_BASE, 0)
    expect(seen).toEqual(['w 80000000 4 12345678', 'r 80000002 2 1234', 'w 80000009 1 ff'])
  })

  it('sees MMIO accesses too', () => {
    const bus = board()
    bus.addMmio(0x1000_0000, 0x100, 'dev', new FakeDevice())
    const seen: string[] = []
    bus.observe(log(seen))
    bus.read8(0x1000_0004)
    expect(seen).toEqual(['r 10000004 1 d0000004'])
  })

  it('tells two observers (an LLC model and watchpoints) the same accesses; removing one keeps the other', () => {
    const bus = board()
    const llc: string[] = [], watch: string[] = []
    const stopLlc = bus.observe(log(llc))
    const stopWatch = bus.observe(log(watch))
    bus.write32(RAM_BASE + 0x40, 0xcafe)
    bus.read8(RAM_BASE + 0x41)
    expect(llc).toEqual(['w 80000040 4 cafe', 'r 80000041 1 ca'])
    expect(watch).toEqual(llc)
    stopLlc()
    stopLlc() // twice is once
    expect(bus.observed).toBe(true)
    bus.read16(RAM_BASE + 0x40)
    expect(llc.length).toBe(2)
    expect(watch).toEqual(['w 80000040 4 cafe', 'r 80000041 1 ca', 'r 80000040 2 cafe'])
    stopWatch()
    expect(bus.observed).toBe(false)
    bus.read16(RAM_BASE + 0x40)
    expect(watch.length).toBe(3)
  })

  it('an observer may remove itself (or another) while being told; the rest of that access still reaches the others', () => {
    const bus = board()
    const seen: string[] = []
    let stopA = (): void => {}
    stopA = bus.observe((kind) => { seen.push(`a ${kind}`); stopA() })
    bus.observe((kind) => { seen.push(`b ${kind}`) })
    bus.read8(RAM_BASE)
    bus.write8(RAM_BASE, 1)
    expect(seen).toEqual(['a r', 'b r', 'b w'])
  })

  it('flips `observed` only with the first observer and the last, bumping generation and telling listeners each time', () => {
    const bus = board()
    const flips: boolean[] = []
    bus.onObservedChange(() => flips.push(bus.observed))
    const g0 = bus.generation
    const stop1 = bus.observe(() => {})
    const g1 = bus.generation
    const stop2 = bus.observe(() => {})
    stop1()
    expect(bus.generation).toBe(g1) // the second came and the first went: still observed, CPUs keep their slow path
    stop2()
    expect(g1).toBeGreaterThan(g0)
    expect(bus.generation).toBeGreaterThan(g1)
    expect(flips).toEqual([true, false])
  })
})

describe('MemoryBus code invalidation', () => {
  /** A bus whose first two RAM pages are flagged as holding decoded code. */
  function withCode() {
    const bus = board()
    const p0 = bus.ramOffset(RAM_BASE) >>> 12
    const calls: number[] = []
    const off = bus.onCodeWrite((p) => { calls.push(p) })
    const flag = (): void => {
      bus.codePages[p0] = 1
      bus.codePages[p0 + 1] = 1
    }
    flag()
    return { bus, p0, calls, off, flag }
  }

  it('invalidates a flagged page on a write() into it, once, and clears its flag', () => {
    const { bus, p0, calls } = withCode()
    bus.write32(RAM_BASE + 0x10, 0x13)
    expect(calls).toEqual([p0])
    expect(bus.codePages[p0]).toBe(0)
    bus.write32(RAM_BASE + 0x14, 0x13)
    expect(calls).toEqual([p0])
  })

  it('invalidates both pages of a write that straddles two flagged pages', () => {
    const { bus, p0, calls } = withCode()
    bus.write32(RAM_BASE + PAGE_SIZE - 2, 0xffff_ffff)
    expect(calls).toEqual([p0, p0 + 1])
  })

  it('invalidates a flagged page on a load() into it', () => {
    const { bus, p0, calls } = withCode()
    bus.load(RAM_BASE + PAGE_SIZE + 8, new Uint8Array([1, 2, 3, 4]))
    expect(calls).toEqual([p0 + 1])
    expect(bus.codePages[p0]).toBe(1)
  })

  it('invalidates every flagged page a multi-page load() covers', () => {
    const { bus, p0, calls } = withCode()
    bus.load(RAM_BASE + 100, new Uint8Array(PAGE_SIZE))
    expect(calls).toEqual([p0, p0 + 1])
  })

  it('does not fire for writes to unflagged pages, for reads, or after unsubscribing', () => {
    const { bus, p0, calls, off, flag } = withCode()
    bus.write32(RAM_BASE + 2 * PAGE_SIZE, 1)
    bus.read32(RAM_BASE)
    bus.dump(RAM_BASE, 16)
    expect(calls).toEqual([])
    off()
    bus.write8(RAM_BASE, 1)
    expect(calls).toEqual([])
    expect(bus.codePages[p0]).toBe(0)
    flag()
  })

  it('tells listeners where the write was, and keeps the page flagged when none says its code was touched', () => {
    const bus = board()
    const p0 = bus.ramOffset(RAM_BASE) >>> 12
    const seen: [number, number, number][] = []
    bus.onCodeWrite((p, off, size) => { seen.push([p, off, size]); return off >= 0x100 })
    bus.codePages[p0] = 1
    bus.write32(RAM_BASE + 0x10, 0x13) // data beside the code: stays code
    expect(bus.codePages[p0]).toBe(1)
    bus.write16(RAM_BASE + 0x100, 0x13) // the code itself
    expect(bus.codePages[p0]).toBe(0)
    expect(seen).toEqual([[p0, 0x10, 4], [p0, 0x100, 2]])
  })

  it('invalidates on a misaligned write within a flagged page', () => {
    const { bus, p0, calls } = withCode()
    bus.write16(RAM_BASE + 0x101, 0xabcd)
    expect(calls).toEqual([p0])
  })
})

describe('MemoryBus line tracking', () => {
  const lines = (sets: number, hits: [number, number][] = []) => ({ lineBytes: 64, sets, hits: (cpu: number, n: number) => { hits.push([cpu, n]) } })
  it('is offered to CPUs only while its observer is the only one, and each change flushes them', () => {
    const bus = board()
    let flips = 0
    bus.onObservedChange(() => flips++)
    const stop = bus.observe(() => {}, lines(16))
    expect(bus.lineTracking?.sets).toBe(16)
    expect(flips).toBe(1)
    const watch = bus.observe(() => {}) // a watchpoint: every access must reach the bus again
    expect(bus.lineTracking).toBe(null)
    expect(flips).toBe(2)
    watch()
    expect(bus.lineTracking?.sets).toBe(16)
    expect(flips).toBe(3)
    stop()
    expect([bus.lineTracking, bus.observed, flips]).toEqual([null, false, 4])
    expect(() => bus.observe(() => {}, { lineBytes: 48, sets: 4, hits: () => {} })).toThrow(/power of two/)
  })
  it('tells the accessing CPU the set and line of each access, and passes its hits on', () => {
    const bus = board()
    const hits: [number, number][] = []
    bus.observe(() => {}, lines(4, hits))
    const touched: [number, number][] = []
    bus.onLineTouched(1, (set, line) => touched.push([set, line]))
    bus.read(RAM_BASE + 0x1c0, 4, 1) // line (RAM_BASE >> 6) + 7
    bus.storeDoubleword(RAM_BASE + 0x40, 1, 2, 1)
    bus.read(RAM_BASE, 4, 0) // another CPU: not told to CPU 1
    bus.read(RAM_BASE, 4) // the host: nobody
    const l0 = RAM_BASE / 64
    expect(touched).toEqual([[(l0 + 7) % 4, l0 + 7], [(l0 + 1) % 4, l0 + 1]])
    bus.reportLineHits(1, 5)
    expect(hits).toEqual([[1, 5]])
  })
})
