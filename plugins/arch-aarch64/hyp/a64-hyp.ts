/**
 * Armv8 glue of the hypervisor core (reference §1.4, §9; Bao's src/arch/armv8): the part of Bao
 * that runs at EL2. The hypervisor is native TypeScript, so the harts never run EL2 code: every
 * exception that would reach EL2 — HVC, SMC (HCR_EL2.TSC), stage-2 aborts, physical IRQs
 * (HCR_EL2.IMO/FMO), a guest's ICC_SGI1R_EL1 — is offered to `trap()` through the hart's trap
 * hook, and stage 2 is the core's map. Guests run at EL1/EL0 with Bao's HCR_EL2 = VM | RW | IMO |
 * FMO | TSC; WFI/WFE are not trapped. Interrupts reach a guest through the vGIC (vgic.ts): list
 * registers of the GIC's virtual CPU interface. With a GICv2 each VM sees the GICV frame at its
 * own `arch.gic.giccAddr` and an emulated distributor (vgicv2.ts); with a GICv3 an emulated
 * distributor and redistributors (vgicv3.ts), its ICC_ accesses reaching the ICV_ registers of
 * the pCPU's virtual interface, whose list registers are ICH_LR<n>_EL2 (ich-port.ts).
 */
import type { ArchHyp } from '../../../core/arch.ts'
import type { BoardDevice } from '../../../core/board.ts'
import { vmDeviceNodes } from '../../../core/device.ts'
import { PAGE_SIZE } from '../../../core/bus.ts'
import { fdtToBytes } from '../../../core/fdt.ts'
import { SERVICE_HYPERCALL, SERVICE_TEE } from '../../../core/hypervisor/calls.ts'
import { ConfigError } from '../../../core/hypervisor/config-error.ts'
import type { Hypervisor } from '../../../core/hypervisor/hypervisor.ts'
import { S2_R, S2_W } from '../../../core/hypervisor/stage2.ts'
import type { Vcpu, Vm } from '../../../core/hypervisor/vm.ts'
import { findGic, gicCpuInterface, ppiLine } from '../../dev-gic/lookup.ts'
import { faultIpa } from '../el2.ts'
import { EC, VEC_IRQ } from '../exceptions.ts'
import type { A64Cpu } from '../cpu.ts'
import { HCR, RESET, SR } from '../sysreg-defs.ts'
import { DAIF_A, DAIF_D, DAIF_F, DAIF_I, ST, X_SP, Z_BIT } from '../state.ts'
import { HVC, serveCall, SMC } from './conduits.ts'
import { ctxPc, ctxReg, GUEST_SYSREGS, restoreContext, saveContext, setCtxReg, type A64Context } from './context.ts'
import { BusGich, type GichPort } from './gich.ts'
import { IchPort } from './ich-port.ts'
import { boardGic, dtbAddrOption, gicOptions, GICD_SIZE, GICV_SIZE, type GicOptions } from './options.ts'
import { PhysGicv2, PhysGicv3, type PhysGic } from './phys-gic.ts'
import { checkHypState, restoreHypState, snapshotHypState } from './session-state.ts'
import { SoftGich } from './soft-gich.ts'
import { Vgic } from './vgic.ts'
import { Vgicv2Distributor } from './vgicv2.ts'
import { GICD_V3_SIZE, GICR_FRAME, sgiTargets, Vgicv3Distributor, Vgicv3Redistributors, type Vgicv3Host } from './vgicv3.ts'
import { a64VmFdt } from './vm-fdt.ts'

/** Bao's HCR_EL2 for its guests (reference §1.3 step 6) */
export const GUEST_HCR = HCR.VM | HCR.RW | HCR.IMO | HCR.FMO | HCR.TSC
/** the GIC maintenance interrupt (reference §6: PPI 25) */
export const MAINTENANCE_IRQ = 25
/** a trapped MSR's ISS (ESR_EL2, EC 0x18): ICC_SGI1R_EL1 (op0 3, op1 0, CRn 12, CRm 11, op2 5) and ICC_SGI0R_EL1 (op2 7), written */
const ISS_SYSREG_MASK = 0x3ffc1f // Op0, Op2, Op1, CRn, CRm, Direction: all but Rt
const issOf = (op0: number, op1: number, crn: number, crm: number, op2: number): number =>
  (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (crm << 1)
const ISS_ICC_SGI1R = issOf(3, 0, 12, 11, 5), ISS_ICC_SGI0R = issOf(3, 0, 12, 11, 7)

const CAUSE_FETCH = 'illegal instruction fetch', CAUSE_LOAD = 'illegal load', CAUSE_STORE = 'illegal store'

export interface VmArch {
  vgic: Vgic
  gic: GicOptions
  /** with a GICv3: what its emulated registers and trapped SGIs need (the vCPUs' affinities) */
  v3: Vgicv3Host | null
}

export interface VcpuArch {
  /** the saved guest context while the vCPU is off its pCPU (VM stack), else null */
  ctx: A64Context | null
}

const hex = (n: number | bigint): string => '0x' + n.toString(16)

export class A64Hyp implements ArchHyp {
  readonly harts: A64Cpu[]
  readonly gicDev: BoardDevice
  /** the physical GIC the hypervisor acknowledges, deactivates and routes interrupts at */
  private readonly phys: PhysGic
  /** the virtual interface: the GIC's own GICH frame or ICH_*_EL2 registers, or the hypervisor's model of a GICH */
  readonly port: GichPort
  readonly soft: SoftGich | null
  /** the physical GICV frame each VM's giccAddr maps to, when the GIC has one */
  private readonly gicvPa: number | null
  /** a GICv3's first redistributor (its identification registers are passed through to the VMs') */
  private readonly gicrPa: number
  private spareCtx: A64Context | null = null

  constructor(readonly hv: Hypervisor) {
    const m = hv.machine
    this.harts = m.cpus as unknown as A64Cpu[]
    const g = boardGic(m.board)
    if (!g) throw new Error(`board ${m.board.name} has no GIC for the vGIC to stand in for`)
    this.gicDev = g
    const param = (k: string, d: number): number => { const v = g.params?.[k]; return typeof v === 'number' ? v : d }
    if (g.type === 'gicv3') {
      // dev-gic's GICv3: the redistributors at `gicrOffset`, the CPU interface and the virtual
      // interface control as system registers (always with the virtualization extensions)
      const found = findGic(m.bus) as { gicrOffset?: number } | null
      const icc = gicCpuInterface(m.bus)
      const lines = 32 * ((m.bus.read(g.base + 4, 4) & 0x1f) + 1)
      this.gicrPa = g.base + (found?.gicrOffset ?? param('gicrOffset', 0xa_0000))
      this.phys = new PhysGicv3(m.bus, g.base, this.gicrPa, icc, lines)
      this.port = new IchPort(icc)
      this.soft = null
      this.gicvPa = null
    } else {
      // dev-gic's GICv2: `giccOffset`, and `vgic` non-null when its window has GICH/GICV (params
      // gichOffset/gicvOffset, QEMU virt's +0x30000/+0x40000 by default)
      const found = findGic(m.bus) as { giccOffset?: number; vgic?: unknown } | null
      this.gicrPa = 0
      this.phys = new PhysGicv2(m.bus, g.base, g.base + (found?.giccOffset ?? param('giccOffset', 0x1_0000)))
      if (found && found.vgic) {
        // the GIC model has the virtualization extensions (IHI 0048B ch. 5): program its list registers
        this.port = new BusGich(m.bus, g.base + param('gichOffset', 0x3_0000))
        this.soft = null
        this.gicvPa = g.base + param('gicvOffset', 0x4_0000)
      } else {
        this.soft = new SoftGich(this.harts.length, {
          virq: (p) => this.harts[p]!.irq('virq'),
          maintenance: (p) => ppiLine(m.bus, p, MAINTENANCE_IRQ),
          deactivate: (p, pid) => this.phys.deactivate(p, pid),
        })
        this.port = this.soft
        this.gicvPa = null
      }
    }
    for (const h of this.harts) this.setupHart(h)
  }

  /** Bao's EL2 setup of a pCPU (reference §1.3 steps 5-6): HCR_EL2, the physical CPU interface, the maintenance PPI */
  private setupHart(h: A64Cpu): void {
    h.el2 = true
    h.sys[SR.ID_AA64PFR0_EL1 * 2] = h.sys[SR.ID_AA64PFR0_EL1 * 2]! | 0x200
    h.sys[SR.HCR_EL2 * 2] = GUEST_HCR
    h.trapHook = (hart, vec, esr, farLo, farHi) => this.trap(hart, vec, esr, farLo, farHi)
    h.onExit = () => {
      const v = this.hv.onCpu[h.id]
      if (v) v.exits++
    }
    this.phys.setupCpu(h.id, MAINTENANCE_IRQ)
    this.port.write(h.id, 0, 0) // GICH_HCR / ICH_HCR_EL2: the virtual interface off until a vCPU comes
    h.tlb.flush()
  }

  private live(v: Vcpu): boolean { return this.hv.onCpu[v.pcpu] === v }
  private hart(v: Vcpu): A64Cpu { return this.harts[v.pcpu]! }
  private varch(v: Vcpu): VcpuArch { return v.arch as VcpuArch }
  vmArch(vm: Vm): VmArch { return vm.arch as VmArch }

  createVm(vm: Vm): void {
    const board = this.hv.machine.board
    const gic = gicOptions(board, vm.config.archOptions)
    const vgic = new Vgic({
      port: this.port,
      livePcpu: (k) => { const v = vm.vcpus[k]; return v && this.hv.onCpu[v.pcpu] === v ? v.pcpu : -1 },
      pendingOff: (k) => { const v = vm.vcpus[k]; if (v && v.state === 'stacked') this.hv.stackedInterrupt(v) },
    }, gic.interruptNum, vm.vcpus.length, gic.version)
    const rw = S2_R | S2_W
    let v3: Vgicv3Host | null = null
    if (gic.version === 3) {
      // Bao's vgicv3.c: the distributor and one redistributor frame pair per vCPU, emulated
      const bus = this.hv.machine.bus
      v3 = {
        affinity: (k) => this.vmpidr(vm.vcpus[k]!) & 0xff_ffff,
        physical: (gicr, off) => bus.read((gicr ? this.gicrPa : this.gicDev.base) + off, 4),
      }
      vm.stage2.map({ gpa: gic.gicdAddr, size: GICD_V3_SIZE, pa: 0, perm: rw, kind: 'emulated', name: 'vgicd', handler: new Vgicv3Distributor(vgic, v3) })
      vm.stage2.map({ gpa: gic.gicrAddr, size: GICR_FRAME * vm.vcpus.length, pa: 0, perm: rw, kind: 'emulated', name: 'vgicr', handler: new Vgicv3Redistributors(vgic, v3) })
    } else {
      vm.stage2.map({ gpa: gic.gicdAddr, size: GICD_SIZE, pa: 0, perm: rw, kind: 'emulated', name: 'vgicd', handler: new Vgicv2Distributor(vgic) })
      if (this.gicvPa !== null) vm.stage2.map({ gpa: gic.giccAddr, size: GICV_SIZE, pa: this.gicvPa, perm: rw, kind: 'device', name: 'gicv' })
      else vm.stage2.map({ gpa: gic.giccAddr, size: GICV_SIZE, pa: 0, perm: rw, kind: 'emulated', name: 'gicv', handler: this.soft!.gicv((k) => vm.vcpus[k]?.pcpu ?? 0) })
    }
    vm.arch = { vgic, gic, v3 } satisfies VmArch
    // interrupts the core assigned before the arch state existed: linked to their physical ones
    for (const irq of vm.irqs) vgic.link(irq, irq)
    for (const v of vm.vcpus) v.arch = { ctx: null } satisfies VcpuArch
  }

  /** the guest's vMPIDR (reference §1.3: vCPU id | bit 31, | U (bit 30) for a uniprocessor VM) */
  private vmpidr(v: Vcpu): number {
    return (1 << 31) | (v.vm.vcpus.length === 1 ? 1 << 30 : 0) | v.id
  }

  /** reference §1.3 "Guest reset state": EL1h, DAIF masked, MMU off, registers zero but the arguments */
  startVcpu(v: Vcpu, pc: bigint, args: bigint[]): void {
    const h = this.hart(v)
    h.x.fill(0)
    h.v.fill(0)
    args.forEach((a, i) => h.setReg(i, a))
    const s = h.sys, st = h.st
    for (const r of GUEST_SYSREGS) { s[r * 2] = 0; s[r * 2 + 1] = 0 }
    s[SR.SCTLR_EL1 * 2] = RESET.SCTLR_EL1!
    s[SR.MPIDR_EL1 * 2] = this.vmpidr(v)
    s[SR.VMPIDR_EL2 * 2] = this.vmpidr(v)
    s[SR.CNTVOFF_EL2 * 2] = 0
    s[SR.CNTVOFF_EL2 * 2 + 1] = 0
    s[SR.HCR_EL2 * 2] = GUEST_HCR
    st[ST.NZCV] = Z_BIT
    st[ST.EL] = 1
    st[ST.SPSEL] = 1
    st[ST.DAIF] = DAIF_D | DAIF_A | DAIF_I | DAIF_F
    st[ST.IL] = 0
    st[ST.EVENT] = 0
    st[ST.EX_SIZE] = 0
    h.x[X_SP] = 0
    h.x[X_SP + 1] = 0
    h.stage2 = v.vm.stage2
    h.vcpu = v.id
    this.varch(v).ctx = null
    h.pc = pc
    h.halted = false
    h.idle = false
    h.off = false
    h.tlb.flush()
    h.timer.rearm()
    v.state = 'running'
    this.vmArch(v.vm).vgic.resetVcpu(v.id)
  }

  stopVcpu(v: Vcpu): void {
    if (this.live(v)) this.hart(v).halt()
    v.state = 'stopped'
  }

  pauseVcpu(v: Vcpu, paused: boolean): void {
    if (v.state !== 'running' || !this.live(v)) return
    const h = this.hart(v)
    h.halted = paused
    h.brk = true
    if (!paused) h.timer.rearm()
  }

  switchVcpu(pcpu: number, from: Vcpu | undefined, to: Vcpu): void {
    const h = this.harts[pcpu]!
    if (from) {
      this.varch(from).ctx = saveContext(h, this.spareCtx ?? undefined)
      this.vmArch(from.vm).vgic.save(from.id, pcpu)
    }
    this.spareCtx = null
    const ctx = this.varch(to).ctx
    if (ctx) {
      restoreContext(h, ctx)
      this.varch(to).ctx = null
      this.spareCtx = ctx
    }
    this.vmArch(to.vm).vgic.load(to.id, pcpu)
    h.stage2 = to.vm.stage2
    h.vcpu = to.id
    h.halted = false
    h.tlb.flush()
    h.timer.rearm()
    h.brk = true
  }

  /** results in x0, x1, … (SMCCC) */
  setResults(v: Vcpu, values: readonly bigint[]): void {
    const ctx = this.varch(v).ctx
    const saved = ctx !== null && !this.live(v)
    for (let i = 0; i < values.length; i++) {
      if (saved) setCtxReg(ctx, i, values[i]!)
      else this.hart(v).setReg(i, values[i]!)
    }
  }

  argRegs(v: Vcpu, n: number): bigint[] {
    const ctx = this.varch(v).ctx
    const out: bigint[] = []
    for (let i = 0; i < n; i++) out.push(ctx && !this.live(v) ? ctxReg(ctx, i) : BigInt.asUintN(64, this.hart(v).reg(i)))
    return out
  }

  /** reference §3.3: on Arm CROSSCON leaves a TEE's interrupts as they are */
  maskExternalIrqs(_v: Vcpu, _masked: boolean): void {}

  /** the Linux boot protocol (reference §7.2): x0 = the device tree (at the VM's `arch.dtbAddr` when it names one) */
  bootArgs(v: Vcpu, dtbAddr: number): bigint[] {
    return [BigInt(dtbAddrOption(v.vm.config.archOptions) ?? dtbAddr), 0n, 0n, 0n]
  }

  /**
   * An HVC (the `hypercall` service) or SMC (every other) as if `v` had made it: x0 = `fn`, the
   * arguments in x1.. (a `tee` call's arguments start with the function id itself, OP-TEE's x0:
   * they go to x0..). Returns x0..x7 afterwards; the vCPU's own registers and pc are given back.
   */
  callAs(v: Vcpu, service: number | string, fn: number, args: bigint[]): bigint[] {
    const h = this.hart(v)
    const saved = h.x.slice(0, 16)
    const pcLo = h.pcLo, pcHi = h.pcHi
    const first = service === SERVICE_TEE ? 0 : 1
    for (let i = 0; i < 7; i++) h.setReg(i, 0n)
    args.forEach((a, i) => { if (first + i < 8) h.setReg(first + i, a) })
    h.setReg(0, BigInt(fn >>> 0))
    serveCall(this.hv, v, h, service === SERVICE_HYPERCALL ? HVC : SMC)
    if (!this.live(v)) return this.regs(v).x.slice(0, 8)
    const out = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => BigInt.asUintN(64, h.reg(n)))
    if (!h.halted) h.x.set(saved, 0)
    h.pcLo = pcLo
    h.pcHi = pcHi
    return out
  }

  regs(v: Vcpu): { pc: bigint; x: bigint[] } {
    const ctx = this.varch(v).ctx
    if (ctx && !this.live(v)) return { pc: ctxPc(ctx), x: Array.from({ length: 31 }, (_, i) => ctxReg(ctx, i)) }
    const h = this.hart(v)
    return { pc: h.pc, x: Array.from({ length: 31 }, (_, i) => BigInt.asUintN(64, h.reg(i))) }
  }

  /** a physical interrupt owned by `vm`: an SPI targets the VM's first pCPU, a PPI is enabled on each of its pCPUs */
  assignIrq(vm: Vm, irq: number): void {
    if (irq >= 32) this.phys.routeSpi(irq, vm.vcpus[0]!.pcpu)
    else for (const v of vm.vcpus) this.phys.enablePpi(irq, v.pcpu)
    if (vm.arch) this.vmArch(vm).vgic.link(irq, irq)
  }

  setVirq(vm: Vm, irq: number, level: boolean): void {
    this.vmArch(vm).vgic.setLevel(irq, level)
  }

  injectVirq(vm: Vm, irq: number): void {
    this.vmArch(vm).vgic.raise(irq)
  }

  buildDtb(vm: Vm): Uint8Array | null {
    const m = this.hv.machine
    // its UARTs: the board's consoles it was given and the UARTs emulated for it, as their plugins describe them
    const uarts = vmDeviceNodes(vm.config.devs, m.board.devices, this.hv.plugins.deviceInfo, {
      minSize: PAGE_SIZE,
      pick: (b) => m.consoles.has(b.name),
      paramsOf: (d) => m.live.all().find((e) => e.owner === vm && e.type === d.emulate && e.ctx.base === d.va)?.ctx.params ?? {},
    })
    const ipc = vm.config.ipcs[0]
    const first = ipc && this.hv.vms.find((o) => o.config.ipcs.some((i) => i.shmemId === ipc.shmemId))
    const tree = a64VmFdt({
      name: vm.name, vcpus: vm.vcpus.length, gic: this.vmArch(vm).gic, uarts, bootargs: vm.config.bootargs,
      memory: vm.config.regions.map((r) => ({ base: r.base, size: r.size })),
      ipc: ipc && { base: ipc.base, size: ipc.size, irq: ipc.interrupts[0] ?? 0, role: !first || first === vm ? 'sender' : 'receiver' },
    })
    const dtb = fdtToBytes(tree, { bootCpuId: 0 })
    const at = dtbAddrOption(vm.config.archOptions)
    if (at === undefined) return dtb
    // The core puts a returned tree at the top of the VM's first region; one the VM wants at its
    // `arch.dtbAddr` (firmware that looks for it at a fixed place, options.ts) is written here,
    // at boot and at each reboot after the image, and none returned. A core hook choosing the
    // place (ArchHyp has none) would spare this.
    for (let off = 0; off < dtb.length;) {
      const e = vm.stage2.lookup(at + off)
      if (!e || e.kind !== 'ram') throw new ConfigError('arch.dtbAddr', `VM ${vm.name}: its ${dtb.length}-byte device tree at ${hex(at)} needs the VM's RAM up to ${hex(at + dtb.length)}; ${hex(at + off)} is not`)
      const n = Math.min(PAGE_SIZE - ((at + off) % PAGE_SIZE), dtb.length - off)
      this.hv.machine.bus.load(e.pa + (at + off - e.gpa), dtb.subarray(off, off + n))
      off += n
    }
    return null
  }

  // ---- traps: everything that would enter EL2 ----

  private trap(h: A64Cpu, vec: number, esr: number, farLo: number, farHi: number): boolean {
    const v = this.hv.onCpu[h.id]
    if (vec !== 0) { // IRQ, FIQ: physical interrupts (HCR_EL2.IMO/FMO)
      if (vec === VEC_IRQ) this.physicalIrq(h, v)
      if (v) v.exits++
      h.brk = true
      return true
    }
    if (!v) return true
    v.exits++
    const ec = esr >>> 26
    if (ec === EC.HVC || ec === EC.SMC) {
      // HVC: ELR past it; SMC: at it, Bao's handlers step over it (reference §1.4). Past it first:
      // a call that switches vCPUs saves the caller resuming there.
      const lo = (h.pcLo + 4) | 0
      if (lo === 0) h.pcHi = (h.pcHi + 1) | 0
      h.pcLo = lo
      serveCall(this.hv, v, h, ec === EC.HVC ? HVC : SMC)
      h.brk = true
      return true
    }
    if (ec === EC.SYSREG && this.sgiWrite(h, v, esr)) {
      h.brk = true
      return true
    }
    const pc = BigInt.asUintN(64, h.pc)
    if (ec === EC.DABT_LOW || ec === EC.IABT_LOW) {
      // stage 2 (reference §1.4, §4.6): the VM is stopped, the others run on
      const addr = BigInt(faultIpa(h) + (farLo & 0xfff))
      const cause = ec === EC.IABT_LOW ? CAUSE_FETCH : (esr & (1 << 6)) !== 0 ? CAUSE_STORE : CAUSE_LOAD
      this.hv.stopVm(v, { pc, addr, cause })
    } else {
      const far = (BigInt(farHi >>> 0) << 32n) | BigInt(farLo >>> 0)
      this.hv.stopVm(v, { pc, addr: far, cause: `unhandled exception (EC ${hex(ec)}, ESR ${hex(esr >>> 0)})` })
    }
    h.brk = true
    return true
  }

  /**
   * A trapped MSR ICC_SGI1R_EL1 / ICC_SGI0R_EL1 of a vCPU on a GICv3 (Bao's vgic_icc_sgir_handler):
   * the SGI pends on the VM's vCPUs it names, and the guest goes on past the MSR. False for any
   * other trapped system register access (the caller stops the VM).
   */
  private sgiWrite(h: A64Cpu, v: Vcpu, esr: number): boolean {
    const a = this.vmArch(v.vm)
    const iss = esr & ISS_SYSREG_MASK
    if (!a.v3 || (iss !== ISS_ICC_SGI1R && iss !== ISS_ICC_SGI0R)) return false
    const rt = (esr >>> 5) & 31
    const { sgi, list } = sgiTargets(a.vgic, a.v3, v.id, rt === 31 ? 0n : BigInt.asUintN(64, h.reg(rt)))
    a.vgic.sendSgi(v.id, list, sgi)
    const lo = (h.pcLo + 4) | 0
    if (lo === 0) h.pcHi = (h.pcHi + 1) | 0
    h.pcLo = lo
    return true
  }

  /**
   * A physical IRQ at EL2: acknowledge on the physical CPU interface, drop its priority
   * (EOImode: deactivation is separate), and hand it to its owner's vGIC as a HW-linked list
   * register — the guest's deactivation then deactivates it here. The maintenance PPI is the
   * vGIC's own; an interrupt nobody owns is deactivated at once.
   */
  private physicalIrq(h: A64Cpu, v: Vcpu | undefined): void {
    const p = h.id
    const id = this.phys.acknowledge(p)
    if (id >= 1020) return
    if (id === MAINTENANCE_IRQ) {
      if (v) this.vmArch(v.vm).vgic.maintenance(v.id)
      this.deactivate(p, id)
      return
    }
    // A PPI belongs to the VM on this pCPU that was given it (the shared vtimer PPI: whichever
    // runs), else to a VM stacked under the running one (reference §4.6: the owner's vCPU on this
    // pCPU is looked up; raising it there pre-empts the child, see the vGIC's pendingOff)
    let target = v
    if (id < 32) while (target && !target.vm.irqs.has(id)) target = target.stackParent ?? undefined
    const owner = id < 32 ? target?.vm : this.hv.irqOwner.get(id)
    if (!owner || owner.state !== 'running' || !owner.arch) {
      this.deactivate(p, id)
      return
    }
    const k = id < 32 ? target!.id : 0
    this.vmArch(owner).vgic.hwRaise(id, k)
  }

  /** a physical interrupt's active state ends on `pcpu` (GICC_DIR, ICC_DIR_EL1) */
  private deactivate(pcpu: number, id: number): void {
    this.phys.deactivate(pcpu, id)
  }

  // ---- services for the calls (vpsci.ts) ----

  isRam(vm: Vm, addr: bigint): boolean {
    if (addr >= 2n ** 53n) return false
    const e = vm.stage2.lookup(Number(addr))
    return e !== undefined && e.kind === 'ram'
  }

  /** PSCI SYSTEM_OFF / SYSTEM_RESET: the calling VM alone */
  systemReset(v: Vcpu, off: boolean): void {
    this.hv.log.info(`VM ${v.vm.id} (${v.vm.name}) requested system ${off ? 'shutdown' : 'reboot'}`)
    if (off) this.hv.shutdownVm(v.vm)
    else this.hv.rebootVm(v.vm)
  }

  // ---- sessions (session-state.ts) ----

  snapshot(): unknown { return snapshotHypState(this) }
  restore(state: unknown): void { restoreHypState(this, state) }
  check(state: unknown): void { checkHypState(this, state) }
}
