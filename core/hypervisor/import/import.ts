/**
 * `baobab config import FILE.c`: a config written as CROSSCON/Bao users write them (a C file
 * defining `struct config config`, reference §2.1) as baobab's JSON config. No C parser: the
 * file is compiled and linked by the architecture's cross gcc against baobab's <config.h>
 * (configs/bao/include/), which has CROSSCON's structs and layout (compile.ts); the linked result
 * is CROSSCON's binary blob (linked-blob.ts), read by the same parser VM create uses
 * (../blob-parse.ts), turned into JSON (to-json.ts) and checked by the config loader, so
 * `baobab config check` accepts what this returns.
 *
 * Order of the steps: board and architecture (from the options, else guessed from the file's
 * `.arch` designators), compile, flatten, parse, map, validate.
 */
import { readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BoardDesc } from '../../board.ts'
import { isBoardPath, PluginError, type PluginHost } from '../../plugins.ts'
import { BlobError, CONFIG } from '../blob-layout.ts'
import { parseBlob } from '../blob-parse.ts'
import { loadConfig } from '../config.ts'
import { compileConfig } from './compile.ts'
import type { ImportArch } from './import-arch.ts'
import { ImportError } from './import-error.ts'
import { formatJson } from './json-format.ts'
import { linkedBlob, vmlistEntries } from './linked-blob.ts'
import { blobToConfig } from './to-json.ts'

/** the folder of baobab's <config.h> */
export const CONFIG_INCLUDE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'configs', 'bao', 'include')

export interface ImportOptions {
  /** the architectures the importer can compile for */
  archs: readonly ImportArch[]
  plugins: PluginHost
  /** where the JSON will be written: image paths are made relative to its folder */
  out: string
  /** a board name or a board plugin's path (relative to `cwd`); decides the architecture */
  board?: string
  /** an architecture name: its `defaultBoard` unless `board` is given */
  arch?: string
  /** the config's `features` (not in CROSSCON's structs) */
  features?: readonly string[]
  /** the PATH searched for the compiler (default: this process's) */
  searchPath?: string
  /** relative paths (file, board) are taken from here (default: process.cwd()) */
  cwd?: string
  /** told each warning as it is found, before a later step may fail (they are in `Imported.warnings` too) */
  warn?: (message: string) => void
}

export interface Imported {
  /** the config, validated */
  config: Record<string, unknown>
  /** it as JSON text, laid out as the demo configs are */
  text: string
  board: string
  /** the compiler that built it */
  compiler: string
  /** root VMs and children */
  vmCount: number
  /** what the compiler warned and what the C file sets that is not imported */
  warnings: string[]
}

/**
 * Import `file`. Throws ImportError (no compiler, compile errors, missing images, something
 * baobab cannot say) or ConfigErrors (the result breaks a config rule, with its JSON paths).
 */
export async function importConfig(file: string, opts: ImportOptions): Promise<Imported> {
  const cwd = opts.cwd ?? process.cwd()
  let source: string
  try {
    source = readFileSync(resolve(cwd, file), 'utf8')
  } catch (e) {
    throw new ImportError('unreadable', `${file}: cannot read it: ${(e as Error).message}`)
  }
  const { board, boardRef, arch } = await pickBoard(file, source, opts, cwd)
  const blobArch = opts.plugins.archs.get(board.arch)?.configBlob
  if (!blobArch) throw new ImportError('board', `board ${board.name} runs ${board.arch}, which has no CROSSCON binary config layout`)

  const compiled = compileConfig(file, arch, { includeDir: CONFIG_INCLUDE_DIR, searchPath: opts.searchPath, cwd })
  const warnings: string[] = []
  const warn = (m: string): void => { warnings.push(m); opts.warn?.(m) }
  // gcc's warnings as it printed them (a message, then its source line and caret), as one
  if (compiled.warnings.length) warn(`${file}: ${compiler(compiled.compiler)} warns:\n${compiled.warnings.join('\n')}`)
  let blob
  let parsed
  try {
    blob = linkedBlob(compiled.elf, file)
    checkVmlist(blob.bytes, vmlistEntries(blob.symbols), file, warn)
    parsed = parseBlob(blob.bytes, { arch: blobArch })
  } catch (e) {
    if (e instanceof BlobError) throw new ImportError('unmappable', `${file}: the compiled config is not one CROSSCON could load: ${e.message}`)
    throw e
  }
  const outDir = dirname(resolve(cwd, opts.out))
  const mapped = blobToConfig({
    file, cwd, outDir, board, boardRef: isBoardPath(boardRef) ? relativeBoard(cwd, outDir, boardRef) : boardRef,
    features: opts.features ?? [], arch, blobArch, blob, parsed,
  })
  for (const w of mapped.warnings) warn(w)
  const config = JSON.parse(JSON.stringify(mapped.config)) as Record<string, unknown>
  // the loader's every rule, as `config check` runs them on the written file
  await loadConfig(resolve(cwd, opts.out), opts.plugins, { data: config })
  return {
    config, text: formatJson(config), board: board.name, compiler: compiled.compiler,
    vmCount: countVms(parsed.config.vms), warnings,
  }
}

const compiler = (path: string): string => path.split('/').pop() ?? path
const countVms = (vms: { children: unknown[] }[]): number => vms.reduce((n, v) => n + 1 + countVms(v.children as { children: unknown[] }[]), 0)

/** a board plugin's path as the written config names it: relative to its folder, as images are */
function relativeBoard(cwd: string, outDir: string, ref: string): string {
  const rel = relative(outDir, resolve(cwd, ref)).split(sep).join('/')
  return rel.startsWith('.') ? rel : `./${rel}`
}

/**
 * `vmlist_size` against the pointers `.vmlist` holds: more would read past struct config
 * (CROSSCON would follow whatever lies there), fewer leave VMs out.
 */
function checkVmlist(bytes: Uint8Array, entries: number | undefined, file: string, warn: (m: string) => void): void {
  if (entries === undefined || bytes.length < CONFIG.vmlist) return
  const size = new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(CONFIG.vmlist_size, true)
  if (size > BigInt(entries)) throw new ImportError('unmappable', `${file}: .vmlist_size is ${size} but .vmlist lists ${entries} VM${entries === 1 ? '' : 's'}`)
  if (size < BigInt(entries)) warn(`${file}: .vmlist lists ${entries} VMs but .vmlist_size is ${size}: the last ${entries - Number(size)} are left out, as CROSSCON would`)
}

/** The board (and so the compiler): --board, else --arch's board, else the architecture the file's `.arch` designators name. */
async function pickBoard(file: string, source: string, opts: ImportOptions, cwd: string): Promise<{ board: BoardDesc; boardRef: string; arch: ImportArch }> {
  const names = opts.archs.map((a) => a.name).join(', ')
  let archName = opts.arch
  if (archName !== undefined && !opts.archs.some((a) => a.name === archName)) {
    throw new ImportError('arch', `unknown architecture '${archName}' (config import knows ${names})`)
  }
  if (opts.board === undefined && archName === undefined) {
    const found = opts.archs.filter((a) => namesArchField(source, a.archFields))
    if (found.length !== 1) {
      const why = found.length === 0 ? 'its .arch blocks name no architecture\'s fields' : `its .arch blocks name fields of ${found.map((a) => a.name).join(' and ')}`
      throw new ImportError('arch', `${file}: cannot tell which architecture it is for (${why}): give --board or --arch (${names})`)
    }
    archName = found[0]!.name
  }
  const boardRef = opts.board ?? opts.archs.find((a) => a.name === archName)!.defaultBoard
  let board: BoardDesc
  try {
    board = await opts.plugins.loadBoard(isBoardPath(boardRef) ? resolve(cwd, boardRef) : boardRef)
  } catch (e) {
    if (e instanceof PluginError) throw new ImportError('board', `board '${boardRef}': ${e.message}`)
    throw e
  }
  if (archName !== undefined && board.arch !== archName) throw new ImportError('arch', `board ${board.name} runs ${board.arch}, not ${archName}`)
  const arch = opts.archs.find((a) => a.name === board.arch)
  if (!arch) throw new ImportError('board', `board ${board.name} runs ${board.arch}: config import has no compiler for it (it knows ${names})`)
  return { board, boardRef, arch }
}

/** Whether `source` (comments left out) has a designator `.field =` for one of `fields`. */
export function namesArchField(source: string, fields: readonly string[]): boolean {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ')
  return fields.some((f) => new RegExp(`\\.\\s*${f}\\s*=`).test(code))
}
