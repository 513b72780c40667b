/**
 * The hot path (STYLE §6): the execute loop over pre-decoded slots (decode.ts). Registers are
 * (lo, hi) int32 pairs in an Int32Array; loads and stores hit the per-hart TLB, which maps
 * virtual pages straight to arena offsets. Everything rare — TLB misses, MMIO, CSRs, traps,
 * atomics, FP — is in other files (memory.ts, system.ts).
 */
import type { RiscvHart } from './hart.ts'
import type * as decoded from './decode.ts'
import { mulh64, mulhsu64, mulhu32, mulhu64 } from '../../core/cpu/int64.ts'
import { div32, div64 } from './div.ts'
// named imports, not namespaces: a property load on a module namespace object kept losing its
// feedback and deoptimised this loop again and again (22 times in one bench run)
import { decodeAt, fetchPage, loadSlow, storeSlow } from './memory.ts'
import { execRare } from './system.ts'
import { HOT, MAX_BLOCK, translatePage, type BlockFn } from './wasm-tier.ts'
import { noBlocks, SLOT_NO_REGION } from '../../core/cpu/code-cache.ts'

/**
 * decode.ts's `Op` again, as a same-file `const enum`: esbuild (tsx) inlines only those, as
 * literals, and a switch over literal cases compiles to a jump table (over `Op.X` read from
 * another module it is a chain of compares). decode.ts keeps the definition, so the modules this
 * loop calls need not import this one; `OP_IN_SYNC` stops tsc when the two differ.
 */
const enum Op {
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
  SYSTEM = 65,
  AMO = 66,
  FLW = 67, FLD = 68, FSW = 69, FSD = 70,
  FP = 71,
  HLSV = 72,
  ILLEGAL = 73,
}
type Values<E> = { [K in keyof E]: `${E[K] & number}` }
type Same<X, Y> = [X] extends [Y] ? ([Y] extends [X] ? true : false) : false
const OP_IN_SYNC: Same<Values<typeof Op>, Values<typeof decoded.Op>> = true

/**
 * The execute loop: up to `max` instructions, leaving early when `brk` is raised by a slow path
 * (trap, CSR side effect, wfi, MMIO that stops the machine). Accumulates into `elapsed`.
 */
export function exec(h: RiscvHart, max: number): void {
  const x = h.x, u8 = h.u8, u16 = h.u16, i32 = h.i32
  const rT = h.tlb.r, wT = h.tlb.w
  const sb = h.stateBase, next = h.next
  const end = (h.elapsed + max) | 0 // h.elapsed at any point = end - left
  let pcLo = h.pcLo, pcHi = h.pcHi
  let fTag = 1 // never page-aligned: forces a fetch-page lookup first
  // Look for translated code at the next instruction: only after a branch or a jump (which set
  // this), a region's exit, and at the start. One reached by falling through a plain instruction
  // cannot start a region of its own (wasm-tier-region.ts), and looking at every instruction cost
  // run-once code, whose pages' arrays stream through the host's caches, a third of its speed.
  let look = true
  let dec: Int32Array = EMPTY
  let blk: (BlockFn | null)[] = NO_BLOCKS
  let heat: Uint16Array = h.curHeat
  const jit = h.translate
  const stats = h.code.stats
  let left = max | 0
  loop: while (left > 0) {
    if ((pcLo & -4096) !== fTag) {
      h.pcLo = pcLo; h.pcHi = pcHi; h.elapsed = end - left
      const p = fetchPage(h)
      if (p === null) { pcLo = h.pcLo; pcHi = h.pcHi; left--; if (h.brk) break; continue }
      dec = p
      blk = h.curBlocks
      heat = h.curHeat
      fTag = pcLo & -4096
    }
    const e = pcLo & 4095 // byte offset = halfword index × 2 = slot index
    if (jit && look) {
      look = false
      // the slot's word says whether a region starts here (code-cache.ts SLOT_REGION), or none can
      const ew = dec[e]!
      if (ew < 0) {
        const bf = blk[e]!
        // translated code; where other regions leave to this pc they may go on here directly next time
        if (h.fetchCached) h.tlb.jump(pcLo, pcHi, h.curIndex[e]!)
        const el = (end - left) | 0
        const now = bf(sb, pcLo, pcHi, el, left) | 0
        // nothing ran: the window has no room for the block here (a block runs whole or not at
        // all, which keeps counts exact), so the interpreter takes this instruction
        if (now !== el) {
          stats.ranTranslated += now - el
          stats.entries++
          left = (end - now) | 0
          look = true
          pcLo = next[0]!
          if (next[1] !== pcHi) { pcHi = next[1]!; fTag = 1 }
          if (h.brk) break
          continue
        }
      } else if ((ew & SLOT_NO_REGION) === 0 && left > MAX_BLOCK && ++heat[e] === HOT) {
        // The page's warm code is translated at once, starting now: the instructions after this
        // one got hot together with it, and stepping on through them would make each the entry
        // of a region of its own. (Nor do visits in a window's last MAX_BLOCK instructions count,
        // where a block may not fit and the interpreter runs them anyway: the same effect.)
        // (then looked up again: the page's region arrays may be new, code-cache.ts ownBlocks)
        if (translatePage(h, dec, heat, h.fetchOff, e)) { fTag = 1; look = true; continue }
      }
    }
    let w = dec[e]!, imm: number
    if (w !== 0) imm = dec[e + 1]!
    else {
      h.pcLo = pcLo; h.pcHi = pcHi; h.elapsed = end - left
      w = decodeAt(h, dec, e) | 0
      if (w === 0) { pcLo = h.pcLo; pcHi = h.pcHi; left--; if (h.brk) break; continue } // fetch fault
      imm = h.d.imm | 0
    }
    const op = w & 127
    const len = 4 - ((w >> 6) & 2)
    // the fall-through pc, computed here once: the rare exits below then need no arithmetic of their own, whose
    // sites would have no type feedback the first time one runs and deoptimise the loop
    const nextLo = (pcLo + len) | 0
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
        look = true
        const lo = (pcLo + imm) | 0
        const hi = (pcHi + (imm >> 31) + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0
        x[rd + 1] = (pcHi + ((nextLo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0
        x[rd] = nextLo
        if (hi !== pcHi) { pcHi = hi; fTag = 1 }
        pcLo = lo
        continue
      }
      case Op.JALR: {
        look = true
        const a = x[r1]!
        const lo = ((a + imm) | 0) & ~1
        const hi = (x[r1 + 1]! + (imm >> 31) + ((((a + imm) | 0) >>> 0) < (a >>> 0) ? 1 : 0)) | 0
        x[rd + 1] = (pcHi + ((nextLo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0
        x[rd] = nextLo
        if (hi !== pcHi) { pcHi = hi; fTag = 1 }
        pcLo = lo
        continue
      }
      case Op.BEQ: look = true; if (x[r1] === x[r2] && x[r1 + 1] === x[r2 + 1]) { const lo = (pcLo + imm) | 0; const hi = (pcHi + (imm >> 31) + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0; if (hi !== pcHi) { pcHi = hi; fTag = 1 } pcLo = lo; continue } break
      case Op.BNE: look = true; if (x[r1] !== x[r2] || x[r1 + 1] !== x[r2 + 1]) { const lo = (pcLo + imm) | 0; const hi = (pcHi + (imm >> 31) + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0; if (hi !== pcHi) { pcHi = hi; fTag = 1 } pcLo = lo; continue } break
      case Op.BLT: look = true; { const ah = x[r1 + 1]!, bh = x[r2 + 1]!; if (ah < bh || (ah === bh && (x[r1]! >>> 0) < (x[r2]! >>> 0))) { const lo = (pcLo + imm) | 0; const hi = (pcHi + (imm >> 31) + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0; if (hi !== pcHi) { pcHi = hi; fTag = 1 } pcLo = lo; continue } break }
      case Op.BGE: look = true; { const ah = x[r1 + 1]!, bh = x[r2 + 1]!; if (ah > bh || (ah === bh && (x[r1]! >>> 0) >= (x[r2]! >>> 0))) { const lo = (pcLo + imm) | 0; const hi = (pcHi + (imm >> 31) + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0; if (hi !== pcHi) { pcHi = hi; fTag = 1 } pcLo = lo; continue } break }
      case Op.BLTU: look = true; { const ah = x[r1 + 1]! >>> 0, bh = x[r2 + 1]! >>> 0; if (ah < bh || (ah === bh && (x[r1]! >>> 0) < (x[r2]! >>> 0))) { const lo = (pcLo + imm) | 0; const hi = (pcHi + (imm >> 31) + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0; if (hi !== pcHi) { pcHi = hi; fTag = 1 } pcLo = lo; continue } break }
      case Op.BGEU: look = true; { const ah = x[r1 + 1]! >>> 0, bh = x[r2 + 1]! >>> 0; if (ah > bh || (ah === bh && (x[r1]! >>> 0) >= (x[r2]! >>> 0))) { const lo = (pcLo + imm) | 0; const hi = (pcHi + (imm >> 31) + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0; if (hi !== pcHi) { pcHi = hi; fTag = 1 } pcLo = lo; continue } break }

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
        else if (h.brk) { pcLo = nextLo; break loop }
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
        else if (h.brk) { pcLo = nextLo; break loop }
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
        else if (h.brk) { pcLo = nextLo; break loop }
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
        else if (h.brk) { pcLo = nextLo; break loop }
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
        else if (h.brk) { pcLo = nextLo; break loop }
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
        else if (h.brk) { pcLo = nextLo; break loop }
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
        else if (h.brk) { pcLo = nextLo; break loop }
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
        else if (h.brk) { pcLo = nextLo; break loop }
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
        else if (h.brk) { pcLo = nextLo; break loop }
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
        else if (h.brk) { pcLo = nextLo; break loop }
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
        else if (h.brk) { pcLo = nextLo; break loop }
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
        // each sum truncated on its own: int32 adds, where one sum of three overflows and deoptimises
        const hi = (((mulhu32(a, b) + Math.imul(a, x[r2 + 1]!)) | 0) + Math.imul(x[r1 + 1]!, b)) | 0
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
        const advanced = execRare(h, op, w >>> 8, imm, len)
        pcLo = h.pcLo; pcHi = h.pcHi
        if (h.brk) break loop
        if (!advanced) fTag = 1
        continue
      }
    }
    pcLo = nextLo
  }
  h.pcLo = pcLo
  h.pcHi = pcHi
  h.elapsed = end - left
}

const EMPTY = new Int32Array(4096)
const NO_BLOCKS: (BlockFn | null)[] = noBlocks()
/** TLB miss, misaligned or MMIO load: save the loop's state and take the slow path. */
function loadMiss(h: RiscvHart, lo: number, hi: number, size: number, signed: boolean, rd: number, pcLo: number, pcHi: number, elapsed: number): boolean {
  h.pcLo = pcLo; h.pcHi = pcHi; h.elapsed = elapsed
  return loadSlow(h, lo, hi, size, signed, rd)
}

function storeMiss(h: RiscvHart, lo: number, hi: number, size: number, vLo: number, vHi: number, pcLo: number, pcHi: number, elapsed: number): boolean {
  h.pcLo = pcLo; h.pcHi = pcHi; h.elapsed = elapsed
  return storeSlow(h, lo, hi, size, vLo, vHi)
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

