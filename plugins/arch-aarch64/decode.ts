/**
 * The A64 decoder: one instruction word to a pre-decoded slot that the execute loop
 * (execute.ts) runs and the rare paths (system.ts, atomics.ts) read. Follows the encoding index
 * of the Arm ARM (DDI 0487, C4.1): data processing (immediate), branches / exception generating /
 * system, loads and stores, data processing (register); SIMD & FP data processing decodes to
 * one class with its encoding group (fp-decode.ts), SIMD & FP register loads and stores to memory
 * ops of their own. Imports only the state layout and fp-decode.ts, so every module of the hart
 * can import it without a cycle.
 *
 * A slot is four int32s at dec[e..e+3] (e = byte offset of the instruction in its page; the
 * shared code cache has one slot per halfword, so an A64 instruction owns two):
 *   [0] word: op (bits 6..0) | rd << 8 | rn << 15 | rm << 22 (register indices pre-scaled by 2,
 *       register 31 already resolved to SP, XZR or the write sink: state.ts); bit 7 is 0 (a
 *       4-byte instruction, code-cache.ts) and bits 30, 31 belong to the code cache
 *   [1] imm: immediate, low word (or the raw instruction for the rare classes)
 *   [2] ex: per-class fields (operand-2 form, addressing mode, condition, sf …) — see below
 *   [3] imm2: immediate high word, or a fourth register (Ra of MADD)
 */
import { fpDataGroup, fpMemGroup } from './fp-decode.ts'
import { X_SINK, X_SP, X_ZR } from './state.ts'

/**
 * Operation codes of decoded instructions, dense from 1 so the loop's switch is a jump table (0
 * means "not decoded yet"). The ALU ops come first: for op <= ALU_LAST the loop computes the
 * second operand (register, shifted, extended or immediate; maybe inverted) before its switch.
 * The memory ops come last: for op >= MEM_FIRST it computes the address.
 */
export const enum Op {
  NONE = 0,
  // ---- operand-2 ALU ops (x = 64-bit, w = 32-bit with the result zero-extended) ----
  ADD_X = 1, ADD_W = 2, ADDS_X = 3, ADDS_W = 4,
  ADC_X = 5, ADC_W = 6, ADCS_X = 7, ADCS_W = 8,
  AND_X = 9, AND_W = 10, ANDS_X = 11, ANDS_W = 12,
  ORR_X = 13, ORR_W = 14, EOR_X = 15, EOR_W = 16,
  CCMP_X = 17, CCMP_W = 18,
  // ---- other data processing ----
  MOVI = 19, MOVK = 20, ADR = 21, ADRP = 22,
  UBFM = 23, SBFM = 24, BFM = 25, EXTR = 26,
  CSEL = 27, SHIFTV = 28, DIV = 29, DP1 = 30,
  MADD = 31, MULH = 32, MADDL = 33, CRC32 = 34,
  // ---- branches ----
  B = 35, BL = 36, BCOND = 37, CBZ = 38, CBNZ = 39, TBZ = 40, TBNZ = 41, BR = 42, BLR = 43,
  NOP = 44,
  // ---- rare classes, executed out of line from the raw instruction in imm ----
  /** hints, barriers that do more than order, MSR/MRS, SYS (DC/IC/AT/TLBI), ERET */
  SYS = 45,
  /** SVC, HVC, SMC, BRK, HLT, DCPS */
  EXC = 46,
  /** load/store exclusive, load-acquire/store-release, LSE atomics, CAS/CASP */
  ATOMIC = 47,
  /** LDTR/STTR and friends (unprivileged loads and stores) */
  MEMRARE = 48,
  /** SIMD & FP data processing and structure loads/stores: fp-exec.ts, with the group (fp-decode.ts) in ex */
  FPSIMD = 49,
  UNDEF = 50,
  // ---- loads and stores: the loop computes the address first ----
  LDRB = 51, LDRH = 52, LDRW = 53, LDRX = 54,
  LDRSBX = 55, LDRSHX = 56, LDRSWX = 57, LDRSBW = 58, LDRSHW = 59,
  STRB = 60, STRH = 61, STRW = 62, STRX = 63,
  LDPW = 64, LDPX = 65, LDPSW = 66, STPW = 67, STPX = 68,
  PRFM = 69,
  /** LDR/STR/LDP/STP (and LDNP/STNP, LDUR/STUR) of B/H/S/D/Q registers: ex bits 14..12 = log2 bytes */
  LDRV = 70, STRV = 71, LDPV = 72, STPV = 73,
}
export const ALU_LAST = Op.CCMP_W
export const MEM_FIRST = Op.LDRB

// ---- ex fields ----
/** operand-2 form (ALU ops): bits 2..0 */
export const K_REG = 0, K_IMM = 1, K_LSL = 2, K_LSR = 3, K_ASR = 4, K_ROR = 5, K_EXT = 6
/** ALU ex: invert operand 2 (SUB, SBC, BIC, ORN, EON) */
export const EX_INV = 1 << 3
/** ALU ex: carry in of one (SUB, SUBS, CMP, CCMP: AddWithCarry(x, NOT(y), 1)) */
export const EX_CIN = 1 << 4
/** ALU ex: shift amount at bits 10..5, extend option at 13..11, sf at 14; CCMP cond at 19..16, nzcv at 23..20 */
export const EX_AMT_SHIFT = 5, EX_OPT_SHIFT = 11, EX_SF = 1 << 14, EX_COND_SHIFT = 16, EX_NZCV_SHIFT = 20
/** memory ex: addressing mode at bits 2..0, extend option at 6..4, shift at 10..8 (V registers: log2 size at 14..12) */
export const M_OFF = 0, M_PRE = 1, M_POST = 2, M_REG = 3, M_LIT = 4

export interface Decoded {
  w: number
  imm: number
  ex: number
  imm2: number
}

const bits = (x: number, hi: number, lo: number): number => (x >>> lo) & ((1 << (hi - lo + 1)) - 1)
const sext = (x: number, width: number): number => (x << (32 - width)) >> (32 - width)
/** register n as a source or destination where 31 is XZR (writes to the sink) */
const rz = (n: number): number => (n === 31 ? X_ZR : n * 2)
const rzd = (n: number): number => (n === 31 ? X_SINK : n * 2)
/** register n where 31 is SP */
const rsp = (n: number): number => (n === 31 ? X_SP : n * 2)

function set(d: Decoded, op: number, rd: number, rn: number, rm: number, imm: number, ex: number, imm2: number): Decoded {
  d.w = op | (rd << 8) | (rn << 15) | (rm << 22)
  d.imm = imm | 0
  d.ex = ex | 0
  d.imm2 = imm2 | 0
  return d
}

const raw = (d: Decoded, op: number, insn: number): Decoded => set(d, op, 0, 0, 0, insn, 0, 0)
const undef = (d: Decoded, insn: number): Decoded => raw(d, Op.UNDEF, insn)

/** Decode one A64 instruction (C4.1 top-level encodings, op0 = bits 28..25). */
export function decode(insn: number, d: Decoded): Decoded {
  const op0 = bits(insn, 28, 25)
  if ((op0 & 0b1110) === 0b1000) return dpImm(insn, d)
  if ((op0 & 0b1110) === 0b1010) return branchSys(insn, d)
  if ((op0 & 0b0101) === 0b0100) return loadStore(insn, d)
  if ((op0 & 0b0111) === 0b0101) return dpReg(insn, d)
  if ((op0 & 0b0111) === 0b0111) {
    const g = fpDataGroup(insn)
    return g === 0 ? undef(d, insn) : set(d, Op.FPSIMD, 0, 0, 0, insn, g, 0)
  }
  return undef(d, insn)
}

// ---------------------------------------------------------------- data processing (immediate)

/**
 * DecodeBitMasks (Arm ARM J1, shared/functions/bitmasks) for the logical-immediate case: the
 * 64-bit wmask into out[0] (low) and out[1] (high), or false for a reserved encoding.
 */
export function decodeBitMasks(n: number, imms: number, immr: number, sf: boolean, out: Int32Array | number[]): boolean {
  const combined = (n << 6) | (~imms & 0x3f)
  if (combined === 0) return false
  const len = 31 - Math.clz32(combined)
  if (len < 1 || (!sf && n === 1)) return false
  const levels = (1 << len) - 1
  const s = imms & levels, r = immr & levels
  if (s === levels) return false // all ones is reserved for logical immediates
  const esize = 1 << len
  if (esize === 64) {
    // welem = Ones(s + 1), rotated right by r within 64 bits
    let lo = s + 1 >= 32 ? -1 : (1 << (s + 1)) - 1
    let hi = s + 1 > 32 ? (s + 1 === 64 ? -1 : (1 << (s + 1 - 32)) - 1) : 0
    if (r !== 0) {
      if (r >= 32) { const t = lo; lo = hi; hi = t }
      const k = r & 31
      if (k !== 0) {
        const nlo = (lo >>> k) | (hi << (32 - k)), nhi = (hi >>> k) | (lo << (32 - k))
        lo = nlo; hi = nhi
      }
    }
    out[0] = lo | 0
    out[1] = hi | 0
    return true
  }
  const emask = esize === 32 ? -1 : (1 << esize) - 1
  let elem = (1 << (s + 1)) - 1
  if (r !== 0) elem = ((elem >>> r) | (elem << (esize - r))) & emask
  for (let e = esize; e < 32; e *= 2) elem |= elem << e
  out[0] = elem | 0
  out[1] = sf ? elem | 0 : 0
  return true
}

const masks = [0, 0]

function dpImm(insn: number, d: Decoded): Decoded {
  const sf = insn >>> 31
  const rd = bits(insn, 4, 0), rn = bits(insn, 9, 5)
  switch (bits(insn, 25, 23)) {
    case 0b000: case 0b001: { // PC-relative addressing (C4.1.86)
      const immlo = bits(insn, 30, 29), immhi = sext(bits(insn, 23, 5), 19)
      const v = immhi * 4 + immlo // 21-bit signed
      if (sf === 0) return set(d, Op.ADR, rzd(rd), 0, 0, v, 0, v >> 31)
      // ADRP: the offset is v << 12, up to ±4 GiB: kept as two words
      const lo = (v << 12) | 0, hi = Math.floor(v / (1 << 20))
      return set(d, Op.ADRP, rzd(rd), 0, 0, lo, 0, hi)
    }
    case 0b010: { // add/subtract (immediate)
      const sub = bits(insn, 30, 30), s = bits(insn, 29, 29)
      const imm = bits(insn, 21, 10) << (bits(insn, 22, 22) * 12)
      const ex = K_IMM | (sub ? EX_INV | EX_CIN : 0) | (sf ? EX_SF : 0)
      const op = s ? (sf ? Op.ADDS_X : Op.ADDS_W) : (sf ? Op.ADD_X : Op.ADD_W)
      return set(d, op, s ? rzd(rd) : rsp(rd), rsp(rn), 0, imm, ex, 0)
    }
    case 0b011: return undef(d, insn) // add/subtract with tags (MTE)
    case 0b100: { // logical (immediate)
      const opc = bits(insn, 30, 29), n = bits(insn, 22, 22)
      if (!decodeBitMasks(n, bits(insn, 15, 10), bits(insn, 21, 16), sf === 1, masks)) return undef(d, insn)
      const op = [Op.AND_X, Op.ORR_X, Op.EOR_X, Op.ANDS_X][opc]! + (sf ? 0 : 1)
      return set(d, op, opc === 3 ? rzd(rd) : rsp(rd), rz(rn), 0, masks[0]!, K_IMM | (sf ? EX_SF : 0), masks[1]!)
    }
    case 0b101: { // move wide (immediate)
      const opc = bits(insn, 30, 29), hw = bits(insn, 22, 21), imm16 = bits(insn, 20, 5)
      if (opc === 1 || (sf === 0 && hw >= 2)) return undef(d, insn)
      if (opc === 3) return set(d, Op.MOVK, rzd(rd), 0, 0, imm16, hw * 16 | (sf << 6), 0)
      let lo = hw === 0 ? imm16 : hw === 1 ? imm16 << 16 : 0
      let hi = hw === 2 ? imm16 : hw === 3 ? imm16 << 16 : 0
      if (opc === 0) { lo = ~lo; hi = sf ? ~hi : 0 } // MOVN
      return set(d, Op.MOVI, rzd(rd), 0, 0, lo, 0, hi)
    }
    case 0b110: { // bitfield
      const opc = bits(insn, 30, 29), n = bits(insn, 22, 22), immr = bits(insn, 21, 16), imms = bits(insn, 15, 10)
      if (opc === 3 || n !== sf || (sf === 0 && (immr >= 32 || imms >= 32))) return undef(d, insn)
      const op = [Op.SBFM, Op.BFM, Op.UBFM][opc]!
      return set(d, op, rzd(rd), rz(rn), rz(rd), 0, immr | (imms << 6) | (sf << 12), 0)
    }
    default: { // extract
      const n = bits(insn, 22, 22), imms = bits(insn, 15, 10)
      if (bits(insn, 30, 29) !== 0 || bits(insn, 21, 21) !== 0 || n !== sf || (sf === 0 && imms >= 32)) return undef(d, insn)
      return set(d, Op.EXTR, rzd(rd), rz(rn), rz(bits(insn, 20, 16)), 0, imms | (sf << 6), 0)
    }
  }
}

// ---------------------------------------------------------------- branches, exceptions, system

function branchSys(insn: number, d: Decoded): Decoded {
  const top = insn >>> 29
  if ((top & 3) === 0) { // unconditional branch (immediate): op 00101 imm26
    const off = sext(insn & 0x3ffffff, 26) * 4
    return set(d, top === 4 ? Op.BL : Op.B, top === 4 ? 30 * 2 : 0, 0, 0, off, 0, 0)
  }
  if ((top & 3) === 1) {
    const rt = bits(insn, 4, 0)
    if (bits(insn, 25, 25) === 0) { // compare and branch: sf 011010 op imm19 Rt
      const off = sext(bits(insn, 23, 5), 19) * 4
      return set(d, bits(insn, 24, 24) ? Op.CBNZ : Op.CBZ, rz(rt), 0, 0, off, insn >>> 31, 0)
    }
    // test and branch: b5 011011 op b40 imm14 Rt
    const off = sext(bits(insn, 18, 5), 14) * 4
    const bit = ((insn >>> 31) << 5) | bits(insn, 23, 19)
    return set(d, bits(insn, 24, 24) ? Op.TBNZ : Op.TBZ, rz(rt), 0, 0, off, bit, 0)
  }
  if (top === 2) { // conditional branch (immediate): 0101010 0 imm19 o0 cond
    if (bits(insn, 25, 24) !== 0 || bits(insn, 4, 4) !== 0) return undef(d, insn)
    return set(d, Op.BCOND, 0, 0, 0, sext(bits(insn, 23, 5), 19) * 4, insn & 15, 0)
  }
  if (top === 6) {
    if (bits(insn, 25, 24) === 0) return raw(d, Op.EXC, insn) // exception generation
    if (bits(insn, 25, 22) === 0b0100) return system(insn, d)
    if (bits(insn, 25, 25) === 1) { // unconditional branch (register)
      const opc = bits(insn, 24, 21), op2 = bits(insn, 20, 16), op3 = bits(insn, 15, 10), rn = bits(insn, 9, 5), op4 = bits(insn, 4, 0)
      if (op2 !== 31 || op3 !== 0 || op4 !== 0) return undef(d, insn) // (pointer authentication forms: not on the A53)
      if (opc === 0 || opc === 2) return set(d, Op.BR, 0, rz(rn), 0, 0, 0, 0) // BR, RET
      if (opc === 1) return set(d, Op.BLR, 30 * 2, rz(rn), 0, 0, 0, 0)
      if (opc === 4 && rn === 31) return raw(d, Op.SYS, insn) // ERET
      return undef(d, insn)
    }
  }
  return undef(d, insn)
}

/** system instructions (C4.1.66): the hot hints and barriers become NOP, the rest SYS */
function system(insn: number, d: Decoded): Decoded {
  const l = bits(insn, 21, 21), op0 = bits(insn, 20, 19), op1 = bits(insn, 18, 16), crn = bits(insn, 15, 12)
  const crm = bits(insn, 11, 8), op2 = bits(insn, 7, 5), rt = bits(insn, 4, 0)
  if (l === 0 && op0 === 0 && crn === 2 && rt === 31 && op1 === 3) {
    // hints: NOP and YIELD do nothing here; WFE, WFI, SEV, SEVL go out of line; other hints are NOPs (C6.2.81)
    const hint = (crm << 3) | op2
    if (hint === 0 || hint === 1 || hint > 5) return set(d, Op.NOP, 0, 0, 0, 0, 0, 0)
    return raw(d, Op.SYS, insn)
  }
  if (l === 0 && op0 === 0 && crn === 3 && op1 === 3 && rt === 31) {
    // barriers: DSB (4), DMB (5), ISB (6) order nothing in a one-at-a-time interpreter; CLREX (2) clears the monitor
    if (op2 === 4 || op2 === 5 || op2 === 6) return set(d, Op.NOP, 0, 0, 0, 0, 0, 0)
    if (op2 === 2) return raw(d, Op.SYS, insn)
    return undef(d, insn)
  }
  return raw(d, Op.SYS, insn)
}

// ---------------------------------------------------------------- loads and stores

/** [opc][size] → op for the single-register forms; 0 is unallocated, -1 is PRFM */
const LDST = [
  [Op.STRB, Op.STRH, Op.STRW, Op.STRX],
  [Op.LDRB, Op.LDRH, Op.LDRW, Op.LDRX],
  [Op.LDRSBX, Op.LDRSHX, Op.LDRSWX, -1],
  [Op.LDRSBW, Op.LDRSHW, 0, 0],
]

function loadStore(insn: number, d: Decoded): Decoded {
  const v = bits(insn, 26, 26)
  const rt = bits(insn, 4, 0), rn = bits(insn, 9, 5)
  const b2924 = bits(insn, 29, 24)
  if (v === 1) return fpLoadStore(insn, d) // SIMD & FP registers (and structure loads/stores)
  if (b2924 === 0b001000) return raw(d, Op.ATOMIC, insn) // exclusives, acquire/release, CAS/CASP
  if ((b2924 & 0b111011) === 0b011000) { // load register (literal): opc 011 V 00 imm19 Rt
    const opc = insn >>> 30
    const off = sext(bits(insn, 23, 5), 19) * 4
    if (opc === 3) return set(d, Op.PRFM, 0, 0, 0, off, M_LIT, 0)
    const op = opc === 0 ? Op.LDRW : opc === 1 ? Op.LDRX : Op.LDRSWX
    return set(d, op, rzd(rt), 0, 0, off, M_LIT, 0)
  }
  if ((b2924 & 0b111000) === 0b101000) { // register pair: opc 101 V mode(3) L imm7 Rt2 Rn Rt
    const opc = insn >>> 30, mode = bits(insn, 25, 23), l = bits(insn, 22, 22), rt2 = bits(insn, 14, 10)
    const am = mode === 1 ? M_POST : mode === 3 ? M_PRE : M_OFF // 0: no-allocate (LDNP/STNP), 2: offset
    if (opc === 3 || (opc === 1 && l === 0) || (opc === 1 && mode === 0)) return undef(d, insn)
    const scale = opc === 2 ? 3 : 2
    const off = sext(bits(insn, 21, 15), 7) << scale
    const op = l === 0 ? (opc === 2 ? Op.STPX : Op.STPW) : opc === 2 ? Op.LDPX : opc === 1 ? Op.LDPSW : Op.LDPW
    // loads write rt and rt2; stores read them (31 is XZR either way)
    return l === 1 ? set(d, op, rzd(rt), rsp(rn), rzd(rt2), off, am, 0) : set(d, op, rz(rt), rsp(rn), rz(rt2), off, am, 0)
  }
  if ((b2924 & 0b111010) !== 0b111000) return undef(d, insn)
  // LSE atomic memory operations (bits 23..22 are A:R there, not opc)
  if (bits(insn, 24, 24) === 0 && bits(insn, 21, 21) === 1 && bits(insn, 11, 10) === 0) return raw(d, Op.ATOMIC, insn)
  // single register: size 111 V 0x opc ...
  const size = insn >>> 30, opc = bits(insn, 23, 22)
  let op = LDST[opc]![size]!
  if (op === 0) return undef(d, insn)
  const store = opc === 0
  const t = store ? rz(rt) : rzd(rt)
  if (bits(insn, 24, 24) === 1) { // unsigned immediate, scaled
    const off = bits(insn, 21, 10) << size
    if (op === -1) return set(d, Op.PRFM, 0, rsp(rn), 0, off, M_OFF, 0)
    return set(d, op, t, rsp(rn), 0, off, M_OFF, 0)
  }
  if (bits(insn, 21, 21) === 0) { // 9-bit signed immediate forms
    const off = sext(bits(insn, 20, 12), 9)
    const form = bits(insn, 11, 10)
    if (form === 2) return raw(d, Op.MEMRARE, insn) // LDTR/STTR (unprivileged)
    if (op === -1) return form === 0 ? set(d, Op.PRFM, 0, rsp(rn), 0, off, M_OFF, 0) : undef(d, insn) // PRFUM
    const am = form === 0 ? M_OFF : form === 1 ? M_POST : M_PRE
    return set(d, op, t, rsp(rn), 0, off, am, 0)
  }
  const form = bits(insn, 11, 10)
  if (form !== 2) return undef(d, insn) // (pointer-authenticated loads: not on the A53)
  // register offset: option (15..13) must have bit 1 set (UXTW, LSL/UXTX, SXTW, SXTX)
  const option = bits(insn, 15, 13)
  if ((option & 2) === 0) return undef(d, insn)
  const shift = bits(insn, 12, 12) ? size : 0
  const ex = M_REG | (option << 4) | (shift << 8)
  if (op === -1) return set(d, Op.PRFM, 0, rsp(rn), rz(bits(insn, 20, 16)), 0, ex, 0)
  return set(d, op, t, rsp(rn), rz(bits(insn, 20, 16)), 0, ex, 0)
}

/**
 * SIMD & FP register loads and stores (V = 1): literal, pair (incl. LDNP/STNP), and single
 * register in every addressing mode become LDRV/STRV/LDPV/STPV (rd, rm: register numbers times
 * 4, the word index in the V file); structures go out of line with their group.
 */
function fpLoadStore(insn: number, d: Decoded): Decoded {
  const g = fpMemGroup(insn)
  if (g > 0) return set(d, Op.FPSIMD, 0, 0, 0, insn, g, 0)
  const b2924 = bits(insn, 29, 24), rt = bits(insn, 4, 0), rn = bits(insn, 9, 5)
  if (b2924 === 0b011100) { // literal: opc 011 1 00 imm19 Rt (S, D, Q)
    const opc = insn >>> 30
    if (opc === 3) return undef(d, insn)
    return set(d, Op.LDRV, rt * 4, 0, 0, sext(bits(insn, 23, 5), 19) * 4, M_LIT | ((2 + opc) << 12), 0)
  }
  if ((b2924 & 0b111100) === 0b101100) { // pair: opc 101 1 mode L imm7 Rt2 Rn Rt (S, D, Q)
    const opc = insn >>> 30, mode = bits(insn, 25, 23), l = bits(insn, 22, 22)
    if (opc === 3) return undef(d, insn)
    const szLog = 2 + opc
    const am = mode === 1 ? M_POST : mode === 3 ? M_PRE : M_OFF
    const off = sext(bits(insn, 21, 15), 7) * (1 << szLog)
    return set(d, l ? Op.LDPV : Op.STPV, rt * 4, rsp(rn), bits(insn, 14, 10) * 4, off, am | (szLog << 12), 0)
  }
  if ((b2924 & 0b111110) !== 0b111100) return undef(d, insn)
  // single register: size 111 1 0x opc ...: opc<1> with size 00 is the 128-bit Q form
  const size = insn >>> 30, opc = bits(insn, 23, 22)
  if ((opc & 2) !== 0 && size !== 0) return undef(d, insn)
  const szLog = (opc & 2) !== 0 ? 4 : size
  const op = (opc & 1) !== 0 ? Op.LDRV : Op.STRV
  const sz = szLog << 12
  if (bits(insn, 24, 24) === 1) return set(d, op, rt * 4, rsp(rn), 0, bits(insn, 21, 10) * (1 << szLog), M_OFF | sz, 0)
  const form = bits(insn, 11, 10)
  if (bits(insn, 21, 21) === 0) {
    if (form === 2) return undef(d, insn) // no unprivileged forms for V registers
    return set(d, op, rt * 4, rsp(rn), 0, sext(bits(insn, 20, 12), 9), (form === 0 ? M_OFF : form === 1 ? M_POST : M_PRE) | sz, 0)
  }
  const option = bits(insn, 15, 13)
  if (form !== 2 || (option & 2) === 0) return undef(d, insn)
  const shift = bits(insn, 12, 12) ? szLog : 0
  return set(d, op, rt * 4, rsp(rn), rz(bits(insn, 20, 16)), 0, M_REG | (option << 4) | (shift << 8) | sz, 0)
}

// ---------------------------------------------------------------- data processing (register)

function dpReg(insn: number, d: Decoded): Decoded {
  const sf = insn >>> 31
  const op0 = bits(insn, 30, 30), op1 = bits(insn, 28, 28), op2 = bits(insn, 24, 21), op3 = bits(insn, 15, 10)
  const rd = bits(insn, 4, 0), rn = bits(insn, 9, 5), rm = bits(insn, 20, 16)
  const sfx = sf ? EX_SF : 0
  if (op1 === 0) {
    if ((op2 & 0b1000) === 0) { // logical (shifted register)
      const opc = bits(insn, 30, 29), shift = bits(insn, 23, 22), n = bits(insn, 21, 21), amt = bits(insn, 15, 10)
      if (sf === 0 && amt >= 32) return undef(d, insn)
      const kind = amt === 0 && shift === 0 ? K_REG : K_LSL + shift
      const ex = kind | (n ? EX_INV : 0) | (amt << EX_AMT_SHIFT) | sfx
      const op = [Op.AND_X, Op.ORR_X, Op.EOR_X, Op.ANDS_X][opc]! + (sf ? 0 : 1)
      return set(d, op, rzd(rd), rz(rn), rz(rm), 0, ex, 0)
    }
    const sub = bits(insn, 30, 30), s = bits(insn, 29, 29)
    const op = s ? (sf ? Op.ADDS_X : Op.ADDS_W) : (sf ? Op.ADD_X : Op.ADD_W)
    const inv = sub ? EX_INV | EX_CIN : 0
    if ((op2 & 1) === 0) { // add/subtract (shifted register)
      const shift = bits(insn, 23, 22), amt = bits(insn, 15, 10)
      if (shift === 3 || (sf === 0 && amt >= 32)) return undef(d, insn)
      const kind = amt === 0 ? K_REG : K_LSL + shift
      return set(d, op, rzd(rd), rz(rn), rz(rm), 0, kind | inv | (amt << EX_AMT_SHIFT) | sfx, 0)
    }
    // add/subtract (extended register)
    const opt = bits(insn, 23, 22), option = bits(insn, 15, 13), amt = bits(insn, 12, 10)
    if (opt !== 0 || amt > 4) return undef(d, insn)
    // UXTX/SXTX (64-bit) or UXTW/SXTW (32-bit) with no shift is the register itself
    const plain = amt === 0 && (sf ? (option & 3) === 3 : (option & 3) >= 2)
    const ex = (plain ? K_REG : K_EXT) | inv | (amt << EX_AMT_SHIFT) | (option << EX_OPT_SHIFT) | sfx
    return set(d, op, s ? rzd(rd) : rsp(rd), rsp(rn), rz(rm), 0, ex, 0)
  }
  switch (op2) {
    case 0b0000: { // add/subtract with carry
      if (op3 !== 0) return undef(d, insn)
      const sub = bits(insn, 30, 30), s = bits(insn, 29, 29)
      const op = s ? (sf ? Op.ADCS_X : Op.ADCS_W) : (sf ? Op.ADC_X : Op.ADC_W)
      return set(d, op, rzd(rd), rz(rn), rz(rm), 0, K_REG | (sub ? EX_INV : 0) | sfx, 0)
    }
    case 0b0010: { // conditional compare (register / immediate)
      if (bits(insn, 29, 29) !== 1 || bits(insn, 10, 10) !== 0 || bits(insn, 4, 4) !== 0) return undef(d, insn)
      const sub = bits(insn, 30, 30), isImm = bits(insn, 11, 11)
      const ex = (isImm ? K_IMM : K_REG) | (sub ? EX_INV | EX_CIN : 0) | sfx |
        (bits(insn, 15, 12) << EX_COND_SHIFT) | ((insn & 15) << EX_NZCV_SHIFT)
      return set(d, sf ? Op.CCMP_X : Op.CCMP_W, 0, rz(rn), isImm ? 0 : rz(rm), isImm ? rm : 0, ex, 0)
    }
    case 0b0100: { // conditional select
      const o2 = bits(insn, 11, 10)
      if (bits(insn, 29, 29) !== 0 || o2 > 1) return undef(d, insn)
      const variant = (op0 << 1) | o2 // 0 CSEL, 1 CSINC, 2 CSINV, 3 CSNEG
      return set(d, Op.CSEL, rzd(rd), rz(rn), rz(rm), 0, bits(insn, 15, 12) | (variant << 4) | (sf << 6), 0)
    }
    case 0b0110: {
      if (bits(insn, 29, 29) !== 0) return undef(d, insn)
      if (op0 === 0) { // data-processing (2 source)
        const opc = op3
        if (opc === 2 || opc === 3) return set(d, Op.DIV, rzd(rd), rz(rn), rz(rm), 0, (opc & 1) | (sf << 1), 0)
        if (opc >= 8 && opc <= 11) return set(d, Op.SHIFTV, rzd(rd), rz(rn), rz(rm), 0, (opc & 3) | (sf << 2), 0)
        if (opc >= 16 && opc <= 23) {
          const sz = opc & 3, c = (opc >> 2) & 1
          if ((sz === 3) !== (sf === 1)) return undef(d, insn)
          return set(d, Op.CRC32, rzd(rd), rz(rn), rz(rm), 0, sz | (c << 2), 0)
        }
        return undef(d, insn)
      }
      // data-processing (1 source)
      if (bits(insn, 20, 16) !== 0) return undef(d, insn)
      const opc = op3
      if (opc > 5 || (opc === 3 && sf === 0)) return undef(d, insn)
      // sub: 0 RBIT, 1 REV16, 2 REV32 (or REV of a W register), 3 REV (64), 4 CLZ, 5 CLS
      return set(d, Op.DP1, rzd(rd), rz(rn), 0, 0, opc | (sf << 3), 0)
    }
  }
  if ((op2 & 0b1000) !== 0) { // data-processing (3 source): sf op54 11011 op31 Rm o0 Ra Rn Rd
    const op54 = bits(insn, 30, 29), op31 = bits(insn, 23, 21), o0 = bits(insn, 15, 15), ra = bits(insn, 14, 10)
    if (op54 !== 0) return undef(d, insn)
    if (op31 === 0) return set(d, Op.MADD, rzd(rd), rz(rn), rz(rm), 0, o0 | (sf << 1), rz(ra))
    if (sf === 0) return undef(d, insn)
    if (op31 === 1 || op31 === 5) return set(d, Op.MADDL, rzd(rd), rz(rn), rz(rm), 0, o0 | ((op31 === 1 ? 1 : 0) << 1), rz(ra))
    if ((op31 === 2 || op31 === 6) && o0 === 0) return set(d, Op.MULH, rzd(rd), rz(rn), rz(rm), 0, op31 === 2 ? 1 : 0, 0)
    return undef(d, insn)
  }
  return undef(d, insn)
}
