/**
 * Where everything goes, from the terminal size: fixed rows for the tab bar, status line, log,
 * REPL output and input; the consoles (and the VM tree beside them) take the rest. Sizes are
 * computed here rather than left to flexbox so every pane knows how many lines it can show, and
 * no line is ever wider than the terminal.
 */
export interface Layout {
  cols: number
  /** rows the app draws: one less than the terminal, so Ink never scrolls it */
  rows: number
  middle: number
  side: number
  consoleWidth: number
  log: number
  transcript: number
}

export const MIN_COLS = 40
export const MIN_ROWS = 12

export function layout(termCols: number, termRows: number): Layout {
  const cols = Math.max(MIN_COLS, termCols)
  const rows = Math.max(MIN_ROWS, termRows) - 1
  const log = rows >= 40 ? 5 : rows >= 20 ? 3 : 1
  const transcript = rows >= 40 ? 8 : rows >= 30 ? 5 : rows >= 20 ? 3 : 1
  // tab bar, status line, log, separator, REPL output, input line
  const fixed = 1 + 1 + log + 1 + transcript + 1
  const middle = Math.max(1, rows - fixed)
  const side = cols >= 70 ? 24 : 0
  return { cols, rows, middle, side, consoleWidth: cols - side, log, transcript }
}
