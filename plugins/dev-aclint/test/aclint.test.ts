import { describe, expect, it } from 'vitest'
import { MemoryBus } from '../../../core/bus.ts'
import type { DeviceContext } from '../../../core/device.ts'
import type { IrqLine } from '../../../core/irq.ts'
import { Scheduler, type Runnable } from '../../../core/scheduler.ts'
import { Aclint, cyclesToTicks, ticksToCycles } from '../aclint.ts'

const BASE = 0x200_0000
const MSIP = (h: number) => BASE + 4 * h
const MTIMECMP = (h: number) => BASE + 0x4000 + 8 * h
const MTIME = BASE + 0xbff8

type Rec = IrqLine & { level: boolean; rises: number[]; falls: number[] }

/** A hart that only waits: the scheduler jumps from event to event. */
class IdleHart implements Runnable {
  readonly id = 0
  readonly idle = true
  readonly halted = false
  readonly elapsed = 0
  run(): number { return 0 }
  breakOut(): void {}
}

/** A hart that executes one instruction per cycle and runs `actions[t]` at virtual time t. */
class BusyHart implements Runnable {
  readonly id = 0
  readonly idle = false
  readonly halted = false
  elapsed = 0
  constructor(private readonly sched: Scheduler, private readonly actions: Map<number, () => void>) {}
  run(n: number): number {
    for (this.elapsed = 0; this.elapsed < n; this.elapsed++) this.actions.get(this.sched.now + this.elapsed)?.()
    this.elapsed = 0
    return n
  }
  breakOut(): void {}
}

function setup(opts: { timebaseHz?: number; harts?: number; busy?: Map<number, () => void> } = {}) {
  const sched = new Scheduler(1000)
  sched.add(opts.busy ? new BusyHart(sched, opts.busy) : new IdleHart())
  const lines = new Map<string, Rec>()
  const cpuLine = (h: number, l: string): Rec => {
    const key = `${h}:${l}`
    let r = lines.get(key)
    if (!r) {
      const rec: Rec = { level: false, rises: [], falls: [], set(v) { if (v && !rec.level) rec.rises.push(sched.time()); if (!v && rec.level) rec.falls.push(sched.time()); rec.level = v } }
      lines.set(key, (r = rec))
    }
    return r
  }
  const ctx: DeviceContext = {
    name: 'clint0', base: BASE, size: 0x10000, params: {}, irqs: [], cpus: opts.harts ?? 2, cpuLine,
    sched, timebaseHz: opts.timebaseHz ?? 10_000_000, cpuHz: 1_000_000_000,
    serial: () => { throw new Error('no serial') }, machine: { poweroff() {}, reset() {} },
  }
  const clint = new Aclint(ctx)
  const bus = new MemoryBus(0)
  bus.addMmio(BASE, 0x10000, 'clint0', clint)
  return { sched, bus, clint, cpuLine }
}

describe('cycle/tick conversion', () => {
  it('floors cycles to ticks and ceils ticks to the first cycle that reaches them', () => {
    expect(cyclesToTicks(1099, 10_000_000, 1_000_000_000)).toBe(10n)
    expect(ticksToCycles(11n, 10_000_000, 1_000_000_000)).toBe(1100n)
    for (const [tb, cpu] of [[3, 7], [10_000_000, 1_000_000_000], [24_000_000, 1_000_000_000], [7, 3]]) {
      for (let k = 0n; k < 50n; k++) {
        const c = ticksToCycles(k, tb!, cpu!)
        expect(cyclesToTicks(c, tb!, cpu!) >= k).toBe(true)
        if (c > 0n) expect(cyclesToTicks(c - 1n, tb!, cpu!) < k).toBe(true)
      }
    }
  })
})

describe('aclint mtime', () => {
  it('counts timebase ticks of virtual time', () => {
    const { sched, bus } = setup()
    expect(bus.read64(MTIME)).toBe(0n)
    sched.run({ until: 1099 })
    expect(bus.read64(MTIME)).toBe(10n)
    sched.run({ until: 1100 })
    expect(bus.read32(MTIME)).toBe(11)
  })

  it('sees the running hart’s progress inside a quantum', () => {
    let seen = -1n
    const actions = new Map<number, () => void>()
    const s = setup({ busy: actions })
    actions.set(12_345, () => { seen = s.bus.read64(MTIME) })
    s.sched.run({ until: 20_000 })
    expect(seen).toBe(123n)
  })

  it('takes writes, half by half, and keeps counting from the written value', () => {
    const { sched, bus } = setup()
    sched.run({ until: 500 })
    bus.write64(MTIME, 0x1_0000_0000n + 1000n)
    expect(bus.read64(MTIME)).toBe(0x1_0000_0000n + 1000n)
    sched.run({ until: 600 })
    expect(bus.read64(MTIME)).toBe(0x1_0000_0000n + 1001n)
    bus.write32(MTIME + 4, 0)
    expect(bus.read64(MTIME)).toBe(1001n)
  })
})

describe('aclint timer', () => {
  it('resets mtimecmp to all ones with MTIP low', () => {
    const { bus, cpuLine } = setup()
    expect(bus.read64(MTIMECMP(1))).toBe(0xffff_ffff_ffff_ffffn)
    expect(cpuLine(1, 'mtip').level).toBe(false)
  })

  it('raises MTIP at exactly the first cycle whose mtime reaches mtimecmp', () => {
    const { sched, bus, cpuLine } = setup()
    bus.write64(MTIMECMP(0), 5n)
    sched.run({ until: 10_000 })
    expect(cpuLine(0, 'mtip').rises).toEqual([500])
    expect(cpuLine(1, 'mtip').rises).toEqual([])
  })

  it('is exact with a timebase that does not divide the clock', () => {
    const { sched, bus, cpuLine } = setup({ timebaseHz: 3_000_000 })
    bus.write64(MTIMECMP(1), 7n) // 7 ticks at 3 MHz = 2333.3 ns
    sched.run({ until: 2333 })
    expect(cpuLine(1, 'mtip').level).toBe(false)
    sched.run({ until: 5000 })
    expect(cpuLine(1, 'mtip').rises).toEqual([2334])
  })

  it('fires on time while a hart is busy', () => {
    const s = setup({ busy: new Map() })
    s.bus.write64(MTIMECMP(0), 42n)
    s.sched.run({ until: 10_000 })
    expect(s.cpuLine(0, 'mtip').rises).toEqual([4200])
  })

  it('sets MTIP at once when already due, clears it and re-arms on a later compare', () => {
    const { sched, bus, cpuLine } = setup()
    const mtip = cpuLine(0, 'mtip')
    sched.run({ until: 1000 })
    bus.write64(MTIMECMP(0), 3n)
    expect(mtip.rises).toEqual([1000])
    bus.write64(MTIMECMP(0), 50n)
    expect(mtip.falls).toEqual([1000])
    bus.write64(MTIMECMP(0), 30n) // replaces the event at 5000
    sched.run({ until: 10_000 })
    expect(mtip.rises).toEqual([1000, 3000])
  })

  it('follows mtime writes: moving mtime past the compare raises MTIP, back lowers it', () => {
    const { sched, bus, cpuLine } = setup()
    const mtip = cpuLine(0, 'mtip')
    bus.write64(MTIMECMP(0), 1000n)
    bus.write32(MTIME, 2000)
    expect(mtip.level).toBe(true)
    bus.write32(MTIME, 990)
    expect(mtip.level).toBe(false)
    sched.run({ until: 5000 })
    expect(mtip.rises).toEqual([0, 1000])
  })
})

describe('aclint software interrupts', () => {
  it('drives msip from bit 0 only, per hart', () => {
    const { bus, cpuLine } = setup()
    bus.write32(MSIP(1), 0xffff_ffff)
    expect([bus.read32(MSIP(0)), bus.read32(MSIP(1))]).toEqual([0, 1])
    expect([cpuLine(0, 'msip').level, cpuLine(1, 'msip').level]).toEqual([false, true])
    bus.write32(MSIP(1), 0)
    expect(cpuLine(1, 'msip').level).toBe(false)
    expect(bus.read32(MSIP(2))).toBe(0) // no third hart
  })
})

describe('aclint state', () => {
  it('snapshot/restore round-trips through JSON and re-arms the timer', () => {
    const a = setup()
    a.sched.run({ until: 100 })
    a.bus.write32(MTIME, 7)
    a.bus.write32(MSIP(0), 1)
    a.bus.write64(MTIMECMP(1), 57n) // due at 100 + 50 ticks = cycle 5100
    const state = JSON.parse(JSON.stringify(a.clint.snapshot()))

    const b = setup()
    b.sched.run({ until: 100 })
    b.clint.restore(state)
    expect(b.bus.read64(MTIME)).toBe(7n)
    expect(b.cpuLine(0, 'msip').level).toBe(true)
    b.sched.run({ until: 10_000 })
    expect(b.cpuLine(1, 'mtip').rises).toEqual([5100])
  })

  it('dispose cancels pending timer events', () => {
    const { sched, bus, clint, cpuLine } = setup()
    bus.write64(MTIMECMP(0), 10n)
    clint.dispose()
    sched.run({ until: 10_000 })
    expect(cpuLine(0, 'mtip').rises).toEqual([])
  })

  it('reset puts mtime back to 0 and disarms the timer', () => {
    const { sched, bus, clint, cpuLine } = setup()
    bus.write64(MTIMECMP(0), 100n) // due at cycle 10 000
    sched.run({ until: 3000 })
    clint.reset()
    expect(bus.read64(MTIME)).toBe(0n)
    expect(cpuLine(0, 'mtip').level).toBe(false)
    sched.run({ until: 100_000 })
    expect(cpuLine(0, 'mtip').rises).toEqual([])
    expect(bus.read64(MTIME)).toBe(970n) // 97 000 cycles since the reset
  })
})
