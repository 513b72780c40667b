/**
 * `baobab config check <file>`: validate a hypervisor config and report every problem in it;
 * `config pack` writes one in CROSSCON's binary layout, `config import` reads a CROSSCON C config.
 */
import type { Argv, CommandModule } from 'yargs'
import type { HvVmConfig } from '../../core/hypervisor/config.ts'
import type { PluginHost } from '../../core/plugins.ts'
import { writeFileSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { EXIT_BAD_INPUT } from '../errors.ts'
import { numberOption } from './numbers.ts'
import { IMPORT_ARCHS } from './config-import-archs.ts'

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

interface ImportArgs {
  file: string
  out: string
  board?: string
  arch?: string
  feature?: string[]
}

export interface ImportFileOptions {
  board?: string
  arch?: string
  features?: string[]
  io?: ConfigIo
  plugins?: PluginHost
  /** the PATH searched for the compiler (tests) */
  searchPath?: string
}

/** `config import`: a CROSSCON/Bao C config as baobab's JSON config (core/hypervisor/import/), validated, then written. */
export async function importConfigFile(file: string, out: string, opts: ImportFileOptions = {}): Promise<number> {
  const io = opts.io ?? processIo
  const [{ importConfig }, { ImportError }, { ConfigErrors, PluginHost }] = await Promise.all([
    import('../../core/hypervisor/import/import.ts'), import('../../core/hypervisor/import/import-error.ts'), load(),
  ])
  if (resolve(out) === resolve(file)) {
    io.err(`${file}: the output would overwrite the C file itself\n`)
    return EXIT_BAD_INPUT
  }
  const features = (opts.features ?? []).flatMap((f) => f.split(',')).map((f) => f.trim()).filter((f) => f !== '')
  try {
    const r = await importConfig(file, {
      archs: IMPORT_ARCHS, plugins: opts.plugins ?? new PluginHost(), out,
      board: opts.board, arch: opts.arch, features, searchPath: opts.searchPath,
      warn: (w) => io.err(`warning: ${w}\n`),
    })
    try {
      writeFileSync(out, r.text)
    } catch (e) {
      io.err(`cannot write ${out}: ${(e as Error).message}\n`)
      return EXIT_BAD_INPUT
    }
    io.out(`imported ${file} with ${basename(r.compiler)} for ${r.board}: ${r.vmCount} VM${r.vmCount === 1 ? '' : 's'}\nwrote ${out}\n`)
    return 0
  } catch (e) {
    if (e instanceof ImportError) {
      io.err(`${e.message}\n`)
      return EXIT_BAD_INPUT
    }
    if (e instanceof ConfigErrors) {
      io.err(`${file}: the imported config (not written) breaks baobab's config rules:\n${e.message}\n`)
      return EXIT_BAD_INPUT
    }
    throw e
  }
}

/**
 * `config import --help` above the options: one usage() per line, each shorter than the help's
 * width (bin/cli.ts: yargs wraps a multi-line string at odd widths, and a long line mid-word).
 */
const IMPORT_HELP = [
  '$0 config import <file.c> -o <config.json> [--board NAME | --arch ARCH] [--feature NAME]...',
  '',
  "Compiles the file with the architecture's cross gcc against baobab's <config.h>",
  "(configs/bao/include/: CROSSCON's structs and macros), links it at address 0 as CROSSCON's",
  'configs.mk does, reads the binary config back and writes it as JSON, checked as',
  "'config check' would. VM_IMAGE(name, \"path\"): the path is relative to the file that says",
  'it; the JSON names it relative to its own folder. VM names are the C names of the',
  'struct vm_configs.',
  '',
  "The compiler is the first found of the board's architecture's:",
  ...IMPORT_ARCHS.map((a) => `  ${a.name}: ${a.compilers.join(', ')} (Debian: ${a.debianPackage})`),
  "Without --board or --arch, the architecture is the one the VMs' .arch blocks name",
  `(${IMPORT_ARCHS.map((a) => `.${a.archFields[0]}: ${a.name}`).join(', ')}; the file must name one), on its board:`,
  `${IMPORT_ARCHS.map((a) => a.defaultBoard).join(', ')}.`,
  '',
  "Not in CROSSCON's structs, so given here or left at their defaults: the board, features",
  "(a VM of type 1 or 2 adds 'tee'), a device's emulate, dtb, bootargs. Two VMs passing the",
  'same device through get shared: true.',
]

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
  const importC: CommandModule<object, ImportArgs> = {
    command: 'import <file>',
    describe: 'Turn a CROSSCON/Bao config written in C (#include <config.h>, struct config config = {...}) into a JSON config',
    builder: (y: Argv) => IMPORT_HELP.reduce((y2, line) => y2.usage(line), y)
      .positional('file', { type: 'string', demandOption: true, describe: 'the C config' })
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'the JSON config to write' })
      .option('board', { type: 'string', describe: 'the board (its architecture picks the compiler)' })
      .option('arch', { type: 'string', choices: IMPORT_ARCHS.map((a) => a.name), describe: 'the architecture, on its default board' })
      .option('feature', { type: 'string', array: true, describe: 'a feature for the config (repeat, or comma-separated): dynamic-vm, tee, llc' })
      .example('$0 config import configs/bao/two-vms.c -o two-vms.json', 'prints "imported ... wrote two-vms.json"; errors with file:line (exit 2)')
      .example('$0 config import configs/bao/dynamic-vm.c --feature dynamic-vm -o dyn.json', 'a config whose guest creates VMs'),
    handler: async (a) => {
      setCode(await importConfigFile(a.file, a.out, { board: a.board, arch: a.arch, features: a.feature, io }))
    },
  }
  return {
    command: 'config <command>',
    describe: 'Work with hypervisor configs',
    builder: (y: Argv) => y.command(check).command(pack).command(importC).demandCommand(1, 'name a config command (see --help)'),
    handler: () => {},
  }
}
