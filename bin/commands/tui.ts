/**
 * `baobab [config]` / `baobab tui [config]`: the terminal UI on a config (default: the two-VM
 * demo). When stdout or stdin is not a terminal, or with --headless, it runs the config as
 * `baobab run <config>` does: consoles line-prefixed on stdout.
 */
import type { TuiOptions } from '../../tui/run-tui.tsx'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { CommandModule } from 'yargs'
import { UsageError } from '../errors.ts'
import { clockMode, clockOptions, type ClockArgs } from './clock-option.ts'
import type { ClockMode } from '../../core/api.ts'

export const DEFAULT_CONFIG = fileURLToPath(new URL('../../configs/two-vms.json', import.meta.url))

interface TuiArgs {
  config?: string
  'unsafe-repl': boolean
  headless: boolean
  session?: string
  record?: string
}

export function tuiCommand(setCode: (c: number) => void): CommandModule<object, TuiArgs & ClockArgs> {
  return {
    command: ['$0 [config]', 'tui [config]'],
    describe: 'The terminal UI: guest consoles, VM tree, stats, log, REPL',
    builder: (y) => clockOptions(y)
      .positional('config', { type: 'string', describe: 'config file (default: the two-VM demo, configs/two-vms.json)' })
      .option('unsafe-repl', { type: 'boolean', default: false, describe: 'give the REPL require, process and the file system' })
      .option('headless', { type: 'boolean', default: false, describe: 'no terminal UI: run as `baobab run <config>` (also when stdin or stdout is not a terminal)' })
      .option('session', { type: 'string', describe: 'resume a saved session (machine state and REPL history) instead of booting the config' })
      .option('record', { type: 'string', describe: 'write console input and REPL hypercalls with virtual timestamps to FILE, for `run --replay` (deterministic)' })
      .example('$0', 'the two-VM demo (in it, F1 lists the keys)')
      .example('$0 configs/ipc.json', 'another config in the terminal UI')
      .example('$0 configs/two-vms.json --headless', 'consoles on stdout, as `baobab run`')
      .example('$0 --session demo', 'where `session.save("demo")` in the REPL left off'),
    handler: async (a) => {
      const config = a.config ?? DEFAULT_CONFIG
      const tty = process.stdout.isTTY && process.stdin.isTTY
      if (a.session !== undefined && a.config !== undefined) throw new UsageError('give a config or --session NAME, not both (a session names its config)')
      if (a.session === undefined && !existsSync(config)) {
        // `baobab bencj`: a mistyped command lands here as a config path
        const hint = /[./\\]/.test(config) ? '' : ' (and no command of that name: see --help)'
        throw new UsageError(`no such file: ${config}${hint}`)
      }
      if (a.record !== undefined && a.realtime) throw new UsageError('--record runs in deterministic mode, not --realtime')
      const clock = a.record !== undefined ? 'deterministic' : clockMode(a, tty)
      if (a.headless || !tty) {
        const { runConfig } = await import('./run-config.ts')
        setCode(await runConfig({ config, session: a.session, failOnFault: false, json: false, stats: false, clock, record: a.record }))
        return
      }
      if (a.session !== undefined) {
        setCode(await resume(a.session, a['unsafe-repl'], clock))
        return
      }
      // loaded on demand: Ink, React and the REPL sandbox cost start-up time the other commands don't need
      const { runTui } = await importTui()
      const { createReplSession } = await import('../../core/repl/sandbox.ts')
      const { loadReplPlugins } = await import('./repl-features.ts')
      setCode(await showUntilDone(runTui, { config, clock, record: a.record, prepareRepl: (wb) => loadReplPlugins(wb), createRepl: (wb, onOutput, onSwitch) => createReplSession(wb, { unsafe: a['unsafe-repl'], onOutput, onSwitch }) }))
    },
  }
}

/**
 * Ink, loaded for a terminal we know is interactive. Ink decides once, when it is first imported,
 * whether it runs "in CI" (any CI or CONTINUOUS_INTEGRATION variable) and then draws nothing until
 * it exits — a blank screen for a user who runs baobab in a terminal under a CI-flavoured shell.
 * We only get here with stdout on a TTY, so hide those variables while Ink is imported.
 */
async function importTui(): Promise<typeof import('../../tui/run-tui.tsx')> {
  // React's production build: the development one checks every render and made an idle TUI's
  // redraws (the status line, four times a second) cost several % of a core
  process.env.NODE_ENV ??= 'production'
  const saved = { CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION }
  delete process.env.CI
  delete process.env.CONTINUOUS_INTEGRATION
  try {
    return await import('../../tui/run-tui.tsx')
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v
  }
}

/** `--session NAME`: the saved machine in the TUI, with the REPL history it had. */
async function resume(name: string, unsafe: boolean, clock: ClockMode): Promise<number> {
  const { loadSession, openSession, SessionError } = await import('../../core/session/store.ts')
  const { Workbench } = await import('../../core/api.ts')
  const warnings: string[] = []
  let loaded, wb
  try {
    loaded = await loadSession(name)
    wb = await openSession(loaded, Workbench.open, { clock, onWarning: (w) => warnings.push(w) })
  } catch (e) {
    // a missing or corrupt session is the user's input: one line, exit 2
    if (e instanceof SessionError) throw new UsageError(e.message)
    throw e
  }
  if (!wb.hypervisor) throw new UsageError(`session ${name} is a bare-metal machine; the terminal UI shows hypervisor configs`)
  const { runTui } = await importTui()
  const { createReplSession } = await import('../../core/repl/sandbox.ts')
  const history = loaded.replHistory
  return showUntilDone(runTui, {
    config: wb.configFile ?? '',
    workbench: wb,
    notes: [`resumed session ${name} at t = ${wb.stats().virtualMs.toFixed(3)} ms`, ...warnings.map((w) => `warning: ${w}`)],
    prepareRepl: async (w) => { const { loadReplPlugins } = await import('./repl-features.ts'); await loadReplPlugins(w) },
    createRepl: (w, onOutput, onSwitch) => createReplSession(w, { unsafe, history, onOutput, onSwitch }),
  })
}

/** Run the TUI; when the REPL switched machines (session.load), show the new one, and so on. */
async function showUntilDone(runTui: (o: TuiOptions) => Promise<number>, o: TuiOptions): Promise<number> {
  for (;;) {
    const code = await runTui(o)
    const next = o.switchedTo
    if (!next) return code
    o = { ...o, workbench: next, switchedTo: undefined, config: next.configFile ?? o.config, notes: ['switched to the loaded session'] }
  }
}
