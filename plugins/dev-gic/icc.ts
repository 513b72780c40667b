/**
 * The GICv3 CPU interface as system registers (IHI 0069, ICC_*_EL1), declared as data:
 * name, encoding (op0, op1, CRn, CRm, op2, as MRS/MSR carry it), access, and what a read or a
 * write does to the shared GIC state (gic.ts). The CPU plugin decodes MRS/MSR, finds the name
 * with `iccSysregAt`, raises UNDEFINED itself for a read of a write-only register or a write of
 * a read-only one (as the architecture does), and calls the GIC's `readSysreg`/`writeSysreg`.
 *
 * A single Security state (GICD_CTLR.DS = 1) and system registers always on: ICC_SRE_EL1 and
 * ICC_SRE_EL2 read their SRE, DFB, DIB (and Enable) bits as one and ignore writes, as QEMU's
 * GICv3 does. The EL1 registers are the only CPU interface; the hypervisor half's ICH_* and
 * ICV_* registers would join this table.
 */
import {
  APR_WORDS, CTLR_CBPR, CTLR_ENABLE_GRP0, CTLR_ENABLE_GRP1, CTLR_EOI_MODE, FIRST_SPECIAL, IDLE_PRIORITY, SPURIOUS,
  type GicCore,
} from './gic.ts'

/** What the ICC_* registers act on: the GIC state, and SGI generation (which needs affinity routing). */
export interface IccHost {
  readonly core: GicCore
  /** ICC_SGI0R_EL1 / ICC_SGI1R_EL1 written by `cpu`: make the named SGI pending on its targets */
  generateSgi(cpu: number, value: bigint, group: 0 | 1): void
}

export type IccAccess = 'r' | 'w' | 'rw'

export interface IccRegSpec {
  readonly name: string
  /** op0, op1, CRn, CRm, op2 */
  readonly enc: readonly [number, number, number, number, number]
  readonly access: IccAccess
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
    name, enc, access: 'rw',
    read: (h: IccHost, cpu: number) => BigInt(words(h)[cpu * APR_WORDS + n]!),
    write: (h: IccHost, cpu: number, v: bigint) => { words(h)[cpu * APR_WORDS + n] = Number(v & 0xffff_ffffn); h.core.update() },
  } as const
}

export const ICC_REGS = [
  {
    name: 'ICC_PMR_EL1', enc: [3, 0, 4, 6, 0], access: 'rw',
    read: (h, cpu) => BigInt(h.core.pmr[cpu]!),
    write: (h, cpu, v) => { h.core.pmr[cpu] = Number(v & 0xffn); h.core.update() },
  },
  { name: 'ICC_IAR0_EL1', enc: [3, 0, 12, 8, 0], access: 'r', read: (h, cpu) => acknowledge(h, cpu, 0) },
  { name: 'ICC_EOIR0_EL1', enc: [3, 0, 12, 8, 1], access: 'w', write: (h, cpu, v) => endOfInterrupt(h, cpu, v, 0) },
  { name: 'ICC_HPPIR0_EL1', enc: [3, 0, 12, 8, 2], access: 'r', read: (h, cpu) => highestPending(h, cpu, 0) },
  {
    name: 'ICC_BPR0_EL1', enc: [3, 0, 12, 8, 3], access: 'rw',
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
  { name: 'ICC_DIR_EL1', enc: [3, 0, 12, 11, 1], access: 'w', write: (h, cpu, v) => h.core.deactivate(cpu, Number(v & 0xff_ffffn)) },
  { name: 'ICC_RPR_EL1', enc: [3, 0, 12, 11, 3], access: 'r', read: (h, cpu) => BigInt(Math.min(h.core.runningPriority(cpu), IDLE_PRIORITY - 1)) },
  { name: 'ICC_SGI1R_EL1', enc: [3, 0, 12, 11, 5], access: 'w', write: (h, cpu, v) => h.generateSgi(cpu, v, 1) },
  { name: 'ICC_SGI0R_EL1', enc: [3, 0, 12, 11, 7], access: 'w', write: (h, cpu, v) => h.generateSgi(cpu, v, 0) },
  { name: 'ICC_IAR1_EL1', enc: [3, 0, 12, 12, 0], access: 'r', read: (h, cpu) => acknowledge(h, cpu, 1) },
  { name: 'ICC_EOIR1_EL1', enc: [3, 0, 12, 12, 1], access: 'w', write: (h, cpu, v) => endOfInterrupt(h, cpu, v, 1) },
  { name: 'ICC_HPPIR1_EL1', enc: [3, 0, 12, 12, 2], access: 'r', read: (h, cpu) => highestPending(h, cpu, 1) },
  {
    // with ICC_CTLR_EL1.CBPR set, BPR0 serves group 1 too: reads give BPR0 + 1 (at most 7), writes are ignored
    name: 'ICC_BPR1_EL1', enc: [3, 0, 12, 12, 3], access: 'rw',
    read: (h, cpu) => BigInt(h.core.cpuCtlr[cpu]! & CTLR_CBPR ? Math.min(h.core.bpr0[cpu]! + 1, 7) : h.core.bpr1[cpu]!),
    write: (h, cpu, v) => {
      if (h.core.cpuCtlr[cpu]! & CTLR_CBPR) return
      h.core.bpr1[cpu] = Math.max(Number(v & 7n), 1)
      h.core.update()
    },
  },
  {
    // CBPR [0], EOImode [1] writable; the rest describe the implementation
    name: 'ICC_CTLR_EL1', enc: [3, 0, 12, 12, 4], access: 'rw',
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
    name: 'ICC_IGRPEN0_EL1', enc: [3, 0, 12, 12, 6], access: 'rw',
    read: (h, cpu) => (h.core.cpuCtlr[cpu]! & CTLR_ENABLE_GRP0 ? 1n : 0n),
    write: (h, cpu, v) => ctlrBit(h, cpu, CTLR_ENABLE_GRP0, (v & 1n) !== 0n),
  },
  {
    name: 'ICC_IGRPEN1_EL1', enc: [3, 0, 12, 12, 7], access: 'rw',
    read: (h, cpu) => (h.core.cpuCtlr[cpu]! & CTLR_ENABLE_GRP1 ? 1n : 0n),
    write: (h, cpu, v) => ctlrBit(h, cpu, CTLR_ENABLE_GRP1, (v & 1n) !== 0n),
  },
  { name: 'ICC_SRE_EL2', enc: [3, 4, 12, 9, 5], access: 'rw', read: () => ICC_SRE_EL2, write: () => {} },
] as const satisfies readonly IccRegSpec[]

/** The name of an ICC_* system register, as the Arm ARM spells it. */
export type IccSysreg = (typeof ICC_REGS)[number]['name']

const byName = new Map<string, IccRegSpec>(ICC_REGS.map((r) => [r.name, r]))
const byEncoding = new Map<number, IccRegSpec>(ICC_REGS.map((r) => [encKey(r.enc[0], r.enc[1], r.enc[2], r.enc[3], r.enc[4]), r]))

function encKey(op0: number, op1: number, crn: number, crm: number, op2: number): number {
  return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2
}

/** The ICC_* register an MRS/MSR encoding names (and whether it reads, writes or both), or undefined. */
export function iccSysregAt(op0: number, op1: number, crn: number, crm: number, op2: number): { name: IccSysreg; access: IccAccess } | undefined {
  const r = byEncoding.get(encKey(op0, op1, crn, crm, op2))
  return r && { name: r.name as IccSysreg, access: r.access }
}

/** The spec of register `name`; throws for a name that is not an ICC_* register here (a caller's bug). */
export function iccReg(name: string): IccRegSpec {
  const r = byName.get(name)
  if (!r) throw new Error(`gicv3: no system register ${name}`)
  return r
}
