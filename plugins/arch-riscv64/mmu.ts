/**
 * Address translation: Sv39 (priv 1.12 §4.4), and with V=1 the two-stage walk of the H extension
 * (§8.5): VS-stage Sv39 under vsatp, whose every page-table access is itself translated by the
 * G-stage Sv39x4 under hgatp. Accessed/dirty bits are updated by the walker, as QEMU does.
 *
 * `translate` returns the physical address, or -1 after raising the fault on the hart, or
 * EMULATED. When the hypervisor core runs (it plays HS-mode natively), the G-stage is its
 * stage-2 map (`h.stage2`) instead of page tables under hgatp.
 */
import { CSR, EXC, HS, MS, PRV_M, PRV_S, PRV_U } from './csr-defs.ts'
import type { RiscvHart } from './hart.ts'
import { PMP_DENY, PMP_OK_PAGE, pmpCheck } from './pmp.ts'
import { raise } from './trap.ts'
import { S2_R, S2_W, S2_X } from '../../core/hypervisor/stage2.ts'

export const ACC_FETCH = 0, ACC_LOAD = 1, ACC_STORE = 2
/** translate's answer for a guest-physical address served by an emulated device (h.emu, h.emuOff) */
export const EMULATED = -2
/** hypervisor load/store flavours */
export const HLV_NONE = 0, HLV = 1, HLVX = 2

const PAGE_FAULT = [EXC.INSN_PAGE, EXC.LOAD_PAGE, EXC.STORE_PAGE]
const GUEST_FAULT = [EXC.INSN_GUEST_PAGE, EXC.LOAD_GUEST_PAGE, EXC.STORE_GUEST_PAGE]
export const ACCESS_FAULT = [EXC.INSN_ACCESS, EXC.LOAD_ACCESS, EXC.STORE_ACCESS]
const TWO32 = 4294967296
const PTE_V = 1, PTE_R = 2, PTE_W = 4, PTE_X = 8, PTE_U = 16, PTE_A = 64, PTE_D = 128

/** Effective (privilege, V) for a data access: MPRV and hlv change it (§3.1.6.3, §8.3). */
export function effectiveMode(h: RiscvHart, acc: number, hlv: number): number {
  if (acc === ACC_FETCH) return h.priv | (h.virt << 2)
  if (hlv) return (h.c[CSR.hstatus * 2]! & HS.SPVP ? PRV_S : PRV_U) | 4
  const ms = h.c[CSR.mstatus * 2]!
  if (h.priv === PRV_M && ms & MS.MPRV) {
    const mpp = (ms & MS.MPP) >>> MS.MPP_SHIFT
    const mpv = mpp !== PRV_M && h.c[CSR.mstatus * 2 + 1]! & MS.MPV_HI ? 1 : 0
    return mpp | (mpv << 2)
  }
  return h.priv | (h.virt << 2)
}

/** `size`: bytes of the access, for PMP (an entry must cover all of them) */
export function translate(h: RiscvHart, lo: number, hi: number, acc: number, hlv: number, size = 1): number {
  const mode = effectiveMode(h, acc, hlv)
  const pa = translateOnly(h, lo, hi, acc, hlv, mode)
  if (pa < 0) { h.pmpPage = true; return pa } // a fault raised, or an emulated device (no PMP for those)
  return pmp(h, pa, size, lo, hi, acc, mode & 3, (mode >> 2) === 1 || hlv !== 0)
}

/** The physical address after the PMP check (priv §3.7), or -1 after raising an access fault. */
function pmp(h: RiscvHart, pa: number, size: number, lo: number, hi: number, acc: number, prv: number, gva: boolean): number {
  const r = pmpCheck(h, pa, size, acc, prv)
  h.pmpPage = r === PMP_OK_PAGE
  if (r === PMP_DENY) return fault(h, ACCESS_FAULT[acc]!, lo, hi, 0, gva)
  return pa
}

function translateOnly(h: RiscvHart, lo: number, hi: number, acc: number, hlv: number, mode: number): number {
  const prv = mode & 3
  const virt = mode >> 2
  const c = h.c
  const gva = virt === 1 || hlv !== 0
  if (prv === PRV_M) return physical(h, lo, hi, acc, gva)
  const mxrM = (c[CSR.mstatus * 2]! & MS.MXR) !== 0
  if (!virt) {
    const satpHi = c[CSR.satp * 2 + 1]!
    if (satpHi >>> 28 === 0) return physical(h, lo, hi, acc, false)
    const root = ((satpHi & 0xfff) * TWO32 + (c[CSR.satp * 2]! >>> 0)) * 4096
    const sum = (c[CSR.mstatus * 2]! & MS.SUM) !== 0
    return walk(h, lo, hi, root, acc, prv, sum, mxrM, false, false)
  }
  const vsatpHi = c[CSR.vsatp * 2 + 1]!
  let gpa: number
  if (vsatpHi >>> 28 === 0) {
    gpa = (hi >>> 0) * TWO32 + (lo >>> 0) // beyond 41 bits the G-stage raises a guest-page fault
  } else {
    const root = ((vsatpHi & 0xfff) * TWO32 + (c[CSR.vsatp * 2]! >>> 0)) * 4096
    const vs = c[CSR.vsstatus * 2]!
    const mxr = mxrM || (vs & MS.MXR) !== 0
    gpa = walk(h, lo, hi, root, acc, prv, (vs & MS.SUM) !== 0, mxr, true, hlv === HLVX)
    if (gpa < 0) return -1
  }
  return gstage(h, gpa, acc, lo, hi, mxrM, false)
}

function physical(h: RiscvHart, lo: number, hi: number, acc: number, gva: boolean): number {
  // physical addresses are 56 bits; beyond what a double holds exactly, nothing is mapped anyway
  if (hi < 0 || hi >= 0x200000) return fault(h, ACCESS_FAULT[acc]!, lo, hi, 0, gva)
  return hi * TWO32 + (lo >>> 0)
}

function fault(h: RiscvHart, cause: number, lo: number, hi: number, htval: number, gva: boolean): number {
  raise(h, cause, lo, hi, htval, gva)
  return -1
}

/** Read the PTE at physical `pa` into h.r64 (an S-mode access as far as PMP goes); false = access fault. */
function readPte(h: RiscvHart, pa: number): boolean {
  if (pmpCheck(h, pa, 8, ACC_LOAD, PRV_S) === PMP_DENY) return false
  try {
    h.bus.loadDoubleword(pa, h.r64, h.id)
    return true
  } catch {
    return false
  }
}

/**
 * One Sv39 walk. `guest` = this is the VS-stage: PTE addresses are guest-physical and go
 * through the G-stage. Returns the (guest-)physical address or -1.
 */
function walk(h: RiscvHart, lo: number, hi: number, root: number, acc: number, prv: number,
  sum: boolean, mxr: boolean, guest: boolean, hlvx: boolean): number {
  const gva = guest || h.virt === 1
  const top = hi >> 6 // bits 63:38 must all equal bit 38
  if (top !== 0 && top !== -1) return fault(h, PAGE_FAULT[acc]!, lo, hi, 0, gva)
  let a = root
  for (let level = 2; level >= 0; level--) {
    // VPN[level] (no array: an MMIO access under paging walks on every access)
    const vpn = level === 0 ? (lo >>> 12) & 0x1ff : level === 1 ? (lo >>> 21) & 0x1ff : (((hi & 0x7f) << 2) | (lo >>> 30)) & 0x1ff
    let pteAddr = a + vpn * 8
    if (guest) {
      pteAddr = gstage(h, pteAddr, acc, lo, hi, (h.c[CSR.mstatus * 2]! & MS.MXR) !== 0, true)
      if (pteAddr < 0) return -1
    }
    if (!readPte(h, pteAddr)) return fault(h, ACCESS_FAULT[acc]!, lo, hi, 0, gva)
    const pl = h.r64[0]!, ph = h.r64[1]!
    if (!(pl & PTE_V) || (!(pl & PTE_R) && pl & PTE_W) || ph >>> 22 !== 0) return fault(h, PAGE_FAULT[acc]!, lo, hi, 0, gva)
    const ppn = (ph & 0x3fffff) * 4194304 + (pl >>> 10)
    if (!(pl & (PTE_R | PTE_X))) {
      if (level === 0) break
      a = ppn * 4096
      continue
    }
    // leaf: permissions (§4.3.1, §4.4.1)
    let ok = acc === ACC_FETCH ? (pl & PTE_X) !== 0
      : acc === ACC_LOAD ? (hlvx ? (pl & PTE_X) !== 0 : (pl & PTE_R) !== 0 || (mxr && (pl & PTE_X) !== 0))
      : (pl & PTE_W) !== 0
    if (prv === PRV_U) ok &&= (pl & PTE_U) !== 0
    else if (pl & PTE_U) ok &&= acc !== ACC_FETCH && sum
    if (!ok) return fault(h, PAGE_FAULT[acc]!, lo, hi, 0, gva)
    const span = level === 2 ? 0x40000 : level === 1 ? 0x200 : 1 // pages covered
    if (ppn % span !== 0) return fault(h, PAGE_FAULT[acc]!, lo, hi, 0, gva) // misaligned superpage
    if (!(pl & PTE_A) || (acc === ACC_STORE && !(pl & PTE_D))) {
      const nl = pl | PTE_A | (acc === ACC_STORE ? PTE_D : 0)
      try { h.bus.write(pteAddr, 4, nl, h.id) } catch { return fault(h, ACCESS_FAULT[acc]!, lo, hi, 0, gva) }
    }
    const inPage = level === 2 ? lo & 0x3fffffff : level === 1 ? lo & 0x1fffff : lo & 0xfff
    return ppn * 4096 + (inPage >>> 0)
  }
  return fault(h, PAGE_FAULT[acc]!, lo, hi, 0, gva)
}

/** a guest-page fault of the G-stage (htval = gpa >> 2). A function, not a closure in gstage:
 * gstage runs on every guest TLB miss (and after every VM-stack switch, which flushes the TLB). */
function guestFault(h: RiscvHart, acc: number, gvaLo: number, gvaHi: number, gpa: number): number {
  return fault(h, GUEST_FAULT[acc]!, gvaLo, gvaHi, Math.floor(gpa / 4), true)
}

/**
 * G-stage (Sv39x4, §8.5.1): guest-physical → physical. Faults are guest-page faults. Every
 * emulated-device access (a VM exit) comes through here: no closures, no arrays on that path.
 */
export function gstage(h: RiscvHart, gpa: number, acc: number, gvaLo: number, gvaHi: number, mxr: boolean, implicit: boolean): number {
  const c = h.c
  const s2 = h.stage2
  if (s2 !== null) {
    // the hypervisor's own map (it plays HS-mode natively): same checks as a G-stage leaf
    const e = s2.lookup(gpa)
    const need = implicit || acc === ACC_LOAD ? S2_R : acc === ACC_FETCH ? S2_X : S2_W
    if (e === undefined || !(e.perm & need)) return guestFault(h, acc, gvaLo, gvaHi, gpa)
    if (e.handler) {
      if (acc === ACC_FETCH || implicit) return guestFault(h, acc, gvaLo, gvaHi, gpa)
      h.emu = e
      h.emuOff = gpa - e.gpa
      return EMULATED
    }
    return e.pa + (gpa - e.gpa)
  }
  const hgatpHi = c[CSR.hgatp * 2 + 1]!
  if (hgatpHi >>> 28 === 0) {
    if (gpa >= 2 ** 53) return guestFault(h, acc, gvaLo, gvaHi, gpa)
    return gpa
  }
  if (gpa >= 2 ** 41) return guestFault(h, acc, gvaLo, gvaHi, gpa)
  const root = (((hgatpHi & 0xfff) * TWO32 + (c[CSR.hgatp * 2]! >>> 0)) & ~3) * 4096
  let a = root
  for (let level = 2; level >= 0; level--) {
    const vpn = level === 0 ? Math.floor(gpa / 4096) & 0x1ff : level === 1 ? Math.floor(gpa / 2097152) & 0x1ff : Math.floor(gpa / 1073741824) & 0x7ff
    const pteAddr = a + vpn * 8
    if (!readPte(h, pteAddr)) return fault(h, ACCESS_FAULT[acc]!, gvaLo, gvaHi, 0, true)
    const pl = h.r64[0]!, ph = h.r64[1]!
    if (!(pl & PTE_V) || (!(pl & PTE_R) && pl & PTE_W) || ph >>> 22 !== 0) return guestFault(h, acc, gvaLo, gvaHi, gpa)
    const ppn = (ph & 0x3fffff) * 4194304 + (pl >>> 10)
    if (!(pl & (PTE_R | PTE_X))) {
      if (level === 0) break
      a = ppn * 4096
      continue
    }
    // G-stage accesses are U-mode accesses; implicit VS-stage PTE reads need only R (§8.5.1)
    let ok = implicit ? (pl & PTE_R) !== 0
      : acc === ACC_FETCH ? (pl & PTE_X) !== 0
      : acc === ACC_LOAD ? (pl & PTE_R) !== 0 || (mxr && (pl & PTE_X) !== 0)
      : (pl & PTE_W) !== 0
    ok &&= (pl & PTE_U) !== 0
    const span = level === 2 ? 0x40000 : level === 1 ? 0x200 : 1
    if (!ok || ppn % span !== 0) return guestFault(h, acc, gvaLo, gvaHi, gpa)
    if (!(pl & PTE_A) || (acc === ACC_STORE && !implicit && !(pl & PTE_D))) {
      const nl = pl | PTE_A | (acc === ACC_STORE && !implicit ? PTE_D : 0)
      try { h.bus.write(pteAddr, 4, nl, h.id) } catch { return fault(h, ACCESS_FAULT[acc]!, gvaLo, gvaHi, 0, true) }
    }
    const inPage = gpa % (span * 4096)
    return ppn * 4096 + inPage
  }
  return guestFault(h, acc, gvaLo, gvaHi, gpa)
}
