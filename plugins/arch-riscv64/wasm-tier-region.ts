/**
 * Which code the translation tier takes (wasm-tier.ts): a region is the blocks of one page that
 * branches and jumps reach from the slot that got hot, and `scan` finds what its function needs
 * — the guest registers it names and writes, and its dispatch cases. The WebAssembly itself is
 * written by wasm-tier-gen.ts.
 */
import { Op, SINK } from './decode.ts'
import type { RiscvHart } from './hart.ts'
import { decodeSlot } from './memory.ts'

/** Longest block, in instructions; the loop only enters a block with at least this much budget. */
export const MAX_BLOCK = 48
/**
 * Visits of a slot (by the interpreter) before the region there is translated. Translating costs
 * about as much as interpreting the block a thousand times (~0.3 ms of compile and generation per
 * region of a few dozen instructions), so code that runs fewer times is left to the interpreter.
 */
export const HOT = hotFromEnv(process.env.BAOBAB_HOT, 1000)

/** BAOBAB_HOT=N (1..65535, the range of the visit counters) sets HOT; tests use 1 to put every instruction through the tier. */
function hotFromEnv(v: string | undefined, dflt: number): number {
  const n = Number(v)
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : dflt
}

/** most instructions in one region (bounds compile time; V8 compiles each function on a background thread as it gets hot) */
const MAX_REGION = 512
/** visits (by the interpreter) of a block's first instruction before a region takes the block in */
export const WARM = HOT / 4

/** Slot `off` of `dec`, decoded now if the interpreter has not yet; 0 for an instruction straddling the page end. */
function slot(h: RiscvHart, dec: Int32Array, pageOff: number, off: number): number {
  return dec[off] || decodeSlot(h, dec, pageOff, off)
}

/**
 * The rare instructions translated code hands to the interpreter's own code (system.ts) through
 * its slow path, one at a time, with the registers in memory: CSRs (counters and `time`
 * included), ecall and the rest of SYSTEM, atomics, floating point, hypervisor loads and stores.
 * What they do to the machine — a trap, a mode or translation change, an interrupt enabled —
 * ends the region there, as it ends the interpreter's window.
 */
export const isRare = (op: number): boolean => op === Op.SYSTEM || op === Op.AMO || (op >= Op.FLW && op <= Op.HLSV)
const isMemoryStore = (op: number): boolean => op >= Op.SB && op <= Op.SD

/** The operations translated code executes (Gen.instruction() in wasm-tier-gen.ts handles each). */
export const TRANSLATED = new Set<number>([
  Op.LUI, Op.AUIPC, Op.JAL, Op.JALR, Op.BEQ, Op.BNE, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU,
  Op.LB, Op.LBU, Op.LH, Op.LHU, Op.LW, Op.LWU, Op.LD, Op.SB, Op.SH, Op.SW, Op.SD,
  Op.ADDI, Op.SLTI, Op.SLTIU, Op.XORI, Op.ORI, Op.ANDI, Op.SLLI, Op.SRLI, Op.SRAI,
  Op.ADD, Op.SUB, Op.SLL, Op.SRL, Op.SRA, Op.SLT, Op.SLTU, Op.XOR, Op.OR, Op.AND,
  Op.ADDIW, Op.SLLIW, Op.SRLIW, Op.SRAIW, Op.ADDW, Op.SUBW, Op.SLLW, Op.SRLW, Op.SRAW,
  Op.MUL, Op.MULW, Op.MULH, Op.MULHSU, Op.MULHU, Op.DIV, Op.DIVU, Op.REM, Op.REMU,
  Op.DIVW, Op.DIVUW, Op.REMW, Op.REMUW, Op.FENCE, Op.FENCE_I,
  Op.SYSTEM, Op.AMO, Op.FLW, Op.FLD, Op.FSW, Op.FSD, Op.FP, Op.HLSV,
])

/** A block of a region: where it starts and how many instructions it has. */
export interface Block { start: number; n: number }

/**
 * The blocks of the region entered at page offset `e`: the entry block, then (breadth first)
 * the blocks that branches and jumps reach without leaving the page, up to MAX_REGION
 * instructions — but none that another region of the page starts at (`done`): its code is translated once, and a jump there goes on into it through the
 * jump cache. A block ends at a branch or jump, before an instruction the tier leaves to the
 * interpreter, at the page end, or after MAX_BLOCK instructions.
 */
export function discover(h: RiscvHart, dec: Int32Array, heat: Uint16Array, done: (o: number) => boolean, pageOff: number, e: number): Block[] {
  const blocks: Block[] = []
  const seen = new Set<number>([e])
  const queue = [e]
  let total = 0
  const reach = (o: number): void => {
    if (o >= 0 && o < 4096 && !seen.has(o) && total < MAX_REGION && heat[o]! >= WARM && !done(o)) { seen.add(o); queue.push(o) }
  }
  while (queue.length > 0) {
    const start = queue.shift()!
    let off = start, n = 0
    for (;;) {
      if (n === MAX_BLOCK || off >= 4096) { reach(off); break }
      // another region starts here: this one leaves to it (and goes on there through the jump cache) rather than translating its code again
      if (n > 0 && done(off)) break
      const w = slot(h, dec, pageOff, off)
      const op = w & 127
      if (w === 0 || !TRANSLATED.has(op)) break
      const len = 4 - ((w >> 6) & 2)
      n++
      if (op >= Op.BEQ && op <= Op.BGEU) { reach(off + dec[off + 1]!); reach(off + len); break }
      // a call's return site is where execution comes back: a block of the region too
      const call = ((w >>> 8) & 127) !== SINK * 2
      if (op === Op.JAL) { reach(off + dec[off + 1]!); if (call) reach(off + len); break }
      if (op === Op.JALR) { if (call) reach(off + len); break }
      off += len
    }
    if (n > 0) { blocks.push({ start, n }); total += n }
  }
  return blocks
}

/**
 * One pass over a region's instructions: the guest registers they name (pre-scaled indices, x0
 * and the sink left out) and those some instruction writes — unused register fields decode as
 * 0, so every field of every instruction can be taken as named — and the dispatch cases: each
 * block's first case, the block being split after every rare instruction (its slow path resumes
 * there), and how many there are.
 */
export function scan(dec: Int32Array, blocks: Block[]): { used: number[]; written: number[]; firstCase: Map<number, number>; cases: number } {
  const used = new Set<number>(), written = new Set<number>()
  const firstCase = new Map<number, number>()
  let cases = 0
  for (const { start, n } of blocks) {
    firstCase.set(start, cases++)
    let off = start
    for (let k = 0; k < n; k++) {
      const w = dec[off]!
      const op = w & 127
      const rd = (w >>> 8) & 127, r1 = (w >>> 15) & 127, r2 = (w >>> 22) & 127
      if (r1 !== 0) used.add(r1)
      if (r2 !== 0) used.add(r2)
      const writes = !(op >= Op.BEQ && op <= Op.BGEU) && !isMemoryStore(op) && op !== Op.FENCE && op !== Op.FENCE_I
      if (writes && rd !== 0 && rd !== SINK * 2) { used.add(rd); written.add(rd) }
      if (isRare(op)) cases++
      off += 4 - ((w >> 6) & 2)
    }
  }
  return { used: [...used].sort((a, b) => a - b), written: [...written].sort((a, b) => a - b), firstCase, cases }
}
