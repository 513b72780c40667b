/**
 * Physical memory protection (priv 1.12 §3.7), as QEMU's virt machine has it: entries in
 * pmpcfg0/2/… and pmpaddr0…; the lowest-numbered entry that matches any byte of an access decides
 * it — it must cover the whole access and grant the kind (for M-mode only when locked); with no
 * match, M-mode may and S/U-mode may not. Checked where a translation ends (mmu.ts), so the TLBs
 * only ever hold pages a check passed; a page some entry covers only in part is never cached.
 *
 * The active entries are decoded into `regions` when a PMP CSR is written (csr.ts), not per access.
 */
import { CSR, PRV_M } from './csr-defs.ts'
import type { RiscvHart } from './hart.ts'

export const PMP_ENTRIES = 64
const R = 1, W = 2, X = 4, L = 0x80
const A_TOR = 1, A_NA4 = 2, A_NAPOT = 3

/** one active entry: bytes [lo, hi) and its cfg byte */
export interface PmpRegion { lo: number; hi: number; cfg: number }

/** cfg byte of entry i (RV64: pmpcfg0 holds entries 0-7, pmpcfg2 8-15, …) */
export function pmpCfg(h: RiscvHart, i: number): number {
  const n = CSR.pmpcfg0 + 2 * (i >> 3)
  const word = h.c[n * 2 + ((i & 7) >> 2)]!
  return (word >>> ((i & 3) * 8)) & 0xff
}

/** pmpaddr i as a byte address (bits 55:2 of the address, shifted back); BigInt: it may need 56 bits */
function pmpAddr(h: RiscvHart, i: number): bigint {
  const n = CSR.pmpaddr0 + i
  return ((BigInt(h.c[n * 2 + 1]! & 0x3fffff) << 32n) | BigInt(h.c[n * 2]! >>> 0)) << 2n
}

/**
 * Decode the active entries (after a write to any PMP CSR). Bounds become doubles: physical
 * addresses a machine here has are below 2^53, and a bound above that (a NAPOT entry over
 * everything) only has to compare greater than all of them.
 */
export function pmpDecode(h: RiscvHart): PmpRegion[] {
  const out: PmpRegion[] = []
  for (let i = 0; i < PMP_ENTRIES; i++) {
    const cfg = pmpCfg(h, i)
    const a = (cfg >> 3) & 3
    if (a === 0) continue
    const addr = pmpAddr(h, i)
    if (a === A_TOR) out.push({ lo: i === 0 ? 0 : Number(pmpAddr(h, i - 1)), hi: Number(addr), cfg })
    else if (a === A_NA4) out.push({ lo: Number(addr), hi: Number(addr) + 4, cfg })
    else {
      // NAPOT: the trailing ones of pmpaddr give the size, 2^(ones + 3) bytes
      const word = addr >> 2n
      let ones = 0n
      while (ones < 54n && ((word >> ones) & 1n) === 1n) ones++
      const size = 1n << (ones + 3n)
      const lo = (addr / size) * size
      out.push({ lo: Number(lo), hi: Number(lo + size), cfg })
    }
  }
  return out
}

/** Whether pmpcfg entry i, or (for TOR) the entry above it, locks pmpaddr i against writes. */
export function pmpAddrLocked(h: RiscvHart, i: number): boolean {
  if (pmpCfg(h, i) & L) return true
  return i + 1 < PMP_ENTRIES && (pmpCfg(h, i + 1) & L) !== 0 && ((pmpCfg(h, i + 1) >> 3) & 3) === A_TOR
}

/** pmpcfg word `lo`/`hi` as written, with locked entries' bytes kept as they were */
export function pmpCfgWrite(h: RiscvHart, n: number, lo: number, hi: number): [number, number] {
  const first = ((n - CSR.pmpcfg0) >> 1) * 8
  const words = [lo, hi]
  for (let k = 0; k < 8; k++) {
    if (!(pmpCfg(h, first + k) & L)) continue
    const w = k >> 2, shift = (k & 3) * 8
    const old = h.c[n * 2 + w]!
    words[w] = (words[w]! & ~(0xff << shift)) | (old & (0xff << shift))
  }
  return [words[0]!, words[1]!]
}

export const PMP_DENY = -1, PMP_OK = 0, PMP_OK_PAGE = 1

/**
 * May privilege `prv` make access `acc` (0 fetch, 1 load, 2 store) of `size` bytes at physical
 * `pa`? PMP_OK_PAGE when the whole page holding `pa` has the same answer (it may be cached).
 */
export function pmpCheck(h: RiscvHart, pa: number, size: number, acc: number, prv: number): number {
  const regions = h.pmp
  const page = pa - (pa % 4096)
  let uniform = true
  for (let i = 0; i < regions.length; i++) {
    const r = regions[i]!
    if (r.hi <= page || r.lo >= page + 4096) continue
    if (r.lo > page || r.hi < page + 4096) uniform = false
    if (r.hi <= pa || r.lo >= pa + size) continue // this entry does not match the access
    if (r.lo > pa || r.hi < pa + size) return PMP_DENY // matches only part of it
    if (prv === PRV_M && !(r.cfg & L)) return uniform ? PMP_OK_PAGE : PMP_OK
    const need = acc === 0 ? X : acc === 1 ? R : W
    if (!(r.cfg & need)) return PMP_DENY
    return uniform ? PMP_OK_PAGE : PMP_OK
  }
  if (prv !== PRV_M) return PMP_DENY
  return uniform ? PMP_OK_PAGE : PMP_OK
}
