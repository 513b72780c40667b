/**
 * GICv3 virtualization as system registers, views of the shared virtual interface state
 * (vgic.ts), declared as data like the ICC_* table (icc.ts), which merges them in:
 *
 * - ICH_*_EL2 (IHI 0069 §12.4, the virtual interface control registers): the hypervisor's, at
 *   EL2, each acting on the calling CPU's list registers. ICH_AP<g>R1..3_EL2 and ICH_LR4..15_EL2
 *   do not exist with 5 preemption bits and 4 list registers (UNDEFINED: not in the table).
 * - ICV_*_EL1 (IHI 0069 §12.3, the virtual CPU interface): what a guest's MRS/MSR of an ICC_*_EL1
 *   register reaches at EL1 when HCR_EL2.IMO/FMO route it to EL2. They have no names of their own
 *   here: `IcvSpec` entries below hang off the ICC_ rows (icc.ts `virt`), and the CPU plugin asks
 *   for them with `readSysreg(cpu, 'ICC_IAR1_EL1', { virtual: true })`.
 *
 * Values as QEMU's cortex-a53 (arm_gicv3_cpuif.c): ICH_VTR_EL2 ListRegs 3, TDS, nV4, A3V, IDbits
 * 1 (24 bits), PREbits and PRIbits 5 - 1; ICV_CTLR_EL1 reports the same A3V, IDbits and PRIbits.
 * ICH_HCR_EL2's trap controls (TC, TALL0, TALL1, TDIR) are stored; taking those traps is the CPU
 * plugin's part, before it calls here.
 */
import type { IccHost, IccRegSpec, IcvSpec } from './icc.ts'
import { CTLR_CBPR, CTLR_ENABLE_GRP0, CTLR_ENABLE_GRP1, CTLR_EOI_MODE, SPURIOUS } from './gic.ts'
import { LIST_REGS, VIRT_PRIORITY_BITS } from './list-registers.ts'
import { MIN_VBPR0, MIN_VBPR1 } from './vgic.ts'

/** ListRegs [4:0], TDS [19], nV4 [20], A3V [21], IDbits [25:23], PREbits [28:26], PRIbits [31:29] */
export const ICH_VTR = ((LIST_REGS - 1) | (1 << 19) | (1 << 20) | (1 << 21) | (1 << 23) | ((VIRT_PRIORITY_BITS - 1) << 26) | ((VIRT_PRIORITY_BITS - 1) << 29)) >>> 0
/** ICV_CTLR_EL1 read-only fields: PRIbits [10:8], IDbits 1 [13:11], A3V [15] */
const ICV_CTLR_RO = ((VIRT_PRIORITY_BITS - 1) << 8) | (1 << 11) | (1 << 15)
const low32 = (v: bigint): number => Number(v & 0xffff_ffffn)

// --- ICV_*_EL1 ---

/** ICV_IAR<g>_EL1: take the highest pending LR if it is of group `g` and may be signalled; else 1023 */
function acknowledge(h: IccHost, cpu: number, g: number): bigint {
  const v = h.vgic
  const k = v.highestPending(cpu)
  if (k < 0 || v.lrs.group(k) !== g || !v.canSignal(cpu, k)) return BigInt(SPURIOUS)
  return BigInt(v.take(cpu, k))
}

/** ICV_HPPIR<g>_EL1: the highest pending LR's vINTID if it is of group `g` */
function highestPending(h: IccHost, cpu: number, g: number): bigint {
  const k = h.vgic.highestPending(cpu)
  return BigInt(k >= 0 && h.vgic.lrs.group(k) === g ? h.vgic.lrs.virtualId(k) : SPURIOUS)
}

/** ICV_AP<g>R<n>_EL1: the virtual active priorities; only n = 0 exists with 5 preemption bits (others RAZ/WI) */
function apr(g: 0 | 1, n: number, by: 'IMO' | 'FMO'): IcvSpec {
  return {
    by,
    read: (h, cpu) => BigInt(n ? 0 : (g ? h.vgic.apr1 : h.vgic.apr0)[cpu]!),
    write: (h, cpu, v) => { if (!n) h.vgic.setApr(cpu, g, low32(v)) },
  }
}

/** ICV_BPR<g>_EL1; with VCBPR, BPR1 reads VBPR0 + 1 (at most 7) and ignores writes (IHI 0069 ICV_BPR1_EL1) */
function bpr(g: 0 | 1): IcvSpec {
  const shared = (h: IccHost, cpu: number) => g === 1 && (h.vgic.control(cpu) & CTLR_CBPR) !== 0
  return {
    by: g ? 'IMO' : 'FMO',
    read: (h, cpu) => BigInt(shared(h, cpu) ? Math.min(h.vgic.bpr(cpu, 0) + 1, 7) : h.vgic.bpr(cpu, g)),
    write: (h, cpu, v) => { if (!shared(h, cpu)) h.vgic.setBpr(cpu, g, Math.max(Number(v & 7n), g ? MIN_VBPR1 : MIN_VBPR0)) },
  }
}

/** ICV_IGRPEN<g>_EL1: VMCR's VENG<g> */
function igrpen(g: 0 | 1): IcvSpec {
  const bit = g ? CTLR_ENABLE_GRP1 : CTLR_ENABLE_GRP0
  return {
    by: g ? 'IMO' : 'FMO',
    read: (h, cpu) => (h.vgic.control(cpu) & bit ? 1n : 0n),
    write: (h, cpu, v) => h.vgic.setControl(cpu, bit, v & 1n ? bit : 0),
  }
}

/** The ICV_ face of the ICC_ registers that have one, by the ICC_ register's place in icc.ts. */
export const icv = {
  pmr: {
    by: 'IMO|FMO', read: (h, cpu) => BigInt(h.vgic.pmr(cpu)), write: (h, cpu, v) => h.vgic.setPmr(cpu, Number(v & 0xffn)),
  },
  iar0: { by: 'FMO', read: (h, cpu) => acknowledge(h, cpu, 0) },
  iar1: { by: 'IMO', read: (h, cpu) => acknowledge(h, cpu, 1) },
  eoir0: { by: 'FMO', write: (h, cpu, v) => h.vgic.endOfInterrupt(cpu, Number(v & 0xff_ffffn), 0, 0) },
  eoir1: { by: 'IMO', write: (h, cpu, v) => h.vgic.endOfInterrupt(cpu, Number(v & 0xff_ffffn), 0, 1) },
  hppir0: { by: 'FMO', read: (h, cpu) => highestPending(h, cpu, 0) },
  hppir1: { by: 'IMO', read: (h, cpu) => highestPending(h, cpu, 1) },
  bpr0: bpr(0),
  bpr1: bpr(1),
  ap0r: [0, 1, 2, 3].map((n) => apr(0, n, 'FMO')),
  ap1r: [0, 1, 2, 3].map((n) => apr(1, n, 'IMO')),
  dir: { by: 'IMO|FMO', write: (h, cpu, v) => h.vgic.deactivate(cpu, Number(v & 0xff_ffffn), 0) },
  rpr: { by: 'IMO|FMO', read: (h, cpu) => BigInt(Math.min(h.vgic.runningPriority(cpu), 0xff)) },
  ctlr: {
    // CBPR [0] is VMCR.VCBPR, EOImode [1] VMCR.VEOIM
    by: 'IMO|FMO',
    read: (h, cpu) => {
      const c = h.vgic.control(cpu)
      return BigInt((c & CTLR_CBPR ? 1 : 0) | (c & CTLR_EOI_MODE ? 2 : 0) | ICV_CTLR_RO)
    },
    write: (h, cpu, v) => h.vgic.setControl(cpu, CTLR_CBPR | CTLR_EOI_MODE, (v & 1n ? CTLR_CBPR : 0) | (v & 2n ? CTLR_EOI_MODE : 0)),
  },
  igrpen0: igrpen(0),
  igrpen1: igrpen(1),
  /** ICC_SGI0R_EL1, ICC_SGI1R_EL1: with IMO or FMO set, an EL1 write traps to EL2 (QEMU gicv3_sgi_access) */
  sgi: { by: 'IMO|FMO', trap: true },
} as const satisfies Record<string, IcvSpec | readonly IcvSpec[]>

// --- ICH_*_EL2 ---

function ichApr<N extends string>(name: N, g: 0 | 1, crm: number) {
  return {
    name, enc: [3, 4, 12, crm, 0], access: 'rw', el: 2,
    read: (h: IccHost, cpu: number) => BigInt((g ? h.vgic.apr1 : h.vgic.apr0)[cpu]!),
    write: (h: IccHost, cpu: number, v: bigint) => h.vgic.setApr(cpu, g, low32(v)),
  } as const
}

function ichLr<N extends string>(name: N, n: number) {
  return {
    name, enc: [3, 4, 12, 12 + (n >> 3), n & 7], access: 'rw', el: 2,
    read: (h: IccHost, cpu: number) => h.vgic.lr(cpu, n),
    write: (h: IccHost, cpu: number, v: bigint) => h.vgic.setLr(cpu, n, v),
  } as const
}

export const ICH_REGS = [
  ichApr('ICH_AP0R0_EL2', 0, 8),
  ichApr('ICH_AP1R0_EL2', 1, 9),
  {
    name: 'ICH_HCR_EL2', enc: [3, 4, 12, 11, 0], access: 'rw', el: 2,
    read: (h, cpu) => BigInt(h.vgic.hcr[cpu]!), write: (h, cpu, v) => h.vgic.setHcr(cpu, low32(v)),
  },
  { name: 'ICH_VTR_EL2', enc: [3, 4, 12, 11, 1], access: 'r', el: 2, read: () => BigInt(ICH_VTR) },
  { name: 'ICH_MISR_EL2', enc: [3, 4, 12, 11, 2], access: 'r', el: 2, read: (h, cpu) => BigInt(h.vgic.misr(cpu)) },
  { name: 'ICH_EISR_EL2', enc: [3, 4, 12, 11, 3], access: 'r', el: 2, read: (h, cpu) => BigInt(h.vgic.eisr(cpu)) },
  { name: 'ICH_ELRSR_EL2', enc: [3, 4, 12, 11, 5], access: 'r', el: 2, read: (h, cpu) => BigInt(h.vgic.elrsr(cpu)) },
  {
    name: 'ICH_VMCR_EL2', enc: [3, 4, 12, 11, 7], access: 'rw', el: 2,
    read: (h, cpu) => BigInt(h.vgic.vmcr[cpu]!), write: (h, cpu, v) => h.vgic.setVmcr(cpu, low32(v)),
  },
  ichLr('ICH_LR0_EL2', 0),
  ichLr('ICH_LR1_EL2', 1),
  ichLr('ICH_LR2_EL2', 2),
  ichLr('ICH_LR3_EL2', 3),
] as const satisfies readonly IccRegSpec[]
