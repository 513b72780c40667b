/**
 * What a GDB stub (feature gdb) needs from an AArch64 CPU (core/arch.ts ArchGdb): GDB's own
 * AArch64 target description (gdb/features/aarch64-core.xml and aarch64-fpu.xml: x0-x30, sp, pc,
 * cpsr; v0-v31, fpsr, fpcr) plus the system registers as a feature of our own, read live from the
 * CPU or from a vCPU's saved context (hyp/context.ts), and a VMSAv8-64 stage-1 walk (D8.2, 4 KiB
 * granule) for the debugger's memory accesses that raises nothing.
 *
 * A bare CPU shows its EL1 and EL2 system registers; a vCPU shows the EL1 ones its guest owns
 * (the context Bao saves and restores), not the hypervisor's EL2 registers.
 */
import type { ArchGdb, Cpu, GdbRegisterLayout, GdbThread } from '../../core/arch.ts'
import type { A64Cpu } from './cpu.ts'
import { spIsLive } from './exceptions.ts'
import { interruptPending, takePending } from './interrupts.ts'
import { GUEST_SYSREGS, type A64Context } from './hyp/context.ts'
import type { VcpuArch } from './hyp/a64-hyp.ts'
import { BY_NAME, SCTLR, SR, type SysRegName } from './sysreg-defs.ts'
import { DAIF_A, DAIF_D, DAIF_F, DAIF_I, ST, X_SP } from './state.ts'

/**
 * A saved context's PSTATE words, in its order (hyp/context.ts ST_WORDS, which does not export
 * it; test/gdb-stub.test.ts checks the two agree): pc, NZCV, EL, SPSel, DAIF, IL, event register.
 */
export const CTX_ST = { PC_LO: 0, PC_HI: 1, NZCV: 2, EL: 3, SPSEL: 4, DAIF: 5, IL: 6 } as const

interface Src {
  h: A64Cpu
  ctx: A64Context | null
}

interface Reg {
  name: string
  /** bytes */
  size: 4 | 8 | 16
  feature: 'core' | 'fpu' | 'sys'
  type?: string
  get(s: Src): Uint8Array | null
  set?(s: Src, v: Uint8Array): void
}

const NAME_OF = new Map<number, SysRegName>(Object.entries(SR).map(([n, i]) => [i, n as SysRegName]))

function le(v: bigint, n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = Number((BigInt.asUintN(64, v) >> BigInt(8 * i)) & 0xffn)
  return out
}
function num(b: Uint8Array): bigint {
  let v = 0n
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!)
  return v
}
const words = (a: Int32Array, i: number): bigint => BigInt.asUintN(64, (BigInt(a[i + 1]!) << 32n) | BigInt(a[i]! >>> 0))
function setWords(a: Int32Array, i: number, v: bigint): void {
  a[i] = Number(BigInt.asIntN(32, v))
  a[i + 1] = Number(BigInt.asIntN(32, v >> 32n))
}

/** where system register `r` (an SR index) is stored for this thread: index into `sys` or a saved context's `sys`, or -1 */
function sysSlot(s: Src, r: number): { a: Int32Array; i: number } | null {
  if (!s.ctx) return { a: s.h.sys, i: r * 2 }
  const k = (GUEST_SYSREGS as readonly number[]).indexOf(r)
  return k < 0 ? null : { a: s.ctx.sys, i: 2 * k }
}

const pstate = (s: Src, k: keyof typeof CTX_ST): number => (s.ctx ? s.ctx.st[CTX_ST[k]]! : s.h.st[ST[k]]!)

/** the SP bank (EL, PSTATE.SP) selects (exceptions.ts spBank) */
const spBank = (el: number, spsel: number): number => (spsel === 0 || el === 0 ? SR.SP_EL0 : el === 1 ? SR.SP_EL1 : SR.SP_EL2)

function coreRegs(): Reg[] {
  const regs: Reg[] = Array.from({ length: 31 }, (_, n): Reg => ({
    name: `x${n}`, size: 8, feature: 'core',
    get: (s) => le(words(s.ctx ? s.ctx.x : s.h.x, 2 * n), 8),
    set: (s, v) => setWords(s.ctx ? s.ctx.x : s.h.x, 2 * n, num(v)),
  }))
  regs.push({
    name: 'sp', size: 8, feature: 'core', type: 'data_ptr',
    get: (s) => {
      if (!s.ctx) return le(words(s.h.x, X_SP), 8)
      const slot = sysSlot(s, spBank(pstate(s, 'EL'), pstate(s, 'SPSEL')))
      return slot ? le(words(slot.a, slot.i), 8) : null
    },
    set: (s, v) => {
      if (!s.ctx) { setWords(s.h.x, X_SP, num(v)); return }
      const slot = sysSlot(s, spBank(pstate(s, 'EL'), pstate(s, 'SPSEL')))
      if (slot) setWords(slot.a, slot.i, num(v))
    },
  })
  regs.push({
    name: 'pc', size: 8, feature: 'core', type: 'code_ptr',
    get: (s) => le(s.ctx ? words(s.ctx.st, CTX_ST.PC_LO) : s.h.pc, 8),
    set: (s, v) => { if (s.ctx) setWords(s.ctx.st, CTX_ST.PC_LO, num(v)); else s.h.pc = num(v) },
  })
  // PSTATE as SPSR holds it (C5.2.18): NZCV, IL, DAIF, M[3:0] = EL:SP. GDB may change the flags, not the mode.
  regs.push({
    name: 'cpsr', size: 4, feature: 'core', type: 'cpsr_flags',
    get: (s) => le(BigInt(((pstate(s, 'NZCV') & 0xf0000000) | (pstate(s, 'IL') ? 1 << 20 : 0) | pstate(s, 'DAIF') | (pstate(s, 'EL') << 2) | pstate(s, 'SPSEL')) >>> 0), 4),
    set: (s, v) => {
      const x = Number(num(v))
      const st = s.ctx ? s.ctx.st : s.h.st
      st[s.ctx ? CTX_ST.NZCV : ST.NZCV] = x & 0xf0000000
      st[s.ctx ? CTX_ST.DAIF : ST.DAIF] = x & (DAIF_D | DAIF_A | DAIF_I | DAIF_F)
      if (!s.ctx) s.h.brk = true
    },
  })
  for (let n = 0; n < 32; n++) {
    regs.push({
      name: `v${n}`, size: 16, feature: 'fpu', type: 'aarch64v',
      get: (s) => vBytes(s.ctx ? s.ctx.v : s.h.v, n),
      set: (s, v) => {
        const a = s.ctx ? s.ctx.v : s.h.v
        const dv = new DataView(v.buffer, v.byteOffset, 16)
        for (let k = 0; k < 4; k++) a[4 * n + k] = dv.getInt32(4 * k, true)
      },
    })
  }
  for (const [name, r] of [['fpsr', SR.FPSR], ['fpcr', SR.FPCR]] as const) {
    regs.push({
      name, size: 4, feature: 'fpu',
      get: (s) => { const slot = sysSlot(s, r); return slot ? le(BigInt(slot.a[slot.i]! >>> 0), 4) : null },
      // the bits sysregs.ts lets an MSR set
      set: (s, v) => { const slot = sysSlot(s, r); if (slot) slot.a[slot.i] = Number(num(v)) & (r === SR.FPSR ? 0xf800009f : 0x07f70000) },
    })
  }
  return regs
}

function vBytes(a: Int32Array, n: number): Uint8Array {
  const out = new Uint8Array(16)
  const dv = new DataView(out.buffer)
  for (let k = 0; k < 4; k++) dv.setInt32(4 * k, a[4 * n + k]!, true)
  return out
}

/** a system register from storage; SP_ELx from x[SP] while it is the live bank */
function sysReg(r: number, writable: boolean): Reg {
  const name = NAME_OF.get(r)!
  const isSp = r === SR.SP_EL0 || r === SR.SP_EL1 || r === SR.SP_EL2
  return {
    name: name.toLowerCase(), size: 8, feature: 'sys',
    get: (s) => {
      if (!s.ctx && isSp && spIsLive(s.h, r)) return le(words(s.h.x, X_SP), 8)
      const slot = sysSlot(s, r)
      return slot ? le(words(slot.a, slot.i), 8) : null
    },
    set: writable ? (s, v) => {
      if (!s.ctx && isSp && spIsLive(s.h, r)) { setWords(s.h.x, X_SP, num(v)); return }
      const slot = sysSlot(s, r)
      if (!slot) return
      setWords(slot.a, slot.i, num(v))
      // translation controls may have changed: the soft TLB was filled under the old ones
      if (!s.ctx) { s.h.tlb.flush(); s.h.brk = true }
    } : undefined,
  }
}

/** registers the CPU computes on each read (not storage) or that are PSTATE views the core feature already shows */
const NOT_STORED = new Set<SysRegName>(['FPCR', 'FPSR', 'NZCV', 'DAIF', 'SPSEL', 'CURRENTEL', 'ISR_EL1', 'CCSIDR_EL1', 'OSLAR_EL1',
  'CNTPCT_EL0', 'CNTVCT_EL0', 'CNTP_TVAL_EL0', 'CNTV_TVAL_EL0', 'CNTHP_TVAL_EL2', 'CNTP_CTL_EL0', 'CNTV_CTL_EL0', 'CNTHP_CTL_EL2'])
/** the timers' registers: read-only to the debugger (a write would have to re-arm the timer) */
const TIMER = new Set<SysRegName>(['CNTP_CVAL_EL0', 'CNTV_CVAL_EL0', 'CNTHP_CVAL_EL2', 'CNTVOFF_EL2', 'CNTKCTL_EL1', 'CNTHCTL_EL2', 'CNTFRQ_EL0'])
const writable = (n: SysRegName): boolean => BY_NAME.get(n)?.access === 'rw' && !TIMER.has(n)

const BARE_REGS: Reg[] = [...coreRegs(),
  ...[...NAME_OF.entries()].filter(([, n]) => !NOT_STORED.has(n)).map(([r, n]) => sysReg(r, writable(n)))]
/** a guest's own registers: its saved context's, less the FP pair (in the fpu feature) and the hypervisor's VMPIDR_EL2 */
const GUEST_REGS: Reg[] = [...coreRegs(),
  ...GUEST_SYSREGS.filter((r) => r !== SR.FPCR && r !== SR.FPSR && r !== SR.VMPIDR_EL2).map((r) => sysReg(r, writable(NAME_OF.get(r)!) && r !== SR.MPIDR_EL1))]

const CORE_TYPES = `<flags id="cpsr_flags" size="4">
<field name="SP" start="0" end="0"/><field name="EL" start="2" end="3"/><field name="nRW" start="4" end="4"/>
<field name="F" start="6" end="6"/><field name="I" start="7" end="7"/><field name="A" start="8" end="8"/><field name="D" start="9" end="9"/>
<field name="IL" start="20" end="20"/><field name="SS" start="21" end="21"/>
<field name="V" start="28" end="28"/><field name="C" start="29" end="29"/><field name="Z" start="30" end="30"/><field name="N" start="31" end="31"/>
</flags>`
// gdb/features/aarch64-fpu.xml's vector view of a V register
const FPU_TYPES = `<vector id="v2d" type="ieee_double" count="2"/><vector id="v2u" type="uint64" count="2"/><vector id="v2i" type="int64" count="2"/>
<vector id="v4f" type="ieee_single" count="4"/><vector id="v4u" type="uint32" count="4"/><vector id="v4i" type="int32" count="4"/>
<vector id="v8f" type="ieee_half" count="8"/><vector id="v8u" type="uint16" count="8"/><vector id="v8i" type="int16" count="8"/>
<vector id="v16u" type="uint8" count="16"/><vector id="v16i" type="int8" count="16"/>
<vector id="v1u" type="uint128" count="1"/><vector id="v1i" type="int128" count="1"/>
<union id="vnd"><field name="f" type="v2d"/><field name="u" type="v2u"/><field name="s" type="v2i"/></union>
<union id="vns"><field name="f" type="v4f"/><field name="u" type="v4u"/><field name="s" type="v4i"/></union>
<union id="vnh"><field name="f" type="v8f"/><field name="u" type="v8u"/><field name="s" type="v8i"/></union>
<union id="vnb"><field name="u" type="v16u"/><field name="s" type="v16i"/></union>
<union id="vnq"><field name="u" type="v1u"/><field name="s" type="v1i"/></union>
<union id="aarch64v"><field name="d" type="vnd"/><field name="s" type="vns"/><field name="h" type="vnh"/><field name="b" type="vnb"/><field name="q" type="vnq"/></union>`

const FEATURES = { core: 'org.gnu.gdb.aarch64.core', fpu: 'org.gnu.gdb.aarch64.fpu', sys: 'org.baobab.aarch64.sysregs' } as const

function targetXml(regs: readonly Reg[]): string {
  const out = ['<?xml version="1.0"?>', '<!DOCTYPE target SYSTEM "gdb-target.dtd">', '<target version="1.0">', '<architecture>aarch64</architecture>']
  for (const f of ['core', 'fpu', 'sys'] as const) {
    out.push(`<feature name="${FEATURES[f]}">`)
    if (f === 'core') out.push(CORE_TYPES)
    if (f === 'fpu') out.push(FPU_TYPES)
    regs.forEach((r, i) => {
      if (r.feature === f) out.push(`<reg name="${r.name}" bitsize="${r.size * 8}" regnum="${i}"${r.type ? ` type="${r.type}"` : ''}${f === 'sys' ? ' group="system"' : ''}/>`)
    })
    out.push('</feature>')
  }
  out.push('</target>')
  return out.join('\n')
}

function layoutOf(regs: readonly Reg[]): GdbRegisterLayout {
  return { xml: { 'target.xml': targetXml(regs) }, sizes: regs.map((r) => r.size), gCount: 34, pc: 32 }
}
const LAYOUTS = { bare: layoutOf(BARE_REGS), guest: layoutOf(GUEST_REGS) }

function srcOf(t: GdbThread): Src | null {
  const h = t.cpu as unknown as A64Cpu
  if (!t.vcpu || t.live) return { h, ctx: null }
  const ctx = (t.vcpu.arch as VcpuArch | undefined)?.ctx ?? null
  return ctx ? { h, ctx } : null
}

// ---- the debugger's stage 1 (D8.2, 4 KiB granule), without side effects ----

/** the A53's physical (and intermediate physical) address size */
const PA_BITS = 40n

function ram64(h: A64Cpu, pa: number): bigint | null {
  return h.bus.isRamRange(pa, 8) ? num(h.bus.dump(pa, 8)) : null
}

/**
 * Stage 1 of the regime `el` selects, as mmu.ts walks it for a data access, from the thread's
 * translation registers; `table` turns each table address (an IPA under a hypervisor) into a
 * physical one. Access flags and permissions are not checked.
 */
function stage1(h: A64Cpu, s: Src, va: bigint, table: (ipa: number) => number | null): number | null {
  const el = pstate(s, 'EL')
  const reg = (r: number): bigint => { const slot = sysSlot(s, r); return slot ? words(slot.a, slot.i) : 0n }
  const sctlr = reg(el === 2 ? SR.SCTLR_EL2 : SR.SCTLR_EL1)
  if ((Number(sctlr & 0xffffffffn) & SCTLR.M) === 0) return va >> PA_BITS === 0n ? Number(va) : null
  const tcr = reg(el === 2 ? SR.TCR_EL2 : SR.TCR_EL1)
  const upper = el !== 2 && ((va >> 55n) & 1n) === 1n
  const tsz = Math.min(39, Math.max(16, Number(upper ? (tcr >> 16n) & 63n : tcr & 63n)))
  const tbi = (el === 2 ? (tcr >> 20n) & 1n : upper ? (tcr >> 38n) & 1n : (tcr >> 37n) & 1n) === 1n
  const inputSize = 64 - tsz
  // the bits above the input size (below the top byte with TBI) must all equal the half's selector
  const topBits = BigInt((tbi ? 56 : 64) - inputSize)
  const top = (va >> BigInt(inputSize)) & ((1n << topBits) - 1n)
  if (top !== (upper ? (1n << topBits) - 1n : 0n)) return null
  if (el !== 2 && ((upper ? tcr >> 23n : tcr >> 7n) & 1n) === 1n) return null // EPD1/EPD0
  if (Number(upper ? (tcr >> 30n) & 3n : (tcr >> 14n) & 3n) !== (upper ? 2 : 0)) return null // 4 KiB granule only
  let base = reg(el === 2 ? SR.TTBR0_EL2 : upper ? SR.TTBR1_EL1 : SR.TTBR0_EL1) & 0xfffffffffffen
  const start = inputSize > 39 ? 0 : inputSize > 30 ? 1 : 2
  for (let level = start; level <= 3; level++) {
    const sh = 39 - 9 * level
    const bits = level === start ? inputSize - sh : 9
    const idx = (va >> BigInt(sh)) & ((1n << BigInt(bits)) - 1n)
    const at = table(Number(base + idx * 8n))
    if (at === null) return null
    const d = ram64(h, at)
    if (d === null) return null
    const kind = Number(d & 3n)
    if ((kind & 1) === 0 || (level === 3 && kind !== 3) || (level === 0 && kind === 1)) return null
    const oa = d & 0xfffffffff000n
    if (oa >> PA_BITS !== 0n) return null
    if (level < 3 && kind === 3) { base = oa; continue }
    const blockBits = BigInt(level === 1 ? 30 : level === 2 ? 21 : 12)
    const mask = (1n << blockBits) - 1n
    return Number((oa & ~mask) | (va & mask))
  }
  return null
}

function translate(t: GdbThread, va: bigint): number | null {
  const h = t.cpu as unknown as A64Cpu
  const s = srcOf(t)
  if (!s) return null
  va = BigInt.asUintN(64, va)
  if (!t.vcpu) return stage1(h, s, va, (pa) => pa)
  // a guest: its EL1&0 regime, every table address and the output through its VM's stage 2
  const s2 = t.vcpu.vm.stage2
  const ipa = (a: number): number | null => {
    const e = s2.lookup(a)
    return !e || e.handler ? null : e.pa + (a - e.gpa)
  }
  const out = stage1(h, s, va, ipa)
  return out === null ? null : ipa(out)
}

/** whether a parked CPU was waiting in WFI when it was parked */
const idleBefore = new WeakMap<A64Cpu, boolean>()

export const gdb: ArchGdb = {
  layout: (guest) => (guest ? LAYOUTS.guest : LAYOUTS.bare),
  readRegister(t, n) {
    const r = (t.vcpu ? GUEST_REGS : BARE_REGS)[n]
    const s = srcOf(t)
    return r && s ? r.get(s) : null
  },
  writeRegister(t, n, value) {
    const r = (t.vcpu ? GUEST_REGS : BARE_REGS)[n]
    const s = srcOf(t)
    if (!r?.set || !s || value.length !== r.size) return false
    r.set(s, value)
    return true
  },
  translate,
  park(cpu: Cpu, parked: boolean) {
    const h = cpu as unknown as A64Cpu
    if (parked) {
      if (!idleBefore.has(h)) idleBefore.set(h, h.idle)
      h.idle = true
    } else {
      // back in its WFI if it was in one and no interrupt has come meanwhile (D1.16.2); a CPU powered off re-idles itself
      h.idle = (idleBefore.get(h) ?? false) && !interruptPending(h)
      idleBefore.delete(h)
    }
    h.brk = true
  },
  // as run() does before an instruction (not while powered off, and not out of an illegal state)
  takeInterrupt: (cpu) => { const h = cpu as unknown as A64Cpu; if (!h.off && h.st[ST.IL] === 0) takePending(h) },
}
