/**
 * The REPL transcript in the real `baobab` in a tmux pane, as a user sees it: a 200-line result
 * shows folded, F5 opens it, PgDn/PgUp page through it, Enter returns to the bottom, F5 folds it
 * again; with a console focused PgUp scrolls that console; F6 turns mouse reporting on (the wheel
 * scrolls) and quitting turns it off. Skipped (with a message) where tmux is not installed.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const HAS_TMUX = spawnSync('tmux', ['-V']).status === 0
// our own tmux server, so the tests never touch the user's sessions
const SOCKET = `baobab-transcript-${process.pid}`
if (!HAS_TMUX) console.log('tui-transcript-tmux.test.ts: skipped, tmux is absent (apt-get install tmux)')

function tmux(...args: string[]): string {
  const r = spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8', cwd: ROOT })
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

const capture = (t: string): string => tmux('capture-pane', '-p', '-t', t)

/** Poll the pane until `test` holds on its text; fail with the last screen when it does not. */
async function waitFor(t: string, test: (screen: string) => boolean, what: string, ms = 30_000): Promise<string> {
  const end = Date.now() + ms
  let screen = ''
  while (Date.now() < end) {
    screen = capture(t)
    if (test(screen)) return screen
    await new Promise((r) => setTimeout(r, 150))
  }
  throw new Error(`timed out waiting for ${what}; the screen was:\n${screen}`)
}

/** the REPL shows a string result as `'line 0\n' +` lines (util.inspect); `line 199` ends it */
const line = (n: number) => (screen: string) => new RegExp(`'line ${n}(\\\\n)?'`).test(screen)
const lines = (from: number, to: number) => (screen: string) => Array.from({ length: to - from + 1 }, (_, i) => from + i).every((n) => line(n)(screen))
/** the REPL pane's title row */
const title = (screen: string): string => screen.split('\n').find((l) => l.startsWith('─ REPL')) ?? ''
const FOLD = '… 195 more lines — F5 unfolds'

const tmp = mkdtempSync(join(tmpdir(), 'baobab-transcript-'))
afterAll(() => {
  if (HAS_TMUX) spawnSync('tmux', ['-L', SOCKET, 'kill-server'])
  rmSync(tmp, { recursive: true, force: true })
})

describe.skipIf(!HAS_TMUX)('the REPL transcript in tmux', () => {
  it('folds a 200-line result, unfolds it with F5, pages through it, and scrolls with the wheel once F6 turns the mouse on', async () => {
    const script = join(tmp, 'run.sh')
    writeFileSync(script, ['node bin/baobab.js configs/two-vms.json', 'echo "EXITED $?"', 'sleep 600'].join('\n'))
    // 42 rows: an 8-row REPL pane (tui/layout.ts), where results over 6 lines fold
    const t = 'transcript'
    tmux('new-session', '-d', '-s', t, '-x', '100', '-y', '42', '-c', ROOT, `bash ${script}`)
    await waitFor(t, (s) => s.includes('tick 1') && s.includes('baobab>'), 'the demo running')

    tmux('send-keys', '-t', t, '-l', "Array.from({length:200},(_, i)=>'line '+i).join('\\n')")
    tmux('send-keys', '-t', t, 'Enter')
    const folded = await waitFor(t, (s) => s.includes(FOLD), 'the result folded')
    expect(lines(0, 4)(folded)).toBe(true)
    expect(line(5)(folded) || line(199)(folded)).toBe(false)

    // open: from its first line, the title saying the pane is scrolled back
    tmux('send-keys', '-t', t, 'F5')
    const open = await waitFor(t, (s) => lines(0, 7)(s) && !s.includes(FOLD), 'the result unfolded')
    expect(title(open)).toMatch(/^─ REPL ↑ \d+ lines back — PgDn ─+$/)
    // PgDn twice: a page less one line each
    tmux('send-keys', '-t', t, 'PageDown')
    tmux('send-keys', '-t', t, 'PageDown')
    await waitFor(t, (s) => lines(14, 21)(s) && !line(13)(s), 'two pages further')
    // PgUp: the earlier lines again
    tmux('send-keys', '-t', t, 'PageUp')
    await waitFor(t, (s) => lines(7, 14)(s) && !line(15)(s), 'a page back')
    // Enter on the empty line: back at the bottom, the result's end
    tmux('send-keys', '-t', t, 'Enter')
    const bottom = await waitFor(t, (s) => lines(192, 199)(s), 'the bottom again')
    expect(title(bottom)).toMatch(/^─ REPL ─+$/)
    // folded again
    tmux('send-keys', '-t', t, 'F5')
    await waitFor(t, (s) => s.includes(FOLD) && !line(5)(s), 'the result folded again')

    // a console focused: PgUp scrolls its scrollback, not the REPL's (once vm1's echo loop has
    // printed more than its pane holds)
    tmux('send-keys', '-t', t, 'F2')
    await waitFor(t, (s) => s.includes('keys → vm1') && s.includes('echo ready'), 'vm1 focused and ready')
    tmux('send-keys', '-t', t, '-l', 'abcdefghijklmnopqrstuvwxyz')
    await waitFor(t, (s) => s.includes('echo: z'), 'vm1 echoing 26 keys')
    tmux('send-keys', '-t', t, 'PageUp')
    const console = await waitFor(t, (s) => /↑ \d+ lines back — PgDn/.test(s.split('\n').slice(1, 30).join('\n')), 'the console scrolled back')
    expect(title(console)).toMatch(/^─ REPL ─+$/)
    // focus cycles on through vm2 back to the REPL
    tmux('send-keys', '-t', t, 'F2')
    tmux('send-keys', '-t', t, 'F2')
    await waitFor(t, (s) => s.includes('keys → REPL'), 'the REPL focused again')

    // F6: the terminal reports the mouse (SGR); a wheel notch up scrolls the REPL three lines
    expect(tmux('display-message', '-p', '-t', t, '#{mouse_standard_flag} #{mouse_sgr_flag}').trim()).toBe('0 0')
    tmux('send-keys', '-t', t, 'F5')
    await waitFor(t, (s) => !s.includes(FOLD), 'the result unfolded')
    tmux('send-keys', '-t', t, 'Enter')
    await waitFor(t, (s) => lines(192, 199)(s), 'the bottom again')
    tmux('send-keys', '-t', t, 'F6')
    await waitFor(t, () => tmux('display-message', '-p', '-t', t, '#{mouse_standard_flag} #{mouse_sgr_flag}').trim() === '1 1', 'mouse reporting on')
    tmux('send-keys', '-t', t, '-l', '\x1b[<64;10;38M')
    await waitFor(t, (s) => title(s).includes('↑ 3 lines back') && lines(189, 196)(s) && !line(197)(s), 'the wheel scrolling the REPL')

    // quitting with the mouse on gives the terminal back without mouse reporting
    tmux('send-keys', '-t', t, 'C-c')
    await waitFor(t, (s) => s.includes('EXITED'), 'the shell after exit', 15_000)
    expect(capture(t)).toContain('EXITED 0')
    expect(tmux('display-message', '-p', '-t', t, '#{mouse_standard_flag} #{mouse_sgr_flag} #{alternate_on}').trim()).toBe('0 0 0')
  })
})

if (!HAS_TMUX) {
  it.skip('tmux is not installed: the transcript end-to-end test is skipped', () => {})
}
