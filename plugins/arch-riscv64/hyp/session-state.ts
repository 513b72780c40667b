/**
 * Sessions: what the RISC-V glue keeps outside the harts — per VM the vPLIC, the SBI console's
 * input queue and the unsupported-call warnings already given; per vCPU the pending SBI timer
 * (as the cycle it fires at: the event itself is a closure) and the saved guest context of a
 * vCPU that is off its pCPU (VM stack). Plain JSON; VMs and vCPUs are named by id.
 */
import type { BoardDevice } from '../../../core/board.ts'
import type { Hypervisor } from '../../../core/hypervisor/hypervisor.ts'
import type { Vcpu } from '../../../core/hypervisor/vm.ts'
import type { RiscvHart } from '../hart.ts'
import { GUEST_CSR_WORDS, type VcpuContext } from './context.ts'
import type { RiscvHyp, VcpuArch, VmArch } from './riscv-hyp.ts'
import type { VPlicState } from './vplic.ts'
import { checkState, stateNum, StateError } from '../../../core/state-check.ts'
import { z } from 'zod'

interface ContextState {
  x: number[]
  f: number[]
  csr: number[]
  pcLo: number
  pcHi: number
  priv: number
  virt: number
  idle: boolean
}

export interface RiscvHypState {
  vms: { id: number; vplic: VPlicState; input: number[]; unsupportedSeen: number[] }[]
  vcpus: { vm: number; vcpu: number; timerAt: number | null; ctx: ContextState | null; seieMasked?: boolean | null }[]
}

const int32s = (n: number) => z.array(stateNum.int32).length(n, `must list ${n} 32-bit words`)
const priv = z.union([z.literal(0), z.literal(1), z.literal(3)], { errorMap: () => ({ message: 'must be a privilege mode: 0 (U), 1 (S) or 3 (M)' }) })

/** the shape of RiscvHypState; a context's arrays are as long as the hart's (context.ts) */
const savedState = z.object({
  vms: z.array(z.object({
    id: stateNum.count,
    vplic: z.unknown(),
    input: z.array(stateNum.u8).max(1 << 20),
    unsupportedSeen: z.array(stateNum.count).max(4096),
  }).strict()).max(1024),
  vcpus: z.array(z.object({
    vm: stateNum.count,
    vcpu: stateNum.count,
    timerAt: stateNum.count.nullable(),
    seieMasked: z.boolean().nullable().optional(),
    ctx: z.object({
      x: int32s(66), f: int32s(64), csr: int32s(GUEST_CSR_WORDS),
      pcLo: stateNum.int32, pcHi: stateNum.int32, priv, virt: z.union([z.literal(0), z.literal(1)]), idle: z.boolean(),
    }).strict().nullable(),
  }).strict()).max(1 << 16),
}).strict()

/**
 * Throws StateError for a state `restoreHypState` would refuse: the shape, each vPLIC's state
 * against the vPLIC of the VM it names (VMs made at run time are checked when they are rebuilt).
 */
export function checkHypState(hv: Hypervisor, plic: BoardDevice | undefined, state: unknown): void {
  const s = checkState(savedState, state)
  s.vms.forEach((vs, i) => {
    const vm = hv.vms.find((v) => v.id === vs.id)
    if (!vm) return
    try {
      vmArch(vm.arch).vplic.checkState(vs.vplic, plic?.size ?? 0)
    } catch (e) {
      throw e instanceof StateError ? e.within(`vms[${i}].vplic`) : e
    }
  })
}

const vmArch = (a: unknown): VmArch => a as VmArch
const vcpuArch = (a: unknown): VcpuArch => a as VcpuArch

export function snapshotHypState(hv: Hypervisor, _plic: BoardDevice | undefined): RiscvHypState {
  return {
    vms: hv.vms.map((vm) => {
      const a = vmArch(vm.arch)
      return { id: vm.id, vplic: a.vplic.snapshot(), input: [...a.input], unsupportedSeen: [...a.unsupportedSeen] }
    }),
    vcpus: hv.vms.flatMap((vm) => vm.vcpus.map((v) => {
      const a = vcpuArch(v.arch)
      const c = a.ctx
      const ctx = c ? { x: [...c.x], f: [...c.f], csr: [...c.csr], pcLo: c.pcLo, pcHi: c.pcHi, priv: c.priv, virt: c.virt, idle: c.idle } : null
      return { vm: vm.id, vcpu: v.id, timerAt: a.timerAt, ctx, seieMasked: a.seieMasked }
    })),
  }
}

/**
 * After the core restored VM and vCPU states, the VM stacks and the harts' CSRs: saved contexts
 * first (a vPLIC output may land in one), then the vPLICs, then the SBI timers, re-armed.
 */
export function restoreHypState(hyp: RiscvHyp, hv: Hypervisor, plic: BoardDevice | undefined, state: unknown): void {
  checkHypState(hv, plic, state)
  const s = state as RiscvHypState
  const vcpu = (vm: number, id: number): Vcpu | undefined => hv.vms.find((v) => v.id === vm)?.vcpus[id]
  for (const cs of s.vcpus) {
    const v = vcpu(cs.vm, cs.vcpu)
    if (!v) continue
    const c = cs.ctx
    vcpuArch(v.arch).seieMasked = cs.seieMasked ?? null
    vcpuArch(v.arch).ctx = c ? {
      x: Int32Array.from(c.x), f: Int32Array.from(c.f), csr: Int32Array.from(c.csr),
      pcLo: c.pcLo, pcHi: c.pcHi, priv: c.priv, virt: c.virt, idle: c.idle,
    } satisfies VcpuContext : null
  }
  // each pCPU translates through the stage-2 map of the vCPU on top of its stack
  const harts = hv.machine.cpus as unknown as RiscvHart[]
  harts.forEach((h, p) => { const v = hv.onCpu[p]; if (v) { h.stage2 = v.vm.stage2; h.vcpu = v.id } })
  const bus = hv.machine.bus
  for (const vs of s.vms) {
    const vm = hv.vms.find((v) => v.id === vs.id)
    if (!vm) continue
    const a = vmArch(vm.arch)
    a.input.length = 0
    for (const b of vs.input) a.input.push(b & 0xff)
    a.unsupportedSeen = new Set(vs.unsupportedSeen)
    // a physical interrupt held for the guest is completed in the context it was claimed in
    a.vplic.restore(vs.vplic, (n, ctx) => () => bus.write(plic!.base + 0x200004 + 0x1000 * ctx, 4, n))
  }
  for (const cs of s.vcpus) {
    const v = vcpu(cs.vm, cs.vcpu)
    if (!v) continue
    const a = vcpuArch(v.arch)
    hv.machine.sched.cancel(a.timer)
    a.timer = null
    a.timerAt = null
    if (cs.timerAt !== null) hyp.armTimer(v, cs.timerAt)
  }
}
