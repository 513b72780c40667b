/**
 * 64-bit integer arithmetic on (hi, lo) int32 halves, without BigInt on the common paths.
 * Results go to the caller's `out` array ([lo, hi]) so nothing allocates.
 */

/** high 32 bits of the unsigned 64-bit product of two uint32 */
export function mulhu32(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16
  const t = a0 * b0
  const m1 = a1 * b0 + (t >>> 16)
  const m2 = a0 * b1 + (m1 & 0xffff)
  return (a1 * b1 + (m1 >>> 16) + (m2 >>> 16)) | 0
}

/** low 64 bits of a × b */
export function mul64(out: Int32Array, alo: number, ahi: number, blo: number, bhi: number): void {
  out[0] = Math.imul(alo, blo)
  out[1] = (mulhu32(alo, blo) + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0
}

/** high 64 bits of the unsigned 128-bit product */
export function mulhu64(out: Int32Array, alo: number, ahi: number, blo: number, bhi: number): void {
  // (ahi·2^32 + alo)(bhi·2^32 + blo): sum the four 64-bit partial products by 32-bit columns
  const ll_hi = mulhu32(alo, blo) >>> 0
  const lh_lo = Math.imul(alo, bhi) >>> 0, lh_hi = mulhu32(alo, bhi) >>> 0
  const hl_lo = Math.imul(ahi, blo) >>> 0, hl_hi = mulhu32(ahi, blo) >>> 0
  const hh_lo = Math.imul(ahi, bhi) >>> 0, hh_hi = mulhu32(ahi, bhi) >>> 0
  const col1 = ll_hi + lh_lo + hl_lo // < 3·2^32, exact in a double
  const c1 = Math.floor(col1 / 4294967296)
  const col2 = lh_hi + hl_hi + hh_lo + c1
  const c2 = Math.floor(col2 / 4294967296)
  out[0] = col2 | 0
  out[1] = (hh_hi + c2) | 0
}

/** signed × signed high 64 */
export function mulh64(out: Int32Array, alo: number, ahi: number, blo: number, bhi: number): void {
  mulhu64(out, alo, ahi, blo, bhi)
  if (ahi < 0) sub64(out, out[0]!, out[1]!, blo, bhi)
  if (bhi < 0) sub64(out, out[0]!, out[1]!, alo, ahi)
}

/** signed × unsigned high 64 */
export function mulhsu64(out: Int32Array, alo: number, ahi: number, blo: number, bhi: number): void {
  mulhu64(out, alo, ahi, blo, bhi)
  if (ahi < 0) sub64(out, out[0]!, out[1]!, blo, bhi)
}

export function sub64(out: Int32Array, alo: number, ahi: number, blo: number, bhi: number): void {
  const lo = (alo - blo) | 0
  out[0] = lo
  out[1] = (ahi - bhi - ((alo >>> 0) < (blo >>> 0) ? 1 : 0)) | 0
}

export function toBig(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo >>> 0)
}

export function toBigU(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)
}

export function fromBig(out: Int32Array, v: bigint): void {
  out[0] = Number(BigInt.asIntN(32, v))
  out[1] = Number(BigInt.asIntN(32, v >> 32n))
}

const fitsI32 = (lo: number, hi: number): boolean => hi === lo >> 31

/** RISC-V DIV/REM semantics (M extension §7.2): x/0 = -1, x%0 = x, MIN/-1 = MIN, MIN%-1 = 0 */
export function div64(out: Int32Array, alo: number, ahi: number, blo: number, bhi: number, signed: boolean, rem: boolean): void {
  if ((blo | bhi) === 0) {
    if (rem) { out[0] = alo; out[1] = ahi } else { out[0] = -1; out[1] = -1 }
    return
  }
  if (signed && fitsI32(alo, ahi) && fitsI32(blo, bhi)) {
    // exact in doubles: |a|, |b| ≤ 2^31
    const r = rem ? alo % blo : Math.trunc(alo / blo)
    out[0] = r | 0
    out[1] = r < 0 ? -1 : r >= 2147483648 ? 0 : (r | 0) >> 31
    return
  }
  if (!signed && ahi === 0 && bhi === 0) {
    const a = alo >>> 0, b = blo >>> 0
    const r = rem ? a % b : Math.floor(a / b)
    out[0] = r | 0
    out[1] = 0
    return
  }
  const a = signed ? toBig(alo, ahi) : toBigU(alo, ahi)
  const b = signed ? toBig(blo, bhi) : toBigU(blo, bhi)
  // signed MIN / -1 overflows to MIN (and % gives 0): BigInt gives 2^63, which wraps to MIN below
  fromBig(out, rem ? a % b : a / b)
}

/** 32-bit W forms: operate on the low halves, result sign-extended */
export function div32(out: Int32Array, a: number, b: number, signed: boolean, rem: boolean): void {
  let r: number
  if (b === 0) r = rem ? a : -1
  else if (signed) r = rem ? a % b : Math.trunc(a / b) // MIN/-1 = 2^31 → |0 wraps to MIN
  else r = rem ? (a >>> 0) % (b >>> 0) : Math.floor((a >>> 0) / (b >>> 0))
  out[0] = r | 0
  out[1] = (r | 0) >> 31
}
