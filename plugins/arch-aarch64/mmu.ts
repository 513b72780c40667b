/**
 * Stage-1 address translation (Arm ARM D8, VMSAv8-64): with SCTLR_ELx.M clear a virtual address
 * is the physical one (D8.2.10, checked against the 40-bit PA size of the A53); with it set, a
 * 4 KiB-granule walk from TTBR0/TTBR1 (EL1&0: bit 55 selects, T0SZ/T1SZ size each half, TBI0/1
 * ignore the top byte of data addresses) or TTBR0_EL2 (EL2), levels 0-3, table, block and page
 * descriptors, the access flag, and AP/UXN/PXN permissions with the hierarchical APTable /
 * UXNTable / PXNTable limits (D8.4). Faults carry the DFSC/IFSC of D19.2.37.x with the level.
 *
 * `walk` only answers; `translate` raises the abort. Translations are cached by the caller in
 * the soft TLB (core/cpu/tlb.ts), which is flushed by TLBI, on writes to SCTLR/TTBRn/TCR and on
 * every change of EL — so an entry always holds the permissions of the EL that made it.
 *
 * Under a native hypervisor (`h.stage2` set, EL1/EL0), both the output address and every table
 * address of the walk are IPAs that stage 2 (stage2.ts) translates; its aborts go to EL2.
 */
import { BusError } from '../../core/bus.ts'
import { abort } from './exceptions.ts'
import type { A64Cpu } from './cpu.ts'
import { SCTLR, SR } from './sysreg-defs.ts'
import { ST } from './state.ts'
import { ACC_EMU, EMULATED, S2_FAULTED, stage2 } from './stage2.ts'
export { ACC_EMU, EMULATED }

export const ACC_FETCH = 0, ACC_LOAD = 1, ACC_STORE = 2
/** bits or-ed into an access kind: LDTR/STTR check EL0's permissions at EL1 (C6.2.x "unprivileged") */
export const ACC_UNPRIV = 4
/** a cache-maintenance instruction (DC): ISS.CM */
export const ACC_CM = 8

/** fault status codes (DFSC/IFSC); the translation-related ones add the level (0-3) */
export const FSC = {
  ADDR_SIZE: 0x00, TRANSLATION: 0x04, ACCESS: 0x08, PERMISSION: 0x0c,
  EXTERNAL: 0x10, EXTERNAL_WALK: 0x14, ALIGNMENT: 0x21,
} as const

const TWO32 = 4294967296
/** the A53's physical address size (ID_AA64MMFR0_EL1.PARange = 2): 40 bits */
const PA_BITS = 40

/**
 * The physical address of (lo, hi) for `acc`, or -1 after raising the abort, or EMULATED (only
 * for `acc` with ACC_EMU) when stage 2 puts it in an emulated device's window.
 */
export function translate(h: A64Cpu, lo: number, hi: number, acc: number): number {
  const r = walk(h, lo, hi, acc)
  if (r >= 0) return h.stage2 === null || h.st[ST.EL]! === 2 ? r : stage2(h, r, acc, false, lo, hi)
  if (r === S2_FAULTED) return -1
  const kind = acc & 3
  abort(h, kind === ACC_FETCH, -1 - r, kind === ACC_STORE, (acc & ACC_CM) !== 0, lo, hi)
  return -1
}

/**
 * The physical address for an access of kind `acc` at (lo, hi) by the current EL, or
 * -1 - FSC when it faults (nothing raised). Also the engine of AT S1Ex (system.ts).
 */
export function walk(h: A64Cpu, lo: number, hi: number, acc: number): number {
  const el = h.st[ST.EL]!
  const s = h.sys
  const sctlr = s[(el === 2 ? SR.SCTLR_EL2 : SR.SCTLR_EL1) * 2]!
  if ((sctlr & SCTLR.M) === 0) {
    // D8.2.10: the flat map; bits above the PA size give an address size fault at level 0
    if ((hi >>> (PA_BITS - 32)) !== 0) return -1 - FSC.ADDR_SIZE
    return (hi >>> 0) * TWO32 + (lo >>> 0)
  }
  const kind = acc & 3
  const tcrLo = s[(el === 2 ? SR.TCR_EL2 : SR.TCR_EL1) * 2]!, tcrHi = s[(el === 2 ? SR.TCR_EL2 : SR.TCR_EL1) * 2 + 1]!
  // which half of the address space (D8.2.6): EL2 has only the lower one
  const upper = el !== 2 && (hi >>> 23 & 1) === 1
  const tsz = Math.min(39, Math.max(16, upper ? (tcrLo >>> 16) & 63 : tcrLo & 63))
  // TBI (D8.8.1): for data accesses bits 63..56 are ignored; instruction fetches check them too
  const tbi = kind !== ACC_FETCH && (el === 2 ? (tcrLo >>> 20) & 1 : upper ? (tcrHi >>> 6) & 1 : (tcrHi >>> 5) & 1) === 1
  const inputSize = 64 - tsz
  // the bits above the input size must all equal the half's selector (bit 55 with TBI, else bit 63)
  const topBit = tbi ? 23 : 31
  const mask = ((topBit === 31 ? -1 : (1 << (topBit + 1)) - 1) & ~((1 << (inputSize - 32)) - 1)) | 0
  if ((hi & mask) !== (upper ? mask : 0)) return -1 - FSC.TRANSLATION
  if (el !== 2 && ((upper ? tcrLo >>> 23 : tcrLo >>> 7) & 1) === 1) return -1 - FSC.TRANSLATION // EPD1/EPD0: no walks
  const granule = upper ? (tcrLo >>> 30) & 3 : (tcrLo >>> 14) & 3
  if (granule !== (upper ? 2 : 0)) return -1 - FSC.TRANSLATION // only the 4 KiB granule (TG1 = 0b10, TG0 = 0b00)
  const ttbr = (el === 2 ? SR.TTBR0_EL2 : upper ? SR.TTBR1_EL1 : SR.TTBR0_EL1) * 2
  // BADDR, bits 47..1 (D19.2.x TTBR0_EL1); the ASID in 63..48 is the TLB's business
  let table = (s[ttbr + 1]! & 0xffff) * TWO32 + ((s[ttbr]! & ~1) >>> 0)
  let level = inputSize > 39 ? 0 : inputSize > 30 ? 1 : 2
  // hierarchical limits from table descriptors (D8.4.2): APTable bits, UXN/PXN tables
  let apTable = 0, xnTable = 0, pxnTable = 0
  const d = h.r64
  const unpriv = el === 0 || (acc & ACC_UNPRIV) !== 0
  for (;;) {
    // this level's index: address bits [sh+8 : sh] (D8.2.7; fewer bits at the start level)
    const sh = 39 - 9 * level
    const bitsHere = level === (inputSize > 39 ? 0 : inputSize > 30 ? 1 : 2) ? inputSize - sh : 9
    const idx = (sh >= 32 ? hi >>> (sh - 32) : (lo >>> sh) | (hi << (32 - sh))) & ((1 << bitsHere) - 1)
    let at = table + idx * 8
    if (h.stage2 !== null && el !== 2) {
      at = stage2(h, at, acc, true, lo, hi)
      if (at < 0) return S2_FAULTED
    }
    try {
      h.bus.loadDoubleword(at, d, h.id)
    } catch (e) {
      if (e instanceof BusError) return -1 - (FSC.EXTERNAL_WALK + level)
      throw e
    }
    const dLo = d[0]!, dHi = d[1]!
    if ((dLo & 1) === 0 || (level === 3 && (dLo & 3) !== 3) || (level === 0 && (dLo & 3) === 1)) return -1 - (FSC.TRANSLATION + level)
    if (level < 3 && (dLo & 3) === 3) {
      // table descriptor: next-level table at bits 47..12
      const next = (dHi & 0xffff) * TWO32 + ((dLo & ~0xfff) >>> 0)
      if ((dHi & 0xffff) >>> (PA_BITS - 32) !== 0) return -1 - (FSC.ADDR_SIZE + level)
      apTable |= (dHi >>> 29) & 3
      xnTable |= (dHi >>> 28) & 1
      pxnTable |= (dHi >>> 27) & 1
      table = next
      level++
      continue
    }
    // block (levels 1, 2) or page (level 3): output address bits 47..blockBits
    const blockBits = level === 1 ? 30 : level === 2 ? 21 : 12
    const oaHi = dHi & 0xffff
    if (oaHi >>> (PA_BITS - 32) !== 0) return -1 - (FSC.ADDR_SIZE + level)
    if ((dLo & (1 << 10)) === 0) return -1 - (FSC.ACCESS + level) // AF clear, no hardware update on the A53
    const ap = (dLo >>> 6) & 3 // AP[2:1]
    const uxn = ((dHi >>> 22) & 1) | xnTable, pxn = ((dHi >>> 21) & 1) | pxnTable
    // AP[1] (ap & 1): EL0 may access; AP[2] (ap & 2): read-only. APTable[0]: no EL0; APTable[1]: read-only.
    const el0Ok = (ap & 1) === 1 && (apTable & 1) === 0
    const writable = (ap & 2) === 0 && (apTable & 2) === 0
    let ok: boolean
    if (kind === ACC_FETCH) {
      const wxn = (sctlr & SCTLR.WXN) !== 0 && writable
      // EL0 may execute what it cannot read (execute-only memory): UXN alone decides; memory
      // EL0 can write is never executable at EL1 (D8.4.1.2)
      ok = unpriv ? uxn === 0 && !wxn : pxn === 0 && !wxn && !(el !== 2 && (ap & 1) === 1 && writable)
      if (el === 2) ok = uxn === 0 && !wxn // EL2's single privilege level: XN is bit 54
    } else {
      ok = unpriv && el !== 2 ? el0Ok : true
      if (ok && kind === ACC_STORE) ok = writable
    }
    if (!ok) return -1 - (FSC.PERMISSION + level)
    const offMask = blockBits === 30 ? 0x3fffffff : blockBits === 21 ? 0x1fffff : 0xfff
    const base = oaHi * TWO32 + ((dLo & ~offMask & ~0xfff) >>> 0)
    return base + ((lo & offMask) >>> 0)
  }
}
