/**
 * Taking the terminal and giving it back: the alternate screen (so the shell's screen comes back
 * untouched), a hidden cursor, and on the way out — however we leave, even by an exception — raw
 * mode off, mouse reporting off, cursor shown, alternate screen left.
 */
import { writeSync } from 'node:fs'

/**
 * xterm mouse reporting: presses, releases and the wheel (mode 1000), sent in the SGR form (1006:
 * `ESC[<b;x;yM`), a CSI sequence Ink's input parser passes on whole. While it is on the terminal
 * leaves selecting text to Shift+drag, so it is off until the user asks (F6).
 */
const MOUSE_ON = '\u001b[?1000h\u001b[?1006h'
const MOUSE_OFF = '\u001b[?1006l\u001b[?1000l'
const ENTER = '\u001b[?1049h\u001b[H\u001b[2J\u001b[?25l'
// mouse reporting off whether or not it was on: resetting a mode that is off changes nothing
const LEAVE = MOUSE_OFF + '\u001b[?25h\u001b[?1049l'

/** Turn the terminal's mouse reporting on or off. */
export function mouseReporting(stdout: NodeJS.WriteStream, on: boolean): void {
  if (stdout.isTTY) stdout.write(on ? MOUSE_ON : MOUSE_OFF)
}

export interface TerminalGuard {
  restore(): void
}

export function takeTerminal(stdout: NodeJS.WriteStream = process.stdout, stdin: NodeJS.ReadStream = process.stdin): TerminalGuard {
  let restored = false
  const restore = (): void => {
    if (restored) return
    restored = true
    process.off('exit', restore)
    try {
      if (stdin.isTTY && stdin.isRaw) stdin.setRawMode(false)
    } catch { /* stdin already closed */ }
    try {
      // synchronous: this may run from the 'exit' event, where async writes are lost
      if (stdout.isTTY) writeSync((stdout as unknown as { fd: number }).fd ?? 1, LEAVE)
    } catch { /* terminal gone */ }
  }
  if (stdout.isTTY) stdout.write(ENTER)
  process.on('exit', restore)
  return { restore }
}
