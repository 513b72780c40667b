/**
 * The plugin host. A plugin is a plain object (Vite's shape): a manifest plus `setup(ctx)`.
 * Everything a plugin adds goes through its `ctx`, which records it, so unloading is exact and
 * hot reload can swap one version for the next.
 */
import { existsSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ArchDesc } from './arch.ts'
import type { BoardDesc } from './board.ts'
import type { DeviceFactory, DeviceInfo } from './device.ts'
import { abandon, commit, prepare, type LiveDevices, type Replacement } from './live-devices.ts'
import { importErrorMessage, importFresh, importPlugin } from './plugin-import.ts'
import { CallTable, type CallRoute } from './hypervisor/calls.ts'
import { Hooks, type FeatureState, type HookName, type HookSignatures } from './hypervisor/hooks.ts'
import type { BusObserver, LineTracking, MemoryBus } from './bus.ts'
import type { Machine } from './machine.ts'
import type { Hypervisor } from './hypervisor/hypervisor.ts'

/**
 * What a plugin observes on every machine's bus (a last-level cache model, a tracer): made once
 * per machine, from its bus and board; null when it has nothing to watch on that machine. A cache
 * model may offer line tracking with it (core/bus.ts LineTracking), so CPUs need not send it
 * every access.
 */
export type BusObserverFactory = (bus: MemoryBus, board: BoardDesc) => BusObserver | { observer: BusObserver; lines: LineTracking } | null

export type PluginKind = 'arch' | 'board' | 'device' | 'feature'

/** What a plugin adds to the REPL for one machine: a namespace of functions (plain data in, plain data out). */
/** What a REPL namespace is made for: the machine, and its hypervisor (null in bare mode). */
export interface ApiOwner {
  machine: Machine
  hypervisor: Hypervisor | null
}
export type ApiFactory = (bus: MemoryBus, owner?: ApiOwner) => Record<string, (...args: never[]) => unknown>

/**
 * A per-VM counter a feature keeps (e.g. LLC misses), for one machine: the count of the VM with
 * that id, or undefined where it has none; the factory returns null when the feature is not on
 * that machine. `stats()` reports them and the TUI's VM list shows them as columns.
 */
export type VmCounterFactory = (bus: MemoryBus) => ((vmId: number) => number | undefined) | null

export interface PluginContext {
  readonly archs: { register(arch: ArchDesc): void }
  /** firmware and hypervisor calls this plugin serves (core/hypervisor/calls.ts) */
  readonly calls: { register(route: CallRoute): void }
  /** hypervisor hooks (core/hypervisor/hooks.ts): several plugins may listen to each */
  readonly hooks: { on<K extends HookName>(name: K, fn: HookSignatures[K]): void }
  /** sessions: the feature's own state, saved and restored under `name` */
  readonly states: { register(name: string, state: FeatureState): void }
  /** observers of every machine's bus accesses, machines built before and after (core/bus.ts `observe`) */
  readonly bus: { observe(factory: BusObserverFactory): void }
  /** a namespace of functions for the REPL and scripts (e.g. `llc.stats()`), made per machine */
  readonly api: { register(name: string, make: ApiFactory): void }
  /** a per-VM counter, by its short name (a column heading: `llc miss`) */
  readonly counters: { register(name: string, make: VmCounterFactory): void }
  readonly boards: { register(board: BoardDesc): void }
  /**
   * a device type: its factory and, optionally, what it is in a device tree (`info.dt`,
   * core/device.ts DeviceTreeInfo), which the architectures' VM device trees read
   */
  readonly devices: { register(type: string, factory: DeviceFactory, info?: DeviceInfo): void }
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

/** a board spec that names a plugin file (a user's board) rather than a registered board */
export function isBoardPath(board: string): boolean {
  return /[\\/]/.test(board) || /\.(ts|js|mjs)$/.test(board)
}

export function definePlugin<P extends Plugin>(p: P): P {
  return p
}

interface Loaded {
  plugin: Plugin
  source: string
  undo: (() => void)[]
  /** the device factories its setup registered, by type (hot reload replaces what they made) */
  devices?: Map<string, DeviceFactory>
}

/** What `PluginHost.reload` did. */
export interface ReloadReport {
  plugin: Plugin
  /** wall time of the reload */
  ms: number
  /** live device instances replaced, state handed over */
  instances: number
  /** device types the new version no longer registers: their live instances keep the old code */
  kept: string[]
  /** the plugin's files (what a watcher should watch) */
  files: string[]
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
  /** what device plugins said about their types besides the factory (device-tree identity), by type */
  readonly deviceInfo = new Map<string, DeviceInfo>()
  /** REPL namespaces plugins added, by global name */
  readonly apis = new Map<string, ApiFactory>()
  /** per-VM counters plugins added, by short name */
  readonly counters = new Map<string, VmCounterFactory>()
  /** call routes every hypervisor built from this host consults (arch firmware, features) */
  readonly calls = new CallTable()
  readonly hooks = new Hooks()
  private readonly loaded = new Map<string, Loaded>()
  readonly log: string[] = []
  private readonly imports = new Map<string, number>()
  /** files being loaded right now: meeting one again means a `requires` cycle */
  private readonly loading = new Set<string>()
  /** board name → the plugin that registered it */
  private readonly boardOwners = new Map<string, string>()

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
    if (this.loading.has(file)) throw new PluginError(spec, 'requires itself (a requires cycle)')
    this.loading.add(file)
    try {
      // a plugin's own files are cached under their plain URLs: a later import bundles them afresh
      let mod: { default?: Plugin }
      try {
        mod = (await importPlugin(file, n > 1)) as { default?: Plugin }
      } catch (e) {
        throw new PluginError(spec, `cannot import ${file}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`)
      }
      const plugin = mod.default
      if (!plugin || typeof plugin !== 'object' || typeof plugin.name !== 'string' || typeof plugin.setup !== 'function') {
        throw new PluginError(spec, 'default export is not a plugin (needs name, kind, version, setup)')
      }
      return await this.install(plugin, file)
    } finally {
      this.loading.delete(file)
    }
  }

  /** Install a plugin object that is already imported (bundled builds, tests). */
  async use(plugin: Plugin, source = `<object ${plugin.name}>`): Promise<Plugin> {
    if (this.loaded.has(plugin.name)) return this.loaded.get(plugin.name)!.plugin
    return this.install(plugin, source)
  }

  private async install(plugin: Plugin, file: string): Promise<Plugin> {
    const prev = this.loaded.get(plugin.name)
    if (prev) throw new PluginError(plugin.name, `already loaded from ${prev.source}`)
    for (const dep of plugin.requires ?? []) if (!this.loaded.has(dep)) await this.load(dep)
    const undo: (() => void)[] = []
    const devices = new Map<string, DeviceFactory>()
    const ctx = this.context(plugin, undo, devices)
    try {
      await plugin.setup(ctx)
    } catch (e) {
      for (const u of undo.reverse()) u()
      throw new PluginError(plugin.name, `setup failed: ${(e as Error).message}`)
    }
    this.loaded.set(plugin.name, { plugin, source: file, undo, devices })
    this.changed()
    return plugin
  }

  /** The ctx a plugin's setup gets: every registration is recorded in `undo` (and `devices`). */
  private context(plugin: Plugin, undo: (() => void)[], devices: Map<string, DeviceFactory>): PluginContext {
    // undo puts back what was there before: a plugin may override another's registration
    const put = <K, T>(map: Map<K, T>, key: K, value: T): void => {
      const had = map.has(key), old = map.get(key)
      map.set(key, value)
      undo.push(() => { if (map.get(key) === value) { if (had) map.set(key, old as T); else map.delete(key) } })
    }
    return {
      archs: { register: (a) => put(this.archs, a.name, a) },
      boards: { register: (b) => { put(this.boards, b.name, b); this.boardOwners.set(b.name, plugin.name) } },
      devices: {
        register: (t, f, info) => {
          put(this.devices, t, f)
          // a type registered without info has none, even where an earlier plugin's had some
          put(this.deviceInfo, t, info ?? {})
          devices.set(t, f)
        },
      },
      calls: { register: (r) => { undo.push(this.calls.add(r)) } },
      hooks: { on: (name, fn) => { undo.push(this.hooks.add(name, fn)) } },
      states: { register: (n, st) => put(this.hooks.states, n, st) },
      bus: { observe: (f) => { undo.push(this.observeBuses(f)) } },
      api: { register: (n, f) => put(this.apis, n, f) },
      counters: { register: (n, f) => put(this.counters, n, f) },
      log: (m) => this.log.push(`[${plugin.name}] ${m}`),
    }
  }

  unload(name: string): void {
    const l = this.loaded.get(name)
    if (!l) throw new PluginError(name, 'not loaded')
    l.plugin.teardown?.()
    for (const u of l.undo.reverse()) u()
    this.loaded.delete(name)
    this.changed()
  }

  // ---- hot reload: new code for a loaded plugin, live devices keep their state ----

  /** machines' registries of live device instances (weakly held: a dropped machine goes) */
  private readonly live = new Set<WeakRef<LiveDevices>>()
  private readonly listeners = new Set<() => void>()
  private reloads: Promise<unknown> = Promise.resolve()

  /** A machine built from this host registers its live devices here, so reloads reach them. */
  attach(live: LiveDevices): void {
    this.live.add(new WeakRef(live))
  }

  // ---- bus observers plugins add: on every machine, built before or after, until unload ----

  private readonly busFactories = new Set<BusObserverFactory>()
  /** machines' buses (weakly held: a dropped machine goes), each with its board and the observers on it */
  private readonly buses = new Set<WeakRef<MemoryBus>>()
  private readonly onBus = new WeakMap<MemoryBus, { board: BoardDesc; removers: Map<BusObserverFactory, () => void> }>()

  /** A machine built from this host gets every plugin's bus observers now and as plugins load. */
  attachBus(bus: MemoryBus, board: BoardDesc): void {
    this.buses.add(new WeakRef(bus))
    this.onBus.set(bus, { board, removers: new Map() })
    for (const f of this.busFactories) this.observeOn(bus, f)
  }

  private observeOn(bus: MemoryBus, f: BusObserverFactory): void {
    const m = this.onBus.get(bus)!
    const o = f(bus, m.board)
    if (o) m.removers.set(f, typeof o === 'function' ? bus.observe(o) : bus.observe(o.observer, o.lines))
  }

  /** every live machine's bus */
  private liveBuses(): MemoryBus[] {
    const out: MemoryBus[] = []
    for (const ref of this.buses) {
      const bus = ref.deref()
      if (bus) out.push(bus)
      else this.buses.delete(ref)
    }
    return out
  }

  private observeBuses(f: BusObserverFactory): () => void {
    this.busFactories.add(f)
    for (const bus of this.liveBuses()) this.observeOn(bus, f)
    return () => {
      this.busFactories.delete(f)
      for (const bus of this.liveBuses()) {
        const m = this.onBus.get(bus)!
        m.removers.get(f)?.()
        m.removers.delete(f)
      }
    }
  }

  /** Called after every load, unload and reload (a watcher re-syncs the files it watches). */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => { this.listeners.delete(fn) }
  }

  private changed(): void {
    for (const fn of this.listeners) fn()
  }

  /** The file a loaded plugin came from (`<object …>` for `use`d ones). */
  sourceOf(name: string): string | undefined {
    return this.loaded.get(name)?.source
  }

  /**
   * Re-read a loaded plugin's files and swap it for the new version: setup runs on a recording
   * ctx first, and every live device instance the old version's factories made is rebuilt by the
   * new factory with the same DeviceContext and the old instance's state. Only when all of that
   * succeeded do registrations and instances change, in one synchronous step (between two quanta
   * of guest time). On any failure — the file does not parse, setup or a constructor throws —
   * a PluginError is thrown and the old version stays registered and active.
   */
  reload(name: string): Promise<ReloadReport> {
    const run = this.reloads.then(() => this.reloadNow(name))
    this.reloads = run.catch(() => undefined)
    return run
  }

  private async reloadNow(name: string): Promise<ReloadReport> {
    const t0 = performance.now()
    const old = this.loaded.get(name)
    if (!old) throw new PluginError(name, 'not loaded')
    if (!isAbsolute(old.source) || !existsSync(old.source)) throw new PluginError(name, `was not loaded from a file (${old.source}): nothing to re-read`)
    let fresh: Awaited<ReturnType<typeof importFresh>>
    try {
      fresh = await importFresh(old.source)
    } catch (e) {
      throw new PluginError(name, `cannot import ${old.source}: ${importErrorMessage(e)}`)
    }
    const plugin = (fresh.mod as { default?: Plugin }).default
    if (!plugin || typeof plugin !== 'object' || typeof plugin.name !== 'string' || typeof plugin.setup !== 'function') {
      throw new PluginError(name, 'default export is not a plugin (needs name, kind, version, setup)')
    }
    if (plugin.name !== name) throw new PluginError(name, `the file now declares plugin '${plugin.name}' (unload it and load the file instead)`)
    for (const dep of plugin.requires ?? []) if (!this.loaded.has(dep)) await this.load(dep)
    // setup on a ctx that only records: nothing reaches the host until everything has worked
    const calls: ((ctx: PluginContext) => void)[] = []
    const factories = new Map<string, DeviceFactory>()
    const recorder: PluginContext = {
      archs: { register: (a) => { calls.push((c) => c.archs.register(a)) } },
      boards: { register: (b) => { calls.push((c) => c.boards.register(b)) } },
      devices: { register: (t, f, info) => { factories.set(t, f); calls.push((c) => c.devices.register(t, f, info)) } },
      calls: { register: (r) => { calls.push((c) => c.calls.register(r)) } },
      hooks: { on: (n, fn) => { calls.push((c) => c.hooks.on(n, fn)) } },
      states: { register: (n, st) => { calls.push((c) => c.states.register(n, st)) } },
      bus: { observe: (f) => { calls.push((c) => c.bus.observe(f)) } },
      api: { register: (n, f) => { calls.push((c) => c.api.register(n, f)) } },
      counters: { register: (n, f) => { calls.push((c) => c.counters.register(n, f)) } },
      log: (m) => { calls.push((c) => c.log(m)) },
    }
    try {
      await plugin.setup(recorder)
    } catch (e) {
      throw new PluginError(name, `setup failed: ${(e as Error).message}`)
    }
    const { ready, kept } = this.prepareInstances(name, old.devices ?? new Map(), factories)
    // from here to the end nothing awaits: the swap is atomic with respect to guest time
    try {
      old.plugin.teardown?.()
    } catch (e) {
      this.log.push(`[${name}] teardown of the old version failed: ${(e as Error).message}`)
    }
    for (const u of old.undo.reverse()) u()
    const undo: (() => void)[] = []
    const devices = new Map<string, DeviceFactory>()
    const ctx = this.context(plugin, undo, devices)
    for (const call of calls) call(ctx)
    this.loaded.set(name, { plugin, source: old.source, undo, devices })
    for (const r of ready) commit(r)
    this.changed()
    return { plugin, ms: performance.now() - t0, instances: ready.length, kept, files: fresh.files }
  }

  /** New instances for every live one the old factories made; all or none (PluginError). */
  private prepareInstances(name: string, oldFactories: Map<string, DeviceFactory>, factories: Map<string, DeviceFactory>): { ready: Replacement[]; kept: string[] } {
    const ready: Replacement[] = []
    const kept = new Set<string>()
    for (const ref of [...this.live]) {
      const live = ref.deref()
      if (!live) { this.live.delete(ref); continue }
      for (const [type, oldFactory] of oldFactories) {
        const next = factories.get(type)
        for (const entry of live.madeBy(oldFactory)) {
          if (!next) { kept.add(type); continue }
          try {
            ready.push(prepare(entry, next))
          } catch (e) {
            abandon(ready, entry)
            throw new PluginError(name, `new ${type} for ${entry.ctx.name} failed: ${(e as Error).message}`)
          }
        }
      }
    }
    return { ready, kept: [...kept] }
  }

  /** Load every built-in plugin needed for a board by name: the board plugin is `board-<name>`. */
  async loadBoard(name: string): Promise<BoardDesc> {
    // a path names a user's board plugin (their own SoC): it is the board that plugin registers
    if (isBoardPath(name)) {
      const before = new Set(this.boards.keys())
      const plugin = await this.load(name)
      const added = [...this.boards.keys()].filter((b) => !before.has(b))
      const mine = added[0] ?? [...this.boards.entries()].find(([, b]) => this.boardOwners.get(b.name) === plugin.name)?.[0]
      if (!mine) throw new PluginError(plugin.name, `${name} registers no board`)
      return this.boards.get(mine)!
    }
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
