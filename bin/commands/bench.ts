/** `baobab bench`: named speed figures (see bench/). */
import type { CommandModule } from 'yargs'

export function benchCommand(setCode: (c: number) => void): CommandModule<object, { quick: boolean; 'suite-only': boolean }> {
  return {
    command: 'bench',
    describe: 'Run the benchmarks and print named figures (guest MIPS, QEMU comparison)',
    builder: (y) => y
      .option('quick', { type: 'boolean', default: false, describe: 'smaller workloads' })
      .option('suite-only', { type: 'boolean', default: false, describe: 'only the compiled-C workload suite (bench/suite/)' }),
    handler: async (a) => {
      const { runBenchmarks } = await import('../../bench/run.ts')
      setCode(await runBenchmarks({ quick: a.quick, suiteOnly: a['suite-only'] }))
    },
  }
}
