/**
 * 64-bit integer arithmetic on (hi, lo) int32 halves, without BigInt on the common paths.
 * Results go to the caller's `out` array ([lo, hi]) so nothing allocates. Shared by the arch
 * plugins; division, whose corner cases (by zero, overflow) each ISA defines its own way, is not
 * here but in each arch.
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
  out[1] = (((mulhu32(alo, blo) + Math.imul(alo, bhi)) | 0) + Math.imul(ahi, blo)) | 0
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

/**
 * x[i], x[i + 1] ← the low and high words of v (a register pair). Results written from BigInts
 * (firmware and hypercall returns) are small numbers almost always: split those without BigInt
 * arithmetic (exact below 2^53).
 */
export function setPair(x: Int32Array, i: number, v: bigint): void {
  const d = Number(v)
  if (Number.isSafeInteger(d)) {
    x[i] = d | 0
    x[i + 1] = Math.floor(d / 4294967296) | 0
    return
  }
  x[i] = Number(BigInt.asIntN(32, v))
  x[i + 1] = Number(BigInt.asIntN(32, v >> 32n))
}

export function fromBig(out: Int32Array, v: bigint): void {
  out[0] = Number(BigInt.asIntN(32, v))
  out[1] = Number(BigInt.asIntN(32, v >> 32n))
}
