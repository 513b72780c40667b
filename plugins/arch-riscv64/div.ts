/**
 * RISC-V integer division (M extension, unprivileged 20191213 §7.2) on (lo, hi) int32 halves:
 * the ISA defines division by zero and signed overflow instead of trapping, so these are the
 * arch's, beside the shared 64-bit helpers (core/cpu/int64.ts) they use.
 */
import { fromBig, toBig, toBigU } from '../../core/cpu/int64.ts'

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
