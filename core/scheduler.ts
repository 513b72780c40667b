/**
 * The scheduler: every pCPU runs in instruction quanta on one virtual clock.
 *
 * Virtual time is counted in CPU cycles; one instruction is one cycle. In each round every
 * runnable CPU executes the same window [now, now + q) — they are parallel CPUs — and then the
 * clock advances by q. A window never crosses a timed event, so events fire at exact times.
 * When every CPU is idle (wfi) the clock jumps to the next event. In deterministic mode (the
 * default) nothing here reads the wall clock except the optional `wallMs` limit, so a run is a
 * pure function of its inputs. In real-time mode (`realTime`) virtual time also keeps pace with
 * the host clock, as QEMU's does without -icount: see RealTimeClock.
 */

/** What the scheduler runs: an architecture plugin's CPU. */
export interface Runnable {
  readonly id: number
  /** Run a window of `n` cycles (one instruction each); return the instructions retired (fewer when it idles, stops or stalls). */
  run(n: number): number
  /** waiting for an interrupt (wfi): skipped until woken */
  readonly idle: boolean
  /** powered off or halted for good (e.g. stopped by the hypervisor) */
  readonly halted: boolean
  /** Ask the CPU to return from `run` at the next instruction boundary it can. */
  breakOut(): void
  /** instructions this CPU has executed in the current window (valid during slow-path calls) */
  readonly elapsed: number
}

export interface TimedEvent {
  time: number
  seq: number
  fn: () => void
  cancelled: boolean
  /**
   * Who re-creates this event after a session restore (events are closures and cannot be
   * saved): unique among pending events, e.g. `clint0:mtimecmp1`. See `saveState`.
   */
  tag?: string
}

/** A pending event as a session stores it: its owner re-arms it, `restoreEvents` reorders. */
export interface SavedEvent {
  time: number
  seq: number
  tag: string | null
}

/** The scheduler's part of a machine snapshot (core/session/snapshot.ts). */
export interface SchedulerState {
  now: number
  instructions: number
  /** the next event's sequence number */
  seq: number
  quantum: number
  /** pending events in firing order */
  events: SavedEvent[]
}

export interface RunLimits {
  /** stop after this many cycles of virtual time from now */
  cycles?: number
  /** stop when virtual time reaches this */
  until?: number
  /** checked between quanta */
  predicate?: () => boolean
  /** wall-clock budget in ms (interactive use only; output stays deterministic up to the stop) */
  wallMs?: number
}

/**
 * 'idle': every live CPU waits for an interrupt and no event is due: only outside input can wake them.
 * 'wait' (real-time mode only): virtual time is ahead of the host clock — every CPU waits for an
 * event that is not due yet, or the guests ran faster than real time: the caller sleeps
 * `Scheduler.waitMs` (or until input arrives) and runs again.
 */
export type StopReason = 'limit' | 'predicate' | 'stopped' | 'halted' | 'wall' | 'idle' | 'wait'

/**
 * Real-time mode's link between virtual and host time: the virtual time (cycles) the host clock
 * says it is. Anchored when a run starts; `hold` and `release` leave out the time a user keeps
 * the machine paused (a REPL evaluation, the TUI's pause), so guests do not see it pass.
 */
export class RealTimeClock {
  private anchorWall = 0
  private anchorVirt = 0
  private heldAt = -1
  private anchored = false

  /** `cyclesPerMs`: the board's CPU clock (virtual cycles per millisecond of host time) */
  constructor(readonly cyclesPerMs: number) {}

  /** The virtual time the host clock says it is, given the machine's clock `now` at a first call. */
  target(now: number): number {
    const wall = performance.now()
    if (!this.anchored) this.anchor(now, wall)
    if (this.heldAt >= 0) this.release()
    return this.anchorVirt + (wall - this.anchorWall) * this.cyclesPerMs
  }

  /** Stop counting host time (the machine is paused); `release` or the next run goes on from here. */
  hold(): void {
    if (this.heldAt < 0 && this.anchored) this.heldAt = performance.now()
  }

  release(): void {
    if (this.heldAt < 0) return
    this.anchorWall += performance.now() - this.heldAt
    this.heldAt = -1
  }

  /** Start over from `now` (a session restored, the clock set back): host time counts from here. */
  anchor(now: number, wall = performance.now()): void {
    this.anchorVirt = now
    this.anchorWall = wall
    this.heldAt = -1
    this.anchored = true
  }
}

export class Scheduler {
  /** virtual time, in cycles */
  now = 0
  quantum: number
  readonly cpus: Runnable[] = []
  private events: TimedEvent[] = []
  private seq = 0
  private stopRequested = false
  private current: Runnable | null = null
  /** total instructions executed, all CPUs */
  instructions = 0
  /** real-time mode when set: virtual time keeps pace with the host clock (null: deterministic) */
  realTime: RealTimeClock | null = null
  /** after a 'wait' stop: how long (ms) until virtual time catches up with what is due */
  waitMs = 0

  constructor(quantum = 10_000) {
    this.quantum = quantum
  }

  add(h: Runnable): void {
    this.cpus.push(h)
  }

  /** Call `fn` when virtual time reaches `time` (cycles). Events at one time fire in order of scheduling. */
  at(time: number, fn: () => void, tag?: string): TimedEvent {
    const ev: TimedEvent = { time: Math.max(time, this.now), seq: this.seq++, fn, cancelled: false, tag }
    // events are few (timers, UART pacing): a sorted array beats a heap here
    const evs = this.events
    let i = evs.length
    while (i > 0 && (evs[i - 1]!.time > ev.time)) i--
    evs.splice(i, 0, ev)
    // An event scheduled inside the window now running fires at the window's end: still a
    // pure function of the inputs, and the CPUs of one window stay in step.
    return ev
  }

  after(cycles: number, fn: () => void, tag?: string): TimedEvent {
    return this.at(this.now + cycles, fn, tag)
  }

  cancel(ev: TimedEvent | null | undefined): void {
    if (!ev || ev.cancelled) return
    ev.cancelled = true
    const i = this.events.indexOf(ev)
    if (i >= 0) this.events.splice(i, 1)
  }

  /**
   * Stop the run loop at the end of the current window. Every CPU still finishes the window, so
   * a stop and a later `run` leave the CPUs in step, exactly as an uninterrupted run would.
   */
  stop(): void {
    this.stopRequested = true
  }

  /** Virtual time as seen by the code running now: the window start plus the running CPU's progress. */
  time(): number {
    return this.now + (this.current ? this.current.elapsed : 0)
  }

  /** The CPU currently executing, if any (devices use it to attribute accesses). */
  get running(): Runnable | null {
    return this.current
  }

  private fireDue(): void {
    const evs = this.events
    while (evs.length && evs[0]!.time <= this.now) {
      const ev = evs.shift()!
      ev.cancelled = true
      ev.fn()
    }
  }

  // ---- sessions: the clock and the pending events, between runs ----

  /** Clock and pending events in firing order (the array is sorted by time, then by seq). */
  saveState(): SchedulerState {
    return {
      now: this.now, instructions: this.instructions, seq: this.seq, quantum: this.quantum,
      events: this.events.map((e) => ({ time: e.time, seq: e.seq, tag: e.tag ?? null })),
    }
  }

  /** Set the clock; call before the event owners re-arm (they schedule relative to `now`). */
  restoreClock(s: SchedulerState): void {
    this.now = s.now
    this.instructions = s.instructions
    this.quantum = s.quantum
  }

  /**
   * After the owners re-armed their events from state: give each re-created event the sequence
   * number of the one it stands for, so events due at the same time fire in the saved order,
   * and continue numbering where the saved scheduler stopped. Events the snapshot does not list
   * are cancelled. Returns what did not match (empty when the restore is exact).
   */
  restoreEvents(s: SchedulerState): string[] {
    const problems: string[] = []
    const saved = new Map<string, SavedEvent>()
    for (const e of s.events) if (e.tag !== null) saved.set(e.tag, e)
    const found = new Set<string>()
    for (const ev of [...this.events]) {
      const want = ev.tag !== undefined ? saved.get(ev.tag) : undefined
      if (!want || found.has(ev.tag!)) {
        problems.push(`event ${ev.tag ?? '(untagged)'} at ${ev.time} is not in the snapshot: cancelled`)
        this.cancel(ev)
        continue
      }
      found.add(ev.tag!)
      if (want.time !== ev.time) problems.push(`event ${ev.tag} re-armed at ${ev.time}, saved at ${want.time}`)
      ev.seq = want.seq
    }
    for (const e of s.events) {
      if (e.tag === null) problems.push(`untagged event at ${e.time} cannot be re-created`)
      else if (!found.has(e.tag)) problems.push(`event ${e.tag} at ${e.time} was not re-armed by its owner`)
    }
    this.events.sort((a, b) => a.time - b.time || a.seq - b.seq)
    this.seq = Math.max(s.seq, ...this.events.map((e) => e.seq + 1))
    return problems
  }

  run(limits: RunLimits = {}): StopReason {
    this.stopRequested = false
    const end = limits.until ?? (limits.cycles !== undefined ? this.now + limits.cycles : Infinity)
    const wallEnd = limits.wallMs !== undefined ? performance.now() + limits.wallMs : Infinity
    const cpus = this.cpus
    const rt = this.realTime
    for (;;) {
      this.fireDue()
      if (this.stopRequested) return 'stopped'
      if (limits.predicate?.()) return 'predicate'
      if (this.now >= end) return 'limit'
      if (wallEnd !== Infinity && performance.now() >= wallEnd) return 'wall'
      const next = this.events.length ? this.events[0]!.time : Infinity
      let q = Math.min(this.quantum, end - this.now, next - this.now)
      if (rt !== null) {
        // guests faster than the host clock: wait for it (a full quantum ahead at most)
        const ahead = this.now - rt.target(this.now)
        if (ahead > this.quantum) return this.waitFor(ahead, rt)
      }
      let anyRunnable = false
      let anyAlive = false
      for (let i = 0; i < cpus.length; i++) {
        const h = cpus[i]!
        if (h.halted) continue
        anyAlive = true
        if (h.idle) continue
        anyRunnable = true
        this.current = h
        this.instructions += h.run(q)
        this.current = null
      }
      if (!anyAlive) return 'halted'
      if (!anyRunnable) {
        // all idle: jump to the next event (or the end) — in real time, not before the host clock is there
        const to = Math.min(next, end)
        if (rt !== null) {
          const target = rt.target(this.now)
          if (to > target) {
            this.now = Math.max(this.now, Math.min(Math.floor(target), to))
            return to === Infinity ? 'idle' : this.waitFor(to - target, rt)
          }
        }
        if (to === Infinity) return 'idle'
        this.now = Math.max(this.now, to)
        continue
      }
      this.now += q
      if (rt !== null) {
        // guests slower than the host clock: time they did not run passes all the same, up to
        // the next event (which fires on time) and the run's end
        const target = Math.floor(rt.target(this.now))
        if (target > this.now) this.now = Math.min(target, next, end)
      }
    }
  }

  private waitFor(cycles: number, rt: RealTimeClock): StopReason {
    this.waitMs = cycles / rt.cyclesPerMs
    return 'wait'
  }
}
