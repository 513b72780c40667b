/**
 * An RV64GC hart with S, U and H: state in the machine's arena, and the execute loop.
 *
 * The loop (`exec`) is the hot path (STYLE §6): decoded instructions come from per-page caches,
 * registers are (lo, hi) int32 pairs in an Int32Array, loads and stores hit a per-hart TLB that
 * maps virtual pages straight to arena offsets. Everything rare — TLB misses, MMIO, CSRs, traps,
 * atomics, FP — lives in other files and is reached through methods named for what they do.
 */
import type { Cpu, CpuHost } from '../../core/arch.ts'
import { STATE_AREA_BYTES, type MemoryBus } from '../../core/bus.ts'
import type { IrqLine } from '../../core/irq.ts'
import type { Stage2Entry, Stage2Map } from '../../core/hypervisor/stage2.ts'
import { makeClock, type Clock } from '../../core/time.ts'
import { CodeCache } from '../../core/cpu/code-cache.ts'
import { CSR, MISA_HI, MISA_LO, MS, PRV_M } from './csr-defs.ts'
import type { Decoded } from './decode.ts'
import { exec } from './execute.ts'
import { checkHartState, hartState } from './hart-state.ts'
import { checkState } from '../../core/state-check.ts'
import type { FpState } from './fpu.ts'
import { pmpDecode, type PmpRegion } from './pmp.ts'
import { Tlb } from '../../core/cpu/tlb.ts'
import { LineEntries } from '../../core/cpu/line-entries.ts'
import { STATE, type BlockFn } from './wasm-tier.ts'
import { loadSlow, storeSlow } from './memory.ts'
import { HartTimers, lineFor, takePending } from './interrupts.ts'

const HART_STATE_BYTES = 64 * 1024
/**
 * Optional hook: a trap the hart would take into HS-mode is offered to native code first.
 * `tvalLo`/`tvalHi` are the trap value's words; `htval` is the guest-physical address >> 2 for
 * guest-page faults. Returns true when handled. (Every VM exit passes here: no BigInt.)
 */
export type TrapHook = (hart: RiscvHart, cause: number, interrupt: boolean, tvalLo: number, tvalHi: number, htval: number) => boolean

export class RiscvHart implements Cpu, FpState {
  readonly id: number
  readonly bus: MemoryBus
  readonly host: CpuHost
  readonly clock: Clock
  /** integer registers: x[2r] = low word, x[2r+1] = high word; index 64/65 is the x0 write sink */
  readonly x: Int32Array
  /** FP registers, same layout */
  readonly f: Int32Array
  /** CSR storage: c[2n], c[2n+1] = low/high word of CSR n (registers with side effects live in csr.ts) */
  readonly c: Int32Array
  readonly tlb: Tlb
  /** line entries in the load/store TLBs while a cache model tracks lines (core/cpu/line-entries.ts) */
  readonly lines: LineEntries
  /** arena offset of this hart's state area (registers, CSRs, TLBs; see the constructor) */
  readonly stateBase: number
  /** where a translated block leaves the next pc: [lo, hi] */
  readonly next: Int32Array
  readonly code: CodeCache
  /**
   * The pc's words live in the state area, not in fields: a field holding 0x8000_0000 and up
   * (outside V8's 31-bit small integers) is stored as a double, and every loop that read it back
   * got a float64 pc, converted and boxed on each instruction. From an Int32Array every reader
   * gets an int32.
   */
  private readonly pcw: Int32Array
  get pcLo(): number { return this.pcw[0]! }
  set pcLo(v: number) { this.pcw[0] = v }
  get pcHi(): number { return this.pcw[1]! }
  set pcHi(v: number) { this.pcw[1] = v }
  priv = PRV_M
  /** the active PMP entries, decoded from the PMP CSRs when they change (pmp.ts) */
  pmp: PmpRegion[] = []
  /** whether the last translation's page may be cached (no PMP entry covers it in part) */
  pmpPage = true
  /** the H extension's virtualisation mode V */
  virt = 0
  /** LR reservation: physical address (-1 = none) and the value loaded, for SC's check */
  resAddr = -1
  resLo = 0
  resHi = 0
  /** interrupt lines driven from outside (devices): merged into mip by interrupts.ts */
  hwIrq = 0
  idle = false
  halted = false
  /** set by anything that needs the loop to stop at the next boundary */
  brk = false
  elapsed = 0
  instret = 0
  trapHook: TrapHook | null = null
  /** set by the hypervisor core: its stage-2 map replaces hgatp's tables while V=1 */
  stage2: Stage2Map | null = null
  /** set with `stage2`: the running vCPU's index within its VM, the cpu its emulated devices see */
  vcpu = 0
  /** the emulated-device window of the last EMULATED translation, and the offset in it */
  emu: Stage2Entry | null = null
  emuOff = 0
  /** called on every VM exit the hart serves without a trap (emulated MMIO) */
  onExit: (() => void) | null = null
  /** arena offset of the page the loop is fetching from, and that page's blocks and visit counts */
  fetchOff = 0
  /** whether that page's mapping is in the fetch TLB (a page PMP covers in part never is): only then may the jump cache remember entries into it */
  fetchCached = false
  curBlocks: (BlockFn | null)[] = []
  /** the table indices of `curBlocks` (code-cache.ts) */
  curIndex: Int32Array = new Int32Array(4096)
  curHeat: Uint16Array = new Uint16Array(4096)
  /** use the translation tier (wasm-tier.ts); off runs the interpreter alone */
  translate = !process.env.BAOBAB_INTERP
  /** the warm-up's hart (warm-up.ts): a slot getting hot is marked as having no region, nothing is compiled */
  rehearsal = false
  /** scratch for decode and 64-bit results */
  readonly d: Decoded = { op: 0, regs: 0, imm: 0 }
  dLen = 4
  readonly r64 = new Int32Array(2)
  // arena views
  readonly i8: Int8Array
  readonly u8: Uint8Array
  readonly i16: Int16Array
  readonly u16: Uint16Array
  readonly i32: Int32Array
  readonly timers: HartTimers

  constructor(host: CpuHost, id: number) {
    this.id = id
    this.host = host
    this.bus = host.bus
    this.clock = makeClock(host.cpuHz, host.timebaseHz)
    const base = 65536 + id * HART_STATE_BYTES
    if (base + HART_STATE_BYTES > STATE_AREA_BYTES) throw new Error(`hart ${id}: too many harts for the state area`)
    const buf = this.bus.arena.buffer
    // the state area: x at 0, next pc at 400, pc at 408, f at 512, CSRs at 1024..33791, the jump-cache generation at 36860, TLBs at 36864..49151, the jump cache after them to 65535
    this.stateBase = base
    this.x = new Int32Array(buf, base, 66)
    this.next = new Int32Array(buf, base + STATE.NEXT_PC, 2)
    this.pcw = new Int32Array(buf, base + STATE.PC, 2)
    this.f = new Int32Array(buf, base + 512, 64)
    this.c = new Int32Array(buf, base + 1024, 8192)
    this.tlb = new Tlb(buf, base + STATE.TLB_F)
    this.lines = new LineEntries(this.tlb, this.bus, id)
    this.i8 = new Int8Array(buf)
    this.u8 = new Uint8Array(buf)
    this.i16 = new Int16Array(buf)
    this.u16 = new Uint16Array(buf)
    this.i32 = new Int32Array(buf)
    this.code = CodeCache.of(this.bus)
    this.code.cpus.push(this)
    this.timers = new HartTimers(this)
    this.reset(0x80000000n)
  }

  // ---- FpState (fcsr lives in the CSR array) ----
  get fflags(): number { return this.c[CSR.fflags * 2]! }
  set fflags(v: number) { this.c[CSR.fflags * 2] = v & 0x1f }
  get frm(): number { return this.c[CSR.frm * 2]! }
  set frm(v: number) { this.c[CSR.frm * 2] = v & 7 }

  reset(pc: bigint): void {
    this.x.fill(0)
    this.f.fill(0)
    this.c.fill(0)
    this.pcLo = Number(BigInt.asIntN(32, pc))
    this.pcHi = Number(BigInt.asIntN(32, pc >> 32n))
    this.priv = PRV_M
    this.virt = 0
    this.resAddr = -1
    this.idle = false
    this.halted = false
    this.instret = 0
    this.c[CSR.misa * 2] = MISA_LO
    this.c[CSR.misa * 2 + 1] = MISA_HI
    this.c[CSR.mhartid * 2] = this.id
    this.c[CSR.mstatus * 2 + 1] = MS.XL_HI
    this.c[CSR.hstatus * 2 + 1] = 0x2 // VSXL = 64
    this.c[CSR.vsstatus * 2 + 1] = 0x2 // UXL = 64
    for (const n of [CSR.stimecmp, CSR.vstimecmp]) { this.c[n * 2] = -1; this.c[n * 2 + 1] = -1 }
    this.timers.cancel()
    this.pmp = []
    this.tlb.flush()
    this.brk = true
  }

  get pc(): bigint { return (BigInt(this.pcHi) << 32n) | BigInt(this.pcLo >>> 0) }
  set pc(v: bigint) {
    this.pcLo = Number(BigInt.asIntN(32, v))
    this.pcHi = Number(BigInt.asIntN(32, v >> 32n))
    this.brk = true
  }

  reg(n: number): bigint { return n === 0 ? 0n : (BigInt(this.x[2 * n + 1]!) << 32n) | BigInt(this.x[2 * n]! >>> 0) }
  setReg(n: number, v: bigint): void {
    if (n === 0) return
    this.x[2 * n] = Number(BigInt.asIntN(32, v))
    this.x[2 * n + 1] = Number(BigInt.asIntN(32, v >> 32n))
  }
  setArg(index: number, value: bigint): void { this.setReg(10 + index, value) }

  irq(line: string): IrqLine { return lineFor(this, line) }

  halt(): void {
    this.halted = true
    this.brk = true
    this.timers.cancel()
  }

  breakOut(): void { this.brk = true }

  flushTlb(): void {
    this.tlb.flush()
    this.brk = true
  }

  /** slow paths for translated blocks (see wasm-tier.ts) */
  loadMiss(lo: number, hi: number, size: number, signed: boolean, rd: number): boolean { return loadSlow(this, lo, hi, size, signed, rd) }
  storeMiss(lo: number, hi: number, size: number, vLo: number, vHi: number): boolean { return storeSlow(this, lo, hi, size, vLo, vHi) }

  /** Virtual time now, in cycles, as this hart sees it (mid-window). */
  nowCycles(): number {
    const s = this.host.sched
    return s.running === this ? s.now + this.elapsed : s.now
  }

  /** Cycles charged (`stall`) and not yet taken from a window. */
  private stalled = 0
  /** stall cycles taken in the current window, and in all windows (the cycle counter counts them, instret does not) */
  windowStall = 0
  stallTotal = 0

  stall(cycles: number): void {
    this.stalled += cycles
    // taken at once (exec returns at the next instruction boundary, `run` takes it from the
    // window): a stall left for the next window would let the hart read its clock before it
    this.brk = true
  }

  /** Run a window of `n` cycles: its instructions, less any stall charged before it. Returns the instructions retired. */
  run(n: number): number {
    this.elapsed = 0
    this.windowStall = 0
    // other harts ran since this one's last window: its line entries may no longer be their sets' newest
    if (this.bus.lineTracking !== null) this.tlb.flushData()
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
      takePending(this)
      if (this.idle) break
      exec(this, n - this.elapsed)
    }
    const ran = this.elapsed - this.windowStall
    this.windowStall = 0
    this.lines.report()
    this.instret += ran
    return ran
  }

  snapshot(): unknown {
    return { pcLo: this.pcLo, pcHi: this.pcHi, priv: this.priv, virt: this.virt, resAddr: this.resAddr, resLo: this.resLo, resHi: this.resHi, hwIrq: this.hwIrq, idle: this.idle, halted: this.halted, instret: this.instret, stalled: this.stalled, stallTotal: this.stallTotal }
  }

  checkState(state: unknown, stateArea: Uint8Array): void {
    checkHartState(state, stateArea, this.stateBase)
  }

  /** After the state area came back: the fields `snapshot` saved, checked, and nothing else. */
  restore(state: unknown): void {
    const s = checkState(hartState, state)
    this.pcLo = s.pcLo
    this.pcHi = s.pcHi
    this.priv = s.priv
    this.virt = s.virt
    this.resAddr = s.resAddr
    this.resLo = s.resLo
    this.resHi = s.resHi
    this.hwIrq = s.hwIrq
    this.idle = s.idle
    this.halted = s.halted
    this.instret = s.instret
    this.stalled = s.stalled
    this.stallTotal = s.stallTotal
    this.pmp = pmpDecode(this) // the PMP CSRs came back with the state area
    this.tlb.flush()
    this.timers.rearm()
    this.brk = true
  }
}
