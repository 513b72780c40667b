/** User-facing errors: one line on stderr, exit code 2, never a stack trace. */

export class UsageError extends Error {}

export const EXIT_BAD_INPUT = 2

/**
 * Report what ended a command. The error classes are imported here, not at the top: every
 * command would otherwise load the session store, the plugin host and the config rules at start.
 * (An error can only be an instance of a class whose module is already loaded, so this is exact.)
 */
export async function reportError(e: unknown): Promise<number> {
  const [{ BusError }, { ImageError }, { PluginError }, { ConfigErrors, ConfigError }, { SessionError }, { SnapshotError }, { RecordingError }] = await Promise.all([
    import('../core/bus.ts'), import('../core/loader/elf.ts'), import('../core/plugins.ts'),
    import('../core/hypervisor/config-error.ts'), import('../core/session/store.ts'), import('../core/session/snapshot.ts'),
    import('../core/record.ts'),
  ])
  if (e instanceof UsageError || e instanceof ImageError || e instanceof PluginError || e instanceof SessionError || e instanceof SnapshotError || e instanceof RecordingError) {
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
