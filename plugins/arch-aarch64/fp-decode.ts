/**
 * Decoding of the SIMD & FP space (Arm ARM C4.1: "Data Processing -- Scalar Floating-Point and
 * Advanced SIMD" and the SIMD & FP loads and stores): the decoder (decode.ts) calls `fpDataGroup`
 * once per instruction and keeps the group in the slot; the execute loop hands it to fp-exec.ts,
 * whose group routines decode their own fields. Loads and stores of single registers and pairs
 * become memory ops of the loop's fast path (`fpLoadStore`); structures go out of line.
 * Imports nothing, like decode.ts.
 */

/** the encoding groups (slot ex of an Op.FPSIMD instruction); 0 is unallocated */
export const enum G {
  NONE = 0,
  FP_FIXED = 1, FP_INT = 2, FP_DP1 = 3, FP_CMP = 4, FP_IMM = 5, FP_CCMP = 6, FP_DP2 = 7, FP_CSEL = 8, FP_DP3 = 9,
  SAME = 10, DIFF = 11, MISC = 12, ACROSS = 13, COPY = 14, MODIMM = 15, SHIFT = 16, ELEM = 17, TBL = 18, PERM = 19, EXT = 20,
  S_SAME = 21, S_DIFF = 22, S_MISC = 23, S_PAIR = 24, S_COPY = 25, S_SHIFT = 26, S_ELEM = 27,
  AES = 28, SHA3 = 29, SHA2 = 30,
  LDST_MULTI = 31, LDST_SINGLE = 32,
}

const bits = (x: number, hi: number, lo: number): number => (x >>> lo) & ((1 << (hi - lo + 1)) - 1)

/** the group of a data-processing instruction with op0 = x111 (bits 28..25) */
export function fpDataGroup(insn: number): number {
  const b2824 = bits(insn, 28, 24), b31 = insn >>> 31, b30 = bits(insn, 30, 30), b21 = bits(insn, 21, 21)
  const b10 = bits(insn, 10, 10), b1110 = bits(insn, 11, 10)
  if (b2824 === 0b11110 && b30 === 0) { // scalar floating point (M = bit 31 is sf for the conversions)
    if (b21 === 0) return G.FP_FIXED
    if (b1110 === 1) return G.FP_CCMP
    if (b1110 === 2) return G.FP_DP2
    if (b1110 === 3) return G.FP_CSEL
    if (bits(insn, 12, 10) === 0b100) return G.FP_IMM
    if (bits(insn, 13, 10) === 0b1000) return G.FP_CMP
    if (bits(insn, 14, 10) === 0b10000) return G.FP_DP1
    if (bits(insn, 15, 10) === 0) return G.FP_INT
    return G.NONE
  }
  if (b2824 === 0b11111 && b30 === 0) return G.FP_DP3
  if (b31 !== 0) return G.NONE
  const scalar = b30 === 1 && bits(insn, 28, 28) === 1 // 01 U 1111x
  if (!scalar && bits(insn, 28, 28) === 1) return G.NONE
  // AdvSIMD: bits 28..24 = s1110 (three same/different/misc/across/copy/permute/TBL/EXT, crypto) or s1111
  const b24 = bits(insn, 24, 24)
  if (bits(insn, 27, 25) !== 0b111) return G.NONE
  if (scalar && bits(insn, 31, 24) === 0b01011110 && b21 === 0 && bits(insn, 15, 15) === 0 && b1110 === 0) return G.SHA3
  if (scalar && bits(insn, 31, 24) === 0b01011110 && bits(insn, 21, 17) === 0b10100 && b1110 === 2) return G.SHA2
  if (!scalar && bits(insn, 31, 24) === 0b01001110 && bits(insn, 21, 17) === 0b10100 && b1110 === 2) return G.AES
  if (b24 === 0) {
    if (b21 === 1) {
      if (b10 === 1) return scalar ? G.S_SAME : G.SAME
      if (b1110 === 0) return scalar ? G.S_DIFF : G.DIFF
      const b2017 = bits(insn, 20, 17)
      if (b2017 === 0b0000) return scalar ? G.S_MISC : G.MISC
      if (b2017 === 0b1000) return scalar ? G.S_PAIR : G.ACROSS
      return G.NONE
    }
    // bit 21 = 0: copy, or (vector only) TBL/TBX, permute, EXT
    if (b10 === 1) return bits(insn, 23, 21) === 0 && bits(insn, 15, 15) === 0 ? (scalar ? G.S_COPY : G.COPY) : G.NONE
    if (scalar || bits(insn, 15, 15) !== 0) return G.NONE
    if (bits(insn, 29, 29) === 1) return G.EXT
    return b1110 === 0 ? G.TBL : b1110 === 2 ? G.PERM : G.NONE
  }
  // bit 24 = 1: shift by immediate / modified immediate (bit 10 = 1), by element (bit 10 = 0)
  if (b10 === 0) return scalar ? G.S_ELEM : G.ELEM
  if (bits(insn, 23, 23) !== 0) return G.NONE
  if (bits(insn, 22, 19) === 0) return scalar ? G.NONE : G.MODIMM
  return scalar ? G.S_SHIFT : G.SHIFT
}

/**
 * SIMD & FP loads and stores (op0 = xx1x, V = 1): the structure forms' group, or -1 for the
 * single-register and pair forms the decoder turns into fast-path memory ops.
 */
export function fpMemGroup(insn: number): number {
  if (bits(insn, 29, 28) === 0 && (insn >>> 31) === 0) {
    // 0 Q 0011 0 0 0|1 L ...: multiple (bit 24 = 0) or single (bit 24 = 1) structures
    return bits(insn, 24, 24) === 0 ? G.LDST_MULTI : G.LDST_SINGLE
  }
  return -1
}
