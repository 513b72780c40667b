/**
 * Differential check against QEMU: when qemu-system-riscv64 is on PATH, every riscv64 test guest
 * is run live under QEMU (`-M virt -bios none -nographic -kernel <elf>`) and under
 * `baobab run --bare`, and the two consoles and exit codes must agree. This catches a stale
 * .expected file as well as a hart bug. Without QEMU the tests are skipped, saying why.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { firstDifference } from './first-difference.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const images = join(root, 'guests', 'images', 'riscv64')
const cli = join(root, 'bin', 'baobab.js')
const QEMU = 'qemu-system-riscv64'

interface Run {
  stdout: string
  stderr: string
  status: number | null
  error?: Error
}

function run(cmd: string, args: string[]): Run {
  const r = spawnSync(cmd, args, {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 90_000,
    maxBuffer: 16 * 1024 * 1024,
  })
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status, error: r.error }
}

/**
 * QEMU's console goes to a file, not a pipe: with `-nographic` QEMU writes a pipe non-blocking and,
 * when the test device powers off while the pipe is full (a loaded CI machine), the last bytes
 * are lost ("PAS" for "PASS"). A file write never would block.
 */
function runQemu(elf: string): Run {
  const dir = mkdtempSync(join(tmpdir(), 'baobab-qemu-diff-'))
  try {
    const console = join(dir, 'console')
    const r = run(QEMU, ['-M', 'virt', '-bios', 'none', '-display', 'none', '-monitor', 'none', '-serial', `file:${console}`, '-kernel', elf])
    return { ...r, stdout: existsSync(console) ? readFileSync(console, 'utf8') : '' }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function qemuVersion(): string | null {
  const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  if (r.error || r.status !== 0) return null
  return (r.stdout ?? '').split('\n')[0].trim()
}

function describeRun(who: string, r: Run): string {
  const tail = r.stderr.trim().split('\n').slice(-8).join('\n')
  return `${who}: exit status ${r.status}${r.error ? ` (${r.error.message})` : ''}${tail ? `\n${who} stderr:\n${tail}` : ''}`
}

const programs = existsSync(images)
  ? readdirSync(images)
      .filter((f) => f.endsWith('.elf'))
      .map((f) => f.slice(0, -'.elf'.length))
      .sort()
  : []

/**
 * Programs where QEMU 7.2 is wrong, whose .expected is written from the spec (guests/Makefile's
 * SPEC_ONLY): compared with the golden file only (guest-golden.test.ts), not with QEMU.
 */
const SPEC_ONLY: Record<string, string> = {
  counters: 'QEMU 7.2 reads host ticks from mcycle/minstret (without -icount) and does not suppress the writing instruction\'s increment (priv 1.12 §3.1.11)',
}

const version = qemuVersion()

describe('riscv64 test guests: baobab vs QEMU', () => {
  if (!version) {
    it.skip(`${QEMU} not on PATH: differential check skipped`, () => {})
    console.log(`qemu-diff: ${QEMU} is not on PATH, skipping the live comparison (golden files still run)`)
    return
  }
  if (!version.includes('version 7.2')) {
    console.log(`qemu-diff: ${version}; the golden files were recorded with QEMU 7.2, other versions may differ`)
  }

  for (const name of programs) {
    const reason = SPEC_ONLY[name]
    if (reason) {
      it.skip(`${name}: not compared with ${QEMU}: ${reason}`, () => {})
      continue
    }
    it(`${name}: same console and exit code as ${QEMU}`, () => {
      const elf = join(images, `${name}.elf`)
      const q = runQemu(elf)
      expect(q.error, describeRun('qemu', q)).toBeUndefined()
      const b = run(process.execPath, [cli, 'run', '--bare', elf, '--timeout', '20'])
      expect(b.stdout, `${name}: ${firstDifference(q.stdout, b.stdout, ['qemu', 'baobab'])}\n${describeRun('baobab', b)}`).toBe(q.stdout)
      expect(b.status, `${name}: exit codes differ\n${describeRun('qemu', q)}\n${describeRun('baobab', b)}`).toBe(q.status)
    }, 180_000)
  }
})
