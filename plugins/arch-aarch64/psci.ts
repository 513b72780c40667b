/**
 * Firmware for a bare machine: PSCI (Arm DEN 0022) answered in place of an EL3 or EL2 that is not
 * there, as QEMU does for `-M virt` without virtualization/secure (target/arm/psci.c): every HVC
 * is a PSCI call, unknown functions answer NOT_SUPPORTED. CPU_ON starts a powered-off hart at
 * EL1h with the MMU off and x0 = the context id; SYSTEM_OFF and SYSTEM_RESET end the run through
 * the machine's power control.
 */
import type { MachineControl } from '../../core/device.ts'
import type { A64Cpu } from './cpu.ts'

/** what a hart calls on HVC/SMC when EL2/EL3 are not implemented */
export interface Firmware {
  conduit: 'hvc' | 'smc'
  /** serve the call in x0.. (pc already past the instruction); results in x0.. */
  call(h: A64Cpu): void
}

/** PSCI function IDs (DEN 0022D §5.1): SMC32 0x84…, SMC64 0xC4… */
export const PSCI = {
  VERSION: 0x84000000, CPU_SUSPEND: 0x84000001, CPU_SUSPEND64: 0xc4000001, CPU_OFF: 0x84000002,
  CPU_ON: 0x84000003, CPU_ON64: 0xc4000003, AFFINITY_INFO: 0x84000004, AFFINITY_INFO64: 0xc4000004,
  MIGRATE_INFO_TYPE: 0x84000006, SYSTEM_OFF: 0x84000008, SYSTEM_RESET: 0x84000009, FEATURES: 0x8400000a,
} as const
const SUCCESS = 0, NOT_SUPPORTED = -1, INVALID_PARAMETERS = -2, ALREADY_ON = -4
/** PSCI 1.1, what QEMU 7.2's virt reports */
const VERSION_1_1 = 0x10001

export class Psci implements Firmware {
  conduit: 'hvc' | 'smc' = 'hvc'
  constructor(private readonly harts: readonly A64Cpu[], private readonly power: MachineControl) {}

  call(h: A64Cpu): void {
    const fn = Number(h.reg(0) & 0xffffffffn)
    const ret = (v: number): void => h.setReg(0, BigInt(v))
    switch (fn) {
      case PSCI.VERSION: return ret(VERSION_1_1)
      case PSCI.MIGRATE_INFO_TYPE: return ret(2) // no trusted OS to migrate
      case PSCI.FEATURES: return ret((Object.values(PSCI) as number[]).includes(Number(h.reg(1) & 0xffffffffn)) ? SUCCESS : NOT_SUPPORTED)
      case PSCI.SYSTEM_OFF: this.power.poweroff(0); return ret(SUCCESS)
      case PSCI.SYSTEM_RESET: this.power.reset(); return ret(SUCCESS)
      case PSCI.CPU_SUSPEND: case PSCI.CPU_SUSPEND64: return ret(SUCCESS) // a standby that returns at once
      case PSCI.CPU_OFF:
        h.off = true
        h.idle = true
        h.brk = true
        return ret(SUCCESS)
      case PSCI.CPU_ON: case PSCI.CPU_ON64: {
        const target = this.byMpidr(h.reg(1))
        if (!target) return ret(INVALID_PARAMETERS)
        if (!target.off) return ret(ALREADY_ON)
        target.reset(h.reg(2))
        target.firmware = this
        target.setReg(0, h.reg(3))
        return ret(SUCCESS)
      }
      case PSCI.AFFINITY_INFO: case PSCI.AFFINITY_INFO64: {
        const target = this.byMpidr(h.reg(1))
        return ret(target ? (target.off ? 1 : 0) : INVALID_PARAMETERS)
      }
    }
    ret(NOT_SUPPORTED)
  }

  private byMpidr(mpidr: bigint): A64Cpu | undefined {
    const aff = Number(mpidr & 0xffffffn)
    // MPIDR_EL1's affinity as sysregs.ts sets it: Aff1 = id / 8, Aff0 = id % 8
    return this.harts.find((t) => (((t.id >> 3) << 8) | (t.id & 7)) === aff)
  }
}
