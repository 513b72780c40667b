/**
 * Rare instructions, off the hot loop: system instructions (hints, CLREX, MSR immediate, MRS/MSR,
 * DC/IC/AT/TLBI, ERET), exception generation (SVC/HVC/SMC/BRK), LDTR/STTR, the pair loads and
 * stores that missed the fast path, and UNDEFINED (SIMD & FP is fp-exec.ts's). Each either
 * advances pc (returns true) or leaves it where an exception or ERET put it (false).
 */
import { atomic } from './atomics.ts'
import { Op } from './decode.ts'
import { abort, callException, EC, exceptionReturn, setElSp, syncException, syncTarget, takeException, undefinedInstruction, VEC_SYNC } from './exceptions.ts'
import type { A64Cpu } from './cpu.ts'
import { interruptPending } from './interrupts.ts'
import { EXT_SW, EXT_SX, EXT_ZERO, extend, physWrite, readVirt, writeVirt } from './memory.ts'
import { ACC_LOAD, ACC_STORE, ACC_UNPRIV, FSC, translate, walk } from './mmu.ts'
import { HCR, SCTLR, SR } from './sysreg-defs.ts'
import { mrs, msr, sysIss } from './sysregs.ts'
import { DAIF_A, DAIF_D, DAIF_F, DAIF_I, ST, X_SINK, X_SP, X_ZR } from './state.ts'

export function advance(h: A64Cpu): true {
  const lo = (h.pcLo + 4) | 0
  if (lo === 0) h.pcHi = (h.pcHi + 1) | 0
  h.pcLo = lo
  return true
}

/** ISS of a trapped WFI/WFE (EC 0x01): CV = 1, COND = 0b1110 as from AArch64 (QEMU's syn_wfx), TI */
const wfxIss = (wfe: boolean): number => (1 << 24) | (0xe << 20) | (wfe ? 1 : 0)

export function execRare(h: A64Cpu, op: number, _w: number, insn: number): boolean {
  switch (op) {
    case Op.SYS: return system(h, insn)
    case Op.EXC: return exceptionGen(h, insn)
    case Op.ATOMIC: return atomic(h, insn) && advance(h)
    case Op.MEMRARE: return unprivileged(h, insn)
    default: return undefinedInstruction(h)
  }
}

const ERET = 0xd69f03e0 | 0

function system(h: A64Cpu, insn: number): boolean {
  const el = h.st[ST.EL]!
  if (insn === ERET) {
    if (el === 0) return undefinedInstruction(h)
    exceptionReturn(h)
    return false
  }
  const l = (insn >>> 21) & 1, op0 = (insn >>> 19) & 3, op1 = (insn >>> 16) & 7, crn = (insn >>> 12) & 15
  const crm = (insn >>> 8) & 15, op2 = (insn >>> 5) & 7, rt = insn & 31
  if (op0 === 0) {
    // hints, barriers, CLREX and MSR (immediate) all have Rt = 0b11111 (C4.1.66); with any other
    // Rt the encoding is unallocated, as QEMU decodes it (disas_system): a random word must not
    // be a WFI or a CLREX where the CPU has none (test/aarch64-fuzz.test.ts)
    if (l !== 0 || rt !== 31) return undefinedInstruction(h)
    if (l === 0 && crn === 2 && op1 === 3) return hint(h, (crm << 3) | op2)
    if (l === 0 && crn === 3 && op1 === 3 && op2 === 2) { h.st[ST.EX_SIZE] = 0; return advance(h) } // CLREX
    if (l === 0 && crn === 4) return msrImmediate(h, insn, op1, op2, crm)
    return undefinedInstruction(h)
  }
  if (op0 === 1) return l === 0 ? sys(h, insn, op1, crn, crm, op2, rt) : undefinedInstruction(h)
  if (l === 1) return mrs(h, insn, rt === 31 ? X_SINK : rt * 2) && advance(h)
  const src = rt === 31 ? X_ZR : rt * 2
  return msr(h, insn, h.x[src]!, h.x[src + 1]!) && advance(h)
}

/** WFE (2), WFI (3), SEV (4), SEVL (5) (C6.2.xx); the decoder made the other hints NOPs */
function hint(h: A64Cpu, n: number): boolean {
  const st = h.st, el = st[ST.EL]!
  const sctlr = h.sys[SR.SCTLR_EL1 * 2]!, hcr = h.el2 ? h.sys[SR.HCR_EL2 * 2]! : 0
  if (n === 2 || n === 3) {
    const wfe = n === 2
    // D1.16.3: SCTLR_EL1.nTWI/nTWE clear traps EL0's to EL1; HCR_EL2.TWI/TWE trap EL0/EL1's to EL2
    if (el === 0 && (sctlr & (wfe ? SCTLR.NTWE : SCTLR.NTWI)) === 0) return syncException(h, EC.WFX, wfxIss(wfe))
    if (el < 2 && (hcr & (wfe ? 1 << 14 : 1 << 13)) !== 0) {
      takeException(h, 2, VEC_SYNC, (EC.WFX << 26) | (1 << 25) | wfxIss(wfe), h.pcLo, h.pcHi, false, 0, 0)
      return false
    }
    advance(h)
    if (wfe) {
      // an event pending is consumed; otherwise WFE completes at once, which D1.16.2 permits
      // ("a spurious wakeup"): no other hart's SEV can be missed that way
      st[ST.EVENT] = 0
      return true
    }
    if (!interruptPending(h)) {
      h.idle = true
      h.brk = true
    }
    return true
  }
  if (n === 4 || n === 5) st[ST.EVENT] = 1
  return advance(h)
}

/** MSR (immediate) to PSTATE fields (C5.2.x): SPSel, DAIFSet, DAIFClr; PAN and UAO are not on the A53 */
function msrImmediate(h: A64Cpu, insn: number, op1: number, op2: number, crm: number): boolean {
  const st = h.st, el = st[ST.EL]!
  if (op1 === 0 && op2 === 5) {
    if (el === 0) return undefinedInstruction(h)
    setElSp(h, el, crm & 1)
    return advance(h)
  }
  if (op1 === 3 && (op2 === 6 || op2 === 7)) {
    if (el === 0 && (h.sys[SR.SCTLR_EL1 * 2]! & SCTLR.UMA) === 0) return syncException(h, EC.SYSREG, sysIss(insn))
    const bits = (crm << 6) & (DAIF_D | DAIF_A | DAIF_I | DAIF_F)
    st[ST.DAIF] = op2 === 6 ? st[ST.DAIF]! | bits : st[ST.DAIF]! & ~bits
    h.brk = true // an unmasked interrupt may now be taken
    return advance(h)
  }
  return undefinedInstruction(h)
}

/** SYS: cache maintenance, address translation and TLB maintenance (C5.3) */
function sys(h: A64Cpu, insn: number, op1: number, crn: number, crm: number, op2: number, rt: number): boolean {
  const el = h.st[ST.EL]!
  const sctlr = h.sys[SR.SCTLR_EL1 * 2]!
  if (crn === 8) {
    // TLBI: every variant flushes the whole soft TLB (it is small, and tagged by nothing)
    if (el === 0 || (op1 === 4 && el < 2) || (op1 !== 0 && op1 !== 4)) return undefinedInstruction(h)
    h.tlb.flush()
    h.brk = true
    return advance(h)
  }
  if (crn !== 7) return undefinedInstruction(h)
  // IC (C5.3.x): decoded pages are dropped when written, so invalidation has nothing to do
  if (op1 === 0 && op2 === 0 && (crm === 1 || crm === 5)) return el === 0 ? undefinedInstruction(h) : advance(h)
  if (op1 === 3 && crm === 5 && op2 === 1) {
    if (el === 0 && (sctlr & SCTLR.UCI) === 0) return syncException(h, EC.SYSREG, sysIss(insn))
    return advance(h)
  }
  // DC ZVA: zero the 64-byte block (DCZID_EL0.BS = 4) holding the address, as stores
  if (op1 === 3 && crm === 4 && op2 === 1) {
    if (el === 0 && (sctlr & SCTLR.DZE) === 0) return syncException(h, EC.SYSREG, sysIss(insn))
    const src = rt === 31 ? X_ZR : rt * 2
    const lo = h.x[src]! & ~63, hi = h.x[src + 1]!
    const pa = translate(h, lo, hi, ACC_STORE)
    if (pa < 0) return false
    for (let i = 0; i < 64; i += 8) {
      if (!physWrite(h, pa + i, 8, 0, 0)) return abort(h, false, FSC.EXTERNAL, true, false, lo, hi)
    }
    return advance(h)
  }
  // DC by VA to the point of coherency/unification (CVAC, CVAU, CIVAC): EL0 with SCTLR_EL1.UCI
  if (op1 === 3 && op2 === 1 && (crm === 10 || crm === 11 || crm === 14)) {
    if (el === 0 && (sctlr & SCTLR.UCI) === 0) return syncException(h, EC.SYSREG, sysIss(insn))
    return advance(h)
  }
  // DC IVAC, ISW, CSW, CISW: EL1 and up; nothing is cached, so nothing to clean
  if (op1 === 0 && ((crm === 6 && (op2 === 1 || op2 === 2)) || ((crm === 10 || crm === 14) && op2 === 2))) {
    return el === 0 ? undefinedInstruction(h) : advance(h)
  }
  // AT S1E1R/W, S1E0R/W (op1 0), S1E2R/W (op1 4): the walk's answer into PAR_EL1 (D19.2.x)
  if (crm === 8 && ((op1 === 0 && op2 <= 3) || (op1 === 4 && op2 <= 1))) {
    if (el === 0 || (op1 === 4 && el < 2)) return undefinedInstruction(h)
    const src = rt === 31 ? X_ZR : rt * 2
    const acc = (op2 & 1 ? ACC_STORE : ACC_LOAD) | (op1 === 0 && op2 >= 2 ? ACC_UNPRIV : 0)
    const r = walk(h, h.x[src]!, h.x[src + 1]!, acc)
    const par = SR.PAR_EL1 * 2
    if (r >= 0) {
      // PA[47:12] with F = 0, the attributes in ATTR (63:56) and SH (8:7)
      const { attr, sh } = parAttributes(h, op1 === 4)
      h.sys[par] = ((r % 4294967296) & ~0xfff) | (sh << 7)
      h.sys[par + 1] = (Math.floor(r / 4294967296) & 0xffff) | (attr << 24)
    } else {
      h.sys[par] = 0x800 | (((-1 - r) & 63) << 1) | 1 // bit 11 RES1, FST, F = 1
      h.sys[par + 1] = 0
    }
    return advance(h)
  }
  return undefinedInstruction(h)
}

/**
 * The memory attributes AT reports for the walk just made (D8.2.10, PAR_EL1): MMU off, Device-
 * nGnRnE; else MAIR's attribute for the leaf descriptor's AttrIndx — the descriptor is still in
 * h.r64, where the walk read it. SH is the descriptor's for cacheable Normal memory and reads
 * 0b10 (outer shareable) for Device and Normal Non-cacheable memory, as the Arm ARM has it.
 */
function parAttributes(h: A64Cpu, el2: boolean): { attr: number; sh: number } {
  const sctlr = h.sys[(el2 ? SR.SCTLR_EL2 : SR.SCTLR_EL1) * 2]!
  if ((sctlr & SCTLR.M) === 0) return { attr: 0, sh: 2 }
  const d = h.r64[0]!
  const idx = (d >>> 2) & 7
  const mair = (el2 ? SR.MAIR_EL2 : SR.MAIR_EL1) * 2
  const attr = (h.sys[mair + (idx >> 2)]! >>> (8 * (idx & 3))) & 0xff
  const cacheable = (attr & 0xf0) !== 0 && attr !== 0x44
  return { attr, sh: cacheable ? (d >>> 8) & 3 : 2 }
}

/** SVC, HVC, SMC, BRK (C6.2.x; exception generation encodings C4.1.66) */
function exceptionGen(h: A64Cpu, insn: number): boolean {
  const opc = (insn >>> 21) & 7, ll = insn & 3, imm16 = (insn >>> 5) & 0xffff
  const el = h.st[ST.EL]!
  if (((insn >>> 2) & 7) !== 0) return undefinedInstruction(h)
  if (opc === 0 && ll === 1) { callException(h, EC.SVC, imm16, syncTarget(h)); return false }
  if (opc === 0 && ll === 2) { // HVC
    if (el === 0) return undefinedInstruction(h)
    if (!h.el2) return firmwareCall(h, 'hvc')
    if ((h.sys[SR.HCR_EL2 * 2]! & HCR.HCD) !== 0) return undefinedInstruction(h)
    callException(h, EC.HVC, imm16, 2)
    return false
  }
  if (opc === 0 && ll === 3) { // SMC: no EL3; trapped to EL2 by HCR_EL2.TSC (the return address is the SMC itself)
    if (el === 0) return undefinedInstruction(h)
    if (h.el2 && el === 1 && (h.sys[SR.HCR_EL2 * 2]! & HCR.TSC) !== 0) {
      takeException(h, 2, VEC_SYNC, (EC.SMC << 26) | (1 << 25) | imm16, h.pcLo, h.pcHi, false, 0, 0)
      return false
    }
    return firmwareCall(h, 'smc')
  }
  if (opc === 1 && ll === 0) return syncException(h, EC.BRK, imm16)
  return undefinedInstruction(h) // HLT, DCPSn: no external debug
}

/**
 * A call to firmware that is not there as code: QEMU's PSCI for `-M virt` without EL2/EL3 takes
 * every HVC (the conduit) as a PSCI call (target/arm/psci.c). Without a firmware, UNDEFINED.
 */
function firmwareCall(h: A64Cpu, conduit: 'hvc' | 'smc'): boolean {
  const fw = h.firmware
  if (fw === null || fw.conduit !== conduit) return undefinedInstruction(h)
  advance(h)
  fw.call(h)
  return true
}

/** LDTR/STTR and friends (C6.2.xx): at EL1, with EL0's permissions */
function unprivileged(h: A64Cpu, insn: number): boolean {
  const size = insn >>> 30, opc = (insn >>> 22) & 3, imm9 = (insn << 11) >> 23
  const rn = (insn >>> 5) & 31, rt = insn & 31
  if ((opc === 2 && size === 3) || (opc === 3 && size >= 2)) return undefinedInstruction(h)
  const base = rn === 31 ? X_SP : rn * 2
  if (base === X_SP && (h.x[base]! & 15) !== 0 && spAlignmentFault(h)) return false
  const s = (h.x[base]! >>> 0) + (imm9 >>> 0)
  const lo = s | 0, hi = (h.x[base + 1]! + (imm9 >> 31) + (s >= 4294967296 ? 1 : 0)) | 0
  const acc = h.st[ST.EL] === 1 ? ACC_UNPRIV : 0
  const bytes = 1 << size
  if (opc === 0) {
    const src = rt === 31 ? X_ZR : rt * 2
    return writeVirt(h, lo, hi, bytes, h.x[src]!, h.x[src + 1]!, ACC_STORE | acc, false) && advance(h)
  }
  if (!readVirt(h, lo, hi, bytes, ACC_LOAD | acc, false)) return false
  extend(h.r64, bytes, opc === 1 ? EXT_ZERO : opc === 2 ? EXT_SX : EXT_SW)
  if (rt !== 31) { h.x[rt * 2] = h.r64[0]!; h.x[rt * 2 + 1] = h.r64[1]! }
  return advance(h)
}

/** The SP alignment check (D1.8.2): true after raising the fault, false when the check is off. */
export function spAlignmentFault(h: A64Cpu): boolean {
  const el = h.st[ST.EL]!
  const sctlr = h.sys[(el === 2 ? SR.SCTLR_EL2 : SR.SCTLR_EL1) * 2]!
  if ((sctlr & (el === 0 ? SCTLR.SA0 : SCTLR.SA)) === 0) return false
  syncException(h, EC.SP_ALIGN, 0)
  return true
}

/** LDP/STP/LDPSW that missed the fast path: element by element through the slow path. */
export function pairSlow(h: A64Cpu, lo: number, hi: number, op: number, rt: number, rt2: number): boolean {
  const size = op === Op.LDPX || op === Op.STPX ? 8 : 4
  const lo2 = (lo + size) | 0, hi2 = (hi + ((lo2 >>> 0) < (lo >>> 0) ? 1 : 0)) | 0
  const x = h.x, r = h.r64
  if (op === Op.STPX || op === Op.STPW) {
    return writeVirt(h, lo, hi, size, x[rt]!, x[rt + 1]!, ACC_STORE, true) && writeVirt(h, lo2, hi2, size, x[rt2]!, x[rt2 + 1]!, ACC_STORE, true)
  }
  const ext = op === Op.LDPSW ? EXT_SX : EXT_ZERO
  if (!readVirt(h, lo, hi, size, ACC_LOAD, true)) return false
  extend(r, size, ext)
  const aLo = r[0]!, aHi = r[1]!
  if (!readVirt(h, lo2, hi2, size, ACC_LOAD, true)) return false
  extend(r, size, ext)
  x[rt] = aLo; x[rt + 1] = aHi
  x[rt2] = r[0]!; x[rt2 + 1] = r[1]!
  return true
}
