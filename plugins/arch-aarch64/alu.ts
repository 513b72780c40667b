/**
 * A64 integer data processing on (lo, hi) int32 pairs, for the execute loop: operand-2 shifts
 * and extends, AddWithCarry and its flags, bitfields, the 1- and 2-source ops, multiply-add and
 * division. Every function writes its result into an Int32Array (a register file or scratch) at
 * an index, so nothing allocates; pseudocode names are the Arm ARM's (DDI 0487, J1 shared
 * pseudocode). W forms compute on the low word and write a zero high word (C1.2.5: a write to a
 * W register zeroes bits 63..32).
 */
import { mul64, mulhu32, mulhu64, mulh64, toBig, toBigU, fromBig } from '../../core/cpu/int64.ts'
import { EX_AMT_SHIFT, EX_OPT_SHIFT, EX_SF, K_ASR, K_EXT, K_LSL, K_LSR } from './decode.ts'

const TWO32 = 4294967296

// ---------------------------------------------------------------- shifts (64-bit)

export function lsl64(o: Int32Array, i: number, lo: number, hi: number, s: number): void {
  if (s === 0) { o[i] = lo; o[i + 1] = hi }
  else if (s < 32) { o[i + 1] = (hi << s) | (lo >>> (32 - s)); o[i] = lo << s }
  else { o[i + 1] = lo << (s - 32); o[i] = 0 }
}
export function lsr64(o: Int32Array, i: number, lo: number, hi: number, s: number): void {
  if (s === 0) { o[i] = lo; o[i + 1] = hi }
  else if (s < 32) { o[i] = (lo >>> s) | (hi << (32 - s)); o[i + 1] = hi >>> s }
  else { o[i] = hi >>> (s - 32); o[i + 1] = 0 }
}
export function asr64(o: Int32Array, i: number, lo: number, hi: number, s: number): void {
  if (s === 0) { o[i] = lo; o[i + 1] = hi }
  else if (s < 32) { o[i] = (lo >>> s) | (hi << (32 - s)); o[i + 1] = hi >> s }
  else { o[i] = hi >> (s - 32); o[i + 1] = hi >> 31 }
}
export function ror64(o: Int32Array, i: number, lo: number, hi: number, s: number): void {
  if (s >= 32) { const t = lo; lo = hi; hi = t; s -= 32 }
  if (s === 0) { o[i] = lo; o[i + 1] = hi; return }
  o[i] = (lo >>> s) | (hi << (32 - s))
  o[i + 1] = (hi >>> s) | (lo << (32 - s))
}

/**
 * Operand 2 of an ALU op in its shifted (ShiftReg) or extended (ExtendReg) form, into o[0..1]
 * (C6.2: "shifted register" and "extended register" operands). `ex` is the slot's ex word.
 */
export function operand2(o: Int32Array, lo: number, hi: number, ex: number): void {
  const kind = ex & 7, amt = (ex >>> EX_AMT_SHIFT) & 63
  if (kind === K_EXT) {
    const option = (ex >>> EX_OPT_SHIFT) & 7
    extendReg(o, lo, hi, option, amt)
    return
  }
  if ((ex & EX_SF) !== 0) {
    if (kind === K_LSL) lsl64(o, 0, lo, hi, amt)
    else if (kind === K_LSR) lsr64(o, 0, lo, hi, amt)
    else if (kind === K_ASR) asr64(o, 0, lo, hi, amt)
    else ror64(o, 0, lo, hi, amt)
    return
  }
  // W forms shift within 32 bits (amt < 32, checked at decode)
  let v: number
  if (kind === K_LSL) v = lo << amt
  else if (kind === K_LSR) v = lo >>> amt
  else if (kind === K_ASR) v = lo >> amt
  else v = amt === 0 ? lo : (lo >>> amt) | (lo << (32 - amt))
  o[0] = v | 0
  o[1] = 0
}

/** ExtendReg: option 0..7 = UXTB UXTH UXTW UXTX SXTB SXTH SXTW SXTX, then LSL by `amt` (0..4) */
export function extendReg(o: Int32Array, lo: number, hi: number, option: number, amt: number): void {
  let l: number, h: number
  switch (option) {
    case 0: l = lo & 0xff; h = 0; break
    case 1: l = lo & 0xffff; h = 0; break
    case 2: l = lo; h = 0; break
    case 4: l = (lo << 24) >> 24; h = l >> 31; break
    case 5: l = (lo << 16) >> 16; h = l >> 31; break
    case 6: l = lo; h = lo >> 31; break
    default: l = lo; h = hi
  }
  lsl64(o, 0, l, h, amt)
}

// ---------------------------------------------------------------- AddWithCarry (J1.1.3)

/**
 * The carry out of the 32-bit add that gave `sum` from `a` (+ anything + `cin`): the sum wrapped
 * below `a` — or to `a` itself when a carry came in. All int32 arithmetic: written as a sum of
 * unsigned halves compared with 2^32, it ran in doubles (and, inlined into the execute loop,
 * loaded the 2^32 constant from the module context at every use).
 */
const carry = (a: number, sum: number, cin: number): number =>
  (cin === 0 ? (sum >>> 0) < (a >>> 0) : (sum >>> 0) <= (a >>> 0)) ? 1 : 0

/** x + y + cin into o[i..i+1], 64-bit, no flags */
export function add64(o: Int32Array, i: number, alo: number, ahi: number, blo: number, bhi: number, cin: number): void {
  const lo = (alo + blo + cin) | 0
  o[i + 1] = (ahi + bhi + carry(alo, lo, cin)) | 0
  o[i] = lo
}

/**
 * A 0/1 option of the helpers below (64-bit, signed, subtract), a number rather than a boolean:
 * the execute loop passes `(ex >>> k) & 1`. Booleans computed there were hoisted by TurboFan
 * above the loop's switch (one shared value for every case that passes one) and held as tagged
 * true/false objects, loaded and spilled on every instruction.
 */
export type Flag = number

/** AddWithCarry with flags: result into o[i..i+1], NZCV returned packed (bits 31..28) */
export function adds64(o: Int32Array, i: number, alo: number, ahi: number, blo: number, bhi: number, cin: number): number {
  const lo = (alo + blo + cin) | 0
  const c0 = carry(alo, lo, cin)
  const hi = (ahi + bhi + c0) | 0
  o[i] = lo
  o[i + 1] = hi
  // C: unsigned carry out of bit 63; V: operands of one sign and a result of the other
  const c = carry(ahi, hi, c0)
  const v = ((ahi ^ hi) & (bhi ^ hi)) < 0 ? 1 : 0
  return (hi & (1 << 31)) | ((lo | hi) === 0 ? 1 << 30 : 0) | (c << 29) | (v << 28)
}

/** the 32-bit AddWithCarry: result zero-extended into o[i..i+1], NZCV returned */
export function adds32(o: Int32Array, i: number, a: number, b: number, cin: number): number {
  const r = (a + b + cin) | 0
  o[i] = r
  o[i + 1] = 0
  const c = carry(a, r, cin)
  const v = ((a ^ r) & (b ^ r)) < 0 ? 1 : 0
  return (r & (1 << 31)) | (r === 0 ? 1 << 30 : 0) | (c << 29) | (v << 28)
}

/** NZCV of a logical op's result (C and V cleared) */
export function logicFlags(lo: number, hi: number): number {
  return (hi & (1 << 31)) | ((lo | hi) === 0 ? 1 << 30 : 0)
}

// ---------------------------------------------------------------- bitfields (C6.2.29 BFM, SBFM, UBFM)

/** Ones(n) for n in 0..64 into (lo, hi) */
function onesLo(n: number): number { return n >= 32 ? -1 : (1 << n) - 1 }
function onesHi(n: number): number { return n <= 32 ? 0 : n === 64 ? -1 : (1 << (n - 32)) - 1 }

const t64 = new Int32Array(2)

/**
 * BFM/SBFM/UBFM (`kind` 0 SBFM, 1 BFM, 2 UBFM) from (immr, imms). DecodeBitMasks' wmask/tmask
 * reduce to two shapes: imms >= immr extracts bits [imms:immr] to the bottom; imms < immr
 * inserts bits [imms:0] at datasize - immr. SBFM extends the field's top bit, BFM keeps the
 * destination's other bits, UBFM zeroes them.
 */
export function bitfield(o: Int32Array, rd: number, sLo: number, sHi: number, dLo: number, dHi: number, kind: number, immr: number, imms: number, sf: Flag): void {
  const size = sf ? 64 : 32
  let width: number, lsb: number
  if (imms >= immr) {
    width = imms - immr + 1
    lsb = 0
    if (sf) lsr64(t64, 0, sLo, sHi, immr)
    else { t64[0] = sLo >>> immr; t64[1] = 0 }
  } else {
    width = imms + 1
    lsb = size - immr
    t64[0] = sLo
    t64[1] = sf ? sHi : 0
  }
  // the field, its bits above width cleared
  let fLo = t64[0]! & onesLo(width), fHi = t64[1]! & onesHi(width)
  if (kind === 0 && width < size) {
    // sign-extend from bit width-1
    const neg = width <= 32 ? (fLo >>> (width - 1)) & 1 : (fHi >>> (width - 33)) & 1
    if (neg === 1) { fLo |= ~onesLo(width); fHi |= ~onesHi(width) }
  }
  // into place
  lsl64(t64, 0, fLo, fHi, lsb)
  let rLo = t64[0]!, rHi = t64[1]!
  if (kind === 1) {
    // BFM: keep the destination outside bits [lsb + width - 1 : lsb]
    lsl64(t64, 0, onesLo(width), onesHi(width), lsb)
    rLo = (rLo & t64[0]!) | (dLo & ~t64[0]!)
    rHi = (rHi & t64[1]!) | (dHi & ~t64[1]!)
  }
  if (!sf) rHi = 0
  o[rd] = rLo | 0
  o[rd + 1] = rHi | 0
}

/** EXTR: (n:m) >> lsb, the low datasize bits (ROR when n = m) */
export function extr(o: Int32Array, rd: number, nLo: number, nHi: number, mLo: number, mHi: number, lsb: number, sf: Flag): void {
  if (!sf) {
    o[rd] = lsb === 0 ? mLo : (mLo >>> lsb) | (nLo << (32 - lsb))
    o[rd + 1] = 0
    return
  }
  if (lsb === 0) { o[rd] = mLo; o[rd + 1] = mHi; return }
  // 128-bit n:m shifted right by lsb: take words from (m.lo, m.hi, n.lo, n.hi)
  const w0 = lsb >= 32 ? mHi : mLo, w1 = lsb >= 32 ? nLo : mHi, w2 = lsb >= 32 ? nHi : nLo
  const s = lsb & 31
  if (s === 0) { o[rd] = w0; o[rd + 1] = w1; return }
  o[rd] = (w0 >>> s) | (w1 << (32 - s))
  o[rd + 1] = (w1 >>> s) | (w2 << (32 - s))
}

// ---------------------------------------------------------------- 2-source: variable shifts, division

/** LSLV/LSRV/ASRV/RORV (`type` 0..3): the shift amount is Rm modulo the datasize */
export function shiftv(o: Int32Array, rd: number, lo: number, hi: number, amount: number, type: number, sf: Flag): void {
  if (sf) {
    const s = amount & 63
    if (type === 0) lsl64(o, rd, lo, hi, s)
    else if (type === 1) lsr64(o, rd, lo, hi, s)
    else if (type === 2) asr64(o, rd, lo, hi, s)
    else ror64(o, rd, lo, hi, s)
    return
  }
  const s = amount & 31
  o[rd] = type === 0 ? lo << s : type === 1 ? lo >>> s : type === 2 ? lo >> s : s === 0 ? lo : (lo >>> s) | (lo << (32 - s))
  o[rd + 1] = 0
}

/** UDIV/SDIV (C6.2.388, C6.2.265): division by zero gives 0, MIN / -1 gives MIN; rounds toward zero */
export function div(o: Int32Array, rd: number, alo: number, ahi: number, blo: number, bhi: number, signed: Flag, sf: Flag): void {
  if (!sf) {
    let r: number
    if (blo === 0) r = 0
    else if (signed) r = Math.trunc(alo / blo) // MIN / -1 = 2^31, which | 0 wraps to MIN
    else r = Math.floor((alo >>> 0) / (blo >>> 0))
    o[rd] = r | 0
    o[rd + 1] = 0
    return
  }
  if ((blo | bhi) === 0) { o[rd] = 0; o[rd + 1] = 0; return }
  if (!signed && ahi === 0 && bhi === 0) {
    o[rd] = Math.floor((alo >>> 0) / (blo >>> 0)) | 0
    o[rd + 1] = 0
    return
  }
  if (signed && ahi === alo >> 31 && bhi === blo >> 31) {
    const r = Math.trunc(alo / blo) // |a|, |b| <= 2^31: exact; MIN/-1 = 2^31 fits 64 bits
    o[rd] = r | 0
    o[rd + 1] = r < 0 ? -1 : Math.floor(r / TWO32)
    return
  }
  // the rare wide case
  const a = signed ? toBig(alo, ahi) : toBigU(alo, ahi)
  const b = signed ? toBig(blo, bhi) : toBigU(blo, bhi)
  fromBig(r64, a / b)
  o[rd] = r64[0]!
  o[rd + 1] = r64[1]!
}
const r64 = new Int32Array(2)

// ---------------------------------------------------------------- 1-source (C6.2.255 RBIT, REV*, CLZ, CLS)

function rbit32(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1)
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2)
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4)
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8)
  return (v >>> 16) | (v << 16)
}
const bswap32 = (v: number): number => ((v >>> 24) | ((v >>> 8) & 0xff00) | ((v & 0xff00) << 8) | (v << 24)) | 0
const rev16 = (v: number): number => (((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8)) | 0
const cls32 = (v: number): number => Math.clz32(v ^ (v >> 31)) - 1

/** `sub`: 0 RBIT, 1 REV16, 2 REV32 (REV of a W register), 3 REV (64-bit), 4 CLZ, 5 CLS */
export function dp1(o: Int32Array, rd: number, lo: number, hi: number, sub: number, sf: Flag): void {
  if (!sf) {
    o[rd] = sub === 0 ? rbit32(lo) : sub === 1 ? rev16(lo) : sub === 2 ? bswap32(lo) : sub === 4 ? Math.clz32(lo) : cls32(lo)
    o[rd + 1] = 0
    return
  }
  let rl: number, rh: number
  switch (sub) {
    case 0: rl = rbit32(hi); rh = rbit32(lo); break
    case 1: rl = rev16(lo); rh = rev16(hi); break
    case 2: rl = bswap32(lo); rh = bswap32(hi); break
    case 3: rl = bswap32(hi); rh = bswap32(lo); break
    case 4: rl = hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo); rh = 0; break
    default: {
      // CLS: leading bits equal to the sign bit, not counting it
      const s = hi >> 31
      rl = (hi ^ s) !== 0 ? Math.clz32(hi ^ s) - 1 : 31 + Math.clz32(lo ^ s)
      rh = 0
    }
  }
  o[rd] = rl
  o[rd + 1] = rh
}

// ---------------------------------------------------------------- 3-source

const m64 = new Int32Array(2)

/** MADD/MSUB (`sub`): a ± n × m, 64- or 32-bit */
export function madd(o: Int32Array, rd: number, nLo: number, nHi: number, mLo: number, mHi: number, aLo: number, aHi: number, sub: Flag, sf: Flag): void {
  if (!sf) {
    const p = Math.imul(nLo, mLo)
    o[rd] = sub ? (aLo - p) | 0 : (aLo + p) | 0
    o[rd + 1] = 0
    return
  }
  mul64(m64, nLo, nHi, mLo, mHi)
  let pl = m64[0]!, ph = m64[1]!
  if (sub) { ph = ~ph; pl = ~pl; add64(o, rd, aLo, aHi, pl, ph, 1) } // a + NOT(p) + 1 = a - p
  else add64(o, rd, aLo, aHi, pl, ph, 0)
}

/** SMADDL/SMSUBL/UMADDL/UMSUBL: a ± (32 × 32 → 64) */
export function maddl(o: Int32Array, rd: number, n: number, m: number, aLo: number, aHi: number, sub: Flag, signed: Flag): void {
  const pl = Math.imul(n, m)
  let ph = mulhu32(n, m)
  if (signed) {
    // signed high word from the unsigned one: subtract the other operand for each negative one
    if (n < 0) ph = (ph - m) | 0
    if (m < 0) ph = (ph - n) | 0
  }
  if (sub) add64(o, rd, aLo, aHi, ~pl, ~ph, 1)
  else add64(o, rd, aLo, aHi, pl, ph, 0)
}

/** SMULH/UMULH: the high 64 bits of the 128-bit product */
export function mulh(o: Int32Array, rd: number, nLo: number, nHi: number, mLo: number, mHi: number, signed: Flag): void {
  if (signed) mulh64(m64, nLo, nHi, mLo, mHi)
  else mulhu64(m64, nLo, nHi, mLo, mHi)
  o[rd] = m64[0]!
  o[rd + 1] = m64[1]!
}

// ---------------------------------------------------------------- CRC32 (C6.2.72): reflected, no final XOR

const CRC_TABLES = [0xedb88320, 0x82f63b78].map((poly) => {
  const t = new Int32Array(256)
  for (let i = 0; i < 256; i++) {
    let c = i
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1
    t[i] = c
  }
  return t
})

/** CRC32{B,H,W,X} (`c` 0) and CRC32C* (`c` 1): `size` log2 bytes of the value */
export function crc32(acc: number, lo: number, hi: number, size: number, c: number): number {
  const t = CRC_TABLES[c]!
  const n = 1 << size
  for (let i = 0; i < n; i++) {
    const b = i < 4 ? (lo >>> (8 * i)) & 0xff : (hi >>> (8 * (i - 4))) & 0xff
    acc = t[(acc ^ b) & 0xff]! ^ (acc >>> 8)
  }
  return acc | 0
}
