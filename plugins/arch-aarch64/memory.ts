/**
 * The hart's slow memory paths: instruction fetch on a page change, decoding a slot, loads and
 * stores that miss the soft TLB (or are misaligned, MMIO, observed), and the generic virtual
 * and physical accesses the rare instructions use. All reach memory through the bus, so MMIO,
 * sparse RAM, observers and code invalidation behave the same on every path.
 *
 * Alignment (B2.5.2): QEMU lets ordinary loads and stores be misaligned even with the MMU off
 * (checked against qemu-system-aarch64 7.2), and so does this hart unless SCTLR_ELx.A is set;
 * exclusives, acquire/release and atomics always need natural alignment.
 */
import { BusError } from '../../core/bus.ts'
import { decode } from './decode.ts'
import { abort, pcAlignmentFault } from './exceptions.ts'
import type { A64Cpu } from './cpu.ts'
import { ACC_EMU, ACC_FETCH, ACC_LOAD, ACC_STORE, EMULATED, FSC, translate } from './mmu.ts'
import { emulatedRead, emulatedWrite } from '../../core/cpu/emulated-io.ts'
import { SCTLR, SR } from './sysreg-defs.ts'
import { ST } from './state.ts'

/** The decoded page holding pc, or null after raising a fetch fault (the pc then is the vector). */
export function fetchPage(h: A64Cpu): Int32Array | null {
  const lo = h.pcLo, hi = h.pcHi
  if ((lo & 3) !== 0) { pcAlignmentFault(h); return null }
  const t = h.tlb.f
  const i = ((lo >>> 12) & 255) << 2
  let off: number
  if (t[i] === (lo & -4096) && t[i + 1] === hi) off = t[i + 2]!
  else {
    const pa = translate(h, lo, hi, ACC_FETCH)
    if (pa < 0) return null
    const ro = h.bus.ramOffset(pa)
    if (ro < 0) {
      // executing from a device or from nothing: a synchronous external abort on fetch
      abort(h, true, FSC.EXTERNAL, false, false, lo, hi)
      return null
    }
    off = ro - (ro & 4095)
    h.tlb.fill(t, lo, hi, off)
  }
  h.fetchOff = off
  return h.code.page(off >>> 12)
}

/** Decode the instruction at byte `e` of the fetch page into its slot; returns the slot's word (never 0). */
export function decodeAt(h: A64Cpu, dec: Int32Array, e: number): number {
  const d = decode(h.i32[(h.fetchOff + e) >> 2]!, h.d)
  dec[e + 1] = d.imm
  dec[e + 2] = d.ex
  dec[e + 3] = d.imm2
  dec[e] = d.w
  return d.w | 0 // (the slot word is an int32; a double here made the loop deoptimise on "lost precision")
}

/** extension of a loaded value: zero, sign to 64 bits, sign to 32 bits (then zero above) */
export const EXT_ZERO = 0, EXT_SX = 1, EXT_SW = 2

/** A load that missed the fast path: x[rd] ← the value, extended. False after raising a fault. */
export function loadSlow(h: A64Cpu, lo: number, hi: number, size: number, ext: number, rd: number): boolean {
  if (!readVirt(h, lo, hi, size, ACC_LOAD, true)) return false
  extend(h.r64, size, ext)
  h.x[rd] = h.r64[0]!
  h.x[rd + 1] = h.r64[1]!
  return true
}

export function extend(r: Int32Array, size: number, ext: number): void {
  if (size === 8) return
  let v = r[0]!
  if (size === 1) v = ext !== EXT_ZERO ? (v << 24) >> 24 : v & 0xff
  else if (size === 2) v = ext !== EXT_ZERO ? (v << 16) >> 16 : v & 0xffff
  r[0] = v
  r[1] = ext === EXT_SX ? v >> 31 : 0
}

export function storeSlow(h: A64Cpu, lo: number, hi: number, size: number, vLo: number, vHi: number): boolean {
  return writeVirt(h, lo, hi, size, vLo, vHi, ACC_STORE, true)
}

/** SCTLR_ELx.A: alignment checking on for ordinary accesses */
function alignCheck(h: A64Cpu): boolean {
  const el = h.st[ST.EL]!
  return (h.sys[(el === 2 ? SR.SCTLR_EL2 : SR.SCTLR_EL1) * 2]! & SCTLR.A) !== 0
}

const alignmentFault = (h: A64Cpu, lo: number, hi: number, write: boolean): false =>
  abort(h, false, FSC.ALIGNMENT, write, false, lo, hi)

/**
 * Read `size` bytes at virtual (lo, hi) into h.r64 (little-endian, not extended). `acc` is the
 * access kind for translation (with ACC_UNPRIV for LDTR); `fill` lets a RAM page enter the load TLB.
 */
export function readVirt(h: A64Cpu, lo: number, hi: number, size: number, acc: number, fill: boolean): boolean {
  if ((lo & (size - 1)) !== 0) {
    if (alignCheck(h)) return alignmentFault(h, lo, hi, false)
    if ((lo & 4095) + size > 4096) return readSplit(h, lo, hi, size, acc)
  }
  const pa = translate(h, lo, hi, acc | ACC_EMU)
  if (pa < 0) return pa === EMULATED && emulatedRead(h, size) // a device the hypervisor emulates
  if (!physRead(h, pa, size)) return abort(h, false, FSC.EXTERNAL, false, false, lo, hi)
  if (fill && !h.bus.observed) {
    const ro = h.bus.ramOffset(pa)
    if (ro >= 0) h.tlb.fill(h.tlb.r, lo, hi, ro - (ro & 4095))
  }
  return true
}

/** a misaligned read across a page boundary: byte by byte, each translated */
function readSplit(h: A64Cpu, lo: number, hi: number, size: number, acc: number): boolean {
  let vLo = 0, vHi = 0
  for (let i = 0; i < size; i++) {
    const blo = (lo + i) | 0
    const bhi = (hi + ((blo >>> 0) < (lo >>> 0) ? 1 : 0)) | 0
    if (!readVirt(h, blo, bhi, 1, acc, false)) return false
    const b = h.r64[0]! & 0xff
    if (i < 4) vLo |= b << (8 * i)
    else vHi |= b << (8 * (i - 4))
  }
  h.r64[0] = vLo
  h.r64[1] = vHi
  return true
}

/** Write `size` bytes at virtual (lo, hi); `acc` is ACC_STORE, maybe with ACC_UNPRIV. */
export function writeVirt(h: A64Cpu, lo: number, hi: number, size: number, vLo: number, vHi: number, acc: number, fill: boolean): boolean {
  if ((lo & (size - 1)) !== 0) {
    if (alignCheck(h)) return alignmentFault(h, lo, hi, true)
    if ((lo & 4095) + size > 4096) {
      // translate both pages first so a fault leaves memory untouched
      const elo = (lo + size - 1) | 0
      const ehi = (hi + ((elo >>> 0) < (lo >>> 0) ? 1 : 0)) | 0
      if (translate(h, lo, hi, acc) < 0 || translate(h, elo, ehi, acc) < 0) return false
      for (let i = 0; i < size; i++) {
        const b = i < 4 ? (vLo >>> (8 * i)) & 0xff : (vHi >>> (8 * (i - 4))) & 0xff
        const blo = (lo + i) | 0
        const bhi = (hi + ((blo >>> 0) < (lo >>> 0) ? 1 : 0)) | 0
        if (!writeVirt(h, blo, bhi, 1, b, 0, acc, false)) return false
      }
      return true
    }
  }
  const pa = translate(h, lo, hi, acc | ACC_EMU)
  if (pa < 0) return pa === EMULATED && emulatedWrite(h, size, vLo, vHi)
  if (!physWrite(h, pa, size, vLo, vHi)) return abort(h, false, FSC.EXTERNAL, true, false, lo, hi)
  if (fill && !h.bus.observed) {
    const ro = h.bus.ramOffset(pa)
    // pages holding decoded instructions stay out of the store TLB, so stores to them invalidate
    if (ro >= 0 && !h.bus.codePages[ro >>> 12]) h.tlb.fill(h.tlb.w, lo, hi, ro - (ro & 4095))
  }
  return true
}

/** Read `size` bytes at physical `pa` into h.r64; false on a bus error (nothing there). */
export function physRead(h: A64Cpu, pa: number, size: number): boolean {
  try {
    if (size === 8) h.bus.loadDoubleword(pa, h.r64, h.id)
    else {
      h.r64[0] = h.bus.read(pa, size, h.id)
      h.r64[1] = 0
    }
    return true
  } catch (e) {
    if (e instanceof BusError) return false
    throw e
  }
}

/** Write `size` bytes at physical `pa`; false on a bus error. */
export function physWrite(h: A64Cpu, pa: number, size: number, vLo: number, vHi: number): boolean {
  try {
    if (size === 8) h.bus.storeDoubleword(pa, vLo, vHi, h.id)
    else h.bus.write(pa, size, size === 4 ? vLo : vLo & ((1 << (8 * size)) - 1), h.id)
    return true
  } catch (e) {
    if (e instanceof BusError) return false
    throw e
  }
}
