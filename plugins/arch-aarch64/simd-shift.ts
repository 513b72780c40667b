/**
 * AdvSIMD shift by immediate and scalar shift by immediate (Arm ARM C4.1.96): SSHR/USHR, SSRA/
 * USRA, SRSHR/URSHR, SRSRA/URSRA, SHL, SLI, SRI, SQSHL/UQSHL/SQSHLU, the narrowing SHRN/RSHRN/
 * SQSHRN/UQSHRN/SQRSHRN/UQRSHRN/SQSHRUN/SQRSHRUN, SSHLL/USHLL (SXTL/UXTL), and the fixed-point
 * SCVTF/UCVTF/FCVTZS/FCVTZU. The element size is the highest set bit of immh; right shifts are
 * 2·esize - immh:immb, left shifts immh:immb - esize.
 */
import { fixedToFp, fpToFixed } from './fp-convert.ts'
import type { A64Cpu } from './cpu.ts'
import { satQ } from './simd-int.ts'
import { accrue, clearRes, commit, envOf, getB, getS, getU, getW, putB, putN, RES32 } from './vreg.ts'

const bits = (x: number, hi: number, lo: number): number => (x >>> lo) & ((1 << (hi - lo + 1)) - 1)

export function shiftImm(h: A64Cpu, insn: number, scalar: boolean): boolean {
  const qb = (insn >>> 30) & 1, u = bits(insn, 29, 29), immh = bits(insn, 22, 19), immhb = bits(insn, 22, 16)
  const opcode = bits(insn, 15, 11), rn = bits(insn, 9, 5), rd = insn & 31
  if (immh === 0) return false
  const esz = 31 - Math.clz32(immh), esize = 8 << esz
  const q = !scalar && qb === 1
  const right = 2 * esize - immhb, left = immhb - esize
  const key = (u << 5) | opcode
  if (opcode >= 0x10 && opcode <= 0x13) return narrowShift(h, key, esz, right, qb, rn, rd, scalar)
  if (opcode === 0x14) { // SSHLL/USHLL (and SXTL/UXTL with #0)
    if (scalar || esz === 3) return false
    const n = 8 >> esz
    clearRes()
    for (let i = 0; i < n; i++) {
      const v = u ? getU(h, rn, qb * n + i, esz) : getS(h, rn, qb * n + i, esz)
      if (esz < 2) putN(i, esz + 1, v << left)
      else putB(i, 3, BigInt(v) << BigInt(left))
    }
    commit(h, rd, true)
    return true
  }
  if (opcode === 0x1c || opcode === 0x1f) return fixedPoint(h, insn, esz, right, q, scalar)
  if (!validKey(key, esz, q, scalar)) return false
  const lanes = scalar ? 1 : (q ? 16 : 8) >> esz
  clearRes()
  for (let i = 0; i < lanes; i++) {
    // the fast cases: plain shifts of lanes up to 32 bits on numbers
    if (esz < 3 && (key === 0x0a || key === 0x00 || key === 0x20)) {
      if (key === 0x0a) putN(i, esz, getU(h, rn, i, esz) << left)
      else if (key === 0x00) putN(i, esz, getS(h, rn, i, esz) >> Math.min(right, 31))
      else putN(i, esz, right === 32 ? 0 : getU(h, rn, i, esz) >>> right)
      continue
    }
    const sg = u === 0 || key === 0x2c // SQSHLU reads signed
    const a = getB(h, rn, i, esz, sg)
    const mask = (1n << BigInt(esize)) - 1n
    let r: bigint
    switch (opcode) {
      case 0x00: r = a >> BigInt(right); break // SSHR/USHR
      case 0x02: r = getB(h, rd, i, esz, false) + (a >> BigInt(right)); break // SSRA/USRA
      case 0x04: r = (a + (1n << BigInt(right - 1))) >> BigInt(right); break // SRSHR/URSHR
      case 0x06: r = getB(h, rd, i, esz, false) + ((a + (1n << BigInt(right - 1))) >> BigInt(right)); break
      case 0x08: { // SRI: the top `right` bits of Vd kept
        const m = mask >> BigInt(right)
        r = (getB(h, rd, i, esz, false) & ~m) | ((BigInt.asUintN(esize, a) >> BigInt(right)) & m)
        break
      }
      case 0x0a: // SHL, SLI (the low `left` bits of Vd kept)
        r = u ? (getB(h, rd, i, esz, false) & ((1n << BigInt(left)) - 1n)) | ((a << BigInt(left)) & mask) : a << BigInt(left)
        break
      case 0x0c: r = satQ(h, a << BigInt(left), esize, true); break // SQSHLU
      default: r = satQ(h, a << BigInt(left), esize, u === 1) // 0x0e SQSHL/UQSHL
    }
    putB(i, esz, r)
  }
  commit(h, rd, q)
  return true
}

function validKey(key: number, esz: number, q: boolean, scalar: boolean): boolean {
  switch (key) {
    case 0x00: case 0x20: case 0x02: case 0x22: case 0x04: case 0x24: case 0x06: case 0x26: case 0x0a: case 0x2a: case 0x28:
      return scalar ? esz === 3 : esz < 3 || q
    case 0x0e: case 0x2e: case 0x2c: return scalar || esz < 3 || q
    default: return false
  }
}

/** SHRN, RSHRN, SQSHRN, UQSHRN, SQRSHRN, UQRSHRN, SQSHRUN, SQRSHRUN: 2·esize lanes shifted right into esize lanes */
function narrowShift(h: A64Cpu, key: number, esz: number, right: number, qb: number, rn: number, rd: number, scalar: boolean): boolean {
  if (esz === 3) return false
  if (scalar && (key === 0x10 || key === 0x11)) return false // SHRN/RSHRN have no scalar form
  const esize = 8 << esz, n = scalar ? 1 : 8 >> esz
  const round = (key & 1) === 1 ? 1n << BigInt(right - 1) : 0n
  const uns = key >= 0x20
  clearRes()
  const base = scalar ? 0 : qb * n
  if (!scalar && qb === 1) { RES32[0] = getW(h, rd, 0); RES32[1] = getW(h, rd, 1) }
  for (let i = 0; i < n; i++) {
    // SQSHRUN/SQRSHRUN (U = 1, opcodes 0x10/0x11) read signed, saturate unsigned
    const signedIn = !uns || key === 0x30 || key === 0x31
    const v = (getB(h, rn, i, esz + 1, signedIn) + round) >> BigInt(right)
    let r: bigint
    switch (key) {
      case 0x10: case 0x11: r = v; break
      case 0x30: case 0x31: r = satQ(h, v, esize, true); break
      default: r = satQ(h, v, esize, uns) // 0x12/0x13 SQ(R)SHRN, 0x32/0x33 UQ(R)SHRN
    }
    putB(base + i, esz, r)
  }
  commit(h, rd, !scalar && qb === 1)
  return true
}

/** SCVTF/UCVTF and FCVTZS/FCVTZU (vector and scalar, fixed-point): fbits = 2·esize - immh:immb */
function fixedPoint(h: A64Cpu, insn: number, esz: number, fbits: number, q: boolean, scalar: boolean): boolean {
  const u = bits(insn, 29, 29), opcode = bits(insn, 15, 11), rn = bits(insn, 9, 5), rd = insn & 31
  if (esz < 2 || (esz === 3 && !q && !scalar)) return false
  const env = envOf(h)
  const lanes = scalar ? 1 : (q ? 16 : 8) >> esz
  clearRes()
  for (let i = 0; i < lanes; i++) {
    const lo = getW(h, rn, esz === 3 ? 2 * i : i), hi = esz === 3 ? getW(h, rn, 2 * i + 1) : 0
    if (opcode === 0x1c) fixedToFp(esz, lo, hi, 8 << esz, u === 0, fbits, env.rmode, env)
    else fpToFixed(esz, lo, hi, fbits, u === 1, 8 << esz, 3, env)
    if (esz === 3) { RES32[2 * i] = env.lo; RES32[2 * i + 1] = env.hi } else RES32[i] = env.lo
  }
  commit(h, rd, q)
  accrue(h, env)
  return true
}
