/**
 * What the hart does for a hypervisor that plays EL2 natively (hyp/a64-hyp.ts): stage-2 aborts
 * with the syndrome ESR_EL2, FAR_EL2 and HPFAR_EL2 would hold (D13.2.39, D13.2.53), offered to
 * the trap hook; and accesses to emulated device windows, served in place — the load or store
 * instruction itself supplies what ESR_EL2.ISV would describe (the access size, the sign
 * extension, the register, the direction), so the device answers straight into the register the
 * instruction names and no trap is taken.
 */
import { EC, takeException, VEC_SYNC } from './exceptions.ts'
import type { A64Cpu } from './cpu.ts'
import { SR } from './sysreg-defs.ts'

const ACC_FETCH = 0, ACC_STORE = 2, ACC_CM = 8
/** ESR_ELx.IL; ISS bits of an abort (D19.2.37.x): WnR 6, S1PTW 7, CM 8 */
const IL = 1 << 25, WNR = 1 << 6, S1PTW = 1 << 7, CM = 1 << 8

/**
 * A stage-2 abort at `ipa` (from EL1/EL0: EC 0x20 / 0x24). HPFAR_EL2.FIPA = IPA[47:12] at
 * bits 39:4; FAR_EL2 = the virtual address. Returns -1 (the abort is taken).
 */
export function stage2Abort(h: A64Cpu, ipa: number, acc: number, s1ptw: boolean, fsc: number, vaLo: number, vaHi: number): number {
  const kind = acc & 3
  const fetch = kind === ACC_FETCH && !s1ptw
  const ec = kind === ACC_FETCH ? EC.IABT_LOW : EC.DABT_LOW
  // ISV = 0: the hypervisor learns no more than the address and the direction
  const iss = fsc | (kind === ACC_STORE && !s1ptw && !fetch ? WNR : 0) | (s1ptw ? S1PTW : 0) | ((acc & ACC_CM) !== 0 ? CM : 0)
  const page = Math.floor(ipa / 4096)
  const s = h.sys
  s[SR.HPFAR_EL2 * 2] = (page % 0x10000000) * 16
  s[SR.HPFAR_EL2 * 2 + 1] = Math.floor(page / 0x10000000)
  takeException(h, 2, VEC_SYNC, (ec << 26) | IL | iss, h.pcLo, h.pcHi, true, vaLo, vaHi)
  return -1
}

/** HPFAR_EL2 as a fault IPA (page address) */
export function faultIpa(h: A64Cpu): number {
  const s = h.sys
  return ((s[SR.HPFAR_EL2 * 2 + 1]! >>> 0) * 0x10000000 + ((s[SR.HPFAR_EL2 * 2]! >>> 4) >>> 0)) * 4096
}

