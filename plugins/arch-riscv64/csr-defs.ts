/** CSR numbers and bit fields (privileged spec 1.12 chapters 2, 3, 4, 8; Sstc). */

export const CSR = {
  fflags: 0x001, frm: 0x002, fcsr: 0x003,
  cycle: 0xc00, time: 0xc01, instret: 0xc02,
  sstatus: 0x100, sie: 0x104, stvec: 0x105, scounteren: 0x106, senvcfg: 0x10a,
  sscratch: 0x140, sepc: 0x141, scause: 0x142, stval: 0x143, sip: 0x144, stimecmp: 0x14d, satp: 0x180,
  vsstatus: 0x200, vsie: 0x204, vstvec: 0x205, vsscratch: 0x240, vsepc: 0x241, vscause: 0x242,
  vstval: 0x243, vsip: 0x244, vstimecmp: 0x24d, vsatp: 0x280,
  hstatus: 0x600, hedeleg: 0x602, hideleg: 0x603, hie: 0x604, htimedelta: 0x605, hcounteren: 0x606,
  hgeie: 0x607, henvcfg: 0x60a, htval: 0x643, hip: 0x644, hvip: 0x645, htinst: 0x64a, hgatp: 0x680, hgeip: 0xe12,
  mvendorid: 0xf11, marchid: 0xf12, mimpid: 0xf13, mhartid: 0xf14, mconfigptr: 0xf15,
  mstatus: 0x300, misa: 0x301, medeleg: 0x302, mideleg: 0x303, mie: 0x304, mtvec: 0x305, mcounteren: 0x306,
  menvcfg: 0x30a, mcountinhibit: 0x320, mscratch: 0x340, mepc: 0x341, mcause: 0x342, mtval: 0x343, mip: 0x344,
  mtinst: 0x34a, mtval2: 0x34b, pmpcfg0: 0x3a0, pmpaddr0: 0x3b0, mcycle: 0xb00, minstret: 0xb02,
  mseccfg: 0x747, tselect: 0x7a0, tdata1: 0x7a1,
} as const

/** mstatus bits in the low word */
export const MS = {
  SIE: 1 << 1, MIE: 1 << 3, SPIE: 1 << 5, UBE: 1 << 6, MPIE: 1 << 7, SPP: 1 << 8,
  MPP: 3 << 11, MPP_SHIFT: 11, FS: 3 << 13, FS_SHIFT: 13, MPRV: 1 << 17, SUM: 1 << 18, MXR: 1 << 19,
  TVM: 1 << 20, TW: 1 << 21, TSR: 1 << 22, SD_HI: 1 << 31,
  /** high word: UXL=2 (bits 33:32) and SXL=2 (35:34) read-only */
  XL_HI: 0xa, GVA_HI: 1 << 6, MPV_HI: 1 << 7,
} as const

export const MSTATUS_WMASK = MS.SIE | MS.MIE | MS.SPIE | MS.MPIE | MS.SPP | MS.MPP | MS.FS | MS.MPRV | MS.SUM | MS.MXR | MS.TVM | MS.TW | MS.TSR
export const SSTATUS_MASK = MS.SIE | MS.SPIE | MS.UBE | MS.SPP | MS.FS | MS.SUM | MS.MXR
export const SSTATUS_WMASK = MS.SIE | MS.SPIE | MS.SPP | MS.FS | MS.SUM | MS.MXR

/** hstatus bits (H extension §8.2.1) */
export const HS = {
  VSBE: 1 << 5, GVA: 1 << 6, SPV: 1 << 7, SPVP: 1 << 8, HU: 1 << 9, VGEIN: 0x3f << 12,
  VTVM: 1 << 20, VTW: 1 << 21, VTSR: 1 << 22, VSXL_HI: 0x2,
} as const
export const HSTATUS_WMASK = HS.GVA | HS.SPV | HS.SPVP | HS.HU | HS.VTVM | HS.VTW | HS.VTSR

/** interrupt bits of mip/mie */
export const IRQ = {
  SSI: 1 << 1, VSSI: 1 << 2, MSI: 1 << 3, STI: 1 << 5, VSTI: 1 << 6, MTI: 1 << 7,
  SEI: 1 << 9, VSEI: 1 << 10, MEI: 1 << 11, SGEI: 1 << 12,
} as const
export const VS_IRQS = IRQ.VSSI | IRQ.VSTI | IRQ.VSEI
export const S_IRQS = IRQ.SSI | IRQ.STI | IRQ.SEI
export const ALL_IRQS = 0x1eee
/** priv 1.12 §3.1.9 and H §8.2.14: order in which simultaneous interrupts are taken */
export const IRQ_PRIORITY = [11, 3, 7, 9, 1, 5, 12, 10, 2, 6]

/** exception causes */
export const EXC = {
  INSN_MISALIGNED: 0, INSN_ACCESS: 1, ILLEGAL: 2, BREAKPOINT: 3, LOAD_MISALIGNED: 4, LOAD_ACCESS: 5,
  STORE_MISALIGNED: 6, STORE_ACCESS: 7, ECALL_U: 8, ECALL_S: 9, ECALL_VS: 10, ECALL_M: 11,
  INSN_PAGE: 12, LOAD_PAGE: 13, STORE_PAGE: 15, INSN_GUEST_PAGE: 20, LOAD_GUEST_PAGE: 21,
  VIRTUAL_INSN: 22, STORE_GUEST_PAGE: 23,
} as const

/** medeleg may delegate everything but ecall-from-M; hedeleg only what VS-mode can handle (H §8.2.2) */
export const MEDELEG_MASK = 0x7ff | (1 << 12) | (1 << 13) | (1 << 15) | (0xf << 20)
export const HEDELEG_MASK = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 12) | (1 << 13) | (1 << 15)

/** misa: RV64 with A C D F H I M S U */
export const MISA_LO = (1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 7) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20)
export const MISA_HI = 2 << 30

export const PRV_U = 0, PRV_S = 1, PRV_M = 3
