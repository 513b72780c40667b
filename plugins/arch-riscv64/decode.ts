/**
 * The decoder: one instruction's bits to a pre-decoded slot (operation code, register fields,
 * immediate) that the execute loop (execute.ts), the translation tier (wasm-tier.ts) and the
 * rare paths (system.ts) read. Unprivileged spec 20191213 chapters 2, 5, 7, 8, 16 (C); privileged
 * and hypervisor instructions decode to SYSTEM/HLSV and are interpreted from their raw bits.
 * Imports nothing, so every module of the hart can import it without a cycle.
 */

/**
 * Internal operation codes of decoded instructions. One number per behaviour the execute loop
 * distinguishes; compressed instructions decode to the same codes as their 32-bit expansions.
 * Dense from 1 so the switch compiles to a jump table; 0 means "not decoded yet".
 */
export const enum Op {
  NONE = 0,
  LUI = 1, AUIPC = 2, JAL = 3, JALR = 4,
  BEQ = 5, BNE = 6, BLT = 7, BGE = 8, BLTU = 9, BGEU = 10,
  LB = 11, LH = 12, LW = 13, LD = 14, LBU = 15, LHU = 16, LWU = 17,
  SB = 18, SH = 19, SW = 20, SD = 21,
  ADDI = 22, SLTI = 23, SLTIU = 24, XORI = 25, ORI = 26, ANDI = 27, SLLI = 28, SRLI = 29, SRAI = 30,
  ADD = 31, SUB = 32, SLL = 33, SLT = 34, SLTU = 35, XOR = 36, SRL = 37, SRA = 38, OR = 39, AND = 40,
  ADDIW = 41, SLLIW = 42, SRLIW = 43, SRAIW = 44,
  ADDW = 45, SUBW = 46, SLLW = 47, SRLW = 48, SRAW = 49,
  MUL = 50, MULH = 51, MULHSU = 52, MULHU = 53, DIV = 54, DIVU = 55, REM = 56, REMU = 57,
  MULW = 58, DIVW = 59, DIVUW = 60, REMW = 61, REMUW = 62,
  FENCE = 63, FENCE_I = 64,
  /** ecall, ebreak, xret, wfi, sfence/hfence, CSR ops: rare, executed by `system()` with the raw bits in imm */
  SYSTEM = 65,
  /** LR/SC/AMO: raw bits in imm */
  AMO = 66,
  FLW = 67, FLD = 68, FSW = 69, FSD = 70,
  /** F/D computation: raw bits in imm, executed by fpu.ts */
  FP = 71,
  /** hypervisor virtual-machine loads/stores (hlv/hlvx/hsv): raw bits in imm */
  HLSV = 72,
  /** raw bits in imm; raises illegal instruction */
  ILLEGAL = 73,
}

/** Register fields are stored pre-scaled by 2 (index into the lo/hi Int32Array); rd 0 becomes the sink. */
export const SINK = 32

/** Output of one decode: written into the page's decoded array by the caller. */
export interface Decoded {
  op: number
  regs: number
  imm: number
}

const pack = (rd: number, rs1: number, rs2: number): number =>
  ((rd === 0 ? SINK : rd) << 1) | (rs1 << 8) | (rs2 << 15)
/** FP destination: f0 is a real register, no sink */
const packF = (rd: number, rs1: number, rs2: number): number => (rd << 1) | (rs1 << 8) | (rs2 << 15)

/** Register fields of packed `regs` (each pre-scaled by 2): bits 6:0, 13:7, 20:14. */
export const rdOf = (regs: number): number => regs & 127
export const rs1Of = (regs: number): number => (regs >>> 7) & 127
export const rs2Of = (regs: number): number => (regs >>> 14) & 127

/**
 * A decoded slot is two int32s: [op | compressed << 7 | regs << 8, imm]. One slot per halfword
 * of the page, so a page's slots are 4096 int32s; op ≥ 1 and the compressed bit are what the
 * shared code cache (core/cpu/code-cache.ts) reads.
 */
export function packSlot(op: number, regs: number, len: number): number {
  return op | (len === 2 ? 128 : 0) | (regs << 8)
}

const bits = (x: number, hi: number, lo: number): number => (x >>> lo) & ((1 << (hi - lo + 1)) - 1)
const sext = (x: number, width: number): number => (x << (32 - width)) >> (32 - width)

function set(d: Decoded, op: number, regs: number, imm: number): Decoded {
  d.op = op
  d.regs = regs
  d.imm = imm
  return d
}

const illegal = (d: Decoded, insn: number): Decoded => set(d, Op.ILLEGAL, 0, insn)

const BRANCH = [Op.BEQ, Op.BNE, 0, 0, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU]
const LOAD = [Op.LB, Op.LH, Op.LW, Op.LD, Op.LBU, Op.LHU, Op.LWU, 0]
const STORE = [Op.SB, Op.SH, Op.SW, Op.SD]
const OPIMM = [Op.ADDI, 0, Op.SLTI, Op.SLTIU, Op.XORI, 0, Op.ORI, Op.ANDI]
const OPREG = [Op.ADD, Op.SLL, Op.SLT, Op.SLTU, Op.XOR, Op.SRL, Op.OR, Op.AND]
const OPMUL = [Op.MUL, Op.MULH, Op.MULHSU, Op.MULHU, Op.DIV, Op.DIVU, Op.REM, Op.REMU]
const OPMULW = [Op.MULW, 0, 0, 0, Op.DIVW, Op.DIVUW, Op.REMW, Op.REMUW]

/** Decode a 32-bit instruction (low two bits 11). */
export function decode32(insn: number, d: Decoded): Decoded {
  const opcode = insn & 0x7f
  const rd = bits(insn, 11, 7)
  const f3 = bits(insn, 14, 12)
  const rs1 = bits(insn, 19, 15)
  const rs2 = bits(insn, 24, 20)
  const f7 = insn >>> 25
  const immI = insn >> 20
  const immS = ((insn >> 25) << 5) | rd
  switch (opcode) {
    case 0x37: return set(d, Op.LUI, pack(rd, 0, 0), insn & 0xfffff000)
    case 0x17: return set(d, Op.AUIPC, pack(rd, 0, 0), insn & 0xfffff000)
    case 0x6f: {
      const imm = (sext(insn >>> 31, 1) << 20) | (bits(insn, 19, 12) << 12) | (bits(insn, 20, 20) << 11) | (bits(insn, 30, 21) << 1)
      return set(d, Op.JAL, pack(rd, 0, 0), imm)
    }
    case 0x67: return f3 === 0 ? set(d, Op.JALR, pack(rd, rs1, 0), immI) : illegal(d, insn)
    case 0x63: {
      const op = BRANCH[f3]!
      if (!op) return illegal(d, insn)
      const imm = (sext(insn >>> 31, 1) << 12) | (bits(insn, 7, 7) << 11) | (bits(insn, 30, 25) << 5) | (bits(insn, 11, 8) << 1)
      return set(d, op, pack(0, rs1, rs2), imm)
    }
    case 0x03: {
      const op = LOAD[f3]!
      return op ? set(d, op, pack(rd, rs1, 0), immI) : illegal(d, insn)
    }
    case 0x23: return f3 < 4 ? set(d, STORE[f3]!, pack(0, rs1, rs2), immS) : illegal(d, insn)
    case 0x13: {
      if (f3 === 1) return (insn >>> 26) === 0 ? set(d, Op.SLLI, pack(rd, rs1, 0), bits(insn, 25, 20)) : illegal(d, insn)
      if (f3 === 5) {
        const hi6 = insn >>> 26
        if (hi6 === 0) return set(d, Op.SRLI, pack(rd, rs1, 0), bits(insn, 25, 20))
        if (hi6 === 0x10) return set(d, Op.SRAI, pack(rd, rs1, 0), bits(insn, 25, 20))
        return illegal(d, insn)
      }
      return set(d, OPIMM[f3]!, pack(rd, rs1, 0), immI)
    }
    case 0x1b: {
      if (f3 === 0) return set(d, Op.ADDIW, pack(rd, rs1, 0), immI)
      if (f3 === 1 && f7 === 0) return set(d, Op.SLLIW, pack(rd, rs1, 0), rs2)
      if (f3 === 5 && f7 === 0) return set(d, Op.SRLIW, pack(rd, rs1, 0), rs2)
      if (f3 === 5 && f7 === 0x20) return set(d, Op.SRAIW, pack(rd, rs1, 0), rs2)
      return illegal(d, insn)
    }
    case 0x33: {
      const r = pack(rd, rs1, rs2)
      if (f7 === 0) return set(d, OPREG[f3]!, r, 0)
      if (f7 === 1) return set(d, OPMUL[f3]!, r, 0)
      if (f7 === 0x20 && f3 === 0) return set(d, Op.SUB, r, 0)
      if (f7 === 0x20 && f3 === 5) return set(d, Op.SRA, r, 0)
      return illegal(d, insn)
    }
    case 0x3b: {
      const r = pack(rd, rs1, rs2)
      if (f7 === 0) {
        if (f3 === 0) return set(d, Op.ADDW, r, 0)
        if (f3 === 1) return set(d, Op.SLLW, r, 0)
        if (f3 === 5) return set(d, Op.SRLW, r, 0)
      } else if (f7 === 0x20) {
        if (f3 === 0) return set(d, Op.SUBW, r, 0)
        if (f3 === 5) return set(d, Op.SRAW, r, 0)
      } else if (f7 === 1 && OPMULW[f3]) return set(d, OPMULW[f3]!, r, 0)
      return illegal(d, insn)
    }
    case 0x0f:
      if (f3 === 0) return set(d, Op.FENCE, 0, 0)
      if (f3 === 1) return set(d, Op.FENCE_I, 0, 0)
      return illegal(d, insn)
    case 0x73:
      if (f3 === 4) {
        // hypervisor virtual-machine load/store (H extension §8.3)
        // funct7 0x30/0x32/0x34/0x36 are loads (by width), the odd ones stores
        if (f7 >= 0x30 && f7 <= 0x37) return set(d, Op.HLSV, pack(f7 & 1 ? 0 : rd, rs1, rs2), insn)
        return illegal(d, insn)
      }
      return set(d, Op.SYSTEM, pack(rd, rs1, rs2), insn)
    case 0x2f:
      if ((f3 === 2 || f3 === 3)) return set(d, Op.AMO, pack(rd, rs1, rs2), insn)
      return illegal(d, insn)
    case 0x07:
      if (f3 === 2) return set(d, Op.FLW, packF(rd, rs1, 0), immI)
      if (f3 === 3) return set(d, Op.FLD, packF(rd, rs1, 0), immI)
      return illegal(d, insn)
    case 0x27:
      if (f3 === 2) return set(d, Op.FSW, packF(0, rs1, rs2), immS)
      if (f3 === 3) return set(d, Op.FSD, packF(0, rs1, rs2), immS)
      return illegal(d, insn)
    case 0x53: case 0x43: case 0x47: case 0x4b: case 0x4f:
      return set(d, Op.FP, 0, insn)
  }
  return illegal(d, insn)
}

/** Decode a 16-bit compressed instruction (C extension, RV64; spec chapter 16). */
export function decode16(c: number, d: Decoded): Decoded {
  const q = c & 3
  const f3 = c >>> 13
  const rdp = bits(c, 4, 2) + 8
  const rs1p = bits(c, 9, 7) + 8
  const rd = bits(c, 11, 7)
  const rs2 = bits(c, 6, 2)
  const imm6 = sext((bits(c, 12, 12) << 5) | bits(c, 6, 2), 6)
  if (q === 0) {
    switch (f3) {
      case 0: {
        const nz = (bits(c, 12, 11) << 4) | (bits(c, 10, 7) << 6) | (bits(c, 6, 6) << 2) | (bits(c, 5, 5) << 3)
        return nz ? set(d, Op.ADDI, pack(rdp, 2, 0), nz) : illegal(d, c)
      }
      case 1: return set(d, Op.FLD, packF(rdp, rs1p, 0), (bits(c, 12, 10) << 3) | (bits(c, 6, 5) << 6))
      case 2: return set(d, Op.LW, pack(rdp, rs1p, 0), (bits(c, 12, 10) << 3) | (bits(c, 6, 6) << 2) | (bits(c, 5, 5) << 6))
      case 3: return set(d, Op.LD, pack(rdp, rs1p, 0), (bits(c, 12, 10) << 3) | (bits(c, 6, 5) << 6))
      case 5: return set(d, Op.FSD, packF(0, rs1p, rdp), (bits(c, 12, 10) << 3) | (bits(c, 6, 5) << 6))
      case 6: return set(d, Op.SW, pack(0, rs1p, rdp), (bits(c, 12, 10) << 3) | (bits(c, 6, 6) << 2) | (bits(c, 5, 5) << 6))
      case 7: return set(d, Op.SD, pack(0, rs1p, rdp), (bits(c, 12, 10) << 3) | (bits(c, 6, 5) << 6))
    }
    return illegal(d, c)
  }
  if (q === 1) {
    switch (f3) {
      case 0: return set(d, Op.ADDI, pack(rd, rd, 0), imm6)
      case 1: return rd ? set(d, Op.ADDIW, pack(rd, rd, 0), imm6) : illegal(d, c)
      case 2: return set(d, Op.ADDI, pack(rd, 0, 0), imm6)
      case 3: {
        if (rd === 2) {
          const nz = sext((bits(c, 12, 12) << 9) | (bits(c, 6, 6) << 4) | (bits(c, 5, 5) << 6) | (bits(c, 4, 3) << 7) | (bits(c, 2, 2) << 5), 10)
          return nz ? set(d, Op.ADDI, pack(2, 2, 0), nz) : illegal(d, c)
        }
        const nz = imm6 << 12
        return nz ? set(d, Op.LUI, pack(rd, 0, 0), nz) : illegal(d, c)
      }
      case 4: {
        const f2 = bits(c, 11, 10)
        const shamt = (bits(c, 12, 12) << 5) | bits(c, 6, 2)
        if (f2 === 0) return set(d, Op.SRLI, pack(rs1p, rs1p, 0), shamt)
        if (f2 === 1) return set(d, Op.SRAI, pack(rs1p, rs1p, 0), shamt)
        if (f2 === 2) return set(d, Op.ANDI, pack(rs1p, rs1p, 0), imm6)
        const r = pack(rs1p, rs1p, rdp)
        const sel = bits(c, 6, 5)
        if (!bits(c, 12, 12)) return set(d, [Op.SUB, Op.XOR, Op.OR, Op.AND][sel]!, r, 0)
        if (sel === 0) return set(d, Op.SUBW, r, 0)
        if (sel === 1) return set(d, Op.ADDW, r, 0)
        return illegal(d, c)
      }
      case 5: {
        const imm = sext((bits(c, 12, 12) << 11) | (bits(c, 11, 11) << 4) | (bits(c, 10, 9) << 8) | (bits(c, 8, 8) << 10) |
          (bits(c, 7, 7) << 6) | (bits(c, 6, 6) << 7) | (bits(c, 5, 3) << 1) | (bits(c, 2, 2) << 5), 12)
        return set(d, Op.JAL, pack(0, 0, 0), imm)
      }
      case 6: case 7: {
        const imm = sext((bits(c, 12, 12) << 8) | (bits(c, 11, 10) << 3) | (bits(c, 6, 5) << 6) | (bits(c, 4, 3) << 1) | (bits(c, 2, 2) << 5), 9)
        return set(d, f3 === 6 ? Op.BEQ : Op.BNE, pack(0, rs1p, 0), imm)
      }
    }
  }
  if (q === 2) {
    switch (f3) {
      case 0: return set(d, Op.SLLI, pack(rd, rd, 0), (bits(c, 12, 12) << 5) | bits(c, 6, 2))
      case 1: return set(d, Op.FLD, packF(rd, 2, 0), (bits(c, 12, 12) << 5) | (bits(c, 6, 5) << 3) | (bits(c, 4, 2) << 6))
      case 2: return rd ? set(d, Op.LW, pack(rd, 2, 0), (bits(c, 12, 12) << 5) | (bits(c, 6, 4) << 2) | (bits(c, 3, 2) << 6)) : illegal(d, c)
      case 3: return rd ? set(d, Op.LD, pack(rd, 2, 0), (bits(c, 12, 12) << 5) | (bits(c, 6, 5) << 3) | (bits(c, 4, 2) << 6)) : illegal(d, c)
      case 4:
        if (!bits(c, 12, 12)) {
          if (rs2 === 0) return rd ? set(d, Op.JALR, pack(0, rd, 0), 0) : illegal(d, c)
          return set(d, Op.ADD, pack(rd, 0, rs2), 0)
        }
        if (rs2 === 0) {
          if (rd === 0) return set(d, Op.SYSTEM, 0, 0x00100073) // c.ebreak ≡ ebreak
          return set(d, Op.JALR, pack(1, rd, 0), 0)
        }
        return set(d, Op.ADD, pack(rd, rd, rs2), 0)
      case 5: return set(d, Op.FSD, packF(0, 2, rs2), (bits(c, 12, 10) << 3) | (bits(c, 9, 7) << 6))
      case 6: return set(d, Op.SW, pack(0, 2, rs2), (bits(c, 12, 9) << 2) | (bits(c, 8, 7) << 6))
      case 7: return set(d, Op.SD, pack(0, 2, rs2), (bits(c, 12, 10) << 3) | (bits(c, 9, 7) << 6))
    }
  }
  return illegal(d, c)
}
