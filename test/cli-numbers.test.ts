/**
 * Numeric options and exit codes on bad input, through the real CLI: a number that is not one,
 * or out of its option's range, is one line on stderr naming the option and what it got, exit 2,
 * before anything runs — for every numeric option of every command (bin/commands/numbers.ts).
 * And nothing the user gives makes the CLI end with a code the README does not list (70 is
 * internal error, 13 Node's silent "unsettled top-level await").
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseNumberOption } from '../bin/commands/numbers.ts'
import { UsageError } from '../bin/errors.ts'
import { cli, root, tail, type CliRun } from './hyp-util.ts'

const tmp = mkdtempSync(join(tmpdir(), 'baobab-numbers-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const PROG = 'bench/rv64-loop/prog_50.elf'
const CONFIG = 'configs/two-vms.json'

function expectUsage(r: CliRun, line: RegExp): void {
  expect(r.status, tail(r)).toBe(2)
  expect(r.stdout).toBe('')
  expect(r.stderr.trimEnd().split('\n'), tail(r)).toHaveLength(1)
  expect(r.stderr).toMatch(/^baobab: /)
  expect(r.stderr).not.toMatch(/internal error/)
  expect(r.stderr).toMatch(line)
}

describe('parseNumberOption', () => {
  const timeout = { unit: 'seconds', above: 0 }
  const insns = { unit: 'instructions', integer: true, min: 1 }
  it('takes what yargs parsed, a number or the text typed', () => {
    expect(parseNumberOption('timeout', 5, timeout)).toBe(5)
    expect(parseNumberOption('timeout', '2.5', timeout)).toBe(2.5)
    expect(parseNumberOption('timeout', ' 1e1 ', timeout)).toBe(10)
    expect(parseNumberOption('max-insns', 1000, insns)).toBe(1000)
  })
  it('refuses text, NaN, infinities, out-of-range values, fractions where whole numbers count, and repeats', () => {
    const bad: [string, unknown, object, string][] = [
      ['max-insns', 'abc', insns, "--max-insns must be a whole number of instructions >= 1 (got 'abc')"],
      ['max-insns', 0, insns, '--max-insns must be a whole number of instructions >= 1 (got 0)'],
      ['max-insns', 2 ** 60, insns, `--max-insns must be a whole number of instructions >= 1 (got ${2 ** 60})`],
      ['timeout', -1, timeout, '--timeout must be a number of seconds > 0 (got -1)'],
      ['timeout', 0, timeout, '--timeout must be a number of seconds > 0 (got 0)'],
      ['timeout', 'Infinity', timeout, "--timeout must be a number of seconds > 0 (got 'Infinity')"],
      ['timeout', '', timeout, "--timeout must be a number of seconds > 0 (got '')"],
      ['timeout', '0x', timeout, "--timeout must be a number of seconds > 0 (got '0x')"],
      ['cpus', 1.5, { unit: 'CPUs', integer: true, min: 1 }, '--cpus must be a whole number of CPUs >= 1 (got 1.5)'],
      ['run-ms', 'NaN', { unit: 'milliseconds', min: 0 }, "--run-ms must be a number of milliseconds >= 0 (got 'NaN')"],
      ['timeout', [1, 2], timeout, '--timeout is given 2 times (1, 2); give it once'],
    ]
    for (const [name, v, rule, msg] of bad) {
      expect(() => parseNumberOption(name, v, rule as never), `${name} ${String(v)}`).toThrow(new UsageError(msg))
    }
  })

  it('is how every numeric option is declared: no command has a bare yargs number type', () => {
    const dir = join(root, 'bin', 'commands')
    for (const f of readdirSync(dir).filter((f) => f !== 'numbers.ts')) {
      expect(readFileSync(join(dir, f), 'utf8'), f).not.toMatch(/type:\s*'number'/)
    }
  })
})

describe('bad numbers on the command line: exit 2 before anything runs', () => {
  const CASES: [string, string[], RegExp][] = [
    ['run --bare --max-insns abc', ['run', '--bare', PROG, '--max-insns', 'abc'], /--max-insns must be a whole number of instructions >= 1 \(got 'abc'\)/],
    ['run --bare --max-insns 0', ['run', '--bare', PROG, '--max-insns', '0'], /--max-insns .* \(got 0\)/],
    ['run --bare --timeout -1', ['run', '--bare', PROG, '--timeout', '-1'], /--timeout must be a number of seconds > 0 \(got -1\)/],
    ['run --bare --cpus 1.5', ['run', '--bare', PROG, '--cpus', '1.5'], /--cpus must be a whole number of CPUs >= 1 \(got 1\.5\)/],
    ['run --bare --cpus two', ['run', '--bare', PROG, '--cpus', 'two'], /--cpus .* \(got 'two'\)/],
    ['run --bare --run-ms NaN', ['run', '--bare', PROG, '--run-ms', 'NaN'], /--run-ms must be a number of milliseconds >= 0 \(got 'NaN'\)/],
    ['run <config> --run-ms -5', ['run', CONFIG, '--run-ms', '-5'], /--run-ms .* \(got -5\)/],
    ['run <config> --timeout Infinity', ['run', CONFIG, '--timeout', 'Infinity'], /--timeout .* \(got 'Infinity'\)/],
    ['run <config> --timeout (no value)', ['run', CONFIG, '--timeout'], /Not enough arguments following: timeout/],
    ['run --timeout twice', ['run', CONFIG, '--timeout', '1', '--timeout', '2'], /--timeout is given 2 times/],
    ['config check --timeout 0', ['config', 'check', CONFIG, '--timeout', '0'], /--timeout must be a number of seconds > 0 \(got 0\)/],
    ['config pack --timeout x', ['config', 'pack', CONFIG, '-o', join(tmp, 'b.bin'), '--timeout', 'x'], /--timeout .* \(got 'x'\)/],
  ]
  for (const [what, args, line] of CASES) {
    it(what, async () => { expectUsage(await cli(args), line) })
  }

  it('good numbers still work: --max-insns 1000 stops with exit 4', async () => {
    const r = await cli(['run', '--bare', PROG, '--max-insns', '1000'])
    expect(r.status, tail(r)).toBe(4)
    expect(r.stderr).toMatch(/stopped after 1000 instructions/)
  })
})

describe('other bad input ends with a documented code', () => {
  it('run --console naming no VM: exit 2, before any output', async () => {
    expectUsage(await cli(['run', CONFIG, '--console', 'nope', '--run-ms', '1']), /--console: no VM named 'nope' \(VMs: vm1, vm2\)/)
  })

  it('a script awaiting a promise that never settles: exit 2 with a line, not a silent 13', async () => {
    const f = join(tmp, 'forever.js')
    writeFileSync(f, 'await new Promise(() => {})\n')
    const r = await cli(['script', f])
    expectUsage(r, /never finished: it awaits a promise that never settles/)
  })

  it('a board plugin whose module never settles: exit 2 with a line, not a silent 13', async () => {
    const f = join(tmp, 'board.mjs')
    writeFileSync(f, 'await new Promise(() => {})\nexport default {}\n')
    expectUsage(await cli(['run', '--bare', PROG, '--board', f]), /never finished: it awaits a promise that never settles/)
  })
})
