/** @jsxRuntime automatic @jsxImportSource react */
/**
 * `baobab [config]` on a terminal: boot the config, open a REPL on it, and run the simulation and
 * the Ink view side by side until the user quits. Returns the exit code.
 */
import { render } from 'ink'
import { Workbench, type ClockMode } from '../core/api.ts'
import { startRecording } from '../core/replay.ts'
import { App } from './components/App.tsx'
import { Controller } from './controller.ts'
import { layout } from './layout.ts'
import { TuiModel, type Repl } from './model.ts'
import { SimLoop } from './sim-loop.ts'
import { takeTerminal } from './terminal.ts'

export interface TuiOptions {
  config: string
  /**
   * The REPL for a booted workbench (core/repl/sandbox.ts's createReplSession); `onOutput` takes
   * what the sandbox prints outside an evaluation (callbacks that run later).
   */
  createRepl: (wb: Workbench, onOutput: (text: string) => void, onSwitch: (next: Workbench) => void) => Repl
  /** made ready for the REPL before `createRepl` (plugins every REPL gets) */
  prepareRepl?: (wb: Workbench) => Promise<void>
  /** an already open workbench (a resumed session) instead of booting `config` */
  workbench?: Workbench
  /** set when the REPL switched machines (`session.load`): the caller reopens the TUI on it */
  switchedTo?: Workbench
  /** watch the config and plugin files and hot-reload them (default true) */
  watch?: boolean
  /** lines to show in the REPL area at start (a resumed session's warnings) */
  notes?: string[]
  /** ms between redraws (at most 20 a second) */
  frameMs?: number
  /** how virtual time runs when the TUI boots `config` (default real time) */
  clock?: ClockMode
  /** record console input and REPL hypercalls to this file (core/replay.ts) */
  record?: string
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const

export async function runTui(o: TuiOptions): Promise<number> {
  const wb = o.workbench ?? await Workbench.open({ config: o.config, clock: o.clock ?? 'realtime' })
  const recorder = o.record !== undefined ? startRecording(wb, o.record) : null
  let late: string[] = []
  let say = (text: string): void => { late.push(text) }
  // `session.load()` in the REPL opens another machine: this screen ends and the caller shows that one
  await o.prepareRepl?.(wb)
  const repl = o.createRepl(wb, (text) => say(text), (next) => {
    o.switchedTo = next
    finish(0)
  })
  const model = new TuiModel(wb, repl)
  say = (text) => model.say(text)
  for (const t of late) say(t)
  late = []
  const loop = new SimLoop(wb.machine, {
    onError: (e) => model.say(`simulation paused: ${e instanceof Error ? e.message : String(e)} (F4 resumes)`, 'error'),
  })
  model.say('F1 keys · F2/Ctrl-O focus a console · F3 split · Ctrl-C quits · try hv.vms()', 'info')
  for (const n of o.notes ?? []) model.say(n, 'info')

  let finish!: (code: number) => void
  const finished = new Promise<number>((res) => { finish = res })

  const controller = new Controller(model, {
    quit: () => finish(0),
    togglePause: () => {
      loop.paused = !loop.paused
      loop.poke()
    },
    input: () => loop.poke(),
    evaluate: (code) => {
      model.busy = true
      loop.held = true
      model.changed()
      model.publish()
      // let Ink draw "running…" before a long evaluation takes the thread
      setTimeout(() => {
        repl.evaluate(code)
          .then((r) => { if (r.output) model.say(r.output, r.error ? 'error' : 'output') })
          .catch((e: unknown) => model.say(e instanceof Error ? e.message : String(e), 'error'))
          .finally(() => {
            model.busy = false
            loop.held = false
            loop.poke()
            model.changed()
            model.publish()
          })
      }, 20)
    },
  }, () => {
    // the console pane's height; split panes spend a row on their title
    const L = layout(process.stdout.columns || 80, process.stdout.rows || 24)
    return model.split ? L.middle - 1 : L.middle
  })

  // plugins or the REPL printing with console.* would tear the screen: into the REPL area instead
  const saved = CONSOLE_METHODS.map((k) => [k, console[k]] as const)
  for (const k of CONSOLE_METHODS) {
    console[k] = (...args: unknown[]) => model.say(args.map((a) => (typeof a === 'string' ? a : String(a))).join(' '), k === 'error' || k === 'warn' ? 'error' : 'output')
  }
  const onSignal = (): void => finish(0)
  process.on('SIGTERM', onSignal)
  process.on('SIGHUP', onSignal)

  const term = takeTerminal()
  const ink = render(<App model={model} controller={controller} />, {
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: 20,
    // (Ink's incrementalRendering drew some frames one row off in tmux: whole frames it is)
  })
  let crashed: unknown = null
  ink.waitUntilExit().then(() => finish(0), (e: unknown) => {
    crashed = e
    finish(1)
  })

  // hot reload: the config and every loaded plugin are watched; outcomes land in the log pane
  const watcher = o.watch === false ? null : wb.watch({
    onEvent: (e) => {
      const ok = e.kind === 'plugin-reloaded' || e.kind === 'config-applied'
      const text = `${e.kind} ${e.name} (${e.ms.toFixed(0)} ms): ${e.message}`
      model.say(text.split('\n')[0]!, ok ? 'info' : 'error')
      for (const line of text.split('\n').slice(1)) model.say(line, 'error')
    },
  })

  const timer = setInterval(() => {
    model.sim = loop.paused ? 'paused' : model.busy ? 'busy' : loop.last === 'idle' ? 'idle' : loop.last === 'halted' ? 'halted' : 'running'
    model.tick()
  }, o.frameMs ?? 50)
  loop.start()

  const code = await finished
  recorder?.end(wb.machine.sched.now)
  await watcher?.close()
  clearInterval(timer)
  await loop.stop()
  ink.unmount()
  term.restore()
  for (const [k, fn] of saved) console[k] = fn
  process.off('SIGTERM', onSignal)
  process.off('SIGHUP', onSignal)
  model.dispose()
  process.stdin.pause()
  process.stdin.unref?.()
  if (crashed) process.stderr.write(`baobab: the terminal UI failed: ${crashed instanceof Error ? crashed.stack : String(crashed)}\n`)
  return code
}
