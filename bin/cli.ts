/**
 * The baobab command line (yargs). Each subcommand lives in bin/commands/; this file wires them
 * and turns any user-input error into one line on stderr and exit code 2.
 */
import yargs from 'yargs'
import { runCommand } from './commands/run.ts'
import { benchCommand } from './commands/bench.ts'
import { configCommand } from './commands/config.ts'
import { sessionCommand } from './commands/session.ts'
import { tuiCommand } from './commands/tui.ts'
import { replCommand } from './commands/repl.ts'
import { scriptCommand } from './commands/script.ts'
import { experimentCommand } from './commands/experiment.ts'
import { boardCommand } from './commands/board.ts'
import { UsageError, reportError } from './errors.ts'

export async function main(argv: string[]): Promise<number> {
  let code = 0
  const cli = yargs(argv)
    .scriptName('baobab')
    // one usage() per paragraph: yargs wraps a multi-line usage string at odd widths
    .usage('$0 [config] [options]\n$0 <command> [options]')
    .usage('\nA workbench for the CROSSCON hypervisor: real RISC-V and Armv8-A guests on emulated CPUs.')
    .usage('Without a command: the terminal UI on a config (default configs/two-vms.json).')
    .command(tuiCommand((c) => { code = c }))
    .command(runCommand((c) => { code = c }))
    .command(benchCommand((c) => { code = c }))
    .command(configCommand((c) => { code = c }))
    .command(sessionCommand((c) => { code = c }))
    .command(replCommand((c) => { code = c }))
    .command(scriptCommand((c) => { code = c }))
    .command(experimentCommand((c) => { code = c }))
    .command(boardCommand((c) => { code = c }))
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(false)
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((msg, err) => {
      // yargs' own errors (a missing option value, a coerce that threw) are the user's input;
      // anything else is what a command threw, reported by its class
      if (err && err.name !== 'YError') throw err
      if (err) throw new UsageError(err.message)
      // yargs' suggestion alone does not say what was wrong
      throw new UsageError(/^Did you mean/.test(msg ?? '') ? `unknown command '${argv[0]}'. ${msg}` : msg)
    })
  try {
    await cli.parseAsync()
  } catch (e) {
    return await reportError(e)
  }
  return code
}
