/** `baobab config check <file>`: validate a hypervisor config and report every problem in it. */
import type { Argv, CommandModule } from 'yargs'
import type { HvVmConfig } from '../../core/hypervisor/config.ts'
import type { PluginHost } from '../../core/plugins.ts'
import { writeFileSync } from 'node:fs'
import { EXIT_BAD_INPUT } from '../errors.ts'
import { numberOption } from './numbers.ts'

const LOAD_TIMEOUT = numberOption('timeout', { unit: 'seconds', above: 0 }, 'seconds a .ts/.js config may take to load (default 10; exit 2 when it does not finish)')

interface CheckArgs {
  file: string
  print: boolean
  timeout?: number
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

/** The config loader, plugin host and blob packer, loaded when a config command runs (zod and the hypervisor's rules cost start-up time). */
async function load() {
  const [config, plugins, blob] = await Promise.all([
    import('../../core/hypervisor/config.ts'), import('../../core/plugins.ts'), import('../../core/hypervisor/blob.ts'),
  ])
  return { ...config, ...plugins, ...blob }
}

/** `config check`: exit 0 when the config is valid, 2 with one line per error otherwise. */
export async function checkConfig(file: string, opts: { print?: boolean; io?: ConfigIo; plugins?: PluginHost; timeoutS?: number } = {}): Promise<number> {
  const io = opts.io ?? processIo
  const { ConfigErrors, loadConfig, PluginHost } = await load()
  try {
    const plugins = opts.plugins ?? new PluginHost()
    const { config, board } = await loadConfig(file, plugins, { timeoutS: opts.timeoutS })
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

interface PackArgs {
  file: string
  out: string
  images: boolean
  timeout?: number
}

/** `config pack`: write the config in CROSSCON's binary layout (core/hypervisor/blob.ts). */
export async function packConfigFile(file: string, out: string, opts: { images?: boolean; io?: ConfigIo; plugins?: PluginHost; timeoutS?: number } = {}): Promise<number> {
  const io = opts.io ?? processIo
  const { ConfigErrors, loadConfig, PluginHost, BlobError, CONFIG, packConfig } = await load()
  try {
    const plugins = opts.plugins ?? new PluginHost()
    const { config, board } = await loadConfig(file, plugins, { timeoutS: opts.timeoutS })
    const arch = plugins.archs.get(board.arch)?.configBlob
    if (!arch) {
      io.err(`${file}: board ${board.name} runs ${board.arch}, which has no CROSSCON binary config layout\n`)
      return EXIT_BAD_INPUT
    }
    const blob = packConfig(config, { arch, images: opts.images ?? true, warn: (m) => io.err(`warning: ${m}\n`) })
    try {
      writeFileSync(out, blob)
    } catch (e) {
      io.err(`cannot write ${out}: ${(e as Error).message}\n`)
      return EXIT_BAD_INPUT
    }
    const header = Number(new DataView(blob.buffer, blob.byteOffset).getBigUint64(CONFIG.config_header_size, true))
    io.out(`wrote ${out} (${blob.length} bytes, header ${header} bytes)\n`)
    return 0
  } catch (e) {
    if (e instanceof ConfigErrors || e instanceof BlobError) {
      io.err(`${e instanceof BlobError ? `${file}: ` : ''}${e.message}\n`)
      return EXIT_BAD_INPUT
    }
    throw e
  }
}

export function configCommand(setCode: (c: number) => void, io?: ConfigIo): CommandModule<object, object> {
  const check: CommandModule<object, CheckArgs> = {
    command: 'check <file>',
    describe: 'Validate a config (.json, .ts or .js): every error with its field path',
    builder: (y: Argv) => y
      .positional('file', { type: 'string', demandOption: true, describe: 'the config file' })
      .option('print', { type: 'boolean', default: false, describe: 'also print the normalised config as JSON' })
      .option('timeout', LOAD_TIMEOUT)
      .example('$0 config check configs/two-vms.json', 'prints "ok: ..." or the errors (exit 2)'),
    handler: async (a) => {
      setCode(await checkConfig(a.file, { print: a.print, io, timeoutS: a.timeout }))
    },
  }
  const pack: CommandModule<object, PackArgs> = {
    command: 'pack <file>',
    describe: "Write a config in CROSSCON's binary layout (what its hypervisor and VM create load)",
    builder: (y: Argv) => y
      .positional('file', { type: 'string', demandOption: true, describe: 'the config file' })
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'the blob to write' })
      .option('images', { type: 'boolean', default: true, describe: 'store the VM images after the header (--no-images: load_addr = size = 0)' })
      .option('timeout', LOAD_TIMEOUT)
      .example('$0 config pack configs/two-vms.json -o blob.bin', 'prints "wrote blob.bin (N bytes, header H bytes)"'),
    handler: async (a) => {
      setCode(await packConfigFile(a.file, a.out, { images: a.images, io, timeoutS: a.timeout }))
    },
  }
  return {
    command: 'config <command>',
    describe: 'Work with hypervisor configs',
    builder: (y: Argv) => y.command(check).command(pack).demandCommand(1, 'name a config command (see --help)'),
    handler: () => {},
  }
}
