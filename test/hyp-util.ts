/**
 * Helpers shared by the hypervisor tests (test/hyp-*.test.ts): boot a config in-process and run
 * it on virtual time, and run the CLI as a child process.
 */
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bootConfig, type BootedSystem } from '../core/boot.ts'
import type { Vm } from '../core/hypervisor/vm.ts'
import type { StopReason } from '../core/scheduler.ts'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const cliPath = join(root, 'bin', 'baobab.js')
export const fixture = (name: string): string => join(root, 'test', 'fixtures', 'configs', name)
export const config = (name: string): string => join(root, 'configs', name)

/** cycles of virtual time per millisecond on qemu-virt-riscv64 (cpuHz = 1 GHz) */
export const MS = 1_000_000

export async function boot(file: string): Promise<BootedSystem> {
  return bootConfig(file)
}

export function vmNamed(sys: BootedSystem, name: string): Vm {
  const vm = sys.hv.vms.find((v) => v.name === name)
  if (!vm) throw new Error(`no VM ${name}`)
  return vm
}

/**
 * Run until `done()` holds, for at most `limitMs` of virtual time from now (never wall time, so
 * a failure is the same failure on every machine). Returns why it stopped.
 */
export function runUntil(sys: BootedSystem, done: () => boolean, limitMs = 200): StopReason {
  return sys.machine.sched.run({ predicate: done, cycles: limitMs * MS })
}

/** A VM's console has a line equal to `line`. */
export function hasLine(vm: Vm, line: string): boolean {
  return vm.console.text().split('\n').includes(line)
}

export interface CliRun {
  status: number | null
  stdout: string
  stderr: string
}

/** `node bin/baobab.js ...args` in the project root, stdin closed. */
export function cli(args: string[], timeoutMs = 60_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [cliPath, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    p.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
    p.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs)
    p.on('error', (e) => { clearTimeout(timer); reject(e) })
    p.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }) })
  })
}

/** For assertion messages: the last lines of a run. */
export function tail(r: CliRun, n = 12): string {
  return `exit ${r.status}\nstdout:\n${r.stdout.split('\n').slice(-n).join('\n')}\nstderr:\n${r.stderr.split('\n').slice(-n).join('\n')}`
}
