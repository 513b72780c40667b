/**
 * AdvSIMD two-register misc and scalar two-register misc, the integer opcodes (Arm ARM C4.1.96):
 * REV16/32/64, CNT, CLS, CLZ, NOT, RBIT, ABS, NEG, compares with zero, the saturating SQABS,
 * SQNEG, SUQADD, USQADD, the pairwise widening SADDLP/UADDLP/SADALP/UADALP, the narrowing
 * XTN/SQXTN/UQXTN/SQXTUN and SHLL. Byte-lane CNT, CMEQ and NOT (what string routines use) run on
 * numbers; the rest on bigints.
 */
import type { A64Cpu } from './cpu.ts'
import { satQ } from './simd-int.ts'
import { clearRes, commit, getB, getU, getW, putB, putN, RES32 } from './vreg.ts'

const bits = (x: number, hi: number, lo: number): number => (x >>> lo) & ((1 << (hi - lo + 1)) - 1)

function popcount8(v: number): number {
  v = v - ((v >>> 1) & 0x55)
  v = (v & 0x33) + ((v >>> 2) & 0x33)
  return (v + (v >>> 4)) & 0x0f
}

/** leading zeros of an esize-bit value (bigint, non-negative) */
function clz(v: bigint, esize: number): number {
  let n = 0
  for (let b = esize - 1; b >= 0 && ((v >> BigInt(b)) & 1n) === 0n; b--) n++
  return n
}

export function twoMiscInt(h: A64Cpu, insn: number, scalar: boolean): boolean {
  const qb = (insn >>> 30) & 1, u = bits(insn, 29, 29), size = bits(insn, 23, 22), opcode = bits(insn, 16, 12)
  const rn = bits(insn, 9, 5), rd = insn & 31
  const q = !scalar && qb === 1
  const key = (u << 5) | opcode
  if (!valid(key, size, q, scalar)) return false
  if (opcode >= 0x12) return narrow(h, key, size, qb, rn, rd, scalar)
  const esz = size, esize = 8 << esz
  const lanes = scalar ? 1 : (q ? 16 : 8) >> esz
  clearRes()
  switch (key) {
    case 0x00: case 0x20: case 0x01: { // REV64, REV32, REV16: elements reversed within containers
      const c = key === 0x00 ? 8 : key === 0x20 ? 4 : 2
      const per = c >> esz
      for (let i = 0; i < lanes; i++) putB(i, esz, getB(h, rn, i ^ (per - 1), esz, false))
      break
    }
    case 0x05: // CNT
      for (let i = 0; i < lanes; i++) putN(i, 0, popcount8(getU(h, rn, i, 0)))
      break
    case 0x25: // NOT (size 0), RBIT (size 1)
      if (size === 0) for (let k = 0; k < 4; k++) RES32[k] = ~getW(h, rn, k)
      else for (let i = 0; i < (q ? 16 : 8); i++) { // RBIT: bits of each byte
        const v = getU(h, rn, i, 0)
        let r = 0
        for (let b = 0; b < 8; b++) r |= ((v >>> b) & 1) << (7 - b)
        putN(i, 0, r)
      }
      break
    case 0x09: // CMEQ #0
      if (esz === 0) { for (let i = 0; i < lanes; i++) putN(i, 0, getU(h, rn, i, 0) === 0 ? 0xff : 0); break }
    // falls through
    default:
      if (key === 0x02 || key === 0x22 || key === 0x06 || key === 0x26) { // [SU]ADDLP, [SU]ADALP
        const sg = u === 0, n = lanes >> 1
        for (let i = 0; i < n; i++) {
          const s = getB(h, rn, 2 * i, esz, sg) + getB(h, rn, 2 * i + 1, esz, sg)
          putB(i, esz + 1, (opcode === 6 ? getB(h, rd, i, esz + 1, false) : 0n) + s)
        }
        break
      }
      for (let i = 0; i < lanes; i++) putB(i, esz, lane(h, key, getB(h, rn, i, esz, key !== 0x24), getB(h, rd, i, esz, key === 0x03), esize))
  }
  commit(h, rd, q)
  return true
}

/** one lane of the element-wise ops: a (Vn) signed except for CLZ, d the old Vd lane */
function lane(h: A64Cpu, key: number, a: bigint, d: bigint, esize: number): bigint {
  const zero = (t: boolean): bigint => (t ? -1n : 0n)
  switch (key) {
    case 0x03: return satQ(h, d + BigInt.asUintN(esize, a), esize, false) // SUQADD: Vd signed + Vn unsigned
    case 0x23: return satQ(h, BigInt.asUintN(esize, d) + a, esize, true) // USQADD: Vd unsigned + Vn signed
    case 0x04: return BigInt(clz(BigInt.asUintN(esize, a < 0n ? ~a : a), esize) - 1) // CLS
    case 0x24: return BigInt(clz(BigInt.asUintN(esize, a), esize)) // CLZ
    case 0x07: return satQ(h, a < 0n ? -a : a, esize, false) // SQABS
    case 0x27: return satQ(h, -a, esize, false) // SQNEG
    case 0x08: return zero(a > 0n) // CMGT #0
    case 0x09: return zero(a === 0n) // CMEQ #0
    case 0x0a: return zero(a < 0n) // CMLT #0
    case 0x28: return zero(a >= 0n) // CMGE #0
    case 0x29: return zero(a <= 0n) // CMLE #0
    case 0x0b: return a < 0n ? -a : a // ABS
    default: return -a // 0x2b NEG
  }
}

/** XTN, SQXTN, UQXTN, SQXTUN (to the lower half, or the upper half keeping the lower: the 2 forms), SHLL */
function narrow(h: A64Cpu, key: number, size: number, qb: number, rn: number, rd: number, scalar: boolean): boolean {
  const esz = size, esize = 8 << esz
  clearRes()
  if (key === 0x33) { // SHLL/SHLL2: widen the lower or upper half of Vn, shifted left by esize
    const n = 8 >> esz
    for (let i = 0; i < n; i++) putB(i, esz + 1, getB(h, rn, qb * n + i, esz, false) << BigInt(esize))
    commit(h, rd, true)
    return true
  }
  const n = scalar ? 1 : 8 >> esz
  const base = scalar ? 0 : qb * n
  if (!scalar && qb === 1) { RES32[0] = getW(h, rd, 0); RES32[1] = getW(h, rd, 1) }
  for (let i = 0; i < n; i++) {
    const v = getB(h, rn, i, esz + 1, key !== 0x34) // UQXTN reads unsigned
    let r: bigint
    switch (key) {
      case 0x12: r = v; break // XTN
      case 0x14: r = satQ(h, v, esize, false); break // SQXTN
      case 0x34: r = satQ(h, v, esize, true); break // UQXTN
      default: r = satQ(h, v, esize, true) // 0x32 SQXTUN: signed in, unsigned out
    }
    putB(base + i, esz, r)
  }
  commit(h, rd, !scalar && qb === 1)
  return true
}

function valid(key: number, size: number, q: boolean, scalar: boolean): boolean {
  if (scalar) {
    switch (key) {
      case 0x03: case 0x07: case 0x23: case 0x27: return true
      case 0x08: case 0x09: case 0x0a: case 0x0b: case 0x28: case 0x29: case 0x2b: return size === 3
      case 0x14: case 0x32: case 0x34: return size !== 3
      default: return false
    }
  }
  switch (key) {
    case 0x00: return size !== 3
    case 0x20: return size < 2
    case 0x01: return size === 0
    case 0x02: case 0x22: case 0x06: case 0x26: case 0x04: case 0x24: return size !== 3
    case 0x05: return size === 0
    case 0x25: return size < 2
    case 0x03: case 0x23: case 0x07: case 0x27: case 0x08: case 0x09: case 0x0a: case 0x0b: case 0x28: case 0x29: case 0x2b:
      return size !== 3 || q
    case 0x12: case 0x14: case 0x32: case 0x33: case 0x34: return size !== 3
    default: return false
  }
}
