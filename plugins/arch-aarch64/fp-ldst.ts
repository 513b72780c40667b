/**
 * SIMD & FP loads and stores (Arm ARM C4.1.x: load/store register and pair with V = 1, and the
 * AdvSIMD load/store multiple and single structures). LDR/STR/LDP/STP of B/H/S/D/Q registers are
 * memory ops of the execute loop: on a soft-TLB hit inside one page they copy straight between
 * the arena and the register file (`vLoadRam`/`vStoreRam`); misses, page crossings and MMIO come
 * here (`fpMemSlow`). LD1..LD4/ST1..ST4 (multiple and single structures), LD1R..LD4R and their
 * post-index forms are rare and run here entirely, through the same translated accesses as every
 * other slow path.
 */
import { Op } from './decode.ts'
import { abort } from './exceptions.ts'
import type { A64Cpu } from './cpu.ts'
import { readVirt, writeVirt } from './memory.ts'
import { ACC_LOAD, ACC_STORE, FSC } from './mmu.ts'
import { SCTLR, SR } from './sysreg-defs.ts'
import { ST, X_SP } from './state.ts'
import { spAlignmentFault } from './system.ts'
import { fpAccess, vOff } from './vreg.ts'

/**
 * What the loop may do with SIMD & FP memory ops until the next system instruction: -1 after
 * raising the access trap, 1 when misaligned accesses are allowed, 2 when SCTLR_ELx.A checks them.
 */
export function fpMemMode(h: A64Cpu): number {
  if (!fpAccess(h)) return -1
  return alignCheck(h) ? 2 : 1
}

function alignCheck(h: A64Cpu): boolean {
  const el = h.st[ST.EL]!
  return (h.sys[(el === 2 ? SR.SCTLR_EL2 : SR.SCTLR_EL1) * 2]! & SCTLR.A) !== 0
}

/** V register (word index w of the arena) ← `size` bytes of RAM at arena byte offset `off`, the rest of the register cleared */
export function vLoadRam(u8: Uint8Array, i32: Int32Array, off: number, w: number, size: number): void {
  if ((off & 3) === 0 && size >= 4) {
    const o = off >> 2
    i32[w] = i32[o]!
    i32[w + 1] = size >= 8 ? i32[o + 1]! : 0
    i32[w + 2] = size === 16 ? i32[o + 2]! : 0
    i32[w + 3] = size === 16 ? i32[o + 3]! : 0
    return
  }
  const b = w << 2
  for (let i = 0; i < size; i++) u8[b + i] = u8[off + i]!
  for (let i = size; i < 16; i++) u8[b + i] = 0
}

/** `size` bytes of RAM at `off` ← the low bytes of the V register at word index w */
export function vStoreRam(u8: Uint8Array, i32: Int32Array, off: number, w: number, size: number): void {
  if ((off & 3) === 0 && size >= 4) {
    const o = off >> 2
    i32[o] = i32[w]!
    if (size >= 8) i32[o + 1] = i32[w + 1]!
    if (size === 16) { i32[o + 2] = i32[w + 2]!; i32[o + 3] = i32[w + 3]! }
    return
  }
  const b = w << 2
  for (let i = 0; i < size; i++) u8[off + i] = u8[b + i]!
}

/** scratch bytes for the slow paths (hold nothing between calls) */
const BUF = new Uint8Array(64)

/** the largest access of at most `step` bytes (a power of two) that fits in `rem` */
function piece(step: number, rem: number): number {
  let s = step
  while (s > rem) s >>= 1
  return s
}

/**
 * Read n bytes at virtual (lo, hi) into BUF: in 8-byte pieces (memory.ts splits those at page
 * boundaries), or element by element when SCTLR.A wants each element aligned. False after a fault.
 */
function readBlock(h: A64Cpu, lo: number, hi: number, n: number, unit: number, whole: number): boolean {
  if (alignCheck(h) && (lo & (whole - 1)) !== 0) return abort(h, false, FSC.ALIGNMENT, false, false, lo, hi)
  const step = alignCheck(h) ? Math.min(unit, 8) : 8
  for (let i = 0; i < n;) {
    const sz = piece(step, n - i)
    const a = (lo + i) | 0, ah = (hi + ((a >>> 0) < (lo >>> 0) ? 1 : 0)) | 0
    if (!readVirt(h, a, ah, sz, ACC_LOAD, true)) return false
    const v0 = h.r64[0]!, v1 = h.r64[1]!
    for (let k = 0; k < sz; k++) BUF[i + k] = k < 4 ? (v0 >>> (8 * k)) & 0xff : (v1 >>> (8 * (k - 4))) & 0xff
    i += sz
  }
  return true
}

/** Write n bytes of BUF at virtual (lo, hi), as readBlock reads. */
function writeBlock(h: A64Cpu, lo: number, hi: number, n: number, unit: number, whole: number): boolean {
  if (alignCheck(h) && (lo & (whole - 1)) !== 0) return abort(h, false, FSC.ALIGNMENT, true, false, lo, hi)
  const step = alignCheck(h) ? Math.min(unit, 8) : 8
  for (let i = 0; i < n;) {
    const sz = piece(step, n - i)
    let v0 = 0, v1 = 0
    for (let k = 0; k < sz; k++) {
      if (k < 4) v0 |= BUF[i + k]! << (8 * k)
      else v1 |= BUF[i + k]! << (8 * (k - 4))
    }
    const a = (lo + i) | 0, ah = (hi + ((a >>> 0) < (lo >>> 0) ? 1 : 0)) | 0
    if (!writeVirt(h, a, ah, sz, v0, v1, ACC_STORE, true)) return false
    i += sz
  }
  return true
}

/**
 * A V-register load or store (pair) that missed the loop's fast path: `rt`, `rt2` are register
 * numbers times 4, `szLog` the log2 of each register's bytes. False after a fault.
 */
export function fpMemSlow(h: A64Cpu, lo: number, hi: number, op: number, rt: number, rt2: number, szLog: number): boolean {
  const size = 1 << szLog, pair = op === Op.LDPV || op === Op.STPV
  const n = pair ? 2 * size : size
  const vb = vOff(h, 0)
  const u8 = h.u8
  if (op === Op.LDRV || op === Op.LDPV) {
    if (!readBlock(h, lo, hi, n, size, size)) return false
    for (let i = 0; i < 16; i++) u8[vb + 4 * rt + i] = i < size ? BUF[i]! : 0
    if (pair) for (let i = 0; i < 16; i++) u8[vb + 4 * rt2 + i] = i < size ? BUF[size + i]! : 0
    return true
  }
  for (let i = 0; i < size; i++) BUF[i] = u8[vb + 4 * rt + i]!
  if (pair) for (let i = 0; i < size; i++) BUF[size + i] = u8[vb + 4 * rt2 + i]!
  return writeBlock(h, lo, hi, n, size, size)
}

const bits = (x: number, hi: number, lo: number): number => (x >>> lo) & ((1 << (hi - lo + 1)) - 1)

/** what a structure load/store did: completed, UNDEFINED (nothing done), or took an exception */
export const DONE = 1, UNDEF = 0, FAULT = -1

/** the base register's x index (31 is SP) */
const base = (rn: number): number => (rn === 31 ? X_SP : rn * 2)

/** the SP alignment check of a structure access based on SP (D1.8.2): true after the fault */
const spFault = (h: A64Cpu, rn: number): boolean => rn === 31 && (h.x[X_SP]! & 15) !== 0 && spAlignmentFault(h)

function writeback(h: A64Cpu, insn: number, rn: number, lo: number, hi: number, total: number): void {
  if (bits(insn, 23, 23) === 0) return // no post-index
  const rm = bits(insn, 20, 16)
  let oLo: number, oHi: number
  if (rm === 31) { oLo = total; oHi = 0 } else { oLo = h.x[rm * 2]!; oHi = h.x[rm * 2 + 1]! }
  const s = (lo >>> 0) + (oLo >>> 0)
  const b = base(rn)
  h.x[b] = s | 0
  h.x[b + 1] = (hi + oHi + (s >= 4294967296 ? 1 : 0)) | 0
}

/** LD1..LD4 / ST1..ST4 (multiple structures), with post-index */
export function ldstMulti(h: A64Cpu, insn: number): number {
  const q = bits(insn, 30, 30), l = bits(insn, 22, 22), opcode = bits(insn, 15, 12), size = bits(insn, 11, 10)
  const rn = bits(insn, 9, 5), rt = insn & 31
  if (bits(insn, 23, 23) === 0 && bits(insn, 21, 16) !== 0) return UNDEF
  if (bits(insn, 23, 23) === 1 && bits(insn, 21, 21) !== 0) return UNDEF
  let rpt: number, selem: number
  switch (opcode) {
    case 0: rpt = 1; selem = 4; break
    case 2: rpt = 4; selem = 1; break
    case 4: rpt = 1; selem = 3; break
    case 6: rpt = 3; selem = 1; break
    case 7: rpt = 1; selem = 1; break
    case 8: rpt = 1; selem = 2; break
    case 10: rpt = 2; selem = 1; break
    default: return UNDEF
  }
  if (size === 3 && q === 0 && selem !== 1) return UNDEF
  if (!fpAccess(h) || spFault(h, rn)) return FAULT
  const ebytes = 1 << size, elements = (q ? 16 : 8) >> size
  const total = rpt * elements * selem * ebytes
  const b = base(rn)
  const lo = h.x[b]!, hi = h.x[b + 1]!
  const vb = vOff(h, 0), u8 = h.u8
  if (l === 1) {
    if (!readBlock(h, lo, hi, total, ebytes, ebytes)) return FAULT
    let offs = 0
    for (let r = 0; r < rpt; r++) {
      for (let e = 0; e < elements; e++) {
        let tt = (rt + r) & 31
        for (let s = 0; s < selem; s++) {
          for (let k = 0; k < ebytes; k++) u8[vb + 16 * tt + e * ebytes + k] = BUF[offs + k]!
          offs += ebytes
          tt = (tt + 1) & 31
        }
      }
    }
    // a 64-bit register write clears the upper half
    if (q === 0) for (let r = 0; r < rpt * selem; r++) { const w = (vb >> 2) + 4 * ((rt + r) & 31); h.i32[w + 2] = 0; h.i32[w + 3] = 0 }
  } else {
    let offs = 0
    for (let r = 0; r < rpt; r++) {
      for (let e = 0; e < elements; e++) {
        let tt = (rt + r) & 31
        for (let s = 0; s < selem; s++) {
          for (let k = 0; k < ebytes; k++) BUF[offs + k] = u8[vb + 16 * tt + e * ebytes + k]!
          offs += ebytes
          tt = (tt + 1) & 31
        }
      }
    }
    if (!writeBlock(h, lo, hi, total, ebytes, ebytes)) return FAULT
  }
  writeback(h, insn, rn, lo, hi, total)
  return DONE
}

/** LD1..LD4 / ST1..ST4 (single structure), LD1R..LD4R, with post-index */
export function ldstSingle(h: A64Cpu, insn: number): number {
  const q = bits(insn, 30, 30), l = bits(insn, 22, 22), r = bits(insn, 21, 21), opcode = bits(insn, 15, 13)
  const s = bits(insn, 12, 12), size = bits(insn, 11, 10), rn = bits(insn, 9, 5), rt = insn & 31
  if (bits(insn, 23, 23) === 0 && bits(insn, 20, 16) !== 0) return UNDEF
  let scale = opcode >> 1
  const selem = (((opcode & 1) << 1) | r) + 1
  let index = 0, replicate = false
  switch (scale) {
    case 3:
      if (l === 0 || s === 1) return UNDEF
      scale = size
      replicate = true
      break
    case 0: index = (q << 3) | (s << 2) | size; break
    case 1:
      if ((size & 1) !== 0) return UNDEF
      index = (q << 2) | (s << 1) | (size >> 1)
      break
    default:
      if ((size & 2) !== 0) return UNDEF
      if ((size & 1) === 0) index = (q << 1) | s
      else { if (s !== 0) return UNDEF; index = q; scale = 3 }
  }
  if (!fpAccess(h) || spFault(h, rn)) return FAULT
  const ebytes = 1 << scale, total = selem * ebytes
  const b = base(rn)
  const lo = h.x[b]!, hi = h.x[b + 1]!
  const vb = vOff(h, 0), u8 = h.u8
  if (l === 1) {
    if (!readBlock(h, lo, hi, total, ebytes, ebytes)) return FAULT
    for (let e = 0; e < selem; e++) {
      const tt = (rt + e) & 31
      if (replicate) {
        const n = (q ? 16 : 8) / ebytes
        for (let i = 0; i < n; i++) for (let k = 0; k < ebytes; k++) u8[vb + 16 * tt + i * ebytes + k] = BUF[e * ebytes + k]!
        if (q === 0) { const w = (vb >> 2) + 4 * tt; h.i32[w + 2] = 0; h.i32[w + 3] = 0 }
      } else for (let k = 0; k < ebytes; k++) u8[vb + 16 * tt + index * ebytes + k] = BUF[e * ebytes + k]!
    }
  } else {
    for (let e = 0; e < selem; e++) {
      const tt = (rt + e) & 31
      for (let k = 0; k < ebytes; k++) BUF[e * ebytes + k] = u8[vb + 16 * tt + index * ebytes + k]!
    }
    if (!writeBlock(h, lo, hi, total, ebytes, ebytes)) return FAULT
  }
  writeback(h, insn, rn, lo, hi, total)
  return DONE
}

