/**
 * The translation tier: when a slot gets hot, the region of its page around it — the blocks
 * (straight-line integer code ending at a branch, a jump, a rare instruction or the page end)
 * that branches and jumps reach without leaving the page — becomes one WebAssembly function.
 * Its blocks are the cases of a dispatch loop, so a loop in the guest runs as a loop in the
 * function; guest registers are locals while it runs; TLBs are read where they live, in the
 * hart's state area in the arena (hart.ts). WebAssembly has the 64-bit integer operations
 * RISC-V needs (JavaScript only has 32-bit ones and doubles), and V8 compiles it at once with no
 * type feedback to gather and no deoptimisation to fear — why a tier of generated JavaScript,
 * tried first, warmed up slower and ran at less than half this speed.
 *
 * A region function is `(base, pcLo, pcHi, el, left) => el'`: hart state at arena offset
 * `base`, the virtual pc it is entered at (one of its block starts), `el` instructions of the
 * window already elapsed and `left` to go. It writes the next pc to the state's next-pc slot and
 * returns the window's instructions elapsed when it leaves (a faulting one included, as in the
 * interpreter). It starts a block only when the window has room for the whole block, so counts
 * and quanta stay exact; when the entry block does not fit it returns `el` at once and the
 * execute loop (execute.ts) interprets the window's end. Where it leaves to a pc another region
 * was entered at before (the jump cache, core/cpu/tlb.ts), it goes on into that region with a
 * tail call through the shared function table (core/cpu/code-cache.ts) — calls into other
 * pages, returns, jumps through tables — without coming back to JavaScript. Blocks are cases in
 * address order, so a forward branch is one `br`; only backward ones go round the `br_table`.
 * A load or store that misses the TLB goes to one shared slow-path case, which does the access
 * in the hart's JavaScript (memory.ts) and leaves the region after it: resuming in the block
 * would make every access a merge point the fast path pays for, and misses are rare once the TLB
 * has the page. Rare instructions (CSRs, FP, atomics, ecall) run through the same case and resume.
 * Semantics are those of the interpreter's cases: the guest test programs run under both, and
 * test/tier-fuzz.test.ts compares the two on random programs.
 *
 * This file is the tier's entry (translatePage) and the imports its functions get; which
 * blocks a region has is wasm-tier-region.ts, the WebAssembly they become wasm-tier-gen.ts.
 */
import type { MemoryBus } from '../../core/bus.ts'
import type { BlockFn } from '../../core/cpu/code-cache.ts'
import { encodeModule, I32, I64 } from '../../core/cpu/wasm-module.ts'
import type { RiscvHart } from './hart.ts'
import { Op } from './decode.ts'
import { ENDS, Gen, NOT_HANDLED, RARE } from './wasm-tier-gen.ts'
import { execRare } from './system.ts'
import { discover, isRare, MAX_BLOCK, scan, TRANSLATED, WARM, type Block } from './wasm-tier-region.ts'

export { HOT, MAX_BLOCK } from './wasm-tier-region.ts'
export { STATE } from './wasm-tier-gen.ts'

export type { BlockFn } from '../../core/cpu/code-cache.ts'

/** most instructions translated into one module (one page's worth of warm code, usually less) */
const MAX_MODULE = 2048
/** most instructions in one function (TurboFan's time grows faster than a function's size) */
const MAX_FUNC = 512

/**
 * Translate the code of a page that got hot at slot `e` of the decoded page `dec` (arena page
 * offset `pageOff`): the blocks reached from `e`, then those reached from each other slot of
 * the page that is warm and in no block yet, lowest address first — code near code that got hot
 * tends to get hot too, and one function (per MAX_FUNC instructions) of one module costs much
 * less to compile than a module per entry, each loading and storing the registers it uses. No
 * block another region starts at is taken (a region leaves there, and the jump cache goes on
 * into the other), so no code is translated twice; what a region covers counts as visited no
 * more. The regions go into the code cache (code-cache.ts); returns whether there are any — none
 * when the entry cannot start a block.
 */
export function translatePage(h: RiscvHart, dec: Int32Array, heat: Uint16Array, pageOff: number, e: number): boolean {
  const page = pageOff >>> 12
  if (h.rehearsal) { h.code.noRegion(page, e); return false } // warm-up.ts: the call is what counts
  const t0 = performance.now()
  const taken = new Set<number>()
  // read afresh: the page's region arrays are made on first need (code-cache.ts ownBlocks), so one
  // taken here at the start could be the shared empty one that `noRegion` below replaces
  const isDone = (o: number): boolean => h.code.blocks[page]![o] != null || taken.has(o)
  const funcs: Func[] = []
  const starts: number[][] = []
  let group: Block[] = []
  let inGroup = 0, total = 0
  // a cache model tracking lines: the regions look up line entries (their code cache is emptied when that changes)
  const lt = h.bus.lineTracking
  const lineShift = lt === null ? 0 : 31 - Math.clz32(lt.lineBytes)
  const close = (): void => {
    const f = group.length > 0 ? generate(dec, group, lineShift) : null
    if (f !== null) { funcs.push(f); starts.push(group.map((b) => b.start)) }
    group = []
    inGroup = 0
  }
  const tryAt = (at: number): boolean => {
    const blocks = discover(h, dec, heat, isDone, pageOff, at)
    if (blocks.length === 0) return false
    for (const b of blocks) {
      taken.add(b.start)
      for (let k = 0, o = b.start; k < b.n; k++) { heat[o] = 0; o += 4 - ((dec[o]! >> 6) & 2) }
      group.push(b)
      inGroup += b.n
      total += b.n
    }
    if (inGroup >= MAX_FUNC) close()
    return true
  }
  if (!tryAt(e)) { h.code.noRegion(page, e); return false }
  for (let o = 0; o < 4096 && total < MAX_MODULE; o += 2) {
    if (heat[o]! >= WARM && !isDone(o) && !tryAt(o)) h.code.noRegion(page, o)
  }
  close()
  const st = h.code.stats
  if (funcs.length === 0) { st.translateMs += performance.now() - t0; return false }
  const bytes = encodeModule({
    types: TYPES,
    imports: [{ name: 'slow', type: SLOW_TYPE }],
    table: true,
    funcs: funcs.map((f, i) => ({ type: BLOCK_TYPE, locals: f.locals, body: f.body, export: `r${i}` })),
  })
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), importsFor(h))
  starts.forEach((s, i) => h.code.addRegion(page, inst.exports[`r${i}`] as BlockFn, s))
  st.modules++; st.regions += funcs.length; st.translated += total; st.bytes += bytes.length
  st.translateMs += performance.now() - t0
  return true
}

/** Whether the block at `start` (n instructions) ends in a branch or jump to its own start and has no rare instruction (which would split it into cases). */
function selfLoop(dec: Int32Array, start: number, n: number): boolean {
  let off = start
  for (let k = 1; k <= n; k++) {
    const w = dec[off]!
    const op = w & 127
    if (isRare(op)) return false
    if (k === n) return ((op >= Op.BEQ && op <= Op.BGEU) || op === Op.JAL) && off + dec[off + 1]! === start
    off += 4 - ((w >> 6) & 2)
  }
  return false
}

interface Func { locals: { count: number; type: number }[]; body: Uint8Array }

/**
 * One region's function: its blocks are the cases of a dispatch loop, and a branch or jump to
 * another of its blocks continues there while the window allows, without returning to the
 * execute loop. Null when an instruction turns out not to be translatable.
 */
function generate(dec: Int32Array, blocks: Block[], lineShift: number): Func | null {
  // the dispatch cases: the blocks' (split after each rare instruction), then the indirect-jump dispatch and the slow path
  // in address order: compiled code's forward edges become forward edges between cases (toCase)
  blocks = [...blocks].sort((a, b) => a.start - b.start)
  const { firstCase, cases, used, written } = scan(dec, blocks)
  const g = new Gen(firstCase, new Map(blocks.map((b) => [b.start, b.n])), cases + 2, { used, written }, lineShift)
  for (let i = 0; i < blocks.length; i++) {
    g.beginCase()
    const { start, n } = blocks[i]!
    // a block that branches back to its own start (a copy, a scan, a checksum) runs in a loop of its own
    const self = selfLoop(dec, start, n)
    if (self) g.openLoop()
    let off = start
    let ended = false
    for (let k = 1; k <= n; k++) {
      const w = dec[off]!
      const op = w & 127, len = 4 - ((w >> 6) & 2)
      const rd = (w >>> 8) & 127, r1 = (w >>> 15) & 127, r2 = (w >>> 22) & 127
      const r = g.instruction(op, rd, r1, r2, dec[off + 1]!, off, len, k)
      // TRANSLATED and instruction() disagree: leave the region to the interpreter rather than skip an instruction
      if (r === NOT_HANDLED) return null
      ended = r === ENDS
      if (isRare(op)) g.beginCase() // where its slow path comes back to
      off += len
    }
    // ended by length or the page end: on to the next block; before a rare instruction: the interpreter
    if (!ended) {
      const w = off < 4096 ? dec[off]! : 0
      if (n === MAX_BLOCK || off >= 4096 || (w !== 0 && TRANSLATED.has(w & 127))) g.goTo(off, n)
      else g.exitTo(off, n)
    }
    if (self) g.closeLoop()
  }
  g.dispatch()
  g.slowPath()
  return { locals: [{ count: 7, type: I64 }, { count: 7, type: I32 }, { count: g.regCount, type: I64 }], body: g.body() }
}

const imports = new WeakMap<MemoryBus, WebAssembly.Imports>()

/** The imports of blocks on `bus`: its arena and the slow paths of the hart at a state base. */
function importsFor(h: RiscvHart): WebAssembly.Imports {
  let im = imports.get(h.bus)
  if (im) return im
  const harts = h.code.cpus as RiscvHart[]
  const byBase = (base: number): RiscvHart => harts.find((x) => x.stateBase === base)!
  /**
   * A load or store that missed the TLB (or is misaligned, MMIO, observed), or a rare
   * instruction: the registers are in the state area. Status 0 = trapped (the next pc is set), 1 = go on, 2 = go on but stop after.
   */
  const slow = (base: number, pcLo: number, pcHi: number, el: number, lo: number, hi: number, s: number): number => {
    const t = byBase(base)
    t.pcLo = pcLo; t.pcHi = pcHi; t.elapsed = el
    const size = 1 << ((s >>> 18) & 3), reg = (s >>> 23) & 127
    // a rare instruction (lo: its register fields, hi: its encoding, reg: its operation) runs as
    // the execute loop runs it; not advanced = it trapped or jumped (the pc is where it went)
    let ok: boolean
    if (s & RARE) {
      t.dLen = s & (1 << 22) ? 2 : 4
      ok = execRare(t, reg, lo, hi, t.dLen)
    } else if (s & (1 << 21)) ok = t.storeMiss(lo, hi, size, t.x[reg]!, t.x[reg + 1]!)
    else ok = t.loadMiss(lo, hi, size, (s & (1 << 20)) !== 0, reg)
    if (!ok) { t.next[0] = t.pcLo; t.next[1] = t.pcHi; return 0 }
    return t.brk ? 2 : 1
  }
  im = { h: { mem: h.bus.arena, tab: h.code.table, slow } }
  imports.set(h.bus, im)
  return im
}

const BLOCK_TYPE = 0, SLOW_TYPE = 1
const TYPES = [
  { params: [I32, I32, I32, I32, I32], results: [I32] },
  { params: [I32, I32, I32, I32, I32, I32, I32], results: [I32] },
]
