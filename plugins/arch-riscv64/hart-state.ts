/**
 * Sessions: the shape of what `RiscvHart.snapshot` saves (the registers and CSRs travel in the
 * state area), checked before a restore so that a session edited by hand is refused with the
 * field at fault instead of putting a hart in a state the execute loop never sees (priv 2, a pc
 * that is not two 32-bit words, V=1 in M-mode).
 */
import { z } from 'zod'
import { checkState, stateNum, StateError } from '../../core/state-check.ts'
import { CSR } from './csr-defs.ts'

/** priv 1.12 §1.2: 0 U, 1 S (HS or VS with V=1), 3 M; 2 is reserved */
const priv = z.union([z.literal(0), z.literal(1), z.literal(3)], { errorMap: () => ({ message: 'must be a privilege mode: 0 (U), 1 (S) or 3 (M)' }) })

export const hartState = z.object({
  pcLo: stateNum.int32,
  pcHi: stateNum.int32,
  priv,
  virt: z.union([z.literal(0), z.literal(1)], { errorMap: () => ({ message: 'must be 0 or 1 (the H extension\'s V)' }) }),
  /** LR reservation: a physical address, or -1 for none */
  resAddr: z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER),
  resLo: stateNum.int32,
  resHi: stateNum.int32,
  /** interrupt lines driven by devices: mip bits */
  hwIrq: z.number().int().min(-0x80000000).max(0xffffffff),
  idle: z.boolean(),
  halted: z.boolean(),
  instret: stateNum.count,
  /** cache-model stall cycles charged and not yet taken, and all taken (the cycle counter has them) */
  stalled: stateNum.count.default(0),
  stallTotal: stateNum.count.default(0),
}).strict().refine((s) => !(s.virt === 1 && s.priv === 3), { message: 'V=1 in M-mode does not exist (priv 1.12 §8.2)', path: ['virt'] })

export type HartState = z.infer<typeof hartState>

/**
 * The saved hart and its CSRs in `stateArea` at `stateBase`: `satp`, `vsatp` and `hgatp` name a
 * translation mode this hart implements (Bare or Sv39 / Sv39x4, priv 1.12 §4.1.11, §8.2.10).
 */
export function checkHartState(state: unknown, stateArea: Uint8Array, stateBase: number): HartState {
  const s = checkState(hartState, state)
  const words = new Int32Array(stateArea.buffer, stateArea.byteOffset + stateBase + 1024, 8192)
  const mode = (n: number): number => (words[2 * n + 1]! >>> 28) & 0xf
  for (const [name, n] of [['satp', CSR.satp], ['vsatp', CSR.vsatp], ['hgatp', CSR.hgatp]] as const) {
    const m = mode(n)
    if (m !== 0 && m !== 8) throw new StateError(`csr.${name}`, `MODE ${m} is neither Bare (0) nor Sv39 (8)`)
  }
  return s
}
