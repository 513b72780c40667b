/**
 * An AArch64 hart (Armv8.0-A, a Cortex-A53 as QEMU models it) at EL0/EL1, with EL2's registers
 * kept for the hypervisor glue to come: state in the machine's arena (state.ts), the execute
 * loop in execute.ts, everything rare (system registers, exceptions, atomics, the MMU walk) in
 * files named for what they do.
 *
 * Interrupt inputs: `irq('irq')` and `irq('fiq')`, level-sensitive, driven by the GIC; `irq('virq')`
 * and `irq('vfiq')`, the virtual interrupts a GIC's virtual CPU interface signals (taken at EL1
 * while HCR_EL2.IMO/FMO route physical ones to EL2).
 * Timer outputs: `timerOut.virt` / `timerOut.phys` are the generic timer's interrupt outputs
 * (CNTV/CNTP, D11.2.4), named CNTVIRQ and CNTPNSIRQ as the GIC documents them; a board wires
 * them to its GIC's PPIs (BoardDesc.cpuIrqs → `connect`). Unwired, nothing fires.
 */
import type { Cpu, CpuHost } from '../../core/arch.ts'
import { STATE_AREA_BYTES, type MemoryBus } from '../../core/bus.ts'
import { NO_IRQ, type IrqLine } from '../../core/irq.ts'
import { makeClock, type Clock } from '../../core/time.ts'
import { CodeCache } from '../../core/cpu/code-cache.ts'
import { Tlb } from '../../core/cpu/tlb.ts'
import { checkState } from '../../core/state-check.ts'
import type { Decoded } from './decode.ts'
import { exec } from './execute.ts'
import { illegalState } from './exceptions.ts'
import { lineFor, takePending } from './interrupts.ts'
import { resetSysregs } from './sysregs.ts'
import { SR } from './sysreg-defs.ts'
import { GenericTimer } from './timer.ts'
import { a64HartState } from './hart-state.ts'
import { DAIF_A, DAIF_D, DAIF_F, DAIF_I, Z_BIT, CPU_STATE_BYTES, OFF, ST, SYS_WORDS, X_SP, X_WORDS } from './state.ts'
import type { Firmware } from './psci.ts'
import type { Stage2Entry, Stage2Map } from '../../core/hypervisor/stage2.ts'

/**
 * Optional hook for the hypervisor glue (it plays EL2 natively): an exception the hart would take
 * to EL2 is offered to native code first. `vec` is the vector offset (exceptions.ts VEC_SYNC,
 * VEC_IRQ, VEC_FIQ); `esr` is ESR_EL2 as the exception would set it (NO_ESR for interrupts),
 * `farLo`/`farHi` FAR_EL2; a stage-2 abort has also written HPFAR_EL2 (el2.ts). Returns true
 * when handled in place. Every VM exit passes here: no BigInt.
 */
export type TrapHook = (hart: A64Cpu, vec: number, esr: number, farLo: number, farHi: number) => boolean

export interface A64Options {
  /** EL2 implemented (ID_AA64PFR0_EL1.EL2, HVC to EL2); QEMU's virt without virtualization=on has none */
  el2?: boolean
  /**
   * FEAT_LSE (Armv8.1 atomics, ID_AA64ISAR0_EL1.Atomic = 2), as QEMU's `-cpu max`; the Cortex-A53
   * (Armv8.0) has none and its LSE encodings are UNDEFINED
   */
  lse?: boolean
}

export class A64Cpu implements Cpu {
  readonly id: number
  readonly bus: MemoryBus
  readonly host: CpuHost
  readonly clock: Clock
  /** EL2 implemented; a native hypervisor (hyp/a64-hyp.ts) turns it on for its pCPUs */
  el2: boolean
  /** FEAT_LSE (A64Options.lse) */
  readonly lse: boolean
  /** X0..X30, then SP, XZR and the XZR write sink (state.ts) */
  readonly x: Int32Array
  /** pc, PSTATE and the exclusive monitor (state.ts ST) */
  readonly st: Int32Array
  /** system registers, two words each (sysreg-defs.ts SR) */
  readonly sys: Int32Array
  /** V0..V31 as 128 int32s: reserved for the FP/AdvSIMD unit */
  readonly v: Int32Array
  readonly tlb: Tlb
  readonly stateBase: number
  readonly code: CodeCache
  idle = false
  halted = false
  /** powered off by PSCI (CPU_OFF, or a secondary before CPU_ON): idle until CPU_ON */
  off = false
  brk = false
  elapsed = 0
  instret = 0
  /** the interrupt input lines' levels (GIC → CPU) */
  irqIn = false
  fiqIn = false
  /** the generic timer's outputs (see the header) */
  readonly timerOut: { virt: IrqLine; phys: IrqLine }
  readonly timer: GenericTimer
  /** the firmware behind HVC/SMC when EL2/EL3 are not implemented (PSCI, as QEMU provides), or null */
  firmware: Firmware | null = null
  trapHook: TrapHook | null = null
  /**
   * Set by the hypervisor core while a guest runs at EL1/EL0: its stage-2 map replaces
   * VTTBR_EL2's tables (stage2.ts), every stage-1 output address goes through it.
   */
  stage2: Stage2Map | null = null
  /** set with `stage2`: the running vCPU's index within its VM, the cpu its emulated devices see */
  vcpu = 0
  /** the emulated-device window of the last EMULATED translation, and the offset in it */
  emu: Stage2Entry | null = null
  emuOff = 0
  /** called on every VM exit the hart serves without a trap (emulated MMIO) */
  onExit: (() => void) | null = null
  /** the virtual interrupt inputs (the GIC's virtual CPU interface: VIRQ/VFIQ), ORed with HCR_EL2.VI/VF */
  virqIn = false
  vfiqIn = false
  /** arena offset of the page the loop is fetching from */
  fetchOff = 0
  /** scratch for decode and 64-bit results */
  readonly d: Decoded = { w: 0, imm: 0, ex: 0, imm2: 0 }
  readonly r64 = new Int32Array(4)
  readonly u8: Uint8Array
  readonly u16: Uint16Array
  readonly i32: Int32Array

  constructor(host: CpuHost, id: number, opts: A64Options = {}) {
    this.id = id
    this.host = host
    this.bus = host.bus
    this.el2 = opts.el2 ?? false
    this.lse = opts.lse ?? false
    this.clock = makeClock(host.cpuHz, host.timebaseHz)
    const base = 65536 + id * CPU_STATE_BYTES
    if (base + CPU_STATE_BYTES > STATE_AREA_BYTES) throw new Error(`hart ${id}: too many harts for the state area`)
    const buf = this.bus.arena.buffer
    this.stateBase = base
    this.x = new Int32Array(buf, base + OFF.X, X_WORDS)
    this.st = new Int32Array(buf, base + OFF.ST, ST.WORDS)
    this.v = new Int32Array(buf, base + OFF.V, 128)
    this.sys = new Int32Array(buf, base + OFF.SYS, SYS_WORDS)
    this.tlb = new Tlb(buf, base + OFF.TLB)
    this.u8 = new Uint8Array(buf)
    this.u16 = new Uint16Array(buf)
    this.i32 = new Int32Array(buf)
    this.code = CodeCache.of(this.bus)
    this.code.cpus.push(this)
    this.timerOut = { virt: NO_IRQ, phys: NO_IRQ }
    this.timer = new GenericTimer(this)
    this.reset(0n)
  }

  get pcLo(): number { return this.st[ST.PC_LO]! }
  set pcLo(v: number) { this.st[ST.PC_LO] = v }
  get pcHi(): number { return this.st[ST.PC_HI]! }
  set pcHi(v: number) { this.st[ST.PC_HI] = v }
  get el(): number { return this.st[ST.EL]! }

  /** Power-on reset: EL1h (EL2h with EL2), all of DAIF masked, MMU off (D1.9.1; QEMU's -kernel boot). */
  reset(pc: bigint): void {
    this.x.fill(0)
    this.st.fill(0)
    this.v.fill(0)
    resetSysregs(this)
    if (this.lse) this.sys[SR.ID_AA64ISAR0_EL1 * 2] = (this.sys[SR.ID_AA64ISAR0_EL1 * 2]! & ~(0xf << 20)) | (2 << 20)
    // NZCV is UNKNOWN at reset; QEMU's reads as Z set (its ZF field starts 0, meaning "zero")
    this.st[ST.NZCV] = Z_BIT
    this.st[ST.EL] = this.el2 ? 2 : 1
    this.st[ST.SPSEL] = 1
    this.st[ST.DAIF] = DAIF_D | DAIF_A | DAIF_I | DAIF_F
    this.st[ST.EX_SIZE] = 0
    this.pc = pc
    this.idle = false
    this.halted = false
    this.off = false
    this.instret = 0
    this.timer.rearm()
    this.tlb.flush()
    this.brk = true
  }

  get pc(): bigint { return (BigInt(this.pcHi) << 32n) | BigInt(this.pcLo >>> 0) }
  set pc(v: bigint) {
    this.pcLo = Number(BigInt.asIntN(32, v))
    this.pcHi = Number(BigInt.asIntN(32, v >> 32n))
    this.brk = true
  }

  /** X0..X30; 31 reads as the current SP */
  reg(n: number): bigint {
    const i = n === 31 ? X_SP : n * 2
    return (BigInt(this.x[i + 1]!) << 32n) | BigInt(this.x[i]! >>> 0)
  }
  setReg(n: number, v: bigint): void {
    const i = n === 31 ? X_SP : n * 2
    this.x[i] = Number(BigInt.asIntN(32, v))
    this.x[i + 1] = Number(BigInt.asIntN(32, v >> 32n))
  }
  setArg(index: number, value: bigint): void { this.setReg(index, value) }

  irq(line: string): IrqLine { return lineFor(this, line) }

  connect(output: string, line: IrqLine): void {
    switch (output) {
      case 'CNTVIRQ': this.timerOut.virt = line; break
      case 'CNTPNSIRQ': this.timerOut.phys = line; break
      default: throw new Error(`aarch64 hart: no interrupt output '${output}' (it has CNTVIRQ, CNTPNSIRQ)`)
    }
  }

  halt(): void {
    this.halted = true
    this.brk = true
    this.timer.cancel()
  }

  breakOut(): void { this.brk = true }

  flushTlb(): void {
    this.tlb.flush()
    this.brk = true
  }

  /** Virtual time now, in cycles, as this hart sees it (mid-window). */
  nowCycles(): number {
    const s = this.host.sched
    return s.running === this ? s.now + this.elapsed : s.now
  }

  private stalled = 0
  private windowStall = 0
  stallTotal = 0

  stall(cycles: number): void {
    this.stalled += cycles
    this.brk = true
  }

  run(n: number): number {
    this.elapsed = 0
    this.windowStall = 0
    while (this.elapsed < n && !this.halted) {
      if (this.stalled > 0) {
        const s = Math.min(this.stalled, n - this.elapsed)
        this.stalled -= s
        this.elapsed += s
        this.windowStall += s
        this.stallTotal += s
        continue
      }
      this.brk = false
      if (this.off) { this.idle = true; break }
      takePending(this)
      if (this.idle) break
      // an ERET to an illegal state: the next instruction takes the Illegal Execution state exception (D1.4.2)
      if (this.st[ST.IL] !== 0) { illegalState(this); this.elapsed++; continue }
      exec(this, n - this.elapsed)
    }
    const ran = this.elapsed - this.windowStall
    this.windowStall = 0
    this.instret += ran
    return ran
  }

  snapshot(): unknown {
    return { irqIn: this.irqIn, fiqIn: this.fiqIn, virqIn: this.virqIn, vfiqIn: this.vfiqIn, idle: this.idle, halted: this.halted, off: this.off, instret: this.instret, stalled: this.stalled, stallTotal: this.stallTotal }
  }

  /** After the state area came back (registers, PSTATE, system registers live there). */
  restore(state: unknown): void {
    const s = checkState(a64HartState, state)
    this.irqIn = s.irqIn
    this.fiqIn = s.fiqIn
    this.virqIn = s.virqIn
    this.vfiqIn = s.vfiqIn
    this.idle = s.idle
    this.halted = s.halted
    this.off = s.off
    this.instret = s.instret
    this.stalled = s.stalled
    this.stallTotal = s.stallTotal
    this.tlb.flush()
    this.timer.rearm()
    this.brk = true
  }

  checkState(state: unknown): void {
    checkState(a64HartState, state)
  }
}
