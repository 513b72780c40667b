/**
 * The disassembler against GNU objdump (binutils, `aarch64-linux-gnu-objdump -d`) over the test
 * images' code: every instruction must read as objdump prints it, less the differences
 * disasm.ts makes on purpose (one space after the mnemonic, bare 0x… targets, no comments).
 * Skipped when the cross objdump is not installed; the literal cases below always run.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { disasmWord } from '../disasm.ts'

const OBJDUMP = 'aarch64-linux-gnu-objdump'
const haveObjdump = spawnSync(OBJDUMP, ['--version']).status === 0
const IMAGES = ['alu', 'branch', 'ldst', 'sys', 'except', 'atomics', 'mmu']

/** objdump's text less what disasm.ts leaves out on purpose */
function normalise(text: string): string {
  return text.replace(/\s*\/\/.*$/, '').replace(/\s*;.*$/, '').replace(/\b([0-9a-f]+) <[^>]*>/, '0x$1').trim().replace(/\s+/g, ' ')
}

describe('the disassembler', () => {
  it('reads literal encodings as objdump does', () => {
    const cases: [number, string][] = [
      [0x91000420, 'add x0, x1, #0x1'],
      [0xf100043f, 'cmp x1, #0x1'],
      [0x910003e0, 'mov x0, sp'],
      [0xd65f03c0, 'ret'],
      [0xd503201f, 'nop'],
      [0xd503207f, 'wfi'],
      [0xd69f03e0, 'eret'],
      [0xd4000001, 'svc #0x0'],
      [0xd5033fdf, 'isb'],
      [0xd5033bbf, 'dmb ish'],
      [0xd5381000, 'mrs x0, sctlr_el1'],
      [0xd518c001, 'msr vbar_el1, x1'],
      [0xd50342df, 'msr daifset, #0x2'],
      [0x9a9f17e0, 'cset x0, eq'],
      [0xd3441c20, 'ubfx x0, x1, #4, #4'],
      [0x00000000, '.inst 0x00000000'],
    ]
    for (const [w, text] of cases) expect(disasmWord(w >>> 0, 0n)).toBe(text)
  })

  it.skipIf(!haveObjdump)('matches objdump over the test images', () => {
    const diffs: string[] = []
    let n = 0
    for (const name of IMAGES) {
      const path = fileURLToPath(new URL(`./images/${name}.elf`, import.meta.url))
      const out = spawnSync(OBJDUMP, ['-d', '--section=.text', path], { encoding: 'utf8' }).stdout
      for (const line of out.split('\n')) {
        const m = /^\s*([0-9a-f]+):\t([0-9a-f]{8}) \t(.*)$/.exec(line)
        if (!m || m[3]!.startsWith('.word') || m[3]!.startsWith('udf')) continue
        const word = parseInt(m[2]!, 16)
        // SIMD & FP is the FP/AdvSIMD unit's to come: not executed, not disassembled yet
        if ((word >>> 25 & 7) === 7 || (word >>> 25 & 5) === 4 && (word >>> 26 & 1) === 1) continue
        const want = normalise(m[3]!)
        const got = disasmWord(word, BigInt(`0x${m[1]}`))
        n++
        if (got !== want) diffs.push(`${name} ${m[1]}: ${m[2]} objdump "${want}" ours "${got}"`)
      }
    }
    expect(n).toBeGreaterThan(1000)
    expect(diffs).toEqual([])
  })
})
