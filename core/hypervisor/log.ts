/**
 * The hypervisor's own log, in CROSSCON's style (reference §10): `CROSSCONHYP INFO: …`. Kept
 * apart from guest consoles; the CLI prints it as `[hyp]`, the TUI in its own pane.
 */
export type LogLevel = 'INFO' | 'WARNING' | 'ERROR'

export interface LogLine {
  level: LogLevel
  text: string
  /** virtual time (cycles) when it was logged */
  time: number
}

/** lines kept in memory: a long run (thousands of VMs created and destroyed) keeps its last ones */
export const LOG_KEPT = 10_000

export class HypLog {
  /** the newest lines, at most LOG_KEPT (listeners — the CLI, the TUI, a log file — see every one) */
  readonly lines: LogLine[] = []
  /** lines dropped from `lines` to keep it bounded */
  dropped = 0
  private listeners: ((l: LogLine) => void)[] = []
  constructor(private readonly now: () => number) {}

  info(text: string): void { this.add('INFO', text) }
  warning(text: string): void { this.add('WARNING', text) }
  error(text: string): void { this.add('ERROR', text) }

  private add(level: LogLevel, text: string): void {
    const l = { level, text, time: this.now() }
    this.lines.push(l)
    // drop the older half at once: amortised O(1) a line, and `lines` stays the same array
    if (this.lines.length > LOG_KEPT) this.dropped += this.lines.splice(0, this.lines.length - LOG_KEPT / 2).length
    for (const fn of this.listeners) fn(l)
  }

  onLine(fn: (l: LogLine) => void): () => void {
    this.listeners.push(fn)
    return () => { this.listeners = this.listeners.filter((f) => f !== fn) }
  }

  static format(l: LogLine): string {
    return `CROSSCONHYP ${l.level}: ${l.text}`
  }
}
