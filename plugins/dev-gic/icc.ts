/**
 * The GICv3 CPU interface as system registers (IHI 0069, ICC_*_EL1), declared as data:
 * name, encoding (op0, op1, CRn, CRm, op2, as MRS/MSR carry it), access, the lowest EL that may
 * use it, and what a read or a write does to the shared GIC state (gic.ts). The hypervisor's
 * ICH_*_EL2 registers (ich.ts) join the table; each ICC_ register with a virtual face carries it
 * as `virt` (ich.ts `icv`): the ICV_ register a guest's access at EL1 reaches instead when
 * HCR_EL2.IMO/FMO route it to EL2 (IHI 0069 §12.3).
 *
 * The CPU plugin's part, for an MRS/MSR with op0 = 3 and CRn = 12 (or CRn = 4: ICC_PMR_EL1):
 * 1. `iccSysregAt(op0, op1, CRn, CRm, op2)` → `{ name, access, el, virt }`, or undefined
 *    (UNDEFINED: not a register here, e.g. ICH_LR7_EL2 with four list registers);
 * 2. UNDEFINED for a read of a write-only register, a write of a read-only one, or an access
 *    below `el` (as the architecture does);
 * 3. `iccRoute(info, el, hcrImo, hcrFmo)` → 'icc' (the physical register), 'icv' (the virtual
 *    one) or 'trap' (trap to EL2, EC 0x18: ICC_SGI*R_EL1 under IMO/FMO, as QEMU);
 * 4. `gic.readSysreg(cpu, name, { virtual: route === 'icv' })` / `writeSysreg(cpu, name, value, { virtual })`.
 * ICH_HCR_EL2's TC/TALL0/TALL1/TDIR traps are not in `iccRoute` (Bao sets none of them).
 *
 * A single Security state (GICD_CTLR.DS = 1) and system registers always on: ICC_SRE_EL1 and
 * ICC_SRE_EL2 read their SRE, DFB, DIB (and Enable) bits as one and ignore writes, as QEMU's
 * GICv3 does (so ICC_SRE_EL1 never traps to EL2).
 */
import {
  APR_WORDS, CTLR_CBPR, CTLR_ENABLE_GRP0, CTLR_ENABLE_GRP1, CTLR_EOI_MODE, FIRST_SPECIAL, IDLE_PRIORITY, SPURIOUS,
  type GicCore,
} from './gic.ts'
import { ICH_REGS, icv } from './ich.ts'
import type { VirtualInterface } from './vgic.ts'

/** What the ICC_* registers act on: the GIC state, SGI generation (which needs affinity routing), the virtual interface (ICH_*, ICV_*). */
export interface IccHost {
  readonly core: GicCore
  readonly vgic: VirtualInterface
  /** ICC_SGI0R_EL1 / ICC_SGI1R_EL1 written by `cpu`: make the named SGI pending on its targets */
  generateSgi(cpu: number, value: bigint, group: 0 | 1): void
}

export type IccAccess = 'r' | 'w' | 'rw'

/** The HCR_EL2 routing bits that make an EL1 access virtual: IMO (group 1 registers), FMO (group 0), either (the common ones). */
export type IcvRouting = 'IMO' | 'FMO' | 'IMO|FMO'

/** The virtual face of an ICC_*_EL1 register: its ICV_ register, or a trap to EL2. */
export interface IcvSpec {
  readonly by: IcvRouting
  /** routed accesses trap to EL2 instead of reaching an ICV_ register */
  readonly trap?: boolean
  read?(h: IccHost, cpu: number): bigint
  write?(h: IccHost, cpu: number, v: bigint): void
}

export interface IccRegSpec {
  readonly name: string
  /** op0, op1, CRn, CRm, op2 */
  readonly enc: readonly [number, number, number, number, number]
  readonly access: IccAccess
  /** the lowest EL that may access it (default 1) */
  readonly el?: 1 | 2
  readonly virt?: IcvSpec
  read?(h: IccHost, cpu: number): bigint
  write?(h: IccHost, cpu: number, v: bigint): void
}

/** ICC_CTLR_EL1 read-only fields: PRIbits (priority bits - 1) [10:8], IDbits 0 (16 bits) [13:11], A3V [15] */
const ICC_CTLR_RO = (7 << 8) | (1 << 15)
const ICC_SRE_EL1 = 0b111n // SRE, DFB, DIB
const ICC_SRE_EL2 = 0b1111n // SRE, DFB, DIB, Enable

/** ICC_IAR<g>_EL1: take the HPPI if it is of group `g` and may be signalled; else 1023 */
function acknowledge(h: IccHost, cpu: number, g: number): bigint {
  const c = h.core
  const id = c.hppi(cpu)
  if (id === SPURIOUS || c.groupOf(cpu, id) !== g || !c.canAcknowledge(cpu, id)) return BigInt(SPURIOUS)
  c.acknowledge(cpu, id)
  return BigInt(id)
}

/** ICC_HPPIR<g>_EL1: the HPPI if it is of group `g`, without taking it */
function highestPending(h: IccHost, cpu: number, g: number): bigint {
  const id = h.core.hppi(cpu)
  return BigInt(id !== SPURIOUS && h.core.groupOf(cpu, id) === g ? id : SPURIOUS)
}

/** ICC_EOIR<g>_EL1: priority drop of group `g` (and deactivation unless EOImode); INTIDs 1020.. ignored */
function endOfInterrupt(h: IccHost, cpu: number, v: bigint, g: number): void {
  const id = Number(v & 0xff_ffffn)
  if (id < FIRST_SPECIAL) h.core.endOfInterrupt(cpu, id, g)
}

function ctlrBit(h: IccHost, cpu: number, bit: number, on: boolean): void {
  const c = h.core
  c.cpuCtlr[cpu] = on ? c.cpuCtlr[cpu]! | bit : c.cpuCtlr[cpu]! & ~bit
  c.update()
}

/** ICC_AP<g>R<n>_EL1: active priorities, 32 preemption levels each */
function apr<N extends string>(name: N, enc: readonly [number, number, number, number, number], g: 0 | 1, n: number) {
  const words = (h: IccHost) => (g ? h.core.apr1 : h.core.apr0)
  return {
    name, enc, access: 'rw', virt: (g ? icv.ap1r : icv.ap0r)[n]!,
    read: (h: IccHost, cpu: number) => BigInt(words(h)[cpu * APR_WORDS + n]!),
    write: (h: IccHost, cpu: number, v: bigint) => { words(h)[cpu * APR_WORDS + n] = Number(v & 0xffff_ffffn); h.core.update() },
  } as const
}

export const ICC_REGS = [
  {
    name: 'ICC_PMR_EL1', enc: [3, 0, 4, 6, 0], access: 'rw', virt: icv.pmr,
    read: (h, cpu) => BigInt(h.core.pmr[cpu]!),
    write: (h, cpu, v) => { h.core.pmr[cpu] = Number(v & 0xffn); h.core.update() },
  },
  { name: 'ICC_IAR0_EL1', enc: [3, 0, 12, 8, 0], access: 'r', virt: icv.iar0, read: (h, cpu) => acknowledge(h, cpu, 0) },
  { name: 'ICC_EOIR0_EL1', enc: [3, 0, 12, 8, 1], access: 'w', virt: icv.eoir0, write: (h, cpu, v) => endOfInterrupt(h, cpu, v, 0) },
  { name: 'ICC_HPPIR0_EL1', enc: [3, 0, 12, 8, 2], access: 'r', virt: icv.hppir0, read: (h, cpu) => highestPending(h, cpu, 0) },
  {
    name: 'ICC_BPR0_EL1', enc: [3, 0, 12, 8, 3], access: 'rw', virt: icv.bpr0,
    read: (h, cpu) => BigInt(h.core.bpr0[cpu]!),
    write: (h, cpu, v) => { h.core.bpr0[cpu] = Number(v & 7n); h.core.update() },
  },
  apr('ICC_AP0R0_EL1', [3, 0, 12, 8, 4], 0, 0),
  apr('ICC_AP0R1_EL1', [3, 0, 12, 8, 5], 0, 1),
  apr('ICC_AP0R2_EL1', [3, 0, 12, 8, 6], 0, 2),
  apr('ICC_AP0R3_EL1', [3, 0, 12, 8, 7], 0, 3),
  apr('ICC_AP1R0_EL1', [3, 0, 12, 9, 0], 1, 0),
  apr('ICC_AP1R1_EL1', [3, 0, 12, 9, 1], 1, 1),
  apr('ICC_AP1R2_EL1', [3, 0, 12, 9, 2], 1, 2),
  apr('ICC_AP1R3_EL1', [3, 0, 12, 9, 3], 1, 3),
  { name: 'ICC_DIR_EL1', enc: [3, 0, 12, 11, 1], access: 'w', virt: icv.dir, write: (h, cpu, v) => h.core.deactivate(cpu, Number(v & 0xff_ffffn)) },
  { name: 'ICC_RPR_EL1', enc: [3, 0, 12, 11, 3], access: 'r', virt: icv.rpr, read: (h, cpu) => BigInt(Math.min(h.core.runningPriority(cpu), IDLE_PRIORITY - 1)) },
  { name: 'ICC_SGI1R_EL1', enc: [3, 0, 12, 11, 5], access: 'w', virt: icv.sgi, write: (h, cpu, v) => h.generateSgi(cpu, v, 1) },
  { name: 'ICC_SGI0R_EL1', enc: [3, 0, 12, 11, 7], access: 'w', virt: icv.sgi, write: (h, cpu, v) => h.generateSgi(cpu, v, 0) },
  { name: 'ICC_IAR1_EL1', enc: [3, 0, 12, 12, 0], access: 'r', virt: icv.iar1, read: (h, cpu) => acknowledge(h, cpu, 1) },
  { name: 'ICC_EOIR1_EL1', enc: [3, 0, 12, 12, 1], access: 'w', virt: icv.eoir1, write: (h, cpu, v) => endOfInterrupt(h, cpu, v, 1) },
  { name: 'ICC_HPPIR1_EL1', enc: [3, 0, 12, 12, 2], access: 'r', virt: icv.hppir1, read: (h, cpu) => highestPending(h, cpu, 1) },
  {
    // with ICC_CTLR_EL1.CBPR set, BPR0 serves group 1 too: reads give BPR0 + 1 (at most 7), writes are ignored
    name: 'ICC_BPR1_EL1', enc: [3, 0, 12, 12, 3], access: 'rw', virt: icv.bpr1,
    read: (h, cpu) => BigInt(h.core.cpuCtlr[cpu]! & CTLR_CBPR ? Math.min(h.core.bpr0[cpu]! + 1, 7) : h.core.bpr1[cpu]!),
    write: (h, cpu, v) => {
      if (h.core.cpuCtlr[cpu]! & CTLR_CBPR) return
      h.core.bpr1[cpu] = Math.max(Number(v & 7n), 1)
      h.core.update()
    },
  },
  {
    // CBPR [0], EOImode [1] writable; the rest describe the implementation
    name: 'ICC_CTLR_EL1', enc: [3, 0, 12, 12, 4], access: 'rw', virt: icv.ctlr,
    read: (h, cpu) => {
      const ctlr = h.core.cpuCtlr[cpu]!
      return BigInt((ctlr & CTLR_CBPR ? 1 : 0) | (ctlr & CTLR_EOI_MODE ? 2 : 0) | ICC_CTLR_RO)
    },
    write: (h, cpu, v) => {
      const c = h.core
      c.cpuCtlr[cpu] = (c.cpuCtlr[cpu]! & ~(CTLR_CBPR | CTLR_EOI_MODE)) | (v & 1n ? CTLR_CBPR : 0) | (v & 2n ? CTLR_EOI_MODE : 0)
      c.update()
    },
  },
  { name: 'ICC_SRE_EL1', enc: [3, 0, 12, 12, 5], access: 'rw', read: () => ICC_SRE_EL1, write: () => {} },
  {
    name: 'ICC_IGRPEN0_EL1', enc: [3, 0, 12, 12, 6], access: 'rw', virt: icv.igrpen0,
    read: (h, cpu) => (h.core.cpuCtlr[cpu]! & CTLR_ENABLE_GRP0 ? 1n : 0n),
    write: (h, cpu, v) => ctlrBit(h, cpu, CTLR_ENABLE_GRP0, (v & 1n) !== 0n),
  },
  {
    name: 'ICC_IGRPEN1_EL1', enc: [3, 0, 12, 12, 7], access: 'rw', virt: icv.igrpen1,
    read: (h, cpu) => (h.core.cpuCtlr[cpu]! & CTLR_ENABLE_GRP1 ? 1n : 0n),
    write: (h, cpu, v) => ctlrBit(h, cpu, CTLR_ENABLE_GRP1, (v & 1n) !== 0n),
  },
  { name: 'ICC_SRE_EL2', enc: [3, 4, 12, 9, 5], access: 'rw', el: 2, read: () => ICC_SRE_EL2, write: () => {} },
] as const satisfies readonly IccRegSpec[]

/** The name of a GIC system register (ICC_*, ICH_*), as the Arm ARM spells it. */
export type IccSysreg = (typeof ICC_REGS)[number]['name'] | (typeof ICH_REGS)[number]['name']

const ALL: readonly IccRegSpec[] = [...ICC_REGS, ...ICH_REGS]
const byName = new Map<string, IccRegSpec>(ALL.map((r) => [r.name, r]))
const byEncoding = new Map<number, IccRegSpec>(ALL.map((r) => [encKey(r.enc[0], r.enc[1], r.enc[2], r.enc[3], r.enc[4]), r]))

function encKey(op0: number, op1: number, crn: number, crm: number, op2: number): number {
  return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2
}

/** What the CPU plugin needs to know of a GIC system register to decide how an access goes. */
export interface IccSysregInfo {
  name: IccSysreg
  access: IccAccess
  /** the lowest EL that may access it: 1 (ICC_*_EL1) or 2 (ICH_*_EL2, ICC_SRE_EL2) */
  el: 1 | 2
  /** an ICC_*_EL1 register's virtual face: which HCR_EL2 bits route it, and whether it then traps */
  virt?: { by: IcvRouting; trap: boolean }
}

/** The GIC system register an MRS/MSR encoding names, or undefined. */
export function iccSysregAt(op0: number, op1: number, crn: number, crm: number, op2: number): IccSysregInfo | undefined {
  const r = byEncoding.get(encKey(op0, op1, crn, crm, op2))
  if (!r) return undefined
  const info: IccSysregInfo = { name: r.name as IccSysreg, access: r.access, el: r.el ?? 1 }
  if (r.virt) info.virt = { by: r.virt.by, trap: r.virt.trap === true }
  return info
}

/**
 * How an access to `r` from `el` goes, given HCR_EL2.IMO and FMO (EL2 enabled, one Security
 * state; IHI 0069 §12.3): at EL1, a register whose routing bit is set is 'icv' (pass `{ virtual:
 * true }`) or 'trap' (to EL2); everything else is 'icc'.
 */
export function iccRoute(r: IccSysregInfo, el: number, imo: boolean, fmo: boolean): 'icc' | 'icv' | 'trap' {
  if (el !== 1 || !r.virt) return 'icc'
  const by = r.virt.by
  const routed = (imo && by !== 'FMO') || (fmo && by !== 'IMO')
  return !routed ? 'icc' : r.virt.trap ? 'trap' : 'icv'
}

/** The spec of register `name`; throws for a name that is not a GIC system register here (a caller's bug). */
export function iccReg(name: string): IccRegSpec {
  const r = byName.get(name)
  if (!r) throw new Error(`gicv3: no system register ${name}`)
  return r
}
