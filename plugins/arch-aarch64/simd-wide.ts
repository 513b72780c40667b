/**
 * AdvSIMD integer operations that change element size or count (Arm ARM C4.1.96): three
 * different (widening SADDL/UADDL…, wide SADDW…, narrowing ADDHN…, SMULL/UMULL, the multiply-
 * accumulates, SQDMULL/SQDMLAL/SQDMLSL, PMULL), across lanes (ADDV, SADDLV/UADDLV, SMAXV/UMAXV,
 * SMINV/UMINV), by element (MUL, MLA, MLS, SMULL…, SQDMULH…), and scalar pairwise ADDP. The "2"
 * forms read the upper halves of their narrow operands, or write the upper half of Vd.
 */
import { pmull64 } from './crypto.ts'
import type { A64Cpu } from './cpu.ts'
import { satQ } from './simd-int.ts'
import { clearRes, commit, getB, getS, getU, getW, putB, putN, RES32 } from './vreg.ts'

const bits = (x: number, hi: number, lo: number): number => (x >>> lo) & ((1 << (hi - lo + 1)) - 1)

/** the widening multiply-accumulate family on one lane: op 0 MULL, 1 MLAL, 2 MLSL, 3 SQDMULL, 4 SQDMLAL, 5 SQDMLSL */
function mulLane(h: A64Cpu, op: number, a: bigint, b: bigint, acc: bigint, esize: number): bigint {
  const w = 2 * esize
  switch (op) {
    case 0: return a * b
    case 1: return acc + a * b
    case 2: return acc - a * b
    case 3: return satQ(h, 2n * a * b, w, false)
    case 4: return satQ(h, BigInt.asIntN(w, acc) + satQ(h, 2n * a * b, w, false), w, false)
    default: return satQ(h, BigInt.asIntN(w, acc) - satQ(h, 2n * a * b, w, false), w, false)
  }
}

/** AdvSIMD three different, and scalar three different (SQDMULL, SQDMLAL, SQDMLSL) */
export function threeDiff(h: A64Cpu, insn: number, scalar: boolean): boolean {
  const qb = scalar ? 0 : (insn >>> 30) & 1, u = bits(insn, 29, 29), size = bits(insn, 23, 22), opcode = bits(insn, 15, 12)
  const rm = bits(insn, 20, 16), rn = bits(insn, 9, 5), rd = insn & 31
  const esz = size, esize = 8 << esz
  if (opcode === 14) { // PMULL/PMULL2: 8 x 8 → 16 polynomial, or 64 x 64 → 128 (the crypto extension)
    if (u !== 0 || scalar || (size !== 0 && size !== 3)) return false
    if (size === 3) { pmull64(h, rd, rn, rm, qb); return true }
    clearRes()
    for (let i = 0; i < 8; i++) {
      const a = getU(h, rn, qb * 8 + i, 0), b = getU(h, rm, qb * 8 + i, 0)
      let r = 0
      for (let k = 0; k < 8; k++) if ((b >>> k) & 1) r ^= a << k
      putN(i, 1, r)
    }
    commit(h, rd, true)
    return true
  }
  if (size === 3 || opcode === 15) return false
  const sq = opcode === 9 || opcode === 11 || opcode === 13
  if (scalar ? !sq || size === 0 : sq && (u === 1 || size === 0)) return false
  const sg = u === 0
  const n = scalar ? 1 : 8 >> esz // results
  clearRes()
  if (opcode === 4 || opcode === 6) { // ADDHN, RADDHN, SUBHN, RSUBHN: wide in, high halves out
    const base = qb * n
    if (qb === 1) { RES32[0] = getW(h, rd, 0); RES32[1] = getW(h, rd, 1) }
    const round = u === 1 ? 1n << BigInt(esize - 1) : 0n
    for (let i = 0; i < n; i++) {
      const a = getB(h, rn, i, esz + 1, false), b = getB(h, rm, i, esz + 1, false)
      putB(base + i, esz, ((opcode === 4 ? a + b : a - b) + round) >> BigInt(esize))
    }
    commit(h, rd, qb === 1)
    return true
  }
  const hiN = qb * n // where the "2" form's narrow operands start
  for (let i = 0; i < n; i++) {
    const wideA = opcode === 1 || opcode === 3
    const a = wideA ? getB(h, rn, i, esz + 1, sg) : getB(h, rn, hiN + i, esz, sg)
    const b = getB(h, rm, hiN + i, esz, sg)
    let r: bigint
    switch (opcode) {
      case 0: case 1: r = a + b; break // [SU]ADDL, [SU]ADDW
      case 2: case 3: r = a - b; break // [SU]SUBL, [SU]SUBW
      case 5: r = getB(h, rd, i, esz + 1, sg) + (a > b ? a - b : b - a); break // [SU]ABAL
      case 7: r = a > b ? a - b : b - a; break // [SU]ABDL
      case 8: r = mulLane(h, 1, a, b, getB(h, rd, i, esz + 1, sg), esize); break
      case 9: r = mulLane(h, 4, a, b, getB(h, rd, i, esz + 1, true), esize); break
      case 10: r = mulLane(h, 2, a, b, getB(h, rd, i, esz + 1, sg), esize); break
      case 11: r = mulLane(h, 5, a, b, getB(h, rd, i, esz + 1, true), esize); break
      case 12: r = a * b; break // [SU]MULL
      default: r = mulLane(h, 3, a, b, 0n, esize) // 13 SQDMULL
    }
    putB(i, esz + 1, r)
  }
  commit(h, rd, !scalar)
  return true
}

/** AdvSIMD across lanes, integer: ADDV, SADDLV/UADDLV, SMAXV/UMAXV, SMINV/UMINV */
export function acrossInt(h: A64Cpu, insn: number): boolean {
  const qb = (insn >>> 30) & 1, u = bits(insn, 29, 29), size = bits(insn, 23, 22), opcode = bits(insn, 16, 12)
  const rn = bits(insn, 9, 5), rd = insn & 31
  if (size === 3 || (size === 2 && qb === 0)) return false
  if (opcode !== 3 && opcode !== 10 && opcode !== 26 && !(opcode === 27 && u === 0)) return false
  const esz = size, lanes = (qb ? 16 : 8) >> esz, sg = u === 0
  let r = sg ? getS(h, rn, 0, esz) : getU(h, rn, 0, esz)
  for (let i = 1; i < lanes; i++) {
    const v = sg ? getS(h, rn, i, esz) : getU(h, rn, i, esz)
    switch (opcode) {
      case 3: case 27: r += v; break
      case 10: if (v > r) r = v; break
      default: if (v < r) r = v
    }
  }
  clearRes()
  // sums of at most 16 lanes of 32 bits are exact doubles; SADDLV/UADDLV widen, the others keep esize
  putB(0, opcode === 3 ? esz + 1 : esz, BigInt(r))
  commit(h, rd, false)
  return true
}

/** AdvSIMD scalar pairwise, integer: ADDP Dd, Vn.2D */
export function pairInt(h: A64Cpu, insn: number): boolean {
  if (bits(insn, 29, 29) !== 0 || bits(insn, 23, 22) !== 3 || bits(insn, 16, 12) !== 0x1b) return false
  const rn = bits(insn, 9, 5)
  clearRes()
  putB(0, 3, getB(h, rn, 0, 3, false) + getB(h, rn, 1, 3, false))
  commit(h, insn & 31, false)
  return true
}

/** AdvSIMD (scalar) by element, integer */
export function elemInt(h: A64Cpu, insn: number, scalar: boolean): boolean {
  const qb = (insn >>> 30) & 1, u = bits(insn, 29, 29), size = bits(insn, 23, 22), opcode = bits(insn, 15, 12)
  const l = bits(insn, 21, 21), m = bits(insn, 20, 20), hb = bits(insn, 11, 11), rn = bits(insn, 9, 5), rd = insn & 31
  if (size !== 1 && size !== 2) return false
  const esz = size, esize = 8 << esz
  const idx = esz === 1 ? (hb << 2) | (l << 1) | m : (hb << 1) | l
  const rm = esz === 1 ? bits(insn, 19, 16) : bits(insn, 20, 16)
  const key = (u << 4) | opcode
  const long = opcode === 2 || opcode === 3 || opcode === 6 || opcode === 7 || opcode === 10 || opcode === 11
  const sat = opcode === 3 || opcode === 7 || opcode === 11 || opcode === 12 || opcode === 13
  const ok = scalar ? sat && u === 0 : [0x08, 0x10, 0x14, 0x02, 0x12, 0x06, 0x16, 0x0a, 0x1a, 0x03, 0x07, 0x0b, 0x0c, 0x0d].includes(key)
  if (!ok) return false
  const sg = u === 0
  const q = !scalar && qb === 1
  const bEl = getB(h, rm, idx, esz, sg)
  clearRes()
  if (long) {
    const n = scalar ? 1 : 8 >> esz, hiN = scalar ? 0 : qb * n
    for (let i = 0; i < n; i++) {
      const a = getB(h, rn, hiN + i, esz, sg)
      const acc = getB(h, rd, i, esz + 1, sg || sat)
      const op = opcode === 10 ? 0 : opcode === 2 ? 1 : opcode === 6 ? 2 : opcode === 11 ? 3 : opcode === 3 ? 4 : 5
      putB(i, esz + 1, mulLane(h, op, a, bEl, acc, esize))
    }
    commit(h, rd, !scalar)
    return true
  }
  const lanes = scalar ? 1 : (q ? 16 : 8) >> esz
  for (let i = 0; i < lanes; i++) {
    const a = getB(h, rn, i, esz, sg)
    let r: bigint
    switch (opcode) {
      case 8: r = a * bEl; break // MUL
      case 0: r = getB(h, rd, i, esz, false) + a * bEl; break // MLA
      case 4: r = getB(h, rd, i, esz, false) - a * bEl; break // MLS
      case 12: r = satQ(h, (2n * a * bEl) >> BigInt(esize), esize, false); break // SQDMULH
      default: r = satQ(h, (2n * a * bEl + (1n << BigInt(esize - 1))) >> BigInt(esize), esize, false) // SQRDMULH
    }
    putB(i, esz, r)
  }
  commit(h, rd, q)
  return true
}
