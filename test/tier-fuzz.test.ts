/**
 * The translation tier against the interpreter on random programs. Each program is a loop whose
 * body is random RV64IM code — every integer operation, loads and stores of every width (some
 * misaligned) into a data page, short forward branches, jumps and indirect jumps, writes to x0, and in a second
 * round MMIO loads and stores and accesses that fault (an M-mode handler skips them) — run for enough
 * iterations that the WebAssembly tier takes the loop over (wasm-tier.ts translates after HOT
 * visits). The interpreter (execute.ts) is itself checked against QEMU by the golden guests;
 * here both tiers must end with the same registers, the same data and the same instruction count.
 * A third round keeps its data in the code's own page, where stores must not drop the translation.
 * A fifth mixes in the instructions translated code hands to the interpreter's code one at a
 * time: counter and scratch CSRs, atomics (LR/SC and AMOs), double-precision floating point.
 * A fourth spreads each program over pages — calls into other pages, direct and through a
 * register, returns, code running over a page end, and a store over one function's code now and
 * then — where translated regions go on into each other through the jump cache.
 * A sixth runs the first rounds' programs (with MMIO and faults) under the LLC model of tiny
 * caches (4 to 16 sets, so the data page's lines evict each other all the time): translated
 * code serves the newest line of each set itself (line entries, core/cpu/tlb.ts) and must leave
 * the model's counters exactly where the interpreter, which sends every access to it, leaves them.
 */
import { describe, expect, it } from 'vitest'
import { bootBare } from '../core/bare.ts'
import { CSR } from '../plugins/arch-riscv64/csr-defs.ts'
import type { RiscvHart } from '../plugins/arch-riscv64/hart.ts'
import type { CacheLevel } from '../core/board.ts'
import { attach as attachLlc, llcOn } from '../plugins/feat-llc/model.ts'

const CODE = 0x80000000
const DATA = 0x80100000
const DATA_SIZE = 4096
/** the third round's data: the upper half of the code's own page (stores there must not drop its translations) */
const NEAR_DATA = CODE + 0x800, NEAR_SIZE = 2048
const ITERS = 1500 // > HOT: the loop body is translated part-way through
const BASE_REG = 8 // s0 holds DATA
const COUNT_REG = 9 // s1 counts iterations down
const MMIO_REG = 6 // t1 holds the UART's base (loads of its registers, stores to its scratch register)
const FAULT_REG = 7 // t2 holds an address with nothing behind it (access faults, skipped by the handler)
const HANDLER = 0x700 // the trap handler's offset from CODE (within addi's reach)

/** xorshift64*: reproducible random numbers, as BigInt */
class Rng {
  private s: bigint
  constructor(seed: number) { this.s = BigInt(seed) * 0x9e3779b97f4a7c15n + 1n }
  next(): bigint {
    let x = this.s
    x ^= x >> 12n; x ^= (x << 25n) & 0xffffffffffffffffn; x ^= x >> 27n
    this.s = x
    return (x * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn
  }
  int(n: number): number { return Number(this.next() % BigInt(n)) }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]! }
}

const r = (f7: number, rs2: number, rs1: number, f3: number, rd: number, opc: number): number =>
  ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc) >>> 0
const i = (imm: number, rs1: number, f3: number, rd: number, opc: number): number =>
  (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc) >>> 0
const s = (imm: number, rs2: number, rs1: number, f3: number): number =>
  ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1f) << 7) | 0x23) >>> 0
const b = (imm: number, rs2: number, rs1: number, f3: number): number =>
  ((((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
    (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | 0x63) >>> 0
const u = (imm20: number, rd: number, opc: number): number => (((imm20 & 0xfffff) << 12) | (rd << 7) | opc) >>> 0
const jal = (imm: number, rd: number): number =>
  ((((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20) | (((imm >> 12) & 0xff) << 12) | (rd << 7) | 0x6f) >>> 0

const OP = [[0, 0], [0x20, 0], [0, 1], [0, 2], [0, 3], [0, 4], [0, 5], [0x20, 5], [0, 6], [0, 7],
  [1, 0], [1, 1], [1, 2], [1, 3], [1, 4], [1, 5], [1, 6], [1, 7]] as const // [funct7, funct3] of OP incl. M
const OP32 = [[0, 0], [0x20, 0], [0, 1], [0, 5], [0x20, 5], [1, 0], [1, 4], [1, 5], [1, 6], [1, 7]] as const
const IMMS = [0, 1, -1, 2, 7, 31, 32, 63, 2047, -2048, 0x555, -0x556, 100, -100]

/** FSD fs, off(rs1) */
const fsd = (imm: number, fs: number, rs1: number): number => (s(imm, fs, rs1, 3) & ~0x7f | 0x27) >>> 0

/** a rare instruction: a CSR, an atomic on the data page's first doublewords, or double-precision FP */
function rare(g: Rng, rd: number): number {
  const f = (): number => g.int(32)
  switch (g.int(9)) {
    case 0: return i(g.pick([0xb00, 0xb02, 0xc00, 0xc02]), 0, 2, rd, 0x73) // csrr of mcycle, minstret, cycle, instret
    case 1: return i(0x340, g.int(32), g.pick([1, 2, 3]), rd, 0x73) // csrrw/csrrs/csrrc mscratch
    case 2: { // an AMO (.w or .d) on s0 + 0: add, swap, xor, or, and, min, max, minu, maxu
      const f5 = g.pick([0, 1, 4, 8, 0xc, 0x10, 0x14, 0x18, 0x1c])
      return r(f5 << 2, g.int(32), BASE_REG, g.pick([2, 3]), rd, 0x2f)
    }
    case 3: return r(2 << 2, 0, BASE_REG, 3, rd, 0x2f) // lr.d
    case 4: return r(3 << 2, g.int(32), BASE_REG, 3, rd, 0x2f) // sc.d
    case 5: return r(0x79, 0, g.int(32), 0, f(), 0x53) // fmv.d.x
    case 6: return r(g.pick([0x01, 0x05, 0x09, 0x0d, 0x11, 0x15]), f(), f(), g.pick([0, 1, 2, 3, 4, 7]), f(), 0x53) // fadd/fsub/fmul/fdiv/fsgnj/fmin.d
    case 7: return g.pick([r(0x71, 0, f(), 0, rd, 0x53), r(0x61, g.pick([0, 1, 2, 3]), f(), 1, rd, 0x53), r(0x51, f(), f(), g.pick([0, 1, 2]), rd, 0x53), r(0x2d, 0, f(), 0, f(), 0x53)]) // fmv.x.d, fcvt.{w,wu,l,lu}.d, feq/flt/fle.d, fsqrt.d
    default: return g.int(2) ? i(8 * g.int(64), BASE_REG, 3, f(), 0x07) : fsd(8 * g.int(64), f(), BASE_REG) // fld, fsd
  }
}

/** one random instruction of the loop body (may need a following slot: forward branches skip one) */
function instruction(g: Rng, faults: boolean, dataSize: number, rares = false): number {
  const rd = faults ? g.pick([0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]) : g.pick([0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31])
  const rs = (): number => g.int(32)
  const imm = (): number => (g.int(3) === 0 ? g.pick(IMMS) : g.int(4096) - 2048)
  if (rares && g.int(6) === 0) return rare(g, rd)
  if (faults && g.int(10) === 0) {
    // an MMIO load from the UART, a store to its scratch register, or an access that faults
    switch (g.int(3)) {
      case 0: return i(g.int(8), MMIO_REG, 4, rd, 0x03) // lbu
      case 1: return s(7, rs(), MMIO_REG, 0) // sb to SCR
      default: return g.int(2) ? i(g.int(64) * 8, FAULT_REG, 3, rd, 0x03) : s(g.int(64) * 8, rs(), FAULT_REG, 3)
    }
  }
  switch (g.int(12)) {
    case 0: case 1: case 2: { const [f7, f3] = g.pick(OP); return r(f7, rs(), rs(), f3, rd, 0x33) }
    case 3: { const [f7, f3] = g.pick(OP32); return r(f7, rs(), rs(), f3, rd, 0x3b) }
    case 4: case 5: {
      const f3 = g.pick([0, 2, 3, 4, 6, 7, 1, 5, 5])
      if (f3 === 1) return i(g.int(64), rs(), 1, rd, 0x13)
      if (f3 === 5) return i((g.int(2) ? 0x400 : 0) | g.int(64), rs(), 5, rd, 0x13)
      return i(imm(), rs(), f3, rd, 0x13)
    }
    case 6: {
      const f3 = g.pick([0, 1, 5, 5])
      if (f3 === 0) return i(imm(), rs(), 0, rd, 0x1b)
      return i((f3 === 5 && g.int(2) ? 0x400 : 0) | g.int(32), rs(), f3, rd, 0x1b)
    }
    case 7: return g.int(2) ? u(g.int(1 << 20), rd, 0x37) : u(g.int(1 << 20), rd, 0x17)
    case 8: case 9: { // load from the data page; one in four misaligned
      const f3 = g.pick([0, 1, 2, 3, 4, 5, 6])
      const size = 1 << (f3 & 3)
      let off = g.int(dataSize - 8)
      if (g.int(4)) off &= ~(size - 1)
      return i(off, BASE_REG, f3, rd, 0x03)
    }
    case 10: {
      const f3 = g.int(4)
      const size = 1 << f3
      let off = g.int(dataSize - 8)
      if (g.int(4)) off &= ~(size - 1)
      return s(off, rs(), BASE_REG, f3)
    }
    default: return 0 // a branch or jump: placed by the caller
  }
}

/** the program: loop { random body } ITERS times, then power off through the SiFive test device */
function program(seed: number, bodyLength: number, faults = false, dataSize = DATA_SIZE, rares = false): Uint32Array {
  const g = new Rng(seed)
  // mtvec = CODE + HANDLER: auipc t0, 0; addi t0, t0, HANDLER; csrw mtvec, t0; FP on: lui t0, 2 (FS = Initial); csrs mstatus, t0
  const words: number[] = [u(0, 5, 0x17), i(HANDLER, 5, 0, 5, 0x13), 0x30529073, u(2, 5, 0x37), 0x3002a073]
  const start = words.length
  while (words.length - start < bodyLength) {
    const w = instruction(g, faults, dataSize, rares)
    if (w !== 0) { words.push(w); continue }
    // forward over the next instruction (which is then sometimes skipped); or a jal that links
    if (g.int(4) === 0) {
      // an indirect jump over the next instruction, to where a branch also goes (so a block of
      // the region starts there): bCC +16; auipc rA, 0; jalr rB, 12(rA); <skipped>; target
      const ra = g.pick([1, 3, 4, 10, 11, 31])
      words.push(b(16, g.int(32), g.int(32), g.pick([0, 1, 4, 5, 6, 7])), u(0, ra, 0x17), i(12, ra, 0, g.pick([0, 1, 12, ra]), 0x67))
    } else {
      words.push(g.int(3) ? b(8, g.int(32), g.int(32), g.pick([0, 1, 4, 5, 6, 7])) : jal(8, g.pick([0, 1, 5, 31])))
    }
    words.push(instruction(g, faults, dataSize, rares) || r(0, 0, 0, 0, 0, 0x33))
  }
  const loop = (words.length - start) * 4
  words.push(i(-1, COUNT_REG, 0, COUNT_REG, 0x13)) // addi s1, s1, -1
  words.push(b(-(loop + 4), 0, COUNT_REG, 1)) // bne s1, x0, start
  words.push(u(0x100, 5, 0x37)) // lui t0, 0x100 (SiFive test)
  words.push(u(0x5, 6, 0x37), i(0x555, 6, 0, 6, 0x1b)) // t1 = 0x5555
  words.push(s(0, 6, 5, 2)) // sw t1, 0(t0): power off
  words.push(jal(0, 0)) // j .
  // the trap handler: skip the faulting instruction (csrr t0, mepc; addi t0, t0, 4; csrw mepc, t0; mret)
  while (words.length < HANDLER / 4) words.push(0)
  words.push(0x341022f3, 0x00428293, 0x34129073, 0x30200073)
  return Uint32Array.from(words)
}

/** registers the fourth round's call sites and self-modifying store keep: ra, t3..t6 */
const KEPT = [1, 28, 29, 30, 31]
const FUNCS = 5

/**
 * The fourth round's program: a loop on the first page calling FUNCS functions on the pages after
 * it (the first placed so that it runs over into the next page) through `jal` or
 * `auipc; addi; jalr`, each a random body and `ret`; every 256 iterations the loop stores a word
 * of function 2 back over itself, which drops that page's decoded and translated code.
 */
function callsProgram(seed: number): Uint32Array {
  const g = new Rng(seed * 7 + 3)
  const words: number[] = []
  const at = (addr: number): number => (addr - CODE) / 4
  const put = (addr: number, w: number): void => { while (words.length <= at(addr)) words.push(0); words[at(addr)] = w }
  const body = (n: number): number[] => {
    const out: number[] = []
    while (out.length < n) {
      const w = instruction(g, false, DATA_SIZE)
      if (w === 0) { out.push(b(8, g.int(32), g.int(32), g.pick([0, 1, 4, 5, 6, 7]))); continue }
      if (KEPT.includes((w >>> 7) & 31) && (w & 0x7f) !== 0x23 && (w & 0x7f) !== 0x63) continue
      out.push(w)
    }
    if ((out[out.length - 1]! & 0x7f) === 0x63) out.push(r(0, 0, 0, 0, 0, 0x33)) // a branch skips one
    return out
  }
  const fn: number[] = []
  for (let k = 0; k < FUNCS; k++) {
    const addr = k === 0 ? CODE + 0x1fd8 : CODE + 0x1000 * (k + 1) + 0x100 + g.int(0x600) * 4
    fn.push(addr)
    let a = addr
    for (const w of [...body(12 + g.int(20)), i(0, 1, 0, 0, 0x67)]) { put(a, w); a += 4 }
  }
  // page 0: mtvec, t6 = function 2's first word's address, t5 = that word; then the loop
  let pc = CODE
  const emit = (w: number): void => { put(pc, w); pc += 4 }
  const far = (rd: number, target: number): void => {
    const off = target - pc
    const hi = (off + 0x800) >> 12
    emit(u(hi, rd, 0x17)); emit(i(off - (hi << 12), rd, 0, rd, 0x13))
  }
  emit(u(0, 5, 0x17)); emit(i(HANDLER, 5, 0, 5, 0x13)); emit(0x30529073)
  far(31, fn[2]!)
  emit(i(0, 31, 2, 30, 0x03)) // lw t5, 0(t6)
  const loop = pc
  for (let c = 0; c < 8; c++) {
    const k = g.int(FUNCS)
    if (g.int(2)) emit(jal(fn[k]! - pc, 1))
    else { far(28, fn[k]!); emit(i(0, 28, 0, 1, 0x67)) }
  }
  emit(i(255, COUNT_REG, 7, 29, 0x13)) // andi t4, s1, 255
  emit(b(8, 0, 29, 1)) // bne t4, x0, +8
  emit(s(0, 30, 31, 2)) // sw t5, 0(t6)
  emit(i(-1, COUNT_REG, 0, COUNT_REG, 0x13))
  emit(b(loop - pc, 0, COUNT_REG, 1))
  emit(u(0x100, 5, 0x37)); emit(u(0x5, 6, 0x37)); emit(i(0x555, 6, 0, 6, 0x1b)); emit(s(0, 6, 5, 2)); emit(jal(0, 0))
  put(CODE + HANDLER, 0x341022f3); put(CODE + HANDLER + 4, 0x00428293); put(CODE + HANDLER + 8, 0x34129073); put(CODE + HANDLER + 12, 0x30200073)
  return Uint32Array.from(words)
}

interface End { regs: bigint[]; data: number[]; insns: number; translated: boolean; mcause: number; jumps: number; llc: string }

async function run(code: Uint32Array, seed: number, translate: boolean, data = DATA, dataSize = DATA_SIZE, llc?: CacheLevel): Promise<End> {
  const bm = await bootBare({ board: 'qemu-virt-riscv64', image: new Uint8Array(code.buffer) })
  const m = bm.machine
  const h = m.cpus[0] as RiscvHart
  h.translate = translate
  // an LLC model of `llc`'s geometry observing the bus, with line tracking: translated code
  // serves the newest line of each set through line entries, the rest goes to the model
  const model = llc ? attachLlc(m.bus, { ...m.board, caches: { llc } }) : null
  if (model) m.bus.observe(model.observer, model.lines)
  const g = new Rng(seed ^ 0x5a5a)
  const seeds = [0n, 1n, -1n, 1n << 63n, (1n << 63n) - 1n, 0x80000000n, 0xffffffffn, -0x80000000n]
  for (let x = 1; x < 32; x++) h.setReg(x, BigInt.asIntN(64, g.int(4) ? g.next() : g.pick(seeds)))
  h.setReg(BASE_REG, BigInt(data))
  h.setReg(COUNT_REG, BigInt(ITERS))
  h.setReg(MMIO_REG, 0x10000000n)
  h.setReg(FAULT_REG, 0x70000000n)
  const fill = new Uint8Array(dataSize)
  for (let k = 0; k < fill.length; k++) fill[k] = g.int(256)
  m.bus.load(data, fill)
  m.sched.run({ predicate: () => m.power.off, cycles: 50_000_000 })
  return {
    regs: Array.from({ length: 32 }, (_, x) => h.reg(x)),
    data: Array.from(m.bus.dump(data, dataSize)),
    insns: m.sched.instructions,
    mcause: h.c[CSR.mcause * 2]!,
    translated: (h.code.blocks[m.bus.ramOffset(CODE) >>> 12] ?? []).some((f) => typeof f === 'function'),
    // jump-cache entries into the functions' pages: where regions went on into regions of other pages
    jumps: Array.from({ length: h.tlb.j.length / 4 }, (_, k) => h.tlb.j[k * 4]! >>> 0).filter((pc) => pc >= CODE + 0x1000 && pc < CODE + 0x1000 * (FUNCS + 2)).length,
    llc: model ? JSON.stringify(llcOn(m.bus)!.stats()) : '',
  }
}

const rounds = (faults: boolean, near = false): void => {
  let faulted = 0
  const [data, size] = near ? [NEAR_DATA, NEAR_SIZE] : [DATA, DATA_SIZE]
  for (let seed = 1; seed <= 40; seed++) {
    it(`program ${seed}`, async () => {
      const code = program(seed, 20 + (seed % 5) * 12, faults, size)
      const interp = await run(code, seed, false, data, size)
      const tier = await run(code, seed, true, data, size)
      expect(tier.translated, 'the loop was translated').toBe(true)
      expect(interp.translated).toBe(false)
      expect(interp.insns).toBeGreaterThan(ITERS * 12) // it ran the loop to the end (bodies of 20+, a few skipped)
      for (let x = 0; x < 32; x++) expect(tier.regs[x], `x${x}`).toBe(interp.regs[x])
      expect(tier.data).toEqual(interp.data)
      expect(tier.insns).toBe(interp.insns)
      expect(tier.mcause).toBe(interp.mcause)
      if (interp.mcause === 5 || interp.mcause === 7) faulted++ // the last trap was a load or store access fault
    })
  }
  if (faults) it('most programs took access faults in the loop', () => expect(faulted).toBeGreaterThanOrEqual(25))
}

describe('translated code equals interpreted code on random RV64IM loops', () => rounds(false))

// the slow path in every outcome: MMIO (go on), access faults (a trap mid-region, then back into it)
describe('the same with MMIO accesses and access faults in the loop', () => rounds(true))

// data in the upper half of the code's own page: every store there is reported as a write to a
// code page, and must leave the loop's translation in place (checked by \`translated\`) and correct
describe('the same with the data in the code\'s own page', () => rounds(false, true))

// calls and returns across pages, code over a page end, stores over code: the jump cache and
// the shared function table, kept right when pages are dropped and their table slots reused
describe('the same with calls across pages and stores over code', () => {
  for (let seed = 1; seed <= 30; seed++) {
    it(`program ${seed}`, async () => {
      const code = callsProgram(seed)
      const interp = await run(code, seed, false)
      const tier = await run(code, seed, true)
      expect(tier.translated, 'the loop was translated').toBe(true)
      expect(tier.jumps, 'translated code went on into other pages\' regions').toBeGreaterThan(0)
      for (let x = 0; x < 32; x++) expect(tier.regs[x], `x${x}`).toBe(interp.regs[x])
      expect(tier.data).toEqual(interp.data)
      expect(tier.insns).toBe(interp.insns)
      expect(interp.insns).toBeGreaterThan(ITERS * 8 * 12)
    })
  }
})

// CSRs, atomics and floating point inside translated code: the interpreter's code runs each, the
// region goes on after it (or leaves, where it trapped)
describe('the same with CSRs, atomics and floating point in the loop', () => {
  for (let seed = 1; seed <= 30; seed++) {
    it(`program ${seed}`, async () => {
      const code = program(seed, 20 + (seed % 5) * 12, false, DATA_SIZE, true)
      const interp = await run(code, seed, false)
      const tier = await run(code, seed, true)
      expect(tier.translated, 'the loop was translated').toBe(true)
      for (let x = 0; x < 32; x++) expect(tier.regs[x], `x${x}`).toBe(interp.regs[x])
      expect(tier.data).toEqual(interp.data)
      expect(tier.insns).toBe(interp.insns)
      expect(tier.mcause).toBe(interp.mcause)
      expect(interp.insns).toBeGreaterThan(ITERS * 12)
    })
  }
})

// the LLC model tracking lines: translated code looks lines up inline and counts its hits; the
// interpreter sends every access to the model; the counts, like everything else, must agree
describe('the same under the LLC model (line entries in translated code)', () => {
  // 4 sets × 2 ways and 16 sets × 4 ways of 64-byte lines, 32 bytes on a third of the programs
  const geometry = (seed: number): CacheLevel => seed % 3 === 0 ? { sizeBytes: 256, ways: 2, lineBytes: 32 } : seed % 3 === 1 ? { sizeBytes: 512, ways: 2, lineBytes: 64 } : { sizeBytes: 4096, ways: 4, lineBytes: 64 }
  for (let seed = 1; seed <= 30; seed++) {
    it(`program ${seed}`, async () => {
      const code = program(seed, 20 + (seed % 5) * 12, seed % 2 === 0, DATA_SIZE)
      const interp = await run(code, seed, false, DATA, DATA_SIZE, geometry(seed))
      const tier = await run(code, seed, true, DATA, DATA_SIZE, geometry(seed))
      expect(tier.translated, 'the loop was translated').toBe(true)
      for (let x = 0; x < 32; x++) expect(tier.regs[x], `x${x}`).toBe(interp.regs[x])
      expect(tier.data).toEqual(interp.data)
      expect(tier.insns).toBe(interp.insns)
      expect(tier.mcause).toBe(interp.mcause)
      expect(JSON.parse(interp.llc)['hart 0'].accesses).toBeGreaterThan(ITERS)
      expect(tier.llc).toBe(interp.llc)
    })
  }
})
