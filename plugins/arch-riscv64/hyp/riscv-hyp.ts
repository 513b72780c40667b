/**
 * RISC-V glue of the hypervisor core (reference §8): the part of Bao that runs in HS-mode. The
 * hypervisor is native TypeScript, so the harts never run HS-mode code: every trap that would
 * reach HS (VS ecalls, guest-page faults, HS interrupts) is offered to `trap()` through the
 * hart's trap hook, and the G-stage is the core's stage-2 map. Guests run in VS/VU mode with
 * Bao's delegation: VS interrupts and the exceptions a guest handles itself go straight to VS.
 */
import type { ArchHyp } from '../../../core/arch.ts'
import type { BoardDevice } from '../../../core/board.ts'
import type { Hypervisor, HypercallResult } from '../../../core/hypervisor/hypervisor.ts'
import { HC_E_INVAL_ID } from '../../../core/hypervisor/hypervisor.ts'
import type { Vcpu, Vm } from '../../../core/hypervisor/vm.ts'
import { irqLine, NO_IRQ } from '../../../core/irq.ts'
import type { TimedEvent } from '../../../core/scheduler.ts'
import { CSR, EXC, IRQ, MEDELEG_MASK, MS, PRV_S, VS_IRQS } from '../csr-defs.ts'
import type { RiscvHart } from '../hart.ts'
import { wake } from '../interrupts.ts'
import { modeChanged } from '../trap.ts'
import { vmFdtTree } from '../vm-fdt.ts'
import { fdtToBytes } from '../../../core/fdt.ts'
import { handleSbi } from './sbi.ts'
import { VPlic } from './vplic.ts'

/** what a guest handles itself (Bao delegates ecall-from-U and page faults; we add the rest a guest OS expects) */
const HEDELEG = (1 << EXC.INSN_MISALIGNED) | (1 << EXC.ILLEGAL) | (1 << EXC.BREAKPOINT) | (1 << EXC.LOAD_MISALIGNED) |
  (1 << EXC.STORE_MISALIGNED) | (1 << EXC.ECALL_U) | (1 << EXC.INSN_PAGE) | (1 << EXC.LOAD_PAGE) | (1 << EXC.STORE_PAGE)

const CAUSES: Record<number, string> = {
  [EXC.INSN_ACCESS]: 'instruction access fault', [EXC.LOAD_ACCESS]: 'load access fault', [EXC.STORE_ACCESS]: 'store access fault',
  [EXC.INSN_GUEST_PAGE]: 'illegal instruction fetch', [EXC.LOAD_GUEST_PAGE]: 'illegal load', [EXC.STORE_GUEST_PAGE]: 'illegal store',
  [EXC.VIRTUAL_INSN]: 'virtual instruction', [EXC.ECALL_S]: 'ecall from HS', [EXC.ECALL_M]: 'ecall from M',
}

interface VmArch {
  vplic: VPlic
  /** bytes typed for the VM's SBI console (DBCN read, legacy getchar) */
  input: number[]
  unsupportedSeen: Set<number>
}

interface VcpuArch {
  timer: TimedEvent | null
}

const hex = (n: number | bigint): string => '0x' + n.toString(16)

export class RiscvHyp implements ArchHyp {
  private readonly harts: RiscvHart[]
  private readonly plicDev: BoardDevice | undefined
  /** physical source → PLIC context it was enabled in */
  private readonly physCtx = new Map<number, number>()

  constructor(private readonly hv: Hypervisor) {
    this.harts = hv.machine.harts as unknown as RiscvHart[]
    this.plicDev = hv.machine.board.devices.find((d) => d.type === 'plic')
  }

  private hart(v: Vcpu): RiscvHart { return this.harts[v.pcpu]! }
  private varch(v: Vcpu): VcpuArch { return v.arch as VcpuArch }
  private vmArch(vm: Vm): VmArch { return vm.arch as VmArch }

  createVm(vm: Vm): void {
    const factory = this.hv.plugins.devices.get('plic')
    if (!factory || !this.plicDev) throw new Error('the board has no PLIC for the vPLIC to stand in for')
    const sources = Number(this.plicDev.params?.sources ?? 96)
    const contexts = vm.vcpus.flatMap((_, k) => [{ hart: k, line: 'meip' }, { hart: k, line: 'seip' }])
    const vplic = new VPlic(factory, {
      name: `${vm.name}.vplic`, base: this.plicDev.base, size: this.plicDev.size, params: { sources, contexts }, irqs: [],
      harts: vm.vcpus.length,
      hartLine: (k, line) => (line === 'seip' && vm.vcpus[k] ? this.vseipLine(vm.vcpus[k]!) : NO_IRQ),
      sched: this.hv.machine.sched, timebaseHz: this.hv.machine.board.timebaseHz, cpuHz: this.hv.machine.board.cpuHz,
      serial: (n) => this.hv.machine.serial(n), machine: this.hv.machine,
    })
    vm.arch = { vplic, input: [], unsupportedSeen: new Set() } satisfies VmArch
    vm.stage2.map({ gpa: this.plicDev.base, size: this.plicDev.size, pa: 0, perm: 3, kind: 'emulated', name: 'vplic', handler: vplic })
    // the SBI console gets what is typed when the VM has no UART of its own
    if (!vm.config.devs.some((d) => this.isUart(d.pa, d.emulate))) vm.console.setInputSink((b) => (vm.arch as VmArch).input.push(b))
    for (const v of vm.vcpus) {
      v.arch = { timer: null } satisfies VcpuArch
      this.setupHart(this.hart(v), v)
    }
  }

  private isUart(pa: number | undefined, emulate: string | undefined): boolean {
    if (emulate) return emulate === 'ns16550'
    return this.hv.machine.board.devices.some((d) => d.type === 'ns16550' && pa !== undefined && pa >= d.base && pa < d.base + d.size)
  }

  /** Bao's HS-mode configuration of a pCPU for its vCPU (reference §8: delegation, counters) */
  private setupHart(h: RiscvHart, v: Vcpu): void {
    const c = h.c
    h.stage2 = v.vm.stage2
    h.trapHook = (hart, cause, isIrq, tval, htval) => this.trap(v, hart, cause, isIrq, tval, htval)
    h.onExit = () => { v.exits++ }
    c[CSR.medeleg * 2] = MEDELEG_MASK
    c[CSR.mideleg * 2] = IRQ.SSI | IRQ.STI | IRQ.SEI
    c[CSR.hedeleg * 2] = HEDELEG
    c[CSR.hideleg * 2] = VS_IRQS
    c[CSR.mie * 2] = IRQ.SEI | VS_IRQS
    c[CSR.mcounteren * 2] = -1
    c[CSR.hcounteren * 2] = -1
    c[CSR.menvcfg * 2 + 1] = 1 << 31 // Sstc available …
    c[CSR.henvcfg * 2 + 1] = v.vm.config.sstc ? 1 << 31 : 0 // … to guests configured for it
    c[CSR.mstatus * 2] |= MS.FS // FP state on; the guest's vsstatus.FS gates it
  }

  private vseipLine(v: Vcpu) {
    return irqLine((level) => {
      const h = this.hart(v)
      h.c[CSR.hvip * 2] = level ? h.c[CSR.hvip * 2]! | IRQ.VSEI : h.c[CSR.hvip * 2]! & ~IRQ.VSEI
      if (level) wake(h)
    })
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
    const h = this.hart(v)
    this.hv.machine.sched.cancel(this.varch(v).timer)
    this.varch(v).timer = null
    v.state = 'stopped'
    h.halt()
  }

  pauseVcpu(v: Vcpu, paused: boolean): void {
    if (v.state !== 'running') return
    const h = this.hart(v)
    h.halted = paused
    h.brk = true
  }

  hypercallAs(v: Vcpu, eid: number, fid: number, args: bigint[]): { error: bigint; value: bigint } {
    // borrow the vCPU's argument registers, make the call, give them back
    const h = this.hart(v)
    const saved = h.x.slice(20, 36)
    const pcLo = h.pcLo, pcHi = h.pcHi
    for (let i = 0; i < 6; i++) h.setReg(10 + i, args[i] ?? 0n)
    h.setReg(16, BigInt(fid))
    h.setReg(17, BigInt(eid))
    handleSbi(this, v, h)
    const out = { error: BigInt.asIntN(64, h.reg(10)), value: h.reg(11) }
    if (!h.halted) h.x.set(saved, 20)
    h.pcLo = pcLo
    h.pcHi = pcHi
    return out
  }

  regs(v: Vcpu): { pc: bigint; x: bigint[] } {
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
    const uarts = vm.config.devs.filter((d) => this.isUart(d.pa, d.emulate))
      .map((d) => ({ base: d.va, size: Math.max(d.size, 0x100), irq: d.interrupts[0] }))
    const tree = vmFdtTree({
      name: vm.name, harts: vm.vcpus.length, timebaseHz: board.timebaseHz,
      memory: vm.config.regions.map((r) => ({ base: r.base, size: r.size })),
      plic: { base: plic.base, size: plic.size, ndev: Number(plic.params?.sources ?? 96) - 1 },
      uarts, bootargs: vm.config.bootargs,
    })
    const chosen = tree.children.find((n) => n.name === 'chosen') ?? tree.child('chosen')
    if (vm.config.sstc) chosen.prop('baobab,sstc', true)
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

  private trap(v: Vcpu, h: RiscvHart, cause: number, isIrq: boolean, tval: bigint, htval: number): boolean {
    v.exits++
    if (isIrq) {
      if (cause === 9) this.physicalIrq(h)
      h.brk = true
      return true
    }
    if (cause === EXC.ECALL_VS) {
      handleSbi(this, v, h)
      if (h.halted) return true
      h.pcLo = (h.pcLo + 4) | 0
      if (h.pcLo === 0 || ((h.pcLo >>> 0) < 4)) h.pcHi = (h.pcHi + 1) | 0
      return true
    }
    const isGuestPage = cause === EXC.INSN_GUEST_PAGE || cause === EXC.LOAD_GUEST_PAGE || cause === EXC.STORE_GUEST_PAGE
    const addr = isGuestPage ? BigInt(htval) * 4n + (tval & 3n) : tval
    this.hv.stopVm(v, { pc: h.pc, addr, cause: CAUSES[cause] ?? `unhandled exception ${cause}` })
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
    this.vmArch(owner).vplic.hwRaise(id, () => bus.write(claim, 4, id))
  }

  // ---- services for sbi.ts ----

  sbiInput(vm: Vm): number[] { return this.vmArch(vm).input }

  setTimer(v: Vcpu, t: bigint): void {
    const h = this.hart(v)
    const sched = this.hv.machine.sched
    const va = this.varch(v)
    sched.cancel(va.timer)
    va.timer = null
    h.c[CSR.hvip * 2] = h.c[CSR.hvip * 2]! & ~IRQ.VSTI
    const now = BigInt(h.clock.ticks(h.nowCycles()))
    const fire = (): void => {
      va.timer = null
      h.c[CSR.hvip * 2] = h.c[CSR.hvip * 2]! | IRQ.VSTI
      wake(h)
    }
    if (t <= now) return fire()
    if (t > BigInt(Number.MAX_SAFE_INTEGER)) return
    const at = h.clock.cycleOf(Number(t))
    if (at !== Infinity) va.timer = sched.at(at, fire)
  }

  sendIpi(t: Vcpu): void {
    if (t.state !== 'running') return
    const h = this.hart(t)
    h.c[CSR.hvip * 2] = h.c[CSR.hvip * 2]! | IRQ.VSSI
    wake(h)
  }

  remoteFence(t: Vcpu): void {
    modeChanged(this.hart(t))
  }

  /** retentive suspend: like wfi, resuming after the ecall when an interrupt is pending */
  suspend(h: RiscvHart): void {
    h.idle = true
    h.brk = true
  }

  systemReset(v: Vcpu, type: number): void {
    this.hv.log.info(`VM ${v.vm.id} (${v.vm.name}) requested system ${type === 0 ? 'shutdown' : 'reboot'}`)
    this.hv.shutdownVm(v.vm)
  }

  hypercall(v: Vcpu, cls: number, fn: number, args: bigint[]): HypercallResult {
    if (cls === 0) return this.hv.hypercall(v, fn, args)
    v.vm.hypercalls++
    return { error: HC_E_INVAL_ID, value: 0n }
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
