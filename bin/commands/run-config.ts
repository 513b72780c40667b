/** `baobab run <config>`: boot a hypervisor config headless; consoles line-prefixed `[name]`, the hypervisor's log `[hyp]`. */
import { Workbench } from '../../core/api.ts'
import { printStats, startStats } from './stats.ts'
import { HypLog, type LogLine } from '../../core/hypervisor/log.ts'
import { closeSync, openSync, writeSync } from 'node:fs'
import { resumeSession } from '../../core/session/store.ts'
import { UsageError } from '../errors.ts'
import { EXIT_FAULT, EXIT_TIMEOUT } from './exit-codes.ts'
import type { ClockMode } from '../../core/api.ts'
import { pauseAfter, Sleeper } from '../../core/sleeper.ts'
import { Replayer, startRecording } from '../../core/replay.ts'

export interface RunConfigArgs {
  config?: string
  /** hot-reload the config and plugins while running */
  watch?: boolean
  /** resume this saved session instead of booting `config` */
  session?: string
  /** stop after this much virtual time (ms) */
  runMs?: number
  until?: RegExp
  timeout?: number
  failOnFault: boolean
  json: boolean
  stats: boolean
  console?: string
  /** write every hypervisor log line to this file too (memory keeps the newest only) */
  hypLog?: string
  /** how virtual time runs (default deterministic) */
  clock?: ClockMode
  /** write the run's input with virtual timestamps to this file (core/record.ts) */
  record?: string
  /** feed the input recorded in this file instead of stdin, at the recorded virtual times */
  replay?: string
  /** feature gdb: a GDB stub on this port for VM `gdbVm` (default the first) */
  gdb?: number
  gdbVm?: string
}

/** Collects bytes per source into lines and prints each complete line with its prefix. */
class LinePrinter {
  private partial = new Map<string, string>()
  private tail: string[] = []
  constructor(private readonly json: boolean, private readonly now: () => number, private readonly onLine: (l: string) => void) {}

  bytes(source: string, b: number): void {
    if (b === 13) return
    if (b === 10) {
      this.line(source, this.partial.get(source) ?? '')
      this.partial.set(source, '')
      return
    }
    this.partial.set(source, (this.partial.get(source) ?? '') + String.fromCharCode(b))
  }

  line(source: string, text: string): void {
    const out = this.json ? JSON.stringify({ t: this.now(), source, text }) : `[${source}] ${text}`
    process.stdout.write(out + '\n')
    this.onLine(out)
  }

  /** print what is left without a newline (at exit) */
  flush(): void {
    for (const [s, t] of this.partial) if (t) this.line(s, t)
    this.partial.clear()
  }

  /** partial lines too, for --until on prompts that end without a newline */
  pending(): string[] {
    this.tail = [...this.partial.entries()].filter(([, t]) => t).map(([s, t]) => `[${s}] ${t}`)
    return this.tail
  }
}

/** every line the log has and gets, appended to `file` as it comes */
function logToFile(log: HypLog, file: string): void {
  let fd: number
  try { fd = openSync(file, 'w') } catch (e) { throw new UsageError(`--hyp-log: cannot write ${file}: ${(e as Error).message}`) }
  const put = (l: LogLine): void => { writeSync(fd, HypLog.format(l) + '\n') }
  for (const l of log.lines) put(l)
  log.onLine(put)
  process.once('exit', () => closeSync(fd))
}

export async function runConfig(a: RunConfigArgs): Promise<number> {
  const wb = a.session !== undefined ? await resume(a.session, a.clock) : await Workbench.open({ config: a.config!, loadTimeoutS: a.timeout, clock: a.clock })
  const m = wb.machine, hv = wb.hypervisor!
  if (a.record !== undefined && a.replay !== undefined) throw new UsageError('--record and --replay: choose one')
  const replay = a.replay !== undefined ? new Replayer(wb, a.replay) : null
  const recorder = a.record !== undefined ? startRecording(wb, a.record) : null
  const sleeper = new Sleeper()
  // before anything is printed: a mistyped --console is bad input, not a run
  if (a.console !== undefined && !hv.vms.some((v) => v.name === a.console)) {
    throw new UsageError(`--console: no VM named '${a.console}' (VMs: ${hv.vms.map((v) => v.name).join(', ')})`)
  }
  const runEnd = a.runMs !== undefined ? m.sched.now + Math.round((a.runMs / 1000) * m.board.cpuHz) : undefined
  let matched = false
  const test = (l: string): void => { if (a.until && a.until.test(l)) matched = true }
  const printer = new LinePrinter(a.json, () => m.sched.now, test)
  const emit = (l: string): void => printer.line('hyp', l)
  // a resumed session printed its log before it was saved
  if (a.session === undefined) for (const l of hv.log.lines) emit(HypLog.format(l))
  hv.log.onLine((l) => emit(HypLog.format(l)))
  if (a.hypLog !== undefined) logToFile(hv.log, a.hypLog)
  for (const vm of hv.vms) vm.console.onOutput((b) => printer.bytes(vm.name, b))
  hv.onVmCreated((vm) => vm.console.onOutput((b) => printer.bytes(vm.name, b)))
  let faulted = false
  hv.onFault(() => { faulted = true })
  // stdin (when it is a pipe) goes to one VM's console, like QEMU's -serial stdio
  const target = hv.vms.find((v) => v.name === a.console) ?? hv.vms[0]
  let quit = false
  if (target && !replay) {
    // on a terminal, keys go straight to the guest (raw mode); Ctrl-C or Ctrl-A x quits, as in QEMU
    const tty = process.stdin.isTTY
    if (tty) process.stdin.setRawMode(true)
    let ctrlA = false
    process.stdin.on('data', (d: Buffer) => {
      if (tty) {
        for (const b of d) {
          if (b === 3 || (ctrlA && b === 0x78)) quit = true
          ctrlA = b === 1
        }
        if (quit) return
      }
      target.console.send(new Uint8Array(d))
      sleeper.poke()
    })
    process.stdin.on('error', () => {})
  }
  // ---- feature gdb (plugins/feat-gdb): the stub, its VM held until the debugger resumes it ----
  if (a.gdb !== undefined) {
    const { startGdbServer } = await import('../../plugins/feat-gdb/index.ts')
    try { await startGdbServer(m, hv, { port: a.gdb, vm: a.gdbVm, wait: true, log: (l) => hv.log.info(l) }) } catch (e) { throw new UsageError(`--gdb: ${(e as Error).message}`) }
  }
  // ---- end feature gdb ----
  // --watch: hot reload of the config and plugins, outcomes as [hyp] lines
  const watcher = a.watch ? wb.watch({ onEvent: (e) => emit(`hot reload: ${e.kind} ${e.name} (${e.ms.toFixed(0)} ms): ${e.message.split('\n').join(' / ')}`) }) : null
  // chokidar sets up over many event-loop turns: let it finish before the machine takes the thread
  await watcher?.ready
  const wallEnd = a.timeout !== undefined ? performance.now() + a.timeout * 1000 : Infinity
  const t0 = performance.now()
  const stopSplit = a.stats ? startStats(m) : null
  let code = 0
  for (;;) {
    const stopAt = replay ? Math.min(replay.nextTime, runEnd ?? Infinity) : runEnd
    const r = m.sched.run({
      // short slices while watching, so a reload (many small async steps) is not kept waiting
      wallMs: a.watch ? 8 : 50,
      until: stopAt,
      predicate: () => quit || matched || (a.until !== undefined && printer.pending().some((l) => a.until!.test(l))) || (a.failOnFault && faulted),
    })
    if (r === 'predicate') {
      if (a.failOnFault && faulted) code = EXIT_FAULT
      break
    }
    if (replay && r === 'limit' && m.sched.now >= replay.nextTime && (runEnd === undefined || m.sched.now < runEnd)) {
      // a recorded input is due: in it goes, at the virtual time it went in the first time
      replay.deliver()
      if (replay.done) {
        code = a.until ? 1 : 0
        break
      }
      continue
    }
    if (r === 'stopped' || r === 'halted' || r === 'limit') {
      code = a.until ? 1 : 0
      if (r === 'halted' && !m.power.off) process.stderr.write('baobab: every vCPU stopped\n')
      break
    }
    if (performance.now() >= wallEnd) {
      process.stderr.write(`baobab: timeout after ${a.timeout} s${a.until ? ` without matching --until ${a.until}` : ''}\n`)
      code = EXIT_TIMEOUT
      break
    }
    // let stdin events in between slices; when the machine waits (every vCPU idle, or real time
    // ahead of the host clock), sleep until it is due or a key comes
    const ms = pauseAfter(r, m.sched.waitMs, wb.clock === 'realtime' ? 1000 : 10)
    if (ms > 0) await sleeper.sleep(ms)
    else await new Promise((res) => setImmediate(res))
  }
  recorder?.end(m.sched.now)
  await watcher?.close()
  printer.flush()
  if (process.stdin.isTTY) process.stdin.setRawMode(false)
  process.stdin.pause()
  process.stdin.unref?.()
  if (a.stats) {
    const wall = performance.now() - t0
    printStats(m, wall, stopSplit?.() ?? null)
    for (const vm of hv.vms) process.stderr.write(`vm ${vm.name}: ${vm.state}, exits ${vm.exits}, hypercalls ${vm.hypercalls}\n`)
  }
  if (faulted && a.failOnFault) {
    for (const vm of hv.vms) if (vm.fault) process.stderr.write(`baobab: VM ${vm.name} faulted: ${vm.fault.cause} at 0x${vm.fault.addr.toString(16)} (vCPU ${vm.fault.vcpu}, pc 0x${vm.fault.pc.toString(16)})\n`)
  }
  return code
}

/** Resume a saved session headless: its consoles go on from where they were. */
async function resume(name: string, clock: ClockMode | undefined): Promise<Workbench> {
  const wb = await resumeSession(name, Workbench.open, { clock, onWarning: (w) => process.stderr.write(`baobab: session ${name}: ${w}\n`) })
  if (!wb.hypervisor) throw new UsageError(`session ${name} is of a bare machine: resume it from the API (resumeSession)`)
  const m = wb.machine
  process.stderr.write(`baobab: resumed session ${name} at ${((m.sched.now / m.board.cpuHz) * 1000).toFixed(3)} ms of virtual time\n`)
  return wb
}
