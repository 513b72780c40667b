/**
 * The SIMD & FP register file as the slow paths see it: V0..V31, 16 bytes each, little-endian, in
 * the hart's state area (state.ts OFF.V), read and written through the arena-wide views the hart
 * already has (`u8`, `u16`, `i32`), so nothing is allocated per instruction. Lane `i` of size
 * 2^esz bytes of register n is at byte `vOff(h, n) + (i << esz)` (Arm ARM A1.4: the registers are
 * little-endian vectors of elements, element 0 the least significant).
 *
 * Results of vector operations are built in a 16-byte scratch (`RES`) and copied to Vd last, so
 * an operation whose destination is also a source reads every source lane before any is
 * overwritten. The scratch holds nothing between calls.
 */
import { EC, syncException, takeException, VEC_SYNC } from './exceptions.ts'
import type { A64Cpu } from './cpu.ts'
import { SR } from './sysreg-defs.ts'
import { FP_TRAP_ISS } from './sysregs.ts'
import { FpEnv } from './fp-round.ts'
import { OFF, ST } from './state.ts'

/** scratch result vector (see header) with its views */
export const RES32 = new Int32Array(4)
export const RES16 = new Uint16Array(RES32.buffer)
export const RES8 = new Uint8Array(RES32.buffer)

/** byte offset of register n in the arena */
export const vOff = (h: A64Cpu, n: number): number => h.stateBase + OFF.V + (n << 4)

/** unsigned lane (esz 0..2) */
export function getU(h: A64Cpu, n: number, i: number, esz: number): number {
  const o = vOff(h, n)
  if (esz === 0) return h.u8[o + i]!
  if (esz === 1) return h.u16[(o >> 1) + i]!
  return h.i32[(o >> 2) + i]! >>> 0
}

/** signed lane (esz 0..2) */
export function getS(h: A64Cpu, n: number, i: number, esz: number): number {
  const o = vOff(h, n)
  if (esz === 0) return (h.u8[o + i]! << 24) >> 24
  if (esz === 1) return (h.u16[(o >> 1) + i]! << 16) >> 16
  return h.i32[(o >> 2) + i]!
}

/** a lane of any size as a bigint, signed or unsigned */
export function getB(h: A64Cpu, n: number, i: number, esz: number, signed: boolean): bigint {
  if (esz < 3) return BigInt(signed ? getS(h, n, i, esz) : getU(h, n, i, esz))
  const w = (vOff(h, n) >> 2) + 2 * i
  // no BigInt.asUintN(64, …): see fp-convert.ts fixedToFp
  const hi = h.i32[w + 1]!
  return (BigInt(signed ? hi : hi >>> 0) << 32n) | BigInt(h.i32[w]! >>> 0)
}

/** word k (0..3) of register n */
export const getW = (h: A64Cpu, n: number, k: number): number => h.i32[(vOff(h, n) >> 2) + k]!

/** lane i of the result scratch from a number (the low 2^esz bytes of it; esz 0..2) */
export function putN(i: number, esz: number, v: number): void {
  if (esz === 0) RES8[i] = v
  else if (esz === 1) RES16[i] = v
  else RES32[i] = v
}

/** lane i of the result scratch from a bigint, any size (truncated) */
export function putB(i: number, esz: number, v: bigint): void {
  if (esz < 3) { putN(i, esz, Number(BigInt.asIntN(32, v))); return }
  RES32[2 * i] = Number(BigInt.asIntN(32, v))
  RES32[2 * i + 1] = Number(BigInt.asIntN(32, v >> 32n))
}

/** Vd ← the result scratch; a 64-bit operation (q false) clears bits 127..64 (A1.4, "V register writes") */
export function commit(h: A64Cpu, d: number, q: boolean): void {
  const w = vOff(h, d) >> 2, i32 = h.i32
  i32[w] = RES32[0]!
  i32[w + 1] = RES32[1]!
  i32[w + 2] = q ? RES32[2]! : 0
  i32[w + 3] = q ? RES32[3]! : 0
}

/** Vd ← (lo, hi) with the rest cleared: every scalar SIMD & FP write */
export function setD(h: A64Cpu, d: number, lo: number, hi: number): void {
  const w = vOff(h, d) >> 2, i32 = h.i32
  i32[w] = lo
  i32[w + 1] = hi
  i32[w + 2] = 0
  i32[w + 3] = 0
}

/** scalar write of an element of 2^esz bytes (from its bits as lo/hi), clearing the rest */
export function setScalar(h: A64Cpu, d: number, esz: number, lo: number, hi: number): void {
  setD(h, d, esz === 0 ? lo & 0xff : esz === 1 ? lo & 0xffff : lo, esz === 3 ? hi : 0)
}

export function clearRes(): void {
  RES32.fill(0)
}

/**
 * CheckFPAdvSIMDEnabled64 (Arm ARM D1.13.x, D19.2.29 CPACR_EL1.FPEN, D19.2.32 CPTR_EL2.TFP):
 * true when SIMD & FP may run at the current EL; otherwise the access trap (EC 0x07) is taken
 * and false returned. CPACR_EL1 traps EL0/EL1 to EL1 (to EL2 from EL0 when HCR_EL2.TGE routes
 * it); CPTR_EL2.TFP then traps EL0..EL2 to EL2.
 */
export function fpAccess(h: A64Cpu): boolean {
  const t = fpTrapTarget(h)
  if (t < 0) return true
  if (t === 2 && h.st[ST.EL]! < 2) takeException(h, 2, VEC_SYNC, (EC.FP << 26) | (1 << 25) | FP_TRAP_ISS, h.pcLo, h.pcHi, false, 0, 0)
  else syncException(h, EC.FP, FP_TRAP_ISS)
  return false
}

/** the EL a SIMD & FP access traps to, or -1 when it does not */
export function fpTrapTarget(h: A64Cpu): number {
  const el = h.st[ST.EL]!
  if (el < 2) {
    const fpen = (h.sys[SR.CPACR_EL1 * 2]! >>> 20) & 3
    if (fpen === 0 || fpen === 2 || (fpen === 1 && el === 0)) return 1
  }
  if (h.el2 && (h.sys[SR.CPTR_EL2 * 2]! & (1 << 10)) !== 0) return 2
  return -1
}

/** the FP environment of one instruction: FPCR now, flags to accrue */
export const envOf = (h: A64Cpu): FpEnv => new FpEnv(h.sys[SR.FPCR * 2]!)

/** FPSR's cumulative flags |= what the instruction raised (no trapped exceptions: FPCR.xxE are RAZ on the A53) */
export function accrue(h: A64Cpu, env: FpEnv): void {
  if (env.flags !== 0) h.sys[SR.FPSR * 2] |= env.flags
}
