/**
 * Golden outputs of the aarch64 test guests: each program in guests/images/aarch64/ with a
 * <name>.expected file (what `qemu-system-aarch64 -M virt -cpu cortex-a53 -kernel <name>.elf`
 * printed, recorded by `make -C guests expected-aarch64`) must print exactly that under
 * `baobab run --bare` — the board chosen from the ELF, as QEMU's machine would be — byte for
 * byte, and power off (PSCI SYSTEM_OFF) with code 0. Programs QEMU ran on another CPU model
 * (the Makefile's `A64_CPU_<name>`) are left out: baobab's A64 core is a Cortex-A53.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { firstDifference } from './first-difference.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const images = join(root, 'guests', 'images', 'aarch64')
const cli = join(root, 'bin', 'baobab.js')

/** programs recorded on another QEMU CPU model than cortex-a53 (guests/Makefile A64_CPU_<name>) */
const otherCpu = new Set(
  [...readFileSync(join(root, 'guests', 'Makefile'), 'utf8').matchAll(/^A64_CPU_([\w-]+)\s*:?=/gm)].map((m) => m[1]!),
)

const programs = existsSync(images)
  ? readdirSync(images)
      .filter((f) => f.endsWith('.expected'))
      .map((f) => f.slice(0, -'.expected'.length))
      .filter((name) => existsSync(join(images, `${name}.elf`)) && !otherCpu.has(name))
      .sort()
  : []

describe('aarch64 test guests print what QEMU printed', () => {
  it('has golden files to check', () => {
    expect(programs.length, `no <name>.elf + <name>.expected pairs in ${images}`).toBeGreaterThan(5)
  })

  for (const name of programs) {
    it(`${name}: output equals ${name}.expected`, () => {
      const expected = readFileSync(join(images, `${name}.expected`), 'utf8')
      const r = spawnSync(process.execPath, [cli, 'run', '--bare', join(images, `${name}.elf`), '--timeout', '30'], {
        cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 90_000, maxBuffer: 16 * 1024 * 1024,
      })
      const how = `exit status ${r.status}${r.error ? ` (${r.error.message})` : ''}\n${(r.stderr ?? '').trim().split('\n').slice(-8).join('\n')}`
      expect(r.stdout, `${name}: ${firstDifference(expected, r.stdout ?? '')}\n${how}`).toBe(expected)
      expect(r.status, `${name}: ${how}`).toBe(0)
    }, 120_000)
  }
})
