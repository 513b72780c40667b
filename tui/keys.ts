/**
 * Terminal input → key events. Ink's input parser hands us one string per escape sequence and
 * one per run of plain text; we split plain runs at control characters and name the sequences a
 * user presses here (ECMA-48 CSI / SS3, the xterm and rxvt/linux-console variants). `raw` keeps the
 * bytes as typed, so a focused guest console receives exactly what the terminal sent. With mouse
 * reporting on (tui/terminal.ts), the terminal's SGR mouse reports arrive here too: the wheel as
 * `wheelup` / `wheeldown`, anything else (clicks) as `mouse`.
 */
export type KeyName =
  | 'text' | 'enter' | 'tab' | 'backspace' | 'delete' | 'escape'
  | 'up' | 'down' | 'left' | 'right' | 'home' | 'end' | 'pageup' | 'pagedown'
  | 'f1' | 'f2' | 'f3' | 'f4' | 'f5' | 'f6' | 'ctrl'
  | 'wheelup' | 'wheeldown' | 'mouse' | 'unknown'

export interface KeyEvent {
  name: KeyName
  /** `text`: the characters; `ctrl`: the lower-case letter (Ctrl-O → 'o') */
  text: string
  /** the input as received */
  raw: string
}

const SEQUENCES: Record<string, KeyName> = {
  '[A': 'up', '[B': 'down', '[C': 'right', '[D': 'left', '[H': 'home', '[F': 'end',
  'OA': 'up', 'OB': 'down', 'OC': 'right', 'OD': 'left', 'OH': 'home', 'OF': 'end',
  '[1~': 'home', '[7~': 'home', '[4~': 'end', '[8~': 'end', '[3~': 'delete',
  '[5~': 'pageup', '[6~': 'pagedown', '[[5~': 'pageup', '[[6~': 'pagedown',
  'OP': 'f1', 'OQ': 'f2', 'OR': 'f3', 'OS': 'f4', '[15~': 'f5', '[17~': 'f6',
  '[11~': 'f1', '[12~': 'f2', '[13~': 'f3', '[14~': 'f4',
  '[[A': 'f1', '[[B': 'f2', '[[C': 'f3', '[[D': 'f4', '[[E': 'f5',
}

/**
 * xterm's SGR mouse report, `ESC[<button;x;yM` (press) or `…m` (release): button 64 / 65 are the
 * wheel's notches up / down; 4, 8 and 16 add Shift, Meta and Ctrl, 32 motion.
 */
const SGR_MOUSE = /^\[<(\d+);\d+;\d+([Mm])$/

/** An escape sequence's name; modifier parameters (`ESC[1;5C`, `ESC[5;2~`) are ignored. */
function sequence(raw: string): KeyName {
  const body = raw.replace(/^\u001b+/, '')
  const mouse = SGR_MOUSE.exec(body)
  if (mouse) {
    const button = Number(mouse[1]) & ~(4 | 8 | 16)
    return mouse[2] === 'M' && button === 64 ? 'wheelup' : mouse[2] === 'M' && button === 65 ? 'wheeldown' : 'mouse'
  }
  const direct = SEQUENCES[body]
  if (direct) return direct
  const m = /^\[(\d+)?(?:;\d+)+([~A-Za-z])$/.exec(body)
  if (m) return SEQUENCES[m[2] === '~' ? `[${m[1]}~` : `[${m[2]}`] ?? 'unknown'
  return 'unknown'
}

function control(c: string): KeyEvent {
  const code = c.charCodeAt(0)
  switch (code) {
    case 13: case 10: return { name: 'enter', text: '', raw: c }
    case 9: return { name: 'tab', text: '', raw: c }
    case 8: case 127: return { name: 'backspace', text: '', raw: c }
    case 27: return { name: 'escape', text: '', raw: c }
  }
  if (code >= 1 && code <= 26) return { name: 'ctrl', text: String.fromCharCode(code + 96), raw: c }
  return { name: 'unknown', text: '', raw: c }
}

const isControl = (c: string): boolean => {
  const code = c.charCodeAt(0)
  return code < 0x20 || code === 0x7f
}

/** Decode one input event from Ink (a sequence or a run of characters) into key events. */
export function decodeKeys(input: string): KeyEvent[] {
  if (input.startsWith('\u001b') && input.length > 1) {
    const name = sequence(input)
    // Alt+key arrives as ESC key: keep it whole for a guest, meaningless to the TUI itself
    return [{ name, text: '', raw: input }]
  }
  const out: KeyEvent[] = []
  let run = ''
  for (const c of input) {
    if (isControl(c)) {
      if (run) out.push({ name: 'text', text: run, raw: run })
      run = ''
      out.push(control(c))
    } else run += c
  }
  if (run) out.push({ name: 'text', text: run, raw: run })
  return out
}
