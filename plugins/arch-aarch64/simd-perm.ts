/**
 * AdvSIMD data movement (Arm ARM C4.1.96): copy (DUP element/general, INS, UMOV, SMOV) and its
 * scalar form, modified immediate (MOVI, MVNI, ORR, BIC, FMOV vector) with AdvSIMDExpandImm,
 * permute (UZP1/2, TRN1/2, ZIP1/2), EXT and TBL/TBX. No arithmetic: lanes move as bytes and words.
 */
import type { A64Cpu } from './cpu.ts'
import { clearRes, commit, getB, getS, getU, getW, putB, RES32, RES8 } from './vreg.ts'
import { vfpExpandImm } from './fp.ts'

const bits = (x: number, hi: number, lo: number): number => (x >>> lo) & ((1 << (hi - lo + 1)) - 1)

/** the element size and index imm5 selects: the lowest set bit gives the size (-1 when none ≤ 3) */
function imm5Size(imm5: number): number {
  const s = 31 - Math.clz32(imm5 & -imm5)
  return s > 3 ? -1 : s
}

function setX(h: A64Cpu, n: number, lo: number, hi: number): void {
  if (n === 31) return
  h.x[2 * n] = lo
  h.x[2 * n + 1] = hi
}

/** AdvSIMD copy; `scalar` is the scalar copy group (DUP Vd, Vn.T[i], alias MOV) */
export function copy(h: A64Cpu, insn: number, scalar: boolean): boolean {
  const qb = (insn >>> 30) & 1, op = bits(insn, 29, 29), imm5 = bits(insn, 20, 16), imm4 = bits(insn, 14, 11)
  const rn = bits(insn, 9, 5), rd = insn & 31
  const esz = imm5Size(imm5)
  if (esz < 0) return false
  const idx = imm5 >>> (esz + 1)
  const q = qb === 1
  if (scalar) {
    if (op !== 0 || imm4 !== 0) return false
    clearRes()
    putB(0, esz, getB(h, rn, idx, esz, false))
    commit(h, rd, false)
    return true
  }
  if (op === 1) { // INS (element): Vd.T[idx] ← Vn.T[imm4 >> esz]
    if (!q) return false
    for (let k = 0; k < 4; k++) RES32[k] = getW(h, rd, k)
    putB(idx, esz, getB(h, rn, imm4 >>> esz, esz, false))
    commit(h, rd, true)
    return true
  }
  const xlo = rn === 31 ? 0 : h.x[2 * rn]!, xhi = rn === 31 ? 0 : h.x[2 * rn + 1]!
  switch (imm4) {
    case 0: case 1: { // DUP (element), DUP (general)
      if (esz === 3 && !q) return false
      const v = imm4 === 0 ? getB(h, rn, idx, esz, false) : esz === 3 ? (BigInt(xhi) << 32n) | BigInt(xlo >>> 0) : BigInt(xlo)
      clearRes()
      for (let i = 0; i < (q ? 16 : 8) >> esz; i++) putB(i, esz, v)
      commit(h, rd, q)
      return true
    }
    case 3: // INS (general)
      if (!q) return false
      for (let k = 0; k < 4; k++) RES32[k] = getW(h, rd, k)
      putB(idx, esz, esz === 3 ? (BigInt(xhi) << 32n) | BigInt(xlo >>> 0) : BigInt(xlo))
      commit(h, rd, true)
      return true
    case 5: { // SMOV: W (bytes, halves) or X (bytes, halves, words)
      if (esz === 3 || (esz === 2 && !q)) return false
      const v = getS(h, rn, idx, esz)
      setX(h, rd, v, q ? v >> 31 : 0)
      return true
    }
    case 7: // UMOV: W (up to words) or X (doublewords)
      if (q ? esz !== 3 : esz === 3) return false
      if (esz === 3) setX(h, rd, getW(h, rn, 2 * idx), getW(h, rn, 2 * idx + 1))
      else setX(h, rd, getU(h, rn, idx, esz) | 0, 0)
      return true
  }
  return false
}

/** AdvSIMDExpandImm's 64-bit pattern into out (lo, hi) */
function expandImm(op: number, cmode: number, imm8: number, out: Int32Array): void {
  let lo: number
  switch (cmode >> 1) {
    case 0: lo = imm8; break
    case 1: lo = imm8 << 8; break
    case 2: lo = imm8 << 16; break
    case 3: lo = imm8 << 24; break
    case 4: lo = (imm8 | (imm8 << 16)); break
    case 5: lo = (imm8 << 8) | (imm8 << 24); break
    case 6: lo = (cmode & 1) === 0 ? (imm8 << 8) | 0xff : (imm8 << 16) | 0xffff; break
    default:
      if ((cmode & 1) === 0 && op === 0) { lo = imm8 * 0x01010101; out[0] = lo | 0; out[1] = lo | 0; return }
      if ((cmode & 1) === 0) { // each bit of imm8 to a byte of ones or zeros
        let a = 0, b = 0
        for (let i = 0; i < 4; i++) { if ((imm8 >>> i) & 1) a |= 0xff << (8 * i); if ((imm8 >>> (i + 4)) & 1) b |= 0xff << (8 * i) }
        out[0] = a; out[1] = b
        return
      }
      if (op === 0) { vfpExpandImm(imm8, 2, out); out[1] = out[0]!; return }
      vfpExpandImm(imm8, 3, out)
      return
  }
  // the 32- and 16-bit patterns (cases 0-6) replicate to 64 bits
  out[0] = lo | 0
  out[1] = lo | 0
}

/** scratch (holds nothing between calls) */
const imm64 = new Int32Array(2)

/** AdvSIMD modified immediate: MOVI, MVNI, ORR, BIC (vector, immediate), FMOV (vector, immediate) */
export function modImm(h: A64Cpu, insn: number): boolean {
  const qb = (insn >>> 30) & 1, op = bits(insn, 29, 29), cmode = bits(insn, 15, 12), o2 = bits(insn, 11, 11)
  const imm8 = (bits(insn, 18, 16) << 5) | bits(insn, 9, 5), rd = insn & 31
  if (o2 !== 0) return false
  if (cmode === 15 && op === 1 && qb === 0) return false
  expandImm(op, cmode, imm8, imm64)
  let lo = imm64[0]!, hi = imm64[1]!
  // ORR/BIC: cmode 0xx1 or 10x1; MVNI: op = 1 with cmode 0xx0, 10x0, 110x
  const orrBic = (cmode < 12 && (cmode & 1) === 1)
  const inv = op === 1 && !orrBic && cmode < 14
  if (inv) { lo = ~lo; hi = ~hi }
  for (let k = 0; k < 4; k++) {
    const v = (k & 1) === 0 ? lo : hi
    if (!orrBic) RES32[k] = v
    else RES32[k] = op === 0 ? getW(h, rd, k) | v : getW(h, rd, k) & ~v
  }
  commit(h, rd, qb === 1)
  return true
}

/** AdvSIMD permute: UZP1, TRN1, ZIP1, UZP2, TRN2, ZIP2 */
export function permute(h: A64Cpu, insn: number): boolean {
  const qb = (insn >>> 30) & 1, size = bits(insn, 23, 22), opcode = bits(insn, 14, 12)
  const rm = bits(insn, 20, 16), rn = bits(insn, 9, 5), rd = insn & 31
  if ((opcode & 3) === 0 || (size === 3 && qb === 0)) return false
  const esz = size, n = (qb ? 16 : 8) >> esz, part = opcode >> 2, pairs = n >> 1
  clearRes()
  for (let i = 0; i < n; i++) {
    let src: number, j: number
    switch (opcode & 3) {
      case 1: { const k = 2 * i + part; src = k < n ? rn : rm; j = k < n ? k : k - n; break } // UZP
      case 2: src = (i & 1) === 0 ? rn : rm; j = (i & ~1) + part; break // TRN
      default: src = (i & 1) === 0 ? rn : rm; j = part * pairs + (i >> 1) // ZIP
    }
    putB(i, esz, getB(h, src, j, esz, false))
  }
  commit(h, rd, qb === 1)
  return true
}

/** EXT: bytes imm4.. of Vm:Vn (only the low halves with Q = 0) */
export function ext(h: A64Cpu, insn: number): boolean {
  const qb = (insn >>> 30) & 1, imm4 = bits(insn, 14, 11), rm = bits(insn, 20, 16), rn = bits(insn, 9, 5), rd = insn & 31
  if (bits(insn, 23, 22) !== 0 || (qb === 0 && imm4 >= 8)) return false
  const n = qb ? 16 : 8
  clearRes()
  for (let i = 0; i < n; i++) {
    const k = i + imm4
    RES8[i] = k < n ? getU(h, rn, k, 0) : getU(h, rm, k - n, 0)
  }
  commit(h, rd, qb === 1)
  return true
}

/** TBL/TBX: bytes of the table Vn..Vn+len (wrapping at V31) indexed by Vm; out of range gives 0 (TBL) or keeps Vd (TBX) */
export function tbl(h: A64Cpu, insn: number): boolean {
  const qb = (insn >>> 30) & 1, len = bits(insn, 14, 13), tbx = bits(insn, 12, 12) === 1
  const rm = bits(insn, 20, 16), rn = bits(insn, 9, 5), rd = insn & 31
  if (bits(insn, 23, 22) !== 0) return false
  const n = qb ? 16 : 8, limit = 16 * (len + 1)
  clearRes()
  for (let i = 0; i < n; i++) {
    const x = getU(h, rm, i, 0)
    RES8[i] = x < limit ? getU(h, (rn + (x >> 4)) & 31, x & 15, 0) : tbx ? getU(h, rd, i, 0) : 0
  }
  commit(h, rd, qb === 1)
  return true
}
