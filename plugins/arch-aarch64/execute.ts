/**
 * The hot path (STYLE §6): the A64 execute loop over pre-decoded slots (decode.ts). Registers
 * are (lo, hi) int32 pairs; NZCV is one packed word; loads and stores hit the per-hart soft TLB,
 * which maps virtual pages straight to arena offsets. Two steps before the switch keep its
 * cases short: the ALU ops' second operand (register, immediate, shifted, extended, inverted)
 * and the memory ops' address (base + offset, pre/post-index, register offset, literal) are
 * computed once for all of them. Everything rare — TLB misses, MMIO, system registers,
 * exceptions, exclusives and atomics — is out of line (memory.ts, system.ts), and so is SIMD & FP
 * data processing (fp-exec.ts); loads and stores of V registers have the TLB fast path.
 */
import type { A64Cpu } from './cpu.ts'
import type * as decoded from './decode.ts'
import { adds32, adds64, bitfield, crc32, div, dp1, extendReg, extr, logicFlags, madd, maddl, mulh, operand2, shiftv } from './alu.ts'
import { decodeAt, type EXT_SW, type EXT_SX, type EXT_ZERO, fetchPage, loadSlow, storeSlow } from './memory.ts'
import { execFpSimd } from './fp-exec.ts'
import { fpMemMode, fpMemSlow, vLoadRam, vStoreRam } from './fp-ldst.ts'
import { execRare, pairSlow, spAlignmentFault } from './system.ts'
import { COND, type OFF, type ST, type X_SP } from './state.ts'

/**
 * decode.ts's `Op` again, as a same-file `const enum`: esbuild (tsx, vitest) inlines only those,
 * and a switch over literal cases compiles to a jump table. `OP_IN_SYNC` stops tsc when the two
 * differ; the field constants below are checked the same way.
 */
const enum Op {
  NONE = 0,
  ADD_X = 1, ADD_W = 2, ADDS_X = 3, ADDS_W = 4,
  ADC_X = 5, ADC_W = 6, ADCS_X = 7, ADCS_W = 8,
  AND_X = 9, AND_W = 10, ANDS_X = 11, ANDS_W = 12,
  ORR_X = 13, ORR_W = 14, EOR_X = 15, EOR_W = 16,
  CCMP_X = 17, CCMP_W = 18,
  MOVI = 19, MOVK = 20, ADR = 21, ADRP = 22,
  UBFM = 23, SBFM = 24, BFM = 25, EXTR = 26,
  CSEL = 27, SHIFTV = 28, DIV = 29, DP1 = 30,
  MADD = 31, MULH = 32, MADDL = 33, CRC32 = 34,
  B = 35, BL = 36, BCOND = 37, CBZ = 38, CBNZ = 39, TBZ = 40, TBNZ = 41, BR = 42, BLR = 43,
  NOP = 44,
  SYS = 45, EXC = 46, ATOMIC = 47, MEMRARE = 48, FPSIMD = 49, UNDEF = 50,
  LDRB = 51, LDRH = 52, LDRW = 53, LDRX = 54,
  LDRSBX = 55, LDRSHX = 56, LDRSWX = 57, LDRSBW = 58, LDRSHW = 59,
  STRB = 60, STRH = 61, STRW = 62, STRX = 63,
  LDPW = 64, LDPX = 65, LDPSW = 66, STPW = 67, STPX = 68,
  PRFM = 69,
  LDRV = 70, STRV = 71, LDPV = 72, STPV = 73,
}
type Values<E> = { [K in keyof E]: `${E[K] & number}` }
type Same<X, Y> = [X] extends [Y] ? ([Y] extends [X] ? true : false) : false
const OP_IN_SYNC: Same<Values<typeof Op>, Values<typeof decoded.Op>> = true
void OP_IN_SYNC

/**
 * Every constant the loop reads, as members of same-file `const enum`s, for the same reason as
 * `Op`: a module-level `const` (or an import: ST.NZCV, X_SP) is a variable to V8 11 — each use
 * in the loop loaded it from the module context and checked its type, and TurboFan could fold
 * none of them; literals it folds. decode.ts's field constants (test/decode.test.ts checks they
 * agree) and state.ts's (checked below by type).
 */
const enum F {
  ALU_LAST = 18, MEM_FIRST = 51,
  K_REG = 0, K_IMM = 1, K_LSL = 2, K_LSR = 3, EX_INV = 8, EX_SF = 1 << 14,
  M_REG = 3, M_LIT = 4, M_PRE = 1, M_POST = 2,
  EXT_ZERO = 0, EXT_SX = 1, EXT_SW = 2,
}
const enum S { NZCV = 2, X_SP = 62, OFF_V = 512 }
const STATE_IN_SYNC: Same<[`${S.NZCV}`, `${S.X_SP}`, `${S.OFF_V}`], [`${typeof ST.NZCV}`, `${typeof X_SP}`, `${typeof OFF.V}`]> = true
const EXT_IN_SYNC: Same<[`${F.EXT_ZERO}`, `${F.EXT_SX}`, `${F.EXT_SW}`], [`${typeof EXT_ZERO}`, `${typeof EXT_SX}`, `${typeof EXT_SW}`]> = true
void STATE_IN_SYNC
void EXT_IN_SYNC
export const LOOP_FIELDS = {
  ALU_LAST: F.ALU_LAST, MEM_FIRST: F.MEM_FIRST, K_REG: F.K_REG, K_IMM: F.K_IMM, K_LSL: F.K_LSL, K_LSR: F.K_LSR, EX_INV: F.EX_INV,
  EX_SF: F.EX_SF, M_REG: F.M_REG, M_LIT: F.M_LIT, M_PRE: F.M_PRE, M_POST: F.M_POST,
}

/**
 * The execute loop: up to `max` instructions, leaving early when `brk` is raised by a slow path
 * (exception, system register side effect, WFI, MMIO that stops the machine). Accumulates into
 * `elapsed`.
 */
export function exec(h: A64Cpu, max: number): void {
  const x = h.x, st = h.st, u8 = h.u8, u16 = h.u16, i32 = h.i32, r64 = h.r64
  const rT = h.tlb.r, wT = h.tlb.w, cond = COND
  /** word index of V0 in the arena, and what V-register memory ops may do (fp-ldst.ts fpMemMode; 0: not asked yet) */
  const vb = (h.stateBase + S.OFF_V) >> 2
  let fpOk = 0
  const end = (h.elapsed + max) | 0 // h.elapsed at any point = end - left
  let pcLo = h.pcLo | 0, pcHi = h.pcHi | 0
  let fTag = 1 // never page-aligned: forces a fetch-page lookup first
  let dec: Int32Array = EMPTY
  let left = max | 0
  let stop = 0 // numbers, not booleans: a boolean phi is a tagged true/false (see alu.ts Flag)
  loop: while (left > 0) {
    if ((pcLo & -4096) !== fTag) {
      h.pcLo = pcLo; h.pcHi = pcHi; h.elapsed = end - left
      const p = fetchPage(h)
      if (p === null) { pcLo = h.pcLo | 0; pcHi = h.pcHi | 0; left--; if (h.brk) break; continue }
      dec = p
      fTag = pcLo & -4096
    }
    const e = pcLo & 4095
    let w = dec[e]!
    if (w === 0) { h.pcLo = pcLo; h.pcHi = pcHi; w = decodeAt(h, dec, e) | 0 }
    const op = w & 127
    const rd = (w >>> 8) & 127, rn = (w >>> 15) & 127, rm = (w >>> 22) & 127
    const imm = dec[e + 1]!, ex = dec[e + 2]!
    left--

    // ---- operand 2 of the ALU ops ----
    let bLo = 0, bHi = 0
    if (op <= F.ALU_LAST) {
      const k = ex & 7
      if (k === F.K_REG) { bLo = x[rm]!; bHi = x[rm + 1]! }
      else if (k === F.K_IMM) { bLo = imm; bHi = dec[e + 3]! }
      else if (k <= F.K_LSR && (ex & F.EX_SF) !== 0) {
        // X-register LSL/LSR by an immediate, the shifted operands compiled code is full of: inline
        const sh = (ex >>> 5) & 63, lo = x[rm]!, hi = x[rm + 1]!
        if (sh === 0) { bLo = lo; bHi = hi }
        else if (k === F.K_LSL) {
          if (sh < 32) { bHi = (hi << sh) | (lo >>> (32 - sh)); bLo = lo << sh } else { bHi = lo << (sh - 32); bLo = 0 }
        } else if (sh < 32) { bLo = (lo >>> sh) | (hi << (32 - sh)); bHi = (hi >>> sh) | 0 } else { bLo = (hi >>> (sh - 32)) | 0; bHi = 0 }
      } else { operand2(r64, x[rm]!, x[rm + 1]!, ex); bLo = r64[0]!; bHi = r64[1]! }
      if ((ex & F.EX_INV) !== 0) { bLo = ~bLo; bHi = ~bHi }
    }

    // ---- the address of the memory ops ----
    let aLo = 0, aHi = 0, wb = 0, wbLo = 0, wbHi = 0
    if (op >= F.MEM_FIRST) {
      const m = ex & 7
      let baseLo: number, baseHi: number
      if (m === F.M_LIT) { baseLo = pcLo; baseHi = pcHi }
      else {
        baseLo = x[rn]!; baseHi = x[rn + 1]!
        // SP as the base must be 16-byte aligned when SCTLR_ELx.SA/SA0 ask (D1.8.2)
        if (rn === S.X_SP && (baseLo & 15) !== 0) {
          h.pcLo = pcLo; h.pcHi = pcHi; h.elapsed = end - left
          if (spAlignmentFault(h)) { pcLo = h.pcLo | 0; pcHi = h.pcHi | 0; break }
        }
      }
      let oLo: number, oHi: number
      if (m === F.M_REG) {
        const opt = (ex >>> 4) & 7
        if ((opt & 3) >= 2) {
          // LSL/UXTX/SXTX, UXTW, SXTW (then LSL 0..4): the register offsets of array indexing, inline
          const sh = (ex >>> 8) & 7, lo = x[rm]!
          const hi = (opt & 1) !== 0 ? x[rm + 1]! : opt === 2 ? 0 : lo >> 31
          oLo = lo << sh; oHi = sh === 0 ? hi : (hi << sh) | (lo >>> (32 - sh))
        } else { extendReg(r64, x[rm]!, x[rm + 1]!, opt, (ex >>> 8) & 7); oLo = r64[0]!; oHi = r64[1]! }
      }
      else { oLo = imm; oHi = imm >> 31 }
      // 64-bit add in int32 halves: the carry is the low half wrapping below an operand (no doubles)
      const sLo = (baseLo + oLo) | 0, sHi = (baseHi + oHi + ((sLo >>> 0) < (baseLo >>> 0) ? 1 : 0)) | 0
      if (m === F.M_POST) { aLo = baseLo; aHi = baseHi } else { aLo = sLo; aHi = sHi }
      if (m === F.M_PRE || m === F.M_POST) { wb = 1; wbLo = sLo; wbHi = sHi }
    }

    switch (op) {
      // ---- ALU: x[rn] op operand 2 ----
      case Op.ADD_X: { const a = x[rn]!, c = (ex >>> 4) & 1, lo = (a + bLo + c) | 0; x[rd + 1] = (x[rn + 1]! + bHi + (c === 0 ? ((lo >>> 0) < (a >>> 0) ? 1 : 0) : ((lo >>> 0) <= (a >>> 0) ? 1 : 0))) | 0; x[rd] = lo; break }
      case Op.ADD_W: x[rd] = (x[rn]! + bLo + ((ex >>> 4) & 1)) | 0; x[rd + 1] = 0; break
      case Op.ADDS_X: st[S.NZCV] = adds64(x, rd, x[rn]!, x[rn + 1]!, bLo, bHi, (ex >>> 4) & 1); break
      case Op.ADDS_W: st[S.NZCV] = adds32(x, rd, x[rn]!, bLo, (ex >>> 4) & 1); break
      case Op.ADC_X: { const a = x[rn]!, c = (st[S.NZCV]! >>> 29) & 1, lo = (a + bLo + c) | 0; x[rd + 1] = (x[rn + 1]! + bHi + (c === 0 ? ((lo >>> 0) < (a >>> 0) ? 1 : 0) : ((lo >>> 0) <= (a >>> 0) ? 1 : 0))) | 0; x[rd] = lo; break }
      case Op.ADC_W: x[rd] = (x[rn]! + bLo + ((st[S.NZCV]! >>> 29) & 1)) | 0; x[rd + 1] = 0; break
      case Op.ADCS_X: st[S.NZCV] = adds64(x, rd, x[rn]!, x[rn + 1]!, bLo, bHi, (st[S.NZCV]! >>> 29) & 1); break
      case Op.ADCS_W: st[S.NZCV] = adds32(x, rd, x[rn]!, bLo, (st[S.NZCV]! >>> 29) & 1); break
      case Op.AND_X: x[rd + 1] = x[rn + 1]! & bHi; x[rd] = x[rn]! & bLo; break
      case Op.AND_W: x[rd] = x[rn]! & bLo; x[rd + 1] = 0; break
      case Op.ANDS_X: { const lo = x[rn]! & bLo, hi = x[rn + 1]! & bHi; x[rd] = lo; x[rd + 1] = hi; st[S.NZCV] = logicFlags(lo, hi); break }
      case Op.ANDS_W: { const lo = x[rn]! & bLo; x[rd] = lo; x[rd + 1] = 0; st[S.NZCV] = logicFlags(lo, lo); break }
      case Op.ORR_X: x[rd + 1] = x[rn + 1]! | bHi; x[rd] = x[rn]! | bLo; break
      case Op.ORR_W: x[rd] = x[rn]! | bLo; x[rd + 1] = 0; break
      case Op.EOR_X: x[rd + 1] = x[rn + 1]! ^ bHi; x[rd] = x[rn]! ^ bLo; break
      case Op.EOR_W: x[rd] = x[rn]! ^ bLo; x[rd + 1] = 0; break
      case Op.CCMP_X: case Op.CCMP_W: {
        // CCMP/CCMN (C6.2.50): the comparison's flags if the condition holds, else the immediate NZCV
        if (cond[((st[S.NZCV]! >>> 28) << 4) | ((ex >>> 16) & 15)] === 1) {
          st[S.NZCV] = op === Op.CCMP_X ? adds64(r64, 0, x[rn]!, x[rn + 1]!, bLo, bHi, (ex >>> 4) & 1) : adds32(r64, 0, x[rn]!, bLo, (ex >>> 4) & 1)
        } else st[S.NZCV] = ((ex >>> 20) & 15) << 28
        break
      }

      // ---- moves, PC-relative addresses, bitfields ----
      case Op.MOVI: x[rd] = imm; x[rd + 1] = dec[e + 3]!; break
      case Op.MOVK: {
        const sh = ex & 63
        if (sh === 0) x[rd] = (x[rd]! & -65536) | imm
        else if (sh === 16) x[rd] = (x[rd]! & 0xffff) | (imm << 16)
        else if (sh === 32) x[rd + 1] = (x[rd + 1]! & -65536) | imm
        else x[rd + 1] = (x[rd + 1]! & 0xffff) | (imm << 16)
        if ((ex & 64) === 0) x[rd + 1] = 0
        break
      }
      case Op.ADR: { const lo = (pcLo + imm) | 0; x[rd + 1] = (pcHi + dec[e + 3]! + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0; x[rd] = lo; break }
      case Op.ADRP: { const p = pcLo & -4096, lo = (p + imm) | 0; x[rd + 1] = (pcHi + dec[e + 3]! + ((lo >>> 0) < (p >>> 0) ? 1 : 0)) | 0; x[rd] = lo; break }
      case Op.UBFM: {
        // LSR and LSL by an immediate are UBFM aliases (C6.2.220, C6.2.217): inline those
        const immr = ex & 63, imms = (ex >>> 6) & 63, lo = x[rn]!, hi = x[rn + 1]!
        if ((ex & 4096) !== 0 && imms === 63 && immr !== 0) {
          if (immr < 32) { x[rd] = (lo >>> immr) | (hi << (32 - immr)); x[rd + 1] = hi >>> immr } else { x[rd] = hi >>> (immr - 32); x[rd + 1] = 0 }
        } else if ((ex & 4096) !== 0 && imms + 1 === immr) {
          const sh = 63 - imms
          if (sh < 32) { x[rd + 1] = (hi << sh) | (lo >>> (32 - sh)); x[rd] = lo << sh } else { x[rd + 1] = lo << (sh - 32); x[rd] = 0 }
        } else bitfield(x, rd, lo, hi, 0, 0, 2, immr, imms, (ex >>> 12) & 1)
        break
      }
      case Op.SBFM: bitfield(x, rd, x[rn]!, x[rn + 1]!, 0, 0, 0, ex & 63, (ex >>> 6) & 63, (ex >>> 12) & 1); break
      case Op.BFM: bitfield(x, rd, x[rn]!, x[rn + 1]!, x[rm]!, x[rm + 1]!, 1, ex & 63, (ex >>> 6) & 63, (ex >>> 12) & 1); break
      case Op.EXTR: extr(x, rd, x[rn]!, x[rn + 1]!, x[rm]!, x[rm + 1]!, ex & 63, (ex >>> 6) & 1); break
      case Op.CSEL: {
        // CSEL/CSINC/CSINV/CSNEG (C6.2.69 ff.)
        let lo: number, hi: number
        if (cond[((st[S.NZCV]! >>> 28) << 4) | (ex & 15)] === 1) { lo = x[rn]!; hi = x[rn + 1]! }
        else {
          lo = x[rm]!; hi = x[rm + 1]!
          const v = (ex >>> 4) & 3
          if (v === 1) { lo = (lo + 1) | 0; if (lo === 0) hi = (hi + 1) | 0 }
          else if (v === 2) { lo = ~lo; hi = ~hi }
          else if (v === 3) { lo = (~lo + 1) | 0; hi = ~hi; if (lo === 0) hi = (hi + 1) | 0 }
        }
        x[rd] = lo
        x[rd + 1] = (ex & 64) !== 0 ? hi : 0
        break
      }
      case Op.SHIFTV: shiftv(x, rd, x[rn]!, x[rn + 1]!, x[rm]!, ex & 3, (ex >>> 2) & 1); break
      case Op.DIV: div(x, rd, x[rn]!, x[rn + 1]!, x[rm]!, x[rm + 1]!, ex & 1, (ex >>> 1) & 1); break
      case Op.DP1: dp1(x, rd, x[rn]!, x[rn + 1]!, ex & 7, (ex >>> 3) & 1); break
      case Op.MADD: { const ra = dec[e + 3]!; madd(x, rd, x[rn]!, x[rn + 1]!, x[rm]!, x[rm + 1]!, x[ra]!, x[ra + 1]!, ex & 1, (ex >>> 1) & 1); break }
      case Op.MADDL: { const ra = dec[e + 3]!; maddl(x, rd, x[rn]!, x[rm]!, x[ra]!, x[ra + 1]!, ex & 1, (ex >>> 1) & 1); break }
      case Op.MULH: mulh(x, rd, x[rn]!, x[rn + 1]!, x[rm]!, x[rm + 1]!, ex & 1); break
      case Op.CRC32: x[rd] = crc32(x[rn]!, x[rm]!, x[rm + 1]!, ex & 3, ex >>> 2); x[rd + 1] = 0; break

      // ---- branches ----
      case Op.B: {
        const lo = (pcLo + imm) | 0
        const hi = (pcHi + (imm >> 31) + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0
        if (hi !== pcHi) { pcHi = hi; fTag = 1 }
        pcLo = lo
        continue
      }
      case Op.BL: {
        const n = (pcLo + 4) | 0
        x[60] = n; x[61] = n === 0 ? (pcHi + 1) | 0 : pcHi
        const lo = (pcLo + imm) | 0
        const hi = (pcHi + (imm >> 31) + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0
        if (hi !== pcHi) { pcHi = hi; fTag = 1 }
        pcLo = lo
        continue
      }
      case Op.BCOND:
        if (cond[((st[S.NZCV]! >>> 28) << 4) | ex] === 1) {
          const lo = (pcLo + imm) | 0
          const hi = (pcHi + (imm >> 31) + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0
          if (hi !== pcHi) { pcHi = hi; fTag = 1 }
          pcLo = lo
          continue
        }
        break
      case Op.CBZ: case Op.CBNZ: {
        const zero = (ex !== 0 ? x[rd]! | x[rd + 1]! : x[rd]!) === 0
        if (zero === (op === Op.CBZ)) {
          const lo = (pcLo + imm) | 0
          const hi = (pcHi + (imm >> 31) + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0
          if (hi !== pcHi) { pcHi = hi; fTag = 1 }
          pcLo = lo
          continue
        }
        break
      }
      case Op.TBZ: case Op.TBNZ: {
        const bit = ex < 32 ? (x[rd]! >>> ex) & 1 : (x[rd + 1]! >>> (ex - 32)) & 1
        if ((bit === 0) === (op === Op.TBZ)) {
          const lo = (pcLo + imm) | 0
          const hi = (pcHi + (imm >> 31) + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0
          if (hi !== pcHi) { pcHi = hi; fTag = 1 }
          pcLo = lo
          continue
        }
        break
      }
      case Op.BR: {
        const lo = x[rn]!, hi = x[rn + 1]!
        // a misaligned target faults at its fetch (D1.10.3): fetchPage checks, so make it run
        if (hi !== pcHi || (lo & 3) !== 0) { pcHi = hi; fTag = 1 }
        pcLo = lo
        continue
      }
      case Op.BLR: {
        const lo = x[rn]!, hi = x[rn + 1]!
        const n = (pcLo + 4) | 0
        x[60] = n; x[61] = n === 0 ? (pcHi + 1) | 0 : pcHi
        if (hi !== pcHi || (lo & 3) !== 0) { pcHi = hi; fTag = 1 }
        pcLo = lo
        continue
      }
      case Op.NOP: case Op.PRFM: break

      // ---- loads: a TLB hit, naturally aligned, goes straight to the arena ----
      case Op.LDRB: case Op.LDRSBX: case Op.LDRSBW: {
        const ti = ((aLo >>> 12) & 255) << 2
        if (rT[ti] === (aLo & -4096) && rT[ti + 1] === aHi) {
          const v = u8[rT[ti + 2]! + (aLo & 4095)]!
          if (op === Op.LDRB) { x[rd] = v; x[rd + 1] = 0 }
          else { const s = (v << 24) >> 24; x[rd] = s; x[rd + 1] = op === Op.LDRSBX ? s >> 31 : 0 }
        } else if (!loadMiss(h, aLo, aHi, 1, op === Op.LDRB ? F.EXT_ZERO : op === Op.LDRSBX ? F.EXT_SX : F.EXT_SW, rd, pcLo, pcHi, end - left)) { pcLo = h.pcLo | 0; pcHi = h.pcHi | 0; break loop }
        else if (h.brk) stop = 1
        break
      }
      case Op.LDRH: case Op.LDRSHX: case Op.LDRSHW: {
        const ti = ((aLo >>> 12) & 255) << 2
        if (rT[ti] === (aLo & -4096) && rT[ti + 1] === aHi && (aLo & 1) === 0) {
          const v = u16[(rT[ti + 2]! + (aLo & 4095)) >> 1]!
          if (op === Op.LDRH) { x[rd] = v; x[rd + 1] = 0 }
          else { const s = (v << 16) >> 16; x[rd] = s; x[rd + 1] = op === Op.LDRSHX ? s >> 31 : 0 }
        } else if (!loadMiss(h, aLo, aHi, 2, op === Op.LDRH ? F.EXT_ZERO : op === Op.LDRSHX ? F.EXT_SX : F.EXT_SW, rd, pcLo, pcHi, end - left)) { pcLo = h.pcLo | 0; pcHi = h.pcHi | 0; break loop }
        else if (h.brk) stop = 1
        break
      }
      case Op.LDRW: case Op.LDRSWX: {
        const ti = ((aLo >>> 12) & 255) << 2
        if (rT[ti] === (aLo & -4096) && rT[ti + 1] === aHi && (aLo & 3) === 0) {
          const v = i32[(rT[ti + 2]! + (aLo & 4095)) >> 2]!
          x[rd] = v; x[rd + 1] = op === Op.LDRSWX ? v >> 31 : 0
        } else if (!loadMiss(h, aLo, aHi, 4, op === Op.LDRW ? F.EXT_ZERO : F.EXT_SX, rd, pcLo, pcHi, end - left)) { pcLo = h.pcLo | 0; pcHi = h.pcHi | 0; break loop }
        else if (h.brk) stop = 1
        break
      }
      case Op.LDRX: {
        const ti = ((aLo >>> 12) & 255) << 2
        if (rT[ti] === (aLo & -4096) && rT[ti + 1] === aHi && (aLo & 7) === 0) {
          const o = (rT[ti + 2]! + (aLo & 4095)) >> 2
          x[rd] = i32[o]!; x[rd + 1] = i32[o + 1]!
        } else if (!loadMiss(h, aLo, aHi, 8, F.EXT_ZERO, rd, pcLo, pcHi, end - left)) { pcLo = h.pcLo | 0; pcHi = h.pcHi | 0; break loop }
        else if (h.brk) stop = 1
        break
      }
      case Op.LDPX: case Op.LDPW: case Op.LDPSW: {
        const size = op === Op.LDPX ? 8 : 4
        const ti = ((aLo >>> 12) & 255) << 2
        if (rT[ti] === (aLo & -4096) && rT[ti + 1] === aHi && (aLo & (size - 1)) === 0 && (aLo & 4095) <= 4096 - 2 * size) {
          const o = (rT[ti + 2]! + (aLo & 4095)) >> 2
          if (size === 8) { const a0 = i32[o]!, a1 = i32[o + 1]!, b0 = i32[o + 2]!, b1 = i32[o + 3]!; x[rd] = a0; x[rd + 1] = a1; x[rm] = b0; x[rm + 1] = b1 }
          else { const a = i32[o]!, b = i32[o + 1]!; const sx = op === Op.LDPSW; x[rd] = a; x[rd + 1] = sx ? a >> 31 : 0; x[rm] = b; x[rm + 1] = sx ? b >> 31 : 0 }
        } else if (!pairMiss(h, aLo, aHi, op, rd, rm, pcLo, pcHi, end - left)) { pcLo = h.pcLo | 0; pcHi = h.pcHi | 0; break loop }
        else if (h.brk) stop = 1
        break
      }

      // ---- stores: the store TLB never maps a page holding decoded code ----
      case Op.STRB: {
        const ti = ((aLo >>> 12) & 255) << 2
        if (wT[ti] === (aLo & -4096) && wT[ti + 1] === aHi) u8[wT[ti + 2]! + (aLo & 4095)] = x[rd]!
        else if (!storeMiss(h, aLo, aHi, 1, x[rd]!, 0, pcLo, pcHi, end - left)) { pcLo = h.pcLo | 0; pcHi = h.pcHi | 0; break loop }
        else if (h.brk) stop = 1
        break
      }
      case Op.STRH: {
        const ti = ((aLo >>> 12) & 255) << 2
        if (wT[ti] === (aLo & -4096) && wT[ti + 1] === aHi && (aLo & 1) === 0) u16[(wT[ti + 2]! + (aLo & 4095)) >> 1] = x[rd]!
        else if (!storeMiss(h, aLo, aHi, 2, x[rd]!, 0, pcLo, pcHi, end - left)) { pcLo = h.pcLo | 0; pcHi = h.pcHi | 0; break loop }
        else if (h.brk) stop = 1
        break
      }
      case Op.STRW: {
        const ti = ((aLo >>> 12) & 255) << 2
        if (wT[ti] === (aLo & -4096) && wT[ti + 1] === aHi && (aLo & 3) === 0) i32[(wT[ti + 2]! + (aLo & 4095)) >> 2] = x[rd]!
        else if (!storeMiss(h, aLo, aHi, 4, x[rd]!, 0, pcLo, pcHi, end - left)) { pcLo = h.pcLo | 0; pcHi = h.pcHi | 0; break loop }
        else if (h.brk) stop = 1
        break
      }
      case Op.STRX: {
        const ti = ((aLo >>> 12) & 255) << 2
        if (wT[ti] === (aLo & -4096) && wT[ti + 1] === aHi && (aLo & 7) === 0) {
          const o = (wT[ti + 2]! + (aLo & 4095)) >> 2
          i32[o] = x[rd]!; i32[o + 1] = x[rd + 1]!
        } else if (!storeMiss(h, aLo, aHi, 8, x[rd]!, x[rd + 1]!, pcLo, pcHi, end - left)) { pcLo = h.pcLo | 0; pcHi = h.pcHi | 0; break loop }
        else if (h.brk) stop = 1
        break
      }
      case Op.STPX: case Op.STPW: {
        const size = op === Op.STPX ? 8 : 4
        const ti = ((aLo >>> 12) & 255) << 2
        if (wT[ti] === (aLo & -4096) && wT[ti + 1] === aHi && (aLo & (size - 1)) === 0 && (aLo & 4095) <= 4096 - 2 * size) {
          const o = (wT[ti + 2]! + (aLo & 4095)) >> 2
          if (size === 8) { i32[o] = x[rd]!; i32[o + 1] = x[rd + 1]!; i32[o + 2] = x[rm]!; i32[o + 3] = x[rm + 1]! }
          else { i32[o] = x[rd]!; i32[o + 1] = x[rm]! }
        } else if (!pairMiss(h, aLo, aHi, op, rd, rm, pcLo, pcHi, end - left)) { pcLo = h.pcLo | 0; pcHi = h.pcHi | 0; break loop }
        else if (h.brk) stop = 1
        break
      }

      // ---- SIMD & FP: data processing out of line; V-register loads and stores like the integer ones ----
      case Op.FPSIMD:
        h.pcLo = pcLo; h.pcHi = pcHi; h.elapsed = end - left
        if (!execFpSimd(h, ex, imm)) { pcLo = h.pcLo | 0; pcHi = h.pcHi | 0; if (h.brk) break loop; fTag = 1; continue }
        break
      case Op.LDRV: case Op.STRV: case Op.LDPV: case Op.STPV: {
        if (fpOk <= 0) {
          h.pcLo = pcLo; h.pcHi = pcHi; h.elapsed = end - left
          fpOk = fpMemMode(h) | 0
          if (fpOk < 0) { pcLo = h.pcLo | 0; pcHi = h.pcHi | 0; break loop }
        }
        const szLog = (ex >>> 12) & 7, sz = 1 << szLog
        const n = op >= Op.LDPV ? 2 * sz : sz
        const ti = ((aLo >>> 12) & 255) << 2
        // in one page, and aligned unless SCTLR_ELx.A lets it be otherwise (fpOk 1)
        const fast = (aLo & 4095) <= 4096 - n && (fpOk === 1 || (aLo & (sz - 1)) === 0)
        if (op === Op.LDRV || op === Op.LDPV) {
          if (fast && rT[ti] === (aLo & -4096) && rT[ti + 1] === aHi) {
            const o = rT[ti + 2]! + (aLo & 4095)
            vLoadRam(u8, i32, o, vb + rd, sz)
            if (op === Op.LDPV) vLoadRam(u8, i32, o + sz, vb + rm, sz)
          } else if (!fpMemMiss(h, aLo, aHi, op, rd, rm, szLog, pcLo, pcHi, end - left)) { pcLo = h.pcLo | 0; pcHi = h.pcHi | 0; break loop }
          else if (h.brk) stop = 1
        } else if (fast && wT[ti] === (aLo & -4096) && wT[ti + 1] === aHi) {
          const o = wT[ti + 2]! + (aLo & 4095)
          vStoreRam(u8, i32, o, vb + rd, sz)
          if (op === Op.STPV) vStoreRam(u8, i32, o + sz, vb + rm, sz)
        } else if (!fpMemMiss(h, aLo, aHi, op, rd, rm, szLog, pcLo, pcHi, end - left)) { pcLo = h.pcLo | 0; pcHi = h.pcHi | 0; break loop }
        else if (h.brk) stop = 1
        break
      }

      default: {
        // rare instructions: system, exception generating, exclusives and atomics, LDTR/STTR, UNDEFINED
        h.pcLo = pcLo; h.pcHi = pcHi; h.elapsed = end - left
        fpOk = 0 // CPACR_EL1, CPTR_EL2 or SCTLR_ELx may change
        const advanced = execRare(h, op, w, imm)
        pcLo = h.pcLo | 0; pcHi = h.pcHi | 0
        if (h.brk) break loop
        if (!advanced) fTag = 1
        continue
      }
    }
    if (wb !== 0) { x[rn] = wbLo; x[rn + 1] = wbHi }
    pcLo = (pcLo + 4) | 0
    if (pcLo === 0) { pcHi = (pcHi + 1) | 0; fTag = 1 }
    if (stop !== 0) break
  }
  h.pcLo = pcLo
  h.pcHi = pcHi
  h.elapsed = end - left
}

const EMPTY = new Int32Array(4096)

/** TLB miss, misaligned or MMIO load: save the loop's state and take the slow path. */
function loadMiss(h: A64Cpu, lo: number, hi: number, size: number, ext: number, rd: number, pcLo: number, pcHi: number, elapsed: number): boolean {
  h.pcLo = pcLo; h.pcHi = pcHi; h.elapsed = elapsed
  return loadSlow(h, lo, hi, size, ext, rd)
}

function storeMiss(h: A64Cpu, lo: number, hi: number, size: number, vLo: number, vHi: number, pcLo: number, pcHi: number, elapsed: number): boolean {
  h.pcLo = pcLo; h.pcHi = pcHi; h.elapsed = elapsed
  return storeSlow(h, lo, hi, size, vLo, vHi)
}

function fpMemMiss(h: A64Cpu, lo: number, hi: number, op: number, rt: number, rt2: number, szLog: number, pcLo: number, pcHi: number, elapsed: number): boolean {
  h.pcLo = pcLo; h.pcHi = pcHi; h.elapsed = elapsed
  return fpMemSlow(h, lo, hi, op, rt, rt2, szLog)
}

function pairMiss(h: A64Cpu, lo: number, hi: number, op: number, rt: number, rt2: number, pcLo: number, pcHi: number, elapsed: number): boolean {
  h.pcLo = pcLo; h.pcHi = pcHi; h.elapsed = elapsed
  return pairSlow(h, lo, hi, op, rt, rt2)
}
