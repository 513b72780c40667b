/**
 * Start-up figures (issue 10: `run` to the first guest line < 300 ms, `--help` < 200 ms, the TUI's
 * first frame < 1.5 s): each the median of several cold starts of the real CLI in a new process,
 * as a user types it. One start is too noisy on a 2-core machine to judge against a threshold.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { median, type Figure } from './measure.ts'

const RUNS = 5

/** Wall ms from spawning `baobab args` until `done(stdout so far)`; -1 if it exits first. */
function until(cli: string, args: string[], done: (out: string) => boolean): Promise<number> {
  return new Promise((resolve) => {
    const t0 = performance.now()
    const p = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'ignore'] })
    let buf = ''
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString()
      if (done(buf)) {
        resolve(performance.now() - t0)
        p.kill()
      }
    })
    p.on('exit', () => resolve(-1))
  })
}

/** Wall ms of `baobab --help` to its exit. */
function helpMs(cli: string): number {
  const t0 = performance.now()
  spawnSync(process.execPath, [cli, '--help'], { stdio: 'ignore' })
  return performance.now() - t0
}

/**
 * Wall ms from starting the TUI in a tmux pane until its first frame is on the screen (the REPL's
 * prompt is part of it), polled through capture-pane; null without tmux.
 */
async function tuiFirstFrame(cli: string, config: string): Promise<number | null> {
  if (spawnSync('tmux', ['-V']).status !== 0) return null
  const socket = `baobab-bench-${process.pid}`
  const dir = mkdtempSync(join(tmpdir(), 'baobab-bench-'))
  const tmux = (...a: string[]) => spawnSync('tmux', ['-L', socket, ...a], { encoding: 'utf8' })
  try {
    const script = join(dir, 'tui.sh')
    writeFileSync(script, `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} ${JSON.stringify(config)}\n`)
    const t0 = performance.now()
    if (tmux('new-session', '-d', '-s', 'b', '-x', '100', '-y', '30', `bash ${script}`).status !== 0) return null
    while (performance.now() - t0 < 30_000) {
      if ((tmux('capture-pane', '-p', '-t', 'b').stdout ?? '').includes('baobab>')) return performance.now() - t0
      await new Promise((r) => setTimeout(r, 10))
    }
    return null
  } finally {
    tmux('kill-server')
    rmSync(dir, { recursive: true, force: true })
  }
}

export async function benchStartup(cli: string, config: string): Promise<Figure[]> {
  const first: number[] = [], help: number[] = [], frame: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const ms = await until(cli, ['run', config, '--timeout', '60'], (out) => /^\[vm\d\] /m.test(out))
    if (ms >= 0) first.push(ms)
    help.push(helpMs(cli))
  }
  for (let i = 0; i < 3; i++) {
    const ms = await tuiFirstFrame(cli, config)
    if (ms !== null) frame.push(ms)
  }
  const out: Figure[] = []
  if (first.length) out.push({ name: `start-up: CLI start to first guest line (two-vms), median of ${first.length}`, value: median(first), unit: 'ms' })
  out.push({ name: `start-up: baobab --help, median of ${help.length}`, value: median(help), unit: 'ms' })
  if (frame.length) out.push({ name: `start-up: TUI first frame (two-vms, tmux), median of ${frame.length}`, value: median(frame), unit: 'ms' })
  return out
}
