/**
 * `baobab repl [config]`: a JavaScript REPL on a booted machine (core/repl/sandbox.ts). On a
 * terminal: readline with a prompt, continuation lines, tab completion, history kept in
 * sessions/.repl_history and dot-commands. Otherwise a plain line REPL for pipes: each entry's
 * result on its own line, exit 0 at end of input.
 *
 * The machine never runs by itself here: time advances only inside run(), step(), sleep() and
 * vm(n).console.waitFor(), so what a piped script prints does not depend on how fast it is fed.
 */
import type { CommandModule } from 'yargs'
import { DOT_HELP, type ReplArgs } from './repl-args.ts'

export function replCommand(setCode: (c: number) => void): CommandModule<object, ReplArgs> {
  return {
    command: 'repl [config]',
    describe: 'A JavaScript REPL whose globals are the workbench API (hv, vm(n), board, run, stats, …)',
    builder: (y) => y
      .positional('config', { type: 'string', describe: 'config file (default: the two-VM demo, configs/two-vms.json)' })
      .option('bare', { type: 'string', describe: 'run this bare-metal image instead of a config (no hypervisor: hv is empty)' })
      .option('board', { type: 'string', describe: "board for --bare (default: QEMU's virt board of the ELF's architecture)" })
      .option('unsafe-repl', { type: 'boolean', default: false, describe: 'also give the REPL require, process and fs (off: the sandbox has only the API)' })
      .example('$0 repl configs/two-vms.json', 'then: run(50); vm(1).console.read()')
      .example(`echo 'run(20); hv.vms()' | $0 repl`, 'one result per entry on stdout, exit 0 at end of input')
      .epilogue([
        'Time: the machine does not run in the background. Virtual time advances only inside run(ms),',
        'step(n), await sleep(ms) and vm(n).console.waitFor(text), so a piped session prints the same',
        'thing however fast it is fed. (The terminal UI runs the machine continuously.)',
        '',
        'On a terminal: Tab completes API names, ↑/↓ recall history (kept in sessions/.repl_history),',
        'an unfinished entry continues on a "... " line. Dot-commands:',
        DOT_HELP,
        '',
        'Without a terminal (a pipe): each entry is evaluated as it completes and its result printed',
        'on its own line (errors too, as "Name: message"); the exit code is 0 at end of input even if',
        'an entry failed — check the output, or use `baobab script` for a pass/fail exit code.',
      ].join('\n')),
    handler: async (a) => {
      // the REPL's sandbox and the workbench load only now (start-up time other commands do not pay)
      const { runRepl } = await import('./repl-run.ts')
      setCode(await runRepl(a))
    },
  }
}
