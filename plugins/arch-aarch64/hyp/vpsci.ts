/**
 * PSCI for the hypervisor's guests over SMC (reference §9; Bao's psci.c, DEN 0022): VERSION,
 * CPU_ON (target vMPIDR → the VM's vCPU, entry, context id → its x0), CPU_OFF, AFFINITY_INFO,
 * FEATURES, MIGRATE_INFO_TYPE (2: no trusted OS to migrate), CPU_SUSPEND (a standby that returns),
 * SYSTEM_OFF / SYSTEM_RESET (the calling VM alone powers off or restarts). A route of the core's
 * call table for SMCCC owner 4 through the `smc` conduit; PSCI's error codes for bad arguments.
 */
import type { Call, CallResults, CallRoute } from '../../../core/hypervisor/calls.ts'
import type { Vcpu } from '../../../core/hypervisor/vm.ts'
import { PSCI } from '../psci.ts'
import { OWNER_STANDARD, SMC } from './conduits.ts'
import type { A64Hyp } from './a64-hyp.ts'

const SUCCESS = 0n, NOT_SUPPORTED = -1n, INVALID_PARAMETERS = -2n, ALREADY_ON = -4n, INVALID_ADDRESS = -9n
/** PSCI 1.1 (what QEMU's TF-A reports and Bao passes through) */
const VERSION = 0x10001n
/** the functions FEATURES reports (Bao's list, plus the system calls served here) */
const FEATURES = new Set<number>([PSCI.VERSION, PSCI.CPU_OFF, PSCI.CPU_SUSPEND, PSCI.CPU_SUSPEND64, PSCI.CPU_ON, PSCI.CPU_ON64,
  PSCI.AFFINITY_INFO, PSCI.AFFINITY_INFO64, PSCI.FEATURES, PSCI.MIGRATE_INFO_TYPE, PSCI.SYSTEM_OFF, PSCI.SYSTEM_RESET])

const hypOf = (c: Call): A64Hyp => c.hv.arch as A64Hyp

/** the vCPU of the caller's VM a vMPIDR names (Aff0 = vCPU id; Bao's vMPIDR = id | bit 31) */
function target(c: Call, mpidr: bigint): Vcpu | undefined {
  const aff = Number(mpidr & 0xff_ffffn)
  return aff < c.vcpu.vm.vcpus.length ? c.vcpu.vm.vcpus[aff] : undefined
}

function psci(c: Call): CallResults {
  const hyp = hypOf(c)
  const a = c.args
  switch (c.fn) {
    case PSCI.VERSION: return [VERSION]
    case PSCI.MIGRATE_INFO_TYPE: return [2n]
    case PSCI.FEATURES: return [FEATURES.has(Number(a[0]! & 0xffffffffn)) ? SUCCESS : NOT_SUPPORTED]
    case PSCI.CPU_SUSPEND: case PSCI.CPU_SUSPEND64: return [SUCCESS]
    case PSCI.CPU_ON: case PSCI.CPU_ON64: {
      const t = target(c, a[0]!)
      if (!t) return [INVALID_PARAMETERS]
      if (t.state !== 'stopped') return [ALREADY_ON]
      const entry = c.fn === PSCI.CPU_ON ? a[1]! & 0xffffffffn : a[1]!
      if (!hyp.isRam(c.vcpu.vm, entry)) return [INVALID_ADDRESS]
      hyp.startVcpu(t, entry, [c.fn === PSCI.CPU_ON ? a[2]! & 0xffffffffn : a[2]!])
      return [SUCCESS]
    }
    case PSCI.CPU_OFF:
      hyp.stopVcpu(c.vcpu)
      return null
    case PSCI.AFFINITY_INFO: case PSCI.AFFINITY_INFO64: {
      const t = target(c, a[0]!)
      if (!t || a[1] !== 0n) return [INVALID_PARAMETERS]
      return [t.state === 'stopped' ? 1n : 0n]
    }
    case PSCI.SYSTEM_OFF: case PSCI.SYSTEM_RESET:
      hyp.setResults(c.vcpu, [SUCCESS])
      hyp.systemReset(c.vcpu, c.fn === PSCI.SYSTEM_OFF)
      return null
  }
  return [NOT_SUPPORTED]
}

/** the routes the arch plugin registers */
export const PSCI_ROUTES: CallRoute[] = [{ conduit: SMC, service: OWNER_STANDARD, handler: psci }]
