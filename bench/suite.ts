/**
 * The compiled-C workload suite (bench/suite/README.md): per workload baobab's MIPS bare, QEMU's
 * MIPS on the same image in the same run (its start-up subtracted), the ratio, baobab's MIPS
 * with the workload as a VM guest; then the geometric mean of the ratios. A run whose checksum
 * line or instruction count differs from expected.json is reported on stderr (the figure is
 * still printed: benchmarks report, test/bench-suite.test.ts fails).
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { median, print, qemuMs, runBare, runConfigUntil } from './measure.ts'

const here = dirname(fileURLToPath(import.meta.url))
export const SUITE = join(here, 'suite')

export interface SuiteExpectation {
  checksum: string
  instructions: number
}

/** expected.json: workload name → its checksum line and instruction count, in suite order */
export function suiteExpected(): Record<string, SuiteExpectation> {
  return JSON.parse(readFileSync(join(SUITE, 'expected.json'), 'utf8')) as Record<string, SuiteExpectation>
}

const lastLine = (text: string): string => text.split('\n').filter((l) => l.length > 0).pop() ?? ''
const geomean = (xs: number[]): number => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length)

function checkRun(name: string, how: string, want: SuiteExpectation, insns: number, text: string): void {
  const line = lastLine(text)
  if (line !== want.checksum || insns !== want.instructions) {
    process.stderr.write(`warning: suite ${name} ${how}: printed ${JSON.stringify(line)} after ${insns} instructions, expected ${JSON.stringify(want.checksum)} after ${want.instructions}\n`)
  }
}

export async function benchSuite(opts: { quick: boolean }): Promise<void> {
  const runs = opts.quick ? 1 : 3
  const exit = join(here, 'rv64-loop', 'exit.elf')
  const starts = [qemuMs(exit), qemuMs(exit), qemuMs(exit)]
  const haveQemu = starts.every((s) => s !== null)
  if (!haveQemu) process.stdout.write('suite qemu comparison: skipped (qemu-system-riscv64 not installed)\n')
  const start = haveQemu ? median(starts as number[]) : 0
  const ratios: number[] = []
  const vmRatios: number[] = []
  for (const [name, want] of Object.entries(suiteExpected())) {
    const image = join(SUITE, 'images', `${name}.elf`)
    const bare = []
    for (let i = 0; i < runs; i++) {
      const r = await runBare(image)
      checkRun(name, 'bare', want, r.insns, r.out)
      bare.push(r.ms)
    }
    const ms = median(bare)
    print({ name: `suite ${name} bare MIPS`, value: want.instructions / ms / 1000, unit: 'MIPS' })
    let qrun = 0
    if (haveQemu) {
      const qs = []
      for (let i = 0; i < runs; i++) qs.push(qemuMs(image) ?? Infinity)
      qrun = Math.max(1, median(qs) - start)
      print({ name: `suite ${name} qemu MIPS`, value: want.instructions / qrun / 1000, unit: 'MIPS' })
      print({ name: `suite ${name} ratio`, value: qrun / ms, unit: 'x' })
      ratios.push(qrun / ms)
    }
    const vm = await runConfigUntil(join(SUITE, 'vm', `${name}.json`))
    checkRun(name, 'in a VM', want, vm.insns, vm.text)
    print({ name: `suite ${name} in-VM MIPS`, value: vm.insns / vm.ms / 1000, unit: 'MIPS' })
    if (haveQemu) vmRatios.push(qrun / vm.ms)
  }
  if (ratios.length) {
    print({ name: 'suite geometric mean ratio (bare)', value: geomean(ratios), unit: 'x' })
    print({ name: 'suite geometric mean ratio (in VM)', value: geomean(vmRatios), unit: 'x' })
  }
}
