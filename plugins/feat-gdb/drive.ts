/**
 * Keeps a resumed target going when nothing else runs the machine. Under `baobab run` and the
 * TUI a loop already runs it in slices; in the plain REPL the machine only moves when the user
 * calls `run()`, so GDB's `continue` would wait for them. Every TICK_MS while the debugger has
 * the target running, this checks whether anyone advanced the machine since the last look and,
 * if not, runs a slice itself. It also notices a target that ended (GDB's W/X reply).
 */
import type { RunControl } from './control.ts'

const TICK_MS = 20
const SLICE_MS = 10

export class Driver {
  private timer: ReturnType<typeof setInterval> | null = null
  private seen = -1

  constructor(private readonly ctl: RunControl) {}

  /** the debugger resumed the target */
  start(): void {
    if (this.timer) return
    this.seen = this.progress()
    this.timer = setInterval(() => this.tick(), TICK_MS)
    this.timer.unref()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  private progress(): number {
    const s = this.ctl.target.machine.sched
    return s.now + s.instructions
  }

  private tick(): void {
    this.ctl.checkExit()
    if (!this.ctl.running) { this.stop(); return }
    if (this.progress() === this.seen) this.ctl.drive(SLICE_MS)
    this.seen = this.progress()
    if (!this.ctl.running) this.stop()
  }
}
