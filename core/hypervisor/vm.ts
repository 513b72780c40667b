/**
 * VMs and vCPUs as the arch-neutral core sees them (Bao's `struct vm`, `struct vcpu`). The
 * architecture keeps its own per-VM and per-vCPU state in `arch`.
 */
import type { HvVmConfig } from './config.ts'
import { VmConsole } from './console.ts'
import { Stage2Map } from './stage2.ts'

/** 'inactive': created or left, not on the stack; 'stacked': under a child it invoked (reference §4.1) */
export type VcpuState = 'stopped' | 'running' | 'inactive' | 'stacked'
export type VmState = 'running' | 'stopped' | 'faulted'

export interface FaultReport {
  vm: number
  vmName: string
  vcpu: number
  pc: bigint
  addr: bigint
  cause: string
}

export class Vcpu {
  state: VcpuState = 'stopped'
  /** traps the hypervisor handled for this vCPU (VM exits) */
  exits = 0
  arch: unknown = undefined
  /** the vCPU below this one on its pCPU's VM stack, while stacked above it */
  stackParent: Vcpu | null = null
  constructor(readonly vm: Vm, readonly id: number, readonly pcpu: number) {}
}

export class Vm {
  readonly vcpus: Vcpu[] = []
  readonly stage2 = new Stage2Map()
  readonly console: VmConsole
  state: VmState = 'running'
  fault: FaultReport | null = null
  hypercalls = 0
  /** physical interrupts assigned to this VM */
  readonly irqs = new Set<number>()
  /** VM-stack relations: the VM that created this one, and those it created */
  parent: Vm | null = null
  readonly children: Vm[] = []
  /** where the device tree was placed (guest-physical), if one was generated */
  dtbAddr = 0
  arch: unknown = undefined

  constructor(readonly id: number, readonly config: HvVmConfig, pcpus: number[]) {
    this.console = new VmConsole(config.name)
    pcpus.forEach((p, i) => this.vcpus.push(new Vcpu(this, i, p)))
  }

  get name(): string { return this.config.name }

  /** guest-physical → host-physical for RAM (loading images and the device tree) */
  gpaToPa(gpa: number): number {
    const e = this.stage2.lookup(gpa)
    if (!e || e.kind === 'emulated') throw new Error(`VM ${this.name}: 0x${gpa.toString(16)} is not RAM`)
    return e.pa + (gpa - e.gpa)
  }

  get exits(): number {
    return this.vcpus.reduce((s, v) => s + v.exits, 0)
  }
}
