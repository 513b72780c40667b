/**
 * The LLC model against traces worked out by hand (set, way, victim) on two geometries, and
 * end to end: the two-VM demo with the feature on prints what it prints without it, and each VM's
 * accesses are counted.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Workbench } from '../../../core/api.ts'
import { createReplSession } from '../../../core/repl/sandbox.ts'
import { HIT, Llc, MISS_EMPTY, MISS_OTHER, MISS_OWN } from '../llc.ts'
import { llcOn } from '../model.ts'
import type { RiscvHart } from '../../arch-riscv64/hart.ts'

const root = join(import.meta.dirname, '..', '..', '..')

describe('the LLC model, by hand', () => {
  it('4 sets × 2 ways × 64 B: hits, fills, LRU victims of the same and of another owner', () => {
    const c = new Llc({ sizeBytes: 512, ways: 2, lineBytes: 64 })
    expect([c.sets, c.ways]).toEqual([4, 2])
    const step = (pa: number, owner: number): [number, number, number, number] => {
      const r = c.access(pa, owner)
      return [r, c.lastSet, c.lastWay, c.lastVictim]
    }
    expect(step(0x000, 1)).toEqual([MISS_EMPTY, 0, 0, -1]) // A: line 0, set 0
    expect(step(0x100, 1)).toEqual([MISS_EMPTY, 0, 1, -1]) // B: line 4, set 0
    expect(step(0x03f, 1)).toEqual([HIT, 0, 0, -1]) // A again (last byte of its line): A is now the newer
    expect(step(0x200, 2)).toEqual([MISS_OTHER, 0, 1, 1]) // C (line 8, set 0) evicts B, the older: owner 1's
    expect(step(0x100, 1)).toEqual([MISS_OWN, 0, 0, 1]) // B back evicts A (older than C): its own
    expect(step(0x040, 1)).toEqual([MISS_EMPTY, 1, 0, -1]) // line 1: set 1
    expect(step(0x07f, 1)).toEqual([HIT, 1, 0, -1])
    expect(c.stats()).toEqual(new Map([
      [1, { accesses: 6, hits: 2, misses: 4, evictedByOthers: 1 }],
      [2, { accesses: 1, hits: 0, misses: 1, evictedByOthers: 0 }],
    ]))
    // resetCounts keeps the lines (B is still in set 0), flush keeps the counts, reset drops both
    c.resetCounts()
    expect(c.stats().size).toBe(0)
    expect(c.access(0x100, 1)).toBe(HIT)
    c.flush()
    expect(c.stats().get(1)).toEqual({ accesses: 1, hits: 1, misses: 0, evictedByOthers: 0 })
    expect(c.access(0x100, 1)).toBe(MISS_EMPTY)
    c.reset()
    expect(c.stats().size).toBe(0)
    expect(c.access(0x000, 1)).toBe(MISS_EMPTY)
  })

  it('the U74-MC L2 (2 MiB, 16 ways, 64 B: 2048 sets): the 17th line of a set evicts the least recently used', () => {
    const c = new Llc({ sizeBytes: 2 * 1024 * 1024, ways: 16, lineBytes: 64 })
    expect(c.sets).toBe(2048)
    const at = (k: number): number => 0x8000_0000 + 5 * 64 + k * 2048 * 64 // set 5, line k of it
    for (let k = 0; k < 16; k++) expect([c.access(at(k), k % 2), c.lastSet, c.lastWay]).toEqual([MISS_EMPTY, 5, k])
    expect([c.access(at(16), 0), c.lastWay, c.lastVictim]).toEqual([MISS_OWN, 0, 0]) // k=0 was the oldest
    expect([c.access(at(1), 1), c.lastWay]).toEqual([HIT, 1])
    expect([c.access(at(17), 1), c.lastWay, c.lastVictim]).toEqual([MISS_OTHER, 2, 0]) // k=2 is the oldest now
    expect(c.access(at(0), 0)).not.toBe(HIT) // gone
    expect(c.access(0x8000_0000 + 6 * 64, 0)).toBe(MISS_EMPTY) // set 6 is untouched
  })

  it('saves and restores its lines, LRU clock and counters; refuses a state it could not have saved', () => {
    const g = { sizeBytes: 512, ways: 2, lineBytes: 64 }
    const a = new Llc(g)
    for (const [pa, o] of [[0x000, 1], [0x100, 1], [0x040, 2], [0x200, 2], [0x000, 1]] as const) a.access(pa, o)
    const saved = JSON.parse(JSON.stringify(a.snapshot()))
    const b = new Llc(g)
    b.restore(saved)
    expect(b.snapshot()).toEqual(a.snapshot())
    expect(b.stats()).toEqual(a.stats())
    // the same next accesses do the same in both (LRU order came back, not only the lines)
    for (const pa of [0x300, 0x100, 0x000, 0x140]) expect(b.access(pa, 3)).toBe(a.access(pa, 3))
    const bad = (edit: (s: ReturnType<Llc['snapshot']>) => void, path: RegExp): void => {
      const s = JSON.parse(JSON.stringify(saved))
      edit(s)
      const c = new Llc(g)
      c.access(0x80, 9)
      const before = JSON.stringify(c.snapshot())
      expect(() => c.restore(s)).toThrow(path)
      expect(JSON.stringify(c.snapshot())).toBe(before) // nothing changed
    }
    bad((s) => { s.ways = 4 }, /^ways: is 4, but this board's LLC has 2/)
    bad((s) => { s.lines[0]![0] = 8 }, /^lines\[0\]\[0\]: way index 8 is beyond/)
    bad((s) => { s.lines[1]![0] = s.lines[0]![0] }, /^lines\[1\]\[0\]: way \d appears twice/)
    bad((s) => { s.lines[0]![1] += 1 }, /^lines\[0\]\[1\]: line \d+ does not belong to set/)
    bad((s) => { s.lines[0]![3] = s.tick + 1 }, /^lines\[0\]\[3\]: last use .* is after the clock/)
    bad((s) => { s.counts[0]![2] += 1 }, /^counts\[0\]: hits \+ misses must equal accesses/)
    bad((s) => { (s.lines[0] as unknown[])[2] = 'vm' }, /^lines\[0\]\[2\]/)
    bad((s) => { (s as Record<string, unknown>).extra = 1 }, /extra|Unrecognized/)
  })

  it('refuses a geometry that is not whole sets', () => {
    expect(() => new Llc({ sizeBytes: 1000, ways: 3, lineBytes: 64 })).toThrow(/not a whole number of sets/)
    expect(() => new Llc({ sizeBytes: 0, ways: 16, lineBytes: 64 })).toThrow(/must be positive/)
  })
})

describe('feature llc on the two-VM demo', () => {
  it('changes no output, counts each VM, and goes away with the plugin', async () => {
    const file = join(root, 'configs', 'two-vms.json')
    const plain = await Workbench.open({ config: file })
    plain.run(30)
    const data = JSON.parse(readFileSync(file, 'utf8'))
    data.features = ['llc']
    const wb = await Workbench.open({ config: file, configData: data })
    expect(wb.machine.bus.observed).toBe(true)
    wb.run(30)
    for (const vm of ['vm1', 'vm2']) expect(wb.vm(vm).console.read()).toBe(plain.vm(vm).console.read())
    // the demo idles most of the time: the same instructions, done later. Each miss stalled the
    // hart it came from by the board's 100 cycles (what is not yet taken waits for the next window)
    expect(wb.stats().instructions).toBe(plain.stats().instructions)
    const stats = llcOn(wb.machine.bus)!.stats()
    for (const vm of ['vm1', 'vm2']) {
      const hart = wb.machine.cpus[wb.hypervisor!.vms.find((v) => v.name === vm)!.vcpus[0]!.pcpu] as unknown as RiscvHart
      expect(hart.stallTotal).toBeGreaterThan(0)
      expect(hart.stallTotal).toBeLessThanOrEqual(stats[vm]!.misses * 100)
      expect(hart.stallTotal % 100).toBe(0)
      expect(stats[vm]!.accesses).toBeGreaterThan(1000)
      expect(stats[vm]!.misses).toBeGreaterThan(0)
      expect(stats[vm]!.hits).toBe(stats[vm]!.accesses - stats[vm]!.misses)
    }
    wb.plugins.unload('feat-llc')
    expect(wb.machine.bus.observed).toBe(false)
  })
})

describe('the REPL', () => {
  it('llc.stats() / llc.reset() with the feature on, and board.colors()', async () => {
    const file = join(root, 'configs', 'two-vms.json')
    const data = JSON.parse(readFileSync(file, 'utf8'))
    data.features = ['llc']
    const wb = await Workbench.open({ config: file, configData: data })
    const s = createReplSession(wb)
    const out = async (code: string): Promise<string> => {
      const r = await s.evaluate(code)
      if (r.error) throw new Error(`${code} → ${r.output}`)
      return r.output
    }
    await out('run(20)')
    expect(Number(await out('llc.stats().vm1.accesses'))).toBeGreaterThan(1000)
    expect(await out('Object.keys(llc.stats())')).toBe("[ 'vm1', 'vm2' ]")
    await out('llc.reset()')
    expect(await out('Object.keys(llc.stats()).length')).toBe('0')
    // flush empties the cache and keeps the counters (class-level tests check what it empties)
    await out('run(20)')
    const before = await out('JSON.stringify(llc.stats())')
    await out('llc.flush()')
    expect(await out('JSON.stringify(llc.stats())')).toBe(before)
    expect(await out('board.colors().colorNum')).toBe('32')
    expect(await out('board.colors().freePages.length')).toBe('32')
    expect(Number(await out('board.colors().freePages[0]'))).toBeGreaterThan(10000)
  })
})

describe('what the model sees of a hart', () => {
  it('a doubleword load or store is one access (not its two words), observed with size 8', async () => {
    const { MemoryBus } = await import('../../../core/bus.ts')
    const bus = new MemoryBus(0x10000)
    bus.addRam(0x8000_0000, 0x10000)
    const seen: [string, number, number][] = []
    bus.observe((kind, pa, size) => { seen.push([kind, pa, size]) })
    bus.storeDoubleword(0x8000_0008, 0x11223344, 0x55667788, 0)
    const out = new Int32Array(2)
    bus.loadDoubleword(0x8000_0008, out, 0)
    expect([out[0]! >>> 0, out[1]! >>> 0]).toEqual([0x11223344, 0x55667788])
    expect(seen).toEqual([['w', 0x8000_0008, 8], ['r', 0x8000_0008, 8]])
  })
})

describe('line tracking (translated code serving the newest line of each set itself)', () => {
  /** a config run for `ms` with the model on: everything observable, and the model's counters */
  async function observe(file: string, ms: number, lines: boolean, edit: (d: { vms: { colors?: string }[] }) => void = () => {}): Promise<string> {
    const data = JSON.parse(readFileSync(file, 'utf8'))
    data.features = [...new Set([...(data.features ?? []), 'llc'])]
    edit(data)
    const { MemoryBus } = await import('../../../core/bus.ts')
    const observe = MemoryBus.prototype.observe
    // without it: the model is offered no line tracking, so every access goes to it
    if (!lines) MemoryBus.prototype.observe = function (this: InstanceType<typeof MemoryBus>, fn) { return observe.call(this, fn) }
    try {
      const wb = await Workbench.open({ config: file, configData: data })
      wb.run({ ms })
      const s = wb.stats()
      return JSON.stringify({ t: s.virtualMs, insns: s.instructions, cpus: s.cpus.map((h) => [h.instret, String(h.pc)]), llc: llcOn(wb.machine.bus)!.stats(), out: wb.hypervisor!.vms.map((v) => v.console.text()) })
    } finally {
      MemoryBus.prototype.observe = observe
    }
  }

  it('changes nothing: two VMs sharing every set on two harts, and the two-VM demo', async () => {
    const colouring = join(root, 'configs', 'colouring.json')
    // uncoloured: both harts' lines in the same sets, interleaved window by window
    const shared = (d: { vms: { colors?: string }[] }): void => { for (const v of d.vms) delete v.colors }
    expect(await observe(colouring, 60, true, shared)).toBe(await observe(colouring, 60, false, shared))
    const demo = join(root, 'configs', 'two-vms.json')
    const on = await observe(demo, 40, true)
    expect(on).toBe(await observe(demo, 40, false))
    // both VMs' accesses went through the model (vm2 idles in WFI between console polls)
    expect(JSON.parse(on).llc.vm1.hits).toBeGreaterThan(1_000)
    expect(JSON.parse(on).llc.vm2.hits).toBeGreaterThan(1_000)
  }, 60_000)
})
