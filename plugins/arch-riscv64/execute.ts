/**
 * The hot path (STYLE §6): decoding and the execute loop, in one file so the operation codes
 * below are a same-file `const enum` — esbuild (tsx, vitest) inlines them as literals, and the
 * loop's switch becomes a jump table. Imported elsewhere, `Op` is an ordinary object: fine for
 * slow paths. Decoder: unprivileged spec 20191213 chapters 2, 5, 7, 8, 16 (C); privileged and
 * hypervisor instructions decode to SYSTEM/HLSV and are interpreted from their raw bits.
 *
 * Registers are (lo, hi) int32 pairs in an Int32Array; loads and stores hit the per-hart TLB,
 * which maps virtual pages straight to arena offsets. Everything rare — TLB misses, MMIO, CSRs,
 * traps, atomics, FP — is in other files (memory.ts, system.ts).
 */
import type { RiscvHart } from './hart.ts'
import { div32, div64, mulh64, mulhsu64, mulhu32, mulhu64 } from './int64.ts'
import * as mem from './memory.ts'
import * as sys from './system.ts'
import { HOT, MAX_BLOCK, translateRegion, type BlockFn } from './wasm-tier.ts'

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
 * of the page, so a page's slots are 4096 int32s.
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

/**
 * The execute loop: up to `max` instructions, leaving early when `brk` is raised by a slow path
 * (trap, CSR side effect, wfi, MMIO that stops the machine). Accumulates into `elapsed`.
 */
export function exec(h: RiscvHart, max: number): void {
  const x = h.x, u8 = h.u8, u16 = h.u16, i32 = h.i32
  const rT = h.tlb.r, wT = h.tlb.w
  const sb = h.stateBase, next = h.next
  const end = h.elapsed + max // h.elapsed at any point = end - left
  let pcLo = h.pcLo | 0, pcHi = h.pcHi | 0
  let fTag = 1 // never page-aligned: forces a fetch-page lookup first
  let dec: Int32Array = EMPTY
  let blk: (BlockFn | null)[] = NO_BLOCKS
  let heat: Uint16Array = h.curHeat
  const jit = h.translate
  let left = max
  loop: while (left > 0) {
    if ((pcLo & -4096) !== fTag) {
      h.pcLo = pcLo; h.pcHi = pcHi; h.elapsed = end - left
      const p = mem.fetchPage(h)
      if (p === null) { pcLo = h.pcLo; pcHi = h.pcHi; left--; if (h.brk) break; continue }
      dec = p
      blk = h.curBlocks
      heat = h.curHeat
      fTag = pcLo & -4096
    }
    const e = pcLo & 4095 // byte offset = halfword index × 2 = slot index
    if (jit) {
      const bf = blk[e]
      if (bf) {
        // translated code, when the window has room for a whole block (keeps counts exact)
        if (left > MAX_BLOCK) {
          left -= bf(sb, pcLo, pcHi, end - left, left)
          pcLo = next[0]!
          if (next[1] !== pcHi) { pcHi = next[1]!; fTag = 1 }
          if (h.brk) break
          continue
        }
      } else if (bf === undefined && left > MAX_BLOCK && ++heat[e] === HOT) {
        // The region's function serves every block of it that has none yet, starting now: the
        // instructions after this one got hot together with it, and stepping on through them
        // would make each the entry of a region of its own. (Nor do visits in a window's last
        // MAX_BLOCK instructions count, where translated code cannot run: the same effect.)
        const r = translateRegion(h, dec, heat, h.fetchOff, e)
        if (r === null) blk[e] = null
        else {
          for (const s of r.starts) blk[s] ??= r.fn
          continue
        }
      }
    }
    let w = dec[e]!, imm: number
    if (w !== 0) imm = dec[e + 1]!
    else {
      h.pcLo = pcLo; h.pcHi = pcHi; h.elapsed = end - left
      w = mem.decodeAt(h, dec, e)
      if (w === 0) { pcLo = h.pcLo; pcHi = h.pcHi; left--; if (h.brk) break; continue } // fetch fault
      imm = h.d.imm
    }
    const op = w & 127
    const len = 4 - ((w >> 6) & 2)
    left--
    const rd = (w >>> 8) & 127, r1 = (w >>> 15) & 127, r2 = (w >>> 22) & 127
    switch (op) {
      case Op.LUI: x[rd] = imm; x[rd + 1] = imm >> 31; break
      case Op.AUIPC: {
        const lo = (pcLo + imm) | 0
        x[rd + 1] = (pcHi + (imm >> 31) + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0
        x[rd] = lo
        break
      }
      case Op.JAL: {
        const lo = (pcLo + imm) | 0
        const hi = (pcHi + (imm >> 31) + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0
        const ll = (pcLo + len) | 0
        x[rd + 1] = (pcHi + ((ll >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0
        x[rd] = ll
        if (hi !== pcHi) { pcHi = hi; fTag = 1 }
        pcLo = lo
        continue
      }
      case Op.JALR: {
        const a = x[r1]!
        const lo = ((a + imm) | 0) & ~1
        const hi = (x[r1 + 1]! + (imm >> 31) + ((((a + imm) | 0) >>> 0) < (a >>> 0) ? 1 : 0)) | 0
        const ll = (pcLo + len) | 0
        x[rd + 1] = (pcHi + ((ll >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0
        x[rd] = ll
        if (hi !== pcHi) { pcHi = hi; fTag = 1 }
        pcLo = lo
        continue
      }
      case Op.BEQ: if (x[r1] === x[r2] && x[r1 + 1] === x[r2 + 1]) { const lo = (pcLo + imm) | 0; const hi = (pcHi + (imm >> 31) + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0; if (hi !== pcHi) { pcHi = hi; fTag = 1 } pcLo = lo; continue } break
      case Op.BNE: if (x[r1] !== x[r2] || x[r1 + 1] !== x[r2 + 1]) { const lo = (pcLo + imm) | 0; const hi = (pcHi + (imm >> 31) + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0; if (hi !== pcHi) { pcHi = hi; fTag = 1 } pcLo = lo; continue } break
      case Op.BLT: { const ah = x[r1 + 1]!, bh = x[r2 + 1]!; if (ah < bh || (ah === bh && (x[r1]! >>> 0) < (x[r2]! >>> 0))) { const lo = (pcLo + imm) | 0; const hi = (pcHi + (imm >> 31) + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0; if (hi !== pcHi) { pcHi = hi; fTag = 1 } pcLo = lo; continue } break }
      case Op.BGE: { const ah = x[r1 + 1]!, bh = x[r2 + 1]!; if (ah > bh || (ah === bh && (x[r1]! >>> 0) >= (x[r2]! >>> 0))) { const lo = (pcLo + imm) | 0; const hi = (pcHi + (imm >> 31) + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0; if (hi !== pcHi) { pcHi = hi; fTag = 1 } pcLo = lo; continue } break }
      case Op.BLTU: { const ah = x[r1 + 1]! >>> 0, bh = x[r2 + 1]! >>> 0; if (ah < bh || (ah === bh && (x[r1]! >>> 0) < (x[r2]! >>> 0))) { const lo = (pcLo + imm) | 0; const hi = (pcHi + (imm >> 31) + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0; if (hi !== pcHi) { pcHi = hi; fTag = 1 } pcLo = lo; continue } break }
      case Op.BGEU: { const ah = x[r1 + 1]! >>> 0, bh = x[r2 + 1]! >>> 0; if (ah > bh || (ah === bh && (x[r1]! >>> 0) >= (x[r2]! >>> 0))) { const lo = (pcLo + imm) | 0; const hi = (pcHi + (imm >> 31) + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0; if (hi !== pcHi) { pcHi = hi; fTag = 1 } pcLo = lo; continue } break }

      // ---- loads and stores: a TLB hit, naturally aligned, goes straight to the arena ----
      case Op.LB: {
        const a = x[r1]!
        const lo = (a + imm) | 0
        const hi = (x[r1 + 1]! + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0
        const ti = ((lo >>> 12) & 255) << 2
        if (rT[ti] === (lo & -4096) && rT[ti + 1] === hi) {
          const o = rT[ti + 2]! + (lo & 4095)
          const v = (u8[o]! << 24) >> 24; x[rd] = v
          x[rd + 1] = v >> 31
        } else if (!loadMiss(h, lo, hi, 1, true, rd, pcLo, pcHi, end - left)) { pcLo = h.pcLo; pcHi = h.pcHi; if (h.brk) break loop; fTag = 1; continue }
        else if (h.brk) { pcLo = (pcLo + len) | 0; break loop }
        break
      }
      case Op.LBU: {
        const a = x[r1]!
        const lo = (a + imm) | 0
        const hi = (x[r1 + 1]! + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0
        const ti = ((lo >>> 12) & 255) << 2
        if (rT[ti] === (lo & -4096) && rT[ti + 1] === hi) {
          const o = rT[ti + 2]! + (lo & 4095)
          x[rd] = u8[o]!
          x[rd + 1] = 0
        } else if (!loadMiss(h, lo, hi, 1, false, rd, pcLo, pcHi, end - left)) { pcLo = h.pcLo; pcHi = h.pcHi; if (h.brk) break loop; fTag = 1; continue }
        else if (h.brk) { pcLo = (pcLo + len) | 0; break loop }
        break
      }
      case Op.LH: {
        const a = x[r1]!
        const lo = (a + imm) | 0
        const hi = (x[r1 + 1]! + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0
        const ti = ((lo >>> 12) & 255) << 2
        if (rT[ti] === (lo & -4096) && rT[ti + 1] === hi && (lo & 1) === 0) {
          const o = rT[ti + 2]! + (lo & 4095)
          const v = (u16[o >> 1]! << 16) >> 16; x[rd] = v
          x[rd + 1] = v >> 31
        } else if (!loadMiss(h, lo, hi, 2, true, rd, pcLo, pcHi, end - left)) { pcLo = h.pcLo; pcHi = h.pcHi; if (h.brk) break loop; fTag = 1; continue }
        else if (h.brk) { pcLo = (pcLo + len) | 0; break loop }
        break
      }
      case Op.LHU: {
        const a = x[r1]!
        const lo = (a + imm) | 0
        const hi = (x[r1 + 1]! + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0
        const ti = ((lo >>> 12) & 255) << 2
        if (rT[ti] === (lo & -4096) && rT[ti + 1] === hi && (lo & 1) === 0) {
          const o = rT[ti + 2]! + (lo & 4095)
          x[rd] = u16[o >> 1]!
          x[rd + 1] = 0
        } else if (!loadMiss(h, lo, hi, 2, false, rd, pcLo, pcHi, end - left)) { pcLo = h.pcLo; pcHi = h.pcHi; if (h.brk) break loop; fTag = 1; continue }
        else if (h.brk) { pcLo = (pcLo + len) | 0; break loop }
        break
      }
      case Op.LW: {
        const a = x[r1]!
        const lo = (a + imm) | 0
        const hi = (x[r1 + 1]! + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0
        const ti = ((lo >>> 12) & 255) << 2
        if (rT[ti] === (lo & -4096) && rT[ti + 1] === hi && (lo & 3) === 0) {
          const o = rT[ti + 2]! + (lo & 4095)
          const v = i32[o >> 2]!; x[rd] = v
          x[rd + 1] = v >> 31
        } else if (!loadMiss(h, lo, hi, 4, true, rd, pcLo, pcHi, end - left)) { pcLo = h.pcLo; pcHi = h.pcHi; if (h.brk) break loop; fTag = 1; continue }
        else if (h.brk) { pcLo = (pcLo + len) | 0; break loop }
        break
      }
      case Op.LWU: {
        const a = x[r1]!
        const lo = (a + imm) | 0
        const hi = (x[r1 + 1]! + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0
        const ti = ((lo >>> 12) & 255) << 2
        if (rT[ti] === (lo & -4096) && rT[ti + 1] === hi && (lo & 3) === 0) {
          const o = rT[ti + 2]! + (lo & 4095)
          x[rd] = i32[o >> 2]!
          x[rd + 1] = 0
        } else if (!loadMiss(h, lo, hi, 4, false, rd, pcLo, pcHi, end - left)) { pcLo = h.pcLo; pcHi = h.pcHi; if (h.brk) break loop; fTag = 1; continue }
        else if (h.brk) { pcLo = (pcLo + len) | 0; break loop }
        break
      }
      case Op.LD: {
        const a = x[r1]!
        const lo = (a + imm) | 0
        const hi = (x[r1 + 1]! + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0
        const ti = ((lo >>> 12) & 255) << 2
        if (rT[ti] === (lo & -4096) && rT[ti + 1] === hi && (lo & 7) === 0) {
          const o = rT[ti + 2]! + (lo & 4095)
          x[rd] = i32[o >> 2]!
          x[rd + 1] = i32[(o >> 2) + 1]!
        } else if (!loadMiss(h, lo, hi, 8, false, rd, pcLo, pcHi, end - left)) { pcLo = h.pcLo; pcHi = h.pcHi; if (h.brk) break loop; fTag = 1; continue }
        else if (h.brk) { pcLo = (pcLo + len) | 0; break loop }
        break
      }
      case Op.SB: {
        const a = x[r1]!
        const lo = (a + imm) | 0
        const hi = (x[r1 + 1]! + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0
        const ti = ((lo >>> 12) & 255) << 2
        if (wT[ti] === (lo & -4096) && wT[ti + 1] === hi) {
          const o = wT[ti + 2]! + (lo & 4095)
          u8[o] = x[r2]!
        } else if (!storeMiss(h, lo, hi, 1, x[r2]!, x[r2 + 1]!, pcLo, pcHi, end - left)) { pcLo = h.pcLo; pcHi = h.pcHi; if (h.brk) break loop; fTag = 1; continue }
        else if (h.brk) { pcLo = (pcLo + len) | 0; break loop }
        break
      }
      case Op.SH: {
        const a = x[r1]!
        const lo = (a + imm) | 0
        const hi = (x[r1 + 1]! + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0
        const ti = ((lo >>> 12) & 255) << 2
        if (wT[ti] === (lo & -4096) && wT[ti + 1] === hi && (lo & 1) === 0) {
          const o = wT[ti + 2]! + (lo & 4095)
          u16[o >> 1] = x[r2]!
        } else if (!storeMiss(h, lo, hi, 2, x[r2]!, x[r2 + 1]!, pcLo, pcHi, end - left)) { pcLo = h.pcLo; pcHi = h.pcHi; if (h.brk) break loop; fTag = 1; continue }
        else if (h.brk) { pcLo = (pcLo + len) | 0; break loop }
        break
      }
      case Op.SW: {
        const a = x[r1]!
        const lo = (a + imm) | 0
        const hi = (x[r1 + 1]! + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0
        const ti = ((lo >>> 12) & 255) << 2
        if (wT[ti] === (lo & -4096) && wT[ti + 1] === hi && (lo & 3) === 0) {
          const o = wT[ti + 2]! + (lo & 4095)
          i32[o >> 2] = x[r2]!
        } else if (!storeMiss(h, lo, hi, 4, x[r2]!, x[r2 + 1]!, pcLo, pcHi, end - left)) { pcLo = h.pcLo; pcHi = h.pcHi; if (h.brk) break loop; fTag = 1; continue }
        else if (h.brk) { pcLo = (pcLo + len) | 0; break loop }
        break
      }
      case Op.SD: {
        const a = x[r1]!
        const lo = (a + imm) | 0
        const hi = (x[r1 + 1]! + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0
        const ti = ((lo >>> 12) & 255) << 2
        if (wT[ti] === (lo & -4096) && wT[ti + 1] === hi && (lo & 7) === 0) {
          const o = wT[ti + 2]! + (lo & 4095)
          i32[o >> 2] = x[r2]!; i32[(o >> 2) + 1] = x[r2 + 1]!
        } else if (!storeMiss(h, lo, hi, 8, x[r2]!, x[r2 + 1]!, pcLo, pcHi, end - left)) { pcLo = h.pcLo; pcHi = h.pcHi; if (h.brk) break loop; fTag = 1; continue }
        else if (h.brk) { pcLo = (pcLo + len) | 0; break loop }
        break
      }

      // ---- integer register-immediate ----
      case Op.ADDI: { const a = x[r1]!; const lo = (a + imm) | 0; x[rd + 1] = (x[r1 + 1]! + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0; x[rd] = lo; break }
      case Op.SLTI: { const ah = x[r1 + 1]!, bh = imm >> 31; x[rd] = ah < bh || (ah === bh && (x[r1]! >>> 0) < (imm >>> 0)) ? 1 : 0; x[rd + 1] = 0; break }
      case Op.SLTIU: { const ah = x[r1 + 1]! >>> 0, bh = (imm >> 31) >>> 0; x[rd] = ah < bh || (ah === bh && (x[r1]! >>> 0) < (imm >>> 0)) ? 1 : 0; x[rd + 1] = 0; break }
      case Op.XORI: x[rd + 1] = x[r1 + 1]! ^ (imm >> 31); x[rd] = x[r1]! ^ imm; break
      case Op.ORI: x[rd + 1] = x[r1 + 1]! | (imm >> 31); x[rd] = x[r1]! | imm; break
      case Op.ANDI: x[rd + 1] = x[r1 + 1]! & (imm >> 31); x[rd] = x[r1]! & imm; break
      case Op.SLLI: shl(x, rd, x[r1]!, x[r1 + 1]!, imm); break
      case Op.SRLI: shr(x, rd, x[r1]!, x[r1 + 1]!, imm); break
      case Op.SRAI: sra(x, rd, x[r1]!, x[r1 + 1]!, imm); break

      // ---- integer register-register ----
      case Op.ADD: { const a = x[r1]!; const lo = (a + x[r2]!) | 0; x[rd + 1] = (x[r1 + 1]! + x[r2 + 1]! + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0; x[rd] = lo; break }
      case Op.SUB: { const a = x[r1]!, b = x[r2]!; x[rd + 1] = (x[r1 + 1]! - x[r2 + 1]! - ((a >>> 0) < (b >>> 0) ? 1 : 0)) | 0; x[rd] = (a - b) | 0; break }
      case Op.SLL: shl(x, rd, x[r1]!, x[r1 + 1]!, x[r2]! & 63); break
      case Op.SRL: shr(x, rd, x[r1]!, x[r1 + 1]!, x[r2]! & 63); break
      case Op.SRA: sra(x, rd, x[r1]!, x[r1 + 1]!, x[r2]! & 63); break
      case Op.SLT: { const ah = x[r1 + 1]!, bh = x[r2 + 1]!; x[rd] = ah < bh || (ah === bh && (x[r1]! >>> 0) < (x[r2]! >>> 0)) ? 1 : 0; x[rd + 1] = 0; break }
      case Op.SLTU: { const ah = x[r1 + 1]! >>> 0, bh = x[r2 + 1]! >>> 0; x[rd] = ah < bh || (ah === bh && (x[r1]! >>> 0) < (x[r2]! >>> 0)) ? 1 : 0; x[rd + 1] = 0; break }
      case Op.XOR: x[rd + 1] = x[r1 + 1]! ^ x[r2 + 1]!; x[rd] = x[r1]! ^ x[r2]!; break
      case Op.OR: x[rd + 1] = x[r1 + 1]! | x[r2 + 1]!; x[rd] = x[r1]! | x[r2]!; break
      case Op.AND: x[rd + 1] = x[r1 + 1]! & x[r2 + 1]!; x[rd] = x[r1]! & x[r2]!; break

      // ---- 32-bit W forms: result sign-extended ----
      case Op.ADDIW: { const v = (x[r1]! + imm) | 0; x[rd] = v; x[rd + 1] = v >> 31; break }
      case Op.SLLIW: { const v = x[r1]! << imm; x[rd] = v; x[rd + 1] = v >> 31; break }
      case Op.SRLIW: { const v = (x[r1]! >>> imm) | 0; x[rd] = v; x[rd + 1] = v >> 31; break }
      case Op.SRAIW: { const v = x[r1]! >> imm; x[rd] = v; x[rd + 1] = v >> 31; break }
      case Op.ADDW: { const v = (x[r1]! + x[r2]!) | 0; x[rd] = v; x[rd + 1] = v >> 31; break }
      case Op.SUBW: { const v = (x[r1]! - x[r2]!) | 0; x[rd] = v; x[rd + 1] = v >> 31; break }
      case Op.SLLW: { const v = x[r1]! << (x[r2]! & 31); x[rd] = v; x[rd + 1] = v >> 31; break }
      case Op.SRLW: { const v = (x[r1]! >>> (x[r2]! & 31)) | 0; x[rd] = v; x[rd + 1] = v >> 31; break }
      case Op.SRAW: { const v = x[r1]! >> (x[r2]! & 31); x[rd] = v; x[rd + 1] = v >> 31; break }

      // ---- M ----
      case Op.MUL: {
        const a = x[r1]!, b = x[r2]!
        const hi = (mulhu32(a, b) + Math.imul(a, x[r2 + 1]!) + Math.imul(x[r1 + 1]!, b)) | 0
        x[rd] = Math.imul(a, b)
        x[rd + 1] = hi
        break
      }
      case Op.MULH: mulh64(h.r64, x[r1]!, x[r1 + 1]!, x[r2]!, x[r2 + 1]!); x[rd] = h.r64[0]!; x[rd + 1] = h.r64[1]!; break
      case Op.MULHSU: mulhsu64(h.r64, x[r1]!, x[r1 + 1]!, x[r2]!, x[r2 + 1]!); x[rd] = h.r64[0]!; x[rd + 1] = h.r64[1]!; break
      case Op.MULHU: mulhu64(h.r64, x[r1]!, x[r1 + 1]!, x[r2]!, x[r2 + 1]!); x[rd] = h.r64[0]!; x[rd + 1] = h.r64[1]!; break
      case Op.DIV: div64(h.r64, x[r1]!, x[r1 + 1]!, x[r2]!, x[r2 + 1]!, true, false); x[rd] = h.r64[0]!; x[rd + 1] = h.r64[1]!; break
      case Op.DIVU: div64(h.r64, x[r1]!, x[r1 + 1]!, x[r2]!, x[r2 + 1]!, false, false); x[rd] = h.r64[0]!; x[rd + 1] = h.r64[1]!; break
      case Op.REM: div64(h.r64, x[r1]!, x[r1 + 1]!, x[r2]!, x[r2 + 1]!, true, true); x[rd] = h.r64[0]!; x[rd + 1] = h.r64[1]!; break
      case Op.REMU: div64(h.r64, x[r1]!, x[r1 + 1]!, x[r2]!, x[r2 + 1]!, false, true); x[rd] = h.r64[0]!; x[rd + 1] = h.r64[1]!; break
      case Op.MULW: { const v = Math.imul(x[r1]!, x[r2]!); x[rd] = v; x[rd + 1] = v >> 31; break }
      case Op.DIVW: div32(h.r64, x[r1]!, x[r2]!, true, false); x[rd] = h.r64[0]!; x[rd + 1] = h.r64[1]!; break
      case Op.DIVUW: div32(h.r64, x[r1]!, x[r2]!, false, false); x[rd] = h.r64[0]!; x[rd + 1] = h.r64[1]!; break
      case Op.REMW: div32(h.r64, x[r1]!, x[r2]!, true, true); x[rd] = h.r64[0]!; x[rd + 1] = h.r64[1]!; break
      case Op.REMUW: div32(h.r64, x[r1]!, x[r2]!, false, true); x[rd] = h.r64[0]!; x[rd + 1] = h.r64[1]!; break

      case Op.FENCE: break
      case Op.FENCE_I: break // stores already invalidate decoded pages (see memory.ts)

      default: {
        // rare instructions: CSRs, traps, xRET, WFI, fences, atomics, FP, hypervisor loads/stores, illegal
        h.pcLo = pcLo; h.pcHi = pcHi; h.elapsed = end - left
        h.dLen = len
        const advanced = sys.execRare(h, op, w >>> 8, imm, len)
        pcLo = h.pcLo; pcHi = h.pcHi
        if (h.brk) break loop
        if (!advanced) fTag = 1
        continue
      }
    }
    pcLo = (pcLo + len) | 0
  }
  h.pcLo = pcLo
  h.pcHi = pcHi
  h.elapsed = end - left
}

const EMPTY = new Int32Array(4096)
const NO_BLOCKS: (BlockFn | null)[] = []
/** TLB miss, misaligned or MMIO load: save the loop's state and take the slow path. */
function loadMiss(h: RiscvHart, lo: number, hi: number, size: number, signed: boolean, rd: number, pcLo: number, pcHi: number, elapsed: number): boolean {
  h.pcLo = pcLo; h.pcHi = pcHi; h.elapsed = elapsed
  return mem.loadSlow(h, lo, hi, size, signed, rd)
}

function storeMiss(h: RiscvHart, lo: number, hi: number, size: number, vLo: number, vHi: number, pcLo: number, pcHi: number, elapsed: number): boolean {
  h.pcLo = pcLo; h.pcHi = pcHi; h.elapsed = elapsed
  return mem.storeSlow(h, lo, hi, size, vLo, vHi)
}

function shl(x: Int32Array, rd: number, lo: number, hi: number, s: number): void {
  if (s === 0) { x[rd] = lo; x[rd + 1] = hi }
  else if (s < 32) { x[rd + 1] = (hi << s) | (lo >>> (32 - s)); x[rd] = lo << s }
  else { x[rd + 1] = lo << (s - 32); x[rd] = 0 }
}
function shr(x: Int32Array, rd: number, lo: number, hi: number, s: number): void {
  if (s === 0) { x[rd] = lo; x[rd + 1] = hi }
  else if (s < 32) { x[rd] = (lo >>> s) | (hi << (32 - s)); x[rd + 1] = hi >>> s }
  else { x[rd] = hi >>> (s - 32); x[rd + 1] = 0 }
}
function sra(x: Int32Array, rd: number, lo: number, hi: number, s: number): void {
  if (s === 0) { x[rd] = lo; x[rd + 1] = hi }
  else if (s < 32) { x[rd] = (lo >>> s) | (hi << (32 - s)); x[rd + 1] = hi >> s }
  else { x[rd] = hi >> (s - 32); x[rd + 1] = hi >> 31 }
}

