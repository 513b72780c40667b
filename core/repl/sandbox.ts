/**
 * The REPL's evaluator: JavaScript in a vm2 sandbox whose globals are the public API of one
 * `Workbench` (DESIGN, "REPL, TUI, sessions"). The line REPL (`baobab repl`), scripts
 * (`baobab script`) and the TUI's REPL line all evaluate through a `ReplSession`.
 *
 * What the sandbox guarantees, and what it does not:
 * - Globals are the API (`hv`, `vm`, `board`, `plugins`, `run`, `step`, `pause`, `breakpoint`,
 *   `watchpoint`, `trace`, `stats`, `session`, `help`, `sleep`, a captured `console`) plus the
 *   ECMAScript built-ins (`Object`, `BigInt`, `Math`, `JSON`, …). vm2's extras (`Buffer`, `VMError`)
 *   and `WebAssembly`, `SharedArrayBuffer`, `Atomics` are removed; there is no `require`, `process`,
 *   `import()`, file system, network or timer (`sleep(ms)` runs *virtual* time), and code from
 *   strings (`eval`, `new Function`, `x.constructor.constructor(…)`) is refused.
 * - Host values reach the sandbox only through vm2's bridge (3.x, `VM`, not `NodeVM`): each host
 *   object is a proxy whose prototype chain and constructors are the sandbox's own, API objects are
 *   read-only to the sandbox, and errors thrown by the API arrive as sandbox errors. The REPL never
 *   hands a host object to a sandbox function itself, and prints sandbox values through a mirror
 *   (see display.ts), never by calling their custom inspect hooks.
 * - Host files: the API reads only what the user opened — files below the config's folder, the
 *   bare image's folder, the project's guests/ and the folders the command line named
 *   (`hostPaths`: a script's folder) — so `hv.create({ image: { path: '/etc/passwd' } })` is
 *   refused before anything reads the file (`Workbench.confine`; symbolic links are followed
 *   before the check). `plugins.load` takes built-in plugin names only: a plugin file runs with
 *   host privileges, so loading one by path needs `--unsafe-repl`. `session.save(name)` writes
 *   the sessions folder (the REPL passes names only, never a folder).
 * - It is not a security boundary against a determined attacker. vm2 is an in-process sandbox
 *   whose upstream documents that new escapes keep being found (3.x is the maintained line; keep it
 *   updated). It also does not bound time or memory: `while (true) {}` or a huge allocation hangs or
 *   kills the process, as in Node's own REPL. It keeps a user's REPL line or a script found on the
 *   internet from casually reaching the host; it is not a place to run hostile code.
 * - With `unsafe` (`--unsafe-repl`), `require`, `process` and `fs` are globals too, and `eval` works.
 *
 * Cost: vm2 wraps every object an API call returns; such a call costs about 0.1 ms (hv.hypercall
 * from the sandbox: ~10,000/s, against ~140,000/s from host code).
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { VM } from 'vm2'
import { Workbench } from '../api.ts'
import { completeLine } from './complete.ts'
import { describeError, display, formatArgs } from './display.ts'
import { isIncomplete, prepare, prepareProgram } from './rewrite.ts'

export interface ReplOptions {
  /** also expose `require`, `process` and `fs`, and lift the host-file confinement (the `--unsafe-repl` flag) */
  unsafe?: boolean
  /** folders besides the config's, the image's and guests/ whose files the API may read (what the command line named) */
  hostPaths?: string[]
  /** earlier entries (a saved history); `history` starts with them */
  history?: string[]
  /**
   * Where console output goes when no `evaluate` is collecting it: during `runScript`, and from
   * callbacks that run after their evaluation has finished. Without it such output is kept and
   * shown at the start of the next evaluation's output.
   */
  onOutput?: (text: string) => void
  /**
   * Called when `session.load(name)` has booted the saved machine in a new Workbench: the REPL's
   * globals now drive that one (the old one is left as it was; the host decides what to do with it).
   */
  onSwitch?: (wb: Workbench) => void
}

export interface EvalResult {
  /** console output of the entry, then its value (inspected); or then the error, one line */
  output: string
  error: boolean
}

export interface ScriptResult {
  /** what the program returned */
  value: unknown
  /** what it threw, one line; null when it completed */
  error: string | null
  /** its console output, when no `onOutput` took it */
  output: string
}

export interface ReplSession {
  /** Evaluate one entry (one line, or several lines that `needsMore` asked for). Entries run one at a time, in call order. */
  evaluate(code: string): Promise<EvalResult>
  /** Whole-line completions for the end of `line`, e.g. 'hv.cr' → ['hv.create'], sorted. */
  complete(line: string): string[]
  /** True when `code` is unfinished (unclosed bracket, string, template, comment). */
  needsMore(code: string): boolean
  /** Every evaluated entry, in order, after `opts.history` (a copy: pushing to it changes nothing). */
  readonly history: string[]
  /** The Workbench the globals drive (changes after `session.load`). */
  readonly workbench: Workbench
  /**
   * Run a script file's text as one async program (top-level `await` and `return` allowed, its
   * declarations stay local). Console output streams to `onOutput` if given.
   */
  runScript(code: string, filename?: string): Promise<ScriptResult>
}

/** Globals a vm2 `VM` context has besides ECMAScript's that the REPL does not offer. */
const REMOVED_GLOBALS = ['Buffer', 'VMError', 'global', 'GLOBAL', 'root', 'WebAssembly', 'SharedArrayBuffer', 'Atomics', 'console']

const SESSION_METHODS = ['save', 'load', 'list']
const PLUGIN_METHODS = ['list', 'load', 'unload', 'reload']

type AnyFn = (...args: unknown[]) => unknown

/** Call `target()[name]` as the host has it now (later work adds methods); say so if it has not. */
function lateMethod(target: () => unknown, name: string, what: string): AnyFn {
  return (...args: unknown[]) => {
    const t = target() as Record<string, unknown> | undefined
    const f = t?.[name]
    if (typeof f !== 'function') throw new Error(`${what} not available`)
    return (f as AnyFn).apply(t, args)
  }
}

/** A plugin object (what `load` returns) as the REPL shows it: its manifest fields, not its hooks. */
function pluginSummary(wb: Workbench, v: unknown): unknown {
  if (!v || typeof v !== 'object' || typeof (v as { setup?: unknown }).setup !== 'function') return v
  const name = String((v as { name?: unknown }).name)
  return wb.plugins.list().find((p) => p.name === name) ?? { name }
}

interface SessionHooks {
  history: () => string[]
  switchTo: (wb: Workbench) => void
}

/**
 * `session`: forwards to `wb.session` when it exists at call time. Only names and numbers go
 * through (the store's options name folders: the REPL does not choose where files go); `save`
 * adds the REPL history; `load` switches the REPL to the machine it booted.
 */
function sessionGlobal(wb: Workbench, hooks: SessionHooks): object {
  const host = (): Record<string, unknown> | undefined => (wb as unknown as { session?: Record<string, unknown> }).session
  const names = (): string[] => {
    const s = host()
    if (!s) return SESSION_METHODS
    const out = new Set<string>()
    for (let o: object | null = s; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
      for (const k of Object.getOwnPropertyNames(o)) if (k !== 'constructor' && typeof s[k] === 'function') out.add(k)
    }
    return [...out]
  }
  const method = (name: string): AnyFn => {
    const call = lateMethod(host, name, 'sessions')
    return (...args: unknown[]) => {
      const plain = args.map((a) => (typeof a === 'string' || typeof a === 'number' ? a : undefined))
      if (name === 'save') return call(plain[0], { replHistory: hooks.history() })
      if (name === 'load') {
        return Promise.resolve(call(plain[0])).then((loaded) => {
          if (!(loaded instanceof Workbench)) return loaded
          hooks.switchTo(loaded)
          return loaded.stats()
        })
      }
      return call(...plain)
    }
  }
  return new Proxy(Object.create(null) as object, {
    get: (_t, key) => (typeof key === 'string' && names().includes(key) ? method(key) : undefined),
    has: (_t, key) => typeof key === 'string' && names().includes(key),
    ownKeys: () => names(),
    getOwnPropertyDescriptor: (_t, key) =>
      typeof key === 'string' && names().includes(key) ? { value: method(key), writable: false, enumerable: true, configurable: true } : undefined,
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  })
}

/** The API as sandbox globals; `print` receives console output and help(). */
function apiGlobals(wb: Workbench, print: (text: string) => void, pure: WeakSet<object>, hooks: SessionHooks, unsafe: boolean): Record<string, unknown> {
  const plugins: Record<string, AnyFn> = {}
  for (const m of PLUGIN_METHODS) {
    const call = lateMethod(() => wb.plugins, m, `plugins.${m}`)
    plugins[m] = m === 'list' ? call : async (...args: unknown[]) => {
      // a plugin file runs with host privileges: by path only when the user opted in
      if (m === 'load' && !unsafe && (typeof args[0] !== 'string' || !isPluginName(args[0]))) {
        throw new Error('plugins.load: name a built-in plugin (e.g. "feat-dynamic-vm"); loading a plugin file by path needs --unsafe-repl')
      }
      return pluginSummary(wb, await call(...args))
    }
  }
  const vm = (id: number | string) => {
    const v = wb.vm(id)
    pure.add(v.stats)
    pure.add(v.regs)
    return v
  }
  const stats = () => wb.stats()
  const globals: Record<string, unknown> = {
    hv: wb.hv,
    vm,
    // the board's description, and its cache colours (reference §5.1)
    board: { ...wb.board, colors: () => wb.colours() },
    plugins,
    run: (arg?: number | { ms?: number; insns?: number; until?: () => boolean }) => wb.run(arg),
    step: (n?: number) => wb.step(n),
    pause: () => wb.pause(),
    breakpoint: wb.breakpoint,
    watchpoint: wb.watchpoint,
    trace: (on: boolean) => wb.trace(on),
    stats,
    disasm: (pa: number, n?: number) => wb.disasm(pa, n),
    session: sessionGlobal(wb, hooks),
    help: (): void => print(Workbench.help()),
    /** virtual time, not wall time: `await sleep(5)` runs the machine for 5 ms */
    sleep: (ms: number): Promise<void> => {
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new RangeError('sleep(ms): ms must be a number >= 0')
      wb.run(ms)
      return Promise.resolve()
    },
  }
  // namespaces plugins added (feature llc's `llc`), for this machine; never over a built-in name
  for (const [name, make] of wb.plugins.apis) if (!(name in globals)) globals[name] = make(wb.machine.bus, { machine: wb.machine, hypervisor: wb.hypervisor })
  for (const f of [vm, stats, wb.hv.vms, wb.hv.log, plugins.list!, wb.breakpoint.list, wb.watchpoint.list]) pure.add(f)
  return globals
}

/** a built-in plugin's name (a folder of plugins/), not a path */
function isPluginName(s: string): boolean {
  return /^[a-z0-9][a-z0-9-]*$/.test(s)
}

/** Asks inside the sandbox for an object's class name (see display.ts). */
const NAME_OF = '(o) => { try { const c = o.constructor; return typeof c === "function" ? "" + c.name : "" } catch (e) { return "" } }'

export function createReplSession(initial: Workbench, opts: ReplOptions = {}): ReplSession {
  let wb = initial
  const history = [...(opts.history ?? [])]
  let collector: string[] | null = null
  const pending: string[] = []
  const print = (text: string): void => {
    if (collector) collector.push(text)
    else if (opts.onOutput) opts.onOutput(text)
    else pending.push(text)
  }
  const pure = new WeakSet<object>()
  const sandbox = new VM({ eval: !!opts.unsafe, wasm: false, allowAsync: true })
  sandbox.run(REMOVED_GLOBALS.map((g) => `delete globalThis.${g};`).join(''))
  const nameOf = sandbox.run(NAME_OF) as (v: object) => unknown
  const log = (...args: unknown[]): void => print(formatArgs(args, nameOf))
  sandbox.freeze({ log, info: log, warn: log, error: log, debug: log }, 'console')
  const hooks: SessionHooks = {
    history: () => [...history],
    switchTo: (next) => {
      wb = next
      install()
      opts.onSwitch?.(next)
    },
  }
  const install = (): void => {
    if (!opts.unsafe) wb.confine(opts.hostPaths)
    for (const [name, value] of Object.entries(apiGlobals(wb, print, pure, hooks, !!opts.unsafe))) sandbox.freeze(value, name)
  }
  install()
  if (opts.unsafe) {
    sandbox.setGlobal('require', createRequire(join(process.cwd(), '<repl>')))
    sandbox.setGlobal('process', process)
    sandbox.setGlobal('fs', fs)
  }
  const hidden = (name: string): boolean => name.startsWith('VM2_')

  let queue: Promise<unknown> = Promise.resolve()
  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const next = queue.then(job, job)
    queue = next.catch(() => {})
    return next
  }

  /** a rejected promise the entry returns without awaiting must not become the host's unhandled rejection */
  const settle = (v: unknown): void => {
    try {
      if (v instanceof Promise) v.then(undefined, () => {})
    } catch { /* a promise with a hostile `then`: nothing to settle */ }
  }

  const evaluate = async (code: string): Promise<EvalResult> => {
    if (!code.trim()) return { output: '', error: false }
    history.push(code.replace(/\n+$/, ''))
    const out = pending.splice(0)
    collector = out
    try {
      const p = prepare(code)
      let value: unknown = sandbox.run(p.code, { filename: 'repl' })
      if (p.async) value = await (value as Promise<unknown>)
      else settle(value)
      if (value !== undefined || !out.length) out.push(display(value, nameOf))
      return { output: out.join('\n'), error: false }
    } catch (e) {
      out.push(describeError(e, nameOf))
      return { output: out.join('\n'), error: true }
    } finally {
      collector = null
    }
  }

  const runScript = async (code: string, filename = 'script.js'): Promise<ScriptResult> => {
    const out: string[] = []
    collector = opts.onOutput ? null : out
    try {
      const value: unknown = await (sandbox.run(prepareProgram(code), { filename }) as Promise<unknown>)
      return { value, error: null, output: out.join('\n') }
    } catch (e) {
      return { value: undefined, error: describeError(e, nameOf), output: out.join('\n') }
    } finally {
      collector = null
    }
  }

  return {
    get history() { return [...history] },
    get workbench() { return wb },
    evaluate: (code) => serial(() => evaluate(code)),
    runScript: (code, filename) => serial(() => runScript(code, filename)),
    needsMore: (code) => isIncomplete(code),
    complete: (line) => completeLine(line, { global: sandbox.sandbox as object, hidden, pure: (f) => typeof f === 'function' && pure.has(f) }),
  }
}
