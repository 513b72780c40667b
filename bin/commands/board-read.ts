/**
 * The boards baobab has (plugins/board-*), and a board read from its plugin without loading the
 * plugins it requires, so `board list` and `board show` describe boards whose device plugins are
 * not there yet (and say which).
 */
import { readdirSync } from 'node:fs'
import type { BoardDesc } from '../../core/board.ts'
import type { Plugin, PluginContext } from '../../core/plugins.ts'
import { UsageError } from '../errors.ts'

/** A board as its plugin registers it, read without loading what the plugin requires. */
export interface BoardInfo {
  board: BoardDesc
  plugin: string
  source: string
  requires: string[]
  /** required plugins that cannot be found (a device plugin not written yet) */
  missing: string[]
}

/** The built-in boards' names (plugins/board-<name>/). */
export async function builtinBoards(): Promise<string[]> {
  const { BUILTIN_PLUGINS } = await import('../../core/plugins.ts')
  return readdirSync(BUILTIN_PLUGINS).filter((d) => d.startsWith('board-')).map((d) => d.slice('board-'.length)).sort()
}

/** A board by built-in name or plugin file path: its plugin imported and its setup run on a ctx that only records boards. */
export async function readBoard(spec: string): Promise<BoardInfo> {
  const { isBoardPath, PluginError, PluginHost } = await import('../../core/plugins.ts')
  const { importErrorMessage, importPlugin } = await import('../../core/plugin-import.ts')
  const host = new PluginHost()
  let file: string
  try {
    file = host.resolve(isBoardPath(spec) ? spec : `board-${spec}`)
  } catch (e) {
    if (!(e instanceof PluginError)) throw e
    throw new UsageError(isBoardPath(spec) ? e.message : `unknown board '${spec}' (the boards: ${(await builtinBoards()).join(', ')})`)
  }
  let plugin: Plugin | undefined
  try {
    plugin = ((await importPlugin(file, false)) as { default?: Plugin }).default
  } catch (e) {
    throw new UsageError(`cannot import ${file}: ${importErrorMessage(e)}`)
  }
  if (!plugin || typeof plugin.setup !== 'function') throw new UsageError(`${file}: default export is not a plugin (needs name, kind, version, setup)`)
  const boards: BoardDesc[] = []
  const ignore = { register() {} }
  const ctx: PluginContext = {
    archs: ignore, calls: ignore, states: ignore, api: ignore, counters: ignore, devices: ignore,
    hooks: { on() {} }, bus: { observe() {} }, log() {},
    boards: { register: (b) => { boards.push(b) } },
  }
  await plugin.setup(ctx)
  if (!boards[0]) throw new UsageError(`${file}: plugin ${plugin.name} registers no board`)
  const requires = plugin.requires ?? []
  const missing = requires.filter((r) => { try { host.resolve(r); return false } catch { return true } })
  return { board: boards[0], plugin: plugin.name, source: file, requires, missing }
}
