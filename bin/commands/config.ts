/** `baobab config check <file>`: validate a hypervisor config and report every problem in it. */
import type { Argv, CommandModule } from 'yargs'
import { ConfigErrors, loadConfig, type HvVmConfig } from '../../core/hypervisor/config.ts'
import { PluginHost } from '../../core/plugins.ts'
import { EXIT_BAD_INPUT } from '../errors.ts'

interface CheckArgs {
  file: string
  print: boolean
}

/** Where the command writes; tests pass their own. */
export interface ConfigIo {
  out(text: string): void
  err(text: string): void
}

const processIo: ConfigIo = {
  out: (t) => { process.stdout.write(t) },
  err: (t) => { process.stderr.write(t) },
}

function countVms(vms: HvVmConfig[]): number {
  return vms.reduce((n, vm) => n + 1 + countVms(vm.children), 0)
}

/** `config check`: exit 0 when the config is valid, 2 with one line per error otherwise. */
export async function checkConfig(file: string, opts: { print?: boolean; io?: ConfigIo; plugins?: PluginHost } = {}): Promise<number> {
  const io = opts.io ?? processIo
  try {
    const { config, board } = await loadConfig(file, opts.plugins ?? new PluginHost())
    const n = countVms(config.vms)
    io.out(`ok: ${file} (${n} VM${n === 1 ? '' : 's'} on ${board.name})\n`)
    if (opts.print) io.out(`${JSON.stringify(config, null, 2)}\n`)
    return 0
  } catch (e) {
    if (!(e instanceof ConfigErrors)) throw e
    io.err(`${e.message}\n`)
    return EXIT_BAD_INPUT
  }
}

export function configCommand(setCode: (c: number) => void, io?: ConfigIo): CommandModule<object, object> {
  const check: CommandModule<object, CheckArgs> = {
    command: 'check <file>',
    describe: 'Validate a config (.json, .ts or .js): every error with its field path',
    builder: (y: Argv) => y
      .positional('file', { type: 'string', demandOption: true, describe: 'the config file' })
      .option('print', { type: 'boolean', default: false, describe: 'also print the normalised config as JSON' })
      .example('$0 config check configs/two-vms.json', 'prints "ok: ..." or the errors (exit 2)'),
    handler: async (a) => {
      setCode(await checkConfig(a.file, { print: a.print, io }))
    },
  }
  return {
    command: 'config <command>',
    describe: 'Work with hypervisor configs',
    builder: (y: Argv) => y.command(check).demandCommand(1, 'name a config command (see --help)'),
    handler: () => {},
  }
}
