/**
 * The plugin host. A plugin is a plain object (Vite's shape): a manifest plus `setup(ctx)`.
 * Everything a plugin adds goes through its `ctx`, which records it, so unloading is exact and
 * hot reload can swap one version for the next.
 */
import { existsSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { ArchDesc } from './arch.ts'
import type { BoardDesc } from './board.ts'
import type { DeviceFactory } from './device.ts'
import type { Hypervisor, HypercallResult } from './hypervisor/hypervisor.ts'
import type { Vcpu } from './hypervisor/vm.ts'

export type PluginKind = 'arch' | 'board' | 'device' | 'feature'

/** A feature's hypercall class (RISC-V a6 = class << 16 | function; Arm x0 likewise). */
export interface HypercallClass {
  call(vcpu: Vcpu, fn: number, args: bigint[]): HypercallResult
}
export type HypercallFactory = (hv: Hypervisor) => HypercallClass

export interface PluginContext {
  readonly archs: { register(arch: ArchDesc): void }
  /** features: hypercall class `cls` (0 is Bao's own) served by what `factory` builds per hypervisor */
  readonly hypercalls: { register(cls: number, factory: HypercallFactory): void }
  readonly boards: { register(board: BoardDesc): void }
  readonly devices: { register(type: string, factory: DeviceFactory): void }
  log(msg: string): void
}

export interface Plugin {
  name: string
  kind: PluginKind
  version: string
  requires?: string[]
  setup(ctx: PluginContext): void | Promise<void>
  teardown?(): void
}

export function definePlugin<P extends Plugin>(p: P): P {
  return p
}

interface Loaded {
  plugin: Plugin
  source: string
  undo: (() => void)[]
}

export class PluginError extends Error {
  constructor(readonly plugin: string, message: string) {
    super(`plugin ${plugin}: ${message}`)
  }
}

/** The project's own plugins/ folder. */
export const BUILTIN_PLUGINS = join(dirname(fileURLToPath(import.meta.url)), '..', 'plugins')

export class PluginHost {
  readonly archs = new Map<string, ArchDesc>()
  readonly boards = new Map<string, BoardDesc>()
  readonly devices = new Map<string, DeviceFactory>()
  readonly hypercalls = new Map<number, HypercallFactory>()
  private readonly loaded = new Map<string, Loaded>()
  readonly log: string[] = []
  private readonly imports = new Map<string, number>()

  list(): { name: string; kind: PluginKind; version: string; source: string }[] {
    return [...this.loaded.values()].map((l) => ({ name: l.plugin.name, kind: l.plugin.kind, version: l.plugin.version, source: l.source }))
  }

  has(name: string): boolean {
    return this.loaded.has(name)
  }

  /** Where plugin `spec` lives: a path (absolute, or relative to cwd) or a built-in name. */
  resolve(spec: string): string {
    if (spec.includes('/') || spec.endsWith('.ts') || spec.endsWith('.js')) {
      const p = isAbsolute(spec) ? spec : resolve(spec)
      if (!existsSync(p)) throw new PluginError(spec, `no file ${p}`)
      return p
    }
    for (const f of ['index.ts', 'index.js']) {
      const p = join(BUILTIN_PLUGINS, spec, f)
      if (existsSync(p)) return p
    }
    throw new PluginError(spec, `no plugin of that name in ${BUILTIN_PLUGINS}`)
  }

  /** Load a plugin (and what it requires) by name or path. Loading twice is a no-op. */
  async load(spec: string): Promise<Plugin> {
    const file = this.resolve(spec)
    for (const l of this.loaded.values()) if (l.source === file) return l.plugin
    // the first import uses the plain URL; a reload needs a fresh one so the file is read again
    const n = (this.imports.get(file) ?? 0) + 1
    this.imports.set(file, n)
    const url = pathToFileURL(file).href + (n > 1 ? `?v=${n}` : '')
    const mod = (await import(url)) as { default?: Plugin }
    const plugin = mod.default
    if (!plugin || typeof plugin !== 'object' || typeof plugin.name !== 'string' || typeof plugin.setup !== 'function') {
      throw new PluginError(spec, 'default export is not a plugin (needs name, kind, version, setup)')
    }
    return this.install(plugin, file)
  }

  /** Install a plugin object that is already imported (bundled builds, tests). */
  async use(plugin: Plugin, source = `<object ${plugin.name}>`): Promise<Plugin> {
    if (this.loaded.has(plugin.name)) return this.loaded.get(plugin.name)!.plugin
    return this.install(plugin, source)
  }

  private async install(plugin: Plugin, file: string): Promise<Plugin> {
    for (const dep of plugin.requires ?? []) if (!this.loaded.has(dep)) await this.load(dep)
    const undo: (() => void)[] = []
    const ctx: PluginContext = {
      archs: { register: (a) => { this.archs.set(a.name, a); undo.push(() => this.archs.delete(a.name)) } },
      boards: { register: (b) => { this.boards.set(b.name, b); undo.push(() => this.boards.delete(b.name)) } },
      devices: { register: (t, f) => { this.devices.set(t, f); undo.push(() => this.devices.delete(t)) } },
      hypercalls: { register: (c, f) => { this.hypercalls.set(c, f); undo.push(() => this.hypercalls.delete(c)) } },
      log: (m) => this.log.push(`[${plugin.name}] ${m}`),
    }
    try {
      await plugin.setup(ctx)
    } catch (e) {
      for (const u of undo.reverse()) u()
      throw new PluginError(plugin.name, `setup failed: ${(e as Error).message}`)
    }
    this.loaded.set(plugin.name, { plugin, source: file, undo })
    return plugin
  }

  unload(name: string): void {
    const l = this.loaded.get(name)
    if (!l) throw new PluginError(name, 'not loaded')
    l.plugin.teardown?.()
    for (const u of l.undo.reverse()) u()
    this.loaded.delete(name)
  }

  /** Load every built-in plugin needed for a board by name: the board plugin is `board-<name>`. */
  async loadBoard(name: string): Promise<BoardDesc> {
    if (!this.boards.has(name)) {
      try {
        await this.load(`board-${name}`)
      } catch (e) {
        if (e instanceof PluginError && e.plugin === `board-${name}` && /no plugin of that name/.test(e.message)) {
          throw new PluginError(`board-${name}`, `unknown board '${name}'`)
        }
        throw e
      }
    }
    const b = this.boards.get(name)
    if (!b) throw new PluginError(`board-${name}`, `plugin did not register board '${name}'`)
    return b
  }
}
