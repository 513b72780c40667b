/**
 * The hart's slow memory paths: instruction fetch on a page change, decoding a slot, loads and
 * stores that miss the TLB (or are misaligned, MMIO, observed), and the generic virtual
 * read/write used by atomics, FP and hypervisor loads/stores. All go through the bus, so MMIO,
 * sparse RAM, access hooks and code invalidation behave the same for every path.
 */
import { BusError } from '../../core/bus.ts'
import { decode16, decode32, packSlot } from './decode.ts'
import type { RiscvHart } from './hart.ts'
import { ACC_FETCH, ACC_LOAD, ACC_STORE, ACCESS_FAULT, EMULATED, HLV_NONE, translate } from './mmu.ts'
import { raise } from './trap.ts'
import { emulatedRead, emulatedWrite } from '../../core/cpu/emulated-io.ts'

/** The decoded page holding pc, or null after raising a fetch fault. */
export function fetchPage(h: RiscvHart): Int32Array | null {
  const lo = h.pcLo, hi = h.pcHi
  const t = h.tlb.f
  const i = ((lo >>> 12) & 255) << 2
  let off: number
  let cached = true
  if (t[i] === (lo & -4096) && t[i + 1] === hi) off = t[i + 2]!
  else {
    const pa = translate(h, lo, hi, ACC_FETCH, HLV_NONE)
    if (pa < 0) return null
    const ro = h.bus.ramOffset(pa)
    if (ro < 0) {
      raise(h, ACCESS_FAULT[ACC_FETCH]!, lo, hi, 0, h.virt === 1)
      return null
    }
    off = ro - (ro & 4095)
    if (h.pmpPage) h.tlb.fill(t, lo, hi, off)
    else cached = false
  }
  h.fetchOff = off
  h.fetchCached = cached
  const page = off >>> 12
  const dec = h.code.page(page)
  h.curBlocks = h.code.blocks[page]!
  h.curIndex = h.code.index[page]!
  h.curHeat = h.code.heat[page]!
  return dec
}

/**
 * Decode the instruction at pc into slot `e` of `dec` (or, when it straddles pages, only into
 * h.d). Returns the slot's first word (never 0), or 0 after a fetch fault.
 */
export function decodeAt(h: RiscvHart, dec: Int32Array, e: number): number {
  const inPage = h.pcLo & 4095
  if (inPage !== 4094 || (h.u16[(h.fetchOff + inPage) >> 1]! & 3) !== 3) return decodeSlot(h, dec, h.fetchOff, e)
  // a 32-bit instruction whose upper half lives on the next page: fetch it every time (never cached)
  const low = h.u16[(h.fetchOff + inPage) >> 1]!
  const nlo = (h.pcLo + 2) | 0
  const nhi = (h.pcHi + (nlo >>> 0 < h.pcLo >>> 0 ? 1 : 0)) | 0
  const pa = translate(h, nlo, nhi, ACC_FETCH, HLV_NONE)
  if (pa < 0) return 0
  let high: number
  try { high = h.bus.read(pa, 2, h.id) } catch { raise(h, ACCESS_FAULT[ACC_FETCH]!, nlo, nhi, 0, h.virt === 1); return 0 }
  decode32((low | (high << 16)) >>> 0, h.d)
  return packSlot(h.d.op, h.d.regs, 4)
}

/**
 * Decode the instruction at byte `off` of the page at arena offset `pageOff` into slot `off`
 * of `dec` (the interpreter on its way, the translator looking ahead). Returns the slot's first
 * word, or 0 for a 32-bit instruction that straddles the page end (nothing stored).
 */
export function decodeSlot(h: RiscvHart, dec: Int32Array, pageOff: number, off: number): number {
  const i = (pageOff + off) >> 1
  const low = h.u16[i]!
  let w: number
  if ((low & 3) !== 3) {
    decode16(low, h.d)
    w = packSlot(h.d.op, h.d.regs, 2)
  } else {
    if (off === 4094) return 0
    decode32((low | (h.u16[i + 1]! << 16)) >>> 0, h.d)
    w = packSlot(h.d.op, h.d.regs, 4)
  }
  dec[off] = w
  dec[off + 1] = h.d.imm
  return w
}

/** A load that missed the fast path. Writes x[rd]; false after raising a fault. */
export function loadSlow(h: RiscvHart, lo: number, hi: number, size: number, signed: boolean, rd: number): boolean {
  if (!readVirt(h, lo, hi, size, ACC_LOAD, HLV_NONE, true)) return false
  extend(h, size, signed)
  h.x[rd] = h.r64[0]!
  h.x[rd + 1] = h.r64[1]!
  return true
}

/** Sign- or zero-extend h.r64 from `size` bytes. */
export function extend(h: RiscvHart, size: number, signed: boolean): void {
  const r = h.r64
  if (size === 8) return
  let v = r[0]!
  if (size === 1) v = signed ? (v << 24) >> 24 : v & 0xff
  else if (size === 2) v = signed ? (v << 16) >> 16 : v & 0xffff
  r[0] = v
  r[1] = signed ? v >> 31 : 0
}

export function storeSlow(h: RiscvHart, lo: number, hi: number, size: number, vLo: number, vHi: number): boolean {
  return writeVirt(h, lo, hi, size, vLo, vHi, HLV_NONE, true)
}

/**
 * Read `size` bytes at virtual (lo, hi) into h.r64 (little-endian, not extended).
 * Misaligned accesses are emulated byte by byte, as QEMU does for ordinary loads.
 */
export function readVirt(h: RiscvHart, lo: number, hi: number, size: number, acc: number, hlv: number, fill: boolean): boolean {
  if ((lo & (size - 1)) !== 0) return readMisaligned(h, lo, hi, size, acc, hlv)
  const pa = translate(h, lo, hi, acc, hlv, size)
  if (pa === EMULATED) return emulatedRead(h, size)
  if (pa < 0) return false
  try {
    if (size === 8) {
      h.bus.loadDoubleword(pa, h.r64, h.id)
    } else {
      h.r64[0] = h.bus.read(pa, size, h.id)
      h.r64[1] = 0
    }
  } catch (e) {
    if (!(e instanceof BusError)) throw e
    raise(h, ACCESS_FAULT[acc]!, lo, hi, 0, h.virt === 1 || hlv !== 0)
    return false
  }
  if (fill && hlv === HLV_NONE) {
    if (!h.bus.observed) {
      const ro = h.bus.ramOffset(pa)
      if (ro >= 0 && h.pmpPage) h.tlb.fill(h.tlb.r, lo, hi, ro - (ro & 4095))
    } else keepLine(h, false, lo, hi, pa)
  }
  return true
}

/**
 * Observed, by a cache model that tracks lines (core/bus.ts LineTracking): the access just served
 * left its line the newest of its set, so translated code may reach that line through a line
 * entry until another access touches the set.
 */
function keepLine(h: RiscvHart, store: boolean, lo: number, hi: number, pa: number): void {
  const lt = h.bus.lineTracking
  if (lt === null) return
  const ro = h.bus.ramOffset(pa)
  if (ro >= 0 && h.pmpPage && !(store && h.bus.codePages[ro >>> 12])) h.lines.keep(store, lo, hi, pa, ro, lt)
}

function readMisaligned(h: RiscvHart, lo: number, hi: number, size: number, acc: number, hlv: number): boolean {
  let vLo = 0, vHi = 0
  for (let i = 0; i < size; i++) {
    const blo = (lo + i) | 0
    const bhi = (hi + ((blo >>> 0) < (lo >>> 0) ? 1 : 0)) | 0
    if (!readVirt(h, blo, bhi, 1, acc, hlv, false)) return false
    const b = h.r64[0]!
    if (i < 4) vLo |= b << (8 * i)
    else vHi |= b << (8 * (i - 4))
  }
  h.r64[0] = vLo
  h.r64[1] = vHi
  return true
}

export function writeVirt(h: RiscvHart, lo: number, hi: number, size: number, vLo: number, vHi: number, hlv: number, fill: boolean): boolean {
  if ((lo & (size - 1)) !== 0) {
    // translate both ends first so a fault leaves memory untouched
    const elo = (lo + size - 1) | 0
    const ehi = (hi + ((elo >>> 0) < (lo >>> 0) ? 1 : 0)) | 0
    if (translate(h, lo, hi, ACC_STORE, hlv) === -1 || translate(h, elo, ehi, ACC_STORE, hlv) === -1) return false
    for (let i = 0; i < size; i++) {
      const b = i < 4 ? (vLo >>> (8 * i)) & 0xff : (vHi >>> (8 * (i - 4))) & 0xff
      const blo = (lo + i) | 0
      const bhi = (hi + ((blo >>> 0) < (lo >>> 0) ? 1 : 0)) | 0
      if (!writeVirt(h, blo, bhi, 1, b, 0, hlv, false)) return false
    }
    return true
  }
  const pa = translate(h, lo, hi, ACC_STORE, hlv, size)
  if (pa === EMULATED) return emulatedWrite(h, size, vLo, vHi)
  if (pa < 0) return false
  try {
    if (size === 8) h.bus.storeDoubleword(pa, vLo, vHi, h.id)
    else h.bus.write(pa, size, vLo, h.id)
  } catch (e) {
    if (!(e instanceof BusError)) throw e
    raise(h, ACCESS_FAULT[ACC_STORE]!, lo, hi, 0, h.virt === 1 || hlv !== 0)
    return false
  }
  if (fill && hlv === HLV_NONE) {
    if (!h.bus.observed) {
      const ro = h.bus.ramOffset(pa)
      if (ro >= 0 && h.pmpPage && !h.bus.codePages[ro >>> 12]) h.tlb.fill(h.tlb.w, lo, hi, ro - (ro & 4095))
    } else keepLine(h, true, lo, hi, pa)
  }
  return true
}
