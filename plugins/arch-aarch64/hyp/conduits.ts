/**
 * Arm's call conduits for the hypervisor's guests (reference §3.2, §3.3, §9): `HVC #0` carries
 * Bao's hypercalls — the function in x0 (class [23:16], id [15:0]: Bao's SMCCC form 0x86000001,
 * CROSSCON's enclave SDK form `3 << 16 | op` and a bare `1` all work), arguments in x1.. — and
 * `SMC #0` (trapped by HCR_EL2.TSC) carries SMCCC calls: OP-TEE's owners 0x32–0x3F and 0x12–0x1F
 * go to the `tee` service (function = the whole id), every other owner to the route registered
 * for that owner number (PSCI: 4, psci.ts), with the whole id as the function. Results go to
 * x0, x1, …; a call nothing serves answers SMCCC's NOT_SUPPORTED (-1) in x0.
 */
import { SERVICE_HYPERCALL, SERVICE_TEE, type Call } from '../../../core/hypervisor/calls.ts'
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
  constructor(readonly hv: Hypervisor, readonly vcpu: Vcpu, readonly conduit: string, readonly service: number | string, readonly fn: number, private readonly h: A64Cpu) {}
  get args(): readonly bigint[] {
    if (this.list === null) {
      const x = this.h.x
      this.list = []
      for (let n = 1; n <= 6; n++) this.list.push(BigInt.asUintN(64, (BigInt(x[2 * n + 1]!) << 32n) | BigInt(x[2 * n]! >>> 0)))
    }
    return this.list
  }
}

/** result register n (x/a registers) ← v */
const setReg = (h: A64Cpu, n: number, v: bigint): void => setPair(h.x, 2 * n, v)

/** the service and function a conduit's x0 names */
export function decodeCall(conduit: string, x0: number): { service: number | string; fn: number } {
  if (conduit === HVC) return { service: SERVICE_HYPERCALL, fn: x0 & 0xffffff }
  const o = ownerOf(x0)
  return { service: isTee(o) ? SERVICE_TEE : o, fn: x0 >>> 0 }
}

/** Serve the HVC/SMC whose registers `h` holds for `vcpu` (pc already past it). */
export function serveCall(hv: Hypervisor, vcpu: Vcpu, h: A64Cpu, conduit: string): void {
  const { service, fn } = decodeCall(conduit, h.x[0]!)
  const r = hv.dispatch(new A64Call(hv, vcpu, conduit, service, fn, h))
  if (r === null) return // the call switched vCPUs or stopped this one: results are where they belong
  if (r === undefined) return setReg(h, 0, NOT_SUPPORTED)
  for (let i = 0; i < r.length; i++) setReg(h, i, r[i]!)
}
