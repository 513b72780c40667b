/**
 * Hot reload (DESIGN "REPL, TUI, sessions"): chokidar watches the active config file and the files
 * of every loaded plugin. A change — debounced, since editors write in bursts — reloads the plugin
 * (PluginHost.reload: live devices keep their state) or re-applies the config (Workbench.
 * reloadConfig: only changed VMs restart). Each outcome is an event for the TUI or CLI to show;
 * a broken file is an error event, and the machine runs on as it was.
 */
import { existsSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import type { FSWatcher } from 'chokidar'
import type { Workbench } from './api.ts'
import { ConfigErrors } from './hypervisor/config.ts'
import { pluginFiles } from './plugin-import.ts'
import { PluginError } from './plugins.ts'

export interface HotReloadEvent {
  kind: 'plugin-reloaded' | 'plugin-error' | 'config-applied' | 'config-error'
  /** the plugin's name, or the config file's path */
  name: string
  /** one line on success; the errors, one per line, on failure */
  message: string
  /** wall time from the first file change seen to the outcome (debounce included) */
  ms: number
}

export interface WatchOptions {
  onEvent(e: HotReloadEvent): void
  /** quiet time after the last change before acting (default 50 ms) */
  debounceMs?: number
}

export interface Watcher {
  /** resolves once the initial file set is watched */
  readonly ready: Promise<void>
  /** stop watching; resolves after a reload in progress has finished */
  close(): Promise<void>
}

type Target = { kind: 'plugin'; name: string } | { kind: 'config'; file: string }
const key = (t: Target): string => (t.kind === 'plugin' ? `plugin:${t.name}` : `config:${t.file}`)

export function watch(wb: Workbench, opts: WatchOptions): Watcher {
  const debounce = opts.debounceMs ?? 50
  /** watched file → what a change to it reloads */
  const owners = new Map<string, Map<string, Target>>()
  /** targets changed and not yet acted on, with the time of the first change */
  const pending = new Map<string, { target: Target; since: number }>()
  let timer: NodeJS.Timeout | undefined
  let queue: Promise<void> = Promise.resolve()
  let closed = false
  let fsw: FSWatcher | undefined
  /** a plugin's files, by name, as of its last (re)load: bundling to find them again costs time */
  const filesOf = new Map<string, { source: string; files: string[] }>()

  const changed = (path: string): void => {
    if (closed) return
    for (const t of owners.get(resolve(path))?.values() ?? []) {
      if (!pending.has(key(t))) pending.set(key(t), { target: t, since: performance.now() })
    }
    if (!pending.size) return
    clearTimeout(timer)
    timer = setTimeout(flush, debounce)
  }

  const flush = (): void => {
    const batch = [...pending.values()]
    pending.clear()
    // configs last: a reloaded device plugin is what the restarted VMs should get
    batch.sort((a, b) => Number(a.target.kind === 'config') - Number(b.target.kind === 'config'))
    enqueue(async () => {
      for (const { target, since } of batch) if (!closed) opts.onEvent(await act(target, since))
      if (!closed) await sync()
    })
  }

  /** one thing at a time: reloads and re-syncs never overlap */
  const enqueue = (fn: () => Promise<void>): Promise<void> => {
    queue = queue.then(fn).catch((e: unknown) => opts.onEvent({ kind: 'plugin-error', name: 'watcher', message: errorText(e), ms: 0 }))
    return queue
  }

  const act = async (t: Target, since: number): Promise<HotReloadEvent> => {
    const ms = (): number => performance.now() - since
    if (t.kind === 'plugin') {
      try {
        const r = await wb.plugins.reload(t.name)
        filesOf.set(t.name, { source: wb.plugins.sourceOf(t.name)!, files: r.files })
        const kept = r.kept.length ? `; no longer registers ${r.kept.join(', ')} (those instances keep the old code)` : ''
        return { kind: 'plugin-reloaded', name: t.name, message: `${t.name} ${r.plugin.version} reloaded, ${r.instances} live device${r.instances === 1 ? '' : 's'} kept their state${kept}`, ms: ms() }
      } catch (e) {
        return { kind: 'plugin-error', name: t.name, message: errorText(e), ms: ms() }
      }
    }
    try {
      const c = await wb.reloadConfig()
      const parts = [['restarted', c.restarted], ['created', c.created], ['destroyed', c.destroyed], ['unchanged', c.unchanged]] as const
      const message = parts.filter(([, v]) => v.length).map(([k, v]) => `${k} ${v.join(', ')}`).join('; ') || 'no VMs'
      return { kind: 'config-applied', name: t.file, message, ms: ms() }
    } catch (e) {
      return { kind: 'config-error', name: t.file, message: errorText(e), ms: ms() }
    }
  }

  /** Watch exactly the config file and the loaded plugins' files. */
  const sync = async (): Promise<void> => {
    const want = new Map<string, Map<string, Target>>()
    const add = (file: string, t: Target): void => {
      const m = want.get(file) ?? new Map<string, Target>()
      m.set(key(t), t)
      want.set(file, m)
    }
    if (wb.configFile) add(resolve(wb.configFile), { kind: 'config', file: wb.configFile })
    for (const p of wb.plugins.list()) {
      const source = wb.plugins.sourceOf(p.name)
      if (!source || !isAbsolute(source) || !existsSync(source)) continue
      let known = filesOf.get(p.name)
      if (known?.source !== source) {
        let files: string[]
        try {
          files = await pluginFiles(source)
        } catch {
          files = [source] // unparsable right now: still watch the entry, the next save may fix it
        }
        filesOf.set(p.name, (known = { source, files }))
      }
      for (const f of known.files) add(f, { kind: 'plugin', name: p.name })
    }
    if (closed) return
    const gone = [...owners.keys()].filter((f) => !want.has(f))
    const fresh = [...want.keys()].filter((f) => !owners.has(f))
    owners.clear()
    for (const [f, m] of want) owners.set(f, m)
    if (!fsw) {
      // imported here, not at the top: every Workbench imports this module, few watch
      const { watch: chokidar } = await import('chokidar')
      if (closed) return
      const w = chokidar(fresh, { ignoreInitial: true })
      fsw = w
      w.on('change', changed).on('add', changed)
      w.on('error', (e) => opts.onEvent({ kind: 'plugin-error', name: 'watcher', message: (e as Error).message, ms: 0 }))
      await new Promise<void>((r) => w.once('ready', () => r()))
      return
    }
    if (gone.length) fsw.unwatch(gone)
    if (fresh.length) fsw.add(fresh)
  }

  // plugins loaded or unloaded from the REPL are picked up at once
  const off = wb.plugins.onChange(() => { if (!closed) void enqueue(sync) })
  const ready = enqueue(sync)

  return {
    ready,
    async close(): Promise<void> {
      closed = true
      clearTimeout(timer)
      off()
      await queue.catch(() => undefined)
      await fsw?.close()
    },
  }
}

function errorText(e: unknown): string {
  if (e instanceof ConfigErrors || e instanceof PluginError) return e.message
  return (e as Error)?.message ?? String(e)
}
