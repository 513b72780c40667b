/**
 * Stage 2 for a native hypervisor (Arm ARM D8.1.3, D8.2: the EL1&0 translation regime's second
 * stage): while `h.stage2` is set and the hart runs at EL1/EL0, every stage-1 output address —
 * and every stage-1 table address (S1PTW) — is an IPA that the hypervisor core's Stage2Map turns
 * into a physical address, in place of tables under VTTBR_EL2/VTCR_EL2. A window the map marks
 * emulated answers EMULATED for a data access the caller can serve in place (`ACC_EMU`); anything
 * else outside the map, or against its permissions, is a stage-2 abort taken to EL2 (el2.ts).
 */
import { S2_R, S2_W, S2_X } from '../../core/hypervisor/stage2.ts'
import { stage2Abort } from './el2.ts'
import type { A64Cpu } from './cpu.ts'

/** translate's answer for an IPA served by an emulated device (`h.emu`, `h.emuOff`) */
export const EMULATED = -2
/** or-ed into an access kind: the caller serves EMULATED windows (single loads and stores: memory.ts) */
export const ACC_EMU = 16
/** walk's answer when its own table read took a stage-2 abort (already raised) */
export const S2_FAULTED = -1000

const ACC_FETCH = 0, ACC_LOAD = 1
/** DFSC/IFSC: translation and permission faults at level 3 (D19.2.37.x), the level a page map has */
const FSC_TRANSLATION_L3 = 0x07, FSC_PERMISSION_L3 = 0x0f

/**
 * The physical address of `ipa` for an access of kind `acc` (mmu.ts ACC_*, maybe with ACC_EMU);
 * `s1ptw`: a stage-1 table read. EMULATED, or -1 after the abort was taken.
 */
export function stage2(h: A64Cpu, ipa: number, acc: number, s1ptw: boolean, vaLo: number, vaHi: number): number {
  const e = h.stage2!.lookup(ipa)
  const kind = acc & 3
  const need = s1ptw || kind === ACC_LOAD ? S2_R : kind === ACC_FETCH ? S2_X : S2_W
  if (e === undefined) return stage2Abort(h, ipa, acc, s1ptw, FSC_TRANSLATION_L3, vaLo, vaHi)
  if ((e.perm & need) === 0) return stage2Abort(h, ipa, acc, s1ptw, FSC_PERMISSION_L3, vaLo, vaHi)
  if (e.handler !== undefined) {
    if (s1ptw || kind === ACC_FETCH || (acc & ACC_EMU) === 0) return stage2Abort(h, ipa, acc, s1ptw, FSC_TRANSLATION_L3, vaLo, vaHi)
    h.emu = e
    h.emuOff = ipa - e.gpa
    return EMULATED
  }
  return e.pa + (ipa - e.gpa)
}
