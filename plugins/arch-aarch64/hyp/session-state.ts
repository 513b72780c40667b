/**
 * Sessions: what the Arm glue keeps outside the harts — per VM its vGIC (distributor state and
 * routes, list register bookkeeping, the virtual interfaces of vCPUs off their pCPU), per vCPU the saved EL1
 * context of a vCPU that is off its pCPU (VM stack), and the hypervisor's model of the virtual
 * CPU interface when the GIC has none. Plain JSON; VMs and vCPUs named by id.
 */
import type { Vcpu } from '../../../core/hypervisor/vm.ts'
import { checkState, stateNum, StateError } from '../../../core/state-check.ts'
import { z } from 'zod'
import type { A64Hyp, VcpuArch } from './a64-hyp.ts'
import { ST_CTX_WORDS, SYS_CTX_WORDS, V_CTX_WORDS, X_CTX_WORDS, type A64Context } from './context.ts'
import type { SoftGichState } from './soft-gich.ts'
import type { VgicState } from './vgic.ts'

interface ContextState { x: number[]; sys: number[]; v: number[]; st: number[]; idle: boolean }

export interface A64HypState {
  vms: { id: number; vgic: VgicState }[]
  vcpus: { vm: number; vcpu: number; ctx: ContextState | null }[]
  soft: SoftGichState | null
}

const words = (n: number) => z.array(stateNum.int32).length(n, `must list ${n} 32-bit words`)
const bytes = z.array(stateNum.u8).max(1 << 16)
const saved = z.object({ lr: z.array(stateNum.int32).max(64), hcr: stateNum.int32, vmcr: stateNum.int32, apr: stateNum.int32, ap0r: stateNum.int32.optional() }).strict()
const vgicState = z.object({
  ctlr: stateNum.int32, enable: bytes, pending: bytes, active: bytes, level: bytes, priority: bytes, group: bytes, cfg: bytes,
  targets: bytes, route: z.array(stateNum.u32).max(2048), sgiSrc: bytes, slots: z.array(z.number().int().min(-1).max(1 << 16)).max(1 << 12), saved: z.array(saved.nullable()).max(256),
}).strict()
const savedState = z.object({
  vms: z.array(z.object({ id: stateNum.count, vgic: vgicState }).strict()).max(1024),
  vcpus: z.array(z.object({
    vm: stateNum.count, vcpu: stateNum.count,
    ctx: z.object({ x: words(X_CTX_WORDS), sys: words(SYS_CTX_WORDS), v: words(V_CTX_WORDS), st: words(ST_CTX_WORDS), idle: z.boolean() }).strict().nullable(),
  }).strict()).max(1 << 16),
  soft: z.object({ lr: z.array(stateNum.int32).max(1024), hcr: z.array(stateNum.int32).max(256), vmcr: z.array(stateNum.int32).max(256), apr: z.array(stateNum.int32).max(256) }).strict().nullable(),
}).strict()

/** Throws StateError for a state `restoreHypState` would refuse: the shape, and each vGIC's sizes against the VM's. */
export function checkHypState(hyp: A64Hyp, state: unknown): void {
  const s = checkState(savedState, state)
  s.vms.forEach((vs, i) => {
    const vm = hyp.hv.vms.find((v) => v.id === vs.id)
    if (!vm || !vm.arch) return
    const shape = hyp.vmArch(vm).vgic.shape()
    const g = vs.vgic
    const at = `vms[${i}].vgic`
    for (const k of ['enable', 'pending', 'active', 'level', 'priority', 'group'] as const) {
      if (g[k].length !== shape.n) throw new StateError(`${at}.${k}`, `must list ${shape.n} interrupts`)
    }
    if (g.cfg.length !== shape.lines || g.targets.length !== shape.lines) throw new StateError(`${at}.cfg`, `must list ${shape.lines} interrupts`)
    if (g.route.length !== 2 * shape.lines) throw new StateError(`${at}.route`, `must list ${2 * shape.lines} words, two per interrupt`)
    if (g.sgiSrc.length !== shape.sgi) throw new StateError(`${at}.sgiSrc`, `must list ${shape.sgi} SGIs`)
    if (g.slots.length !== shape.slots) throw new StateError(`${at}.slots`, `must list ${shape.slots} list registers`)
    if (g.saved.some((x) => x !== null && x.lr.length !== shape.lrs)) throw new StateError(`${at}.saved`, `each must list ${shape.lrs} list registers`)
  })
  if ((s.soft === null) !== (hyp.soft === null)) throw new StateError('soft', hyp.soft ? 'must be the virtual interface model\'s state' : 'must be null: the GIC has its own virtual interface')
}

export function snapshotHypState(hyp: A64Hyp): A64HypState {
  const hv = hyp.hv
  return {
    vms: hv.vms.filter((vm) => vm.arch).map((vm) => ({ id: vm.id, vgic: hyp.vmArch(vm).vgic.snapshot() })),
    vcpus: hv.vms.flatMap((vm) => vm.vcpus.map((v) => {
      const c = (v.arch as VcpuArch | undefined)?.ctx ?? null
      return { vm: vm.id, vcpu: v.id, ctx: c ? { x: [...c.x], sys: [...c.sys], v: [...c.v], st: [...c.st], idle: c.idle } : null }
    })),
    soft: hyp.soft?.snapshot() ?? null,
  }
}

/** After the core restored VM and vCPU states, the VM stacks and the harts' state areas. */
export function restoreHypState(hyp: A64Hyp, state: unknown): void {
  checkHypState(hyp, state)
  const s = state as A64HypState
  const hv = hyp.hv
  const vcpu = (vm: number, id: number): Vcpu | undefined => hv.vms.find((v) => v.id === vm)?.vcpus[id]
  for (const cs of s.vcpus) {
    const v = vcpu(cs.vm, cs.vcpu)
    if (!v) continue
    const c = cs.ctx
    ;(v.arch as VcpuArch).ctx = c ? {
      x: Int32Array.from(c.x), sys: Int32Array.from(c.sys), v: Int32Array.from(c.v), st: Int32Array.from(c.st), idle: c.idle,
    } satisfies A64Context : null
  }
  // each pCPU translates through the stage-2 map of the vCPU on top of its stack
  hyp.harts.forEach((h, p) => { const v = hv.onCpu[p]; if (v) { h.stage2 = v.vm.stage2; h.vcpu = v.id } })
  for (const vs of s.vms) {
    const vm = hv.vms.find((v) => v.id === vs.id)
    if (vm?.arch) hyp.vmArch(vm).vgic.restore(vs.vgic)
  }
  if (s.soft && hyp.soft) hyp.soft.restore(s.soft)
}
