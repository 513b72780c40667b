import { describe, expect, it } from 'vitest'
import { RealTimeClock, Scheduler, type Runnable } from './scheduler.ts'

/**
 * Real-time mode against the host clock. Figures are kept loose (this machine runs other work
 * at the same time): what must hold is the direction and rough size of each effect.
 */
class SlowCpu implements Runnable {
  elapsed = 0
  idle = false
  halted = false
  constructor(readonly id: number, private readonly nsPerInsn: number) {}
  run(n: number): number {
    // a CPU far slower than its clock says: n instructions take n × nsPerInsn of host time
    const until = performance.now() + (n * this.nsPerInsn) / 1e6
    while (performance.now() < until) { /* spin */ }
    this.elapsed = n
    return n
  }
  breakOut(): void {}
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('Scheduler, real-time mode', () => {
  it('keeps virtual time at the host clock while the guests run slower than it', () => {
    // 1 MHz board (1000 cycles per ms); the CPU takes 10 µs per instruction: 10× too slow
    const s = new Scheduler(100)
    s.add(new SlowCpu(0, 10_000))
    s.realTime = new RealTimeClock(1000)
    const t0 = performance.now()
    s.run({ wallMs: 200 })
    const wall = performance.now() - t0
    // deterministic mode would be at ~20 ms of virtual time; real time is at the host's ~200 ms
    expect(s.now / 1000).toBeGreaterThan(wall * 0.8)
    expect(s.now / 1000).toBeLessThan(wall * 1.2 + 5)
    expect(s.instructions).toBeLessThan(s.now / 2)
  })

  it('fires a timer at its host time, not after the guests ran its cycles', () => {
    const s = new Scheduler(100)
    s.add(new SlowCpu(0, 10_000))
    s.realTime = new RealTimeClock(1000)
    let firedAt = -1
    const t0 = performance.now()
    s.at(50_000, () => { firedAt = performance.now() - t0; s.stop() }) // 50 ms of virtual time
    s.run({ wallMs: 2000 })
    expect(firedAt).toBeGreaterThan(40)
    expect(firedAt).toBeLessThan(150)
    // exactly at its time, as in deterministic mode
    expect(s.now).toBe(50_000)
  })

  it('idle with a timer pending: stops with "wait" and the time to sleep, and does not jump ahead', () => {
    const s = new Scheduler(100)
    const c = new SlowCpu(0, 0)
    c.idle = true
    s.add(c)
    s.realTime = new RealTimeClock(1000)
    let fired = false
    s.at(300_000, () => { fired = true }) // 300 ms
    expect(s.run({ wallMs: 1000 })).toBe('wait')
    expect(fired).toBe(false)
    expect(s.waitMs).toBeGreaterThan(250)
    expect(s.waitMs).toBeLessThanOrEqual(300)
    expect(s.now).toBeLessThan(50_000)
  })

  it('idle with nothing pending: "idle" (only input can wake it), virtual time at the host clock', async () => {
    const s = new Scheduler(100)
    const c = new SlowCpu(0, 0)
    c.idle = true
    s.add(c)
    s.realTime = new RealTimeClock(1000)
    expect(s.run()).toBe('idle')
    await sleep(60)
    expect(s.run()).toBe('idle')
    expect(s.now).toBeGreaterThanOrEqual(50_000)
    expect(s.now).toBeLessThan(1_000_000)
  })

  it('waits for the host clock when the guests run faster than real time', () => {
    // 1 GHz board, a CPU that takes no time at all
    const s = new Scheduler(10_000)
    s.add(new SlowCpu(0, 0))
    s.realTime = new RealTimeClock(1_000_000)
    const r = s.run({ wallMs: 50 })
    expect(r).toBe('wait')
    expect(s.waitMs).toBeGreaterThan(0)
    expect(s.waitMs).toBeLessThan(1)
  })

  it('leaves out host time while the machine is held (paused)', async () => {
    const s = new Scheduler(100)
    const c = new SlowCpu(0, 0)
    c.idle = true
    s.add(c)
    const rt = new RealTimeClock(1000)
    s.realTime = rt
    s.run()
    const before = s.now
    rt.hold()
    await sleep(150)
    s.run() // releases: the 150 ms do not count
    expect(s.now - before).toBeLessThan(60_000)
  })

  it('deterministic mode is untouched: the same windows and times as without a clock', () => {
    const run = (rt: boolean): number[] => {
      const s = new Scheduler(100)
      const c = new SlowCpu(0, 0)
      s.add(c)
      if (rt) s.realTime = null
      const times: number[] = []
      for (let i = 1; i <= 5; i++) s.at(i * 250, () => times.push(s.now))
      s.run({ cycles: 2000 })
      return [...times, s.now, s.instructions]
    }
    expect(run(true)).toEqual(run(false))
    expect(run(false)).toEqual([250, 500, 750, 1000, 1250, 2000, 2000])
  })
})
