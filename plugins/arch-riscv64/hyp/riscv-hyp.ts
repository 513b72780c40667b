/**
 * RISC-V glue of the hypervisor core (reference §8): the part of Bao that runs in HS-mode. The
 * hypervisor is native TypeScript, so the harts never run HS-mode code: every trap that would
 * reach HS (VS ecalls, guest-page faults, HS interrupts) is offered to `trap()` through the
 * hart's trap hook, and the G-stage is the core's stage-2 map. Guests run in VS/VU mode with
 * Bao's delegation: VS interrupts and the exceptions a guest handles itself go straight to VS.
 */
import { pmpDecode } from '../pmp.ts'
import type { ArchHyp } from '../../../core/arch.ts'
import type { BoardDevice } from '../../../core/board.ts'
import { vmDeviceNodes } from '../../../core/device.ts'
import type { Hypervisor } from '../../../core/hypervisor/hypervisor.ts'
import type { Vcpu, Vm } from '../../../core/hypervisor/vm.ts'
import { irqLine, NO_IRQ } from '../../../core/irq.ts'
import type { TimedEvent } from '../../../core/scheduler.ts'
import { CSR, EXC, IRQ, MEDELEG_MASK, MS, PRV_S, VS_IRQS } from '../csr-defs.ts'
import type { RiscvHart } from '../hart.ts'
import { wake } from '../interrupts.ts'
import { modeChanged } from '../trap.ts'
import { vmFdtTree } from '../vm-fdt.ts'
import { fdtToBytes } from '../../../core/fdt.ts'
import { EID_OF, handleSbi } from './sbi.ts'
import { ctxHvip, ctxMie, restoreContext, saveContext, setCtxHvip, setCtxMie, setCtxReg, type VcpuContext } from './context.ts'
import { VPlic } from './vplic.ts'
import { checkHypState, restoreHypState, snapshotHypState } from './session-state.ts'

/** what a guest handles itself (Bao delegates ecall-from-U and page faults; we add the rest a guest OS expects) */
const HEDELEG = (1 << EXC.INSN_MISALIGNED) | (1 << EXC.ILLEGAL) | (1 << EXC.BREAKPOINT) | (1 << EXC.LOAD_MISALIGNED) |
  (1 << EXC.STORE_MISALIGNED) | (1 << EXC.ECALL_U) | (1 << EXC.INSN_PAGE) | (1 << EXC.LOAD_PAGE) | (1 << EXC.STORE_PAGE)

const CAUSES: Record<number, string> = {
  [EXC.INSN_ACCESS]: 'instruction access fault', [EXC.LOAD_ACCESS]: 'load access fault', [EXC.STORE_ACCESS]: 'store access fault',
  [EXC.INSN_GUEST_PAGE]: 'illegal instruction fetch', [EXC.LOAD_GUEST_PAGE]: 'illegal load', [EXC.STORE_GUEST_PAGE]: 'illegal store',
  [EXC.VIRTUAL_INSN]: 'virtual instruction', [EXC.ECALL_S]: 'ecall from HS', [EXC.ECALL_M]: 'ecall from M',
}

export interface VmArch {
  vplic: VPlic
  /** bytes typed for the VM's SBI console (DBCN read, legacy getchar) */
  input: number[]
  unsupportedSeen: Set<number>
}

export interface VcpuArch {
  timer: TimedEvent | null
  /** the cycle `timer` fires at: what a session saves (the event itself is a closure) */
  timerAt: number | null
  /** what `timer` runs and its tag, made once per vCPU (set_timer is a frequent exit) */
  fire: () => void
  fireTag: string
  /** the saved guest context while the vCPU is not on its pCPU (VM stack), else null */
  ctx: VcpuContext | null
  /** while its external interrupts are masked (a TEE serving a call): whether VSEIE was set; else null */
  seieMasked: boolean | null
}

const hex = (n: number | bigint): string => '0x' + n.toString(16)

/** the VM config's `sstc` (arch.ts declares it): offer Sstc to the guest */
const sstc = (vm: Vm): boolean => vm.config.archOptions?.sstc === true

export class RiscvHyp implements ArchHyp {
  private readonly harts: RiscvHart[]
  private readonly plicDev: BoardDevice | undefined
  /** physical source → PLIC context it was enabled in */
  private readonly physCtx = new Map<number, number>()
  /** the context switchVcpu restored last, no longer referenced: the next save reuses its arrays */
  private spareCtx: VcpuContext | null = null

  constructor(readonly hv: Hypervisor) {
    this.harts = hv.machine.cpus as unknown as RiscvHart[]
    this.plicDev = hv.machine.board.devices.find((d) => d.type === 'plic')
    for (const h of this.harts) this.setupHart(h)
  }

  /** the vCPU on its pCPU right now (VM stack top) */
  private live(v: Vcpu): boolean {
    return this.hv.onCpu[v.pcpu] === v
  }

  private hart(v: Vcpu): RiscvHart { return this.harts[v.pcpu]! }

  /**
   * Input for a VM's SBI console, which has no interrupt: its vCPUs waiting in WFI return from
   * it (the privileged spec lets WFI complete at any time), so a guest that polls the console
   * between WFIs sleeps instead of spinning and still answers a key at once.
   */
  private wakeForInput(vm: Vm): void {
    if (vm.state !== 'running') return
    for (const v of vm.vcpus) {
      const h = this.hart(v)
      if (this.live(v) && h.idle && !h.halted) h.idle = false
    }
  }
  private varch(v: Vcpu): VcpuArch { return v.arch as VcpuArch }
  private vmArch(vm: Vm): VmArch { return vm.arch as VmArch }

  createVm(vm: Vm): void {
    const factory = this.hv.plugins.devices.get('plic')
    if (!factory || !this.plicDev) throw new Error('the board has no PLIC for the vPLIC to stand in for')
    const sources = Number(this.plicDev.params?.sources ?? 96)
    const contexts = vm.vcpus.flatMap((_, k) => [{ hart: k, line: 'meip' }, { hart: k, line: 'seip' }])
    const vplic = new VPlic(factory, {
      name: `${vm.name}.vplic`, base: this.plicDev.base, size: this.plicDev.size, params: { sources, contexts }, irqs: [],
      cpus: vm.vcpus.length,
      cpuLine: (k, line) => (line === 'seip' && vm.vcpus[k] ? this.vseipLine(vm.vcpus[k]!) : NO_IRQ),
      sched: this.hv.machine.sched, timebaseHz: this.hv.machine.board.timebaseHz, cpuHz: this.hv.machine.board.cpuHz,
      serial: (n) => this.hv.machine.serial(n), machine: this.hv.machine,
    })
    vm.arch = { vplic, input: [], unsupportedSeen: new Set() } satisfies VmArch
    vm.stage2.map({ gpa: this.plicDev.base, size: this.plicDev.size, pa: 0, perm: 3, kind: 'emulated', name: 'vplic', handler: vplic })
    // the SBI console gets what is typed when the VM has no UART of its own
    if (!vm.config.devs.some((d) => this.isUart(d.pa, d.emulate, vm))) {
      vm.console.setInputSink((b) => {
        (vm.arch as VmArch).input.push(b)
        this.wakeForInput(vm)
      })
    }
    for (const v of vm.vcpus) v.arch = { timer: null, timerAt: null, fire: () => this.timerFired(v), fireTag: `vm${vm.id}.vcpu${v.id}:sbi-timer`, ctx: null, seieMasked: null } satisfies VcpuArch
  }

  /** a UART of the VM's: an emulated device that opened a serial port, or a board device that did (a console) */
  private isUart(pa: number | undefined, emulate: string | undefined, vm: Vm): boolean {
    if (emulate) return [...this.hv.emulated.keys()].some((n) => n.startsWith(`${vm.name}.${emulate}@`)) && vm.console.hasInputSink
    const m = this.hv.machine
    return m.board.devices.some((d) => m.consoles.has(d.name) && pa !== undefined && pa >= d.base && pa < d.base + d.size)
  }

  /** Bao's HS-mode configuration of a pCPU (reference §8: delegation, counters); traps go to its current vCPU */
  private setupHart(h: RiscvHart): void {
    const c = h.c
    h.trapHook = (hart, cause, isIrq, tvalLo, tvalHi, htval) => {
      const v = this.hv.onCpu[hart.id]
      return v ? this.trap(v, hart, cause, isIrq, tvalLo, tvalHi, htval) : false
    }
    h.onExit = () => {
      const v = this.hv.onCpu[h.id]
      if (v) v.exits++
    }
    c[CSR.medeleg * 2] = MEDELEG_MASK
    c[CSR.mideleg * 2] = IRQ.SSI | IRQ.STI | IRQ.SEI
    c[CSR.hedeleg * 2] = HEDELEG
    c[CSR.hideleg * 2] = VS_IRQS
    c[CSR.mie * 2] = IRQ.SEI | VS_IRQS
    c[CSR.mcounteren * 2] = -1
    c[CSR.hcounteren * 2] = -1
    c[CSR.menvcfg * 2 + 1] = 1 << 31 // Sstc available (henvcfg, per vCPU, offers it to a guest)
    c[CSR.mstatus * 2] |= MS.FS // FP state on; the guest's vsstatus.FS gates it
    // PMP as the firmware under Bao leaves it (OpenSBI): S-mode and below may reach everything;
    // the hypervisor's stage-2 maps are what confine guests
    c[CSR.pmpaddr0 * 2] = -1
    c[CSR.pmpaddr0 * 2 + 1] = 0x3fffff
    c[CSR.pmpcfg0 * 2] = 0x1f // NAPOT, R|W|X
    h.pmp = pmpDecode(h)
    h.tlb.flush()
  }

  /** raise or clear a virtual interrupt (hvip bit) of a vCPU, on its hart or in its saved context */
  private setVip(v: Vcpu, bit: number, on: boolean): void {
    if (this.live(v)) {
      const h = this.hart(v)
      h.c[CSR.hvip * 2] = on ? h.c[CSR.hvip * 2]! | bit : h.c[CSR.hvip * 2]! & ~bit
      if (on) wake(h)
      return
    }
    const ctx = this.varch(v).ctx
    if (!ctx) return
    setCtxHvip(ctx, on ? ctxHvip(ctx) | bit : ctxHvip(ctx) & ~bit)
    if (on && v.state === 'stacked') this.hv.stackedInterrupt(v)
  }

  private vseipLine(v: Vcpu) {
    return irqLine((level) => this.setVip(v, IRQ.VSEI, level))
  }

  startVcpu(v: Vcpu, pc: bigint, args: bigint[]): void {
    const h = this.hart(v)
    h.x.fill(0)
    h.f.fill(0)
    args.forEach((a, i) => h.setArg(i, a))
    const c = h.c
    for (const n of [CSR.vsstatus, CSR.vsie, CSR.vstvec, CSR.vsscratch, CSR.vsepc, CSR.vscause, CSR.vstval, CSR.vsatp, CSR.hvip]) {
      c[n * 2] = 0
      c[n * 2 + 1] = n === CSR.vsstatus ? 0x2 : 0
    }
    c[CSR.vstimecmp * 2] = -1
    c[CSR.vstimecmp * 2 + 1] = -1
    c[CSR.henvcfg * 2] = 0
    c[CSR.henvcfg * 2 + 1] = sstc(v.vm) ? 1 << 31 : 0 // Sstc for guests configured for it
    c[CSR.mie * 2] = IRQ.SEI
    h.stage2 = v.vm.stage2
    h.vcpu = v.id
    this.varch(v).ctx = null
    h.pc = pc
    h.priv = PRV_S
    h.virt = 1
    h.halted = false
    h.idle = false
    h.timers.rearm()
    modeChanged(h)
    v.state = 'running'
  }

  stopVcpu(v: Vcpu): void {
    this.hv.machine.sched.cancel(this.varch(v).timer)
    this.varch(v).timer = null
    this.varch(v).timerAt = null
    if (this.live(v)) this.hart(v).halt()
    v.state = 'stopped'
  }

  switchVcpu(pcpu: number, from: Vcpu | undefined, to: Vcpu): void {
    const h = this.harts[pcpu]!
    if (from) this.varch(from).ctx = saveContext(h, this.spareCtx ?? undefined)
    this.spareCtx = null
    const ctx = this.varch(to).ctx
    if (ctx) {
      restoreContext(h, ctx)
      this.varch(to).ctx = null
      this.spareCtx = ctx
    }
    h.stage2 = to.vm.stage2
    h.vcpu = to.id
    h.halted = false
    h.timers.rearm()
    modeChanged(h)
  }

  /** SBI §3 / Bao's ABI: results in a0, a1, … */
  setResults(v: Vcpu, values: readonly bigint[]): void {
    const ctx = this.varch(v).ctx
    const saved = ctx && !this.live(v)
    for (let i = 0; i < values.length; i++) {
      if (saved) setCtxReg(ctx, 10 + i, values[i]!)
      else this.hart(v).setReg(10 + i, values[i]!)
    }
  }

  argRegs(v: Vcpu, n: number): bigint[] {
    const ctx = this.varch(v).ctx
    const out: bigint[] = []
    if (ctx && !this.live(v)) {
      for (let i = 10; i < 10 + n; i++) out.push(BigInt.asUintN(64, (BigInt(ctx.x[2 * i + 1]!) << 32n) | BigInt(ctx.x[2 * i]! >>> 0)))
    } else {
      const h = this.hart(v)
      for (let i = 10; i < 10 + n; i++) out.push(BigInt.asUintN(64, h.reg(i)))
    }
    return out
  }

  /** CROSSCON's sdTZ on RISC-V: clear the vCPU's VSEIE while it serves a call, give it back after */
  maskExternalIrqs(v: Vcpu, masked: boolean): void {
    const va = this.varch(v)
    const ctx = va.ctx && !this.live(v) ? va.ctx : null
    const mie = ctx ? ctxMie(ctx) : this.hart(v).c[CSR.mie * 2]!
    let next = mie
    if (masked && va.seieMasked === null) {
      va.seieMasked = (mie & IRQ.VSEI) !== 0
      next = mie & ~IRQ.VSEI
    } else if (!masked && va.seieMasked !== null) {
      next = va.seieMasked ? mie | IRQ.VSEI : mie & ~IRQ.VSEI
      va.seieMasked = null
    }
    if (ctx) setCtxMie(ctx, next)
    else {
      this.hart(v).c[CSR.mie * 2] = next
      if (next !== mie) wake(this.hart(v))
    }
  }

  /** a VM's boot hart starts with a0 = its hart id and a1 = the device tree (the RISC-V boot protocol) */
  bootArgs(v: Vcpu, dtbAddr: number): bigint[] {
    return [BigInt(v.id), BigInt(dtbAddr)]
  }

  pauseVcpu(v: Vcpu, paused: boolean): void {
    if (v.state !== 'running' || !this.live(v)) return
    const h = this.hart(v)
    h.halted = paused
    h.brk = true
  }

  /** an `ecall` with a7 = `service` (the SBI extension, or a named service's), a6 = `fn`, a0.. = `args`; returns a0..a5 after it */
  callAs(v: Vcpu, service: number | string, fn: number, args: bigint[]): bigint[] {
    const eid = typeof service === 'string' ? EID_OF.get(service) : service
    if (eid === undefined) throw new Error(`RISC-V has no SBI extension for the service '${String(service)}'`)
    // borrow the vCPU's argument registers, make the call, give them back
    const h = this.hart(v)
    const saved = h.x.slice(20, 36)
    const pcLo = h.pcLo, pcHi = h.pcHi
    for (let i = 0; i < 6; i++) h.setReg(10 + i, args[i] ?? 0n)
    h.setReg(16, BigInt(fn))
    h.setReg(17, BigInt(eid))
    handleSbi(this, v, h)
    // a call that switched vCPUs (VM stack) left v's results in its saved context
    if (!this.live(v)) return this.regs(v).x.slice(10, 16)
    const out = [10, 11, 12, 13, 14, 15].map((n) => h.reg(n))
    if (!h.halted) h.x.set(saved, 20)
    h.pcLo = pcLo
    h.pcHi = pcHi
    return out
  }

  regs(v: Vcpu): { pc: bigint; x: bigint[] } {
    const ctx = this.varch(v).ctx
    if (ctx && !this.live(v)) {
      const r = (lo: number, hi: number): bigint => (BigInt(hi) << 32n) | BigInt(lo >>> 0)
      return { pc: r(ctx.pcLo, ctx.pcHi), x: Array.from({ length: 32 }, (_, i) => (i ? r(ctx.x[2 * i]!, ctx.x[2 * i + 1]!) : 0n)) }
    }
    const h = this.hart(v)
    return { pc: h.pc, x: Array.from({ length: 32 }, (_, i) => h.reg(i)) }
  }

  assignIrq(vm: Vm, irq: number): void {
    // enable the source on the physical PLIC in the S-mode context of the VM's first pCPU
    const plic = this.plicDev!
    const ctx = 2 * vm.vcpus[0]!.pcpu + 1
    const bus = this.hv.machine.bus
    bus.write(plic.base + 4 * irq, 4, 1)
    const en = plic.base + 0x2000 + 0x80 * ctx + 4 * (irq >>> 5)
    bus.write(en, 4, bus.read(en, 4) | (1 << (irq & 31)))
    bus.write(plic.base + 0x200000 + 0x1000 * ctx, 4, 0)
    this.physCtx.set(irq, ctx)
  }

  setVirq(vm: Vm, irq: number, level: boolean): void {
    this.vmArch(vm).vplic.level(irq, level)
  }

  injectVirq(vm: Vm, irq: number): void {
    this.vmArch(vm).vplic.inject(irq)
  }

  buildDtb(vm: Vm): Uint8Array | null {
    const board = this.hv.machine.board
    const plic = this.plicDev!
    const m = this.hv.machine
    // its UARTs: the board's consoles it was given and the UARTs emulated for it, as their plugins describe them
    const uarts = vmDeviceNodes(vm.config.devs, board.devices, this.hv.plugins.deviceInfo, {
      minSize: 0x100,
      pick: (b) => m.consoles.has(b.name),
      paramsOf: (d) => m.live.all().find((e) => e.owner === vm && e.type === d.emulate && e.ctx.base === d.va)?.ctx.params ?? {},
    })
    const tree = vmFdtTree({
      name: vm.name, harts: vm.vcpus.length, timebaseHz: board.timebaseHz,
      memory: vm.config.regions.map((r) => ({ base: r.base, size: r.size })),
      plic: { base: plic.base, size: plic.size, ndev: Number(plic.params?.sources ?? 96) - 1 },
      uarts, bootargs: vm.config.bootargs,
    })
    const chosen = tree.children.find((n) => n.name === 'chosen') ?? tree.child('chosen')
    if (sstc(vm)) chosen.prop('baobab,sstc', true)
    const ipc = vm.config.ipcs[0]
    if (ipc) {
      const split = (n: number): number[] => [Math.floor(n / 2 ** 32), n >>> 0]
      chosen.prop('baobab,ipc', [...split(ipc.base), ...split(ipc.size), 0, ipc.interrupts[0] ?? 0])
      const first = this.hv.vms.find((o) => o.config.ipcs.some((i) => i.shmemId === ipc.shmemId))
      chosen.prop('baobab,ipc-role', !first || first === vm ? 'sender' : 'receiver')
    }
    return fdtToBytes(tree)
  }

  // ---- traps: everything that would enter HS-mode ----

  private trap(v: Vcpu, h: RiscvHart, cause: number, isIrq: boolean, tvalLo: number, tvalHi: number, htval: number): boolean {
    v.exits++
    if (isIrq) {
      if (cause === 9) this.physicalIrq(h)
      h.brk = true
      return true
    }
    if (cause === EXC.ECALL_VS) {
      // past the ecall first: a hypercall that switches vCPUs saves the caller resuming there
      h.pcLo = (h.pcLo + 4) | 0
      if ((h.pcLo >>> 0) < 4) h.pcHi = (h.pcHi + 1) | 0
      handleSbi(this, v, h)
      return true
    }
    const isGuestPage = cause === EXC.INSN_GUEST_PAGE || cause === EXC.LOAD_GUEST_PAGE || cause === EXC.STORE_GUEST_PAGE
    // report unsigned; htval (GPA >> 2) is a double, inexact for GPAs >= 2^53: with the VS stage Bare the GPA is tval
    const tv = (BigInt(tvalHi >>> 0) << 32n) | BigInt(tvalLo >>> 0)
    const vsBare = h.c[CSR.vsatp * 2 + 1]! >>> 28 === 0
    const addr = !isGuestPage || (vsBare && htval * 4 >= 2 ** 53) ? tv : BigInt(htval) * 4n + (tv & 3n)
    this.hv.stopVm(v, { pc: BigInt.asUintN(64, h.pc), addr, cause: CAUSES[cause] ?? `unhandled exception ${cause}` })
    return true
  }

  /** HS external interrupt: claim on the physical PLIC, hand it to the owner's vPLIC (reference §8) */
  private physicalIrq(h: RiscvHart): void {
    const plic = this.plicDev!
    const bus = this.hv.machine.bus
    const ctx = 2 * h.id + 1
    const claim = plic.base + 0x200004 + 0x1000 * ctx
    const id = bus.read(claim, 4)
    if (id === 0) return
    const owner = this.hv.irqOwner.get(id)
    if (!owner || owner.state !== 'running') {
      bus.write(claim, 4, id) // nobody to give it to: complete and forget
      return
    }
    this.vmArch(owner).vplic.hwRaise(id, () => bus.write(claim, 4, id), ctx)
  }

  // ---- services for sbi.ts ----

  sbiInput(vm: Vm): number[] { return this.vmArch(vm).input }

  setTimer(v: Vcpu, t: bigint): void {
    const h = this.hart(v)
    const sched = this.hv.machine.sched
    const va = this.varch(v)
    sched.cancel(va.timer)
    va.timer = null
    va.timerAt = null
    this.setVip(v, IRQ.VSTI, false)
    const now = BigInt(h.clock.ticks(h.nowCycles()))
    if (t <= now) return this.timerFired(v)
    if (t > BigInt(Number.MAX_SAFE_INTEGER)) return
    const at = h.clock.cycleOf(Number(t))
    if (at !== Infinity) this.armTimer(v, at)
  }

  /** the SBI timer of `v` fires at cycle `at` (tagged: a session restore re-arms it from `timerAt`) */
  armTimer(v: Vcpu, at: number): void {
    const va = this.varch(v)
    this.hv.machine.sched.cancel(va.timer)
    va.timerAt = at
    va.timer = this.hv.machine.sched.at(at, va.fire, va.fireTag)
  }

  private timerFired(v: Vcpu): void {
    const va = this.varch(v)
    va.timer = null
    va.timerAt = null
    this.setVip(v, IRQ.VSTI, true)
  }

  // ---- sessions (session-state.ts) ----

  snapshot(): unknown { return snapshotHypState(this.hv, this.plicDev) }
  restore(state: unknown): void { restoreHypState(this, this.hv, this.plicDev, state) }
  check(state: unknown): void { checkHypState(this.hv, this.plicDev, state) }

  sendIpi(t: Vcpu): void {
    if (t.state === 'stopped') return
    this.setVip(t, IRQ.VSSI, true)
  }

  remoteFence(t: Vcpu): void {
    if (this.live(t)) modeChanged(this.hart(t))
  }

  /** retentive suspend: like wfi, resuming after the ecall when an interrupt is pending */
  suspend(v: Vcpu): void {
    const h = this.hart(v)
    h.idle = true
    h.brk = true
  }

  systemReset(v: Vcpu, type: number): void {
    this.hv.log.info(`VM ${v.vm.id} (${v.vm.name}) requested system ${type === 0 ? 'shutdown' : 'reboot'}`)
    if (type === 0) this.hv.shutdownVm(v.vm)
    else this.hv.rebootVm(v.vm)
  }

  unsupported(vm: Vm, eid: number): void {
    const seen = this.vmArch(vm).unsupportedSeen
    if (seen.has(eid) || seen.size > 16) return
    seen.add(eid)
    this.hv.log.warning(`guest issued unsupport sbi extension call (${hex(eid)})`)
  }

  isRam(vm: Vm, addr: bigint): boolean {
    if (addr >= 2n ** 53n) return false
    const e = vm.stage2.lookup(Number(addr))
    return e !== undefined && e.kind === 'ram'
  }

  /** host-physical pieces of guest range [gpa, gpa+n), or null unless all of it is RAM */
  guestRange(vm: Vm, gpa: number, n: number): { pa: number; len: number }[] | null {
    const out: { pa: number; len: number }[] = []
    for (let a = gpa; a < gpa + n;) {
      const e = vm.stage2.lookup(a)
      if (!e || e.kind !== 'ram') return null
      const len = Math.min(e.gpa + e.size - a, gpa + n - a)
      out.push({ pa: e.pa + (a - e.gpa), len })
      a += len
    }
    return out
  }

  readGuest(parts: { pa: number; len: number }[]): Uint8Array {
    const bus = this.hv.machine.bus
    const chunks = parts.map((p) => bus.dump(p.pa, p.len))
    const out = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0))
    let o = 0
    for (const c of chunks) { out.set(c, o); o += c.length }
    return out
  }

  writeGuest(parts: { pa: number; len: number }[], data: Uint8Array): void {
    let o = 0
    for (const p of parts) {
      if (o >= data.length) break
      const n = Math.min(p.len, data.length - o)
      this.hv.machine.bus.load(p.pa, data.subarray(o, o + n))
      o += n
    }
  }
}
