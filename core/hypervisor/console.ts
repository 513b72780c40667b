/**
 * A VM's console: the bytes its guest printed (through a UART it owns, an emulated one, or the
 * SBI console), and the input typed for it. Listeners get every byte; `text` keeps a bounded tail
 * for `waitFor`-style checks.
 */
export interface VmConsoleState {
  /** base64 of the bytes kept (`output`) */
  output: string
  /** bytes dropped before them */
  dropped: number
  pendingInput: number[]
}

/** the console keeps at most this many bytes (the TUI shows far fewer; listeners see every byte) */
const MAX_KEPT = 2 * 1024 * 1024

export class VmConsole {
  private listeners: ((b: number) => void)[] = []
  private inputListeners: ((bytes: Uint8Array) => void)[] = []
  private inputSink: ((b: number) => void) | null = null
  private pendingInput: number[] = []
  /** bytes the guest wrote, all of them (the TUI's scrollback reads this) */
  readonly output: number[] = []

  constructor(readonly name: string) {}

  /** bytes dropped from the front of `output` to bound memory (a guest may print forever) */
  dropped = 0

  /** guest → outside */
  put(b: number): void {
    const out = this.output
    out.push(b)
    if (out.length > MAX_KEPT) {
      out.splice(0, MAX_KEPT / 2)
      this.dropped += MAX_KEPT / 2
    }
    for (const fn of this.listeners) fn(b)
  }

  /** bytes written since the start, including dropped ones: a position for `since` */
  get total(): number {
    return this.dropped + this.output.length
  }

  /** what the guest printed after position `pos` (of `total`), as far as it is still kept */
  since(pos: number): string {
    return Buffer.from(this.output.slice(Math.max(0, pos - this.dropped))).toString('latin1')
  }

  onOutput(fn: (b: number) => void): () => void {
    this.listeners.push(fn)
    return () => { this.listeners = this.listeners.filter((f) => f !== fn) }
  }

  text(): string {
    return Buffer.from(this.output).toString('latin1')
  }

  /** outside → guest */
  send(data: string | Uint8Array): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data
    for (const fn of this.inputListeners) fn(bytes)
    for (const b of bytes) this.inputSink ? this.inputSink(b) : this.pendingInput.push(b)
  }

  /** told of everything sent to the guest, before it goes in (a recording of the run's input) */
  onInput(fn: (bytes: Uint8Array) => void): () => void {
    this.inputListeners.push(fn)
    return () => { this.inputListeners = this.inputListeners.filter((f) => f !== fn) }
  }

  /** Sessions: the output so far and input not yet taken (listeners and the sink are wiring). */
  snapshot(): VmConsoleState {
    return { output: Buffer.from(this.output).toString('base64'), dropped: this.dropped, pendingInput: [...this.pendingInput] }
  }

  /** Replace the output history (listeners are not told: it is history, not new output). */
  restore(s: VmConsoleState): void {
    const bytes = Buffer.from(s.output, 'base64')
    this.output.length = 0
    for (const b of bytes) this.output.push(b)
    this.dropped = s.dropped
    this.pendingInput = s.pendingInput.map((b) => b & 0xff)
  }

  /** whether input has somewhere to go yet (a UART of the VM's, or the firmware console) */
  get hasInputSink(): boolean {
    return this.inputSink !== null
  }

  /** where input goes (the VM's UART or its SBI console queue) */
  setInputSink(fn: (b: number) => void): void {
    this.inputSink = fn
    const q = this.pendingInput
    this.pendingInput = []
    for (const b of q) fn(b)
  }
}
