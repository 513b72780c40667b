/**
 * Feature plugin `gdb`: a GDB Remote Serial Protocol stub over TCP on 127.0.0.1, for one VM of
 * the hypervisor (its vCPUs are GDB's threads) or for a bare machine's CPUs. Arch-neutral: the
 * architecture gives the register layout, register access (live or from a vCPU's saved context)
 * and the debugger's address translation through `ArchDesc.gdb` (core/arch.ts).
 *
 * - `baobab run <config> --gdb PORT [--gdb-vm NAME]` (and `--bare IMAGE --gdb PORT`) starts one
 *   through `startGdbServer`; the debugged VM waits for the debugger before its first instruction.
 * - In the REPL (the TUI and `baobab repl` load this plugin for it): `await gdb.listen(port, vm?,
 *   { wait?, others? })`, `gdb.close(port)`, `gdb.list()`; on a bare machine its CPUs.
 *
 * Files: packet.ts (framing), commands.ts (the packets), server.ts (TCP, one debugger at a time),
 * control.ts (hold, resume, step, breakpoints), gate.ts (the per-CPU hook in the run loop),
 * watch.ts (watchpoints), drive.ts (running the machine when no one else does), target.ts (what
 * is debugged: threads, memory).
 */
import type { Hypervisor } from '../../core/hypervisor/hypervisor.ts'
import type { Machine } from '../../core/machine.ts'
import type { Vm } from '../../core/hypervisor/vm.ts'
import type { MemoryBus } from '../../core/bus.ts'
import { definePlugin } from '../../core/plugins.ts'
import { GdbServer, type GdbServerOptions } from './server.ts'
import { DebugTarget } from './target.ts'

export { GdbServer } from './server.ts'

export interface StartOptions extends GdbServerOptions {
  /** the VM to debug, by name or id (default: the first); ignored on a bare machine */
  vm?: string | number
}

/** servers started and not closed, per machine (gdb.list / gdb.close, and plugin unload) */
const servers = new WeakMap<Machine, Set<GdbServer>>()
/** every server this module started, for `teardown` */
const all = new Set<GdbServer>()
/** the hypervisor of each machine the REPL namespace may be asked about (learnt as it builds its VMs) */
const hvOf = new WeakMap<MemoryBus, Hypervisor>()

/**
 * Start a GDB stub for VM `opts.vm` of `hv` (default its first VM), or for every CPU of a bare
 * `machine` when `hv` is null. Resolves once it listens; rejects for an unknown VM, a busy port,
 * or an architecture without GDB support.
 */
export async function startGdbServer(machine: Machine, hv: Hypervisor | null, opts: StartOptions): Promise<GdbServer> {
  let vm: Vm | null = null
  if (hv) {
    const want = opts.vm ?? hv.vms[0]?.id
    vm = hv.vms.find((v) => v.name === want || v.id === want) ?? null
    if (!vm) throw new Error(`no VM ${JSON.stringify(want)} (VMs: ${hv.vms.map((v) => `${v.id} ${v.name}`).join(', ') || 'none'})`)
  }
  const s = await GdbServer.start(new DebugTarget(machine, hv, vm), opts)
  let mine = servers.get(machine)
  if (!mine) servers.set(machine, (mine = new Set()))
  mine.add(s)
  all.add(s)
  return s
}

/** Close a server `startGdbServer` made. */
export async function closeGdbServer(machine: Machine, s: GdbServer): Promise<void> {
  servers.get(machine)?.delete(s)
  all.delete(s)
  await s.close()
}

function listOf(machine: Machine): { port: number; target: string; connected: boolean; running: boolean }[] {
  return [...(servers.get(machine) ?? [])].map((s) => ({ port: s.port, target: s.target.name, connected: s.connected, running: s.ctl.running }))
}

export default definePlugin({
  name: 'feat-gdb',
  kind: 'feature',
  version: '0.1.0',
  setup(ctx) {
    ctx.hooks.on('vmCreated', (hv) => { hvOf.set(hv.machine.bus, hv) })
    // sessions: a machine saved while the debugger holds CPUs would come back with them parked
    ctx.states.register('gdb', {
      captureProblem: (hv) => {
        const s = [...(servers.get(hv.machine) ?? [])].find((x) => x.ctl.holding)
        return s ? `the GDB stub on port ${s.port} holds ${s.target.name} stopped: continue or detach in the debugger (or gdb.close()) before saving` : null
      },
      snapshot: () => null,
      restore: () => {},
    })
    ctx.api.register('gdb', (bus, owner) => ({
      /**
       * Listen for GDB on 127.0.0.1:`port` (0: any free port), debugging VM `vm` (name or id;
       * default the first). `wait`: the VM stops now and waits for the debugger; `others: 'stop'`:
       * the other VMs stop whenever it is stopped. Resolves to { port, target }.
       */
      listen: async (port: number, vm?: string | number, opts?: { wait?: boolean; others?: 'run' | 'stop' }): Promise<{ port: number; target: string }> => {
        // the hypervisor the plugin saw build its VMs, or (loaded later, for the REPL) its owner's
        const hv = hvOf.get(bus) ?? owner?.hypervisor ?? null
        const machine = hv?.machine ?? owner?.machine
        if (!machine) throw new Error('gdb.listen: no machine')
        if (typeof port !== 'number') throw new Error('gdb.listen(port, vm, opts): port must be a number')
        if (vm !== undefined && typeof vm !== 'string' && typeof vm !== 'number') throw new Error('gdb.listen(port, vm, opts): vm must be a VM name or id')
        const wait = opts?.wait === true
        const others = opts?.others === 'stop' ? 'stop' : 'run'
        try {
          const s = await startGdbServer(machine, hv, { port, vm, wait, others, log: (l) => hv?.log.info(l) })
          return { port: s.port, target: s.target.name }
        } catch (e) {
          throw new Error(`gdb.listen: ${(e as Error).message}`)
        }
      },
      /** stop listening on `port` (every port when none is given); a connected debugger is dropped and its VM runs on */
      close: async (port?: number): Promise<number> => {
        const machine = hvOf.get(bus)?.machine ?? owner?.machine
        if (!machine) return 0
        const mine = [...(servers.get(machine) ?? [])].filter((s) => port === undefined || s.port === port)
        for (const s of mine) await closeGdbServer(machine, s)
        return mine.length
      },
      /** the stubs of this machine: port, what they debug, whether a debugger is connected and the target running */
      list: () => {
        const machine = hvOf.get(bus)?.machine ?? owner?.machine
        return machine ? listOf(machine) : []
      },
    }))
  },
  teardown() {
    for (const s of all) void s.close()
    all.clear()
  },
})
