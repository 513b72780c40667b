/**
 * Golden outputs of the riscv64 test guests: each program in guests/images/riscv64/ that has a
 * <name>.expected file (what QEMU 7.2 printed, recorded by `make -C guests expected`; for the
 * Makefile's SPEC_ONLY programs, where QEMU is wrong, what the spec says) must print exactly that
 * under `baobab run --bare`, byte for byte, and power off with code 0.
 * Also: a run is deterministic (same output, same instruction count) — DESIGN.md "Time and
 * determinism".
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { firstDifference } from './first-difference.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const images = join(root, 'guests', 'images', 'riscv64')
const cli = join(root, 'bin', 'baobab.js')

interface Run {
  stdout: string
  stderr: string
  status: number | null
  error?: Error
}

function baobab(elf: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, [cli, 'run', '--bare', elf, '--timeout', '20', ...extra], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 90_000,
    maxBuffer: 16 * 1024 * 1024,
  })
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status, error: r.error }
}

function describeRun(r: Run): string {
  const tail = r.stderr.trim().split('\n').slice(-8).join('\n')
  return `exit status ${r.status}${r.error ? ` (${r.error.message})` : ''}${tail ? `\nstderr:\n${tail}` : ''}`
}

const programs = existsSync(images)
  ? readdirSync(images)
      .filter((f) => f.endsWith('.expected'))
      .map((f) => f.slice(0, -'.expected'.length))
      .filter((name) => existsSync(join(images, `${name}.elf`)))
      .sort()
  : []

describe('riscv64 test guests print what QEMU printed', () => {
  it('has golden files to check', () => {
    expect(programs.length, `no <name>.elf + <name>.expected pairs in ${images}`).toBeGreaterThan(0)
  })

  for (const name of programs) {
    it(`${name}: output equals ${name}.expected`, () => {
      expect(existsSync(cli), `${cli} does not exist`).toBe(true)
      const expected = readFileSync(join(images, `${name}.expected`), 'utf8')
      const r = baobab(join(images, `${name}.elf`))
      expect(r.stdout, `${name}: ${firstDifference(expected, r.stdout)}\n${describeRun(r)}`).toBe(expected)
      expect(r.status, `${name}: ${describeRun(r)}`).toBe(0)
    }, 120_000)
  }
})

// The translation tier (wasm-tier.ts) and the interpreter (execute.ts) implement every integer
// instruction twice; the same guests must print the same under the interpreter alone.
describe('riscv64 test guests print what QEMU printed, interpreter only (BAOBAB_INTERP=1)', () => {
  for (const name of programs) {
    it(`${name}: output equals ${name}.expected`, () => {
      const expected = readFileSync(join(images, `${name}.expected`), 'utf8')
      const r = baobab(join(images, `${name}.elf`), [], { BAOBAB_INTERP: '1' })
      expect(r.stdout, `${name}: ${firstDifference(expected, r.stdout)}\n${describeRun(r)}`).toBe(expected)
      expect(r.status, `${name}: ${describeRun(r)}`).toBe(0)
    }, 120_000)
  }
})

// With BAOBAB_HOT=1 a region is translated at an instruction's first visit, so every instruction
// these programs execute — the edge cases included — runs as WebAssembly, not only hot loops.
describe('riscv64 test guests print what QEMU printed, translated from the first visit (BAOBAB_HOT=1)', () => {
  for (const name of programs) {
    it(`${name}: output equals ${name}.expected`, () => {
      const expected = readFileSync(join(images, `${name}.expected`), 'utf8')
      const r = baobab(join(images, `${name}.elf`), [], { BAOBAB_HOT: '1' })
      expect(r.stdout, `${name}: ${firstDifference(expected, r.stdout)}\n${describeRun(r)}`).toBe(expected)
      expect(r.status, `${name}: ${describeRun(r)}`).toBe(0)
    }, 120_000)
  }
})

describe('the tiers retire the same instructions', () => {
  // virtual time is instruction count: a tier that miscounted would move every timer interrupt
  // (and `counters` reads minstret right after translated loops)
  for (const name of ['interrupts', 'hot-code', 'counters']) {
    it(`${name}: interpreter, default and translate-everything runs count the same instructions`, () => {
      const elf = join(images, `${name}.elf`)
      const count = (env: NodeJS.ProcessEnv): string | undefined => {
        const r = baobab(elf, ['--stats'], env)
        expect(r.status, describeRun(r)).toBe(0)
        return r.stderr.split('\n').find((l) => l.startsWith('instructions'))
      }
      const interp = count({ BAOBAB_INTERP: '1' })
      expect(interp).toMatch(/^instructions: \d+/)
      expect(count({})).toBe(interp)
      expect(count({ BAOBAB_HOT: '1' })).toBe(interp)
    }, 240_000)
  }
})

describe('bare runs are deterministic', () => {
  // interrupts waits for timer interrupts in wfi: the case where wall-clock time could leak in
  for (const name of ['isa-int', 'interrupts']) {
    it(`${name}: two runs give identical output and instruction counts`, () => {
      const elf = join(images, `${name}.elf`)
      const a = baobab(elf, ['--stats'])
      const b = baobab(elf, ['--stats'])
      expect(b.stdout, `${name}: ${firstDifference(a.stdout, b.stdout)}`).toBe(a.stdout)
      const count = (r: Run) => r.stderr.split('\n').find((l) => l.includes('instructions'))
      expect(count(a), `${name}: no line containing "instructions" on stderr with --stats\n${describeRun(a)}`).toBeDefined()
      expect(count(b), `${name}: instruction counts differ`).toBe(count(a))
      expect(a.status, describeRun(a)).toBe(b.status)
    }, 240_000)
  }
})
