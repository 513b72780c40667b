/**
 * Plugins every REPL gets, whatever its config lists: their namespaces are tools for the user at
 * the prompt, not parts of the machine (feature gdb's `gdb.listen`). Loaded into the workbench's
 * own plugin host before the sandbox is made; one that fails to load is left out with a note.
 */
import type { Workbench } from '../../core/api.ts'

const REPL_PLUGINS = ['feat-gdb']

export async function loadReplPlugins(wb: Workbench, note: (text: string) => void = () => {}): Promise<void> {
  for (const name of REPL_PLUGINS) {
    if (wb.plugins.has(name)) continue
    try {
      await wb.plugins.load(name)
    } catch (e) {
      note(`${name} not loaded: ${(e as Error).message}`)
    }
  }
}
