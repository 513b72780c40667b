/**
 * Scrollback for a pane: the last `max` complete lines plus the line being written. Guest bytes go
 * through `TermText`, which keeps what a plain pane can show: printable text, newlines, tabs,
 * backspace and carriage return (a progress line rewrites itself); colour and cursor escapes
 * (ECMA-48 CSI, OSC) are dropped so they can never break the layout.
 */
export class LineBuffer {
  private lines: string[] = []
  /** the unfinished last line */
  partial = ''
  /** bumped on every change, so a view can tell whether to redraw */
  version = 0

  constructor(readonly max = 2000) {}

  /** complete lines, plus the partial one when it has text */
  get length(): number {
    return this.lines.length + (this.partial ? 1 : 0)
  }

  pushLine(text: string): void {
    this.lines.push(text)
    // trim in batches: one splice per 256 lines instead of a shift per line
    if (this.lines.length > this.max + 256) this.lines.splice(0, this.lines.length - this.max)
    this.version++
  }

  /** append plain text (`\n` ends a line) */
  append(text: string): void {
    const parts = text.split('\n')
    for (let i = 0; i < parts.length - 1; i++) {
      this.pushLine(this.partial + parts[i])
      this.partial = ''
    }
    this.partial += parts[parts.length - 1]
    this.version++
  }

  setPartial(text: string): void {
    if (text === this.partial) return
    this.partial = text
    this.version++
  }

  clear(): void {
    this.lines = []
    this.partial = ''
    this.version++
  }

  /** The largest useful scroll offset for a pane `height` lines tall. */
  maxScroll(height: number): number {
    return Math.max(0, Math.min(this.length, this.max) - height)
  }

  /** `height` lines ending `scroll` lines above the newest one (fewer when there are fewer). */
  view(height: number, scroll = 0): string[] {
    const n = this.length
    const total = Math.min(n, this.max)
    const s = Math.max(0, Math.min(scroll, total - height))
    const end = n - s
    const start = Math.max(n - total, end - height)
    const out: string[] = []
    for (let i = start; i < end; i++) out.push(i < this.lines.length ? this.lines[i]! : this.partial)
    return out
  }
}

const TAB = 8
/** a line without a newline longer than this is broken, so memory stays bounded */
const MAX_LINE = 4096

/** Decodes a guest's bytes (UTF-8, as a terminal would) into a LineBuffer. */
export class TermText {
  private decoder = new TextDecoder('utf-8')
  private state: 'text' | 'esc' | 'csi' | 'osc' | 'osc-esc' = 'text'
  private cr = false

  constructor(readonly buffer: LineBuffer) {}

  write(bytes: Uint8Array): void {
    const text = this.decoder.decode(bytes, { stream: true })
    const b = this.buffer
    let line = b.partial
    for (const c of text) {
      const code = c.codePointAt(0)!
      switch (this.state) {
        case 'esc':
          this.state = c === '[' ? 'csi' : c === ']' ? 'osc' : 'text'
          continue
        case 'csi':
          if (code >= 0x40 && code <= 0x7e) this.state = 'text'
          continue
        case 'osc':
          if (code === 7) this.state = 'text'
          else if (code === 27) this.state = 'osc-esc'
          continue
        case 'osc-esc':
          this.state = c === '\\' ? 'text' : 'osc'
          continue
      }
      if (this.cr && c !== '\n') line = ''
      this.cr = false
      if (c === '\n') {
        b.setPartial('')
        b.pushLine(line)
        line = ''
      } else if (c === '\r') this.cr = true
      else if (c === '\b') line = line.slice(0, -1)
      else if (c === '\t') line += ' '.repeat(TAB - (line.length % TAB))
      else if (code === 27) this.state = 'esc'
      else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) continue
      else {
        line += c
        if (line.length >= MAX_LINE) {
          b.pushLine(line)
          line = ''
        }
      }
    }
    b.setPartial(line)
  }
}
