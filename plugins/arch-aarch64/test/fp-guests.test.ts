/**
 * The FP and AdvSIMD test guests (guests/aarch64/isa-fp, isa-simd; C programs whose every
 * operation runs in inline asm between a cleared and a read FPSR) boot bare on the
 * qemu-virt-aarch64 board as QEMU's -kernel boot does, and must print byte for byte what
 *   qemu-system-aarch64 -M virt -cpu cortex-a53 -nographic -kernel guests/images/aarch64/<name>.elf
 * printed (guests/images/aarch64/<name>.expected, recorded by `make -C guests expected-aarch64`).
 */
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { bootBare } from '../../../core/bare.ts'

const images = fileURLToPath(new URL('../../../guests/images/aarch64/', import.meta.url))

/** the first differing line, for a readable failure */
function firstDiff(want: string, got: string): string {
  const a = want.split('\n'), b = got.split('\n')
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}:\n  QEMU:   ${a[i] ?? '(end)'}\n  baobab: ${b[i] ?? '(end)'}`
  }
  return 'identical'
}

describe('FP and AdvSIMD guests print what QEMU printed', () => {
  for (const name of ['isa-fp', 'isa-simd']) {
    const elf = `${images}${name}.elf`, expected = `${images}${name}.expected`
    it.skipIf(!existsSync(elf) || !existsSync(expected))(`${name}`, async () => {
      const want = readFileSync(expected, 'latin1')
      const bm = await bootBare({ board: 'qemu-virt-aarch64', image: elf, cpus: 1 })
      let out = ''
      bm.machine.serial('uart0').onOutput((b) => { out += String.fromCharCode(b) })
      bm.machine.sched.run({ cycles: 400_000_000 })
      expect(out, firstDiff(want, out)).toBe(want)
      expect(bm.machine.power.off).toBe(true)
    }, 120_000)
  }
})
