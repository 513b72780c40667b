/**
 * A sleep that input can cut short: what the run loops do between slices when the machine waits
 * (every CPU idle, or real-time mode ahead of the host clock), so an idle machine costs the host
 * nothing and a key press still reaches the guest at once.
 */
export class Sleeper {
  private wake: (() => void) | null = null

  sleep(ms: number): Promise<void> {
    return new Promise((res) => {
      const t = setTimeout(() => { this.wake = null; res() }, Math.max(0, ms))
      this.wake = () => { clearTimeout(t); this.wake = null; res() }
    })
  }

  /** end the current sleep now (input arrived, the user resumed, the loop stops) */
  poke(): void {
    this.wake?.()
  }
}

/**
 * How long a run loop sleeps after the scheduler stopped for `r`: 'wait' until what is due (real
 * time), 'idle' until input (polled at `idleMs`), 'halted' at a slow poll; 0: go on at once.
 */
export function pauseAfter(r: string, waitMs: number, idleMs: number): number {
  if (r === 'wait') return Math.min(waitMs, 1000)
  if (r === 'idle') return idleMs
  if (r === 'halted') return 50
  return 0
}
