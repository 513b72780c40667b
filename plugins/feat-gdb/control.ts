/**
 * Run control for one stub: which of the target's threads the debugger holds, the breakpoints
 * and watchpoints, a single step, and the stop that ends a continue.
 *
 * The debugger stops only its own target (all-stop within it): its threads are parked
 * (ArchGdb.park) and every other VM runs on, as the hypervisor isolates them (`others: 'stop'`
 * parks the rest of the machine too while the target is stopped). A breakpoint is a guest-virtual
 * pc of the target: it is checked only on CPUs while they run one of the target's threads, so
 * another VM at the same address never stops. Nothing here runs the machine by itself except
 * `drive` (a single step answered at once, and the slices `drive.ts` runs when no one else does).
 */
import type { Cpu } from '../../core/arch.ts'
import { addGateClient, type GateClient, type RunFn } from './gate.ts'
import { SIG, type DebugTarget, type Thread } from './target.ts'
import { Watches, type WatchHit } from './watch.ts'

/** Why the target stopped, for the stop reply. */
export type StopEvent =
  | { thread: number; signal: number; why: 'swbreak' | 'hwbreak' | 'step' | 'interrupt' | 'attach'; watch?: undefined }
  | { thread: number; signal: number; why: 'watch'; watch: WatchHit }
  /** the target ended: the `W`/`X` reply */
  | { exit: string }

export type Action = 'c' | 's'

/** breakpoint kinds set at an address (Z0 software, Z1 hardware: both are checks here, nothing is patched) */
const SW = 1, HW = 2

export class RunControl implements GateClient {
  /** threads the debugger holds */
  private readonly held = new Set<number>()
  /** CPUs this stub parked (its threads', and with `others: 'stop'` the rest) */
  private readonly parked = new Set<Cpu>()
  private readonly breakpoints = new Map<bigint, number>()
  readonly watches: Watches
  /** the thread a single step is for */
  private stepping: number | null = null
  /** a resumed thread's pc: its breakpoint there is passed once (it is where the thread stopped) */
  private readonly passOnce = new Map<number, bigint>()
  private removeGate: (() => void) | null = null
  /** resumed and not yet stopped (GDB waits for a stop reply) */
  running = false
  /** with 'stop', the rest of the machine stops while the target is stopped (`setOthers`) */
  private othersMode: 'run' | 'stop' = 'run'
  /** the last stop, for `?` */
  last: StopEvent

  /**
   * `onStop` sends the stop reply; `report` tells the user what went wrong where nothing else
   * would (a stop reply that could not be sent, the simulation failing while the stub ran it).
   */
  constructor(readonly target: DebugTarget, private readonly onStop: (e: StopEvent) => void, private readonly report: (line: string) => void = () => {}) {
    const m = target.machine
    this.watches = new Watches(m.bus, m.cpus, (cpu) => target.threadOn(cpu) !== undefined)
    this.last = { thread: 1, signal: SIG.TRAP, why: 'attach' }
  }

  get attached(): boolean {
    return this.removeGate !== null
  }

  /** some CPU is parked by this stub (the target, or the others with it, stopped in the debugger) */
  get holding(): boolean {
    return this.parked.size > 0
  }

  /** Take the target's CPUs under this stub's control and stop the target where it is. */
  attach(): void {
    if (!this.removeGate) this.removeGate = addGateClient(this.target.machine, this)
    this.running = false
    this.holdAll()
    const first = this.target.threads.find((t) => this.target.threadOn(t.cpu) === t) ?? this.target.threads[0]!
    this.last = { thread: first.id, signal: SIG.TRAP, why: 'attach' }
  }

  /** Let everything go: breakpoints and watchpoints removed, every thread and CPU free to run. */
  detach(): void {
    this.breakpoints.clear()
    this.watches.clear()
    this.stepping = null
    this.running = false
    this.held.clear()
    this.unparkAll()
    this.removeGate?.()
    this.removeGate = null
  }

  /** What the rest of the machine does while the target is stopped; takes effect at once. */
  setOthers(mode: 'run' | 'stop'): void {
    this.othersMode = mode
    if (!this.attached || this.running) return
    if (mode === 'stop') this.holdAll()
    else {
      for (const cpu of [...this.parked]) {
        if (this.target.threadOn(cpu)) continue
        this.parked.delete(cpu)
        this.target.arch.park(cpu, false)
      }
    }
  }

  get others(): 'run' | 'stop' {
    return this.othersMode
  }

  isHeld(id: number): boolean {
    return this.held.has(id)
  }

  // ---- breakpoints ----

  addBreakpoint(pc: bigint, hw: boolean): void {
    this.breakpoints.set(pc, (this.breakpoints.get(pc) ?? 0) | (hw ? HW : SW))
  }

  removeBreakpoint(pc: bigint, hw: boolean): void {
    const k = (this.breakpoints.get(pc) ?? 0) & ~(hw ? HW : SW)
    if (k) this.breakpoints.set(pc, k)
    else this.breakpoints.delete(pc)
  }

  // ---- resume and stop ----

  /**
   * Resume: each thread in `actions` continues ('c') or steps one instruction ('s'); the others
   * stay held. The stop comes later through `onStop` (a breakpoint, a watchpoint, the step done,
   * `interrupt`, or the target's end).
   */
  resume(actions: ReadonlyMap<number, Action>): void {
    this.stepping = null
    this.passOnce.clear()
    for (const [id, a] of actions) {
      const t = this.target.thread(id)
      if (!t) continue
      this.held.delete(id)
      if (a === 's' && this.stepping === null) this.stepping = id
      const pc = this.target.pc(t)
      if (pc !== null) this.passOnce.set(id, pc)
    }
    this.running = true
    // free what may run now: the resumed threads' CPUs and, if held with the target, the others
    for (const cpu of [...this.parked]) {
      const t = this.target.threadOn(cpu)
      if (t && this.held.has(t.id)) continue
      this.parked.delete(cpu)
      this.target.arch.park(cpu, false)
    }
    const exit = this.target.exit()
    if (exit) this.stop({ exit })
  }

  /** Ctrl-C: stop where the target is. */
  interrupt(): void {
    if (!this.running) return
    const t = this.target.threads.find((x) => !this.held.has(x.id) && this.target.threadOn(x.cpu) === x) ?? this.target.threads[0]!
    this.stop({ thread: t.id, signal: SIG.INT, why: 'interrupt' })
  }

  /** The target ended while running: report it (polled between slices). */
  checkExit(): void {
    if (!this.running) return
    const exit = this.target.exit()
    if (exit) this.stop({ exit })
  }

  private stop(e: StopEvent): void {
    if (!this.running) return
    this.running = false
    this.stepping = null
    this.passOnce.clear()
    this.watches.take()
    if (!('exit' in e)) this.holdAll()
    this.last = e
    // called from inside a CPU's window: nothing may escape into the scheduler
    try {
      this.onStop(e)
    } catch (err) {
      this.report(`gdb: could not send the stop reply: ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  private holdAll(): void {
    for (const t of this.target.threads) this.held.add(t.id)
    for (const cpu of this.target.machine.cpus) {
      if (this.target.threadOn(cpu) || this.others === 'stop') this.park(cpu)
    }
  }

  private park(cpu: Cpu): void {
    this.parked.add(cpu)
    this.target.arch.park(cpu, true)
  }

  private unparkAll(): void {
    for (const cpu of this.parked) this.target.arch.park(cpu, false)
    this.parked.clear()
  }

  // ---- the gate (gate.ts): every window of every CPU of the machine ----

  run(cpu: Cpu, orig: RunFn, n: number): number | undefined {
    const t = this.target.threadOn(cpu)
    if (!t) return undefined
    if (this.held.has(t.id)) {
      // woken by an interrupt while held: it stays pending, the CPU stays parked
      this.park(cpu)
      return 0
    }
    const ran = this.breakpoints.size === 0 && !this.watches.active && this.stepping === null ? orig(n) : this.runChecked(cpu, t, orig, n)
    // stopped for good (its VM shut down or faulted, the machine powered off): GDB hears at once
    if (cpu.halted) this.checkExit()
    return ran
  }

  holdOther(cpu: Cpu): boolean {
    if (this.others !== 'stop' || this.running || !this.attached) return false
    this.park(cpu)
    return true
  }

  /** One instruction at a time, a breakpoint looked for before each and the step and watchpoints after. */
  private runChecked(cpu: Cpu, t: Thread, orig: RunFn, n: number): number {
    let ran = 0
    const arch = this.target.arch
    for (let k = 0; k < n; k++) {
      // an interrupt due now is taken first, so its handler's first pc is checked like any other
      if (arch.takeInterrupt) {
        const was = cpu.pc
        arch.takeInterrupt(cpu)
        if (this.target.threadOn(cpu) !== t) break // the hypervisor switched vCPUs (VM stack)
        // a step that enters a handler ends there, before its first instruction (as a hardware step would)
        if (this.stepping === t.id && cpu.pc !== was) { this.stop({ thread: t.id, signal: SIG.TRAP, why: 'step' }); return ran }
      }
      const pc = cpu.pc
      const pass = this.passOnce.get(t.id)
      if (pass !== undefined) this.passOnce.delete(t.id)
      const bp = this.breakpoints.get(pc)
      if (bp !== undefined && pass !== pc) {
        this.stop({ thread: t.id, signal: SIG.TRAP, why: bp & SW ? 'swbreak' : 'hwbreak' })
        return ran
      }
      const r = orig(1)
      ran += r
      const w = this.watches.take()
      if (w) { this.stop({ thread: t.id, signal: SIG.TRAP, why: 'watch', watch: w }); return ran }
      if (this.stepping === t.id && r > 0) { this.stop({ thread: t.id, signal: SIG.TRAP, why: 'step' }); return ran }
      if (!this.running || cpu.idle || cpu.halted || this.target.threadOn(cpu) !== t) break
    }
    return ran
  }

  // ---- running the machine from the stub ----

  /**
   * Run the machine here and now until the target stops, for at most `ms` of host time (a
   * single step answered at once instead of when the next slice of whoever runs the machine
   * ends). Returns early when nothing can happen without outside input.
   */
  drive(ms: number): void {
    const sched = this.target.machine.sched
    const end = performance.now() + ms
    while (this.running) {
      const left = end - performance.now()
      if (left <= 0) break
      let r: string
      try {
        r = sched.run({ wallMs: left, predicate: () => !this.running })
      } catch (err) {
        // a host bug, never a guest's doing: the target stops (SIGABRT) and the user is told, the process lives
        this.report(`gdb: the simulation failed while the stub ran it: ${err instanceof Error ? err.message : String(err)}`)
        const t = this.target.threads.find((x) => !this.held.has(x.id)) ?? this.target.threads[0]!
        this.stop({ thread: t.id, signal: SIG.ABRT, why: 'interrupt' })
        break
      }
      this.checkExit()
      if (r !== 'wall' && r !== 'predicate') break
    }
  }
}
