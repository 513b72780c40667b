/**
 * The precompiled build (bin/build.js) on a temporary COPY of the project, so the real dist/ and
 * sources are never touched: bin/baobab.js runs the build while it is current and gives what the
 * sources give; a user's plugin, a config module and a hot-reloaded built-in plugin still load
 * from their sources (sharing the build's core modules); an edited source sends it back to the
 * sources.
 */
import { spawn, spawnSync } from 'node:child_process'
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
let copy = ''

/** `node bin/baobab.js ...args` in the copy; BAOBAB_SOURCES=1 when `sources` */
function cli(args: string[], sources = false): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env, BAOBAB_SOURCES: sources ? '1' : '' }
  const r = spawnSync(process.execPath, [join(copy, 'bin', 'baobab.js'), ...args], { cwd: copy, env, encoding: 'utf8', timeout: 90_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

function build(): void {
  const r = spawnSync(process.execPath, [join(copy, 'bin', 'build.js')], { cwd: copy, encoding: 'utf8', timeout: 120_000 })
  expect(r.stderr).toBe('')
  expect(r.status).toBe(0)
}

const currentBuild = (): string => (JSON.parse(readFileSync(join(copy, 'dist', 'current.json'), 'utf8')) as { build: string }).build

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'baobab-build-'))
  for (const d of ['bin', 'core', 'tui', 'plugins', 'experiments', 'configs', join('guests', 'images'), join('test', 'fixtures')]) {
    cpSync(join(root, d), join(copy, d), { recursive: true, filter: (src) => basename(src) !== 'test' || d === join('test', 'fixtures') })
  }
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.json']) cpSync(join(root, f), join(copy, f))
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'))
  build()
}, 180_000)

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true })
})

describe('the precompiled build', () => {
  it('compiles every module of bin/, core/, tui/ and plugins/ but no tests, and gives what the sources give', () => {
    const dist = join(copy, 'dist', currentBuild())
    expect(existsSync(join(dist, 'core', 'api.js'))).toBe(true)
    expect(existsSync(join(dist, 'tui', 'run-tui.js'))).toBe(true)
    expect(existsSync(join(dist, 'plugins', 'dev-ns16550', 'ns16550.js'))).toBe(true)
    expect(existsSync(join(dist, 'core', 'bus.test.js'))).toBe(false)
    for (const args of [
      ['--help'],
      ['run', '--help'],
      ['run', 'configs/two-vms.json', '--until', 'hello from vm2', '--timeout', '60'],
      ['run', 'test/fixtures/configs/bad-overlap.json'],
      ['run', 'configs/two-vms.json', '--max-insns', 'abc'],
      ['bencj'],
      ['config', 'check', 'configs/tee.json'],
      // a config module: bundled by esbuild, evaluated in a worker
      ['config', 'check', 'test/fixtures/configs/two-vms.ts', '--print'],
    ]) {
      const built = cli(args), sources = cli(args, true)
      expect({ args, ...built }).toEqual({ args, ...sources })
    }
  }, 300_000)

  it("loads a user's board plugin, TypeScript or JavaScript that imports TypeScript, which imports core/ from its source", () => {
    // the same board as a .js plugin
    const boards = join(copy, 'test', 'fixtures', 'boards'), configs = join(copy, 'test', 'fixtures', 'configs')
    writeFileSync(join(boards, 'my-soc-js.js'), "export { default } from './my-soc.ts'\n")
    const config = JSON.parse(readFileSync(join(configs, 'my-soc.json'), 'utf8')) as { board: string }
    writeFileSync(join(configs, 'my-soc-js.json'), JSON.stringify({ ...config, board: '../boards/my-soc-js.js' }))
    for (const file of ['my-soc.json', 'my-soc-js.json']) {
      const r = cli(['run', `test/fixtures/configs/${file}`, '--until', 'hello from vm1', '--timeout', '60'])
      expect(r.stderr).toBe('')
      expect(r.stdout).toContain('[vm1] hello from vm1 hart 0')
      expect(r.status).toBe(0)
    }
  }, 120_000)

  it('hot-reloads an edited built-in plugin from its source', async () => {
    const uart = join(copy, 'plugins', 'dev-ns16550', 'ns16550.ts')
    const child = spawn(process.execPath, [join(copy, 'bin', 'baobab.js'), 'run', 'configs/two-vms.json', '--watch', '--timeout', '60',
      '--until', 'hot reload: plugin-'], { cwd: copy, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let edited = false
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (!edited && out.includes('[vm1] tick 1')) {
        edited = true
        appendFileSync(uart, '\n// edited by test/build.test.ts\n')
      }
    })
    const code = await new Promise<number | null>((res) => child.on('exit', res))
    expect(out).toMatch(/^\[hyp\] hot reload: plugin-reloaded dev-ns16550 .* reloaded, \d+ live devices? kept their state/m)
    expect(code).toBe(0)
  }, 120_000)

  it('is used while every source is unchanged, and the sources run once one changed', () => {
    // a whole second, which utimes sets exactly
    const cliTs = join(copy, 'bin', 'cli.ts')
    const size = statSync(cliTs).size
    utimesSync(cliTs, 1_700_000_000, 1_700_000_000)
    // a new build (the edit above made the last one stale); the one before is kept, for a
    // baobab that may still be running it
    const before = currentBuild()
    build()
    expect(readdirSync(join(copy, 'dist')).sort()).toEqual([before, currentBuild(), 'current.json'].sort())
    // garbage of the same size and mtime: the build does not read the sources, so it runs
    writeFileSync(cliTs, 'x'.repeat(size))
    utimesSync(cliTs, 1_700_000_000, 1_700_000_000)
    expect(cli(['--help']).status).toBe(0)
    // another mtime: the build is stale and the (broken) source runs
    utimesSync(cliTs, 1_700_000_001, 1_700_000_001)
    expect(cli(['--help']).status).not.toBe(0)
  }, 180_000)
})
