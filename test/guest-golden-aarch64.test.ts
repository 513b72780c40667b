/**
 * Golden outputs of the aarch64 test guests: each program in guests/images/aarch64/ with a
 * <name>.expected file (what `qemu-system-aarch64 -M virt -cpu cortex-a53 -kernel <name>.elf`
 * printed, recorded by `make -C guests expected-aarch64`) must print exactly that under
 * `baobab run --bare` — the board chosen from the ELF, as QEMU's machine would be — byte for
 * byte, and power off (PSCI SYSTEM_OFF) with code 0. Programs QEMU ran on another CPU model
 * (the Makefile's `A64_CPU_<name>`) are left out: baobab's A64 core is a Cortex-A53. Programs
 * QEMU ran on another machine (`A64_MACHINE_<name>`, e.g. `virt,gic-version=3`) run on the
 * baobab board that models it (`--board`), or are left out when there is none.
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

/** the baobab board of each QEMU machine a program may be recorded on besides plain `virt` */
const BOARD_OF_MACHINE: Readonly<Record<string, string>> = { 'virt,gic-version=3': 'qemu-virt-aarch64-gicv3' }

/** programs recorded on another QEMU machine than `virt` (guests/Makefile A64_MACHINE_<name>), by name */
const machineOf = new Map(
  [...readFileSync(join(root, 'guests', 'Makefile'), 'utf8').matchAll(/^A64_MACHINE_([\w-]+)\s*:?=\s*(\S+)/gm)].map((m) => [m[1]!, m[2]!]),
)

/** the --board a program runs on: none (the default for the ELF) for `virt`, else its machine's board; null: none models it */
const boardOf = (name: string): string | undefined | null => {
  const machine = machineOf.get(name)
  return machine === undefined ? undefined : BOARD_OF_MACHINE[machine] ?? null
}

const programs = existsSync(images)
  ? readdirSync(images)
      .filter((f) => f.endsWith('.expected'))
      .map((f) => f.slice(0, -'.expected'.length))
      .filter((name) => existsSync(join(images, `${name}.elf`)) && !otherCpu.has(name) && boardOf(name) !== null)
      .sort()
  : []

describe('aarch64 test guests print what QEMU printed', () => {
  it('has golden files to check', () => {
    expect(programs.length, `no <name>.elf + <name>.expected pairs in ${images}`).toBeGreaterThan(5)
  })

  for (const name of programs) {
    const board = boardOf(name)
    it(`${name}: output equals ${name}.expected${board ? ` (on ${board})` : ''}`, () => {
      const expected = readFileSync(join(images, `${name}.expected`), 'utf8')
      const args = [cli, 'run', '--bare', join(images, `${name}.elf`), '--timeout', '30', ...(board ? ['--board', board] : [])]
      const r = spawnSync(process.execPath, args, {
        cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 90_000, maxBuffer: 16 * 1024 * 1024,
      })
      const how = `exit status ${r.status}${r.error ? ` (${r.error.message})` : ''}\n${(r.stderr ?? '').trim().split('\n').slice(-8).join('\n')}`
      expect(r.stdout, `${name}: ${firstDifference(expected, r.stdout ?? '')}\n${how}`).toBe(expected)
      expect(r.status, `${name}: ${how}`).toBe(0)
    }, 120_000)
  }
})
