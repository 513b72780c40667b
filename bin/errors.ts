/** User-facing errors: one line on stderr, exit code 2, never a stack trace. */
import { BusError } from '../core/bus.ts'
import { ImageError } from '../core/loader/elf.ts'
import { PluginError } from '../core/plugins.ts'
import { ConfigErrors, ConfigError } from '../core/hypervisor/config-error.ts'
import { SessionError } from '../core/session/store.ts'
import { SnapshotError } from '../core/session/snapshot.ts'

export class UsageError extends Error {}

export const EXIT_BAD_INPUT = 2

export function reportError(e: unknown): number {
  if (e instanceof UsageError || e instanceof ImageError || e instanceof PluginError || e instanceof SessionError || e instanceof SnapshotError) {
    process.stderr.write(`baobab: ${e.message}\n`)
    return EXIT_BAD_INPUT
  }
  if (e instanceof ConfigErrors || e instanceof ConfigError) {
    for (const line of e.message.split('\n')) process.stderr.write(`baobab: ${line}\n`)
    return EXIT_BAD_INPUT
  }
  if (e instanceof BusError) {
    process.stderr.write(`baobab: nothing mapped at 0x${e.pa.toString(16)}\n`)
    return EXIT_BAD_INPUT
  }
  // an internal error: still one line, but say it is ours
  const msg = e instanceof Error ? e.message : String(e)
  process.stderr.write(`baobab: internal error: ${msg}\n`)
  if (process.env.BAOBAB_DEBUG) process.stderr.write(`${(e as Error).stack}\n`)
  return 70
}
