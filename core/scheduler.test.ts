import { describe, expect, it } from 'vitest'
import { Scheduler, type Runnable } from './scheduler.ts'

/**
 * A hart that executes `n` one-cycle "instructions" per `run(n)`, counting them. `step` runs
 * after each instruction (the hart's slow path: it may stop the scheduler, go idle, or halt).
 */
class FakeCpu implements Runnable {
  executed = 0
  elapsed = 0
  idle = false
  halted = false
  /** the n of every run(n) call */
  readonly windows: number[] = []
  step: ((h: FakeCpu) => void) | null = null
  private brk = false

  constructor(readonly id: number) {}

  run(n: number): number {
    this.windows.push(n)
    this.elapsed = 0
    this.brk = false
    while (this.elapsed < n && !this.idle && !this.halted) {
      this.elapsed++
      this.executed++
      this.step?.(this)
      if (this.brk) break
    }
    return this.elapsed
  }

  breakOut(): void {
    this.brk = true
  }
}

function machine(harts: number, quantum?: number): { sched: Scheduler; harts: FakeCpu[] } {
  const sched = new Scheduler(quantum)
  const hs = Array.from({ length: harts }, (_, i) => new FakeCpu(i))
  for (const h of hs) sched.add(h)
  return { sched, harts: hs }
}

describe('Scheduler quanta', () => {
  it('gives every hart the same windows, and advances time by the window', () => {
    const { sched, harts } = machine(3, 10_000)
    expect(sched.run({ cycles: 25_000 })).toBe('limit')
    for (const h of harts) {
      expect(h.windows).toEqual([10_000, 10_000, 5_000])
      expect(h.executed).toBe(25_000)
    }
    expect(sched.now).toBe(25_000)
    expect(sched.instructions).toBe(75_000)
  })

  it('uses the quantum it was constructed with (default 10000)', () => {
    const a = machine(1)
    a.sched.run({ cycles: 20_000 })
    expect(a.harts[0]!.windows).toEqual([10_000, 10_000])
    const b = machine(1, 3)
    b.sched.run({ cycles: 7 })
    expect(b.harts[0]!.windows).toEqual([3, 3, 1])
  })

  it('skips halted harts and counts only what ran', () => {
    const { sched, harts } = machine(2, 100)
    harts[1]!.halted = true
    sched.run({ cycles: 250 })
    expect(harts[0]!.executed).toBe(250)
    expect(harts[1]!.windows).toEqual([])
    expect(sched.instructions).toBe(250)
  })

  it("reports the running hart and the time it sees mid-window", () => {
    const { sched, harts } = machine(2, 1000)
    const seen: string[] = []
    for (const h of harts) {
      h.step = (self) => {
        if (self.elapsed === 250) seen.push(`${sched.running?.id} ${sched.time()}`)
      }
    }
    sched.run({ cycles: 2000 })
    expect(seen).toEqual(['0 250', '1 250', '0 1250', '1 1250'])
    expect(sched.running).toBeNull()
    expect(sched.time()).toBe(2000)
  })
})

describe('Scheduler events', () => {
  it('fires events at their exact virtual time, in time order, same-time events in scheduling order', () => {
    const { sched, harts } = machine(2, 10_000)
    const fired: string[] = []
    const ev = (name: string) => () => fired.push(`${name}@${sched.now}/${harts[0]!.executed}/${harts[1]!.executed}`)
    sched.at(300, ev('c'))
    sched.at(100, ev('a1'))
    sched.at(200, ev('b'))
    sched.at(100, ev('a2'))
    sched.at(100, ev('a3'))
    sched.run({ cycles: 1000 })
    expect(fired).toEqual(['a1@100/100/100', 'a2@100/100/100', 'a3@100/100/100', 'b@200/200/200', 'c@300/300/300'])
  })

  it('splits a quantum at an event so time is exactly T when it fires', () => {
    const { sched, harts } = machine(1, 10_000)
    let at = -1
    let ran = -1
    sched.at(12_345, () => { at = sched.time(); ran = harts[0]!.executed })
    sched.run({ cycles: 30_000 })
    expect(at).toBe(12_345)
    expect(ran).toBe(12_345)
    expect(harts[0]!.windows.slice(0, 3)).toEqual([10_000, 2_345, 10_000])
  })

  it('fires an event scheduled by an event at the same time in the same boundary', () => {
    const { sched } = machine(1, 1000)
    const fired: string[] = []
    sched.at(500, () => {
      fired.push(`outer@${sched.now}`)
      sched.at(500, () => fired.push(`inner@${sched.now}`))
    })
    sched.run({ cycles: 600 })
    expect(fired).toEqual(['outer@500', 'inner@500'])
  })

  it('after(n) fires n cycles from now', () => {
    const { sched } = machine(1, 1000)
    sched.run({ cycles: 1500 })
    let at = -1
    sched.after(2222, () => { at = sched.now })
    sched.run({ cycles: 5000 })
    expect(at).toBe(3722)
  })

  it('clamps an event in the past to now', () => {
    const { sched } = machine(1, 1000)
    sched.run({ cycles: 3000 })
    const ev = sched.at(10, () => {})
    expect(ev.time).toBe(3000)
  })

  it('does not fire a cancelled event, and cancelling twice or cancelling null is harmless', () => {
    const { sched } = machine(1, 1000)
    const fired: string[] = []
    const a = sched.at(100, () => fired.push('a'))
    sched.at(200, () => fired.push('b'))
    sched.cancel(a)
    sched.cancel(a)
    sched.cancel(null)
    sched.cancel(undefined)
    expect(a.cancelled).toBe(true)
    sched.run({ cycles: 1000 })
    expect(fired).toEqual(['b'])
  })

  it('lets an event cancel a later one', () => {
    const { sched } = machine(1, 1000)
    const fired: string[] = []
    const later = sched.at(700, () => fired.push('later'))
    sched.at(300, () => { fired.push('first'); sched.cancel(later) })
    sched.run({ cycles: 1000 })
    expect(fired).toEqual(['first'])
  })

  it('a cancelled event no longer splits the window', () => {
    const { sched, harts } = machine(1, 1000)
    sched.cancel(sched.at(400, () => {}))
    sched.run({ cycles: 1000 })
    expect(harts[0]!.windows).toEqual([1000])
  })
})

describe('Scheduler idle harts', () => {
  it('jumps the clock to the next event when every hart is idle, running nothing meanwhile', () => {
    const { sched, harts } = machine(2, 10_000)
    for (const h of harts) h.idle = true
    let wokeAt = -1
    sched.at(5_000_000, () => {
      wokeAt = sched.now
      for (const h of harts) h.idle = false
    })
    expect(sched.run({ cycles: 5_000_500 })).toBe('limit')
    expect(wokeAt).toBe(5_000_000)
    for (const h of harts) {
      expect(h.windows).toEqual([500])
      expect(h.executed).toBe(500)
    }
    expect(sched.now).toBe(5_000_500)
  })

  it('jumps to the limit when every hart is idle and no event is due before it', () => {
    const { sched, harts } = machine(1, 10_000)
    harts[0]!.idle = true
    sched.at(9_000_000, () => {})
    expect(sched.run({ until: 1_000_000 })).toBe('limit')
    expect(sched.now).toBe(1_000_000)
    expect(harts[0]!.windows).toEqual([])
  })

  it('keeps an idle hart in step with a busy one: the busy hart alone advances time', () => {
    const { sched, harts } = machine(2, 1000)
    harts[1]!.idle = true
    sched.at(2500, () => { harts[1]!.idle = false })
    sched.run({ cycles: 4000 })
    expect(harts[0]!.executed).toBe(4000)
    expect(harts[1]!.executed).toBe(1500)
  })

  it("returns 'idle' (not 'halted') when every live hart is idle and no event can wake them", () => {
    const { sched, harts } = machine(2, 1000)
    harts[0]!.idle = true
    harts[1]!.halted = true
    expect(sched.run()).toBe('idle')
    expect(sched.now).toBe(0)
    harts[0]!.idle = false
    expect(sched.run({ cycles: 10 })).toBe('limit')
    expect(harts[0]!.executed).toBe(10)
  })
})

describe('Scheduler run limits and stopping', () => {
  it('run({cycles}) runs exactly that many cycles from the current time', () => {
    const { sched, harts } = machine(1, 1000)
    sched.run({ cycles: 1234 })
    expect(sched.run({ cycles: 4321 })).toBe('limit')
    expect(sched.now).toBe(5555)
    expect(harts[0]!.executed).toBe(5555)
  })

  it('run({until}) stops at exactly that virtual time', () => {
    const { sched, harts } = machine(2, 1000)
    expect(sched.run({ until: 7777 })).toBe('limit')
    expect(sched.now).toBe(7777)
    expect(harts.map((h) => h.executed)).toEqual([7777, 7777])
    expect(sched.run({ until: 7777 })).toBe('limit')
    expect(sched.now).toBe(7777)
  })

  it('run({predicate}) checks the predicate between quanta and stops when it holds', () => {
    const { sched, harts } = machine(1, 1000)
    const checkedAt: number[] = []
    const r = sched.run({ predicate: () => { checkedAt.push(sched.now); return harts[0]!.executed >= 2500 } })
    expect(r).toBe('predicate')
    expect(checkedAt).toEqual([0, 1000, 2000, 3000])
    expect(sched.now).toBe(3000)
  })

  it('stop() from within an event ends the run at the event time', () => {
    const { sched, harts } = machine(2, 10_000)
    sched.at(4321, () => sched.stop())
    expect(sched.run({ cycles: 100_000 })).toBe('stopped')
    expect(sched.now).toBe(4321)
    expect(harts.map((h) => h.executed)).toEqual([4321, 4321])
  })

  it('a new run after stop() continues (the stop request does not stick)', () => {
    const { sched } = machine(1, 1000)
    sched.at(100, () => sched.stop())
    expect(sched.run({ cycles: 5000 })).toBe('stopped')
    expect(sched.run({ cycles: 1000 })).toBe('limit')
    expect(sched.now).toBe(1100)
  })

  it('stop() from within a hart ends the run at the end of that window, every hart in step', () => {
    const { sched, harts } = machine(2, 10_000)
    harts[0]!.step = (h) => { if (h.executed === 1234) sched.stop() }
    expect(sched.run({ cycles: 100_000 })).toBe('stopped')
    expect(harts.map((h) => h.executed)).toEqual([10_000, 10_000])
    expect(sched.instructions).toBe(20_000)
    expect(sched.now).toBe(10_000)
  })

  it('stopping from a hart and resuming is invisible: the harts see the same times as in one run', () => {
    const trace = (stopAt: number | null): string[] => {
      const { sched, harts } = machine(2, 1000)
      const seen: string[] = []
      for (const h of harts) {
        h.step = (self) => {
          if (self.executed % 700 === 0) seen.push(`h${self.id}#${self.executed}@${sched.time()}`)
          if (self.id === 0 && self.executed === stopAt) sched.stop()
        }
      }
      sched.at(2600, () => seen.push(`ev@${sched.now}`))
      while (sched.run({ until: 4000 }) === 'stopped');
      seen.push(`end@${sched.now} ${harts.map((h) => h.executed).join(',')}`)
      return seen
    }
    expect(trace(1500)).toEqual(trace(null))
  })

  it("returns 'halted' when every hart has halted", () => {
    const { sched, harts } = machine(2, 1000)
    harts[0]!.step = (h) => { if (h.executed === 1500) h.halted = true }
    harts[1]!.step = (h) => { if (h.executed === 2500) h.halted = true }
    expect(sched.run()).toBe('halted')
    expect(harts.map((h) => h.executed)).toEqual([1500, 2500])
  })

  it("returns 'halted' at once with no harts", () => {
    const { sched } = machine(0)
    expect(sched.run({ cycles: 1000 })).toBe('halted')
  })

  it("returns 'wall' when the wall-clock budget runs out, without losing its place", () => {
    const { sched, harts } = machine(1, 1000)
    const r = sched.run({ wallMs: 0 })
    expect(r).toBe('wall')
    expect(sched.now).toBe(0)
    expect(harts[0]!.executed).toBe(0)
  })
})

describe('Scheduler determinism', () => {
  /** A small machine with timers that reschedule themselves, an idle hart woken by them, and a stop. */
  function scenario(): string[] {
    const { sched, harts } = machine(3, 997)
    const out: string[] = []
    harts[2]!.idle = true
    let ticks = 0
    const tick = (): void => {
      out.push(`tick${ticks}@${sched.now}`)
      harts[2]!.idle = !harts[2]!.idle
      if (++ticks < 20) sched.after(1733 + ((ticks * 389) % 911), tick)
    }
    sched.at(50, tick)
    harts[1]!.step = (h) => {
      if (h.executed % 4099 === 0) out.push(`h1@${sched.time()}`)
      if (h.executed === 9001) h.idle = true
    }
    sched.at(15_000, () => { harts[1]!.idle = false })
    sched.at(20_000, () => sched.stop())
    out.push(sched.run({ cycles: 40_000 }))
    out.push(sched.run({ cycles: 10_000 }))
    out.push(`end@${sched.now} ${harts.map((h) => h.executed).join(',')} ${sched.instructions}`)
    return out
  }

  it('produces the same trace for the same sequence of runs and events', () => {
    const a = scenario()
    const b = scenario()
    expect(a.length).toBeGreaterThan(20)
    expect(b).toEqual(a)
  })
})
