/**
 * Keys → what they do. The REPL line has focus at start; F2 / Ctrl-O cycle focus REPL → each
 * console → REPL. A focused console gets every key as typed except the TUI's own (KEYS below).
 * Paging (and the mouse wheel, when F6 turned the mouse on) scrolls the pane that has the keys.
 */
import type { KeyEvent } from './keys.ts'
import { layout } from './layout.ts'
import type { TuiModel } from './model.ts'

/** rows one wheel notch scrolls */
const WHEEL = 3

export interface Actions {
  quit(): void
  /** evaluate a complete REPL input */
  evaluate(code: string): void
  /** pause or resume the simulation */
  togglePause(): void
  /** a key went to a guest console (the run loop wakes from an idle sleep at once) */
  input?(): void
}

/** The help overlay's text, also the source of truth for the README. */
export const KEYS: [string, string][] = [
  ['F1  or ?', 'this help (? on an empty REPL line or in a console)'],
  ['F2  or Ctrl-O', 'focus: REPL → console 1 → console 2 … → REPL'],
  ['F3', 'split view: consoles side by side / one tab'],
  ['F4', 'pause / resume the simulation'],
  ['Ctrl-N / Ctrl-P', 'next / previous console tab'],
  ['← / →', 'previous / next tab (when a console has focus)'],
  ['PgUp / PgDn', 'scroll the pane with the keys: REPL output or console'],
  ['F5', 'fold / unfold the last long REPL result'],
  ['F6', 'mouse wheel on / off (on: Shift+drag selects text)'],
  ['Enter', 'REPL: evaluate (or continue an unfinished statement)'],
  ['Tab', 'REPL: complete'],
  ['↑ / ↓', 'REPL: history'],
  ['Esc', 'REPL: drop the line and any unfinished statement'],
  ['Ctrl-L', 'REPL: clear the output area'],
  ['Ctrl-A/E/U/K/W', 'REPL: line start / end; kill before / after / word'],
  ['Ctrl-C, Ctrl-D, .exit', 'quit (Ctrl-D on an empty REPL line)'],
]

export class Controller {
  /**
   * @param page rows of the current console pane, for PgUp/PgDn (from the terminal's size)
   * @param transcriptRows rows of the REPL output pane: for paging, and what folds there
   */
  constructor(
    private readonly m: TuiModel,
    private readonly act: Actions,
    private readonly page: () => number = () => 10,
    private readonly transcriptRows: () => number = () => layout(process.stdout.columns || 80, process.stdout.rows || 24).transcript,
  ) {}

  key(k: KeyEvent): void {
    const m = this.m
    m.changed()
    if (k.name === 'ctrl' && k.text === 'c') return this.act.quit()
    // mouse reports are never keys: not for a guest, and they do not close the help
    if (k.name === 'mouse') return
    if (k.name === 'wheelup' || k.name === 'wheeldown') {
      if (!m.help) this.scroll(k.name === 'wheelup' ? WHEEL : -WHEEL)
      return
    }
    if (m.help) {
      m.help = false
      return
    }
    switch (k.name) {
      case 'f1': m.help = true; return
      case 'f2': return this.cycleFocus()
      case 'f3': m.split = !m.split; return
      case 'f4': return this.act.togglePause()
      case 'f5': m.transcript.toggle(this.transcriptRows()); return
      case 'f6': m.mouse = !m.mouse; return
      case 'pageup': return this.scroll(this.pageRows())
      case 'pagedown': return this.scroll(-this.pageRows())
      case 'ctrl':
        if (k.text === 'o') return this.cycleFocus()
        if (k.text === 'n') return this.selectTab(m.tab + 1)
        if (k.text === 'p') return this.selectTab(m.tab - 1)
    }
    if (m.focus === 'repl') this.replKey(k)
    else this.consoleKey(m.focus, k)
  }

  cycleFocus(): void {
    const m = this.m
    if (m.focus === 'repl') {
      if (m.consoles.length) this.focusConsole(0)
    } else if (m.focus + 1 < m.consoles.length) this.focusConsole(m.focus + 1)
    else m.focus = 'repl'
  }

  private focusConsole(i: number): void {
    this.m.focus = i
    this.showTab(i)
  }

  private showTab(i: number): void {
    const m = this.m
    m.tab = i
    const t = m.consoles[i]
    if (t) t.unread = false
  }

  selectTab(i: number): void {
    const m = this.m
    const n = m.consoles.length
    if (!n) return
    const j = ((i % n) + n) % n
    if (m.focus === 'repl') this.showTab(j)
    else this.focusConsole(j)
  }

  /** a page of the pane that has the keys: its height less one line kept for context */
  private pageRows(): number {
    return Math.max(1, (this.m.focus === 'repl' ? this.transcriptRows() : this.page()) - 1)
  }

  /** scroll the pane that has the keys: the REPL output, or the current console */
  private scroll(by: number): void {
    if (this.m.focus === 'repl') return this.m.transcript.scrollBy(by, this.transcriptRows())
    const t = this.m.consoles[this.m.tab]
    if (!t) return
    t.scroll = Math.max(0, Math.min(t.lines.maxScroll(this.page()), t.scroll + by))
  }

  private consoleKey(i: number, k: KeyEvent): void {
    const m = this.m
    const t = m.consoles[i]
    if (!t) {
      m.focus = 'repl'
      return
    }
    if (k.name === 'left') return this.selectTab(i - 1)
    if (k.name === 'right') return this.selectTab(i + 1)
    if (k.name === 'text' && k.text === '?') {
      m.help = true
      return
    }
    if (t.gone) return
    t.scroll = 0
    t.vm.console.send(k.raw)
    this.act.input?.()
  }

  private replKey(k: KeyEvent): void {
    const m = this.m
    const e = m.editor
    switch (k.name) {
      case 'text':
        if (k.text === '?' && !e.text && !e.pending.length) {
          m.help = true
          return
        }
        e.insert(k.text)
        return
      case 'enter': {
        m.transcript.scroll = 0
        if (m.busy) return
        const echo = [e.prompt + e.text]
        const r = e.submit((code) => m.repl.needsMore(code))
        if (r.kind === 'more') {
          m.say(echo[0]!, 'input')
          return
        }
        if (r.kind === 'empty') return
        m.say(echo[0]!, 'input')
        if (r.code.trim() === '.exit') return this.act.quit()
        this.act.evaluate(r.code)
        return
      }
      case 'tab': {
        let shown: string[] = []
        try {
          shown = e.complete((line) => m.repl.complete(line))
        } catch { /* a completer that throws completes nothing */ }
        if (shown.length) m.say(fit(shown), 'info')
        return
      }
      case 'backspace': return e.backspace()
      case 'delete': return e.deleteForward()
      case 'left': return e.left()
      case 'right': return e.right()
      case 'home': return e.home()
      case 'end': return e.end()
      case 'up': return e.historyPrev()
      case 'down': return e.historyNext()
      case 'escape': return e.cancel()
      case 'ctrl':
        switch (k.text) {
          case 'a': return e.home()
          case 'e': return e.end()
          case 'b': return e.left()
          case 'f': return e.right()
          case 'u': return e.killBefore()
          case 'k': return e.killAfter()
          case 'w': return e.killWord()
          case 'g': return e.cancel()
          case 'l': return m.transcript.clear()
          case 'd':
            if (!e.text && !e.pending.length) return this.act.quit()
            return e.deleteForward()
        }
    }
  }
}

/** completion candidates on one line, as many as sensible */
function fit(cands: string[]): string {
  const shown = cands.slice(0, 40).join('  ')
  return cands.length > 40 ? `${shown}  … (${cands.length})` : shown
}
