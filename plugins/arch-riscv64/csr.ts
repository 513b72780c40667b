/**
 * CSR access (Zicsr; priv 1.12 §2.1, §3.1, §4.1; H §8.2): privilege checks, the VS aliases of
 * supervisor CSRs when V=1, WARL legalisation and side effects. Returns false after raising
 * illegal-instruction or virtual-instruction.
 */
import { pmpAddrLocked, pmpCfgWrite, pmpDecode } from './pmp.ts'
import {
  ALL_IRQS, CSR, EXC, HEDELEG_MASK, HS, HSTATUS_WMASK, IRQ, MEDELEG_MASK, MS, MSTATUS_WMASK,
  PRV_M, PRV_S, PRV_U, S_IRQS, SSTATUS_MASK, SSTATUS_WMASK, VS_IRQS,
} from './csr-defs.ts'
import type { RiscvHart } from './hart.ts'
import { effectiveMip, wake } from './interrupts.ts'
import { modeChanged, raise } from './trap.ts'

/** S-level CSR → its VS alias when V=1 (H §8.2) */
const VS_ALIAS: Record<number, number> = {
  [CSR.sstatus]: CSR.vsstatus, [CSR.sie]: CSR.vsie, [CSR.stvec]: CSR.vstvec, [CSR.sscratch]: CSR.vsscratch,
  [CSR.sepc]: CSR.vsepc, [CSR.scause]: CSR.vscause, [CSR.stval]: CSR.vstval, [CSR.sip]: CSR.vsip,
  [CSR.satp]: CSR.vsatp, [CSR.stimecmp]: CSR.vstimecmp,
}

/** CSRs that exist with plain storage (no side effects, all bits writable) */
const PLAIN = new Set<number>([
  CSR.mscratch, CSR.mtval, CSR.mcause, CSR.sscratch, CSR.stval, CSR.scause, CSR.vsscratch, CSR.vstval,
  CSR.vscause, CSR.htval, CSR.htinst, CSR.mtval2, CSR.mtinst, CSR.mcountinhibit,
])
const READ_ZERO = new Set<number>([CSR.mvendorid, CSR.marchid, CSR.mimpid, CSR.mconfigptr, CSR.hgeip, CSR.tselect, CSR.tdata1])
const SATP_LIKE = new Set<number>([CSR.satp, CSR.vsatp, CSR.hgatp])

const ILLEGAL = 1, VIRTUAL = 2

/**
 * Execute a CSR instruction's access. `op`: 1 = write, 2 = set, 3 = clear. `write` is false for
 * csrrs/csrrc with x0/zero immediate (no write, so read-only CSRs do not trap).
 */
export function csrAccess(h: RiscvHart, insn: number, num: number, op: number, srcLo: number, srcHi: number, write: boolean, rd: number): boolean {
  const deny = check(h, num, write)
  if (deny) {
    raise(h, deny === ILLEGAL ? EXC.ILLEGAL : EXC.VIRTUAL_INSN, insn, 0, 0, false)
    return false
  }
  const n = h.virt && VS_ALIAS[num] !== undefined ? VS_ALIAS[num]! : num
  const r = h.r64
  if (!read(h, n)) {
    raise(h, EXC.ILLEGAL, insn, 0, 0, false)
    return false
  }
  const oldLo = r[0]!, oldHi = r[1]!
  if (write) {
    const lo = op === 1 ? srcLo : op === 2 ? oldLo | srcLo : oldLo & ~srcLo
    const hi = op === 1 ? srcHi : op === 2 ? oldHi | srcHi : oldHi & ~srcHi
    const deny2 = writeCsr(h, n, lo, hi)
    if (deny2) {
      raise(h, deny2 === ILLEGAL ? EXC.ILLEGAL : EXC.VIRTUAL_INSN, insn, 0, 0, false)
      return false
    }
  }
  h.x[rd] = oldLo
  h.x[rd + 1] = oldHi
  return true
}

/** Privilege check by CSR number bits (§2.1) and the counter-enable and FS gates. */
function check(h: RiscvHart, num: number, write: boolean): number {
  const level = (num >>> 8) & 3
  if (write && num >>> 10 === 3) return h.virt && level !== 3 && h.priv === PRV_S && level === 2 ? VIRTUAL : ILLEGAL
  if (h.virt) {
    if (level === 3) return ILLEGAL
    if (level === 2) return VIRTUAL
    if (level === 1 && h.priv === PRV_U) return VIRTUAL
  } else {
    const eff = h.priv === PRV_S ? 2 : h.priv
    if (eff < level) return ILLEGAL
  }
  if (num >= 0xc00 && num <= 0xc1f) return counterGate(h, num - 0xc00)
  if (num <= 3) {
    const fsOff = (h.c[CSR.mstatus * 2]! & MS.FS) === 0 || (h.virt && (h.c[CSR.vsstatus * 2]! & MS.FS) === 0)
    if (fsOff) return ILLEGAL
  }
  if (num === CSR.satp && !h.virt && h.priv === PRV_S && h.c[CSR.mstatus * 2]! & MS.TVM) return ILLEGAL
  if (num === CSR.satp && h.virt && h.c[CSR.hstatus * 2]! & HS.VTVM) return VIRTUAL
  if (num === CSR.hgatp && h.priv === PRV_S && h.c[CSR.mstatus * 2]! & MS.TVM) return ILLEGAL
  if (num === CSR.stimecmp) {
    if (h.priv !== PRV_M && !(h.c[CSR.mcounteren * 2]! & 2)) return ILLEGAL
    if (h.priv !== PRV_M && (h.c[CSR.menvcfg * 2 + 1]! >>> 31) === 0) return ILLEGAL
    if (h.virt && (!(h.c[CSR.hcounteren * 2]! & 2) || (h.c[CSR.henvcfg * 2 + 1]! >>> 31) === 0)) return VIRTUAL
  }
  return 0
}

function counterGate(h: RiscvHart, i: number): number {
  const bit = 1 << i
  if (h.priv === PRV_M) return 0
  if (!(h.c[CSR.mcounteren * 2]! & bit)) return ILLEGAL
  if (h.virt && !(h.c[CSR.hcounteren * 2]! & bit)) return VIRTUAL
  if (h.priv === PRV_U && !(h.c[CSR.scounteren * 2]! & bit)) return h.virt ? VIRTUAL : ILLEGAL
  return 0
}

function put(h: RiscvHart, lo: number, hi: number): true {
  h.r64[0] = lo
  h.r64[1] = hi
  return true
}

const stored = (h: RiscvHart, n: number): true => put(h, h.c[n * 2]!, h.c[n * 2 + 1]!)

/** Read CSR `n` into h.r64; false when it does not exist. */
export function read(h: RiscvHart, n: number): boolean {
  const c = h.c
  if (PLAIN.has(n) || SATP_LIKE.has(n)) return stored(h, n)
  if (READ_ZERO.has(n)) return put(h, 0, 0)
  if (n >= CSR.pmpaddr0 && n < CSR.pmpaddr0 + 64) return stored(h, n)
  if (n >= CSR.pmpcfg0 && n < CSR.pmpcfg0 + 16) return (n & 1) ? false : stored(h, n)
  if ((n >= 0xb03 && n <= 0xb1f) || (n >= 0xc03 && n <= 0xc1f) || (n >= 0x323 && n <= 0x33f)) return put(h, 0, 0)
  switch (n) {
    case CSR.fflags: return put(h, h.fflags, 0)
    case CSR.frm: return put(h, h.frm, 0)
    case CSR.fcsr: return put(h, (h.frm << 5) | h.fflags, 0)
    case CSR.cycle: case CSR.mcycle: return counter(h, COUNT_OFF_CYCLE)
    case CSR.instret: case CSR.minstret: return counter(h, COUNT_OFF_INSTRET)
    case CSR.time: {
      // rdtime is the hot instruction of every guest delay loop: 64-bit add in 32-bit halves, no BigInt
      const t = h.clock.ticks(h.nowCycles())
      const tLo = t % 4294967296 | 0, tHi = Math.floor(t / 4294967296) | 0
      if (!h.virt) return put(h, tLo, tHi)
      const dLo = c[CSR.htimedelta * 2]!, lo = (tLo + dLo) | 0
      return put(h, lo, (tHi + c[CSR.htimedelta * 2 + 1]! + ((lo >>> 0) < (tLo >>> 0) ? 1 : 0)) | 0)
    }
    case CSR.mhartid: return put(h, h.id, 0)
    case CSR.misa: case CSR.mtvec: case CSR.stvec: case CSR.vstvec: case CSR.mepc: case CSR.sepc: case CSR.vsepc:
    case CSR.medeleg: case CSR.hedeleg: case CSR.hideleg: case CSR.mie: case CSR.mcounteren: case CSR.scounteren:
    case CSR.hcounteren: case CSR.menvcfg: case CSR.senvcfg: case CSR.henvcfg: case CSR.htimedelta:
    case CSR.stimecmp: case CSR.vstimecmp: case CSR.hvip: case CSR.vsstatus:
      return stored(h, n)
    case CSR.mstatus: {
      const lo = c[n * 2]!
      const sd = (lo & MS.FS) === MS.FS ? MS.SD_HI : 0
      return put(h, lo, c[n * 2 + 1]! | sd)
    }
    case CSR.sstatus: {
      const lo = c[CSR.mstatus * 2]! & SSTATUS_MASK
      return put(h, lo, 0x2 | ((lo & MS.FS) === MS.FS ? MS.SD_HI : 0))
    }
    case CSR.hstatus: return stored(h, n)
    case CSR.mideleg: return put(h, c[n * 2]! | VS_IRQS | IRQ.SGEI, 0)
    case CSR.mip: return put(h, effectiveMip(h), 0)
    case CSR.sie: return put(h, c[CSR.mie * 2]! & c[CSR.mideleg * 2]! & S_IRQS, 0)
    case CSR.sip: return put(h, effectiveMip(h) & c[CSR.mideleg * 2]! & S_IRQS, 0)
    case CSR.hie: return put(h, c[CSR.mie * 2]! & (VS_IRQS | IRQ.SGEI), 0)
    case CSR.hip: return put(h, effectiveMip(h) & (VS_IRQS | IRQ.SGEI), 0)
    case CSR.hgeie: return put(h, 0, 0)
    case CSR.vsie: return put(h, (c[CSR.mie * 2]! & c[CSR.hideleg * 2]! & VS_IRQS) >>> 1, 0)
    case CSR.vsip: return put(h, (effectiveMip(h) & c[CSR.hideleg * 2]! & VS_IRQS) >>> 1, 0)
    case CSR.tdata1 + 1: case CSR.tdata1 + 2: return put(h, 0, 0)
  }
  return false
}

/**
 * Spare CSR slots (unused CSR numbers) holding the counters' write offsets, 64-bit as (lo, hi):
 * a counter reads (instructions run + offset) mod 2^64. "Instructions run" is
 * `h.instret + h.elapsed`, which counts the reading instruction itself: execute.ts counts an
 * instruction before it runs it, and translated code's slow path, which runs CSR instructions
 * there, passes the window's count with the instruction included (wasm-tier-gen.ts slowPath).
 */
const COUNT_OFF_CYCLE = 0x7ff * 2
const COUNT_OFF_INSTRET = 0x7fe * 2

/** Instructions run — and for the cycle counter, the cycles a cache model stalled the hart too (hart.ts `stall`). */
function count(h: RiscvHart, slot: number): number {
  const n = h.instret + h.elapsed - h.windowStall
  return slot === COUNT_OFF_CYCLE ? n + h.stallTotal : n
}

function counter(h: RiscvHart, slot: number): true {
  const n = count(h, slot) // < 2^53
  const nLo = n % 4294967296, s = nLo + (h.c[slot]! >>> 0)
  return put(h, s | 0, (Math.floor(n / 4294967296) + h.c[slot + 1]! + (s >= 4294967296 ? 1 : 0)) | 0)
}

/**
 * priv 1.12 §3.1.11: the value a CSR instruction writes to mcycle or minstret is the value the
 * next instruction reads — the writing instruction's own increment is suppressed. The next
 * instruction's count is this one's + 1, so the offset is want − (n + 1), mod 2^64.
 */
function setOffset(h: RiscvHart, slot: number, lo: number, hi: number): void {
  const n = count(h, slot) + 1
  const dLo = (lo >>> 0) - n % 4294967296
  h.c[slot] = dLo | 0
  h.c[slot + 1] = (hi - Math.floor(n / 4294967296) - (dLo < 0 ? 1 : 0)) | 0
}

/** Store CSR `m`'s words. (A module function: under tsx's keepNames a closure made per call costs a defineProperty.) */
function set(c: Int32Array, m: number, l: number, hh: number): void {
  c[m * 2] = l
  c[m * 2 + 1] = hh
}

/** Write CSR `n` (already privilege-checked); returns 0 or the exception kind. */
function writeCsr(h: RiscvHart, n: number, lo: number, hi: number): number {
  const c = h.c
  if (PLAIN.has(n)) { set(c, n, lo, hi); return 0 }
  if (n >= CSR.pmpaddr0 && n < CSR.pmpaddr0 + 64) {
    if (!pmpAddrLocked(h, n - CSR.pmpaddr0)) set(c, n, lo, hi & 0x3fffff)
    return pmpChanged(h)
  }
  if (n >= CSR.pmpcfg0 && n < CSR.pmpcfg0 + 16) {
    const [l, hh] = pmpCfgWrite(h, n, lo, hi)
    set(c, n, l, hh)
    return pmpChanged(h)
  }
  if (READ_ZERO.has(n) || (n >= 0xb03 && n <= 0xb1f) || (n >= 0x323 && n <= 0x33f) || n === CSR.tdata1 + 1 || n === CSR.tdata1 + 2) return 0
  switch (n) {
    case CSR.fflags: h.fflags = lo; dirtyFs(h); return 0
    case CSR.frm: h.frm = lo; dirtyFs(h); return 0
    case CSR.fcsr: h.fflags = lo; h.frm = lo >>> 5; dirtyFs(h); return 0
    case CSR.mcycle: setOffset(h, COUNT_OFF_CYCLE, lo, hi); return 0
    case CSR.minstret: setOffset(h, COUNT_OFF_INSTRET, lo, hi); return 0
    case CSR.misa: return 0 // WARL, fixed
    case CSR.mstatus: {
      const old = c[n * 2]!
      let v = (old & ~MSTATUS_WMASK) | (lo & MSTATUS_WMASK)
      if (((v & MS.MPP) >>> MS.MPP_SHIFT) === 2) v = (v & ~MS.MPP) | (old & MS.MPP) // MPP=2 is reserved: keep
      c[n * 2] = v
      c[n * 2 + 1] = (c[n * 2 + 1]! & ~(MS.MPV_HI | MS.GVA_HI)) | (hi & (MS.MPV_HI | MS.GVA_HI))
      statusChanged(h, old, v)
      return 0
    }
    case CSR.sstatus: {
      const old = c[CSR.mstatus * 2]!
      const v = (old & ~SSTATUS_WMASK) | (lo & SSTATUS_WMASK)
      c[CSR.mstatus * 2] = v
      statusChanged(h, old, v)
      return 0
    }
    case CSR.vsstatus: {
      const old = c[n * 2]!
      c[n * 2] = (old & ~SSTATUS_WMASK) | (lo & SSTATUS_WMASK)
      if ((old ^ c[n * 2]!) & (MS.SUM | MS.MXR)) modeChanged(h)
      h.brk = true
      return 0
    }
    case CSR.hstatus: {
      c[n * 2] = (c[n * 2]! & ~HSTATUS_WMASK) | (lo & HSTATUS_WMASK)
      modeChanged(h)
      return 0
    }
    case CSR.mtvec: case CSR.stvec: case CSR.vstvec:
      if ((lo & 3) < 2) set(c, n, lo, hi) // modes 2 and 3 are reserved: the write is ignored
      return 0
    case CSR.mepc: case CSR.sepc: case CSR.vsepc: set(c, n, lo & ~1, hi); return 0
    case CSR.medeleg: set(c, n, lo & MEDELEG_MASK, 0); return 0
    case CSR.hedeleg: set(c, n, lo & HEDELEG_MASK, 0); return 0
    case CSR.mideleg: set(c, n, lo & S_IRQS, 0); irqChanged(h); return 0
    case CSR.hideleg: set(c, n, lo & VS_IRQS, 0); irqChanged(h); return 0
    case CSR.mie: set(c, n, lo & ALL_IRQS, 0); irqChanged(h); return 0
    case CSR.mip: {
      const stce = (c[CSR.menvcfg * 2 + 1]! >>> 31) === 1
      const wmask = IRQ.SSI | IRQ.SEI | (stce ? 0 : IRQ.STI)
      c[n * 2] = (c[n * 2]! & ~wmask) | (lo & wmask)
      c[CSR.hvip * 2] = (c[CSR.hvip * 2]! & ~IRQ.VSSI) | (lo & IRQ.VSSI)
      irqChanged(h)
      return 0
    }
    case CSR.sie: {
      const m = c[CSR.mideleg * 2]! & S_IRQS
      c[CSR.mie * 2] = (c[CSR.mie * 2]! & ~m) | (lo & m)
      irqChanged(h)
      return 0
    }
    case CSR.sip: {
      const m = c[CSR.mideleg * 2]! & IRQ.SSI
      c[CSR.mip * 2] = (c[CSR.mip * 2]! & ~m) | (lo & m)
      irqChanged(h)
      return 0
    }
    case CSR.hie: {
      const m = VS_IRQS
      c[CSR.mie * 2] = (c[CSR.mie * 2]! & ~m) | (lo & m)
      irqChanged(h)
      return 0
    }
    case CSR.hip: c[CSR.hvip * 2] = (c[CSR.hvip * 2]! & ~IRQ.VSSI) | (lo & IRQ.VSSI); irqChanged(h); return 0
    case CSR.hvip: set(c, n, lo & VS_IRQS, 0); irqChanged(h); return 0
    case CSR.vsie: {
      const m = c[CSR.hideleg * 2]! & VS_IRQS
      c[CSR.mie * 2] = (c[CSR.mie * 2]! & ~m) | ((lo << 1) & m)
      irqChanged(h)
      return 0
    }
    case CSR.vsip: {
      const m = c[CSR.hideleg * 2]! & IRQ.VSSI
      c[CSR.hvip * 2] = (c[CSR.hvip * 2]! & ~m) | ((lo << 1) & m)
      irqChanged(h)
      return 0
    }
    case CSR.hgeie: return 0
    case CSR.mcounteren: case CSR.scounteren: case CSR.hcounteren: set(c, n, lo, 0); return 0
    case CSR.menvcfg: set(c, n, lo & 1, hi & (1 << 31)); timersChanged(h); return 0
    case CSR.henvcfg: set(c, n, lo & 1, hi & (1 << 31) & c[CSR.menvcfg * 2 + 1]!); timersChanged(h); return 0
    case CSR.senvcfg: set(c, n, lo & 1, 0); return 0
    case CSR.stimecmp: case CSR.vstimecmp: case CSR.htimedelta: set(c, n, lo, hi); timersChanged(h); return 0
    case CSR.satp: case CSR.vsatp: {
      const mode = hi >>> 28
      if (mode === 0 || mode === 8) { set(c, n, lo, hi & 0xf000ffff | (hi & 0x0fff0000)); modeChanged(h) } // ASID kept; flush all
      return 0
    }
    case CSR.hgatp: {
      const mode = hi >>> 28
      if (mode === 0 || mode === 8) { set(c, n, lo & ~3, hi & 0xf3ffffff); modeChanged(h) } // VMID: bits 57:44
      return 0
    }
  }
  return ILLEGAL
}

function dirtyFs(h: RiscvHart): void {
  h.c[CSR.mstatus * 2] |= MS.FS
  if (h.virt) h.c[CSR.vsstatus * 2] |= MS.FS
}

function statusChanged(h: RiscvHart, old: number, v: number): void {
  if ((old ^ v) & (MS.MPRV | MS.MPP | MS.SUM | MS.MXR)) modeChanged(h)
  irqChanged(h)
}

function irqChanged(h: RiscvHart): void {
  h.brk = true
  wake(h)
}

/** New PMP entries: decoded again, and no TLB may keep a page the old ones allowed. */
function pmpChanged(h: RiscvHart): number {
  h.pmp = pmpDecode(h)
  h.tlb.flush()
  h.brk = true
  return 0
}

function timersChanged(h: RiscvHart): void {
  h.timers.rearm()
  h.brk = true
}

export { PRV_M }
