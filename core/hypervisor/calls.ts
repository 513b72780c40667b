/**
 * Firmware and hypervisor calls, arch-neutral. A guest's call instruction (RISC-V `ecall`, Arm
 * `hvc`/`smc`) reaches the architecture plugin, which decodes its registers into a `Call`:
 * the conduit it came through, the service it names, the function and the arguments. The route
 * table sends it to whoever registered that service — the arch's own firmware (SBI extensions,
 * PSCI), the core's IPC, or a feature (VM-stack, TEE) — and the results go back into the
 * caller's result registers, which the arch maps (RISC-V a0, a1, …; Arm x0, x1, …).
 *
 * Services are numbers where the conduit's ABI numbers them (an SBI extension id, an SMCCC
 * owner) and names where the service is the same on every architecture: `hypercall` (Bao's
 * hypercalls, function = class << 16 | id, reference §3.1–3.2) and `tee` (OP-TEE calls, function
 * = the SMCCC function id, reference §3.3). Each arch binds its conduits to the named services.
 */
import type { Hypervisor } from './hypervisor.ts'
import type { Vcpu } from './vm.ts'

/** Bao's hypercalls (class << 16 | id), on every architecture */
export const SERVICE_HYPERCALL = 'hypercall'
/** OP-TEE calls (SMCCC function ids), on every architecture */
export const SERVICE_TEE = 'tee'

/** Bao's hypercall classes (reference §3.2: `HC_VMSTACK = 2`, `HC_ENCLAVE = 3`, `HC_TEE = 4`) */
export const HC_CLASS = { BAO: 0, VMSTACK: 2, ENCLAVE: 3, TEE: 4 } as const

export interface Call {
  hv: Hypervisor
  vcpu: Vcpu
  /** how the call arrived, named by the arch ('ecall', 'hvc', 'smc'), or 'api' from the REPL */
  conduit: string
  service: number | string
  fn: number
  args: readonly bigint[]
}

/**
 * What the caller's result registers get, in order (a0, a1, … / x0, x1, …); registers past the
 * list keep their values. `null`: the handler switched vCPUs (VM-stack) and wrote the results
 * of every vCPU involved itself (through `ArchHyp.setResults`).
 */
export type CallResults = bigint[] | null

export type CallHandler = (call: Call) => CallResults

export interface CallRoute {
  /** only calls through this conduit (default: any) */
  conduit?: string
  service: number | string
  /** only functions in [lo, hi] (default: all) */
  fns?: readonly [number, number]
  handler: CallHandler
}

/** The route table: arch and feature plugins add routes through their ctx; unload removes them. */
export class CallTable {
  /** routes by service, newest first (a call looks at its service's few routes only) */
  private readonly byService = new Map<number | string, CallRoute[]>()
  /** the last lookup and its answer: a guest tends to make the same call again (a VM exit's path) */
  private memo = false
  private lastConduit = ''
  private lastService: number | string = ''
  private lastFn = 0
  private lastRoute: CallRoute | undefined = undefined

  /** Add a route; the returned function removes it. A later route for the same calls wins. */
  add(route: CallRoute): () => void {
    this.byService.set(route.service, [route, ...(this.byService.get(route.service) ?? [])])
    this.memo = false
    return () => {
      const left = (this.byService.get(route.service) ?? []).filter((r) => r !== route)
      if (left.length) this.byService.set(route.service, left)
      else this.byService.delete(route.service)
      this.memo = false
    }
  }

  /** the route for `fn` of `service` through `conduit`, if any */
  find(conduit: string, service: number | string, fn: number): CallRoute | undefined {
    if (this.memo && fn === this.lastFn && service === this.lastService && conduit === this.lastConduit) return this.lastRoute
    const route = this.lookup(conduit, service, fn)
    this.lastConduit = conduit
    this.lastService = service
    this.lastFn = fn
    this.lastRoute = route
    this.memo = true
    return route
  }

  private lookup(conduit: string, service: number | string, fn: number): CallRoute | undefined {
    const routes = this.byService.get(service)
    if (!routes) return undefined
    for (const r of routes) {
      if (r.conduit !== undefined && r.conduit !== conduit) continue
      if (r.fns && (fn < r.fns[0] || fn > r.fns[1])) continue
      return r
    }
    return undefined
  }

  /** whether any function of `service` is routed through `conduit` (SBI probe_extension) */
  serves(conduit: string, service: number | string): boolean {
    return (this.byService.get(service) ?? []).some((r) => r.conduit === undefined || r.conduit === conduit)
  }

  /** every route (for listings) */
  list(): CallRoute[] {
    return [...this.byService.values()].flat()
  }
}
