/**
 * The VM stack of one physical CPU (reference §4): the vCPU running there, and below it the
 * stacked vCPUs that invoked it, parent first. push runs a child vCPU on the caller's pCPU and
 * stacks the caller; pop returns to the vCPU below; unwind pops until a given vCPU runs. A
 * switch saves and restores the whole guest context (the architecture's `switchVcpu`).
 * Interrupts for a stacked vCPU stay pending in its saved context until it runs again.
 */
import type { ArchHyp } from '../arch.ts'
import type { Vcpu } from './vm.ts'

/**
 * CROSSCON's VM-stack calls (reference §3.2, §4): functions of hypercall class 3 (`HC_ENCLAVE`),
 * the same numbers on every architecture. feat-dynamic-vm serves them; the API issues them.
 */
export const VMSTACK_FN = { CREATE: 0, INVOKE: 1, YIELD: 2, RESUME: 3, EXIT: 5, DESTROY: 6, LEND: 7, INFO: 8 } as const
/** reasons an invoke/resume returns with (first result register ≥ 0) */
export const VMSTACK_RET = { EXITED: 0, INTERRUPTED: 1, YIELDED: 2, FAULT: 9 } as const

export class VmStack {
  /** stacked vCPUs, bottom first */
  readonly stacked: Vcpu[] = []
  current: Vcpu | undefined

  constructor(readonly pcpu: number, private readonly arch: ArchHyp, private readonly onSwitch: (v: Vcpu | undefined) => void) {}

  /** Run `child` here; the current vCPU is stacked under it. */
  push(child: Vcpu): void {
    const cur = this.current
    if (cur) {
      cur.state = 'stacked'
      this.stacked.push(cur)
    }
    child.stackParent = cur ?? null
    this.switchTo(cur, child)
  }

  /** Leave the current vCPU (it becomes inactive) and run the one below. Returns the one left. */
  pop(): Vcpu | undefined {
    const left = this.current
    const below = this.stacked.pop()
    if (!below) return undefined
    if (left) left.state = 'inactive'
    this.switchTo(left, below)
    return left
  }

  /** Pop until `v` runs. */
  unwind(v: Vcpu): void {
    while (this.current !== v && this.stacked.length) this.pop()
  }

  /** depth of the stack including the running vCPU */
  get depth(): number {
    return this.stacked.length + (this.current ? 1 : 0)
  }

  private switchTo(from: Vcpu | undefined, to: Vcpu): void {
    this.arch.switchVcpu(this.pcpu, from, to)
    to.state = 'running'
    this.current = to
    this.onSwitch(to)
  }
}
