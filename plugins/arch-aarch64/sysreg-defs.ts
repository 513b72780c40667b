/**
 * The system registers this hart implements, as data: name (Arm ARM D19/D23 register index),
 * encoding (op0, op1, CRn, CRm, op2), lowest EL that may access it, read-only or write-only, and
 * the reset value where it is not zero. Storage is two int32 words per register in the state
 * area (state.ts OFF.SYS), at the index `SR.<name>`; registers whose reads or writes do more
 * than store (the SP banks, DAIF, the timer, MMU controls) are handled in sysregs.ts.
 *
 * Identification values are QEMU's cortex-a53 (target/arm/cpu64.c aarch64_a53_initfn), as a
 * guest reads them on `qemu-system-aarch64 -M virt -cpu cortex-a53`: EL2 and EL3 absent unless
 * the hart is made with EL2 (ID_AA64PFR0_EL1.EL2).
 */

const NAMES = [
  // EL1&0 control and state
  'SCTLR_EL1', 'ACTLR_EL1', 'CPACR_EL1', 'TTBR0_EL1', 'TTBR1_EL1', 'TCR_EL1',
  'SPSR_EL1', 'ELR_EL1', 'SP_EL0', 'SP_EL1', 'SP_EL2', 'SPSEL', 'CURRENTEL', 'DAIF', 'NZCV', 'FPCR', 'FPSR',
  'AFSR0_EL1', 'AFSR1_EL1', 'ESR_EL1', 'FAR_EL1', 'PAR_EL1', 'MAIR_EL1', 'AMAIR_EL1', 'VBAR_EL1', 'ISR_EL1',
  'CONTEXTIDR_EL1', 'TPIDR_EL1', 'TPIDR_EL0', 'TPIDRRO_EL0', 'CNTKCTL_EL1', 'CSSELR_EL1',
  'MDSCR_EL1', 'OSLAR_EL1', 'OSLSR_EL1', 'OSDLR_EL1', 'MDCCINT_EL1',
  'PMCR_EL0', 'PMUSERENR_EL0', 'PMCNTENSET_EL0', 'PMCNTENCLR_EL0', 'PMOVSCLR_EL0', 'PMINTENSET_EL1', 'PMINTENCLR_EL1', 'PMCCFILTR_EL0', 'PMSELR_EL0',
  // identification (read-only)
  'MIDR_EL1', 'MPIDR_EL1', 'REVIDR_EL1', 'CTR_EL0', 'DCZID_EL0', 'CLIDR_EL1', 'CCSIDR_EL1', 'AIDR_EL1',
  'ID_PFR0_EL1', 'ID_PFR1_EL1', 'ID_DFR0_EL1', 'ID_AFR0_EL1', 'ID_MMFR0_EL1', 'ID_MMFR1_EL1', 'ID_MMFR2_EL1', 'ID_MMFR3_EL1',
  'ID_ISAR0_EL1', 'ID_ISAR1_EL1', 'ID_ISAR2_EL1', 'ID_ISAR3_EL1', 'ID_ISAR4_EL1', 'ID_ISAR5_EL1',
  'MVFR0_EL1', 'MVFR1_EL1', 'MVFR2_EL1',
  'ID_AA64PFR0_EL1', 'ID_AA64PFR1_EL1', 'ID_AA64DFR0_EL1', 'ID_AA64DFR1_EL1', 'ID_AA64AFR0_EL1', 'ID_AA64AFR1_EL1',
  'ID_AA64ISAR0_EL1', 'ID_AA64ISAR1_EL1', 'ID_AA64MMFR0_EL1', 'ID_AA64MMFR1_EL1', 'ID_AA64MMFR2_EL1',
  // the generic timer (D11)
  'CNTFRQ_EL0', 'CNTPCT_EL0', 'CNTVCT_EL0',
  'CNTP_TVAL_EL0', 'CNTP_CTL_EL0', 'CNTP_CVAL_EL0', 'CNTV_TVAL_EL0', 'CNTV_CTL_EL0', 'CNTV_CVAL_EL0',
  // EL2: kept for the hypervisor glue to come
  'VPIDR_EL2', 'VMPIDR_EL2', 'SCTLR_EL2', 'ACTLR_EL2', 'HCR_EL2', 'MDCR_EL2', 'CPTR_EL2', 'HSTR_EL2', 'HACR_EL2',
  'TTBR0_EL2', 'TCR_EL2', 'VTTBR_EL2', 'VTCR_EL2', 'SPSR_EL2', 'ELR_EL2', 'ESR_EL2', 'FAR_EL2', 'HPFAR_EL2',
  'MAIR_EL2', 'AMAIR_EL2', 'VBAR_EL2', 'TPIDR_EL2', 'CNTHCTL_EL2', 'CNTVOFF_EL2',
  'CNTHP_TVAL_EL2', 'CNTHP_CTL_EL2', 'CNTHP_CVAL_EL2', 'AFSR0_EL2', 'AFSR1_EL2',
] as const

export type SysRegName = (typeof NAMES)[number]

/** storage index of each register (two words each at OFF.SYS) */
export const SR = Object.fromEntries(NAMES.map((n, i) => [n, i])) as { readonly [K in SysRegName]: number }
export const SR_COUNT = NAMES.length

export interface SysRegDef {
  name: SysRegName
  /** op0, op1, CRn, CRm, op2 */
  enc: readonly [number, number, number, number, number]
  /** lowest exception level that may access it (EL0 accesses may still trap: sysregs.ts) */
  el: number
  access: 'rw' | 'ro' | 'wo'
}

/** MRS/MSR encoding key: instruction bits 20..5 (o0 is op0 - 2) */
export const sysKey = (op0: number, op1: number, crn: number, crm: number, op2: number): number =>
  (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2

type Row = [SysRegName, number, number, number, number, number, number?, ('ro' | 'wo')?]
// name, op0, op1, CRn, CRm, op2, min EL (default: 2 for op1 = 4, 0 for op1 = 3, else 1), access
const ROWS: Row[] = [
  ['SCTLR_EL1', 3, 0, 1, 0, 0], ['ACTLR_EL1', 3, 0, 1, 0, 1], ['CPACR_EL1', 3, 0, 1, 0, 2],
  ['TTBR0_EL1', 3, 0, 2, 0, 0], ['TTBR1_EL1', 3, 0, 2, 0, 1], ['TCR_EL1', 3, 0, 2, 0, 2],
  ['SPSR_EL1', 3, 0, 4, 0, 0], ['ELR_EL1', 3, 0, 4, 0, 1], ['SP_EL0', 3, 0, 4, 1, 0],
  ['SPSEL', 3, 0, 4, 2, 0], ['CURRENTEL', 3, 0, 4, 2, 2, 1, 'ro'],
  ['DAIF', 3, 3, 4, 2, 1], ['NZCV', 3, 3, 4, 2, 0], ['FPCR', 3, 3, 4, 4, 0], ['FPSR', 3, 3, 4, 4, 1],
  ['AFSR0_EL1', 3, 0, 5, 1, 0], ['AFSR1_EL1', 3, 0, 5, 1, 1], ['ESR_EL1', 3, 0, 5, 2, 0], ['FAR_EL1', 3, 0, 6, 0, 0],
  ['PAR_EL1', 3, 0, 7, 4, 0], ['MAIR_EL1', 3, 0, 10, 2, 0], ['AMAIR_EL1', 3, 0, 10, 3, 0],
  ['VBAR_EL1', 3, 0, 12, 0, 0], ['ISR_EL1', 3, 0, 12, 1, 0, 1, 'ro'],
  ['CONTEXTIDR_EL1', 3, 0, 13, 0, 1], ['TPIDR_EL1', 3, 0, 13, 0, 4], ['TPIDR_EL0', 3, 3, 13, 0, 2], ['TPIDRRO_EL0', 3, 3, 13, 0, 3],
  ['CNTKCTL_EL1', 3, 0, 14, 1, 0], ['CSSELR_EL1', 3, 2, 0, 0, 0],
  ['MDSCR_EL1', 2, 0, 0, 2, 2], ['OSLAR_EL1', 2, 0, 1, 0, 4, 1, 'wo'], ['OSLSR_EL1', 2, 0, 1, 1, 4, 1, 'ro'],
  ['OSDLR_EL1', 2, 0, 1, 3, 4], ['MDCCINT_EL1', 2, 0, 0, 2, 0],
  ['PMCR_EL0', 3, 3, 9, 12, 0, 1], ['PMCNTENSET_EL0', 3, 3, 9, 12, 1, 1], ['PMCNTENCLR_EL0', 3, 3, 9, 12, 2, 1],
  ['PMOVSCLR_EL0', 3, 3, 9, 12, 3, 1], ['PMSELR_EL0', 3, 3, 9, 12, 5, 1], ['PMUSERENR_EL0', 3, 3, 9, 14, 0, 1],
  ['PMINTENSET_EL1', 3, 0, 9, 14, 1], ['PMINTENCLR_EL1', 3, 0, 9, 14, 2], ['PMCCFILTR_EL0', 3, 3, 14, 15, 7, 1],
  ['MIDR_EL1', 3, 0, 0, 0, 0, 1, 'ro'], ['MPIDR_EL1', 3, 0, 0, 0, 5, 1, 'ro'], ['REVIDR_EL1', 3, 0, 0, 0, 6, 1, 'ro'],
  ['CTR_EL0', 3, 3, 0, 0, 1, 0, 'ro'], ['DCZID_EL0', 3, 3, 0, 0, 7, 0, 'ro'],
  ['CLIDR_EL1', 3, 1, 0, 0, 1, 1, 'ro'], ['CCSIDR_EL1', 3, 1, 0, 0, 0, 1, 'ro'], ['AIDR_EL1', 3, 1, 0, 0, 7, 1, 'ro'],
  ['ID_PFR0_EL1', 3, 0, 0, 1, 0, 1, 'ro'], ['ID_PFR1_EL1', 3, 0, 0, 1, 1, 1, 'ro'], ['ID_DFR0_EL1', 3, 0, 0, 1, 2, 1, 'ro'],
  ['ID_AFR0_EL1', 3, 0, 0, 1, 3, 1, 'ro'], ['ID_MMFR0_EL1', 3, 0, 0, 1, 4, 1, 'ro'], ['ID_MMFR1_EL1', 3, 0, 0, 1, 5, 1, 'ro'],
  ['ID_MMFR2_EL1', 3, 0, 0, 1, 6, 1, 'ro'], ['ID_MMFR3_EL1', 3, 0, 0, 1, 7, 1, 'ro'],
  ['ID_ISAR0_EL1', 3, 0, 0, 2, 0, 1, 'ro'], ['ID_ISAR1_EL1', 3, 0, 0, 2, 1, 1, 'ro'], ['ID_ISAR2_EL1', 3, 0, 0, 2, 2, 1, 'ro'],
  ['ID_ISAR3_EL1', 3, 0, 0, 2, 3, 1, 'ro'], ['ID_ISAR4_EL1', 3, 0, 0, 2, 4, 1, 'ro'], ['ID_ISAR5_EL1', 3, 0, 0, 2, 5, 1, 'ro'],
  ['MVFR0_EL1', 3, 0, 0, 3, 0, 1, 'ro'], ['MVFR1_EL1', 3, 0, 0, 3, 1, 1, 'ro'], ['MVFR2_EL1', 3, 0, 0, 3, 2, 1, 'ro'],
  ['ID_AA64PFR0_EL1', 3, 0, 0, 4, 0, 1, 'ro'], ['ID_AA64PFR1_EL1', 3, 0, 0, 4, 1, 1, 'ro'],
  ['ID_AA64DFR0_EL1', 3, 0, 0, 5, 0, 1, 'ro'], ['ID_AA64DFR1_EL1', 3, 0, 0, 5, 1, 1, 'ro'],
  ['ID_AA64AFR0_EL1', 3, 0, 0, 5, 4, 1, 'ro'], ['ID_AA64AFR1_EL1', 3, 0, 0, 5, 5, 1, 'ro'],
  ['ID_AA64ISAR0_EL1', 3, 0, 0, 6, 0, 1, 'ro'], ['ID_AA64ISAR1_EL1', 3, 0, 0, 6, 1, 1, 'ro'],
  ['ID_AA64MMFR0_EL1', 3, 0, 0, 7, 0, 1, 'ro'], ['ID_AA64MMFR1_EL1', 3, 0, 0, 7, 1, 1, 'ro'], ['ID_AA64MMFR2_EL1', 3, 0, 0, 7, 2, 1, 'ro'],
  ['CNTFRQ_EL0', 3, 3, 14, 0, 0], ['CNTPCT_EL0', 3, 3, 14, 0, 1, 0, 'ro'], ['CNTVCT_EL0', 3, 3, 14, 0, 2, 0, 'ro'],
  ['CNTP_TVAL_EL0', 3, 3, 14, 2, 0], ['CNTP_CTL_EL0', 3, 3, 14, 2, 1], ['CNTP_CVAL_EL0', 3, 3, 14, 2, 2],
  ['CNTV_TVAL_EL0', 3, 3, 14, 3, 0], ['CNTV_CTL_EL0', 3, 3, 14, 3, 1], ['CNTV_CVAL_EL0', 3, 3, 14, 3, 2],
  ['VPIDR_EL2', 3, 4, 0, 0, 0], ['VMPIDR_EL2', 3, 4, 0, 0, 5], ['SCTLR_EL2', 3, 4, 1, 0, 0], ['ACTLR_EL2', 3, 4, 1, 0, 1],
  ['HCR_EL2', 3, 4, 1, 1, 0], ['MDCR_EL2', 3, 4, 1, 1, 1], ['CPTR_EL2', 3, 4, 1, 1, 2], ['HSTR_EL2', 3, 4, 1, 1, 3],
  ['HACR_EL2', 3, 4, 1, 1, 7], ['TTBR0_EL2', 3, 4, 2, 0, 0], ['TCR_EL2', 3, 4, 2, 0, 2], ['VTTBR_EL2', 3, 4, 2, 1, 0],
  ['VTCR_EL2', 3, 4, 2, 1, 2], ['SPSR_EL2', 3, 4, 4, 0, 0], ['ELR_EL2', 3, 4, 4, 0, 1], ['SP_EL1', 3, 4, 4, 1, 0],
  ['AFSR0_EL2', 3, 4, 5, 1, 0], ['AFSR1_EL2', 3, 4, 5, 1, 1], ['ESR_EL2', 3, 4, 5, 2, 0], ['FAR_EL2', 3, 4, 6, 0, 0],
  ['HPFAR_EL2', 3, 4, 6, 0, 4], ['MAIR_EL2', 3, 4, 10, 2, 0], ['AMAIR_EL2', 3, 4, 10, 3, 0], ['VBAR_EL2', 3, 4, 12, 0, 0],
  ['TPIDR_EL2', 3, 4, 13, 0, 2], ['CNTHCTL_EL2', 3, 4, 14, 1, 0], ['CNTVOFF_EL2', 3, 4, 14, 0, 3],
  ['CNTHP_TVAL_EL2', 3, 4, 14, 2, 0], ['CNTHP_CTL_EL2', 3, 4, 14, 2, 1], ['CNTHP_CVAL_EL2', 3, 4, 14, 2, 2],
]

export const BY_KEY: ReadonlyMap<number, SysRegDef> = new Map(ROWS.map(([name, op0, op1, crn, crm, op2, el, access]) => [
  sysKey(op0, op1, crn, crm, op2),
  { name, enc: [op0, op1, crn, crm, op2] as const, el: el ?? (op1 === 4 ? 2 : op1 === 3 ? 0 : 1), access: access ?? 'rw' },
]))

/** Every register's encoding by name (the disassembler prints names; tests look encodings up). */
export const BY_NAME: ReadonlyMap<SysRegName, SysRegDef> = new Map([...BY_KEY.values()].map((d) => [d.name, d]))

/**
 * Reset values other than zero (cortex-a53 as QEMU models it). SCTLR_EL1's is QEMU's
 * reset_sctlr: RES1 bits, SA, SA0, nTWI, nTWE, EOS/EIS. MPIDR_EL1 is filled per hart.
 */
export const RESET: Partial<Record<SysRegName, number>> = {
  SCTLR_EL1: 0x00c50838,
  SCTLR_EL2: 0x30c50838,
  MIDR_EL1: 0x410fd034,
  CTR_EL0: 0x84448004,
  // BS = 4: DC ZVA zeroes 2^4 words (64 bytes)
  DCZID_EL0: 0x4,
  CLIDR_EL1: 0x0a200023,
  ID_PFR0_EL1: 0x00000131, ID_PFR1_EL1: 0x00011011, ID_DFR0_EL1: 0x03010066,
  ID_MMFR0_EL1: 0x10101105, ID_MMFR1_EL1: 0x40000000, ID_MMFR2_EL1: 0x01260000, ID_MMFR3_EL1: 0x02102211,
  ID_ISAR0_EL1: 0x02101110, ID_ISAR1_EL1: 0x13112111, ID_ISAR2_EL1: 0x21232042, ID_ISAR3_EL1: 0x01112131,
  ID_ISAR4_EL1: 0x00011142, ID_ISAR5_EL1: 0x00011121,
  MVFR0_EL1: 0x10110222, MVFR1_EL1: 0x12111111, MVFR2_EL1: 0x00000043,
  // EL0 and EL1 in AArch64 and AArch32, FP and AdvSIMD present; EL2/EL3 fields set by the hart
  ID_AA64PFR0_EL1: 0x00000022,
  ID_AA64DFR0_EL1: 0x10305106,
  // AES, SHA1, SHA2, CRC32
  ID_AA64ISAR0_EL1: 0x00011120,
  // PARange 40 bits, 16-bit ASIDs, mixed-endian, 4 KiB and 64 KiB granules
  ID_AA64MMFR0_EL1: 0x00001122,
  PMCR_EL0: 0x41033000,
  // the OS lock is set at reset (OSLK, with OSLM = 0b10: the lock is implemented)
  OSLSR_EL1: 0xa,
}

/** CCSIDR_EL1 by CSSELR_EL1 (level and I/D): 32 KiB L1 D, 32 KiB L1 I, 1 MiB L2 */
export const CCSIDR: Readonly<Record<number, number>> = { 0: 0x700fe01a, 1: 0x201fe00a, 2: 0x707fe07a }

/** SCTLR_EL1 bits this hart looks at (D19.2.118) */
export const SCTLR = {
  M: 1 << 0, A: 1 << 1, C: 1 << 2, SA: 1 << 3, SA0: 1 << 4, UMA: 1 << 9, I: 1 << 12,
  DZE: 1 << 14, UCT: 1 << 15, NTWI: 1 << 16, NTWE: 1 << 18, WXN: 1 << 19, EE: 1 << 25, UCI: 1 << 26,
} as const

/** HCR_EL2 bits this hart looks at (D19.2.46) */
export const HCR = {
  VM: 1 << 0, FMO: 1 << 3, IMO: 1 << 4, VF: 1 << 6, VI: 1 << 7, TSC: 1 << 19, TGE: 1 << 27, HCD: 1 << 29,
  /** RW (bit 31): lower ELs are AArch64 */
  RW: 1 << 31,
} as const
