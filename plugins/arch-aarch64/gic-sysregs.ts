/**
 * MRS/MSR of the GIC's system registers (IHI 0069 §12: the CPU interface ICC_*_EL1, the
 * hypervisor's ICH_*_EL2), which belong to the GIC rather than the hart: dev-gic's table says
 * what an encoding names and where an access goes (lookup.ts re-exports icc.ts's `iccSysregAt`,
 * `iccRoute`), and the GICv3 on the hart's bus serves it for CPU interface `h.id`. The steps are
 * icc.ts's: UNDEFINED for an encoding the GIC does not have, the wrong direction or too low an EL;
 * then the physical ICC_ register, its ICV_ face (an EL1 access HCR_EL2.IMO/FMO route to EL2,
 * IHI 0069 §12.3), or a trap to EL2 with EC 0x18 (ICC_SGI*R_EL1 under IMO/FMO).
 *
 * Without a GICv3 — a GICv2 board, or no GIC — the whole space is UNDEFINED, as on a CPU whose GIC
 * has no system register interface. ICC_SRE_EL1 is the GIC's too: it reads SRE = 1 (system
 * registers always on, icc.ts).
 */
import { findGic, iccRoute, iccSysregAt, type IccSysregInfo } from '../dev-gic/lookup.ts'
import { EC, takeException, undefinedInstruction, VEC_SYNC } from './exceptions.ts'
import type { A64Cpu } from './cpu.ts'
import { sysIss } from './sysregs.ts'
import { HCR, SR, sysKey } from './sysreg-defs.ts'
import { ST } from './state.ts'

/** ESR_ELx.IL */
const IL = 1 << 25

/** ICC_PMR_EL1, the one GIC register outside CRn = 12 (op0 3, op1 0, CRn 4, CRm 6, op2 0) */
const ICC_PMR_KEY = sysKey(3, 0, 4, 6, 0)

/**
 * The GIC register an MRS/MSR key (instruction bits 20..5, sysreg-defs.ts `sysKey`) names, or
 * undefined. Only op0 = 3, CRn = 12 and ICC_PMR_EL1 are looked up: the hart's own registers with
 * CRn = 4 (NZCV, DAIF, FPCR …) are accessed far more often.
 */
export function gicSysregAt(key: number): IccSysregInfo | undefined {
  const op0 = key >>> 14, crn = (key >>> 7) & 15
  if (op0 !== 3 || (crn !== 12 && key !== ICC_PMR_KEY)) return undefined
  return iccSysregAt(op0, (key >>> 11) & 7, crn, (key >>> 3) & 15, key & 7)
}

/** Where the access goes: the physical register, its ICV_ face, or null after raising the exception it takes. */
function route(h: A64Cpu, insn: number, r: IccSysregInfo, write: boolean): { virtual: boolean } | null {
  const el = h.st[ST.EL]!
  const gic = findGic(h.bus)
  if (gic?.gicVersion !== 3 || el < r.el || (r.el === 2 && !h.el2) || (write ? r.access === 'r' : r.access === 'w')) {
    undefinedInstruction(h)
    return null
  }
  const hcr = h.el2 && el < 2 ? h.sys[SR.HCR_EL2 * 2]! : 0
  const to = iccRoute(r, el, (hcr & HCR.IMO) !== 0, (hcr & HCR.FMO) !== 0)
  if (to === 'trap') {
    takeException(h, 2, VEC_SYNC, (EC.SYSREG << 26) | IL | sysIss(insn), h.pcLo, h.pcHi, false, 0, 0)
    return null
  }
  return { virtual: to === 'icv' }
}

/** MRS Xt, <GIC register>: the value into x[rt] (a word index, as sysregs.ts `mrs`). False after raising an exception. */
export function gicMrs(h: A64Cpu, insn: number, r: IccSysregInfo, rt: number): boolean {
  const how = route(h, insn, r, false)
  if (!how) return false
  const g = findGic(h.bus)
  const v = g?.gicVersion === 3 ? g.readSysreg(h.id, r.name, how) : 0n
  h.x[rt] = Number(BigInt.asIntN(32, v))
  h.x[rt + 1] = Number(BigInt.asIntN(32, v >> 32n))
  return true
}

/** MSR <GIC register>, Xt. False after raising an exception. */
export function gicMsr(h: A64Cpu, insn: number, r: IccSysregInfo, lo: number, hi: number): boolean {
  const how = route(h, insn, r, true)
  if (!how) return false
  const g = findGic(h.bus)
  if (g?.gicVersion === 3) g.writeSysreg(h.id, r.name, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0), how)
  // the GIC may now signal an interrupt (PMR, IGRPEN, EOIR): look before the next instruction
  h.brk = true
  return true
}
