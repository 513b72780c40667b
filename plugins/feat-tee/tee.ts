/**
 * Per-VM TEEs (CROSSCON's sdTZ, reference §3.3): each general-purpose VM (GPOS, type 0) is paired
 * with its own trusted-OS VM, bound to it through the VM stack. A type-1 TEE is the GPOS's parent
 * (it boots first, and its ENTRY_DONE return starts the GPOS); a type-2 TEE is the GPOS's child
 * (it boots when the GPOS first runs). A GPOS's OP-TEE call switches to *its* TEE with the call's
 * registers, the TEE's CALL_DONE switches back with the results. Arch-neutral: the arch binds its
 * conduit to the `tee` service (RISC-V: ecall a7 = 0x544545, a6 = function id; Arm: SMC) and
 * numbers the registers (a0..a6 / x0..x6).
 *
 * Routing by the SMCCC owner, `(fid >> 24) & 0x3F`, and the caller's type (§3.3's table):
 *   GPOS, owner 0x32–0x3F (OP-TEE #1): pop to the parent TEE, its regs 0..6 ← the GPOS's 0..6
 *   GPOS, owner 0x12–0x1F (OP-TEE #2): push the child TEE, its regs 0..6 ← the GPOS's 0..6
 *   TEE type 1, `fid & 0xFFFFFF` = n: 0 ENTRY_DONE (start the GPOS, then its type-2 TEE), 1 ON_DONE
 *     and 3 SUSPEND_DONE (GPOS reg 0 ← TEE reg 0), 5 CALL_DONE (GPOS regs 0..5 ← TEE regs 1..6;
 *     only 0..3 ← 1..4 for the 0xFFFF0004 foreign-interrupt RPC): back to the GPOS
 *   TEE type 2: the same returns, popping back to the GPOS (n = 0 just returns)
 * A TEE serves a call with its external interrupts masked; they are unmasked when it returns.
 * Real OP-TEE (crosscon/optee_os, RISC-V `crossconhyp_return_to_ree`, checked by
 * test/tee-optee.test.ts) returns with the bare numbers (0, 5), and a standard call it cannot
 * start comes back as a return whose number is the error (ETHREAD_LIMIT 1, ERESUME 3): the
 * ON_DONE / SUSPEND_DONE rule hands that code to the GPOS in reg 0, as on CROSSCON.
 *
 * Better than CROSSCON (§3.3 "Error path", §12): a TEE that faults is disabled on its own (not every
 * TEE of its class): `VM n performed illegal access. Disabling.`, its GPOS gets 7 in reg 0 for
 * that call and every later one, and every other pair runs on. A call with nothing to route to,
 * or a return id the protocol does not have, is -1 (OPTEE_SMC_RETURN_UNKNOWN_FUNCTION) to the
 * caller, never a stop of the machine.
 */
import type { Call, CallResults } from '../../core/hypervisor/calls.ts'
import type { Hypervisor } from '../../core/hypervisor/hypervisor.ts'
import type { FaultInfo } from '../../core/hypervisor/hooks.ts'
import type { Vcpu, Vm } from '../../core/hypervisor/vm.ts'
import { checkState, stateNum } from '../../core/state-check.ts'
import { z } from 'zod'

/** what `snapshot()` returns: plain JSON, VMs and vCPUs by id */
export interface TeesState {
  disabled: number[]
  /** [TEE VM, TEE vCPU, GPOS VM, GPOS vCPU] */
  serving: [number, number, number, number][]
  started: [number, number][]
  counters: Tees['counters']
}

const ids = z.tuple([stateNum.count, stateNum.count])
const teesState = z.object({
  disabled: z.array(stateNum.count).max(1024),
  serving: z.array(z.tuple([stateNum.count, stateNum.count, stateNum.count, stateNum.count])).max(1 << 16),
  started: z.array(ids).max(1 << 16),
  counters: z.object({ calls: stateNum.count, returns: stateNum.count, faults: stateNum.count, refused: stateNum.count }).strict(),
}).strict()

/** CROSSCON's VM types (reference §2.2) */
export const TYPE = { GPOS: 0, TEE_PARENT: 1, TEE_CHILD: 2 } as const
/** TEESMC_OPTEED_RETURN_* (n in `0xBE000000 | n` / `0x9E000000 | n`) */
export const RETURN = { ENTRY_DONE: 0, ON_DONE: 1, SUSPEND_DONE: 3, CALL_DONE: 5 } as const
/** OP-TEE's foreign-interrupt RPC in a CALL_DONE's first result (OPTEE_SMC_RETURN_RPC_FOREIGN_INTR) */
export const RPC_FOREIGN_INTR = 0xffff0004n
/** what a GPOS gets from a disabled TEE (CROSSCON's value) */
export const TEE_DISABLED = 7n
/** nothing to route the call to (OPTEE_SMC_RETURN_UNKNOWN_FUNCTION as a 32-bit value) */
export const UNKNOWN = -1n
/** the registers a call carries between the VMs: 0..6 (a0..a6 / x0..x6) */
const REGS = 7

const owner = (fn: number): number => (fn >>> 24) & 0x3f
const isTee1 = (o: number): boolean => o >= 0x32 && o <= 0x3f
const isTee2 = (o: number): boolean => o >= 0x12 && o <= 0x1f

export class Tees {
  /** TEE VMs disabled after a fault */
  private readonly disabled = new Set<Vm>()
  /** TEE vCPUs serving a GPOS's call right now, with the GPOS vCPU waiting for them */
  private readonly serving = new Map<Vcpu, Vcpu>()
  /** vCPUs started (static children start once, at their first push) */
  private readonly started = new Set<Vcpu>()
  /** what the feature did, for the REPL and tests */
  readonly counters = { calls: 0, returns: 0, faults: 0, refused: 0 }

  constructor(private readonly hv: Hypervisor) {}

  call(c: Call): CallResults {
    const v = c.vcpu
    switch (v.vm.config.type) {
      case TYPE.GPOS: return this.fromGpos(v, c.fn)
      case TYPE.TEE_PARENT: return this.fromTee(v, c.fn, true)
      case TYPE.TEE_CHILD: return this.fromTee(v, c.fn, false)
    }
    return this.refuse()
  }

  private refuse(code = UNKNOWN): bigint[] {
    this.counters.refused++
    return [code]
  }

  /** the vCPU of `vm` that runs on `v`'s pCPU */
  private on(vm: Vm | null | undefined, v: Vcpu): Vcpu | undefined {
    return vm?.vcpus.find((x) => x.pcpu === v.pcpu)
  }

  // ---- a GPOS calls its TEE ----

  private fromGpos(g: Vcpu, fn: number): CallResults {
    const o = owner(fn)
    const stack = this.hv.stacks[g.pcpu]!
    if (isTee1(o)) {
      const tee = this.on(g.vm.parent, g)
      // the parent TEE must be the vCPU below this one: it pushed the GPOS (ENTRY_DONE / CALL_DONE)
      if (!tee || g.vm.parent!.config.type !== TYPE.TEE_PARENT || g.stackParent !== tee) return this.refuse()
      if (this.disabled.has(tee.vm)) return this.refuse(TEE_DISABLED)
      const regs = this.hv.arch.argRegs(g, REGS)
      stack.pop()
      this.enter(tee, g, regs)
      return null
    }
    if (isTee2(o)) {
      const child = g.vm.children.find((c) => c.config.type === TYPE.TEE_CHILD)
      const tee = this.on(child, g)
      if (!tee || tee.state !== 'inactive') return this.refuse()
      if (this.disabled.has(tee.vm)) return this.refuse(TEE_DISABLED)
      const regs = this.hv.arch.argRegs(g, REGS)
      stack.push(tee)
      this.enter(tee, g, regs)
      return null
    }
    return this.refuse()
  }

  /** `tee` now runs on the pCPU: hand it the GPOS's request */
  private enter(tee: Vcpu, g: Vcpu, regs: bigint[]): void {
    this.counters.calls++
    this.serving.set(tee, g)
    this.hv.arch.setResults(tee, regs)
    this.hv.arch.maskExternalIrqs(tee, true)
  }

  // ---- a TEE returns ----

  private fromTee(t: Vcpu, fn: number, parent: boolean): CallResults {
    const n = fn & 0xffffff
    if (n === RETURN.ENTRY_DONE) return parent ? this.entryDone(t) : this.childBooted(t)
    if (n !== RETURN.ON_DONE && n !== RETURN.SUSPEND_DONE && n !== RETURN.CALL_DONE) return this.refuse()
    const g = this.serving.get(t)
    if (!g) return this.refuse() // a return with no call to answer
    const r = this.hv.arch.argRegs(t, REGS)
    // OP-TEE's return codes are 32-bit values: a guest may hold them sign- or zero-extended
    const rpc = (r[1]! & 0xffffffffn) === RPC_FOREIGN_INTR
    const results = n === RETURN.CALL_DONE ? (rpc ? r.slice(1, 5) : r.slice(1, 7)) : [r[0]!]
    this.leave(t, g)
    this.hv.arch.setResults(g, results)
    this.counters.returns++
    return null
  }

  /** the TEE is done serving `g`: back to the GPOS (a type-1 TEE pushes it, a type-2 TEE pops to it) */
  private leave(t: Vcpu, g: Vcpu): void {
    this.serving.delete(t)
    this.hv.arch.maskExternalIrqs(t, false)
    const stack = this.hv.stacks[t.pcpu]!
    if (t.vm.config.type === TYPE.TEE_PARENT) stack.push(g)
    else stack.pop()
  }

  /** A type-1 TEE booted: start its GPOS on this pCPU, and the GPOS's own type-2 TEE first if it has one. */
  private entryDone(t: Vcpu): CallResults {
    const g = this.on(t.vm.children.find((c) => c.config.type === TYPE.GPOS), t)
    if (!g || g.state !== 'inactive' || this.started.has(g)) return this.refuse()
    const stack = this.hv.stacks[t.pcpu]!
    stack.push(g)
    this.start(g)
    const t2 = this.on(g.vm.children.find((c) => c.config.type === TYPE.TEE_CHILD), g)
    if (t2 && t2.state === 'inactive' && !this.started.has(t2)) {
      stack.push(t2)
      this.start(t2)
    }
    this.counters.returns++
    return null
  }

  /** A type-2 TEE booted: back to its GPOS, which starts (or goes on) where it was. */
  private childBooted(t: Vcpu): CallResults {
    if (t.stackParent === null || t.stackParent.vm !== t.vm.parent || this.serving.has(t)) return this.refuse()
    this.hv.stacks[t.pcpu]!.pop()
    this.counters.returns++
    return null
  }

  private start(v: Vcpu): void {
    this.started.add(v)
    this.hv.startChild(v)
  }

  // ---- a TEE faults ----

  /** A TEE's stage-2 fault: disable that TEE alone; a GPOS it was serving gets 7 and runs on. */
  fault(t: Vcpu, f: FaultInfo): boolean {
    const type = t.vm.config.type
    if (type !== TYPE.TEE_PARENT && type !== TYPE.TEE_CHILD) return false
    const vm = t.vm
    this.hv.log.error(`VM ${vm.id} performed illegal access. Disabling.`)
    this.disabled.add(vm)
    this.counters.faults++
    vm.state = 'faulted'
    vm.fault = { vm: vm.id, vmName: vm.name, vcpu: t.id, ...f }
    const g = this.serving.get(t)
    if (g) {
      this.leave(t, g)
      this.hv.arch.setResults(g, [TEE_DISABLED])
    } else if (this.hv.stacks[t.pcpu]!.current === t) {
      // faulted while booting: its GPOS never starts; the pCPU has nothing else to run
      this.hv.arch.stopVcpu(t)
    }
    return true
  }

  // ---- sessions: which TEEs are disabled, which serve whom, which vCPUs have started ----

  snapshot(): TeesState {
    const ref = (v: Vcpu): [number, number] => [v.vm.id, v.id]
    return {
      disabled: [...this.disabled].map((vm) => vm.id).sort((a, b) => a - b),
      serving: [...this.serving].map(([t, g]) => [...ref(t), ...ref(g)] as [number, number, number, number]),
      started: [...this.started].map(ref),
      counters: { ...this.counters },
    }
  }

  /** Rebuild from `snapshot()` after the machine booted again; refuses what names no VM or vCPU of it. */
  restore(state: unknown): void {
    const s = checkState(teesState, state)
    const vcpu = (vm: number, id: number, what: string): Vcpu => {
      const v = this.hv.vms.find((x) => x.id === vm)?.vcpus[id]
      if (!v) throw new Error(`${what}: VM ${vm} has no vCPU ${id}`)
      return v
    }
    const vmOf = (id: number): Vm => {
      const vm = this.hv.vms.find((x) => x.id === id)
      if (!vm) throw new Error(`disabled: no VM ${id}`)
      return vm
    }
    const disabled = s.disabled.map(vmOf)
    const serving = s.serving.map(([tv, ti, gv, gi]) => [vcpu(tv, ti, 'serving'), vcpu(gv, gi, 'serving')] as const)
    const started = s.started.map(([vm, id]) => vcpu(vm, id, 'started'))
    this.disabled.clear(); this.serving.clear(); this.started.clear()
    for (const vm of disabled) this.disabled.add(vm)
    for (const [t, g] of serving) this.serving.set(t, g)
    for (const v of started) this.started.add(v)
    Object.assign(this.counters, s.counters)
  }
}
