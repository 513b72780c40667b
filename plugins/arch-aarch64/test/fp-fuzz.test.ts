/**
 * A random differential test against QEMU, run by hand: `make -C images fuzz KIND=fp|int SEED=n
 * N=count` writes images/fuzz.py's random instructions as an image into $A64_FUZZ_DIR (default
 * /tmp/a64-fuzz) with QEMU's output beside it; this test then runs the image here and compares
 * line by line, printing the first mismatches with the instruction and operands behind them.
 * Skipped unless A64_FUZZ_DIR is set (the normal test run has no QEMU).
 */
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { bootElf } from './harness.ts'

const dir = process.env.A64_FUZZ_DIR

it.skipIf(!dir)('random FP/AdvSIMD instructions give what QEMU gave', () => {
  const m = bootElf(`${dir}/fuzz.elf`)
  const got = m.run(1_000_000_000).split('\n')
  const want = readFileSync(`${dir}/fuzz.qemu`, 'latin1').split('\n')
  const src = readFileSync(`${dir}/fuzz.S`, 'latin1').split('\n')
  // the source line of the i-th printed result: the i-th V/VX/VF macro use
  const uses = src.flatMap((l, i) => (/^\s+(V|VX|VF) /.test(l) ? [i] : []))
  const bad: string[] = []
  for (let i = 0; i < want.length; i++) {
    if (want[i] === got[i]) continue
    const j = uses[i] ?? 0
    bad.push(`#${i}: ${src.slice(Math.max(0, j - 4), j + 1).map((l) => l.trim()).join(' | ')}\n  QEMU   ${want[i]}\n  baobab ${got[i]}`)
  }
  expect(bad.slice(0, 20).join('\n'), `${bad.length} of ${want.length} lines differ`).toBe('')
}, 600_000)
