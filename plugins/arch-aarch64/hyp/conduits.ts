/**
 * Arm's call conduits for the hypervisor's guests (reference §3.2, §3.3, §9): `HVC #0` carries
 * Bao's hypercalls — the function in x0 (class [23:16], id [15:0]: Bao's SMCCC form 0x86000001,
 * CROSSCON's enclave SDK form `3 << 16 | op` and a bare `1` all work), arguments in x1.. — and
 * `SMC #0` (trapped by HCR_EL2.TSC) carries SMCCC calls: OP-TEE's owners 0x32–0x3F and 0x12–0x1F
 * go to the `tee` service (function = the whole id), every other owner to the route registered
 * for that owner number (PSCI: 4, psci.ts), with the whole id as the function. Results go to
 * x0, x1, …; a call nothing serves answers SMCCC's NOT_SUPPORTED (-1) in x0.
 */
import { HC_CLASS, SERVICE_HYPERCALL, SERVICE_TEE, type Call } from '../../../core/hypervisor/calls.ts'
import { HC_IPC } from '../../../core/hypervisor/hypervisor.ts'
import type { Hypervisor } from '../../../core/hypervisor/hypervisor.ts'
import type { Vcpu } from '../../../core/hypervisor/vm.ts'
import type { A64Cpu } from '../cpu.ts'
import { setPair } from '../../../core/cpu/int64.ts'

export const HVC = 'hvc', SMC = 'smc'
/** SMCCC owner numbers (DEN 0028 §2.5): standard secure service (PSCI) */
export const OWNER_STANDARD = 4
const NOT_SUPPORTED = -1n

/** SMCCC owner of a function id */
export const ownerOf = (fid: number): number => (fid >>> 24) & 0x3f
const isTee = (o: number): boolean => (o >= 0x32 && o <= 0x3f) || (o >= 0x12 && o <= 0x1f)

/** A call as HVC/SMC left the registers: x1..x6 made BigInts only when a handler reads `args`. */
class A64Call implements Call {
  private list: bigint[] | null = null
  constructor(readonly hv: Hypervisor, readonly vcpu: Vcpu, readonly conduit: string, readonly service: number | string, readonly fn: number, private readonly h: A64Cpu, private readonly first: number) {}
  get args(): readonly bigint[] {
    if (this.list === null) {
      const x = this.h.x
      this.list = []
      for (let n = this.first; n < this.first + 6; n++) this.list.push(n > 30 ? 0n : BigInt.asUintN(64, (BigInt(x[2 * n + 1]!) << 32n) | BigInt(x[2 * n]! >>> 0)))
    }
    return this.list
  }
}

/** result register n (x/a registers) ← v */
const setReg = (h: A64Cpu, n: number, v: bigint): void => setPair(h.x, 2 * n, v)

/** CROSSCON's bare SDSGX_CREATE (x0 & 0xFFFF = 0): the blob's IPA is in x2, x1 is unused */
const SDSGX_CREATE = 0

/**
 * The service and function a conduit's x0 names, and the register its arguments start at.
 * CROSSCON reads only `x0 & 0xFFFF` (§3.2), so its own guests call the sdSGX functions with
 * class 0: a class-0 id other than Bao's IPC notify is that enclave call, served by the
 * VM-stack's class (the numbers are the same: 2 OCALL = yield, 3 resume, 5 exit, 6 delete,
 * 7 add-region = lend, 8 info). Bare CREATE alone puts its argument one register later.
 */
export function decodeCall(conduit: string, x0: number): { service: number | string; fn: number; first: number } {
  if (conduit === HVC) {
    const fn = x0 & 0xffffff
    if (fn >>> 16 !== 0 || fn === HC_IPC) return { service: SERVICE_HYPERCALL, fn, first: 1 }
    return { service: SERVICE_HYPERCALL, fn: (HC_CLASS.ENCLAVE << 16) | fn, first: fn === SDSGX_CREATE ? 2 : 1 }
  }
  const o = ownerOf(x0)
  return { service: isTee(o) ? SERVICE_TEE : o, fn: x0 >>> 0, first: 1 }
}

/** Serve the HVC/SMC whose registers `h` holds for `vcpu` (pc already past it). */
export function serveCall(hv: Hypervisor, vcpu: Vcpu, h: A64Cpu, conduit: string): void {
  const { service, fn, first } = decodeCall(conduit, h.x[0]!)
  const r = hv.dispatch(new A64Call(hv, vcpu, conduit, service, fn, h, first))
  if (r === null) return // the call switched vCPUs or stopped this one: results are where they belong
  if (r === undefined) return setReg(h, 0, NOT_SUPPORTED)
  for (let i = 0; i < r.length; i++) setReg(h, i, r[i]!)
}
