/**
 * Loading and validating a hypervisor config (DESIGN "The config format"; CROSSCON's
 * `struct config` / `struct vm_config`, reference §2.2). config-schema.ts checks the shape; this
 * file fills defaults, resolves paths and checks the rules that relate fields to each other and
 * to the board: overlaps, CPU and interrupt ownership, device windows, image fit.
 *
 * Placement: this simulator backs a VM region at host-physical = guest-physical (1:1) unless the
 * region says `placePhys`/`phys`, so regions of different VMs must not overlap in host-physical
 * space and must lie in the board's RAM. Bao itself allocates unplaced regions from page pools
 * (reference §2.3), where such overlaps cannot happen; here they would.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, extname, resolve } from 'node:path'
import type { ArchDesc } from '../arch.ts'
import type { BoardDesc } from '../board.ts'
import { hasElfMagic, parseElf } from '../loader/elf.ts'
import { BUILTIN_PLUGINS, isBoardPath, PluginError, type PluginHost } from '../plugins.ts'
import { ConfigError, ConfigErrors } from './config-error.ts'
import { plainConfig } from './config-data.ts'
import { importConfigModule } from './config-module.ts'
import { checkNames, checkAlignment, checkCpus, checkGuestWindows, checkHostMemory, checkDevices, checkInterrupts, checkImages, checkIpcs, checkTeeShapes } from './config-rules.ts'
import { parseStructure, VM_TYPES, type ArchVmOptions, type ParsedVm } from './config-schema.ts'
import type { ArchWindows, Ctx, Err, HvConfig, HvDev, HvImage, HvShmem, HvVmConfig, Node } from './config-types.ts'

export type { ConfigInput, VmInput, VmType, VmTypeName } from './config-schema.ts'
export { ConfigError, ConfigErrors } from './config-error.ts'

export type { HvConfig, HvDev, HvImage, HvIpc, HvRegion, HvShmem, HvVmConfig } from './config-types.ts'

export interface ValidateOptions {
  /** image paths are relative to this (the config file's folder) */
  baseDir: string
  board: BoardDesc
  /** device types the loaded plugins register; when given, `emulate` must name one */
  deviceTypes?: Iterable<string>
  /** e_machine the board's arch runs; when given, ELF images must match */
  elfMachine?: number
  /** names the config in error messages */
  file?: string
  /** the VM fields the board's architecture adds (`ArchDesc.vmOptions`) */
  archOptions?: ArchVmOptions
  /** the windows the board's architecture puts in every VM (`ArchDesc.vmWindows`), or per VM from its arch options */
  archWindows?: ArchWindows
  /** the rules the board's architecture adds for a VM (`ArchDesc.checkVm`) */
  archCheck?: (vm: HvVmConfig) => { field: string; rule: string }[]
}

export interface LoadOptions {
  /** seconds a .ts/.js config may take to load (default DEFAULT_LOAD_TIMEOUT_S); `--timeout` */
  timeoutS?: number
  /** the config object itself (a session's): the file then only places relative paths and names errors */
  data?: unknown
}

/**
 * Read, validate and normalise a config file (JSON, or a .ts/.js module's default export). Checks
 * what booting it needs from the plugins too (board, architecture, features), so `config check`
 * refuses what `run` would.
 */
export async function loadConfig(file: string, plugins: PluginHost, opts: LoadOptions = {}): Promise<{ config: HvConfig; board: BoardDesc; raw: unknown }> {
  const abs = resolve(file)
  const raw = opts.data !== undefined ? opts.data : await readConfigFile(file, abs, opts.timeoutS)
  const errors: ConfigError[] = []
  let board: BoardDesc | undefined
  const name = isObject(raw) ? raw.board : undefined
  if (typeof name === 'string' && name !== '') {
    try {
      // a path names a user's board plugin, relative to the config like images are
      board = await plugins.loadBoard(isBoardPath(name) ? resolve(dirname(abs), name) : name)
    } catch (e) {
      if (!(e instanceof PluginError)) throw e
      const rule = /unknown board/.test(e.message) ? `unknown board '${name}' (known boards: ${knownBoards(plugins).join(', ')})` : e.message
      errors.push(new ConfigError('board', rule, file))
    }
  }
  // the board's plugin brings its architecture's (boot.ts needs one with a hypervisor half)
  const arch = board && plugins.archs.get(board.arch)
  if (board && arch && !arch.hypervisor) {
    errors.push(new ConfigError('board', `board ${board.name} runs ${board.arch}, whose plugin has no hypervisor (run its images with --bare)`, file))
  }
  checkFeatures(isObject(raw) ? raw.features : undefined, plugins, (path, rule) => errors.push(new ConfigError(path, rule, file)))
  const config = check(raw, {
    baseDir: dirname(abs),
    board,
    deviceTypes: new Set(plugins.devices.keys()),
    elfMachine: board && plugins.archs.get(board.arch)?.elfMachine,
    archOptions: board && plugins.archs.get(board.arch)?.vmOptions,
    archWindows: board && archWindowsOf(plugins.archs.get(board.arch), board),
    archCheck: board ? plugins.archs.get(board.arch)?.checkVm : undefined,
    file,
  }, errors)
  return { config, board: board!, raw }
}

/** An arch's VM windows on `board`, per VM (ArchDesc.vmWindows with each VM's arch options). */
export function archWindowsOf(arch: ArchDesc | undefined, board: BoardDesc): ArchWindows | undefined {
  const fn = arch?.vmWindows
  return fn && ((archOptions) => fn(board, archOptions))
}

/** Validate and normalise a config object; throws ConfigErrors listing every problem. */
export function validateConfig(raw: unknown, opts: ValidateOptions): HvConfig {
  return check(raw, { ...opts, deviceTypes: opts.deviceTypes && new Set(opts.deviceTypes) }, [])
}

async function readConfigFile(file: string, abs: string, timeoutS: number | undefined): Promise<unknown> {
  const fail = (rule: string): never => { throw new ConfigErrors([new ConfigError('', rule, file)], file) }
  if (!existsSync(abs)) return fail(`no such file (${abs})`)
  const ext = extname(abs).toLowerCase()
  if (ext === '.json') {
    try {
      return JSON.parse(readFileSync(abs, 'utf8')) as unknown
    } catch (e) {
      return fail(`invalid JSON: ${(e as Error).message}`)
    }
  }
  if (!['.ts', '.mts', '.js', '.mjs'].includes(ext)) return fail(`unknown config format '${ext}' (expected .json, .ts or .js)`)
  // the user's code: bundled afresh on each load (hot reload) and evaluated in a worker, bounded
  return importConfigModule(abs, file, timeoutS)
}

/**
 * A feature named in the config is the plugin feat-<name> (core/boot.ts loads it): it must be
 * loaded already or be a built-in plugin folder.
 */
function checkFeatures(features: unknown, plugins: PluginHost, err: Err): void {
  if (!Array.isArray(features)) return
  const known = new Set(plugins.list().map((p) => p.name).filter((n) => n.startsWith('feat-')).map((n) => n.slice('feat-'.length)))
  try {
    for (const d of readdirSync(BUILTIN_PLUGINS)) if (d.startsWith('feat-')) known.add(d.slice('feat-'.length))
  } catch {
    // no built-in plugins folder: the loaded features are all there is
  }
  features.forEach((f, i) => {
    if (typeof f === 'string' && f !== '' && !known.has(f)) {
      err(`features[${i}]`, `unknown feature '${f}' (known features: ${[...known].sort().join(', ') || 'none'})`)
    }
  })
}

function knownBoards(plugins: PluginHost): string[] {
  const names = new Set(plugins.boards.keys())
  try {
    for (const d of readdirSync(BUILTIN_PLUGINS)) if (d.startsWith('board-')) names.add(d.slice('board-'.length))
  } catch {
    // no built-in plugins folder: the registered boards are all there is
  }
  return [...names].sort()
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

// ---- the checks ----

function check(raw: unknown, ctx: Ctx, errors: ConfigError[]): HvConfig {
  const err = (path: string, rule: string): void => { errors.push(new ConfigError(path, rule, ctx.file)) }
  // zod and the rules recurse and read every field: give them a bounded copy of plain data
  const plain = plainConfig(raw, ctx.file)
  if ('errors' in plain) throw new ConfigErrors([...errors, ...plain.errors], ctx.file)
  const parsed = parseStructure(plain.data, ctx.file, ctx.archOptions)
  if ('errors' in parsed) throw new ConfigErrors([...errors, ...parsed.errors], ctx.file)
  const p = parsed.config
  // `board` is a board's name, or the path of a user's board plugin (then its board is the one)
  const byPath = isBoardPath(p.board)
  if (ctx.board && !byPath && p.board !== ctx.board.name) err('board', `names board '${p.board}', but the board given is '${ctx.board.name}'`)

  // a field missing here would only cause follow-on errors in the checks below: stop after these
  let incomplete = false
  const need: Err = (path, rule) => { incomplete = true; err(path, rule) }
  const shmem: HvShmem[] = (p.shmem ?? []).map((s, i) => ({
    size: s.size, colors: s.colors ?? 0, placePhys: placed(s, `shmem[${i}]`, need), phys: s.phys,
  }))
  const nodes: Node[] = []
  const vms = p.vms.map((v, i) => normaliseVm(v, `vms[${i}]`, undefined, ctx, nodes, err, need))
  const config: HvConfig = { board: byPath && ctx.board ? ctx.board.name : p.board, features: p.features ?? [], hypColors: p.hypColors ?? 0, shmem, vms }
  if (incomplete) throw new ConfigErrors(errors, ctx.file)

  checkNames(nodes, err)
  checkAlignment(nodes, shmem, err)
  checkCpus(nodes, ctx.board, err)
  checkTeeShapes(nodes, err)
  checkGuestWindows(nodes, ctx.archWindows ?? [], err)
  checkHostMemory(vms, shmem, config.hypColors, ctx.board, err)
  checkDevices(nodes, ctx, err)
  checkInterrupts(nodes, ctx.board, err)
  checkImages(nodes, ctx, err)
  checkIpcs(nodes, shmem, err)
  for (const n of nodes) for (const e of ctx.archCheck?.(n.vm) ?? []) err(`${n.path}.${e.field}`, e.rule)

  const unique = [...new Map(errors.map((e) => [e.message, e])).values()]
  if (unique.length) throw new ConfigErrors(unique, ctx.file)
  return config
}

/** `placePhys` defaults to whether `phys` is given; the two must agree. */
function placed(r: { placePhys?: boolean; phys?: number }, path: string, err: Err): boolean {
  if (r.placePhys === true && r.phys === undefined) err(`${path}.phys`, 'required when placePhys is true')
  if (r.placePhys === false && r.phys !== undefined) err(`${path}.phys`, 'is given but placePhys is false')
  return r.placePhys ?? r.phys !== undefined
}

function normaliseVm(v: ParsedVm, path: string, parent: Node | undefined, ctx: Ctx, nodes: Node[], err: Err, need: Err): HvVmConfig {
  const type = v.type ?? 0
  let image: HvImage | undefined
  let bytes: Uint8Array | undefined
  let elfEntry: number | undefined
  if (v.image) {
    const file = resolve(ctx.baseDir, v.image.path)
    bytes = readImage(file, `${path}.image.path`, err)
    const kind = bytes && !(extname(file).toLowerCase() === '.bin') && hasElfMagic(bytes) ? 'elf' : 'raw'
    image = { path: file, baseAddr: v.image.baseAddr, inplace: v.image.inplace ?? false, size: bytes?.length ?? 0, kind }
    if (bytes && kind === 'elf') {
      try {
        const e = parseElf(bytes).entry
        if (e <= BigInt(Number.MAX_SAFE_INTEGER)) elfEntry = Number(e)
      } catch { /* reported by checkImages */ }
    }
  } else if (!parent) {
    need(`${path}.image`, 'required (a root VM needs an image)')
  }
  if (v.entry === undefined && !v.image && parent) need(`${path}.entry`, 'required when the VM has no image')
  const vm: HvVmConfig = {
    name: v.name,
    type,
    typeName: VM_TYPES[type],
    image,
    // an ELF starts at its own entry point; a raw image at its first byte (Bao's base_addr = entry)
    entry: v.entry ?? elfEntry ?? image?.baseAddr ?? 0,
    cpuNum: v.cpuNum,
    cpuAffinity: v.cpuAffinity ?? 0,
    colors: v.colors ?? 0,
    regions: v.regions.map((r, i) => ({
      base: r.base, size: r.size, colors: r.colors ?? 0,
      placePhys: placed(r, `${path}.regions[${i}]`, need), phys: r.phys ?? r.base,
    })),
    devs: (v.devs ?? []).map((d, i) => normaliseDev(d, `${path}.devs[${i}]`, need)),
    ipcs: (v.ipcs ?? []).map((c) => ({ base: c.base, size: c.size, shmemId: c.shmemId, interrupts: c.interrupts ?? [] })),
    children: [],
    dtb: v.dtb ?? true,
    archOptions: Object.fromEntries(Object.keys(ctx.archOptions ?? {}).filter((k) => v[k] !== undefined).map((k) => [k, v[k]])),
    bootargs: v.bootargs,
  }
  const node: Node = { vm, path, parent, bytes }
  nodes.push(node)
  vm.children = (v.children ?? []).map((c, i) => normaliseVm(c, `${path}.children[${i}]`, node, ctx, nodes, err, need))
  return vm
}

function normaliseDev(d: NonNullable<ParsedVm['devs']>[number], path: string, need: Err): HvDev {
  const grant = d.size === 0
  if (d.emulate !== undefined && grant) need(`${path}.size`, 'an emulated device needs a size (size 0 only grants interrupts)')
  if (d.emulate === undefined && !grant && d.pa === undefined) need(`${path}.pa`, 'required for a pass-through device (or name a device type in emulate)')
  if (!grant && d.va === undefined) need(`${path}.va`, 'required')
  return {
    pa: d.emulate === undefined ? (d.pa ?? 0) : undefined,
    va: d.va ?? 0,
    size: d.size,
    interrupts: d.interrupts ?? [],
    id: d.id ?? 0,
    shared: d.shared ?? false,
    emulate: d.emulate,
  }
}

function readImage(file: string, path: string, err: Err): Uint8Array | undefined {
  try {
    if (!statSync(file).isFile()) { err(path, `not a file: ${file}`); return undefined }
    return readFileSync(file)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    err(path, code === 'ENOENT' ? `no such file: ${file}` : `cannot read ${file}: ${(e as Error).message}`)
    return undefined
  }
}
