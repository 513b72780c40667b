#!/usr/bin/env node
/**
 * `make expected`: records expected.json — for each workload the checksum line and the exact
 * number of instructions baobab retires running it bare. Every figure is cross-checked before it
 * is written: the checksum line must equal the last line QEMU prints for the same image, and the
 * count must be the same with the default tier, the interpreter alone (BAOBAB_INTERP=1) and
 * translate-everything (BAOBAB_HOT=1). A disagreement is an emulator bug: nothing is written.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const cli = join(here, '..', '..', 'bin', 'baobab.js')
const names = process.argv.slice(2)

function lastLine(text) {
  const lines = text.split('\n').filter((l) => l.length > 0)
  return lines[lines.length - 1] ?? ''
}

function baobab(elf, env) {
  const r = spawnSync(process.execPath, [cli, 'run', '--bare', elf, '--stats'], {
    env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 600_000,
  })
  const m = /^instructions: (\d+)$/m.exec(r.stderr ?? '')
  return { status: r.status, line: lastLine(r.stdout ?? ''), insns: m ? Number(m[1]) : null }
}

const expected = {}
let failed = false
for (const name of names) {
  const elf = join(here, 'images', `${name}.elf`)
  // QEMU's console to a file: a pipe written non-blocking can lose the last bytes at power-off.
  const consoleFile = join(tmpdir(), `baobab-record-${process.pid}-${name}`)
  const q = spawnSync('qemu-system-riscv64', ['-M', 'virt', '-bios', 'none', '-display', 'none', '-monitor', 'none', '-serial', `file:${consoleFile}`, '-kernel', elf], {
    encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'],
  })
  const qemuLine = lastLine(existsSync(consoleFile) ? readFileSync(consoleFile, 'utf8') : '')
  rmSync(consoleFile, { force: true })
  const runs = { default: baobab(elf, {}), interp: baobab(elf, { BAOBAB_INTERP: '1' }), hot: baobab(elf, { BAOBAB_HOT: '1' }) }
  const problems = []
  if (q.status !== 0 || !/ checksum=[0-9a-f]{16}$/.test(qemuLine)) problems.push(`QEMU printed ${JSON.stringify(qemuLine)} (exit ${q.status})`)
  for (const [how, r] of Object.entries(runs)) {
    if (r.status !== 0) problems.push(`${how}: exit ${r.status}`)
    if (r.line !== qemuLine) problems.push(`${how}: printed ${JSON.stringify(r.line)}, QEMU ${JSON.stringify(qemuLine)}`)
    if (r.insns !== runs.default.insns) problems.push(`${how}: ${r.insns} instructions, default tier ${runs.default.insns}`)
  }
  process.stdout.write(`${name}: ${qemuLine} ${runs.default.insns} instructions${problems.length ? ' — ' + problems.join('; ') : ''}\n`)
  if (problems.length) failed = true
  expected[name] = { checksum: qemuLine, instructions: runs.default.insns }
}
if (failed) {
  process.stderr.write('expected.json not written: fix the disagreements above\n')
  process.exit(1)
}
writeFileSync(join(here, 'expected.json'), JSON.stringify(expected, null, 2) + '\n')
