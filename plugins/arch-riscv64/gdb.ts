/**
 * What a GDB stub (feature gdb) needs from a RISC-V hart (core/arch.ts ArchGdb): the registers
 * in GDB's own RISC-V target description (gdb/features/riscv: org.gnu.gdb.riscv.cpu, .fpu, .csr,
 * .virtual), read live from the hart or from a vCPU's saved context (hyp/context.ts), and an
 * Sv39 walk for the debugger's memory accesses that raises nothing and sets no A/D bit.
 *
 * A bare hart shows every CSR it has (firmware's view). A vCPU shows what its guest sees in
 * VS-mode (H §8.2: the S-level CSRs are the vs* ones underneath; hstatus, the M-level CSRs and
 * hgatp are the hypervisor's and are not shown).
 */
import type { ArchGdb, Cpu, GdbRegisterLayout, GdbThread } from '../../core/arch.ts'
import { CSR, PRV_M, SSTATUS_WMASK, VS_IRQS } from './csr-defs.ts'
import { read as readCsr } from './csr.ts'
import type { RiscvHart } from './hart.ts'
import type { VcpuArch } from './hyp/riscv-hyp.ts'
import type { VcpuContext } from './hyp/context.ts'
import { modeChanged } from './trap.ts'
import { takePending, wfiWakes } from './interrupts.ts'

const TWO32 = 4294967296

/**
 * The CSRs a saved context holds, in its order (hyp/context.ts GUEST_CSRS, which does not
 * export it; test/gdb-stub.test.ts checks the two agree).
 */
const CTX_CSRS: readonly number[] = [
  CSR.vsstatus, CSR.vstvec, CSR.vsscratch, CSR.vsepc, CSR.vscause, CSR.vstval, CSR.vsatp, CSR.vstimecmp,
  CSR.hvip, CSR.hstatus, CSR.henvcfg, CSR.htimedelta, CSR.mie, CSR.fflags, CSR.frm,
]

/** where one register's value lives for one thread: the hart, and the saved context when the vCPU is not on it */
interface Src {
  h: RiscvHart
  ctx: VcpuContext | null
}

interface Reg {
  name: string
  bits: 32 | 64
  feature: 'cpu' | 'fpu' | 'csr' | 'virtual'
  type?: string
  get(s: Src): bigint | null
  /** absent: read-only to the debugger */
  set?(s: Src, v: bigint): void
}

const pair = (a: Int32Array, i: number): bigint => (BigInt(a[i + 1]!) << 32n) | BigInt(a[i]! >>> 0)
function setPair(a: Int32Array, i: number, v: bigint): void {
  a[i] = Number(BigInt.asIntN(32, v))
  a[i + 1] = Number(BigInt.asIntN(32, v >> 32n))
}

/** CSR `n` as the hart reads it (csr.ts `read`: no side effects), or null when it has none */
function live(h: RiscvHart, n: number): bigint | null {
  if (!readCsr(h, n)) return null
  return BigInt.asUintN(64, pair(h.r64, 0))
}

/** a saved context's copy of CSR `n` (one of CTX_CSRS) */
function saved(ctx: VcpuContext, n: number): bigint {
  return BigInt.asUintN(64, pair(ctx.csr, 2 * CTX_CSRS.indexOf(n)))
}
function setSaved(ctx: VcpuContext, n: number, v: bigint): void {
  setPair(ctx.csr, 2 * CTX_CSRS.indexOf(n), v)
}

const X_NAMES = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 'fp', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7',
  's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6']
const F_NAMES = ['ft0', 'ft1', 'ft2', 'ft3', 'ft4', 'ft5', 'ft6', 'ft7', 'fs0', 'fs1', 'fa0', 'fa1', 'fa2', 'fa3', 'fa4', 'fa5', 'fa6', 'fa7',
  'fs2', 'fs3', 'fs4', 'fs5', 'fs6', 'fs7', 'fs8', 'fs9', 'fs10', 'fs11', 'ft8', 'ft9', 'ft10', 'ft11']

/** general registers, pc, FP registers and fflags/frm/fcsr: the same for bare harts and vCPUs */
function commonRegs(): Reg[] {
  const regs: Reg[] = X_NAMES.map((name, i) => ({
    name, bits: 64, feature: 'cpu', type: i === 1 ? 'code_ptr' : i === 2 || i === 3 || i === 4 || i === 8 ? 'data_ptr' : 'int',
    get: (s) => (i === 0 ? 0n : BigInt.asUintN(64, pair(s.ctx ? s.ctx.x : s.h.x, 2 * i))),
    set: (s, v) => { if (i !== 0) setPair(s.ctx ? s.ctx.x : s.h.x, 2 * i, v) },
  }))
  regs.push({
    name: 'pc', bits: 64, feature: 'cpu', type: 'code_ptr',
    get: (s) => (s.ctx ? BigInt.asUintN(64, (BigInt(s.ctx.pcHi) << 32n) | BigInt(s.ctx.pcLo >>> 0)) : BigInt.asUintN(64, s.h.pc)),
    set: (s, v) => {
      if (!s.ctx) { s.h.pc = v; return }
      s.ctx.pcLo = Number(BigInt.asIntN(32, v))
      s.ctx.pcHi = Number(BigInt.asIntN(32, v >> 32n))
    },
  })
  F_NAMES.forEach((name, i) => regs.push({
    name, bits: 64, feature: 'fpu', type: 'riscv_double',
    get: (s) => BigInt.asUintN(64, pair(s.ctx ? s.ctx.f : s.h.f, 2 * i)),
    set: (s, v) => setPair(s.ctx ? s.ctx.f : s.h.f, 2 * i, v),
  }))
  // fflags and frm live in the hart's CSR words (and in a saved context's); fcsr is both
  const fflags = (s: Src): number => Number(s.ctx ? saved(s.ctx, CSR.fflags) : BigInt(s.h.fflags)) & 0x1f
  const frm = (s: Src): number => Number(s.ctx ? saved(s.ctx, CSR.frm) : BigInt(s.h.frm)) & 7
  const setF = (s: Src, flags: number, rm: number): void => {
    if (s.ctx) { setSaved(s.ctx, CSR.fflags, BigInt(flags & 0x1f)); setSaved(s.ctx, CSR.frm, BigInt(rm & 7)) } else { s.h.fflags = flags; s.h.frm = rm }
  }
  regs.push(
    { name: 'fflags', bits: 32, feature: 'fpu', type: 'int', get: (s) => BigInt(fflags(s)), set: (s, v) => setF(s, Number(v & 0x1fn), frm(s)) },
    { name: 'frm', bits: 32, feature: 'fpu', type: 'int', get: (s) => BigInt(frm(s)), set: (s, v) => setF(s, fflags(s), Number(v & 7n)) },
    { name: 'fcsr', bits: 32, feature: 'fpu', type: 'int', get: (s) => BigInt((frm(s) << 5) | fflags(s)), set: (s, v) => setF(s, Number(v & 0x1fn), Number((v >> 5n) & 7n)) },
  )
  return regs
}

/** the current privilege level (GDB's `priv`: 0 U, 1 S, 3 M) */
const privReg: Reg = { name: 'priv', bits: 64, feature: 'virtual', get: (s) => BigInt(s.ctx ? s.ctx.priv : s.h.priv) }

/** CSRs a bare hart shows, by GDB's names for them (gdb/features/riscv/64bit-csr.xml, include/opcode/riscv-opc.h) */
const BARE_CSRS: readonly (keyof typeof CSR)[] = [
  'cycle', 'time', 'instret',
  'sstatus', 'sie', 'stvec', 'scounteren', 'senvcfg', 'sscratch', 'sepc', 'scause', 'stval', 'sip', 'stimecmp', 'satp',
  'vsstatus', 'vsie', 'vstvec', 'vsscratch', 'vsepc', 'vscause', 'vstval', 'vsip', 'vstimecmp', 'vsatp',
  'hstatus', 'hedeleg', 'hideleg', 'hie', 'htimedelta', 'hcounteren', 'hgeie', 'henvcfg', 'htval', 'hip', 'hvip', 'htinst', 'hgatp', 'hgeip',
  'mvendorid', 'marchid', 'mimpid', 'mhartid', 'mconfigptr', 'mstatus', 'misa', 'medeleg', 'mideleg', 'mie', 'mtvec', 'mcounteren',
  'menvcfg', 'mcountinhibit', 'mscratch', 'mepc', 'mcause', 'mtval', 'mip', 'mtinst', 'mtval2', 'mcycle', 'minstret', 'tselect', 'tdata1',
]
/** CSRs without side effects the debugger may write on a bare hart (plain storage; xepc drops bit 0 as csr.ts does) */
const BARE_WRITABLE = new Set<number>([
  CSR.mscratch, CSR.mepc, CSR.mcause, CSR.mtval, CSR.sscratch, CSR.sepc, CSR.scause, CSR.stval,
  CSR.vsscratch, CSR.vsepc, CSR.vscause, CSR.vstval, CSR.mtvec, CSR.stvec, CSR.vstvec,
])

function bareCsr(name: string, n: number): Reg {
  return {
    name, bits: 64, feature: 'csr',
    get: (s) => live(s.h, n),
    set: BARE_WRITABLE.has(n) ? (s, v) => setPair(s.h.c, 2 * n, n === CSR.mepc || n === CSR.sepc || n === CSR.vsepc ? v & ~1n : v) : undefined,
  }
}

/**
 * A vCPU's CSRs as its guest sees them in VS-mode: name → the VS register underneath, read live
 * (the hart's vs* words) or from the saved context. The counters are the pCPU's (hcounteren lets
 * guests read them); `time` includes the vCPU's htimedelta.
 */
function guestCsrs(): Reg[] {
  const plain = (name: string, vs: number, writable: boolean): Reg => ({
    name, bits: 64, feature: 'csr',
    get: (s) => (s.ctx ? saved(s.ctx, vs) : live(s.h, vs)),
    set: writable ? (s, v) => {
      const w = vs === CSR.vsepc ? v & ~1n : v
      if (s.ctx) setSaved(s.ctx, vs, w)
      else setPair(s.h.c, 2 * vs, w)
    } : undefined,
  })
  return [
    { name: 'cycle', bits: 64, feature: 'csr', get: (s) => (s.ctx ? null : live(s.h, CSR.cycle)) },
    {
      name: 'time', bits: 64, feature: 'csr',
      get: (s) => (s.ctx ? BigInt.asUintN(64, BigInt(s.h.clock.ticks(s.h.nowCycles())) + saved(s.ctx, CSR.htimedelta)) : live(s.h, CSR.time)),
    },
    { name: 'instret', bits: 64, feature: 'csr', get: (s) => (s.ctx ? null : live(s.h, CSR.instret)) },
    {
      name: 'sstatus', bits: 64, feature: 'csr',
      get: (s) => (s.ctx ? saved(s.ctx, CSR.vsstatus) : live(s.h, CSR.vsstatus)),
      set: (s, v) => {
        const old = s.ctx ? saved(s.ctx, CSR.vsstatus) : BigInt.asUintN(64, pair(s.h.c, 2 * CSR.vsstatus))
        const next = (old & ~BigInt(SSTATUS_WMASK)) | (v & BigInt(SSTATUS_WMASK))
        if (s.ctx) setSaved(s.ctx, CSR.vsstatus, next)
        else { setPair(s.h.c, 2 * CSR.vsstatus, next); modeChanged(s.h) }
      },
    },
    // vsie/vsip: the VS bits of mie/hvip shifted down (H §8.2.12); Bao delegates all of them (hideleg)
    { name: 'sie', bits: 64, feature: 'csr', get: (s) => (s.ctx ? BigInt((Number(saved(s.ctx, CSR.mie)) & VS_IRQS) >>> 1) : live(s.h, CSR.vsie)) },
    plain('stvec', CSR.vstvec, true),
    plain('sscratch', CSR.vsscratch, true),
    plain('sepc', CSR.vsepc, true),
    plain('scause', CSR.vscause, true),
    plain('stval', CSR.vstval, true),
    { name: 'sip', bits: 64, feature: 'csr', get: (s) => (s.ctx ? BigInt((Number(saved(s.ctx, CSR.hvip)) & VS_IRQS) >>> 1) : live(s.h, CSR.vsip)) },
    plain('stimecmp', CSR.vstimecmp, false),
    {
      name: 'satp', bits: 64, feature: 'csr',
      get: (s) => (s.ctx ? saved(s.ctx, CSR.vsatp) : live(s.h, CSR.vsatp)),
      set: (s, v) => {
        const mode = Number(v >> 60n)
        if (mode !== 0 && mode !== 8) return // WARL: the write is ignored, as csr.ts does
        if (s.ctx) setSaved(s.ctx, CSR.vsatp, v)
        else { setPair(s.h.c, 2 * CSR.vsatp, v); modeChanged(s.h) }
      },
    },
  ]
}

const BARE_REGS: Reg[] = [...commonRegs(), ...BARE_CSRS.map((n) => bareCsr(n, CSR[n])),
  ...[0, 2].map((i) => bareCsr(`pmpcfg${i}`, CSR.pmpcfg0 + i)),
  ...Array.from({ length: 16 }, (_, i) => bareCsr(`pmpaddr${i}`, CSR.pmpaddr0 + i)), privReg]
const GUEST_REGS: Reg[] = [...commonRegs(), ...guestCsrs(), privReg]

const FEATURES = {
  cpu: 'org.gnu.gdb.riscv.cpu', fpu: 'org.gnu.gdb.riscv.fpu', csr: 'org.gnu.gdb.riscv.csr', virtual: 'org.gnu.gdb.riscv.virtual',
} as const

/** the target description: GDB's four RISC-V features inline, registers numbered in order */
function targetXml(regs: readonly Reg[]): string {
  const out = ['<?xml version="1.0"?>', '<!DOCTYPE target SYSTEM "gdb-target.dtd">', '<target version="1.0">', '<architecture>riscv:rv64</architecture>']
  for (const f of ['cpu', 'fpu', 'csr', 'virtual'] as const) {
    out.push(`<feature name="${FEATURES[f]}">`)
    if (f === 'fpu') out.push('<union id="riscv_double"><field name="float" type="ieee_single"/><field name="double" type="ieee_double"/></union>')
    regs.forEach((r, i) => {
      if (r.feature === f) out.push(`<reg name="${r.name}" bitsize="${r.bits}" regnum="${i}"${r.type ? ` type="${r.type}"` : ''}${f === 'csr' ? ' group="csr"' : ''}/>`)
    })
    out.push('</feature>')
  }
  out.push('</target>')
  return out.join('\n')
}

function layoutOf(regs: readonly Reg[]): GdbRegisterLayout {
  return { xml: { 'target.xml': targetXml(regs) }, sizes: regs.map((r) => r.bits / 8), gCount: 33, pc: 32 }
}
const LAYOUTS = { bare: layoutOf(BARE_REGS), guest: layoutOf(GUEST_REGS) }

function srcOf(t: GdbThread): Src | null {
  const h = t.cpu as unknown as RiscvHart
  if (!t.vcpu || t.live) return { h, ctx: null }
  const ctx = (t.vcpu.arch as VcpuArch | undefined)?.ctx ?? null
  return ctx ? { h, ctx } : null
}

function toBytes(v: bigint, n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn)
  return out
}
function fromBytes(b: Uint8Array): bigint {
  let v = 0n
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!)
  return v
}

// ---- the debugger's translation (priv 1.12 §4.4.2, H §8.5), without side effects ----

/** a doubleword of RAM at `pa`, or null when it is not RAM (a walk never reads a device) */
function ram64(h: RiscvHart, pa: number): bigint | null {
  if (!h.bus.isRamRange(pa, 8)) return null
  const b = h.bus.dump(pa, 8)
  return fromBytes(b)
}

/**
 * One Sv39 walk (or Sv39x4 with `x4`: the G-stage's 41-bit input, §8.5.1) from the table at
 * `root`; `tableAddr` turns each PTE's address into a physical one (the G-stage for a VS-stage
 * walk). Permissions are not checked; a leaf's A/D bits are left alone.
 */
function sv39(h: RiscvHart, va: number, root: number, x4: boolean, tableAddr: (a: number) => number | null): number | null {
  let a = root
  for (let level = 2; level >= 0; level--) {
    const vpn = level === 2 ? Math.floor(va / 2 ** 30) & (x4 ? 0x7ff : 0x1ff) : Math.floor(va / 2 ** (12 + 9 * level)) & 0x1ff
    const at = tableAddr(a + vpn * 8)
    if (at === null) return null
    const pte = ram64(h, at)
    if (pte === null) return null
    const lo = Number(pte & 0xffffffffn)
    if (!(lo & 1) || (!(lo & 2) && lo & 4) || pte >> 54n !== 0n) return null
    const ppn = Number((pte >> 10n) & 0xfffffffffffn)
    if (!(lo & (2 | 8))) { a = ppn * 4096; continue }
    const span = 2 ** (12 + 9 * level)
    if ((ppn * 4096) % span !== 0) return null // misaligned superpage
    return ppn * 4096 + (va % span)
  }
  return null
}

/** `va` (64-bit) as a 39-bit Sv39 address, or null when bits 63:39 do not all equal bit 38 */
function sv39Va(va: bigint): number | null {
  const top = va >> 38n
  if (top !== 0n && top !== (1n << 26n) - 1n) return null
  return Number(va & ((1n << 39n) - 1n))
}

const satpRoot = (satp: bigint): number => Number(satp & 0xfffffffffffn) * 4096
const satpMode = (satp: bigint): number => Number(satp >> 60n)

function translate(t: GdbThread, va: bigint): number | null {
  const h = t.cpu as unknown as RiscvHart
  va = BigInt.asUintN(64, va)
  if (t.vcpu) {
    // a guest: VS-stage under its vsatp, every address then through its VM's stage-2 map
    const s2 = t.vcpu.vm.stage2
    const g = (gpa: number): number | null => {
      const e = s2.lookup(gpa)
      if (!e || e.handler) return null
      return e.pa + (gpa - e.gpa)
    }
    const src = srcOf(t)
    if (!src) return null
    const vsatp = src.ctx ? saved(src.ctx, CSR.vsatp) : BigInt.asUintN(64, pair(h.c, 2 * CSR.vsatp))
    if (satpMode(vsatp) === 0) return va < 2n ** 53n ? g(Number(va)) : null
    const v = sv39Va(va)
    if (v === null) return null
    const gpa = sv39(h, v, satpRoot(vsatp), false, g)
    return gpa === null ? null : g(gpa)
  }
  // a bare hart: as its current mode fetches (M: physical; V=0: satp; V=1: vsatp, then hgatp or the core's map)
  const phys = (a: number): number | null => a
  if (h.priv === PRV_M) return va < 2n ** 56n ? Number(va) : null
  const satp = BigInt.asUintN(64, pair(h.c, 2 * (h.virt ? CSR.vsatp : CSR.satp)))
  let gstage = phys
  if (h.virt) {
    const hgatp = BigInt.asUintN(64, pair(h.c, 2 * CSR.hgatp))
    const s2 = h.stage2
    if (s2) gstage = (gpa) => { const e = s2.lookup(gpa); return !e || e.handler ? null : e.pa + (gpa - e.gpa) }
    else if (satpMode(hgatp) === 8) gstage = (gpa) => (gpa >= 2 ** 41 ? null : sv39(h, gpa, Number(hgatp & 0xffffffffffcn) * 4096, true, phys))
  }
  if (satpMode(satp) === 0) return va < 2n ** 56n ? gstage(Number(va)) : null
  const v = sv39Va(va)
  if (v === null) return null
  const out = sv39(h, v, satpRoot(satp), false, gstage)
  return out === null ? null : gstage(out)
}

/** whether a parked hart was waiting in WFI when it was parked */
const idleBefore = new WeakMap<RiscvHart, boolean>()

export const gdb: ArchGdb = {
  layout: (guest) => (guest ? LAYOUTS.guest : LAYOUTS.bare),
  readRegister(t, n) {
    const r = (t.vcpu ? GUEST_REGS : BARE_REGS)[n]
    const s = srcOf(t)
    if (!r || !s) return null
    const v = r.get(s)
    return v === null ? null : toBytes(v, r.bits / 8)
  },
  writeRegister(t, n, value) {
    const r = (t.vcpu ? GUEST_REGS : BARE_REGS)[n]
    const s = srcOf(t)
    if (!r?.set || !s || value.length !== r.bits / 8) return false
    r.set(s, fromBytes(value))
    return true
  },
  translate,
  park(cpu: Cpu, parked: boolean) {
    const h = cpu as unknown as RiscvHart
    if (parked) {
      if (!idleBefore.has(h)) idleBefore.set(h, h.idle)
      h.idle = true
    } else {
      // back in its WFI if it was in one and nothing it waits for has come meanwhile (priv §3.3.3)
      h.idle = (idleBefore.get(h) ?? false) && !wfiWakes(h)
      idleBefore.delete(h)
    }
    h.brk = true
  },
  takeInterrupt: (cpu) => takePending(cpu as unknown as RiscvHart),
}

/** for tests: the context CSR order this file assumes */
export const CONTEXT_CSRS = CTX_CSRS
