/**
 * What one GDB stub debugs: a VM (its vCPUs are the threads) or a bare machine (its CPUs are).
 * Threads are numbered from 1 (GDB's thread ids are positive): vCPU k is thread k + 1. Registers
 * and memory go through the architecture's `ArchGdb` (core/arch.ts), which reads a vCPU that is
 * not on its pCPU right now (VM stack) from its saved context.
 */
import type { ArchGdb, Cpu, GdbRegisterLayout, GdbThread } from '../../core/arch.ts'
import type { Hypervisor } from '../../core/hypervisor/hypervisor.ts'
import type { Vcpu, Vm } from '../../core/hypervisor/vm.ts'
import type { Machine } from '../../core/machine.ts'

export interface Thread {
  /** GDB's thread id */
  id: number
  /** the CPU it runs on (a vCPU's pCPU) */
  cpu: Cpu
  vcpu: Vcpu | null
}

/** the signal numbers GDB's stop replies use (gdb/signals.def) */
export const SIG = { INT: 2, TRAP: 5, ABRT: 6, KILL: 9, SEGV: 11 } as const

const PAGE = 4096

export class DebugTarget {
  readonly arch: ArchGdb
  readonly threads: readonly Thread[]
  readonly layout: GdbRegisterLayout

  constructor(readonly machine: Machine, readonly hv: Hypervisor | null, readonly vm: Vm | null) {
    const arch = machine.arch.gdb
    if (!arch) throw new Error(`architecture ${machine.arch.name} offers no GDB support (ArchDesc.gdb)`)
    this.arch = arch
    this.threads = vm
      ? vm.vcpus.map((v) => ({ id: v.id + 1, cpu: machine.cpus[v.pcpu]!, vcpu: v }))
      : machine.cpus.map((c) => ({ id: c.id + 1, cpu: c, vcpu: null }))
    this.layout = arch.layout(vm !== null)
  }

  /** what `monitor info` and the REPL call it */
  get name(): string {
    return this.vm ? `VM ${this.vm.name} (id ${this.vm.id})` : `the bare machine (${this.machine.board.name})`
  }

  thread(id: number): Thread | undefined {
    return this.threads[id - 1]
  }

  /** the architecture's view of a thread: whether its context is on its CPU now */
  view(t: Thread): GdbThread {
    return { cpu: t.cpu, vcpu: t.vcpu, live: !t.vcpu || this.hv!.onCpu[t.vcpu.pcpu] === t.vcpu }
  }

  /** the thread of this target that `cpu` runs right now, if any (another VM's vCPU may be on it: VM stack) */
  threadOn(cpu: Cpu): Thread | undefined {
    if (!this.vm) return this.threads[cpu.id]
    const v = this.hv!.onCpu[cpu.id]
    return v && v.vm === this.vm ? this.threads[v.id] : undefined
  }

  pc(t: Thread): bigint | null {
    const b = this.arch.readRegister(this.view(t), this.layout.pc)
    if (!b) return null
    let v = 0n
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!)
    return v
  }

  /**
   * Read guest-virtual memory through the thread's translation, page by page. Stops at the first
   * byte that is not RAM behind a valid mapping: the result may be shorter than asked (empty when
   * nothing at `va` is readable). Devices are never touched: their registers have side effects.
   */
  read(t: Thread, va: bigint, len: number): Uint8Array {
    const out = new Uint8Array(len)
    let done = 0
    const view = this.view(t)
    while (done < len) {
      const a = BigInt.asUintN(64, va + BigInt(done))
      const n = Math.min(len - done, PAGE - Number(a % BigInt(PAGE)))
      const pa = this.arch.translate(view, a)
      if (pa === null || !this.machine.bus.isRamRange(pa, n)) break
      out.set(this.machine.bus.dump(pa, n), done)
      done += n
    }
    return out.subarray(0, done)
  }

  /** Write guest-virtual memory: all of it or nothing (every page is translated and checked first). */
  write(t: Thread, va: bigint, data: Uint8Array): boolean {
    const view = this.view(t)
    const pieces: { pa: number; from: number; n: number }[] = []
    for (let done = 0; done < data.length;) {
      const a = BigInt.asUintN(64, va + BigInt(done))
      const n = Math.min(data.length - done, PAGE - Number(a % BigInt(PAGE)))
      const pa = this.arch.translate(view, a)
      if (pa === null || !this.machine.bus.isRamRange(pa, n)) return false
      pieces.push({ pa, from: done, n })
      done += n
    }
    // bus.load invalidates decoded code in the pages it writes (a debugger patching code)
    for (const p of pieces) this.machine.bus.load(p.pa, data.subarray(p.from, p.from + p.n))
    return true
  }

  /** the `n`-byte physical ranges behind [va, va+len), or null when any page is unmapped or not RAM */
  ranges(t: Thread, va: bigint, len: number): { pa: number; va: bigint; len: number }[] | null {
    const view = this.view(t)
    const out: { pa: number; va: bigint; len: number }[] = []
    for (let done = 0; done < len;) {
      const a = BigInt.asUintN(64, va + BigInt(done))
      const n = Math.min(len - done, PAGE - Number(a % BigInt(PAGE)))
      const pa = this.arch.translate(view, a)
      if (pa === null || !this.machine.bus.isRamRange(pa, n)) return null
      out.push({ pa, va: a, len: n })
      done += n
    }
    return out
  }

  /**
   * How the target ended, as the stop reply GDB gets (`W` exit status, `X` signal), or null while
   * it lives. A VM that shut down exits 0; a faulted one is killed by SIGSEGV; a destroyed one by
   * SIGKILL. A bare machine exits with its poweroff code, or 0 once every CPU has halted.
   */
  exit(): string | null {
    const hex2 = (n: number): string => n.toString(16).padStart(2, '0')
    if (this.vm) {
      if (!this.hv!.vms.includes(this.vm)) return `X${hex2(SIG.KILL)}`
      if (this.vm.state === 'faulted') return `X${hex2(SIG.SEGV)}`
      if (this.vm.state === 'stopped') return 'W00'
      return null
    }
    if (this.machine.power.off) return `W${hex2(this.machine.power.code & 0xff)}`
    if (this.machine.cpus.every((c) => c.halted)) return 'W00'
    return null
  }

  /** qThreadExtraInfo: what GDB's `info threads` shows beside a thread */
  describe(t: Thread): string {
    if (!t.vcpu) return `CPU ${t.cpu.id}${t.cpu.halted ? ' (halted)' : ''}`
    const v = t.vcpu
    const on = this.hv!.onCpu[v.pcpu]
    const where = on === v ? '' : on ? `, off its pCPU (${on.vm.name} runs there)` : ', off its pCPU'
    return `${v.vm.name} vCPU ${v.id} on pCPU ${v.pcpu} (${v.state}${where})`
  }
}
