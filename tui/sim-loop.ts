/**
 * Runs the simulation beside the UI: a slice of at most `sliceMs` wall time, then a yield so Ink
 * can draw and keys are read. Guests run as fast as they can; when every vCPU waits for an
 * interrupt no timer will raise (StopReason 'idle', only input can wake them) or the machine has
 * halted, the loop sleeps between checks instead of spinning.
 */
import type { Machine } from '../core/machine.ts'
import type { StopReason } from '../core/scheduler.ts'

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
  private wake: (() => void) | null = null

  constructor(private readonly machine: Machine, private readonly opts: SimLoopOptions = {}) {}

  start(): void {
    this.done ??= this.loop()
  }

  /** Stop after the current slice; resolves once the loop has left. */
  async stop(): Promise<void> {
    this.stopped = true
    this.wake?.()
    await this.done
  }

  /** cut a sleep short (input arrived, or the user resumed) */
  poke(): void {
    this.wake?.()
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((res) => {
      const t = setTimeout(() => { this.wake = null; res() }, ms)
      this.wake = () => { clearTimeout(t); this.wake = null; res() }
    })
  }

  private async loop(): Promise<void> {
    const slice = this.opts.sliceMs ?? 8
    const idle = this.opts.idleMs ?? 10
    while (!this.stopped) {
      if (this.paused || this.held) {
        await this.sleep(50)
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
      if (r === 'idle') await this.sleep(idle)
      else if (r === 'halted') await this.sleep(50)
      else await new Promise<void>((res) => setImmediate(res))
    }
  }
}
