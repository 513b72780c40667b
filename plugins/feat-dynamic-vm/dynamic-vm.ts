/**
 * The VM-stack hypercalls (class 3; reference §3.2, §4, with the original's defects of §4.5-4.6
 * and §12 fixed): every error is a Bao error code to the caller, a child's resources all go
 * back on destroy, interrupts for a stacked VM stay pending until it runs (or pre-empt the child,
 * which its parent may resume), and a faulting child is stopped and reported to its parent.
 *
 * Functions (Bao hypercall class 3, HC_ENCLAVE: function id 3 << 16 | fn, which RISC-V passes in
 * a6 and Arm in x0 — the arch binds its conduit to the `hypercall` service), arguments in the
 * call's argument registers, results in its result registers (a0/x0 = error or reason, then …):
 *   0 create(blob gpa)             → a1 = new VM id                   (child created, not run)
 *   1 invoke(id, arg)              → runs the child on this pCPU with a0 = 0, a1 = arg (a0 = arg on first entry)
 *   2 yield(v0, v1)                   (child) back to the parent: its invoke returns a0 = 2, a1 = v0, a2 = v1
 *   3 resume(id)                   → runs the child again where it stopped (after a yield or a pre-emption)
 *   5 exit(code)                      (child) back to the parent: a0 = 0, a1 = code; the next invoke restarts it
 *   6 destroy(id)                  → every resource back to the parent
 *   7 lend(id, parent gpa, child gpa) one page of the parent mapped into the child too
 *   8 info                         → a1..a5 = invokes, yields, exits, faults, pre-emptions of the
 *                                    caller's own children (never another VM's: that would leak
 *                                    one VM's activity to another)
 * When the parent's invoke/resume returns without the child yielding or exiting, a0 says why:
 *   1 = pre-empted by an interrupt for the parent (a1 = child id), 9 = the child faulted
 *   (a1 = child id, a2 = faulting guest-physical address).
 */
import type { BoardDesc } from '../../core/board.ts'
import type { HvVmConfig } from '../../core/hypervisor/config.ts'
import { BlobError, parseBlob, type BlobVm } from '../../core/hypervisor/blob.ts'
import { HC_E_FAILURE, HC_E_INVAL_ARGS, HC_E_INVAL_ID, HC_E_SUCCESS, hcResult, type Hypervisor } from '../../core/hypervisor/hypervisor.ts'
import { HC_CLASS, type CallResults } from '../../core/hypervisor/calls.ts'
import type { Stage2Entry } from '../../core/hypervisor/stage2.ts'
import type { Vcpu, Vm } from '../../core/hypervisor/vm.ts'
import { VMSTACK_FN, VMSTACK_RET } from '../../core/hypervisor/vmstack.ts'

/** CROSSCON's enclave interface is where its VM-stack calls live (reference §3.2) */
export const VMSTACK_CLASS = HC_CLASS.ENCLAVE
export const FN = VMSTACK_FN
export const RET = VMSTACK_RET

const PAGE = 4096
/** largest config blob a guest may pass */
const MAX_BLOB = 64 * 1024 * 1024
/** the most of a blob create copies out of the guest: its header pages (every struct lies there) */
const MAX_HEADER = 1024 * 1024
const hex = (n: number | bigint): string => '0x' + n.toString(16)

/** What a child took, to give every piece back on destroy. */
interface Donation {
  parent: Vm
  /** parent stage-2 pieces unmapped for the blob's header pages and the child's region 0 */
  taken: Stage2Entry[]
  /** host memory allocated for regions 1.. */
  allocated: { base: number; size: number }[]
  /** parent device windows moved to the child */
  devices: Stage2Entry[]
  irqs: number[]
  /** host-physical pages of the parent lent to the child (vm_lend): shared, so never donated */
  lent: number[]
  /** child vCPUs that have been entered since the last exit */
  started: Set<Vcpu>
  /** child vCPUs a parent interrupt took off the CPU mid-computation: only resume continues them */
  preempted: Set<Vcpu>
}

type PlainEntry = Pick<Stage2Entry, 'gpa' | 'size' | 'pa' | 'perm' | 'kind' | 'name'>

/** what `snapshot()` returns: plain JSON */
export interface DynamicVmsState {
  counters: DynamicVms['counters']
  /** the same counters per parent VM id (absent in sessions saved before they existed) */
  perParent?: [number, DynamicVms['counters']][]
  children: {
    id: number; parent: number; config: HvVmConfig; pcpus: number[]
    taken: PlainEntry[]; allocated: { base: number; size: number }[]; devices: PlainEntry[]; irqs: number[]; lent: number[]
    lentMaps: PlainEntry[]; started: number[]; preempted: number[]
  }[]
}

type Counters = ReturnType<typeof newCounters>
const newCounters = () => ({ invokes: 0, yields: 0, exits: 0, faults: 0, interrupts: 0, creates: 0, destroys: 0 })

export class DynamicVms {
  private readonly children = new Map<Vm, Donation>()
  /** machine-wide counters (the REPL's stats) */
  readonly counters = newCounters()
  /** the same, per parent VM id: what `info` tells a VM about its own children */
  private readonly perParent = new Map<number, Counters>()

  constructor(private readonly hv: Hypervisor) {}

  /** A VM going away (destroyed from the REPL, re-applied config, or a child itself) takes its children with it, and their extra memory goes back to the pool. */
  vmDestroyed(vm: Vm): void {
    for (const c of [...vm.children]) if (this.children.has(c)) this.reclaim(c)
    this.perParent.delete(vm.id)
  }

  call(v: Vcpu, fn: number, a: readonly bigint[]): CallResults {
    switch (fn) {
      case FN.CREATE: return this.create(v, a[0]!)
      case FN.INVOKE: return this.invoke(v, a[0]!, a[1]!, true)
      case FN.RESUME: return this.invoke(v, a[0]!, 0n, false)
      case FN.YIELD: return this.leave(v, RET.YIELDED, a[0]!, a[1]!)
      case FN.EXIT: return this.leave(v, RET.EXITED, a[0]!, 0n)
      case FN.DESTROY: return this.destroy(v, a[0]!)
      case FN.LEND: return this.lend(v, a[0]!, a[1]!, a[2]!)
      case FN.INFO: {
        const c = this.perParent.get(v.vm.id) ?? newCounters()
        return [BigInt(HC_E_SUCCESS), BigInt(c.invokes), BigInt(c.yields), BigInt(c.exits), BigInt(c.faults), BigInt(c.interrupts)]
      }
    }
    return err(HC_E_INVAL_ID)
  }

  /** one more `what`, machine-wide and for `parent` */
  private count(parent: Vm, what: keyof Counters): void {
    this.counters[what]++
    let c = this.perParent.get(parent.id)
    if (!c) this.perParent.set(parent.id, (c = newCounters()))
    c[what]++
  }

  /** the child VM `id` of the caller's VM */
  private child(v: Vcpu, id: bigint): Vm | undefined {
    const vm = v.vm.children.find((c) => BigInt(c.id) === id)
    return vm && this.children.has(vm) ? vm : undefined
  }

  // ---- create ----

  private create(v: Vcpu, gpa: bigint): CallResults {
    const parent = v.vm
    if (gpa % BigInt(PAGE) !== 0n || gpa >= 2n ** 53n) return err(HC_E_INVAL_ARGS)
    const g = Number(gpa)
    const head = this.read(parent, g, 56)
    if (!head) return err(HC_E_INVAL_ARGS)
    const dv = new DataView(head.buffer, head.byteOffset)
    const hdrSize = dv.getBigUint64(40, true), cfgSize = Number(dv.getBigUint64(48, true))
    if (cfgSize > MAX_BLOB || cfgSize < 56) return err(HC_E_INVAL_ARGS)
    // all of it must be the caller's RAM, but only the header is copied and parsed: a guest-chosen
    // config_size must not make the hypervisor copy megabytes on every call
    if (!this.ramPieces(parent, g, cfgSize)) return err(HC_E_INVAL_ARGS)
    const blob = this.read(parent, g, Math.min(cfgSize, Number(hdrSize > BigInt(MAX_HEADER) ? MAX_HEADER : hdrSize) || 56))
    if (!blob) return err(HC_E_INVAL_ARGS)
    const arch = this.hv.machine.arch.configBlob
    if (!arch) return err(HC_E_FAILURE)
    let parsed
    try {
      parsed = parseBlob(blob, { arch, maxVms: 1, length: cfgSize })
    } catch (e) {
      if (e instanceof BlobError) return err(HC_E_INVAL_ARGS)
      throw e
    }
    const bvm = parsed.config.vms[0]
    if (!bvm || bvm.children.length || !bvm.regions.length) return err(HC_E_INVAL_ARGS)
    if (bvm.cpuNum < 1 || bvm.cpuNum > parent.vcpus.length) return err(HC_E_INVAL_ARGS)
    const plan = this.plan(parent, g, parsed.headerSize, bvm)
    if (typeof plan === 'number') return err(plan)
    // nothing can fail from here on: take the resources
    const id = this.hv.allocId()
    const header = parent.stage2.unmapRange(g, parsed.headerSize)
    const r0 = parent.stage2.unmapRange(plan.r0.gpa, plan.r0.size)
    const taken = [...header, ...r0]
    // region 0 is the parent's pages as they were, whatever host pages back them (coloured, or
    // pieces of several windows): the child sees them from its region's base on
    const backing = r0.map((e) => ({ offset: e.gpa - plan.r0.gpa, size: e.size, pa: e.pa }))
    const allocated: { base: number; size: number }[] = []
    const regions = bvm.regions.map((r, i) => {
      if (i === 0) return { base: r.base, size: r.size, colors: 0, placePhys: true, phys: backing[0]!.pa, backing }
      const pa = plan.extra[i - 1]!
      // fresh host memory may hold what an earlier child left there
      this.zero(pa, r.size)
      allocated.push({ base: pa, size: r.size })
      return { base: r.base, size: r.size, colors: 0, placePhys: true, phys: pa }
    })
    const devices = plan.devices.flatMap((d) => parent.stage2.unmapRange(d.gpa, d.size))
    // the parent's harts may hold translations of what it just gave away (it wrote the blob and
    // the image there): forget them, or its stores would still reach the child's memory
    for (const pv of parent.vcpus) this.hv.machine.cpus[pv.pcpu]?.flushTlb()
    for (const irq of plan.irqs) {
      parent.irqs.delete(irq)
      this.hv.irqOwner.delete(irq)
    }
    const vc: HvVmConfig = {
      name: `${parent.name}.${id}`, type: bvm.type, typeName: (['gpos', 'tee-parent', 'tee-child', 'enclave'] as const)[bvm.type]!,
      image: undefined, entry: bvm.entry, cpuNum: bvm.cpuNum, cpuAffinity: 0, colors: 0, regions,
      devs: bvm.devs.map((d) => ({ pa: d.pa, va: d.va, size: d.size, interrupts: d.interrupts, id: d.id, shared: false, emulate: undefined })),
      ipcs: bvm.ipcs, children: [], dtb: false, bootargs: undefined, archOptions: { ...parent.config.archOptions },
    }
    const log = this.hv.log
    log.info(`Creating dynamic VM ${id}`)
    log.info(`Donating host VM ${parent.id} memory VA ${hex(plan.r0.gpa)} size ${hex(plan.r0.size)} to VM ${id}`)
    const pcpus = parent.vcpus.slice(0, bvm.cpuNum).map((p) => p.pcpu)
    const child = this.hv.buildVm(id, vc, pcpus, false)
    // a CPU-less child gets its irqs from the parent: owner is the child now
    for (const irq of plan.irqs) this.hv.irqOwner.set(irq, child)
    child.parent = parent
    parent.children.push(child)
    this.children.set(child, { parent, taken, allocated, devices, irqs: plan.irqs, lent: [], started: new Set(), preempted: new Set() })
    this.count(parent, 'creates')
    log.info(`Dynamic VM ${id} created`)
    return hcResult(HC_E_SUCCESS, BigInt(id))
  }

  /** Check a blob's VM against what the parent owns; the resources to move, or an error code. */
  private plan(parent: Vm, g: number, headerSize: number, bvm: BlobVm):
    { r0: { gpa: number; size: number }; extra: number[]; devices: Stage2Entry[]; irqs: number[] } | number {
    const r0 = { gpa: g + headerSize, size: bvm.regions[0]!.size }
    // header and region 0 must be the parent's RAM (no copy is made: the pages change hands)
    const pieces = this.ramPieces(parent, g, headerSize + r0.size)
    if (!pieces) return HC_E_INVAL_ARGS
    // pages the parent lent to a child are shared with it: donating one would hand that child
    // a window into the new one
    for (const d of this.children.values()) {
      if (d.lent.some((pa) => pieces.some((p) => pa >= p.pa && pa < p.pa + p.len))) return HC_E_INVAL_ARGS
    }
    // the windows the architecture puts in every VM (the vPLIC at the board's PLIC, Arm's vGIC)
    // are the parent's emulated windows its config did not ask for; a child window on one would
    // make the child's stage-2 map clash when it is built
    const reserved = parent.stage2.entries.filter((x) => x.kind === 'emulated' && !parent.config.devs.some((d) => d.emulate !== undefined && d.va === x.gpa))
    const windows = [
      ...bvm.regions.map((r) => ({ gpa: r.base, size: r.size })),
      ...bvm.devs.filter((d) => d.size > 0).map((d) => ({ gpa: Math.floor(d.va / PAGE) * PAGE, size: Math.ceil(d.size / PAGE) * PAGE })),
      ...bvm.ipcs.filter((c) => c.size > 0).map((c) => ({ gpa: c.base, size: c.size })),
    ]
    if (windows.some((w) => reserved.some((x) => w.gpa < x.gpa + x.size && x.gpa < w.gpa + w.size))) return HC_E_INVAL_ARGS
    const extra: number[] = []
    for (const r of bvm.regions.slice(1)) {
      const pa = this.hv.phys.alloc(r.size)
      if (pa === null) {
        extra.forEach((p, i) => this.hv.phys.free(p, bvm.regions[i + 1]!.size))
        return HC_E_FAILURE
      }
      extra.push(pa)
    }
    const fail = (code: number): number => {
      extra.forEach((p, i) => this.hv.phys.free(p, bvm.regions[i + 1]!.size))
      return code
    }
    const devices: Stage2Entry[] = []
    const irqs: number[] = []
    for (const d of bvm.devs) {
      if (d.size > 0) {
        const pe = parent.stage2.entries.find((x) => x.kind === 'device' && d.pa >= x.pa && d.pa + d.size <= x.pa + x.size)
        if (!pe) return fail(HC_E_INVAL_ARGS) // a device the parent does not own
        devices.push(pe)
      }
      for (const irq of d.interrupts) {
        if (!parent.irqs.has(irq) || this.hv.irqOwner.get(irq) !== parent) return fail(HC_E_INVAL_ARGS)
        irqs.push(irq)
      }
    }
    // shared memory the parent is not part of is not the parent's to give
    for (const ipc of bvm.ipcs) {
      if (ipc.shmemId >= this.hv.config.shmem.length || !parent.config.ipcs.some((p) => p.shmemId === ipc.shmemId)) return fail(HC_E_INVAL_ARGS)
    }
    return { r0, extra, devices, irqs }
  }

  /** zero host RAM [pa, pa+size) (pages never touched are zero already and stay uncommitted) */
  private zero(pa: number, size: number): void {
    this.hv.machine.bus.zero(pa, size)
  }

  /** the host pieces behind the VM's RAM at [gpa, gpa+len), or null if any of it is not RAM */
  private ramPieces(vm: Vm, gpa: number, len: number): { pa: number; len: number }[] | null {
    const out: { pa: number; len: number }[] = []
    for (let a = gpa; a < gpa + len;) {
      const e = vm.stage2.lookup(a)
      if (!e || e.kind !== 'ram') return null
      const n = Math.min(e.gpa + e.size, gpa + len) - a
      out.push({ pa: e.pa + (a - e.gpa), len: n })
      a += n
    }
    return out
  }

  /** bytes of the parent's RAM at [gpa, gpa+len), or null if any is not RAM */
  private read(vm: Vm, gpa: number, len: number): Uint8Array | null {
    // all of it RAM before copying any (a bogus config_size must not cost a long copy)
    const pieces = this.ramPieces(vm, gpa, len)
    if (!pieces) return null
    const out = new Uint8Array(len)
    let off = 0
    for (const p of pieces) {
      out.set(this.hv.machine.bus.dump(p.pa, p.len), off)
      off += p.len
    }
    return out
  }

  // ---- running the child ----

  private invoke(v: Vcpu, id: bigint, arg: bigint, fresh: boolean): CallResults {
    const child = this.child(v, id)
    if (!child || child.state !== 'running') return err(HC_E_INVAL_ID)
    const cv = child.vcpus.find((c) => c.pcpu === v.pcpu)
    if (!cv || cv.state !== 'inactive') return err(HC_E_INVAL_ARGS)
    const d = this.children.get(child)!
    // a pre-empted child is mid-computation: invoke would overwrite its registers, resume continues it
    if (fresh && d.preempted.has(cv)) return err(HC_E_INVAL_ARGS)
    this.hv.stacks[v.pcpu]!.push(cv)
    if (!d.started.has(cv)) {
      d.started.add(cv)
      this.hv.arch.startVcpu(cv, BigInt(child.config.entry), [fresh ? arg : 0n, 0n])
    } else if (d.preempted.has(cv)) {
      d.preempted.delete(cv)
    } else {
      // back from a yield: the child's yield returns success and the argument (0 for resume)
      this.hv.arch.setResults(cv, [0n, fresh ? arg : 0n])
    }
    this.count(v.vm, 'invokes')
    return null
  }

  /** yield or exit: back to the vCPU below, which sees `reason`, v0, v1 */
  private leave(v: Vcpu, reason: number, v0: bigint, v1: bigint): CallResults {
    const parent = v.stackParent
    if (!parent || !this.children.has(v.vm)) return err(HC_E_INVAL_ID)
    this.hv.stacks[v.pcpu]!.pop()
    if (reason === RET.EXITED) {
      this.children.get(v.vm)!.started.delete(v)
      this.count(parent.vm, 'exits')
    } else this.count(parent.vm, 'yields')
    this.hv.arch.setResults(parent, [BigInt(reason), v0, v1])
    return null
  }

  /** An interrupt for a vCPU stacked under a child: pre-empt the child at the next boundary. */
  preempt(v: Vcpu): void {
    this.hv.machine.sched.at(this.hv.machine.sched.now, () => {
      const stack = this.hv.stacks[v.pcpu]!
      if (v.state !== 'stacked') return
      const top = stack.current
      for (let u = top; u && u !== v; u = u.stackParent ?? undefined) this.children.get(u.vm)?.preempted.add(u)
      stack.unwind(v)
      this.count(v.vm, 'interrupts')
      this.hv.arch.setResults(v, [BigInt(RET.INTERRUPTED), BigInt(top?.vm.id ?? 0)])
    })
  }

  /** A child's stage-2 fault: stop it, report to the parent (a0 = 9, a1 = id, a2 = address). */
  childFault(v: Vcpu, pc: bigint, addr: bigint, cause: string): boolean {
    const child = v.vm
    if (!this.children.has(child) || !v.stackParent) return false
    const parent = v.stackParent
    this.hv.log.error(`VM ${child.id} performed illegal access (${cause} at ${hex(addr)}). Disabling.`)
    this.hv.stacks[v.pcpu]!.pop()
    child.state = 'faulted'
    child.fault = { vm: child.id, vmName: child.name, vcpu: v.id, pc, addr, cause }
    for (const c of child.vcpus) this.hv.arch.stopVcpu(c)
    this.count(parent.vm, 'faults')
    this.hv.arch.setResults(parent, [BigInt(RET.FAULT), BigInt(child.id), addr])
    return true
  }

  // ---- destroy and lend ----

  private destroy(v: Vcpu, id: bigint): CallResults {
    const child = this.child(v, id)
    if (!child) return err(HC_E_INVAL_ID)
    if (child.vcpus.some((c) => c.state === 'running' || c.state === 'stacked')) return err(HC_E_INVAL_ARGS)
    this.reclaim(child)
    return hcResult(HC_E_SUCCESS)
  }

  /** Destroy `child` (and, first, its own children) and give everything back to its parent. */
  private reclaim(child: Vm): void {
    const d = this.children.get(child)!
    const parent = d.parent
    this.hv.log.info(`Destroying dynamic VM ${child.id}`)
    this.hv.destroyVm(child) // its own children go first, through the vmDestroyed hook
    for (const t of d.taken) {
      this.zero(t.pa, t.size) // zeroed before the parent sees it again
      parent.stage2.mapMerged(t)
    }
    for (const dev of d.devices) parent.stage2.mapMerged(dev)
    for (const a of d.allocated) this.hv.phys.free(a.base, a.size)
    for (const irq of d.irqs) {
      parent.irqs.add(irq)
      this.hv.irqOwner.set(irq, parent)
      this.hv.arch.assignIrq(parent, irq)
    }
    parent.children.splice(parent.children.indexOf(child), 1)
    this.children.delete(child)
    this.count(parent, 'destroys')
  }

  private lend(v: Vcpu, id: bigint, parentGpa: bigint, childGpa: bigint): CallResults {
    const child = this.child(v, id)
    if (!child) return err(HC_E_INVAL_ID)
    const P = BigInt(PAGE)
    if (parentGpa % P || childGpa % P || parentGpa >= 2n ** 53n || childGpa >= 2n ** 53n) return err(HC_E_INVAL_ARGS)
    const pe = v.vm.stage2.lookup(Number(parentGpa))
    if (!pe || pe.kind !== 'ram') return err(HC_E_INVAL_ARGS)
    if (child.stage2.lookup(Number(childGpa))) return err(HC_E_INVAL_ARGS)
    const pa = pe.pa + (Number(parentGpa) - pe.gpa)
    child.stage2.map({ gpa: Number(childGpa), size: PAGE, pa, perm: pe.perm, kind: 'ram', name: `lent@${hex(parentGpa)}` })
    this.children.get(child)!.lent.push(pa)
    return hcResult(HC_E_SUCCESS)
  }

  /** Sessions: every child with what it took from its parent, and the counters. */
  snapshot(): DynamicVmsState {
    const plain = (e: Stage2Entry): PlainEntry => ({ gpa: e.gpa, size: e.size, pa: e.pa, perm: e.perm, kind: e.kind, name: e.name })
    return {
      counters: { ...this.counters },
      perParent: [...this.perParent].sort(([a], [b]) => a - b).map(([id, c]) => [id, { ...c }]),
      children: [...this.children].sort(([a], [b]) => a.id - b.id).map(([child, d]) => ({
        id: child.id, parent: d.parent.id, config: child.config, pcpus: child.vcpus.map((v) => v.pcpu),
        taken: d.taken.map(plain), allocated: d.allocated, devices: d.devices.map(plain), irqs: d.irqs, lent: d.lent,
        lentMaps: child.stage2.entries.filter((e) => e.name.startsWith('lent@')).map(plain),
        started: [...d.started].map((v) => v.id), preempted: [...d.preempted].map((v) => v.id),
      })),
    }
  }

  /**
   * Sessions: on a freshly booted machine, take from each parent again what its children took,
   * rebuild the children with their ids and pCPUs (parents first), and the bookkeeping. Their
   * memory, registers and stack places come back with the rest of the snapshot.
   */
  restore(state: unknown): void {
    const s = state as DynamicVmsState
    Object.assign(this.counters, s.counters)
    for (const [id, c] of s.perParent ?? []) this.perParent.set(id, { ...newCounters(), ...c })
    for (const c of s.children) {
      const parent = this.hv.vms.find((v) => v.id === c.parent)
      if (!parent) throw new Error(`dynamic VM ${c.id}: its parent VM ${c.parent} does not exist`)
      for (const t of [...c.taken, ...c.devices]) parent.stage2.unmapRange(t.gpa, t.size)
      for (const irq of c.irqs) {
        parent.irqs.delete(irq)
        this.hv.irqOwner.delete(irq)
      }
      for (const a of c.allocated) if (!this.hv.phys.take(a.base, a.size)) throw new Error(`dynamic VM ${c.id}: host memory ${hex(a.base)} is not free`)
      const child = this.hv.buildVm(c.id, c.config, c.pcpus, false)
      for (const irq of c.irqs) this.hv.irqOwner.set(irq, child)
      for (const m of c.lentMaps) child.stage2.map({ ...m })
      child.parent = parent
      parent.children.push(child)
      const byId = (ids: number[]): Set<Vcpu> => new Set(ids.map((i) => child.vcpus[i]!))
      this.children.set(child, {
        parent, taken: c.taken, allocated: c.allocated, devices: c.devices, irqs: c.irqs, lent: c.lent,
        started: byId(c.started), preempted: byId(c.preempted),
      })
    }
  }

  /** for tests: what a child holds */
  donationOf(child: Vm): Donation | undefined {
    return this.children.get(child)
  }
}

function err(code: number): CallResults {
  return hcResult(code)
}

export type { BoardDesc }
