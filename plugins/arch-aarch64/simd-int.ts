/**
 * AdvSIMD "three same", integer half (Arm ARM C4.1.96, AdvSIMD three same / scalar three same):
 * lane-wise arithmetic, compares, shifts by register, saturating arithmetic, pairwise ops and
 * the bitwise ops. The common operations on lanes up to 32 bits run on JS numbers; everything
 * else (64-bit lanes, saturation, shifts by register) on the pseudocode's unbounded integers as
 * bigints. Saturation sets FPSR.QC.
 */
import { QC } from './fp-round.ts'
import type { A64Cpu } from './cpu.ts'
import { SR } from './sysreg-defs.ts'
import { clearRes, commit, getB, getS, getU, getW, putB, putN, RES32, vOff } from './vreg.ts'

const bits = (x: number, hi: number, lo: number): number => (x >>> lo) & ((1 << (hi - lo + 1)) - 1)

/** SatQ: v clamped to an esize-bit signed or unsigned integer; sets FPSR.QC when it was clamped */
export function satQ(h: A64Cpu, v: bigint, esize: number, unsigned: boolean): bigint {
  const max = unsigned ? (1n << BigInt(esize)) - 1n : (1n << BigInt(esize - 1)) - 1n
  const min = unsigned ? 0n : -(1n << BigInt(esize - 1))
  if (v > max) { h.sys[SR.FPSR * 2] |= QC; return max }
  if (v < min) { h.sys[SR.FPSR * 2] |= QC; return min }
  return v
}

/** the bitwise ops (opcode 00011): AND, BIC, ORR, ORN; EOR, BSL, BIT, BIF */
function logic(h: A64Cpu, u: number, size: number, q: boolean, rd: number, rn: number, rm: number): void {
  for (let k = 0; k < 4; k++) {
    const a = getW(h, rn, k), b = getW(h, rm, k), d = getW(h, rd, k)
    let r: number
    switch ((u << 2) | size) {
      case 0: r = a & b; break
      case 1: r = a & ~b; break
      case 2: r = a | b; break
      case 3: r = a | ~b; break
      case 4: r = a ^ b; break
      case 5: r = (d & a) | (~d & b); break // BSL: Vd selects
      case 6: r = (b & a) | (~b & d); break // BIT: insert where Vm is one
      default: r = (~b & a) | (b & d) // BIF: insert where Vm is zero
    }
    RES32[k] = r
  }
  commit(h, rd, q)
}

/** ops with a number fast path on lanes up to 32 bits (opcode | U << 5) */
const ADD = 0x10, SUB = 0x30, CMTST = 0x11, CMEQ = 0x31, CMGT = 0x06, CMHI = 0x26, CMGE = 0x07, CMHS = 0x27,
  SMAX = 0x0c, UMAX = 0x2c, SMIN = 0x0d, UMIN = 0x2d, SABD = 0x0e, UABD = 0x2e, SABA = 0x0f, UABA = 0x2f,
  MLA = 0x12, MLS = 0x32, MUL = 0x13, PMUL = 0x33

/** a lane op on numbers (a, b of the op's signedness, acc the old Vd lane) for esz <= 2; the result is truncated by putN */
function laneN(op: number, a: number, b: number, acc: number, esz: number): number {
  switch (op) {
    case ADD: return a + b
    case SUB: return a - b
    case CMTST: return (a & b) !== 0 ? -1 : 0
    case CMEQ: return a === b ? -1 : 0
    case CMGT: case CMHI: return a > b ? -1 : 0
    case CMGE: case CMHS: return a >= b ? -1 : 0
    case SMAX: case UMAX: return a > b ? a : b
    case SMIN: case UMIN: return a < b ? a : b
    case SABD: case UABD: return Math.abs(a - b)
    case SABA: case UABA: return acc + Math.abs(a - b)
    case MLA: return acc + (esz === 2 ? Math.imul(a, b) : a * b)
    case MLS: return acc - (esz === 2 ? Math.imul(a, b) : a * b)
    case MUL: return esz === 2 ? Math.imul(a, b) : a * b
    default: { // PMUL: carry-less 8-bit product
      let r = 0
      for (let i = 0; i < 8; i++) if ((b >>> i) & 1) r ^= a << i
      return r
    }
  }
}
const NUM_OPS = new Set([ADD, SUB, CMTST, CMEQ, CMGT, CMHI, CMGE, CMHS, SMAX, UMAX, SMIN, UMIN, SABD, UABD, SABA, UABA, MLA, MLS, MUL, PMUL])
/** ops whose operands are read as signed */
const SIGNED = (op: number): boolean => op < 0x20

/** the same op on bigints of any lane size (the pseudocode's integers) */
function laneB(h: A64Cpu, op: number, a: bigint, b: bigint, acc: bigint, esize: number): bigint {
  const uns = op >= 0x20
  switch (op & 0x1f) {
    case 0x00: return (a + b) >> 1n // HADD
    case 0x01: return satQ(h, a + b, esize, uns) // QADD
    case 0x02: return (a + b + 1n) >> 1n // RHADD
    case 0x04: return (a - b) >> 1n // HSUB
    case 0x05: return satQ(h, a - b, esize, uns) // QSUB
    case 0x08: case 0x09: case 0x0a: case 0x0b: { // SHL, QSHL, RSHL, QRSHL by a register's signed low byte
      const sh = Number(BigInt.asIntN(8, b))
      const round = (op & 2) !== 0 && sh < 0 ? 1n << BigInt(-sh - 1) : 0n
      const v = sh >= 0 ? (a + round) << BigInt(sh) : (a + round) >> BigInt(-sh)
      return (op & 1) !== 0 ? satQ(h, v, esize, uns) : v
    }
    case 0x16: { // SQDMULH / SQRDMULH
      const p = 2n * a * b + (uns ? 1n << BigInt(esize - 1) : 0n)
      return satQ(h, p >> BigInt(esize), esize, false)
    }
    case 0x10: return uns ? a - b : a + b
    case 0x11: return uns ? (a === b ? -1n : 0n) : (a & b) !== 0n ? -1n : 0n
    case 0x06: return a > b ? -1n : 0n
    case 0x07: return a >= b ? -1n : 0n
    case 0x0c: return a > b ? a : b
    case 0x0d: return a < b ? a : b
    case 0x0e: return a > b ? a - b : b - a
    case 0x0f: return acc + (a > b ? a - b : b - a)
    case 0x12: return uns ? acc - a * b : acc + a * b
    case 0x13: return a * b
    case 0x14: return a > b ? a : b // SMAXP/UMAXP
    case 0x15: return a < b ? a : b
    default: return a + b // 0x17 ADDP
  }
}

/**
 * AdvSIMD three same (integer) and scalar three same (integer); `scalar` works on element 0 and
 * zeroes the rest. False when the encoding is unallocated.
 */
export function threeSameInt(h: A64Cpu, insn: number, scalar: boolean): boolean {
  const qb = (insn >>> 30) & 1, u = bits(insn, 29, 29), size = bits(insn, 23, 22), opcode = bits(insn, 15, 11)
  const rm = bits(insn, 20, 16), rn = bits(insn, 9, 5), rd = insn & 31
  const q = !scalar && qb === 1
  if (opcode === 3) {
    if (scalar) return false
    logic(h, u, size, q, rd, rn, rm)
    return true
  }
  const op = opcode | (u << 5)
  if (!valid(op, size, q, scalar)) return false
  const esz = size, esize = 8 << esz
  const lanes = scalar ? 1 : (q ? 16 : 8) >> esz
  clearRes()
  if (opcode >= 0x14 && opcode !== 0x16) { // pairwise: lanes of Vm:Vn taken two by two
    const half = lanes >> 1
    for (let i = 0; i < lanes; i++) {
      const src = i < half ? rn : rm, j = 2 * (i < half ? i : i - half)
      const sg = u === 0 && opcode !== 0x17
      putB(i, esz, laneB(h, op, getB(h, src, j, esz, sg), getB(h, src, j + 1, esz, sg), 0n, esize))
    }
    commit(h, rd, q)
    return true
  }
  if (esz < 3 && NUM_OPS.has(op)) {
    const sg = SIGNED(op) && op !== ADD && op !== CMTST
    for (let i = 0; i < lanes; i++) {
      const a = sg ? getS(h, rn, i, esz) : getU(h, rn, i, esz)
      const b = sg ? getS(h, rm, i, esz) : getU(h, rm, i, esz)
      const acc = (op & 0x1f) === 0x12 || (op & 0x1f) === 0x0f ? getU(h, rd, i, esz) : 0
      putN(i, esz, laneN(op, a, b, acc, esz))
    }
  } else if (esz === 3 && (op === ADD || op === SUB)) {
    for (let i = 0; i < lanes; i++) add64(h, rn, rm, i, op === SUB)
  } else {
    const sg = u === 0 || opcode === 0x16 // SQRDMULH is signed too
    for (let i = 0; i < lanes; i++) {
      const a = getB(h, rn, i, esz, sg)
      // shifts by register read the shift as a signed byte of Vm whatever the op's signedness
      const b = getB(h, rm, i, esz, sg || (opcode >= 8 && opcode <= 11))
      const acc = opcode === 0x12 || opcode === 0x0f ? getB(h, rd, i, esz, sg) : 0n
      putB(i, esz, laneB(h, op, a, b, acc, esize))
    }
  }
  commit(h, rd, q)
  return true
}

/** 64-bit lane add/subtract on words */
function add64(h: A64Cpu, rn: number, rm: number, i: number, sub: boolean): void {
  const wn = (vOff(h, rn) >> 2) + 2 * i, wm = (vOff(h, rm) >> 2) + 2 * i, i32 = h.i32
  let bLo = i32[wm]!, bHi = i32[wm + 1]!
  let cin = 0
  if (sub) { bLo = ~bLo; bHi = ~bHi; cin = 1 }
  const s = (i32[wn]! >>> 0) + (bLo >>> 0) + cin
  RES32[2 * i] = s | 0
  RES32[2 * i + 1] = (i32[wn + 1]! + bHi + (s >= 4294967296 ? 1 : 0)) | 0
}

/** the size and form restrictions of the integer three-same encodings */
function valid(op: number, size: number, q: boolean, scalar: boolean): boolean {
  const o = op & 0x1f
  if (scalar) {
    switch (o) {
      case 0x01: case 0x05: case 0x09: case 0x0b: return true // saturating: every size
      case 0x06: case 0x07: case 0x08: case 0x0a: case 0x10: case 0x11: return size === 3
      case 0x16: return size === 1 || size === 2
      default: return false
    }
  }
  if (size === 3 && !q) return false
  switch (o) {
    case 0x00: case 0x02: case 0x04: case 0x0c: case 0x0d: case 0x0e: case 0x0f: case 0x12: case 0x14: case 0x15:
      return size !== 3
    case 0x13: return op === PMUL ? size === 0 : size !== 3
    case 0x16: return size === 1 || size === 2
    case 0x17: return op === 0x17 // ADDP; U = 1 is unallocated
    default: return true
  }
}

