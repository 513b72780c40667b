/**
 * The one place a GDB stub reaches into the run loop: each CPU's `run(n)` (what the scheduler
 * calls for a window) is wrapped while a stub is attached to its machine, so the stub decides,
 * per window and per CPU, whether the CPU runs freely, instruction by instruction (breakpoints,
 * watchpoints, a single step: the check happens before every instruction, so a breakpoint is
 * exact however the window was cut), or not at all (the debugger holds it: parked).
 *
 * The scheduler, the CPUs and every run loop (`baobab run`, the TUI's, the REPL's `run`) stay
 * as they are: the wrapper is an own property over the class's method, removed again when the
 * last stub leaves. A CPU's identity does not change (devices and `sched.running` comparisons
 * keep working), and a window of a CPU no stub claims costs one extra call.
 */
import type { Cpu } from '../../core/arch.ts'
import type { Machine } from '../../core/machine.ts'

export type RunFn = (n: number) => number

/** One stub's say over the CPUs of its machine. */
export interface GateClient {
  /**
   * `cpu` is about to run a window of `n` cycles: run it (`orig` is the CPU's own `run`) and
   * return the instructions retired, or undefined when the CPU runs none of this stub's threads.
   */
  run(cpu: Cpu, orig: RunFn, n: number): number | undefined
  /** a CPU running none of the stubs' threads: true when this stub holds it (all-stop over the machine) */
  holdOther(cpu: Cpu): boolean
}

interface Gates {
  clients: Set<GateClient>
  undo: (() => void)[]
}

const byMachine = new WeakMap<Machine, Gates>()

/** Put `client` in charge of `machine`'s CPUs (with any other stubs on it); returns its removal. */
export function addGateClient(machine: Machine, client: GateClient): () => void {
  let g = byMachine.get(machine)
  if (!g) {
    const gates: Gates = { clients: new Set(), undo: [] }
    for (const cpu of machine.cpus) gates.undo.push(wrap(cpu, gates))
    byMachine.set(machine, gates)
    g = gates
  }
  g.clients.add(client)
  const gates = g
  return () => {
    if (!gates.clients.delete(client) || gates.clients.size) return
    for (const u of gates.undo) u()
    byMachine.delete(machine)
  }
}

function wrap(cpu: Cpu, gates: Gates): () => void {
  const target = cpu as unknown as { run: RunFn }
  const own = Object.getOwnPropertyDescriptor(cpu, 'run')
  const orig: RunFn = cpu.run.bind(cpu)
  target.run = (n: number): number => {
    for (const c of gates.clients) {
      const r = c.run(cpu, orig, n)
      if (r !== undefined) return r
    }
    for (const c of gates.clients) if (c.holdOther(cpu)) return 0
    return orig(n)
  }
  return () => {
    if (own) Object.defineProperty(cpu, 'run', own)
    else delete (target as { run?: RunFn }).run
  }
}
