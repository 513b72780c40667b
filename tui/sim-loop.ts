/**
 * Runs the simulation beside the UI: a slice of at most `sliceMs` wall time, then a yield so Ink
 * can draw and keys are read. Guests run as fast as they can; when every vCPU waits for an
 * interrupt no timer will raise (StopReason 'idle', only input can wake them), in real-time mode
 * until the host clock reaches the next event ('wait'), or the machine has halted, the loop
 * sleeps instead of spinning; input cuts the sleep short (`poke`).
 */
import type { Machine } from '../core/machine.ts'
import type { StopReason } from '../core/scheduler.ts'
import { pauseAfter, Sleeper } from '../core/sleeper.ts'

export interface SimLoopOptions {
  sliceMs?: number
  idleMs?: number
  /** after every slice, with why it stopped */
  onSlice?: (r: StopReason) => void
  /** the simulation threw (a host bug, never a guest's doing): the loop pauses and reports it */
  onError?: (e: unknown) => void
}

export class SimLoop {
  paused = false
  /** the REPL holds the machine (an evaluation is in progress): don't run */
  held = false
  last: StopReason | null = null
  private stopped = false
  private done: Promise<void> | null = null
  private readonly sleeper = new Sleeper()

  constructor(private readonly machine: Machine, private readonly opts: SimLoopOptions = {}) {}

  start(): void {
    this.done ??= this.loop()
  }

  /** Stop after the current slice; resolves once the loop has left. */
  async stop(): Promise<void> {
    this.stopped = true
    this.sleeper.poke()
    await this.done
  }

  /** cut a sleep short (input arrived, or the user resumed) */
  poke(): void {
    this.sleeper.poke()
  }

  private async loop(): Promise<void> {
    const slice = this.opts.sliceMs ?? 8
    const sched = this.machine.sched
    while (!this.stopped) {
      if (this.paused || this.held) {
        // a paused machine's guests do not see host time pass
        sched.realTime?.hold()
        await this.sleeper.sleep(50)
        continue
      }
      let r: StopReason
      try {
        r = this.machine.sched.run({ wallMs: slice })
      } catch (e) {
        this.paused = true
        this.opts.onError?.(e)
        continue
      }
      this.last = r
      this.opts.onSlice?.(r)
      // idle in real time: only input wakes the guests (it pokes), so a long sleep costs nothing
      const idle = this.opts.idleMs ?? (sched.realTime ? 1000 : 10)
      const ms = pauseAfter(r, sched.waitMs, idle)
      if (ms > 0) await this.sleeper.sleep(ms)
      else await new Promise<void>((res) => setImmediate(res))
    }
  }
}
