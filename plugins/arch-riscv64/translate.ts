/**
 * The translation tier: a hot basic block (straight-line integer code ending at a branch, a jump,
 * a rare instruction or the page end) becomes one JavaScript function with its registers,
 * immediates and pc offsets as literals, which V8 then compiles to machine code. The execute
 * loop (execute.ts) calls it when the block's first slot is hot and enough of the quantum is
 * left for the whole block, so instruction counts and quanta stay exact and deterministic.
 *
 * A block function is `(h, x, u8, u16, i32, rT, wT, pcLo, pcHi, el) => n`: it runs the block
 * from virtual pc (pcLo, pcHi) with `el` instructions of the window already elapsed, leaves the
 * next pc in h.pcLo/h.pcHi and returns the instructions it executed (a faulting one included,
 * as in the interpreter). Semantics are those of the interpreter's cases, written as templates;
 * the guest test programs run under both tiers to keep them equal.
 */
import { decode16, decode32, Op, packSlot } from './execute.ts'
import type { RiscvHart } from './hart.ts'
import { div32, div64, mulh64, mulhsu64, mulhu32, mulhu64 } from './int64.ts'

export type BlockFn = (h: RiscvHart, x: Int32Array, u8: Uint8Array, u16: Uint16Array, i32: Int32Array,
  rT: Int32Array, wT: Int32Array, pcLo: number, pcHi: number, el: number) => number

/** Longest block, in instructions; the loop only enters a block with at least this much budget. */
export const MAX_BLOCK = 48
/** visits of a slot before its block is translated */
export const HOT = 24

const helpers = { mulhu32, mulh64, mulhsu64, mulhu64, div64, div32 }
const HELPER_NAMES = Object.keys(helpers)
const HELPER_VALUES = Object.values(helpers)

/** carry-out of lo = a + b (unsigned), as a JS expression */
const carry = (lo: string, a: string): string => `(((${lo}) >>> 0) < ((${a}) >>> 0) ? 1 : 0)`

/** Set a 64-bit register from temporaries (both computed before either is stored). */
const set = (rd: number, lo: string, hi: string): string => `{ const l_ = ${lo}, h_ = ${hi}; x[${rd}] = l_; x[${rd + 1}] = h_ }`
const set32 = (rd: number, v: string): string => `{ const v_ = ${v}; x[${rd}] = v_; x[${rd + 1}] = v_ >> 31 }`

function shiftImm(kind: 'l' | 'r' | 'a', rd: number, r1: number, s: number): string {
  if (s === 0) return set(rd, `x[${r1}]`, `x[${r1 + 1}]`)
  if (kind === 'l') return s < 32 ? set(rd, `x[${r1}] << ${s}`, `(x[${r1 + 1}] << ${s}) | (x[${r1}] >>> ${32 - s})`) : set(rd, '0', `x[${r1}] << ${s - 32}`)
  if (kind === 'r') return s < 32 ? set(rd, `(x[${r1}] >>> ${s}) | (x[${r1 + 1}] << ${32 - s})`, `x[${r1 + 1}] >>> ${s}`) : set(rd, `x[${r1 + 1}] >>> ${s - 32}`, '0')
  return s < 32 ? set(rd, `(x[${r1}] >>> ${s}) | (x[${r1 + 1}] << ${32 - s})`, `x[${r1 + 1}] >> ${s}`) : set(rd, `x[${r1 + 1}] >> ${s - 32}`, `x[${r1 + 1}] >> 31`)
}

function shiftReg(kind: 'l' | 'r' | 'a', rd: number, r1: number, r2: number): string {
  const cases = []
  for (const [cond, body] of [['s_ === 0', shiftImm(kind, rd, r1, 0)]] as const) cases.push(`if (${cond}) ${body}`)
  const lt = kind === 'l' ? set(rd, `x[${r1}] << s_`, `(x[${r1 + 1}] << s_) | (x[${r1}] >>> (32 - s_))`)
    : kind === 'r' ? set(rd, `(x[${r1}] >>> s_) | (x[${r1 + 1}] << (32 - s_))`, `x[${r1 + 1}] >>> s_`)
    : set(rd, `(x[${r1}] >>> s_) | (x[${r1 + 1}] << (32 - s_))`, `x[${r1 + 1}] >> s_`)
  const ge = kind === 'l' ? set(rd, '0', `x[${r1}] << (s_ - 32)`)
    : kind === 'r' ? set(rd, `x[${r1 + 1}] >>> (s_ - 32)`, '0')
    : set(rd, `x[${r1 + 1}] >> (s_ - 32)`, `x[${r1 + 1}] >> 31`)
  return `{ const s_ = x[${r2}] & 63; ${cases[0]} else if (s_ < 32) ${lt} else ${ge} }`
}

const lt = (r1: number, r2: number, signed: boolean): string => signed
  ? `(x[${r1 + 1}] < x[${r2 + 1}] || (x[${r1 + 1}] === x[${r2 + 1}] && (x[${r1}] >>> 0) < (x[${r2}] >>> 0)))`
  : `((x[${r1 + 1}] >>> 0) < (x[${r2 + 1}] >>> 0) || (x[${r1 + 1}] === x[${r2 + 1}] && (x[${r1}] >>> 0) < (x[${r2}] >>> 0)))`

const ltImm = (r1: number, imm: number, signed: boolean): string => {
  const ih = imm >> 31
  return signed
    ? `(x[${r1 + 1}] < ${ih} || (x[${r1 + 1}] === ${ih} && (x[${r1}] >>> 0) < ${imm >>> 0}))`
    : `((x[${r1 + 1}] >>> 0) < ${ih >>> 0} || (x[${r1 + 1}] === ${ih} && (x[${r1}] >>> 0) < ${imm >>> 0}))`
}

// Built on first use: execute.ts and this module import each other, so `Op` is not yet
// initialised while this module's top level runs.
let LOADS: Record<number, [number, boolean, string, string]>
let STORES: Record<number, [number, string]>
function tables(): void {
  LOADS = {
  [Op.LB]: [1, true, '(u8[o_] << 24) >> 24', 'v_ >> 31'],
  [Op.LBU]: [1, false, 'u8[o_]', '0'],
  [Op.LH]: [2, true, '(u16[o_ >> 1] << 16) >> 16', 'v_ >> 31'],
  [Op.LHU]: [2, false, 'u16[o_ >> 1]', '0'],
  [Op.LW]: [4, true, 'i32[o_ >> 2]', 'v_ >> 31'],
  [Op.LWU]: [4, false, 'i32[o_ >> 2]', '0'],
  [Op.LD]: [8, false, 'i32[o_ >> 2]', 'i32[(o_ >> 2) + 1]'],
  }
  STORES = {
  [Op.SB]: [1, 'u8[o_] = x[R2]'],
  [Op.SH]: [2, 'u16[o_ >> 1] = x[R2]'],
  [Op.SW]: [4, 'i32[o_ >> 2] = x[R2]'],
  [Op.SD]: [8, 'i32[o_ >> 2] = x[R2]; i32[(o_ >> 2) + 1] = x[R2 + 1]'],
  }
}

/** address computation shared by loads and stores */
const addr = (r1: number, imm: number): string =>
  `const a_ = x[${r1}]; const lo_ = (a_ + ${imm}) | 0; const hi_ = (x[${r1 + 1}] + ${imm >> 31} + ${carry('lo_', 'a_')}) | 0; const t_ = ((lo_ >>> 12) & 255) << 2;`

/**
 * Translate the block starting at slot `e` of the decoded page `dec` whose arena page offset is
 * `pageOff`. Returns null when the first instruction cannot start a block.
 */
export function translateBlock(h: RiscvHart, dec: Int32Array, pageOff: number, e: number): BlockFn | null {
  if (!LOADS) tables()
  const body: string[] = []
  let off = e // byte offset in page of the current instruction
  let n = 0
  const pcOf = (o: number): string => `((pcLo + ${o - e}) | 0)`
  const exit = (o: number, count: number): string => `h.pcLo = ${pcOf(o)}; h.pcHi = pcHi; return ${count}`
  while (n < MAX_BLOCK && off < 4096) {
    let w = dec[off]!
    if (w === 0) {
      // decode it now (the interpreter has not reached it yet); straddling instructions end the block
      const low = h.u16[(pageOff + off) >> 1]!
      if ((low & 3) === 3) {
        if (off === 4094) break
        decode32((low | (h.u16[((pageOff + off) >> 1) + 1]! << 16)) >>> 0, h.d)
        w = packSlot(h.d.op, h.d.regs, 4)
      } else {
        decode16(low, h.d)
        w = packSlot(h.d.op, h.d.regs, 2)
      }
      dec[off] = w
      dec[off + 1] = h.d.imm
    }
    const op = w & 127, len = 4 - ((w >> 6) & 2)
    const rd = (w >>> 8) & 127, r1 = (w >>> 15) & 127, r2 = (w >>> 22) & 127
    const imm = dec[off + 1]!
    const code = instruction(op, rd, r1, r2, imm, off, len, n + 1, pcOf, exit)
    if (code === null) break
    body.push(`// ${off.toString(16)}: op ${op}`, code.text)
    n++
    off += len
    if (code.ends) return compile(body, n)
  }
  if (n === 0) return null
  body.push(exit(off, n))
  return compile(body, n)
}

function compile(body: string[], _n: number): BlockFn {
  const src = `return function block(h, x, u8, u16, i32, rT, wT, pcLo, pcHi, el) {\n${body.join('\n')}\n}`
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- this is the translator
  return new Function(...HELPER_NAMES, src)(...HELPER_VALUES) as BlockFn
}

interface Emitted { text: string; ends: boolean }

function instruction(op: number, rd: number, r1: number, r2: number, imm: number, off: number, len: number, count: number,
  pcOf: (o: number) => string, exit: (o: number, count: number) => string): Emitted | null {
  const plain = (text: string): Emitted => ({ text, ends: false })
  const branch = (cond: string): Emitted => ({
    text: `if (${cond}) { const pc_ = ${pcOf(off)}; const lo_ = (pc_ + ${imm}) | 0; h.pcHi = (pcHi + ${imm >> 31} + ${carry('lo_', 'pc_')}) | 0; h.pcLo = lo_; return ${count} }\n${exit(off + len, count)}`,
    ends: true,
  })
  switch (op) {
    case Op.LUI: return plain(set(rd, String(imm), String(imm >> 31)))
    case Op.AUIPC: return plain(`{ const pc_ = ${pcOf(off)}; const lo_ = (pc_ + ${imm}) | 0; ${set(rd, 'lo_', `(pcHi + ${imm >> 31} + ${carry('lo_', 'pc_')}) | 0`)} }`)
    case Op.JAL: return {
      text: `{ const pc_ = ${pcOf(off)}; const ll_ = (pc_ + ${len}) | 0; const lo_ = (pc_ + ${imm}) | 0; const th_ = (pcHi + ${imm >> 31} + ${carry('lo_', 'pc_')}) | 0;
${set(rd, 'll_', `(pcHi + ${carry('ll_', 'pc_')}) | 0`)} h.pcLo = lo_; h.pcHi = th_; return ${count} }`,
      ends: true,
    }
    case Op.JALR: return {
      text: `{ const pc_ = ${pcOf(off)}; const a_ = x[${r1}]; const s_ = (a_ + ${imm}) | 0; const th_ = (x[${r1 + 1}] + ${imm >> 31} + ${carry('s_', 'a_')}) | 0;
const ll_ = (pc_ + ${len}) | 0; ${set(rd, 'll_', `(pcHi + ${carry('ll_', 'pc_')}) | 0`)} h.pcLo = s_ & -2; h.pcHi = th_; return ${count} }`,
      ends: true,
    }
    case Op.BEQ: return branch(`x[${r1}] === x[${r2}] && x[${r1 + 1}] === x[${r2 + 1}]`)
    case Op.BNE: return branch(`x[${r1}] !== x[${r2}] || x[${r1 + 1}] !== x[${r2 + 1}]`)
    case Op.BLT: return branch(lt(r1, r2, true))
    case Op.BGE: return branch(`!${lt(r1, r2, true)}`)
    case Op.BLTU: return branch(lt(r1, r2, false))
    case Op.BGEU: return branch(`!${lt(r1, r2, false)}`)
    case Op.ADDI: return plain(`{ const a_ = x[${r1}]; const lo_ = (a_ + ${imm}) | 0; ${set(rd, 'lo_', `(x[${r1 + 1}] + ${imm >> 31} + ${carry('lo_', 'a_')}) | 0`)} }`)
    case Op.SLTI: return plain(set(rd, `${ltImm(r1, imm, true)} ? 1 : 0`, '0'))
    case Op.SLTIU: return plain(set(rd, `${ltImm(r1, imm, false)} ? 1 : 0`, '0'))
    case Op.XORI: return plain(set(rd, `x[${r1}] ^ ${imm}`, `x[${r1 + 1}] ^ ${imm >> 31}`))
    case Op.ORI: return plain(set(rd, `x[${r1}] | ${imm}`, `x[${r1 + 1}] | ${imm >> 31}`))
    case Op.ANDI: return plain(set(rd, `x[${r1}] & ${imm}`, `x[${r1 + 1}] & ${imm >> 31}`))
    case Op.SLLI: return plain(shiftImm('l', rd, r1, imm))
    case Op.SRLI: return plain(shiftImm('r', rd, r1, imm))
    case Op.SRAI: return plain(shiftImm('a', rd, r1, imm))
    case Op.ADD: return plain(`{ const a_ = x[${r1}]; const lo_ = (a_ + x[${r2}]) | 0; ${set(rd, 'lo_', `(x[${r1 + 1}] + x[${r2 + 1}] + ${carry('lo_', 'a_')}) | 0`)} }`)
    case Op.SUB: return plain(`{ const a_ = x[${r1}], b_ = x[${r2}]; ${set(rd, '(a_ - b_) | 0', `(x[${r1 + 1}] - x[${r2 + 1}] - ((a_ >>> 0) < (b_ >>> 0) ? 1 : 0)) | 0`)} }`)
    case Op.SLL: return plain(shiftReg('l', rd, r1, r2))
    case Op.SRL: return plain(shiftReg('r', rd, r1, r2))
    case Op.SRA: return plain(shiftReg('a', rd, r1, r2))
    case Op.SLT: return plain(set(rd, `${lt(r1, r2, true)} ? 1 : 0`, '0'))
    case Op.SLTU: return plain(set(rd, `${lt(r1, r2, false)} ? 1 : 0`, '0'))
    case Op.XOR: return plain(set(rd, `x[${r1}] ^ x[${r2}]`, `x[${r1 + 1}] ^ x[${r2 + 1}]`))
    case Op.OR: return plain(set(rd, `x[${r1}] | x[${r2}]`, `x[${r1 + 1}] | x[${r2 + 1}]`))
    case Op.AND: return plain(set(rd, `x[${r1}] & x[${r2}]`, `x[${r1 + 1}] & x[${r2 + 1}]`))
    case Op.ADDIW: return plain(set32(rd, `(x[${r1}] + ${imm}) | 0`))
    case Op.SLLIW: return plain(set32(rd, `x[${r1}] << ${imm}`))
    case Op.SRLIW: return plain(set32(rd, `(x[${r1}] >>> ${imm}) | 0`))
    case Op.SRAIW: return plain(set32(rd, `x[${r1}] >> ${imm}`))
    case Op.ADDW: return plain(set32(rd, `(x[${r1}] + x[${r2}]) | 0`))
    case Op.SUBW: return plain(set32(rd, `(x[${r1}] - x[${r2}]) | 0`))
    case Op.SLLW: return plain(set32(rd, `x[${r1}] << (x[${r2}] & 31)`))
    case Op.SRLW: return plain(set32(rd, `(x[${r1}] >>> (x[${r2}] & 31)) | 0`))
    case Op.SRAW: return plain(set32(rd, `x[${r1}] >> (x[${r2}] & 31)`))
    case Op.MUL: return plain(`{ const a_ = x[${r1}], b_ = x[${r2}]; ${set(rd, 'Math.imul(a_, b_)', `(mulhu32(a_, b_) + Math.imul(a_, x[${r2 + 1}]) + Math.imul(x[${r1 + 1}], b_)) | 0`)} }`)
    case Op.MULW: return plain(set32(rd, `Math.imul(x[${r1}], x[${r2}])`))
    case Op.MULH: case Op.MULHSU: case Op.MULHU: {
      const fn = op === Op.MULH ? 'mulh64' : op === Op.MULHSU ? 'mulhsu64' : 'mulhu64'
      return plain(`${fn}(h.r64, x[${r1}], x[${r1 + 1}], x[${r2}], x[${r2 + 1}]); ${set(rd, 'h.r64[0]', 'h.r64[1]')}`)
    }
    case Op.DIV: case Op.DIVU: case Op.REM: case Op.REMU: {
      const signed = op === Op.DIV || op === Op.REM, rem = op === Op.REM || op === Op.REMU
      return plain(`div64(h.r64, x[${r1}], x[${r1 + 1}], x[${r2}], x[${r2 + 1}], ${signed}, ${rem}); ${set(rd, 'h.r64[0]', 'h.r64[1]')}`)
    }
    case Op.DIVW: case Op.DIVUW: case Op.REMW: case Op.REMUW: {
      const signed = op === Op.DIVW || op === Op.REMW, rem = op === Op.REMW || op === Op.REMUW
      return plain(`div32(h.r64, x[${r1}], x[${r2}], ${signed}, ${rem}); ${set(rd, 'h.r64[0]', 'h.r64[1]')}`)
    }
    case Op.FENCE: return plain('')
  }
  const ld = LOADS[op]
  if (ld) {
    const [size, signed, lo, hi] = ld
    const align = size > 1 ? ` && (lo_ & ${size - 1}) === 0` : ''
    return plain(`{ ${addr(r1, imm)}
if (rT[t_] === (lo_ & -4096) && rT[t_ + 1] === hi_${align}) { const o_ = rT[t_ + 2] + (lo_ & 4095); const v_ = ${lo}; x[${rd}] = v_; x[${rd + 1}] = ${hi} }
else { h.pcLo = ${pcOf(off)}; h.pcHi = pcHi; h.elapsed = el + ${count}; if (!h.loadMiss(lo_, hi_, ${size}, ${signed}, ${rd})) return ${count}; if (h.brk) { ${exit(off + len, count)} } } }`)
  }
  const st = STORES[op]
  if (st) {
    const [size, store] = st
    const align = size > 1 ? ` && (lo_ & ${size - 1}) === 0` : ''
    return plain(`{ ${addr(r1, imm)}
if (wT[t_] === (lo_ & -4096) && wT[t_ + 1] === hi_${align}) { const o_ = wT[t_ + 2] + (lo_ & 4095); ${store.replace(/R2/g, String(r2))} }
else { h.pcLo = ${pcOf(off)}; h.pcHi = pcHi; h.elapsed = el + ${count}; if (!h.storeMiss(lo_, hi_, ${size}, x[${r2}], x[${r2 + 1}])) return ${count}; if (h.brk) { ${exit(off + len, count)} } } }`)
  }
  return null // rare: the interpreter executes it
}
