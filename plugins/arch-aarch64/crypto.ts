/**
 * The Cryptographic Extension (Arm ARM C4.1.96 crypto groups; pseudocode in J1 shared/functions/
 * crypto): AESE/AESD/AESMC/AESIMC, SHA1C/P/M/H/SU0/SU1, SHA256H/H2/SU0/SU1, and PMULL's 64-bit
 * form. QEMU's cortex-a53 implements them and its ID_AA64ISAR0_EL1 (0x00011120: AES with PMULL,
 * SHA1, SHA2, CRC32) says so; sysreg-defs.ts reports the same value, so they are here. The AES
 * S-box is computed from its definition (FIPS-197 §5.1.1: the GF(2^8) inverse, then the affine map).
 */
import type { A64Cpu } from './cpu.ts'
import { clearRes, commit, getU, getW, RES32, RES8 } from './vreg.ts'

/** multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 */
function gmul(a: number, b: number): number {
  let r = 0
  while (b !== 0) {
    if (b & 1) r ^= a
    a = (a << 1) ^ (a & 0x80 ? 0x11b : 0)
    b >>>= 1
  }
  return r
}

const rotl8 = (x: number, n: number): number => ((x << n) | (x >>> (8 - n))) & 0xff

/** the AES S-box and its inverse, built once from the field arithmetic */
const [SBOX, INV_SBOX] = ((): [Uint8Array, Uint8Array] => {
  const s = new Uint8Array(256), inv = new Uint8Array(256)
  for (let x = 0; x < 256; x++) {
    let y = 0
    if (x !== 0) for (y = 1; gmul(x, y) !== 1; y++);
    const v = y ^ rotl8(y, 1) ^ rotl8(y, 2) ^ rotl8(y, 3) ^ rotl8(y, 4) ^ 0x63
    s[x] = v
    inv[v] = x
  }
  return [s, inv]
})()

/** AES: opcode 4 AESE, 5 AESD, 6 AESMC, 7 AESIMC */
export function aes(h: A64Cpu, insn: number): boolean {
  const size = (insn >>> 22) & 3, opcode = (insn >>> 12) & 31, rn = (insn >>> 5) & 31, rd = insn & 31
  if (size !== 0 || opcode < 4 || opcode > 7) return false
  const b = new Uint8Array(16)
  for (let i = 0; i < 16; i++) b[i] = getU(h, rn, i, 0) ^ (opcode < 6 ? getU(h, rd, i, 0) : 0)
  clearRes()
  if (opcode === 4) { // SubBytes(ShiftRows(Vd ^ Vn)): row i % 4 rotated left by its number
    for (let i = 0; i < 16; i++) RES8[i] = SBOX[b[(i + 4 * (i & 3)) & 15]!]!
  } else if (opcode === 5) { // InvSubBytes(InvShiftRows(Vd ^ Vn))
    for (let i = 0; i < 16; i++) RES8[i] = INV_SBOX[b[(i - 4 * (i & 3)) & 15]!]!
  } else {
    const m = opcode === 6 ? [2, 3, 1, 1] : [14, 11, 13, 9]
    for (let c = 0; c < 16; c += 4) {
      for (let r = 0; r < 4; r++) {
        let v = 0
        for (let k = 0; k < 4; k++) v ^= gmul(b[c + k]!, m[(k - r + 4) & 3]!)
        RES8[c + r] = v
      }
    }
  }
  commit(h, rd, true)
  return true
}

const rol = (x: number, n: number): number => (x << n) | (x >>> (32 - n))
const ror = (x: number, n: number): number => (x >>> n) | (x << (32 - n))
const choose = (x: number, y: number, z: number): number => ((y ^ z) & x) ^ z
const parity = (x: number, y: number, z: number): number => x ^ y ^ z
const majority = (x: number, y: number, z: number): number => (x & y) | ((x | y) & z)

const words = (h: A64Cpu, n: number): number[] => [getW(h, n, 0), getW(h, n, 1), getW(h, n, 2), getW(h, n, 3)]

function put4(h: A64Cpu, rd: number, w: number[]): void {
  for (let k = 0; k < 4; k++) RES32[k] = w[k]!
  commit(h, rd, true)
}

/** SHA three-register: opcode 0 SHA1C, 1 SHA1P, 2 SHA1M, 3 SHA1SU0, 4 SHA256H, 5 SHA256H2, 6 SHA256SU1 */
export function sha3(h: A64Cpu, insn: number): boolean {
  const size = (insn >>> 22) & 3, opcode = (insn >>> 12) & 7, rm = (insn >>> 16) & 31, rn = (insn >>> 5) & 31, rd = insn & 31
  if (size !== 0 || opcode === 7) return false
  const d = words(h, rd), n = words(h, rn), m = words(h, rm)
  if (opcode <= 2) {
    const f = opcode === 0 ? choose : opcode === 1 ? parity : majority
    let x = d, y = n[0]!
    for (let e = 0; e < 4; e++) {
      const t = f(x[1]!, x[2]!, x[3]!)
      y = (y + rol(x[0]!, 5) + t + m[e]!) | 0
      x[1] = rol(x[1]!, 30)
      // <Y, X> = ROL(Y:X, 32)
      const top = x[3]!
      x = [y, x[0]!, x[1]!, x[2]!]
      y = top
    }
    put4(h, rd, x)
  } else if (opcode === 3) { // SHA1SU0: (Vn<63:0> : Vd<127:64>) ^ Vd ^ Vm
    put4(h, rd, [d[2]! ^ d[0]! ^ m[0]!, d[3]! ^ d[1]! ^ m[1]!, n[0]! ^ d[2]! ^ m[2]!, n[1]! ^ d[3]! ^ m[3]!])
  } else if (opcode <= 5) {
    put4(h, rd, opcode === 4 ? sha256hash(d, n, m, true) : sha256hash(n, d, m, false))
  } else { // SHA256SU1
    const t0 = [n[1]!, n[2]!, n[3]!, m[0]!]
    const s1 = (x: number): number => ror(x, 17) ^ ror(x, 19) ^ (x >>> 10)
    const r = [0, 0, 0, 0]
    r[0] = (s1(m[2]!) + d[0]! + t0[0]!) | 0
    r[1] = (s1(m[3]!) + d[1]! + t0[1]!) | 0
    r[2] = (s1(r[0]) + d[2]! + t0[2]!) | 0
    r[3] = (s1(r[1]) + d[3]! + t0[3]!) | 0
    put4(h, rd, r)
  }
  return true
}

function sha256hash(x0: number[], y0: number[], w: number[], part1: boolean): number[] {
  let x = [...x0], y = [...y0]
  for (let e = 0; e < 4; e++) {
    const chs = choose(y[0]!, y[1]!, y[2]!)
    const maj = majority(x[0]!, x[1]!, x[2]!)
    const t1 = (y[3]! + (ror(y[0]!, 6) ^ ror(y[0]!, 11) ^ ror(y[0]!, 25)) + chs + w[e]!) | 0
    x[3] = (t1 + x[3]!) | 0
    y[3] = (t1 + (ror(x[0]!, 2) ^ ror(x[0]!, 13) ^ ror(x[0]!, 22)) + maj) | 0
    // <Y, X> = ROL(Y:X, 32)
    const xTop = x[3]!, yTop = y[3]!
    x = [yTop, x[0]!, x[1]!, x[2]!]
    y = [xTop, y[0]!, y[1]!, y[2]!]
  }
  return part1 ? x : y
}

/** SHA two-register: opcode 0 SHA1H, 1 SHA1SU1, 2 SHA256SU0 */
export function sha2(h: A64Cpu, insn: number): boolean {
  const size = (insn >>> 22) & 3, opcode = (insn >>> 12) & 31, rn = (insn >>> 5) & 31, rd = insn & 31
  if (size !== 0 || opcode > 2) return false
  const n = words(h, rn)
  if (opcode === 0) { put4(h, rd, [rol(n[0]!, 30), 0, 0, 0]); return true }
  const d = words(h, rd)
  if (opcode === 1) { // SHA1SU1
    const t = [d[0]! ^ n[1]!, d[1]! ^ n[2]!, d[2]! ^ n[3]!, d[3]!]
    put4(h, rd, [rol(t[0]!, 1), rol(t[1]!, 1), rol(t[2]!, 1), rol(t[3]!, 1) ^ rol(t[0]!, 2)])
    return true
  }
  // SHA256SU0
  const t = [d[1]!, d[2]!, d[3]!, n[0]!]
  put4(h, rd, t.map((e, k) => ((ror(e, 7) ^ ror(e, 18) ^ (e >>> 3)) + d[k]!) | 0))
  return true
}

/** PMULL/PMULL2 with 64-bit lanes: the 128-bit carry-less product of Vn.D[q] and Vm.D[q] */
export function pmull64(h: A64Cpu, rd: number, rn: number, rm: number, q: number): void {
  const a = (BigInt(getW(h, rn, 2 * q + 1) >>> 0) << 32n) | BigInt(getW(h, rn, 2 * q) >>> 0)
  const b = (BigInt(getW(h, rm, 2 * q + 1) >>> 0) << 32n) | BigInt(getW(h, rm, 2 * q) >>> 0)
  let r = 0n
  for (let i = 0n; i < 64n; i++) if ((b >> i) & 1n) r ^= a << i
  for (let k = 0; k < 4; k++) RES32[k] = Number(BigInt.asIntN(32, r >> BigInt(32 * k)))
  commit(h, rd, true)
}
