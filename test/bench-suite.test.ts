/**
 * The speed suite's workloads (bench/suite/) compute the right thing under baobab: each image run
 * bare with the default tier prints the checksum line QEMU printed (recorded in expected.json) and
 * retires exactly the recorded number of instructions. The smaller ones run again with the
 * interpreter alone, which must retire the same count (a tier that miscounted would move every
 * timer interrupt). A correctness test, not a timing test: `npm run bench` times these images.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runBare } from '../bench/measure.ts'
import { SUITE, suiteExpected } from '../bench/suite.ts'

const expected = suiteExpected()
/** the workloads the interpreter alone gets through in a few seconds each */
const INTERP_MAX_INSTRUCTIONS = 200_000_000

const lastLine = (text: string): string => text.split('\n').filter((l) => l.length > 0).pop() ?? ''

describe('bench suite workloads print their checksum and retire the recorded instruction count', () => {
  it('covers the workloads the issue names', () => {
    expect(Object.keys(expected)).toEqual(expect.arrayContaining(['sort', 'crc', 'matmul', 'fsm', 'interp', 'list', 'strsearch', 'printf', 'boot']))
  })
  for (const [name, want] of Object.entries(expected)) {
    const image = join(SUITE, 'images', `${name}.elf`)
    it(`${name}: default tier`, async () => {
      const r = await runBare(image)
      expect(lastLine(r.out)).toBe(want.checksum)
      expect(r.insns).toBe(want.instructions)
    })
    if (want.instructions <= INTERP_MAX_INSTRUCTIONS) {
      it(`${name}: interpreter only, same count`, async () => {
        const r = await runBare(image, true)
        expect(lastLine(r.out)).toBe(want.checksum)
        expect(r.insns).toBe(want.instructions)
      })
    }
  }
})
