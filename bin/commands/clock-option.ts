/**
 * The clock-mode options `run` and the TUI share: real time on a terminal (guest clocks at
 * wall-clock speed, an idle machine lets the host sleep), deterministic otherwise (pipes,
 * scripts, tests: virtual time from instruction counts, the same output and counts every run).
 */
import type { Argv } from 'yargs'
import type { ClockMode } from '../../core/api.ts'
import { UsageError } from '../errors.ts'

export interface ClockArgs {
  deterministic: boolean
  realtime: boolean
}

export function clockOptions<T>(y: Argv<T>): Argv<T & ClockArgs> {
  return y
    .option('deterministic', { type: 'boolean', default: false, describe: 'virtual time from instruction counts: the same output and counts every run (default unless on a terminal)' })
    .option('realtime', { type: 'boolean', default: false, describe: 'virtual time keeps pace with the host clock, as QEMU without -icount (default on a terminal)' })
}

/** The mode the options ask for; without either, real time when stdin and stdout are a terminal. */
export function clockMode(a: ClockArgs, tty = process.stdin.isTTY === true && process.stdout.isTTY === true): ClockMode {
  if (a.deterministic && a.realtime) throw new UsageError('--deterministic and --realtime: choose one')
  if (a.deterministic) return 'deterministic'
  if (a.realtime) return 'realtime'
  return tty ? 'realtime' : 'deterministic'
}
