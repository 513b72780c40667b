/**
 * The code generation of the translation tier (wasm-tier.ts): a region's blocks (found by
 * wasm-tier-region.ts) become the body of one WebAssembly function — a dispatch loop whose cases
 * are the blocks, guest registers in locals, loads and stores through the TLBs in the hart's
 * state area, a shared slow-path case into the hart's JavaScript. Semantics are those of the
 * interpreter's cases (execute.ts), instruction by instruction.
 */
import { Bytes, I32, I64, W } from '../../core/cpu/wasm-module.ts'
import { JUMP_GEN, JUMP_OFFSET, JUMP_SIZE, LINE_HITS, LINE_MARK } from '../../core/cpu/tlb.ts'
import { Op } from './decode.ts'

/** Offsets in a hart's state area (hart.ts lays it out; these are the ones blocks touch). */
export const STATE = {
  /** the next pc a block leaves: [lo, hi] */
  NEXT_PC: 400,
  /** the hart's pc: [lo, hi] (hart.ts; blocks take and leave it as arguments and NEXT_PC, not here) */
  PC: 408,
  /** fetch, load and store TLBs (core/cpu/tlb.ts): 256 entries each of [page lo, page hi, arena offset, addend] */
  TLB_F: 36864,
  TLB_R: 36864 + 4096,
  TLB_W: 36864 + 8192,
  /** the jump cache (core/cpu/tlb.ts): virtual pc → table index of the region entered there */
  JUMP: 36864 + JUMP_OFFSET,
  /** the jump cache's current generation: entries of another do not count */
  JUMP_GEN: 36864 + JUMP_GEN,
  /** accesses served through line entries, for the cache model (core/cpu/tlb.ts) */
  LINE_HITS: 36864 + LINE_HITS,
} as const

/** the region function's one import (wasm-tier.ts): the slow path */
const SLOW = 0

// locals: params 0..4, then i64 5..11, then i32 12..18, then one i64 per guest register used
const BASE = 0, PCLO = 1, PCHI = 2, EL = 3, LEFT = 4
const PC = 5, A = 6, V = 7, P = 8, Q = 9, R = 10, NEXT = 11
const T = 12, S = 13, N = 14, AT = 15, PCLO0 = 16, SITE = 17, RESUME = 18
const REG0 = 19

/**
 * A memory access's slow path, as one int32 (the SITE local): the instruction's page offset
 * (bits 0-11), its count in the block (12-17), log2 of the size (18-19), signed (20), a store (21),
 * a 2-byte instruction (22), and the register — rd of a load, rs2 of a store — pre-scaled (23-29).
 * A rare instruction's (RARE, bit 30) has its operation in 23-29; its register fields and
 * encoding go to the slow path in A.
 */
const site = (off: number, count: number, size: number, signed: boolean, store: boolean, len: number, reg: number): number =>
  off | (count << 12) | (Math.log2(size) << 18) | (signed ? 1 << 20 : 0) | (store ? 1 << 21 : 0) | (len === 2 ? 1 << 22 : 0) | (reg << 23)

export const RARE = 1 << 30

export const GOES_ON = 0, ENDS = 1, NOT_HANDLED = 2
type Emitted = typeof GOES_ON | typeof ENDS | typeof NOT_HANDLED

const MIN_LO = 0, MIN_HI = -0x80000000

/**
 * The code of one region: a loop around a `br_table` on the block number (AT), with block i's
 * code after the i-th nested `block` — the usual shape of a switch in WebAssembly. N counts the
 * instructions done; PC and PCLO hold the page's base address.
 */
export class Gen {
  private readonly b = new Bytes()
  /** the case being written, and the constructs opened inside it (for branch depths) */
  private current = -1
  private depth = 0
  /** guest register (pre-scaled index) → its local */
  private readonly local = new Map<number, number>()
  readonly regCount: number

  /**
   * `index`: a block's start (page offset) → its first case; `lengths`: a block's start → its
   * instructions; `cases`: how many there are, the last being the shared slow path of loads and
   * stores.
   */
  /**
   * `lineShift`: 0 for the usual page lookups; log2 of the line size when a cache model tracks
   * lines (core/bus.ts LineTracking) — loads and stores then look up line entries and count their
   * hits, and an access to any other line goes by the slow path, to the model.
   */
  constructor(private readonly index: Map<number, number>, private readonly lengths: Map<number, number>, private readonly cases: number, private readonly regs: { used: number[]; written: number[] }, private readonly lineShift = 0) {
    regs.used.forEach((r, i) => this.local.set(r, REG0 + i))
    this.regCount = regs.used.length
    // the registers live in locals while the region runs
    for (const r of regs.used) this.op(W.localGet, BASE).mem(W.i64Load, r * 4).op(W.localSet, this.local.get(r)!)
    // PC = the page's base as one i64; PCLO = its low word (PCLO0 keeps the entry pc)
    this.op(W.localGet, PCLO).op(W.localSet, PCLO0)
    this.op(W.localGet, PCLO).i32(-4096).op(W.i32And).op(W.localSet, PCLO)
    this.op(W.localGet, PCLO).op(W.i64ExtendI32U).op(W.localGet, PCHI).op(W.i64ExtendI32U)
    this.i64(32, 0).op(W.i64Shl).op(W.i64Or).op(W.localSet, PC)
    // AT = the case of the block entered (its start is the entry pc's page offset; the first block
    // when none other matches), T = its length
    for (const [start, c] of index) {
      if (c === 0) { this.i32(lengths.get(start)!).op(W.localSet, T); continue }
      this.op(W.localGet, PCLO0).i32(4095).op(W.i32And).i32(start).op(W.i32Eq)
      this.op(W.if).blockType(0x40).i32(c).op(W.localSet, AT).i32(lengths.get(start)!).op(W.localSet, T).op(W.end)
    }
    // A block runs only when the window has room for all of it, so counts stay exact: when the
    // entry block does not fit, nothing runs here (the execute loop interprets up to the end).
    this.op(W.localGet, T).op(W.localGet, LEFT).op(W.i32GtS)
    this.op(W.if).blockType(0x40).op(W.localGet, EL).op(W.return).op(W.end)
    // every exit branches out of the `exit` block to the code after it (registers back, next pc out)
    this.op(W.block).blockType(0x40)
    this.op(W.loop).blockType(0x40)
    for (let i = 0; i < cases; i++) this.op(W.block).blockType(0x40)
    this.op(W.localGet, AT).op(W.br_table).b.u32(cases)
    for (let i = 0; i < cases; i++) this.b.u32(i)
    this.b.u32(0) // never taken: AT is always a case number
  }

  /** the case whose code is in a `loop` of its own (openLoop), or -1 */
  private loopCase = -1
  /** Put the case about to be written in a `loop`: a branch to its own start is then a `br` back, not a way round the dispatch. */
  openLoop(): void {
    this.op(W.loop).blockType(0x40)
    this.depth++
    this.loopCase = this.current
  }
  closeLoop(): void {
    this.end()
    this.loopCase = -1
  }

  /** close the nested block whose end starts the next case's code (the previous case falls through into it) */
  beginCase(): void {
    this.op(W.end)
    this.current++
    this.depth = 0
  }

  body(): Uint8Array {
    // after the last case: close the loop (every case returns or branches: nothing falls out)
    this.op(W.end).op(W.unreachable).op(W.end)
    // the exit: registers back to the state area, the next pc
    this.flush()
    this.op(W.localGet, BASE).op(W.localGet, NEXT).mem(W.i64Store, STATE.NEXT_PC)
    // With room left in the window (the region there checks it has enough), a region entered at the next pc
    // before — a call into another page, a return, a jump through a table — goes on there as a
    // tail call: the stack does not grow, JavaScript is not entered.
    this.op(W.localGet, N).op(W.localGet, LEFT).op(W.i32LtS)
    this.op(W.if).blockType(0x40)
    this.op(W.localGet, NEXT).op(W.i32WrapI64).op(W.localSet, S)
    this.op(W.localGet, BASE).op(W.localGet, S).i32(1).op(W.i32ShrU).op(W.localGet, S).i32(11).op(W.i32ShrU).op(W.i32Xor).i32(JUMP_SIZE - 1).op(W.i32And)
    this.i32(4).op(W.i32Shl).op(W.i32Add).op(W.localSet, T)
    this.op(W.localGet, T).mem(W.i64Load, STATE.JUMP).op(W.localGet, NEXT).op(W.i64Eq)
    this.op(W.localGet, T).mem(W.i32Load, STATE.JUMP + 12).op(W.localGet, BASE).mem(W.i32Load, STATE.JUMP_GEN).op(W.i32Eq).op(W.i32And)
    this.op(W.if).blockType(0x40)
    this.op(W.localGet, BASE)
    this.op(W.localGet, NEXT).op(W.i32WrapI64)
    this.op(W.localGet, NEXT).i64(32, 0).op(W.i64ShrU).op(W.i32WrapI64)
    this.op(W.localGet, EL).op(W.localGet, N).op(W.i32Add)
    this.op(W.localGet, LEFT).op(W.localGet, N).op(W.i32Sub)
    this.op(W.localGet, T).mem(W.i32Load, STATE.JUMP + 8)
    this.op(W.returnCallIndirect).b.u32(0).u32(0)
    this.op(W.end).op(W.end)
    // or back to the execute loop: the window's instructions elapsed
    this.op(W.localGet, EL).op(W.localGet, N).op(W.i32Add)
    return this.b.view()
  }

  /**
   * The case before last: an indirect jump's target (NEXT, in this page, counted in N) continues
   * at the block starting there, or leaves when there is none or the window has no room for it.
   */
  dispatch(): void {
    this.beginCase()
    this.op(W.localGet, NEXT).op(W.i32WrapI64).i32(4095).op(W.i32And).op(W.localSet, T)
    for (const [start, c] of this.index) {
      this.op(W.localGet, T).i32(start).op(W.i32Eq)
      this.ifOpen()
      // there when the window has room for the block
      this.op(W.localGet, N).i32(this.lengths.get(start)!).op(W.i32Add).op(W.localGet, LEFT).op(W.i32LeS)
      this.ifOpen().i32(c).op(W.localSet, AT).op(W.br, this.loopDepth).end()
      this.op(W.br, this.loopDepth + 1)
      this.end()
    }
    this.op(W.br, this.loopDepth + 1)
  }

  /**
   * The last case: a load or store that missed the fast path comes here with its SITE and the
   * case to resume at. The hart's JavaScript runs it (traps, MMIO, the hypervisor's emulation)
   * with the registers in memory; then back to the locals, and on after the instruction.
   */
  slowPath(): void {
    this.beginCase()
    this.flush()
    const siteBits = (shift: number, mask: number): void => { this.op(W.localGet, SITE).i32(shift).op(W.i32ShrU).i32(mask).op(W.i32And) }
    this.op(W.localGet, BASE)
    this.op(W.localGet, PCLO).op(W.localGet, SITE).i32(4095).op(W.i32And).op(W.i32Add)
    this.op(W.localGet, PCHI)
    this.op(W.localGet, EL).op(W.localGet, N).op(W.i32Add)
    siteBits(12, 63); this.op(W.i32Add)
    this.op(W.localGet, A).op(W.i32WrapI64).op(W.localGet, A).i64(32, 0).op(W.i64ShrU).op(W.i32WrapI64)
    this.op(W.localGet, SITE).op(W.call, SLOW)
    // trapped: the registers are in memory already and the trap set the next pc
    this.op(W.localTee, S).op(W.i32Eqz)
    this.ifOpen().op(W.localGet, EL).op(W.localGet, N).op(W.i32Add)
    siteBits(12, 63)
    this.op(W.i32Add).op(W.return).end()
    // a load's slow path wrote x[rd] in memory; anything else may have too
    for (const r of this.regs.used) this.op(W.localGet, BASE).mem(W.i64Load, r * 4).op(W.localSet, this.local.get(r)!)
    // stop after it (status 2) — or go on after a load or store in the execute loop (RESUME < 0:
    // no case starts after one, so the fast path has no merge with this one): next pc = page + offset + length
    this.op(W.localGet, S).i32(2).op(W.i32Eq).op(W.localGet, RESUME).i32(0).op(W.i32LtS).op(W.i32Or)
    this.ifOpen()
    this.op(W.localGet, PC)
    this.op(W.localGet, SITE).i32(4095).op(W.i32And).i32(4)
    siteBits(21, 2)
    this.op(W.i32Sub).op(W.i32Add).op(W.i64ExtendI32U).op(W.i64Add).op(W.localSet, NEXT)
    this.op(W.localGet, N)
    siteBits(12, 63)
    this.op(W.i32Add).op(W.localSet, N)
    // status 2: and not into another region, the execute loop has to see why
    this.op(W.localGet, S).i32(2).op(W.i32Eq)
    this.ifOpen().i32(-0x40000000).op(W.localSet, LEFT).end()
    this.op(W.br, this.loopDepth + 1)
    this.end()
    this.op(W.localGet, RESUME).op(W.localSet, AT).op(W.br, this.loopDepth)
  }

  /** store the registers the region writes back to the state area */
  private flush(): void {
    for (const r of this.regs.written) this.op(W.localGet, BASE).op(W.localGet, this.local.get(r)!).mem(W.i64Store, r * 4)
  }

  private op(code: number, index?: number): this {
    this.b.byte(code)
    if (index !== undefined) this.b.u32(index)
    return this
  }
  private i32(v: number): this { this.b.byte(W.i32Const).s32(v); return this }
  private i64(lo: number, hi: number): this { this.b.byte(W.i64Const).s64(lo, hi); return this }
  /** an i64 constant from an int32 immediate, sign-extended */
  private imm(v: number): this { return this.i64(v, v >> 31) }
  private mem(code: number, offset: number): this { this.b.byte(code).u32(0).u32(offset); return this }
  private blockType(t: number): this { this.b.byte(t); return this }
  /** open an `if` (or close one with `end`), keeping branch depths right */
  private ifOpen(t = 0x40): this { this.depth++; return this.op(W.if).blockType(t) }
  private end(): this { this.depth--; return this.op(W.end) }
  /** branch depth of the dispatch loop (continue) and of the exit block, from the current position */
  private get loopDepth(): number { return this.depth + (this.cases - 1 - this.current) }

  /** push register (pre-scaled index) as i64; x0 reads as 0 */
  private x(r: number): this {
    if (r === 0) return this.i64(0, 0)
    return this.op(W.localGet, this.local.get(r)!)
  }
  /** x[rd] = the value pushed after `dst()` (kept for symmetry with memory destinations; no closures: esbuild wraps each in a name helper) */
  private dst(): this { return this }
  private putX(rd: number): void {
    const l = this.local.get(rd)
    if (l === undefined) this.op(W.drop) // x0
    else this.op(W.localSet, l)
  }
  /** push the pc of the instruction at page offset `o` */
  pcAt(o: number): this {
    this.op(W.localGet, PC)
    if (o !== 0) this.i64(o, 0).op(W.i64Add)
    return this
  }
  /** leave to page offset `o`, N + `count` instructions done */
  exitTo(o: number, count: number): void {
    this.pcAt(o)
    this.exit(count)
  }
  /** leave to the pc on the stack, N + `count` instructions done */
  private exit(count: number): void {
    this.op(W.localSet, NEXT)
    if (count) this.op(W.localGet, N).i32(count).op(W.i32Add).op(W.localSet, N)
    this.op(W.br, this.loopDepth + 1)
  }
  /** go on at page offset `o` after `count` more instructions: in this function if it is one of its blocks and the window has room for it */
  goTo(o: number, count: number): void {
    const j = o < 4096 ? this.index.get(o) : undefined
    if (j === undefined) { this.exitTo(o, count); return }
    this.op(W.localGet, N).i32(count).op(W.i32Add).op(W.localTee, N).i32(this.lengths.get(o)!).op(W.i32Add).op(W.localGet, LEFT).op(W.i32LeS)
    this.ifOpen()
    this.toCase(j)
    this.end()
    this.exitTo(o, 0)
  }

  /**
   * Continue at case `k`. A later case is a branch out of the blocks nested inside its own (the
   * case after them starts where they end), so forward edges — most of a region's — cost one
   * `br`; an earlier one goes round the dispatch loop through the `br_table`.
   */
  private toCase(k: number): void {
    if (k === this.loopCase && k === this.current) this.op(W.br, this.depth - 1)
    else if (k > this.current) this.op(W.br, k - this.current - 1 + this.depth)
    else this.i32(k).op(W.localSet, AT).op(W.br, this.loopDepth)
  }

  private rr(rd: number, r1: number, r2: number, code: number): Emitted {
    this.dst().x(r1).x(r2).op(code).putX(rd)
    return GOES_ON
  }
  private ri(rd: number, r1: number, imm: number, code: number): Emitted {
    this.dst().x(r1).imm(imm).op(code).putX(rd)
    return GOES_ON
  }
  /** 32-bit op on the low words of x[r1] and x[r2] (or `imm` when r2 < 0), result sign-extended */
  private w(rd: number, r1: number, r2: number, imm: number, code: number): Emitted {
    this.dst().x(r1).op(W.i32WrapI64)
    if (r2 < 0) this.i32(imm); else this.x(r2).op(W.i32WrapI64)
    this.op(code).op(W.i64ExtendI32S).putX(rd)
    return GOES_ON
  }
  /** x[r1] compared with x[r2] (or `imm` when r2 < 0): 1 or 0 */
  private cmp(rd: number, r1: number, r2: number, imm: number, code: number): Emitted {
    this.dst().x(r1)
    if (r2 < 0) this.imm(imm); else this.x(r2)
    this.op(code).op(W.i64ExtendI32U).putX(rd)
    return GOES_ON
  }
  /** continue at pc-relative `imm` from page offset `off`: a block of this page, or an exit with the full 64-bit target */
  private jumpRel(off: number, imm: number, count: number): void {
    const t = off + imm
    if (t >= 0 && t < 4096) this.goTo(t, count)
    else { this.pcAt(off).imm(imm).op(W.i64Add); this.exit(count) }
  }
  private branch(r1: number, r2: number, code: number, imm: number, off: number, len: number, count: number): Emitted {
    this.x(r1).x(r2).op(code)
    this.ifOpen()
    this.jumpRel(off, imm, count)
    this.end()
    this.goTo(off + len, count)
    return ENDS
  }

  /** A = x[r1] + imm; T = the TLB entry of A in the TLB at state offset `tlb`; leaves the hit test (i32) */
  private lookup(r1: number, imm: number, tlb: number, size: number): void {
    this.x(r1).imm(imm).op(W.i64Add).op(W.localSet, A)
    if (this.lineShift) return this.lineLookup(tlb, size)
    // the entry's byte offset, ((A >>> 12) & 255) << 4, in two operations
    this.op(W.localGet, BASE).op(W.localGet, A).op(W.i32WrapI64).i32(8).op(W.i32ShrU).i32(0xff0).op(W.i32And)
    this.op(W.i32Add).op(W.localSet, T)
    // the entry's page (lo, hi) as one i64 equals A with the offset cleared and the alignment bits kept
    this.op(W.localGet, T).mem(W.i64Load, tlb)
    this.op(W.localGet, A).i64(-4096 | (size - 1), -1).op(W.i64And).op(W.i64Eq)
  }
  /** `lookup` of a line entry: index (A >>> lineShift) & 255, tag the line address with LINE_MARK (core/cpu/tlb.ts) */
  private lineLookup(tlb: number, size: number): void {
    this.op(W.localGet, BASE).op(W.localGet, A).op(W.i32WrapI64).i32(this.lineShift - 4).op(W.i32ShrU).i32(0xff0).op(W.i32And)
    this.op(W.i32Add).op(W.localSet, T)
    this.op(W.localGet, T).mem(W.i64Load, tlb)
    this.op(W.localGet, A).i64(-(1 << this.lineShift) | (size - 1), -1).op(W.i64And).i64(LINE_MARK, 0).op(W.i64Or).op(W.i64Eq)
  }
  /** with line entries: one more access the cache model's newest line of its set served (reported in bulk, hart.ts) */
  private countLineHit(): void {
    if (!this.lineShift) return
    this.op(W.localGet, BASE).op(W.localGet, BASE).mem(W.i32Load, STATE.LINE_HITS).i32(1).op(W.i32Add).mem(W.i32Store, STATE.LINE_HITS)
  }
  /** push the arena address of A through entry T: its low word plus the entry's addend (core/cpu/tlb.ts) */
  private hostAddr(tlb: number): this {
    return this.op(W.localGet, A).op(W.i32WrapI64).op(W.localGet, T).mem(W.i32Load, tlb + 12).op(W.i32Add)
  }
  /**
   * To the slow-path case with SITE: a rare instruction's resumes at the next case; a load's or
   * store's (`resume` false) leaves the region after it, to the execute loop (or the region
   * entered there before) — misses are rare once the TLB has the page, and a case boundary after
   * every access would be a merge the fast path pays for at every access.
   */
  private toSlowPath(siteWord: number, resume = false): void {
    this.i32(siteWord).op(W.localSet, SITE).i32(resume ? this.current + 1 : -1).op(W.localSet, RESUME)
    this.toCase(this.cases - 1)
  }

  private load(rd: number, r1: number, imm: number, size: number, code: number, signed: boolean, off: number, len: number, count: number): Emitted {
    this.lookup(r1, imm, STATE.TLB_R, size)
    this.ifOpen()
    this.countLineHit()
    this.dst().hostAddr(STATE.TLB_R)
    this.mem(code, 0).putX(rd)
    this.op(W.else)
    this.toSlowPath(site(off, count, size, signed, false, len, rd))
    this.end()
    return GOES_ON
  }

  private store(r1: number, r2: number, imm: number, size: number, code: number, off: number, len: number, count: number): Emitted {
    this.lookup(r1, imm, STATE.TLB_W, size)
    this.ifOpen()
    this.countLineHit()
    this.hostAddr(STATE.TLB_W)
    this.x(r2).mem(code, 0)
    this.op(W.else)
    this.toSlowPath(site(off, count, size, false, true, len, r2))
    this.end()
    return GOES_ON
  }

  private lo32(l: number): this { return this.op(W.localGet, l).i64(-1, 0).op(W.i64And) }
  private hi32(l: number): this { return this.op(W.localGet, l).i64(32, 0).op(W.i64ShrU) }
  /** high 64 bits of the unsigned product of A and V (both locals), on the stack */
  private mulhu(): void {
    this.lo32(A).lo32(V).op(W.i64Mul).op(W.localSet, P) // t = aL·bL
    this.hi32(A).lo32(V).op(W.i64Mul).hi32(P).op(W.i64Add).op(W.localSet, Q) // m1 = aH·bL + t>>32
    this.lo32(A).hi32(V).op(W.i64Mul).lo32(Q).op(W.i64Add).op(W.localSet, R) // m2 = aL·bH + (m1 & M)
    this.hi32(A).hi32(V).op(W.i64Mul).hi32(Q).op(W.i64Add).hi32(R).op(W.i64Add)
  }
  private mulh(rd: number, r1: number, r2: number, op: number): Emitted {
    this.x(r1).op(W.localSet, A).x(r2).op(W.localSet, V)
    this.dst().mulhu()
    // signed corrections: −(a<0 ? b : 0) − (b<0 ? a : 0)
    if (op !== Op.MULHU) this.op(W.localGet, A).i64(63, 0).op(W.i64ShrS).op(W.localGet, V).op(W.i64And).op(W.i64Sub)
    if (op === Op.MULH) this.op(W.localGet, V).i64(63, 0).op(W.i64ShrS).op(W.localGet, A).op(W.i64And).op(W.i64Sub)
    this.putX(rd)
    return GOES_ON
  }
  /** DIV/DIVU/REM/REMU: RISC-V defines /0 and overflow where WebAssembly traps */
  private div(rd: number, r1: number, r2: number, signed: boolean, rem: boolean): Emitted {
    this.x(r1).op(W.localSet, A).x(r2).op(W.localSet, V)
    this.dst()
    {
      this.op(W.localGet, V).op(W.i64Eqz).op(W.if).blockType(I64)
      if (rem) this.op(W.localGet, A); else this.i64(-1, -1)
      this.op(W.else)
      if (signed) {
        this.op(W.localGet, A).i64(MIN_LO, MIN_HI).op(W.i64Eq).op(W.localGet, V).i64(-1, -1).op(W.i64Eq).op(W.i32And)
        this.op(W.if).blockType(I64)
        if (rem) this.i64(0, 0); else this.i64(MIN_LO, MIN_HI)
        this.op(W.else)
      }
      this.op(W.localGet, A).op(W.localGet, V).op(signed ? (rem ? W.i64RemS : W.i64DivS) : (rem ? W.i64RemU : W.i64DivU))
      if (signed) this.op(W.end)
      this.op(W.end)
    }
    this.putX(rd)
    return GOES_ON
  }
  /** DIVW/DIVUW/REMW/REMUW on the low words (kept in S and T), result sign-extended */
  private divw(rd: number, r1: number, r2: number, signed: boolean, rem: boolean): Emitted {
    this.x(r1).op(W.i32WrapI64).op(W.localSet, S).x(r2).op(W.i32WrapI64).op(W.localSet, T)
    this.dst()
    {
      this.op(W.localGet, T).op(W.i32Eqz).op(W.if).blockType(I32)
      if (rem) this.op(W.localGet, S); else this.i32(-1)
      this.op(W.else)
      if (signed) {
        this.op(W.localGet, S).i32(-0x80000000).op(W.i32Eq).op(W.localGet, T).i32(-1).op(W.i32Eq).op(W.i32And)
        this.op(W.if).blockType(I32)
        if (rem) this.i32(0); else this.i32(-0x80000000)
        this.op(W.else)
      }
      this.op(W.localGet, S).op(W.localGet, T).op(signed ? (rem ? W.i32RemS : W.i32DivS) : (rem ? W.i32RemU : W.i32DivU))
      if (signed) this.op(W.end)
      this.op(W.end).op(W.i64ExtendI32S)
    }
    this.putX(rd)
    return GOES_ON
  }

  instruction(op: number, rd: number, r1: number, r2: number, imm: number, off: number, len: number, count: number): Emitted {
    switch (op) {
      case Op.LUI: this.dst().imm(imm).putX(rd); return GOES_ON
      case Op.AUIPC: this.dst().pcAt(off).imm(imm).op(W.i64Add).putX(rd); return GOES_ON
      case Op.JAL:
        this.dst().pcAt(off + len).putX(rd)
        this.jumpRel(off, imm, count)
        return ENDS
      case Op.JALR:
        // the target first: rd may be rs1
        this.x(r1).imm(imm).op(W.i64Add).i64(-2, -1).op(W.i64And).op(W.localSet, NEXT)
        this.dst().pcAt(off + len).putX(rd)
        // a target in this page (a return, a jump table) may be one of the region's blocks: the dispatch case looks
        this.op(W.localGet, N).i32(count).op(W.i32Add).op(W.localSet, N)
        this.op(W.localGet, NEXT).i64(-4096, -1).op(W.i64And).op(W.localGet, PC).op(W.i64Eq)
        this.ifOpen()
        this.toCase(this.cases - 2)
        this.end()
        this.op(W.br, this.loopDepth + 1)
        return ENDS
      case Op.BEQ: return this.branch(r1, r2, W.i64Eq, imm, off, len, count)
      case Op.BNE: return this.branch(r1, r2, W.i64Ne, imm, off, len, count)
      case Op.BLT: return this.branch(r1, r2, W.i64LtS, imm, off, len, count)
      case Op.BGE: return this.branch(r1, r2, W.i64GeS, imm, off, len, count)
      case Op.BLTU: return this.branch(r1, r2, W.i64LtU, imm, off, len, count)
      case Op.BGEU: return this.branch(r1, r2, W.i64GeU, imm, off, len, count)
      case Op.LB: return this.load(rd, r1, imm, 1, W.i64Load8S, true, off, len, count)
      case Op.LBU: return this.load(rd, r1, imm, 1, W.i64Load8U, false, off, len, count)
      case Op.LH: return this.load(rd, r1, imm, 2, W.i64Load16S, true, off, len, count)
      case Op.LHU: return this.load(rd, r1, imm, 2, W.i64Load16U, false, off, len, count)
      case Op.LW: return this.load(rd, r1, imm, 4, W.i64Load32S, true, off, len, count)
      case Op.LWU: return this.load(rd, r1, imm, 4, W.i64Load32U, false, off, len, count)
      case Op.LD: return this.load(rd, r1, imm, 8, W.i64Load, false, off, len, count)
      case Op.SB: return this.store(r1, r2, imm, 1, W.i64Store8, off, len, count)
      case Op.SH: return this.store(r1, r2, imm, 2, W.i64Store16, off, len, count)
      case Op.SW: return this.store(r1, r2, imm, 4, W.i64Store32, off, len, count)
      case Op.SD: return this.store(r1, r2, imm, 8, W.i64Store, off, len, count)
      case Op.ADDI: return this.ri(rd, r1, imm, W.i64Add)
      case Op.SLTI: return this.cmp(rd, r1, -1, imm, W.i64LtS)
      case Op.SLTIU: return this.cmp(rd, r1, -1, imm, W.i64LtU)
      case Op.XORI: return this.ri(rd, r1, imm, W.i64Xor)
      case Op.ORI: return this.ri(rd, r1, imm, W.i64Or)
      case Op.ANDI: return this.ri(rd, r1, imm, W.i64And)
      case Op.SLLI: return this.ri(rd, r1, imm & 63, W.i64Shl)
      case Op.SRLI: return this.ri(rd, r1, imm & 63, W.i64ShrU)
      case Op.SRAI: return this.ri(rd, r1, imm & 63, W.i64ShrS)
      // WebAssembly takes 64-bit shift amounts mod 64 and 32-bit ones mod 32, as RISC-V does
      case Op.ADD: return this.rr(rd, r1, r2, W.i64Add)
      case Op.SUB: return this.rr(rd, r1, r2, W.i64Sub)
      case Op.SLL: return this.rr(rd, r1, r2, W.i64Shl)
      case Op.SRL: return this.rr(rd, r1, r2, W.i64ShrU)
      case Op.SRA: return this.rr(rd, r1, r2, W.i64ShrS)
      case Op.SLT: return this.cmp(rd, r1, r2, 0, W.i64LtS)
      case Op.SLTU: return this.cmp(rd, r1, r2, 0, W.i64LtU)
      case Op.XOR: return this.rr(rd, r1, r2, W.i64Xor)
      case Op.OR: return this.rr(rd, r1, r2, W.i64Or)
      case Op.AND: return this.rr(rd, r1, r2, W.i64And)
      case Op.ADDIW: return this.w(rd, r1, -1, imm, W.i32Add)
      case Op.SLLIW: return this.w(rd, r1, -1, imm, W.i32Shl)
      case Op.SRLIW: return this.w(rd, r1, -1, imm, W.i32ShrU)
      case Op.SRAIW: return this.w(rd, r1, -1, imm, W.i32ShrS)
      case Op.ADDW: return this.w(rd, r1, r2, 0, W.i32Add)
      case Op.SUBW: return this.w(rd, r1, r2, 0, W.i32Sub)
      case Op.SLLW: return this.w(rd, r1, r2, 0, W.i32Shl)
      case Op.SRLW: return this.w(rd, r1, r2, 0, W.i32ShrU)
      case Op.SRAW: return this.w(rd, r1, r2, 0, W.i32ShrS)
      case Op.MUL: return this.rr(rd, r1, r2, W.i64Mul)
      case Op.MULW: return this.w(rd, r1, r2, 0, W.i32Mul)
      case Op.MULH: case Op.MULHSU: case Op.MULHU: return this.mulh(rd, r1, r2, op)
      case Op.DIV: return this.div(rd, r1, r2, true, false)
      case Op.DIVU: return this.div(rd, r1, r2, false, false)
      case Op.REM: return this.div(rd, r1, r2, true, true)
      case Op.REMU: return this.div(rd, r1, r2, false, true)
      case Op.DIVW: return this.divw(rd, r1, r2, true, false)
      case Op.DIVUW: return this.divw(rd, r1, r2, false, false)
      case Op.REMW: return this.divw(rd, r1, r2, true, true)
      case Op.REMUW: return this.divw(rd, r1, r2, false, true)
      case Op.FENCE: case Op.FENCE_I: return GOES_ON // stores already drop decoded code (code-cache.ts)
      case Op.SYSTEM: case Op.AMO: case Op.FLW: case Op.FLD: case Op.FSW: case Op.FSD: case Op.FP: case Op.HLSV: {
        // the interpreter's code runs it through the slow path: A = the register fields (low word) and the encoding (high)
        this.i64(rd | (r1 << 7) | (r2 << 14), imm).op(W.localSet, A)
        this.toSlowPath(site(off, count, 1, false, false, len, op) | RARE, true)
        return GOES_ON
      }
    }
    return NOT_HANDLED // rare: the interpreter executes it
  }
}

