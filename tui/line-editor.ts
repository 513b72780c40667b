/**
 * The REPL input line: editing (readline's keys), history, completion and multi-line input. Pure
 * state; the TUI feeds it keys and renders `prompt`, `text` and `cursor`.
 */
export const PROMPT = 'baobab> '
export const MORE_PROMPT = '   ...> '

export type Submit = { kind: 'more' } | { kind: 'eval'; code: string } | { kind: 'empty' }

export class LineEditor {
  text = ''
  cursor = 0
  /** lines of an unfinished multi-line input, shown above the prompt */
  pending: string[] = []
  private index: number
  private draft = ''

  constructor(readonly history: string[] = []) {
    this.index = history.length
  }

  get prompt(): string {
    return this.pending.length ? MORE_PROMPT : PROMPT
  }

  insert(s: string): void {
    // a paste may carry newlines: the TUI splits those into Enter presses before us
    this.text = this.text.slice(0, this.cursor) + s + this.text.slice(this.cursor)
    this.cursor += s.length
  }

  backspace(): void {
    if (this.cursor === 0) return
    this.text = this.text.slice(0, this.cursor - 1) + this.text.slice(this.cursor)
    this.cursor--
  }

  deleteForward(): void {
    this.text = this.text.slice(0, this.cursor) + this.text.slice(this.cursor + 1)
  }

  left(): void { this.cursor = Math.max(0, this.cursor - 1) }
  right(): void { this.cursor = Math.min(this.text.length, this.cursor + 1) }
  home(): void { this.cursor = 0 }
  end(): void { this.cursor = this.text.length }

  /** Ctrl-U */
  killBefore(): void {
    this.text = this.text.slice(this.cursor)
    this.cursor = 0
  }

  /** Ctrl-K */
  killAfter(): void {
    this.text = this.text.slice(0, this.cursor)
  }

  /** Ctrl-W: the word before the cursor */
  killWord(): void {
    const before = this.text.slice(0, this.cursor).replace(/[^\s]*\s*$/, '')
    this.text = before + this.text.slice(this.cursor)
    this.cursor = before.length
  }

  private set(text: string): void {
    this.text = text
    this.cursor = text.length
  }

  historyPrev(): void {
    if (this.index === 0) return
    if (this.index === this.history.length) this.draft = this.text
    this.index--
    this.set(this.history[this.index]!)
  }

  historyNext(): void {
    if (this.index >= this.history.length) return
    this.index++
    this.set(this.index === this.history.length ? this.draft : this.history[this.index]!)
  }

  /** Give up an unfinished multi-line input and the line (Ctrl-G / Esc). */
  cancel(): void {
    this.pending = []
    this.set('')
    this.index = this.history.length
  }

  /**
   * Enter. `needsMore` decides whether the input so far is an unfinished statement; then the line
   * joins `pending` and the prompt changes. A complete input goes to history (once; a repeat of
   * the previous entry is not added).
   */
  submit(needsMore: (code: string) => boolean): Submit {
    const code = [...this.pending, this.text].join('\n')
    if (!code.trim()) {
      this.cancel()
      return { kind: 'empty' }
    }
    if (needsMore(code)) {
      this.pending.push(this.text)
      this.set('')
      return { kind: 'more' }
    }
    this.pending = []
    this.set('')
    if (this.history[this.history.length - 1] !== code) this.history.push(code)
    this.index = this.history.length
    this.draft = ''
    return { kind: 'eval', code }
  }

  /**
   * Tab. `complete(line)` gives candidates for the text before the cursor: whole lines, or
   * replacements for the word being typed. The common prefix is inserted; when several remain
   * they are returned for display (the names only: `vms`, not `hv.vms`).
   */
  complete(complete: (line: string) => string[]): string[] {
    const before = this.text.slice(0, this.cursor)
    const after = this.text.slice(this.cursor)
    const cands = [...new Set(complete(before))]
    if (!cands.length) return []
    let head = ''
    let word = before
    if (!cands.every((c) => c.startsWith(before))) {
      // a candidate completes the expression at the end (`hv.v` → `hv.vms`) or its last name (`v` → `vms`)
      const expr = /[\w$.]*$/.exec(before)![0]
      word = cands.every((c) => c.startsWith(expr)) ? expr : /[\w$]*$/.exec(before)![0]
      head = before.slice(0, before.length - word.length)
    }
    const prefix = commonPrefix(cands)
    if (prefix.length > word.length && prefix.startsWith(word)) {
      this.text = head + prefix + after
      this.cursor = head.length + prefix.length
    } else if (cands.length === 1 && !cands[0]!.startsWith(word)) {
      this.text = head + cands[0] + after
      this.cursor = head.length + cands[0]!.length
    }
    if (cands.length < 2) return []
    // shown by the name being completed, not as whole lines
    const from = head.length + word.length - /[\w$]*$/.exec(word)![0].length
    return cands.map((c) => c.slice(from))
  }
}

export function commonPrefix(xs: string[]): string {
  if (!xs.length) return ''
  let p = xs[0]!
  for (const x of xs) {
    let i = 0
    while (i < p.length && i < x.length && p[i] === x[i]) i++
    p = p.slice(0, i)
  }
  return p
}
