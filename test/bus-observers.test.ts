/**
 * Bus observers on a running hart: an observer registered mid-run sees the guest's stores even
 * where the hart's TLB already held fast entries (the machine flushes them when the bus becomes
 * observed), a watchpoint stops `run` at the store it watches, and observing changes nothing the
 * guest can see — output and instruction count match an unobserved run.
 */
import { describe, expect, it } from 'vitest'
import { Workbench } from '../core/api.ts'

const IMAGE = 'bench/rv64-loop/prog_50.elf'

async function open(): Promise<{ wb: Workbench; out: () => string }> {
  const wb = await Workbench.open({ bare: IMAGE })
  let out = ''
  wb.machine.serial(wb.board.console ?? 'uart0').onOutput((b) => { out += String.fromCharCode(b) })
  return { wb, out: () => out }
}

describe('bus observers on a running hart', () => {
  it('see stores after the fast path warmed up, stop seeing them when removed, and change neither output nor instruction count', async () => {
    const plain = await open()
    plain.wb.run({ ms: 10_000 })
    expect(plain.wb.machine.power.off).toBe(true)
    expect(plain.out()).toMatch(/^checksum=[0-9a-f]{16}\n$/)

    const { wb, out } = await open()
    wb.run({ insns: 200_000 }) // the work loop's stores now hit fast TLB entries
    const llc: number[] = [], watch: number[] = []
    const stopLlc = wb.machine.bus.observe((kind, pa) => { if (kind === 'w') llc.push(pa) })
    const stopWatch = wb.machine.bus.observe((kind, pa) => { if (kind === 'w') watch.push(pa) })
    wb.run({ insns: 20_000 })
    expect(llc.length).toBeGreaterThan(1000)
    expect(watch).toEqual(llc)
    stopLlc()
    wb.run({ insns: 20_000 })
    expect(watch.length).toBeGreaterThan(llc.length)
    stopWatch()
    expect(wb.machine.bus.observed).toBe(false)
    const seen = watch.length
    wb.run({ ms: 10_000 })
    expect(watch.length).toBe(seen)
    expect(wb.machine.power.off).toBe(true)
    expect(out()).toBe(plain.out())
    expect(wb.stats().cpus.map((h) => h.instret)).toEqual(plain.wb.stats().cpus.map((h) => h.instret))
  })

  it('a watchpoint stops run at a store the loop makes, beside another observer; cleared, the run goes to the end', async () => {
    const { wb, out } = await open()
    wb.run({ insns: 200_000 })
    const stores: number[] = []
    const stop = wb.machine.bus.observe((kind, pa) => { if (kind === 'w') stores.push(pa) })
    wb.run({ insns: 5_000 })
    const target = stores[stores.length - 1]!
    const before = wb.stats().instructions
    wb.watchpoint.add(target, 1, 'w')
    wb.run({ ms: 10_000 })
    expect(wb.hits.some((h) => h.kind === 'watch' && h.addr! <= target && target < h.addr! + 8)).toBe(true)
    expect(wb.machine.power.off).toBe(false)
    expect(wb.stats().instructions - before).toBeLessThan(200_000) // one pass over the arrays is ~40k
    const n = stores.length
    wb.watchpoint.clear()
    expect(wb.machine.bus.observed).toBe(true) // the other observer stays
    wb.run({ insns: 5_000 })
    expect(stores.length).toBeGreaterThan(n)
    stop()
    expect(wb.machine.bus.observed).toBe(false)
    wb.run({ ms: 10_000 })
    expect(wb.machine.power.off).toBe(true)
    expect(out()).toMatch(/^checksum=[0-9a-f]{16}\n$/)
  })
})
