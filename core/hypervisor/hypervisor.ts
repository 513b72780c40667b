/**
 * The hypervisor core: Bao's static partitioning, arch-neutral. From a validated config it
 * assigns physical CPUs to VMs (reference §2.4, made deterministic), builds each VM's stage-2 map
 * (RAM regions, passed-through and emulated devices, IPC windows), assigns interrupts, loads
 * images and starts the boot vCPUs. Traps reach it through the architecture plugin's glue
 * (`ArchHyp`); whatever a guest does, the result is a value for that guest or a stopped VM.
 */
import type { ArchDesc, ArchHyp } from '../arch.ts'
import type { BoardDevice } from '../board.ts'
import type { Device, DeviceContext } from '../device.ts'
import { NO_IRQ, type IrqLine } from '../irq.ts'
import { parseElf } from '../loader/elf.ts'
import { isDeviceHolder, type LiveDevice } from '../live-devices.ts'
import type { Machine } from '../machine.ts'
import type { PluginHost } from '../plugins.ts'
import type { HvConfig, HvVmConfig } from './config.ts'
import type { HvRegion } from './config-types.ts'
import { HypLog } from './log.ts'
import { S2_R, S2_W, S2_X, type Stage2Entry } from './stage2.ts'
import { Vm, type FaultReport, type Vcpu } from './vm.ts'
import { VmStack } from './vmstack.ts'
import { HostMemory, placeVm, planMemory, type Piece } from './memory-plan.ts'
import { PassThroughConsoles } from './console-route.ts'
import { readFileSync } from 'node:fs'
import { SERVICE_HYPERCALL, type Call, type CallResults } from './calls.ts'
import type { FaultInfo, HookName, HookSignatures } from './hooks.ts'

/** Bao hypercall results (upstream `hypercall.h`, returned negated) */
export const HC_E_SUCCESS = 0, HC_E_FAILURE = -1, HC_E_INVAL_ID = -2, HC_E_INVAL_ARGS = -3
/** Bao hypercall ids (class 0) */
export const HC_IPC = 1

/** a hypercall's results: Bao's error code in the first result register, `value` in the second */
export function hcResult(error: number, value = 0n): bigint[] {
  return [BigInt(error), value]
}

interface Shmem {
  id: number
  size: number
  /** its host pages (one piece unless coloured) */
  pieces: Piece[]
}

const hex = (n: number | bigint): string => '0x' + n.toString(16)

/** `vc` and its static children, depth first */
function configTree(vc: HvVmConfig): HvVmConfig[] {
  return [vc, ...vc.children.flatMap(configTree)]
}

/** Page by page through `vm`'s stage 2: a region's host pages need not be contiguous (pools, colours). */
function eachPage(vm: Vm, gpa: number, len: number, fn: (pa: number, off: number, n: number) => void): void {
  for (let off = 0; off < len;) {
    const n = Math.min(PAGE - ((gpa + off) % PAGE), len - off)
    fn(vm.gpaToPa(gpa + off), off, n)
    off += n
  }
}
const PAGE = 4096
/** what a device window's unbacked pages answer (QEMU's unimplemented-device behaviour) */
const UNIMPLEMENTED = { read: (): number => 0, write: (): void => {} }

export class Hypervisor {
  readonly vms: Vm[] = []
  readonly log: HypLog
  readonly arch: ArchHyp
  /** pCPU → vCPU running there (static partitioning: fixed at boot) */
  readonly onCpu: (Vcpu | undefined)[] = []
  /** physical interrupt → owning VM */
  readonly irqOwner = new Map<number, Vm>()
  /** devices the hypervisor emulates for its VMs, by instance name (sessions save their state) */
  readonly emulated = new Map<string, Device>()
  private readonly shmem: Shmem[] = []
  private faultListeners: ((f: FaultReport) => void)[] = []
  private createdListeners: ((vm: Vm) => void)[] = []
  /** one VM stack per pCPU (reference §4); `onCpu[p]` is always `stacks[p].current` */
  readonly stacks: VmStack[] = []
  /** host RAM no static VM uses: shared memory, dynamic VMs' extra regions */
  /** host RAM the pools have left (memory-plan.ts) */
  phys!: HostMemory
  /**
   * The host pages of every region whose pages the hypervisor took from the pools (the boot's plan,
   * VMs made at run time): destroying the VM gives them back. A VM-stack child's region 0 is its
   * parent's pages, and its feature returns what it allocated: neither is here.
   */
  private owned = new Map<HvRegion, Piece[]>()
  private nextId = 1
  /** passed-through consoles, routed to the VMs that own them */
  private consoles: PassThroughConsoles | null = null

  constructor(readonly machine: Machine, readonly config: HvConfig, readonly plugins: PluginHost, arch: ArchDesc) {
    this.log = new HypLog(() => machine.sched.time())
    if (!arch.hypervisor) throw new Error(`architecture ${arch.name} has no hypervisor support`)
    this.arch = arch.hypervisor(this)
    machine.cpus.forEach((_, p) => this.stacks.push(new VmStack(p, this.arch, (v) => { this.onCpu[p] = v })))
  }

  /** what features keep per machine (hooks.ts `perHypervisor`), by key */
  private readonly features = new Map<string, object>()

  /** the feature state under `key`, made by `make` on first use */
  featureData<T extends object>(key: string, make: (hv: Hypervisor) => T): T {
    let t = this.features.get(key) as T | undefined
    if (!t) this.features.set(key, (t = make(this)))
    return t
  }

  /** the features' hooks of one kind (plugins add them through their ctx) */
  private hooks<K extends HookName>(name: K): readonly HookSignatures[K][] {
    return this.plugins.hooks.list(name)
  }

  /** A virtual interrupt arrived for a vCPU stacked under a child: it stays pending (saved context) unless a feature acts. */
  stackedInterrupt(v: Vcpu): void {
    for (const fn of this.hooks('stackedInterrupt')) fn(this, v)
  }

  /**
   * A firmware or hypervisor call the architecture decoded (core/hypervisor/calls.ts): the
   * results for the caller's result registers, null when the handler switched vCPUs, or
   * undefined when nothing serves it (the arch answers "not supported" in its own terms).
   */
  call(vcpu: Vcpu, conduit: string, service: number | string, fn: number, args: readonly bigint[]): CallResults | undefined {
    return this.dispatch({ hv: this, vcpu, conduit, service, fn, args })
  }

  /**
   * `call` for a `Call` the arch built itself — on the VM-exit path, an object that turns the
   * argument registers into `args` only when a handler reads them.
   */
  dispatch(call: Call): CallResults | undefined {
    if (call.service === SERVICE_HYPERCALL) call.vcpu.vm.hypercalls++
    const route = this.plugins.calls.find(call.conduit, call.service, call.fn)
    if (route) return route.handler(call)
    if (call.service === SERVICE_HYPERCALL) return this.baoHypercall(call)
    return undefined
  }

  /** whether calls to `service` through `conduit` are served (SBI probe_extension) */
  serves(conduit: string, service: number | string): boolean {
    return service === SERVICE_HYPERCALL || this.plugins.calls.serves(conduit, service)
  }

  /** Build every VM and start the boot vCPUs. Throws (before anything runs) on an impossible config. */
  boot(): void {
    const cpus = this.machine.cpus.length
    const assign = assignCpus(this.config.vms, cpus)
    // the config was checked against the same plan, so this does not fail
    const plan = planMemory(this.machine.board, this.config.vms, this.config.shmem, this.config.hypColors, (path, rule) => {
      throw new Error(`${path}: ${rule}`)
    })
    this.phys = new HostMemory(plan.pool, this.machine.board.memory)
    this.owned = plan.regions
    this.allocShmem(plan.shmem)
    this.config.vms.forEach((vc, i) => this.createVm(this.nextId++, vc, assign[i]!))
    // static VM-stack children (CROSSCON's `children`: a TEE's GPOS, a GPOS's TEE) are built now
    // on their parent's pCPUs and wait, inactive, until a feature puts them on the stack; their
    // ids follow the roots', parents before children
    for (let k = 0; k < this.vms.length; k++) this.buildStaticChildren(this.vms[k]!)
    // every pCPU waits: boot vCPUs start below; the others on SBI HSM / PSCI CPU_ON; pCPUs no VM
    // took stay off, as in Bao
    for (const h of this.machine.cpus) h.halt()
    // static children wait on the stack for a feature to start them
    for (const vm of this.vms) if (!vm.parent) this.startVm(vm)
    this.consoles = new PassThroughConsoles(this)
    this.consoles.update()
  }

  private allocShmem(planned: Piece[][]): void {
    this.config.shmem.forEach((s, id) => {
      const size = Math.ceil(s.size / PAGE) * PAGE
      const pieces = planned[id]!
      this.shmem.push({ id, size, pieces })
      for (const p of pieces) this.machine.bus.zero(p.pa, p.size)
    })
  }

  /** A fresh VM id (Bao counts from 1 and never reuses one). */
  allocId(): number {
    return this.nextId++
  }

  /** the id the next VM will get (sessions: any id past the boot VMs' means VMs were made at run time) */
  get nextVmId(): number {
    return this.nextId
  }

  /** sessions: what the features say they cannot capture yet */
  featureProblems(): string[] {
    return [...this.plugins.hooks.states.values()].map((s) => s.captureProblem?.(this) ?? null).filter((p): p is string => p !== null)
  }

  /** sessions: each feature's state, by feature name */
  featureStates(): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const [name, s] of this.plugins.hooks.states) out[name] = s.snapshot(this)
    return out
  }

  restoreFeatureStates(states: Record<string, unknown>): void {
    for (const [name, st] of Object.entries(states)) {
      const s = this.plugins.hooks.states.get(name)
      if (!s) throw new Error(`the snapshot has state of feature '${name}', which no loaded plugin restores`)
      s.restore(this, st)
    }
  }

  /** sessions: the id counter as it was when the snapshot was taken */
  restoreNextId(n: number): void {
    this.nextId = n
  }

  /**
   * Sessions: build a VM created at run time again, with the id and pCPUs it had. Its memory,
   * registers and devices are restored after this, so it is built but its image is not run.
   */
  recreateVm(id: number, vc: HvVmConfig, pcpus: number[]): Vm {
    // its pages, exactly as they were (createVmAtRuntime wrote them into its regions' `backing`)
    const took: Piece[] = []
    const take = (c: HvVmConfig): void => {
      for (const r of c.regions) {
        const pieces = r.backing ?? [{ offset: 0, size: r.size, pa: r.phys }]
        for (const p of pieces) {
          if (!this.phys.take(p.pa, p.size)) {
            for (const t of took) this.phys.free(t.pa, t.size)
            for (const x of configTree(vc)) for (const q of x.regions) this.owned.delete(q)
            throw new Error(`VM ${vc.name}: its host memory ${hex(p.pa)}..${hex(p.pa + p.size)} is not free`)
          }
          took.push(p)
        }
        this.owned.set(r, pieces)
      }
      c.children.forEach(take)
    }
    take(vc)
    this.config.vms.push(vc)
    const vm = this.buildVm(id, vc, pcpus, true)
    return vm
  }

  private createVm(id: number, vc: HvVmConfig, pcpus: number[]): void {
    this.buildVm(id, vc, pcpus, true)
  }

  /**
   * Build a VM's stage-2 map, devices, interrupts and arch state. `live`: its vCPUs take their
   * pCPUs now (static VMs); dynamic children wait on their parent's pCPUs until invoked.
   */
  buildVm(id: number, vc: HvVmConfig, pcpus: number[], live: boolean, extra?: (vm: Vm) => void): Vm {
    const vm = new Vm(id, vc, pcpus)
    this.vms.push(vm)
    for (const fn of this.createdListeners) fn(vm)
    for (const fn of this.hooks('vmCreated')) fn(this, vm)
    const log = this.log
    log.info(`Initializing VM ${id}`)
    for (const r of vc.regions) {
      const pieces = r.backing ?? this.owned.get(r) ?? [{ offset: 0, size: r.size, pa: r.phys }]
      this.mapPieces(vm, r.base, pieces, S2_R | S2_W | S2_X, 'ram', `region@${hex(r.base)}`)
      log.info(`VM ${id} adding memory region, VA ${hex(r.base)} size ${hex(r.size)}`)
    }
    for (const d of vc.devs) {
      if (d.emulate) this.emulateDevice(vm, d.emulate, d.va, d.size, d.interrupts)
      else if (d.size > 0 && d.pa !== undefined) {
        const size = Math.ceil(d.size / PAGE) * PAGE
        const va = Math.floor(d.va / PAGE) * PAGE
        const pa = Math.floor(d.pa / PAGE) * PAGE
        this.mapDeviceWindow(vm, va, pa, size)
        log.info(`VM ${id} adding MMIO region, VA: ${hex(va)} size: ${hex(size)} mapped at ${hex(d.pa)}`)
      }
      if (!d.emulate) for (const irq of d.interrupts) this.assignIrq(vm, irq)
    }
    vc.ipcs.forEach((ipc) => {
      const s = this.shmem[ipc.shmemId]!
      const size = Math.min(Math.ceil(ipc.size / PAGE) * PAGE, s.size)
      // an IPC window shorter than its shmem maps the shmem's first `size` bytes
      const pieces = s.pieces.filter((p) => p.offset < size).map((p) => ({ ...p, size: Math.min(p.size, size - p.offset) }))
      this.mapPieces(vm, ipc.base, pieces, S2_R | S2_W, 'ipc', `ipc-shmem${ipc.shmemId}`)
      log.info(`VM ${id} adding IPC for shared memory ${ipc.shmemId} at VA: ${hex(ipc.base)} size: ${hex(size)}`)
    })
    log.info(`VM ${id} is ${vc.type === 0 ? 'sdGPOS (normal VM)' : vc.type === 3 ? 'sdSGX (enclave)' : 'sdTZ (OP-TEE)'}`)
    extra?.(vm)
    this.arch.createVm(vm)
    // devices the arch made from plugin factories behind its own handlers (the vPLIC's PLIC)
    for (const e of vm.stage2.entries) if (isDeviceHolder(e.handler)) for (const d of e.handler.heldDevices()) this.trackLive(vm, d)
    this.consoles?.update()
    if (!live) {
      for (const v of vm.vcpus) v.state = 'inactive'
      return vm
    }
    for (const v of vm.vcpus) {
      this.onCpu[v.pcpu] = v
      this.stacks[v.pcpu]!.current = v
    }
    this.loadGuest(vm)
    return vm
  }

  /** Map host pieces at `gpa` on, one entry each (a coloured window has thousands: mapped at once). */
  private mapPieces(vm: Vm, gpa: number, pieces: readonly Piece[], perm: number, kind: 'ram' | 'ipc', name: string): void {
    vm.stage2.mapAll(pieces.map((p) => ({ gpa: gpa + p.offset, size: p.size, pa: p.pa, perm, kind, name })))
  }

  /** Load a new VM's image and place its device tree (at the top of its first region). */
  private loadGuest(vm: Vm): void {
    this.loadImage(vm)
    const dtb = vm.config.dtb ? this.arch.buildDtb(vm) : null
    if (dtb) {
      vm.dtbAddr = this.dtbPlace(vm, dtb.length)
      this.writeGuest(vm, vm.dtbAddr, dtb)
    }
  }

  /** Build `parent`'s static children (config `children`), images and device trees loaded, not started. */
  private buildStaticChildren(parent: Vm): void {
    for (const vc of parent.config.children) {
      const child = this.buildVm(this.nextId++, vc, parent.vcpus.slice(0, vc.cpuNum).map((v) => v.pcpu), false)
      child.parent = parent
      parent.children.push(child)
      this.loadGuest(child)
    }
  }

  /** Start a static child's vCPU `v` at its VM's entry, as a boot vCPU starts (a feature calls this once it is on the stack). */
  startChild(v: Vcpu): void {
    this.arch.startVcpu(v, BigInt(v.vm.config.entry), this.arch.bootArgs(v, v.vm.dtbAddr))
  }

  /**
   * Map a passed-through device window. Pages of it where the board has no device (CROSSCON's
   * demos map 64 KiB around a 256-byte UART) read as zero and ignore writes, as QEMU's
   * unimplemented devices do, and the log says so once.
   */
  private mapDeviceWindow(vm: Vm, va: number, pa: number, size: number): void {
    const devices = this.machine.board.devices
    const backed = (p: number): boolean => devices.some((bd) => p < bd.base + bd.size && bd.base < p + PAGE)
    for (let off = 0; off < size;) {
      const b = backed(pa + off)
      let end = off + PAGE
      while (end < size && backed(pa + end) === b) end += PAGE
      const gpa = va + off, n = end - off
      if (b) vm.stage2.map({ gpa, size: n, pa: pa + off, perm: S2_R | S2_W, kind: 'device', name: `dev@${hex(pa + off)}` })
      else {
        vm.stage2.map({ gpa, size: n, pa: 0, perm: S2_R | S2_W, kind: 'emulated', name: `unimplemented@${hex(pa + off)}`, handler: UNIMPLEMENTED })
        this.log.warning(`VM ${vm.id} MMIO window at ${hex(pa + off)} size ${hex(n)} has no device: reads as zero, writes ignored`)
      }
      off = end
    }
  }

  /** The device tree goes at the top of the VM's first region, page aligned. */
  private dtbPlace(vm: Vm, len: number): number {
    const r = vm.config.regions[0]!
    return Math.floor((r.base + r.size - len - PAGE) / PAGE) * PAGE
  }

  /** Write `data` at guest-physical `gpa` of `vm`, through its stage 2 */
  private writeGuest(vm: Vm, gpa: number, data: Uint8Array): void {
    eachPage(vm, gpa, data.length, (pa, off, n) => this.machine.bus.load(pa, data.subarray(off, off + n)))
  }

  private loadImage(vm: Vm): void {
    const img = vm.config.image
    if (!img) return
    const bytes = new Uint8Array(readFileSync(img.path))
    const put = (gpa: number, data: Uint8Array): void => this.writeGuest(vm, gpa, data)
    const zero = (gpa: number, len: number): void => eachPage(vm, gpa, len, (pa, _off, n) => this.machine.bus.zero(pa, n))
    if (img.kind === 'elf') {
      const elf = parseElf(bytes)
      for (const s of elf.segments) {
        put(Number(s.paddr), s.data)
        const bss = Number(s.memsz) - s.data.length
        if (bss > 0) zero(Number(s.paddr) + s.data.length, bss)
      }
    } else put(img.baseAddr, bytes)
  }

  private emulateDevice(vm: Vm, type: string, gpa: number, size: number, irqs: number[]): void {
    const factory = this.plugins.devices.get(type)
    if (!factory) throw new Error(`VM ${vm.name}: no device type '${type}'`)
    const lines: IrqLine[] = irqs.map((n) => ({ set: (level: boolean) => this.arch.setVirq(vm, n, level) }))
    const bd: BoardDevice = { name: `${vm.name}.${type}@${hex(gpa)}`, type, base: gpa, size }
    // a device that opens a serial port is a UART: it becomes the VM's console (any type, not one by name)
    let console = false
    const ctx: DeviceContext = {
      name: bd.name, base: gpa, size, params: { serial: `vm:${vm.name}` }, irqs: lines,
      cpus: vm.vcpus.length, cpuLine: () => NO_IRQ, sched: this.machine.sched,
      timebaseHz: this.machine.board.timebaseHz, cpuHz: this.machine.board.cpuHz,
      serial: (n) => { console = true; return this.machine.serial(n) }, machine: this.machine,
    }
    const device: Device = factory(ctx)
    this.emulated.set(bd.name, device)
    const serial = this.machine.serial(`vm:${vm.name}`)
    const unsubscribe = console ? serial.onOutput((b) => vm.console.put(b)) : () => {}
    if (console) vm.console.setInputSink((b) => serial.send(new Uint8Array([b])))
    const size4k = Math.ceil(size / PAGE) * PAGE
    const entry: Stage2Entry = { gpa, size: size4k, pa: 0, perm: S2_R | S2_W, kind: 'emulated', name: bd.name, handler: device }
    vm.stage2.map(entry)
    let current = device
    const swap = (next: Device): void => {
      // every stage-2 entry reaching it (a VM-stack child may hold a copy of the entry)
      for (const v of this.vms) for (const e of v.stage2.entries) if (e.handler === current) e.handler = next
      entry.handler = next
      this.emulated.set(bd.name, next)
      current = next
    }
    this.trackLive(vm, { type, factory, ctx, device, swap }, () => {
      unsubscribe()
      if (this.emulated.get(bd.name) === current) this.emulated.delete(bd.name)
    })
    this.log.info(`VM ${vm.id} emulating ${type} at ${hex(gpa)}`)
  }

  // ---- live device instances (hot reload replaces them in place; core/live-devices.ts) ----

  private readonly liveCleanup = new Map<Vm, (() => void)[]>()

  private trackLive(vm: Vm, d: Omit<LiveDevice, 'owner'>, cleanup?: () => void): void {
    this.machine.live.track({ ...d, owner: vm })
    if (cleanup) {
      const list = this.liveCleanup.get(vm) ?? []
      list.push(cleanup)
      this.liveCleanup.set(vm, list)
    }
  }

  /** A destroyed VM's devices are no longer live: no reload reaches them, no console gets their bytes. */
  private untrackLive(vm: Vm): void {
    this.machine.live.untrack(vm)
    for (const fn of this.liveCleanup.get(vm) ?? []) fn()
    this.liveCleanup.delete(vm)
  }

  private assignIrq(vm: Vm, irq: number): void {
    vm.irqs.add(irq)
    if (!this.irqOwner.has(irq)) this.irqOwner.set(irq, vm)
    this.arch.assignIrq(vm, irq)
    this.log.info(`VM ${vm.id} assigning interrupt ${irq}`)
  }

  private startVm(vm: Vm): void {
    const boot = vm.vcpus[0]!
    // the boot vCPU starts at the entry; the others wait for SBI HSM / PSCI CPU_ON
    this.arch.startVcpu(boot, BigInt(vm.config.entry), this.arch.bootArgs(boot, vm.dtbAddr))
  }

  /**
   * Create a VM while the others run (REPL `hv.create`): `vc` has been validated against the
   * running config; it takes free pCPUs (those no running VM holds) and starts at once.
   */
  createVmAtRuntime(vc: HvVmConfig): Vm {
    const free = this.machine.cpus.map((_, p) => p).filter((p) => !this.onCpu[p] || this.onCpu[p]!.vm.state !== 'running')
    const want = free.filter((p) => (vc.cpuAffinity >>> p) & 1).concat(free.filter((p) => !((vc.cpuAffinity >>> p) & 1))).slice(0, vc.cpuNum)
    if (want.length < vc.cpuNum) throw new Error(`VM ${vc.name} needs ${vc.cpuNum} CPUs, ${free.length} free`)
    // its pages from the pools (throws, having taken nothing, when they are not there); written
    // into its regions so a session brings the same pages back (recreateVm)
    for (const [r, pieces] of placeVm(this.machine.board, this.phys.pool, vc)) {
      r.backing = pieces
      this.owned.set(r, pieces)
      for (const p of pieces) this.machine.bus.zero(p.pa, p.size)
    }
    const id = this.allocId()
    this.config.vms.push(vc)
    try {
      this.createVm(id, vc, want)
    } catch (e) {
      this.config.vms.splice(this.config.vms.indexOf(vc), 1)
      const made = this.vms.find((v) => v.id === id)
      if (made) this.destroyVm(made)
      // placeVm took pages for its static children too, which were never built
      for (const c of configTree(vc)) this.freeOwned(c)
      throw e
    }
    const vm = this.vms.find((v) => v.id === id)!
    this.buildStaticChildren(vm)
    for (const v of vm.vcpus) this.machine.cpus[v.pcpu]!.halt()
    this.startVm(vm)
    return vm
  }

  /** Destroy a VM: its vCPUs stop, its pCPUs and interrupts are free again. */
  destroyVm(vm: Vm): void {
    for (const fn of this.hooks('vmDestroyed')) fn(this, vm)
    // static children go with their parent (features released theirs above)
    for (const c of [...vm.children]) if (this.vms.includes(c)) this.destroyVm(c)
    this.untrackLive(vm)
    for (const v of vm.vcpus) this.arch.stopVcpu(v)
    vm.state = 'stopped'
    for (const irq of vm.irqs) if (this.irqOwner.get(irq) === vm) this.irqOwner.delete(irq)
    for (const v of vm.vcpus) {
      if (this.onCpu[v.pcpu] === v) this.onCpu[v.pcpu] = undefined
      if (this.stacks[v.pcpu]!.current === v) this.stacks[v.pcpu]!.current = undefined
    }
    const i = this.vms.indexOf(vm)
    if (i >= 0) this.vms.splice(i, 1)
    const c = this.config.vms.indexOf(vm.config)
    if (c >= 0) this.config.vms.splice(c, 1)
    this.freeOwned(vm.config)
    this.consoles?.update()
    this.log.info(`VM ${vm.id} (${vm.name}) destroyed`)
  }

  /** Give the pages of `vc`'s own regions back to the pools (its static children are VMs of their own). */
  private freeOwned(vc: HvVmConfig): void {
    for (const r of vc.regions) {
      const pieces = this.owned.get(r)
      if (!pieces) continue
      for (const p of pieces) this.phys.free(p.pa, p.size)
      this.owned.delete(r)
    }
  }

  /** the host pages the hypervisor took for `vm`'s regions (config re-apply plans with them) */
  ownedPieces(vm: Vm): Piece[] {
    return vm.config.regions.flatMap((r) => this.owned.get(r) ?? [])
  }

  /** Pause/resume a VM's vCPUs (interrupts stay pending until it runs again). */
  pauseVm(vm: Vm, paused: boolean): void {
    for (const v of vm.vcpus) this.arch.pauseVcpu(v, paused)
  }

  /** The VM whose vCPU runs on pCPU `pcpu`. */
  vmOnCpu(pcpu: number): Vm | undefined {
    return this.onCpu[pcpu]?.vm
  }

  /** every VM built after boot starts (REPL create, VM-stack children, config re-apply) */
  onVmCreated(fn: (vm: Vm) => void): void {
    this.createdListeners.push(fn)
  }

  onFault(fn: (f: FaultReport) => void): void {
    this.faultListeners.push(fn)
  }

  /** Fault containment: stop every vCPU of the VM, report, let the others run on. */
  stopVm(vcpu: Vcpu, report: FaultInfo): void {
    const vm = vcpu.vm
    if (vm.state !== 'running') return
    for (const fn of this.hooks('fault')) if (fn(this, vcpu, report)) return
    const f: FaultReport = { vm: vm.id, vmName: vm.name, vcpu: vcpu.id, ...report }
    vm.state = 'faulted'
    vm.fault = f
    for (const v of vm.vcpus) this.arch.stopVcpu(v)
    this.log.error(`VM ${vm.id} (${vm.name}) vCPU ${vcpu.id} ${report.cause} at ${hex(report.addr)} (pc ${hex(report.pc)}). Disabling.`)
    for (const fn of this.faultListeners) fn(f)
  }

  /** A VM asked to power off (SBI SRST, PSCI SYSTEM_OFF): its vCPUs stop; others run on. */
  shutdownVm(vm: Vm): void {
    if (vm.state !== 'running') return
    vm.state = 'stopped'
    for (const v of vm.vcpus) this.arch.stopVcpu(v)
    this.log.info(`VM ${vm.id} (${vm.name}) shut down`)
    if (this.vms.every((v) => v.state !== 'running')) this.machine.poweroff(0)
  }

  /**
   * A VM asked to reboot (SBI SRST cold/warm reboot): its vCPUs stop now; at the end of the
   * window its image and device tree are loaded again and the boot vCPU starts at the entry.
   */
  rebootVm(vm: Vm): void {
    if (vm.state !== 'running') return
    for (const v of vm.vcpus) this.arch.stopVcpu(v)
    this.log.info(`VM ${vm.id} (${vm.name}) rebooting`)
    this.machine.sched.at(this.machine.sched.now, () => {
      if (!this.vms.includes(vm)) return
      this.loadImage(vm)
      const dtb = vm.config.dtb ? this.arch.buildDtb(vm) : null
      if (dtb) this.writeGuest(vm, vm.dtbAddr, dtb)
      vm.state = 'running'
      this.startVm(vm)
    })
  }

  /** Bao's own hypercalls, class 0 (upstream numbering): IPC notify; other classes no feature serves. */
  private baoHypercall(call: Call): CallResults {
    if (call.fn === HC_IPC) return this.ipcNotify(call.vcpu.vm, call.args[0] ?? 0n, call.args[1] ?? 0n)
    return hcResult(HC_E_INVAL_ID)
  }

  /** load the image of a VM config into the VM's memory (through its stage-2 map) */
  load(vm: Vm): void {
    this.loadImage(vm)
  }

  /** reference §3.4: inject `interrupts[event]` of every other VM sharing the same memory */
  ipcNotify(vm: Vm, ipcId: bigint, event: bigint): bigint[] {
    if (ipcId < 0n || ipcId >= BigInt(vm.config.ipcs.length)) return hcResult(HC_E_INVAL_ARGS)
    const shmemId = vm.config.ipcs[Number(ipcId)]!.shmemId
    for (const peer of this.vms) {
      if (peer === vm || peer.state !== 'running') continue
      for (const ipc of peer.config.ipcs) {
        if (ipc.shmemId !== shmemId || event < 0n || event >= BigInt(ipc.interrupts.length)) continue
        this.arch.injectVirq(peer, ipc.interrupts[Number(event)]!)
      }
    }
    return hcResult(HC_E_SUCCESS)
  }
}

/**
 * Reference §2.4, deterministic: pass 1 gives each pCPU, in order, to the first VM whose
 * affinity names it and that still needs CPUs; pass 2 gives the rest to the first VM in need.
 */
export function assignCpus(vms: HvVmConfig[], cpus: number): number[][] {
  const got: number[][] = vms.map(() => [])
  const taken = new Array<boolean>(cpus).fill(false)
  for (let p = 0; p < cpus; p++) {
    const i = vms.findIndex((vm, k) => ((vm.cpuAffinity >>> p) & 1) === 1 && got[k]!.length < vm.cpuNum)
    if (i >= 0) { got[i]!.push(p); taken[p] = true }
  }
  for (let p = 0; p < cpus; p++) {
    if (taken[p]) continue
    const i = vms.findIndex((vm, k) => got[k]!.length < vm.cpuNum)
    if (i >= 0) { got[i]!.push(p); taken[p] = true }
  }
  vms.forEach((vm, i) => {
    if (got[i]!.length < vm.cpuNum) throw new Error(`VM ${vm.name} needs ${vm.cpuNum} CPUs, only ${got[i]!.length} left`)
  })
  return got
}
