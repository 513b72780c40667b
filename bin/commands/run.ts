/** `baobab run --bare <image>`: run a bare-metal image on a board, console to stdout. */
import { defaultBoardFor } from '../../plugins/defaults.ts'
import { existsSync } from 'node:fs'
import type { CommandModule } from 'yargs'
import type { BareMachine } from '../../core/bare.ts'
import { symbolAt } from '../../core/loader/elf.ts'
import { UsageError } from '../errors.ts'

interface RunArgs {
  target?: string
  session?: string
  'run-ms'?: number
  bare: boolean
  board?: string
  cpus: number
  timeout?: number
  until?: string
  'max-insns'?: number
  stats: boolean
  trace: boolean
  'fail-on-fault': boolean
  json: boolean
  headless: boolean
  console?: string
  watch: boolean
  'hyp-log'?: string
  record?: string
  replay?: string
  gdb?: number
  'gdb-vm'?: string
}

import { EXIT_LIMIT, EXIT_TIMEOUT } from './exit-codes.ts'
import { RealTimeClock } from '../../core/scheduler.ts'
import { pauseAfter, Sleeper } from '../../core/sleeper.ts'
import { printStats, startStats } from './stats.ts'
import { numberOption } from './numbers.ts'
import { clockMode, clockOptions, type ClockArgs } from './clock-option.ts'

export function runCommand(setCode: (c: number) => void): CommandModule<object, RunArgs & ClockArgs> {
  return {
    command: 'run [target]',
    describe: 'Run a config (hypervisor mode) or, with --bare, a bare-metal ELF or raw binary',
    builder: (y) => clockOptions(y)
      .positional('target', { type: 'string', describe: 'config file, or an image with --bare' })
      .option('session', { type: 'string', describe: 'resume saved session NAME (sessions/NAME) headless instead of booting a config' })
      .option('run-ms', numberOption('run-ms', { unit: 'milliseconds', min: 0 }, 'stop after this much virtual time in ms (exit 0)'))
      .option('bare', { type: 'boolean', default: false, describe: 'no hypervisor: the image boots as on QEMU without firmware (RISC-V: M-mode at the entry; AArch64: as -kernel/-bios)' })
      .option('board', { type: 'string', describe: "board to run on (bare mode; default: QEMU's virt board of the ELF's architecture)" })
      .option('cpus', { ...numberOption('cpus', { unit: 'CPUs', integer: true, min: 1 }, 'CPUs to start (bare mode), as QEMU -smp'), default: 1 })
      .option('timeout', numberOption('timeout', { unit: 'seconds', above: 0 }, 'wall-clock seconds before giving up (exit 3); also the limit for loading a .ts/.js config (default 10 s, exit 2)'))
      .option('until', { type: 'string', describe: 'stop with exit 0 once the console output matches this regular expression' })
      .option('max-insns', numberOption('max-insns', { unit: 'instructions', integer: true, min: 1 }, 'stop after this many instructions (exit 4)'))
      .option('stats', { type: 'boolean', default: false, describe: 'print instructions, virtual time and MIPS on stderr' })
      .option('trace', { type: 'boolean', default: false, describe: 'print every instruction (CPU, pc, symbol, disassembly) on stderr (bare mode; slow)' })
      .option('fail-on-fault', { type: 'boolean', default: false, describe: 'exit 5 as soon as any VM faults (config mode)' })
      .option('json', { type: 'boolean', default: false, describe: 'one JSON object per console line: {t, source, text} (config mode)' })
      .option('headless', { type: 'boolean', default: false, describe: 'no terminal UI even on a TTY (config mode)' })
      .option('watch', { type: 'boolean', default: false, describe: 'hot-reload the config and plugin files when they change (config mode)' })
      .option('console', { type: 'string', describe: 'VM that receives piped stdin (config mode; default: the first VM)' })
      .option('record', { type: 'string', describe: 'write the console input (and REPL hypercalls) with virtual timestamps to FILE, for --replay (config mode; deterministic)' })
      .option('replay', { type: 'string', describe: 'run again what FILE recorded: its input at its virtual times, stdin ignored (config mode; deterministic)' })
      .option('hyp-log', { type: 'string', describe: 'also write the whole hypervisor log to FILE (memory keeps its newest 10,000 lines) (config mode)' })
      .option('gdb', numberOption('gdb', { unit: 'TCP port', integer: true, min: 1, max: 65535 }, 'GDB stub on 127.0.0.1:PORT for one VM (its vCPUs are the threads; it waits for the debugger before its first instruction, the other VMs run on), or with --bare for the CPUs'))
      .option('gdb-vm', { type: 'string', describe: 'the VM --gdb debugs (config mode; default: the first)' })
      .example('$0 run configs/two-vms.json --until "\\[vm2\\] tick 3" --timeout 30', 'boot two VMs and stop once vm2 ticked three times')
      .example('$0 run --bare guests/images/riscv64/isa-int.elf', 'run a test program; exit code = its poweroff code')
      .example('$0 run --bare prog.elf --until "checksum=" --stats', 'stop at the first checksum line, with speed figures')
      .example('$0 run --session work --run-ms 100 --stats', 'resume session "work" and run 100 ms of virtual time'),
    handler: async (a) => {
      if (a.session !== undefined && a.target !== undefined) throw new UsageError('give a config or --session NAME, not both (a session names its config)')
      if (a.session === undefined && a.target === undefined) throw new UsageError('name a config (or an image with --bare), or resume one with --session NAME')
      if (a.target !== undefined && !existsSync(a.target)) throw new UsageError(`no such file: ${a.target}`)
      let until: RegExp | undefined
      if (a.until !== undefined) {
        try { until = new RegExp(a.until) } catch (e) { throw new UsageError(`--until: ${(e as Error).message}`) }
      }
      if (!a.bare || a.session !== undefined) {
        // config mode needs the workbench (hypervisor, sessions): loaded only for it
        const { runConfig } = await import('./run-config.ts')
        // recordings mean something only in deterministic mode: asking for one chooses it
        const replaying = a.record !== undefined || a.replay !== undefined
        if (replaying && a.realtime) throw new UsageError('--record and --replay run in deterministic mode, not --realtime')
        const clock = replaying ? 'deterministic' : clockMode(a)
        setCode(await runConfig({ config: a.target, session: a.session, runMs: a['run-ms'], until, timeout: a.timeout, failOnFault: a['fail-on-fault'], json: a.json, stats: a.stats, console: a.console, watch: a.watch, hypLog: a['hyp-log'], clock, record: a.record, replay: a.replay, gdb: a.gdb, gdbVm: a['gdb-vm'] }))
        return
      }
      const { bootBare } = await import('../../core/bare.ts')
      const bm = await bootBare({ board: a.board ?? defaultBoardFor(a.target!), image: a.target!, cpus: a.cpus })
      // feature gdb (plugins/feat-gdb): a stub for the CPUs, which wait for the debugger
      if (a.gdb !== undefined) await (await import('../../plugins/feat-gdb/index.ts')).startGdbServer(bm.machine, null, { port: a.gdb, wait: true, log: (l) => process.stderr.write(`baobab: ${l}\n`) }).catch((e: Error) => { throw new UsageError(`--gdb: ${e.message}`) })
      const runEnd = a['run-ms'] !== undefined ? bm.machine.sched.now + Math.round((a['run-ms'] / 1000) * bm.machine.board.cpuHz) : undefined
      const m = bm.machine
      if (a.record !== undefined || a.replay !== undefined) throw new UsageError('--record and --replay work on a config, not --bare')
      if (clockMode(a) === 'realtime') m.sched.realTime = new RealTimeClock(m.board.cpuHz / 1000)
      const sleeper = new Sleeper()
      const out: number[] = []
      let text = ''
      const flush = (): void => {
        if (!out.length) return
        const buf = Buffer.from(out)
        out.length = 0
        process.stdout.write(buf)
        if (until) text = (text + buf.toString('latin1')).slice(-8192)
      }
      const consoleName = m.board.console ?? 'uart0'
      m.serial(consoleName).onOutput((b) => out.push(b))
      const onByte = (b: number): void => { out.push(b) }
      const trace = a.trace ? tracer(bm) : null
      if (trace) m.sched.quantum = 1
      const wallEnd = a.timeout !== undefined ? performance.now() + a.timeout * 1000 : Infinity
      const maxInsns = a['max-insns']
      const quantum = m.sched.quantum
      const t0 = performance.now()
      const stopSplit = a.stats ? startStats(m) : null
      let reason = ''
      for (;;) {
        const r = m.sched.run({
          wallMs: 100,
          until: runEnd,
          predicate: () => {
            trace?.()
            bm.pollHost(onByte)
            if (out.length > 4096 || (until && out.length)) flush()
            if (until && until.test(text)) return true
            if (maxInsns === undefined) return false
            const left = maxInsns - m.sched.instructions
            // the limit falls inside the next window: shorten it (the predicate runs between windows)
            m.sched.quantum = Math.max(1, Math.min(quantum, Math.ceil(left / m.cpus.length)))
            return left <= 0
          },
        })
        flush()
        const ms = pauseAfter(r, m.sched.waitMs, 10)
        if (ms > 0 && r !== 'halted') await sleeper.sleep(ms)
        // let the event loop in between slices (a debugger's packets, signals)
        else if (r === 'wall') await new Promise((res) => setImmediate(res))
        if (r === 'wall' || r === 'idle' || r === 'wait') {
          if (performance.now() >= wallEnd) { reason = 'timeout'; break }
          continue
        }
        if (r === 'limit') reason = 'until'
        else if (r === 'predicate') reason = until && until.test(text) ? 'until' : 'limit'
        else reason = m.power.off ? 'poweroff' : 'halted'
        break
      }
      bm.pollHost(onByte)
      flush()
      const wall = performance.now() - t0
      if (a.stats) printStats(m, wall, stopSplit?.() ?? null)
      switch (reason) {
        case 'until': setCode(0); break
        case 'poweroff': setCode(m.power.code & 0xff); break
        case 'timeout': process.stderr.write(`baobab: timeout after ${a.timeout} s\n`); setCode(EXIT_TIMEOUT); break
        case 'limit': process.stderr.write(`baobab: stopped after ${m.sched.instructions} instructions (--max-insns)\n`); setCode(EXIT_LIMIT); break
        default: process.stderr.write('baobab: every CPU halted\n'); setCode(1)
      }
    },
  }
}

/** One line per instruction about to run on each CPU: `[cpu] pc <symbol+off>: disassembly`. */
function tracer(bm: BareMachine): () => void {
  const { machine: m, arch, image } = bm
  const lines: string[] = []
  return () => {
    for (const h of m.cpus) {
      if (h.halted || h.idle) continue
      const pc = h.pc
      let text = '(not readable)'
      try {
        const bytes = new Uint8Array([0, 1, 2, 3].map((i) => m.bus.read8(Number(pc) + i)))
        text = arch.disassemble ? arch.disassemble(bytes, pc).text : ''
      } catch { /* not RAM: the CPU will fault */ }
      const sym = symbolAt(image, pc)
      lines.push(`[${h.id}] ${pc.toString(16).padStart(16, '0')}${sym ? ` <${sym.name}+0x${sym.offset.toString(16)}>` : ''}: ${text}`)
    }
    if (lines.length) process.stderr.write(lines.join('\n') + '\n')
    lines.length = 0
  }
}
