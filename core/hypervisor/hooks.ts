/**
 * What features hook into the hypervisor core (dynamic VMs, TEEs, colouring). Each hook is a
 * list: several features may listen, a plugin adds through its ctx and unload removes exactly
 * what it added. Every hook gets the hypervisor it concerns, since one plugin host may serve
 * several machines (tests, sessions); a feature keeps its per-machine state with `perHypervisor`.
 */
import type { Hypervisor } from './hypervisor.ts'
import type { FaultReport, Vcpu, Vm } from './vm.ts'

/** a fault as the architecture reports it, before the core names the VM */
export type FaultInfo = Omit<FaultReport, 'vm' | 'vmName' | 'vcpu'>

export interface HookSignatures {
  /** a vCPU faulted (fault containment); return true when the feature handled it (the VM is not stopped) */
  fault: (hv: Hypervisor, vcpu: Vcpu, fault: FaultInfo) => boolean
  /** a virtual interrupt arrived for a vCPU stacked under a child (VM-stack) */
  stackedInterrupt: (hv: Hypervisor, vcpu: Vcpu) => void
  /** a VM was built (at boot, at run time, or as a VM-stack child) */
  vmCreated: (hv: Hypervisor, vm: Vm) => void
  /** a VM is about to be destroyed: release what the feature holds for it (its resources go next) */
  vmDestroyed: (hv: Hypervisor, vm: Vm) => void
}

export type HookName = keyof HookSignatures

/** Sessions: a feature's own state (the VMs it built, its counters), as plain JSON. */
export interface FeatureState {
  /** why the state cannot be captured now, or null when it can */
  captureProblem?(hv: Hypervisor): string | null
  snapshot(hv: Hypervisor): unknown
  /** rebuild from `snapshot()` on a freshly booted machine, before the VMs' own state returns */
  restore(hv: Hypervisor, state: unknown): void
}

export class Hooks {
  private readonly lists: { [K in HookName]: HookSignatures[K][] } = { fault: [], stackedInterrupt: [], vmCreated: [], vmDestroyed: [] }
  /** feature states by feature name */
  readonly states = new Map<string, FeatureState>()

  /** Add a hook; the returned function removes it. */
  add<K extends HookName>(name: K, fn: HookSignatures[K]): () => void {
    const list = this.lists[name] as HookSignatures[K][]
    list.push(fn)
    return () => {
      const i = list.indexOf(fn)
      if (i >= 0) list.splice(i, 1)
    }
  }

  list<K extends HookName>(name: K): readonly HookSignatures[K][] {
    return this.lists[name] as HookSignatures[K][]
  }
}

/**
 * One `T` per hypervisor, made on first use and dropped with the hypervisor. Kept on the
 * hypervisor under `key`, so a feature plugin reloaded while machines run (hot reload) finds the
 * state its previous version built — its VMs, its counters — instead of starting empty.
 */
export function perHypervisor<T extends object>(key: string, make: (hv: Hypervisor) => T): (hv: Hypervisor) => T {
  return (hv) => hv.featureData(key, make)
}
