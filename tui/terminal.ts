/**
 * Taking the terminal and giving it back: the alternate screen (so the shell's screen comes back
 * untouched), a hidden cursor, and on the way out — however we leave, even by an exception — raw
 * mode off, cursor shown, alternate screen left.
 */
import { writeSync } from 'node:fs'

const ENTER = '\u001b[?1049h\u001b[H\u001b[2J\u001b[?25l'
const LEAVE = '\u001b[?25h\u001b[?1049l'

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
