/**
 * The terminal UI end to end: the real `baobab` in a tmux pane, driven by keys and read back with
 * capture-pane, as a user sees it. Skipped (with a message) where tmux is not installed.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const HAS_TMUX = spawnSync('tmux', ['-V']).status === 0
// our own tmux server, so the tests never touch the user's sessions
const SOCKET = `baobab-test-${process.pid}`

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

const has = (s: string) => (screen: string) => screen.includes(s)
const count = (screen: string, s: string) => screen.split(s).length - 1

/**
 * Start the TUI in a new tmux session of the given size, inside a shell that reports how it
 * ended: its exit status, then the terminal modes it left behind (`stty -a`: icanon, echo).
 */
function start(name: string, cols: number, rows: number, args = 'configs/two-vms.json'): string {
  const script = join(tmp, `${name}.sh`)
  writeFileSync(script, [
    `node bin/baobab.js ${args}`,
    'echo "EXITED $?"',
    `echo "STTY $(stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo)' | tr '\\n' ' ')"`,
    'sleep 600',
  ].join('\n'))
  tmux('new-session', '-d', '-s', name, '-x', String(cols), '-y', String(rows), '-c', ROOT, `bash ${script}`)
  return name
}

const tmp = mkdtempSync(join(tmpdir(), 'baobab-tui-'))
afterAll(() => {
  if (HAS_TMUX) spawnSync('tmux', ['-L', SOCKET, 'kill-server'])
  rmSync(tmp, { recursive: true, force: true })
})

describe.skipIf(!HAS_TMUX)('baobab TUI in tmux', () => {
  it('shows both consoles, evaluates in the REPL, types into a guest, quits and restores the terminal', async () => {
    const t = start('main', 100, 30)
    // the first tab (vm1) is shown; its ticks arrive while the REPL line waits for input
    await waitFor(t, (s) => s.includes('tick 1') && s.includes('baobab>'), 'vm1 ticking')
    // split view: both consoles side by side, each ticking
    tmux('send-keys', '-t', t, 'F3')
    await waitFor(t, (s) => count(s, 'tick 2') >= 2, 'both consoles in split view')
    // the REPL: an expression and its value
    tmux('send-keys', '-t', t, '-l', 'hv.vms().length')
    tmux('send-keys', '-t', t, 'Enter')
    await waitFor(t, (s) => s.split('\n').some((l) => l.trim() === '2'), 'the REPL answering 2')
    // focus vm1's console, wait for its echo loop, type a key into the guest
    tmux('send-keys', '-t', t, 'F2')
    await waitFor(t, (s) => s.includes('keys → vm1') && count(s, 'echo ready') >= 1, 'vm1 focused and ready')
    tmux('send-keys', '-t', t, '-l', 'a')
    await waitFor(t, has('echo: a'), 'the guest echoing the key')
    // the next console: focus follows the tab
    tmux('send-keys', '-t', t, 'C-n')
    await waitFor(t, has('keys → vm2'), 'vm2 focused')
    // help overlay, closed by any key
    tmux('send-keys', '-t', t, 'F1')
    await waitFor(t, has('any key closes this'), 'the help overlay')
    tmux('send-keys', '-t', t, 'Escape')
    await waitFor(t, (s) => !s.includes('any key closes this') && s.includes('MIPS'), 'help closed')
    // quit: exit status 0, canonical mode and echo back, cursor shown, alternate screen left
    tmux('send-keys', '-t', t, 'C-c')
    const end = await waitFor(t, has('STTY'), 'the shell after exit', 15_000)
    expect(end).toContain('EXITED 0')
    expect(end).toMatch(/STTY .*\bicanon\b/)
    expect(end).toMatch(/STTY .*(^|\s)echo\b/)
    expect(end).not.toMatch(/-icanon|-echo\b/)
    expect(tmux('display-message', '-p', '-t', t, '#{cursor_flag} #{alternate_on}').trim()).toBe('1 0')
  })

  it('shows each VM\'s LLC misses in the VM list when feature llc is on (configs/colouring.json)', async () => {
    const t = start('llc', 100, 30, 'configs/colouring.json')
    // the victim's line of feature counters under its hypervisor counters, a number that grows
    const miss = (s: string): number[] => [...s.matchAll(/llc miss ([\d.]+)([kMG]?)/g)].map((m) => Number(m[1]) * ({ '': 1, k: 1e3, M: 1e6, G: 1e9 }[m[2]!] ?? 1))
    const first = await waitFor(t, (s) => miss(s).length === 2 && miss(s)[1]! > 0, 'llc miss lines for both VMs')
    expect(first).toMatch(/1 victim\s+(running|stopped)\n.*\n.*llc miss/)
    await waitFor(t, (s) => miss(s).length === 2 && miss(s)[1]! > miss(first)[1]!, 'the aggressor\'s misses growing')
    tmux('send-keys', '-t', t, 'C-c')
    await waitFor(t, has('EXITED 0'), 'the TUI quitting', 15_000)
  })

  it('lays out 80×24 without wrapping: tabs on top, status, log, REPL line at the bottom', async () => {
    const t = start('small', 80, 24)
    const s = await waitFor(t, (x) => x.includes('tick 2') && x.includes('MIPS'), 'the demo running')
    const lines = s.replace(/\n$/, '').split('\n')
    expect(lines.length).toBe(24)
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80)
    expect(lines[0]).toMatch(/1:vm1.*2:vm2/)
    expect(lines[1]).toContain('hello from vm1')
    expect(lines.findIndex((l) => l.includes('MIPS'))).toBeGreaterThan(8)
    expect(lines[22]).toMatch(/^baobab>/)
    expect(s).toContain('CROSSCONHYP INFO')
    // the VM tree beside the console
    expect(s).toMatch(/1 vm1\s+running/)
    expect(s).toMatch(/2 vm2\s+running/)
    // split view fits too
    tmux('send-keys', '-t', t, 'F3')
    const split = await waitFor(t, (x) => count(x, 'hello from') >= 2, 'split view')
    for (const l of split.split('\n')) expect([...l].length).toBeLessThanOrEqual(80)
    tmux('send-keys', '-t', t, '-l', '.exit')
    tmux('send-keys', '-t', t, 'Enter')
    await waitFor(t, has('EXITED 0'), 'quit by .exit', 15_000)
  })
})

if (!HAS_TMUX) {
  it.skip('tmux is not installed: the TUI end-to-end tests are skipped', () => {})
}

describe('baobab without a terminal', () => {
  it('--help lists the terminal UI usage and its options', () => {
    const r = spawnSync(process.execPath, ['bin/baobab.js', '--help'], { cwd: ROOT, encoding: 'utf8' })
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('baobab [config]')
    expect(r.stdout).toContain('terminal UI')
    expect(r.stdout).toContain('--unsafe-repl')
    expect(r.stdout).toContain('--headless')
  })

  it('runs the config headless, like `baobab run`, when stdout is not a terminal', async () => {
    const child = spawn(process.execPath, ['bin/baobab.js', 'configs/two-vms.json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no tick; stdout:\n${out}`)) }, 60_000)
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d
        if (out.includes('[vm1] tick 1')) {
          clearTimeout(timer)
          child.kill('SIGTERM')
          resolve()
        }
      })
    })
    expect(out).toContain('[hyp] CROSSCONHYP INFO')
    expect(out).toContain('[vm1] hello from vm1')
  })
})
