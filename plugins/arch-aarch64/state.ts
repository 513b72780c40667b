/**
 * Where an AArch64 hart keeps its architectural state: all of it in the hart's slice of the
 * arena's state area (core/bus.ts STATE_AREA_BYTES), so sessions carry it with the arena and a
 * later translation tier reads it in place. Offsets are bytes from the hart's `stateBase`.
 *
 * The general registers are (lo, hi) int32 pairs, indexed pre-scaled by 2 (register n at
 * x[2n], x[2n+1]). Register number 31 means SP or XZR depending on the instruction (Arm ARM
 * C1.2.5); the decoder resolves it once into one of three extra slots, so the execute loop
 * never asks: the current stack pointer, a zero that nothing writes, and a sink that takes
 * writes to XZR.
 *
 * The SIMD & FP registers V0..V31 are 16 bytes each, little-endian, at V_OFFSET (V[n] bytes at
 * V_OFFSET + 16n; vreg.ts reads and writes them); FPCR and FPSR are system registers (sysregs.ts
 * SR.FPCR, SR.FPSR).
 */

/** x-array index of the current stack pointer (SP_EL0 or SP_ELx, as PSTATE.SP and EL select) */
export const X_SP = 62
/** x-array index that always reads zero (XZR/WZR as a source) */
export const X_ZR = 64
/** x-array index writes to XZR/WZR land in (never read) */
export const X_SINK = 66
/** int32 words of the x array */
export const X_WORDS = 68

/** byte offsets in the hart's state area */
export const OFF = {
  X: 0,
  /** the pstate words (ST below) */
  ST: 384,
  /** V0..V31, 16 bytes each (vreg.ts) */
  V: 512,
  /** system registers, two int32 words each (sysregs.ts SR) */
  SYS: 1024,
  /** the shared soft TLB (core/cpu/tlb.ts), which keeps two words just before it */
  TLB: 32768,
} as const
export const V_OFFSET = OFF.V
export const SYS_WORDS = 1024
/** bytes of one hart's state area */
export const CPU_STATE_BYTES = 64 * 1024

/** indices into the pstate words (an Int32Array at OFF.ST) */
export const ST = {
  PC_LO: 0,
  PC_HI: 1,
  /** PSTATE.{N,Z,C,V} packed as in NZCV and SPSR: bits 31..28 */
  NZCV: 2,
  /** PSTATE.EL: 0, 1 or 2 */
  EL: 3,
  /** PSTATE.SP: 0 = SP_EL0, 1 = SP_ELx */
  SPSEL: 4,
  /** PSTATE.{D,A,I,F} as in the DAIF register: bits 9..6 */
  DAIF: 5,
  /** PSTATE.IL (illegal execution state) */
  IL: 6,
  /** the event register (WFE/SEV) */
  EVENT: 7,
  /**
   * The local exclusive monitor (B2.9): bytes reserved (0: open), the reserved physical address
   * as two words, and the value LDXR/LDXP read (QEMU's model: STXR succeeds only if memory still
   * holds it).
   */
  EX_SIZE: 8,
  EX_ADDR: 9,
  EX_ADDR_HI: 10,
  EX_LO: 11,
  EX_HI: 12,
  EX_LO2: 13,
  EX_HI2: 14,
  WORDS: 32,
} as const

/** NZCV bits (Arm ARM C5.2.9) */
export const N_BIT = 1 << 31, Z_BIT = 1 << 30, C_BIT = 1 << 29, V_BIT = 1 << 28
/** DAIF bits (C5.2.3) */
export const DAIF_D = 1 << 9, DAIF_A = 1 << 8, DAIF_I = 1 << 7, DAIF_F = 1 << 6

/**
 * COND[(nzcv >>> 28) << 4 | cond] = 1 when condition `cond` holds (Arm ARM C1.2.4, the
 * ConditionHolds pseudocode): one table load in B.cond, CSEL and CCMP instead of a switch.
 */
export const COND = (() => {
  const t = new Uint8Array(256)
  for (let f = 0; f < 16; f++) {
    const n = (f >> 3) & 1, z = (f >> 2) & 1, c = (f >> 1) & 1, v = f & 1
    for (let cond = 0; cond < 16; cond++) {
      let r: boolean
      switch (cond >> 1) {
        case 0: r = z === 1; break
        case 1: r = c === 1; break
        case 2: r = n === 1; break
        case 3: r = v === 1; break
        case 4: r = c === 1 && z === 0; break
        case 5: r = n === v; break
        case 6: r = n === v && z === 0; break
        default: r = true
      }
      if ((cond & 1) === 1 && cond !== 15) r = !r
      t[(f << 4) | cond] = r ? 1 : 0
    }
  }
  return t
})()
