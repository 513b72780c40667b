/**
 * The REPL itself, loaded only when `baobab repl` runs (its sandbox, vm2 and the workbench are
 * start-up time the other commands do not pay): the line feeder, the plain and terminal loops,
 * history, dot-commands. repl.ts declares the command.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createInterface, type Interface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { Workbench } from '../../core/api.ts'
import { describeError } from '../../core/repl/display.ts'
import { createReplSession, type ReplSession } from '../../core/repl/sandbox.ts'
import { loadReplPlugins } from './repl-features.ts'
import { UsageError } from '../errors.ts'
import { DOT_HELP, type ReplArgs } from './repl-args.ts'

const DEFAULT_CONFIG = fileURLToPath(new URL('../../configs/two-vms.json', import.meta.url))
const PROMPT = 'baobab> '
const MORE = '... '
const HISTORY_KEEP = 1000


/** Boot what the user named: a config (default the two-VM demo) or a bare-metal image. */
export async function openWorkbench(config: string | undefined, bare: string | undefined, board: string | undefined): Promise<Workbench> {
  if (config !== undefined && bare !== undefined) throw new UsageError('give a config or --bare IMAGE, not both')
  const file = bare ?? config ?? DEFAULT_CONFIG
  if (!existsSync(file)) throw new UsageError(`no such file: ${file}`)
  return bare !== undefined ? Workbench.open({ bare, board }) : Workbench.open({ config: file })
}

/** sessions/.repl_history (BAOBAB_SESSIONS moves the sessions folder, as for saved sessions) */
function historyFile(): string {
  const dir = process.env.BAOBAB_SESSIONS ?? fileURLToPath(new URL('../../sessions', import.meta.url))
  return join(dir, '.repl_history')
}

/** One entry per line, JSON-quoted so multi-line entries survive; a line that is not JSON is taken as is. */
function readHistory(file: string): string[] {
  if (!existsSync(file)) return []
  const entries = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => {
    try {
      const v: unknown = JSON.parse(l)
      return typeof v === 'string' ? v : l
    } catch {
      return l
    }
  })
  if (entries.length > HISTORY_KEEP) {
    const kept = entries.slice(-HISTORY_KEEP)
    writeFileSync(file, kept.map((e) => JSON.stringify(e)).join('\n') + '\n')
    return kept
  }
  return entries
}


/** The dot-commands; returns false for `.exit`. Anything else starting with a dot is JavaScript. */
async function dotCommand(line: string, session: ReplSession, firstEntry: number, print: (s: string) => void): Promise<boolean> {
  const [cmd, ...rest] = line.trim().split(/\s+/)
  const arg = rest.join(' ')
  switch (cmd) {
    case '.exit':
      return false
    case '.help':
      print(`${DOT_HELP}\n\n${Workbench.help()}`)
      return true
    case '.save':
      if (!arg) print('.save FILE: name a file')
      else {
        try {
          const entries = session.history.slice(firstEntry)
          writeFileSync(arg, entries.length ? entries.join('\n') + '\n' : '')
          print(`saved ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} to ${arg}`)
        } catch (e) {
          print(`.save: ${(e as Error).message}`)
        }
      }
      return true
    case '.load': {
      let code: string
      try {
        code = readFileSync(arg, 'utf8')
      } catch (e) {
        print(arg ? `.load: ${(e as Error).message}` : '.load FILE: name a file')
        return true
      }
      const r = await session.evaluate(code)
      if (r.output) print(r.output)
      return true
    }
  }
  return true
}

const isDotCommand = (line: string): boolean => /^\s*\.(help|exit|save|load)(\s|$)/.test(line)

/** Feeds lines to the session: continuation while `needsMore`, dot-commands between entries. */
class LineFeeder {
  private buffer = ''
  constructor(
    private readonly session: ReplSession,
    private readonly firstEntry: number,
    private readonly print: (s: string) => void,
    private readonly onEntry: (code: string) => void = () => {},
  ) {}

  get continuing(): boolean {
    return this.buffer !== ''
  }

  clear(): void {
    this.buffer = ''
  }

  /** false once `.exit` was given */
  async line(line: string): Promise<boolean> {
    if (!this.buffer && isDotCommand(line)) return dotCommand(line, this.session, this.firstEntry, this.print)
    this.buffer = this.buffer ? `${this.buffer}\n${line}` : line
    if (this.session.needsMore(this.buffer)) return true
    return this.flush()
  }

  /** evaluate what is buffered (at end of input: an unfinished entry reports its syntax error) */
  async flush(): Promise<boolean> {
    const code = this.buffer
    this.buffer = ''
    if (!code.trim()) return true
    this.onEntry(code)
    const r = await this.session.evaluate(code)
    if (r.output) this.print(r.output)
    return true
  }
}

/** A promise the user's code left rejected: reported, never fatal. */
function catchRejections(print: (s: string) => void): () => void {
  const on = (reason: unknown): void => print(`Uncaught (in promise) ${describeError(reason).replace(/^Uncaught /, '')}`)
  process.on('unhandledRejection', on)
  return () => process.off('unhandledRejection', on)
}

async function plainRepl(session: ReplSession): Promise<number> {
  const print = (s: string): void => { process.stdout.write(s + '\n') }
  const feeder = new LineFeeder(session, session.history.length, print)
  const rl = createInterface({ input: process.stdin, terminal: false, crlfDelay: Infinity })
  let open = true
  for await (const line of rl) {
    open = await feeder.line(line)
    if (!open) break
  }
  if (open) await feeder.flush()
  rl.close()
  return 0
}

async function ttyRepl(session: ReplSession, history: string[], histFile: string): Promise<number> {
  const print = (s: string): void => { process.stdout.write(s + '\n') }
  const feeder = new LineFeeder(session, history.length, print, (code) => {
    try {
      appendFileSync(histFile, JSON.stringify(code) + '\n')
    } catch { /* history is a convenience: a read-only folder must not stop the REPL */ }
  })
  const rl: Interface = createInterface({
    input: process.stdin,
    output: process.stdout,
    prompt: PROMPT,
    terminal: true,
    history: [...history].reverse(), // readline keeps the newest first
    historySize: HISTORY_KEEP,
    // readline shows the candidates and replaces the word being typed: give it names, not whole lines
    completer: (line: string): [string[], string] => {
      const word = /[\w$]*$/.exec(line)![0]
      try {
        const stem = line.length - word.length
        return [session.complete(line).filter((c) => c.startsWith(line.slice(0, stem))).map((c) => c.slice(stem)), word]
      } catch {
        return [[], word]
      }
    },
  })
  let interrupted = false
  rl.on('SIGINT', () => {
    if (feeder.continuing || rl.line) {
      feeder.clear()
      interrupted = false
      process.stdout.write('\n')
      rl.setPrompt(PROMPT)
      // drop the half-typed line: readline has no public call for it
      ;(rl as unknown as { line: string; cursor: number }).line = ''
      ;(rl as unknown as { cursor: number }).cursor = 0
      rl.prompt()
    } else if (interrupted) {
      rl.close()
    } else {
      interrupted = true
      process.stdout.write('\n(to exit, press Ctrl-C again or Ctrl-D, or type .exit)\n')
      rl.prompt()
    }
  })
  print('baobab REPL: the API is in hv, vm(n), board, run(ms), stats() … (help() lists it; .help for the dot-commands)')
  rl.prompt()
  for await (const line of rl) {
    interrupted = false
    if (!(await feeder.line(line))) break
    rl.setPrompt(feeder.continuing ? MORE : PROMPT)
    rl.prompt()
  }
  rl.close()
  return 0
}

/** `baobab repl`: boot, then read entries until end of input or `.exit`; the exit code. */
export async function runRepl(a: ReplArgs): Promise<number> {
  const wb = await openWorkbench(a.config, a.bare, a.board)
  const print = (s: string): void => { process.stdout.write(s + '\n') }
  const tty = !!process.stdin.isTTY
  const histFile = historyFile()
  let history: string[] = []
  if (tty) {
    try {
      mkdirSync(dirname(histFile), { recursive: true })
      history = readHistory(histFile)
    } catch { /* no history then */ }
  }
  await loadReplPlugins(wb, print)
  const session = createReplSession(wb, { unsafe: a['unsafe-repl'], history, onOutput: print })
  const release = catchRejections(print)
  try {
    return tty ? await ttyRepl(session, history, histFile) : await plainRepl(session)
  } finally {
    release()
  }
}
