/**
 * MRS and MSR (register): who may access which system register (D19 "Accessibility"), what
 * reads compute and what writes set off (SP banks, PSTATE views, the timer, translation
 * controls). The registers themselves are data in sysreg-defs.ts. An access to a register this
 * hart does not have, from too low an EL, or against its direction is UNDEFINED (EC 0); an EL0
 * access a control bit forbids (SCTLR_EL1.UCT/UMA, CNTKCTL_EL1) traps to EL1 with EC 0x18. The
 * GIC's system registers (ICC_*, ICH_*) are the GIC's: gic-sysregs.ts.
 */
import { EC, setElSp, spIsLive, syncException, undefinedInstruction } from './exceptions.ts'
import { gicMrs, gicMsr, gicSysregAt } from './gic-sysregs.ts'
import type { A64Cpu } from './cpu.ts'
import { BY_KEY, CCSIDR, RESET, SCTLR, SR, type SysRegDef, type SysRegName } from './sysreg-defs.ts'
import { DAIF_A, DAIF_D, DAIF_F, DAIF_I, ST, X_SP } from './state.ts'
import { TIMER_P, TIMER_V } from './timer.ts'
import { fpAccess } from './vreg.ts'

export function resetSysregs(h: A64Cpu): void {
  const s = h.sys
  s.fill(0)
  for (const [name, v] of Object.entries(RESET)) s[SR[name as SysRegName] * 2] = v!
  // QEMU virt: Aff0 = cpu % 8, Aff1 = cpu / 8 (arm_build_mp_affinity with 8 CPUs per cluster); bit 31 RES1
  s[SR.MPIDR_EL1 * 2] = (1 << 31) | ((h.id >> 3) << 8) | (h.id & 7)
  if (h.el2) s[SR.ID_AA64PFR0_EL1 * 2] |= 0x200 // EL2 implemented, AArch64 only
  s[SR.CNTFRQ_EL0 * 2] = h.host.timebaseHz
  s[SR.VPIDR_EL2 * 2] = s[SR.MIDR_EL1 * 2]!
  s[SR.VMPIDR_EL2 * 2] = s[SR.MPIDR_EL1 * 2]!
  // HCR_EL2.RW reads 1 on a hart with AArch64-only lower ELs is not required: left 0 at reset
}

/** ISS of a trapped MSR/MRS (D19.2.37.x, EC 0x18): Op0, Op2, Op1, CRn, Rt, CRm, direction (1 = read) */
export function sysIss(insn: number): number {
  const op0 = (insn >>> 19) & 3, op1 = (insn >>> 16) & 7, crn = (insn >>> 12) & 15, crm = (insn >>> 8) & 15, op2 = (insn >>> 5) & 7
  const rt = insn & 31, read = (insn >>> 21) & 1
  return (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | read
}

/** Whether an EL0 access to `name` is trapped to EL1 by an EL1 control bit (else allowed). */
function el0Trapped(h: A64Cpu, name: SysRegName): boolean {
  const sctlr = h.sys[SR.SCTLR_EL1 * 2]!, kctl = h.sys[SR.CNTKCTL_EL1 * 2]!
  switch (name) {
    case 'CTR_EL0': return (sctlr & SCTLR.UCT) === 0
    case 'DAIF': return (sctlr & SCTLR.UMA) === 0
    // CNTKCTL_EL1 (D19.11.x): EL0PCTEN 0, EL0VCTEN 1, EL0VTEN 8, EL0PTEN 9
    case 'CNTFRQ_EL0': return (kctl & 3) === 0
    case 'CNTPCT_EL0': return (kctl & 1) === 0
    case 'CNTVCT_EL0': return (kctl & 2) === 0
    case 'CNTV_CTL_EL0': case 'CNTV_CVAL_EL0': case 'CNTV_TVAL_EL0': return (kctl & (1 << 8)) === 0
    case 'CNTP_CTL_EL0': case 'CNTP_CVAL_EL0': case 'CNTP_TVAL_EL0': return (kctl & (1 << 9)) === 0
  }
  return false
}

/** ISS of an FP access trap (EC 0x07) from AArch64: CV = 1, COND = 0b1110, as QEMU's syn_fp_access_trap */
export const FP_TRAP_ISS = (1 << 24) | (0xe << 20)

/** The register an access names, or null after raising the exception it takes. */
function check(h: A64Cpu, insn: number, write: boolean): SysRegDef | null {
  const key = (insn >>> 5) & 0xffff
  const el = h.st[ST.EL]!
  const def = BY_KEY.get(key)
  if (!def) { undefinedInstruction(h); return null }
  if (el < def.el || (def.el === 2 && !h.el2) || (write ? def.access === 'ro' : def.access === 'wo')) { undefinedInstruction(h); return null }
  // SP_EL0 is not accessible while it is the stack pointer in use (C5.2.16)
  if (def.name === 'SP_EL0' && h.st[ST.SPSEL] === 0) { undefinedInstruction(h); return null }
  if (el === 0 && el0Trapped(h, def.name)) { syncException(h, EC.SYSREG, sysIss(insn)); return null }
  // FPCR and FPSR belong to the FP unit: CPACR_EL1.FPEN and CPTR_EL2.TFP trap them like any FP instruction (D19.2.29)
  if ((def.name === 'FPCR' || def.name === 'FPSR') && !fpAccess(h)) return null
  return def
}

/** Whether an MRS/MSR key is in the ID register space that reads as zero when unassigned (D19.2: op0 3, op1 0, CRn 0, CRm 1..7). */
function razId(key: number): boolean {
  return key >>> 7 === ((3 << 7) | 0) && ((key >>> 3) & 15) >= 1 && ((key >>> 3) & 15) <= 7
}

/** MRS Xt, <reg>: the value into x[rt]. False after raising an exception. */
export function mrs(h: A64Cpu, insn: number, rt: number): boolean {
  const key = (insn >>> 5) & 0xffff
  if (!BY_KEY.has(key) && razId(key) && h.st[ST.EL]! >= 1) { h.x[rt] = 0; h.x[rt + 1] = 0; return true }
  // the GIC's own registers (ICC_*, ICH_*): gic-sysregs.ts
  const icc = gicSysregAt(key)
  if (icc) return gicMrs(h, insn, icc, rt)
  const def = check(h, insn, false)
  if (!def) return false
  const s = h.sys, st = h.st, x = h.x
  const i = SR[def.name] * 2
  let lo = s[i]!, hi = s[i + 1]!
  switch (def.name) {
    case 'SP_EL0': case 'SP_EL1':
      if (spIsLive(h, SR[def.name])) { lo = x[X_SP]!; hi = x[X_SP + 1]! }
      break
    case 'SPSEL': lo = st[ST.SPSEL]!; hi = 0; break
    case 'CURRENTEL': lo = st[ST.EL]! << 2; hi = 0; break
    case 'DAIF': lo = st[ST.DAIF]!; hi = 0; break
    case 'NZCV': lo = st[ST.NZCV]! & 0xf0000000; hi = 0; break
    case 'ISR_EL1': lo = (h.irqIn ? 1 << 7 : 0) | (h.fiqIn ? 1 << 6 : 0); hi = 0; break
    case 'CCSIDR_EL1': lo = CCSIDR[s[SR.CSSELR_EL1 * 2]! & 0xf] ?? 0; hi = 0; break
    case 'CNTPCT_EL0': case 'CNTVCT_EL0': {
      const n = h.timer.count(def.name === 'CNTVCT_EL0')
      lo = n[0]!; hi = n[1]!
      break
    }
    case 'CNTP_CTL_EL0': lo = h.timer.readCtl(TIMER_P); break
    case 'CNTV_CTL_EL0': lo = h.timer.readCtl(TIMER_V); break
    // TVAL reads are the signed 32-bit TimerValue, sign-extended (QEMU: sextract64(cval - count, 0, 32))
    case 'CNTP_TVAL_EL0': lo = h.timer.readTval(TIMER_P); hi = lo >> 31; break
    case 'CNTV_TVAL_EL0': lo = h.timer.readTval(TIMER_V); hi = lo >> 31; break
  }
  x[rt] = lo
  x[rt + 1] = hi
  return true
}

/** MSR <reg>, Xt. False after raising an exception. */
export function msr(h: A64Cpu, insn: number, lo: number, hi: number): boolean {
  const icc = gicSysregAt((insn >>> 5) & 0xffff)
  if (icc) return gicMsr(h, insn, icc, lo, hi)
  const def = check(h, insn, true)
  if (!def) return false
  const s = h.sys, st = h.st
  const i = SR[def.name] * 2
  switch (def.name) {
    case 'SP_EL0': case 'SP_EL1':
      if (spIsLive(h, SR[def.name])) { h.x[X_SP] = lo; h.x[X_SP + 1] = hi; return true }
      break
    case 'SPSEL': setElSp(h, st[ST.EL]!, lo & 1); return true
    case 'DAIF': st[ST.DAIF] = lo & (DAIF_D | DAIF_A | DAIF_I | DAIF_F); h.brk = true; return true
    case 'NZCV': st[ST.NZCV] = lo & 0xf0000000; return true
    // AHP, DN, FZ, RMode, Stride, Len; the trap enables (IDE, IXE … IOE) are RAZ/WI: the A53 has no trapped FP exceptions (QEMU agrees)
    case 'FPCR': s[i] = lo & 0x07f70000; s[i + 1] = 0; return true
    case 'FPSR': s[i] = lo & 0xf800009f; s[i + 1] = 0; return true
    // bits 10..0 are RES0; QEMU keeps 10..5 (vbar_write masks 4..0) and so do we, so guests read
    // back what they read on QEMU; exception entry uses bits 63..11 (exceptions.ts)
    case 'VBAR_EL1': case 'VBAR_EL2': s[i] = lo & ~0x1f; s[i + 1] = hi; return true
    case 'OSLAR_EL1': s[SR.OSLSR_EL1 * 2] = (s[SR.OSLSR_EL1 * 2]! & ~2) | ((lo & 1) << 1); return true
    case 'CSSELR_EL1': s[i] = lo & 0xf; s[i + 1] = 0; return true
    case 'CNTP_TVAL_EL0': h.timer.writeTval(TIMER_P, lo); return true
    case 'CNTV_TVAL_EL0': h.timer.writeTval(TIMER_V, lo); return true
  }
  s[i] = lo
  s[i + 1] = hi
  switch (def.name) {
    case 'CNTP_CTL_EL0': case 'CNTV_CTL_EL0':
      s[i] = lo & 3; s[i + 1] = 0
      h.timer.rearm()
      break
    case 'CNTP_CVAL_EL0': case 'CNTV_CVAL_EL0': case 'CNTVOFF_EL2': h.timer.rearm(); break
    case 'CNTKCTL_EL1': s[i + 1] = 0; break
    // translation controls: what the soft TLB holds was filled under the old ones (D8.13)
    case 'SCTLR_EL1': case 'TTBR0_EL1': case 'TTBR1_EL1': case 'TCR_EL1':
    case 'SCTLR_EL2': case 'TTBR0_EL2': case 'TCR_EL2': case 'VTTBR_EL2': case 'VTCR_EL2':
      h.tlb.flush()
      h.brk = true
      break
    case 'HCR_EL2':
      // routing of interrupts and of translation changed: look again at pending interrupts, refill the TLB
      h.tlb.flush()
      h.brk = true
      break
  }
  return true
}
