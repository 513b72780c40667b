/**
 * Scrollback for a pane: the last `max` complete lines plus the line being written. Guest bytes go
 * through `TermText`, which keeps what a plain pane can show: printable text, newlines, tabs,
 * backspace and carriage return (a progress line rewrites itself); colour and cursor escapes
 * (ECMA-48 CSI, OSC) are dropped so they can never break the layout.
 */
export class LineBuffer {
  private lines: string[] = []
  /** lines trimmed off the front (or cleared) so far: `lines[i]` is line `dropped + i` of all ever pushed */
  private dropped = 0
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
    if (this.lines.length > this.max + 256) {
      const n = this.lines.length - this.max
      this.lines.splice(0, n)
      this.dropped += n
    }
    this.version++
  }

  /** The number of the oldest complete line a view still shows, counting every line ever pushed. */
  get first(): number {
    return this.dropped + Math.max(0, this.lines.length - this.max)
  }

  /** One past the number of the newest complete line. */
  get end(): number {
    return this.dropped + this.lines.length
  }

  /** Complete line number `n` (between `first` and `end`). */
  at(n: number): string {
    return this.lines[n - this.dropped] ?? ''
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
    this.dropped += this.lines.length
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

/** One `push`: stored lines `start` … `start + count - 1`; `total` counts what was pushed before a cap. */
interface Block {
  start: number
  count: number
  total: number
  open: boolean
}

/** A pane's rows: each a stored line's number, or a fold's row as minus the lines it hides; and the row of each block's first line. */
interface Rows {
  rows: number[]
  tops: number[]
}

/**
 * A pane whose lines come in blocks (the REPL transcript: one block per result). A block longer
 * than the pane holds comfortably is shown folded — its first lines, then one marker row — and
 * stays folded as more output arrives; `toggle` opens and closes it. Lines are stored whole in a
 * bounded LineBuffer; what folds is decided when drawing, from the pane's height, so a resized pane
 * folds afresh. `scroll` counts shown rows above the bottom, as a console tab's does.
 */
export class FoldingBuffer {
  readonly lines: LineBuffer
  /** shown rows below the pane's last one (0: the pane follows new output) */
  scroll = 0
  private blocks: Block[] = []

  /** @param marker the text of a fold's row, told how many lines it hides */
  constructor(max: number, private readonly marker: (hidden: number) => string) {
    this.lines = new LineBuffer(max)
  }

  /** A block longer than this folds in a pane `height` rows tall (leaving room for the input above it). */
  static limit(height: number): number {
    return Math.max(3, height - 2)
  }

  /** stored lines */
  get length(): number {
    return this.lines.end - this.lines.first
  }

  /** Append one block and return to the bottom. `total`: how many lines it had before the caller capped it. */
  push(lines: string[], total = lines.length): void {
    const start = this.lines.end
    for (const l of lines) this.lines.pushLine(l)
    // blocks of up to 3 lines never fold (limit ≥ 3): no need to remember them
    if (lines.length > 3) this.blocks.push({ start, count: lines.length, total, open: false })
    this.prune()
    this.scroll = 0
  }

  clear(): void {
    this.lines.clear()
    this.blocks = []
    this.scroll = 0
  }

  /** Forget blocks the LineBuffer trimmed away; one trimmed in part keeps its tail. */
  private prune(): void {
    const first = this.lines.first
    let k = 0
    while (k < this.blocks.length && this.blocks[k]!.start + this.blocks[k]!.count <= first) k++
    if (k) this.blocks.splice(0, k)
    const b = this.blocks[0]
    if (b && b.start < first) {
      const cut = first - b.start
      b.start = first
      b.count -= cut
      b.total -= cut
    }
  }

  /** every row a pane `height` tall can show, top to bottom, and the row of each block's first line */
  private layout(height: number): Rows {
    const limit = FoldingBuffer.limit(height)
    const rows: number[] = []
    const tops: number[] = []
    let k = 0
    for (let n = this.lines.first; n < this.lines.end; n++) {
      const b = this.blocks[k]
      if (b && n === b.start) {
        k++
        tops.push(rows.length)
        if (!b.open && b.count > limit) {
          for (let i = 0; i < limit - 1; i++) rows.push(n + i)
          rows.push(-(b.total - (limit - 1)))
          n += b.count - 1
          continue
        }
      }
      rows.push(n)
    }
    return { rows, tops }
  }

  /** The largest useful scroll offset for a pane `height` rows tall. */
  maxScroll(height: number): number {
    return Math.max(0, this.layout(height).rows.length - height)
  }

  /** Scroll by `by` rows (positive: back), within what there is. */
  scrollBy(by: number, height: number): void {
    this.scroll = Math.max(0, Math.min(this.maxScroll(height), this.scroll + by))
  }

  /** `height` rows ending `scroll` rows above the newest one (fewer when there are fewer). */
  view(height: number, scroll = this.scroll): string[] {
    const { rows } = this.layout(height)
    const s = Math.max(0, Math.min(scroll, rows.length - height))
    const out: string[] = []
    for (let i = Math.max(0, rows.length - s - height); i < rows.length - s; i++) {
      const r = rows[i]!
      out.push(r >= 0 ? this.lines.at(r) : this.marker(-r))
    }
    return out
  }

  /**
   * Open or close the last block that folds at this height and starts in or above the pane —
   * at the bottom, the newest. One exception, so the fold row the user sees is the one that
   * opens: when only the first lines of that block show and the fold row of the one before it is
   * in the pane, that one. Opened, a block shows from its first line; closed, its fold row is the
   * pane's last. False when nothing folds.
   */
  toggle(height: number): boolean {
    const limit = FoldingBuffer.limit(height)
    const { rows, tops } = this.layout(height)
    const bottom = rows.length - Math.min(this.scroll, Math.max(0, rows.length - height))
    const folds = (k: number): boolean => this.blocks[k]!.count > limit
    const foldRow = (k: number): number => tops[k]! + limit - 1
    let k = this.blocks.length - 1
    while (k >= 0 && (!folds(k) || tops[k]! >= bottom)) k--
    if (k < 0) return false
    if (!this.blocks[k]!.open && foldRow(k) >= bottom) {
      let j = k - 1
      while (j >= 0 && !folds(j)) j--
      if (j >= 0 && !this.blocks[j]!.open && foldRow(j) >= bottom - height) k = j
    }
    const b = this.blocks[k]!
    b.open = !b.open
    const after = this.layout(height).rows.length
    const want = b.open ? after - tops[k]! - height : after - tops[k]! - limit
    this.scroll = Math.max(0, Math.min(Math.max(0, after - height), want))
    return true
  }
}

const TAB = 8
/** a line without a newline longer than this is broken, so memory stays bounded */
export const MAX_LINE = 4096

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
