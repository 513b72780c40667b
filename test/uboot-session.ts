/**
 * Driving a real U-Boot to its prompt, as the U-Boot tests do (uboot.test.ts, uboot-aarch64*.test.ts):
 * input is fed in virtual time — the scheduler stops at the quantum boundary where the console
 * shows what we wait for, and the bytes go in there — and autoboot is stopped with a key when its
 * countdown appears (letting it run out would cost two seconds of virtual time). So the
 * transcript and the instruction counts are the same on every run.
 */
import { expect } from 'vitest'
import type { Machine } from '../core/machine.ts'

export interface UbootSession {
  transcript: string
  /** instructions executed when the prompt first showed, and when `version` had answered */
  atPrompt: number
  atReply: number
  reply: string
}

export interface UbootConsole {
  onOutput(fn: (b: number) => void): void
  send(bytes: string): void
  /** why the guest can no longer answer (a VM stopped or faulted), or null */
  stopped?(): string | null
}

/** To the autoboot countdown, a key, the prompt, then `version` and its answer: `stepLimit` instructions at most for each. */
export function ubootSession(m: Machine, con: UbootConsole, stepLimit: number): UbootSession {
  let text = ''
  con.onOutput((b) => { text += String.fromCharCode(b) })
  const runUntil = (what: string, done: () => boolean): void => {
    const r = m.sched.run({ predicate: () => done() || (con.stopped?.() ?? null) !== null, cycles: stepLimit })
    expect(con.stopped?.() ?? null, `U-Boot stopped waiting for ${what}`).toBeNull()
    expect(r, `no ${what} within ${stepLimit} instructions; console:\n${text}`).toBe('predicate')
  }
  runUntil('autoboot countdown', () => text.includes('Hit any key to stop autoboot'))
  con.send(' ')
  runUntil('prompt', () => text.endsWith('=> '))
  const atPrompt = m.sched.instructions
  const from = text.length
  con.send('version\r')
  runUntil('version reply', () => { const r = text.slice(from); return r.includes('U-Boot 20') && r.endsWith('=> ') })
  return { transcript: text, atPrompt, atReply: m.sched.instructions, reply: text.slice(from) }
}

/** a VM's console, stopped once the VM leaves `running` or faults */
export function vmConsole(vm: { console: { onOutput(fn: (b: number) => void): unknown; send(bytes: string | Uint8Array): void }; state: string; fault: unknown }): UbootConsole {
  return {
    onOutput: (fn) => { vm.console.onOutput(fn) },
    send: (s) => vm.console.send(s),
    stopped: () => (vm.fault ? `faulted: ${JSON.stringify(vm.fault, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))}` : vm.state !== 'running' ? `VM ${vm.state}` : null),
  }
}
