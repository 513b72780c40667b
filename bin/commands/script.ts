/**
 * `baobab script file.js`: run a script against a booted machine, in the same sandbox as the REPL
 * (core/repl/sandbox.ts), as one async program: top-level `await` and `return` work.
 */
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { CommandModule } from 'yargs'
import { UsageError } from '../errors.ts'

interface ScriptArgs {
  file: string
  config?: string
  bare?: string
  board?: string
  'unsafe-repl': boolean
}

/** The exit code for what a script returned: an integer 0..255 as is, any other number 1, anything else 0. */
export function exitCodeOf(value: unknown): number {
  if (typeof value !== 'number') return 0
  return Number.isInteger(value) && value >= 0 && value <= 255 ? value : 1
}

export function scriptCommand(setCode: (c: number) => void): CommandModule<object, ScriptArgs> {
  return {
    command: 'script <file>',
    describe: 'Run a JavaScript file in the REPL sandbox against a booted machine',
    builder: (y) => y
      .positional('file', { type: 'string', demandOption: true, describe: 'the script (.js): its globals are the REPL API' })
      .option('config', { type: 'string', describe: 'config to boot (default: the two-VM demo, configs/two-vms.json)' })
      .option('bare', { type: 'string', describe: 'run this bare-metal image instead of a config' })
      .option('board', { type: 'string', describe: "board for --bare (default: QEMU's virt board of the ELF's architecture)" })
      .option('unsafe-repl', { type: 'boolean', default: false, describe: 'also give the script require, process and fs' })
      .example('$0 script scripts/type-and-wait.js --config configs/two-vms.json', 'type into vm1 and wait for its echo')
      .example('$0 script scripts/hammer-hypercall.js', 'hypercalls per second, on the two-VM demo')
      .epilogue([
        'The file is one async function body: `await` works at top level, and `return` ends it.',
        'Exit code: 0 when it completes; 1 when it throws (the error on stderr, one line); when it',
        'returns a number, that number (an integer 0-255; any other number gives 1).',
        'console.log goes to stdout as it happens. Virtual time advances only inside run(), step(),',
        'sleep() and vm(n).console.waitFor(): the machine does not run by itself.',
      ].join('\n')),
    handler: async (a) => {
      let code: string
      try {
        code = readFileSync(a.file, 'utf8')
      } catch {
        throw new UsageError(`no such file: ${a.file}`)
      }
      // loaded on demand, as for `baobab repl`: the sandbox and the workbench cost start-up time
      const { openWorkbench } = await import('./repl-run.ts')
      const { createReplSession } = await import('../../core/repl/sandbox.ts')
      const { describeError } = await import('../../core/repl/display.ts')
      const wb = await openWorkbench(a.config, a.bare, a.board)
      // the script's own folder is one the user named: it may read files beside itself
      const { loadReplPlugins } = await import('./repl-features.ts')
      await loadReplPlugins(wb, (t) => process.stderr.write(`baobab: ${t}\n`))
      const session = createReplSession(wb, { unsafe: a['unsafe-repl'], hostPaths: [dirname(resolve(a.file))], onOutput: (s) => process.stdout.write(s + '\n') })
      // a promise the script leaves rejected is reported, and fails the run
      let stray = false
      const onRejection = (reason: unknown): void => {
        stray = true
        process.stderr.write(`baobab: ${a.file}: uncaught (in promise) ${describeError(reason).replace(/^Uncaught /, '')}\n`)
      }
      process.on('unhandledRejection', onRejection)
      try {
        const r = await session.runScript(code, resolve(a.file))
        if (r.error !== null) {
          process.stderr.write(`baobab: ${a.file}: ${r.error}\n`)
          setCode(1)
        } else {
          setCode(stray ? 1 : exitCodeOf(r.value))
        }
      } finally {
        process.off('unhandledRejection', onRejection)
      }
    },
  }
}
