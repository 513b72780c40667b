/**
 * What `restoreMachine` checks before it changes anything: that the snapshot is of this machine
 * (board, arch, CPUs, devices, RAM pages), that what it says refers to things that exist (VMs,
 * vCPUs, pCPUs, shared memories, device types), and — through their owners' `checkState` /
 * `check` hooks — that every device's, CPU's and the arch glue's state is one they restore.
 * The core names no architecture: the hooks say what a valid CPU or vPLIC state is.
 */
import type { Workbench } from '../api.ts'
import { PAGE_SIZE, STATE_AREA_BYTES } from '../bus.ts'
import type { HvVmConfig } from '../hypervisor/config.ts'
import { StateError } from '../state-check.ts'
import type { MachineSnapshot } from './snapshot.ts'

/** Throws SnapshotError-worthy problems as `fail(message)`; StateError paths start at `machine.`. */
export function checkMachine(wb: Workbench, snap: MachineSnapshot, fail: (msg: string) => never): void {
  const m = wb.machine
  const hv = wb.hypervisor
  if (snap.board !== m.board.name) fail(`snapshot is of board ${snap.board}, the machine is ${m.board.name}`)
  if (snap.arch !== m.arch.name) fail(`snapshot is of arch ${snap.arch}, the machine is ${m.arch.name}`)
  if (snap.cpus.length !== m.cpus.length) fail(`snapshot has ${snap.cpus.length} CPUs, the machine ${m.cpus.length}`)
  for (const name of Object.keys(snap.devices)) if (!m.devices.has(name)) fail(`snapshot has device ${name}, the machine has none`)
  if (snap.state.length !== STATE_AREA_BYTES) fail(`state area is ${snap.state.length} bytes, expected ${STATE_AREA_BYTES}`)
  if (snap.ram.data.length !== snap.ram.pages.length * PAGE_SIZE) fail('RAM image: data length does not match the page list')
  const notRam = snap.ram.pages.find((p) => !m.bus.isRamRange(p * PAGE_SIZE, PAGE_SIZE))
  if (notRam !== undefined) fail(`RAM image: page 0x${(notRam * PAGE_SIZE).toString(16)} is not RAM on this board`)
  if (!!snap.hypervisor !== !!hv) fail(snap.hypervisor ? 'snapshot has a hypervisor, the machine runs a bare image' : 'snapshot is of a bare machine, this one runs a hypervisor')

  const owned = (path: string, fn: () => void): void => {
    try {
      fn()
    } catch (e) {
      if (e instanceof StateError) fail(e.within(path).message)
      throw e
    }
  }
  for (const [name, s] of Object.entries(snap.devices)) owned(`machine.devices.${name}`, () => m.devices.get(name)!.device.checkState?.(s))
  snap.cpus.forEach((s, i) => owned(`machine.cpus[${i}]`, () => m.cpus[i]!.checkState?.(s, snap.state)))
  if (!hv || !snap.hypervisor) return

  const h = snap.hypervisor
  const path = 'machine.hypervisor'
  const ids = new Set<number>()
  h.vms.forEach((vm, i) => {
    if (ids.has(vm.id)) fail(`${path}.vms[${i}].id: VM ${vm.id} is listed twice`)
    ids.add(vm.id)
    vm.vcpus.forEach((v, j) => { if (v.id !== j) fail(`${path}.vms[${i}].vcpus[${j}].id: must be ${j} (its index)`) })
  })
  const vcpuExists = (r: [number, number]): boolean => h.vms.some((vm) => vm.id === r[0] && r[1] < vm.vcpus.length)
  h.vms.forEach((vm, i) => vm.vcpus.forEach((v, j) => {
    if (v.stackParent && !vcpuExists(v.stackParent)) fail(`${path}.vms[${i}].vcpus[${j}].stackParent: names no vCPU of the snapshot`)
  }))
  if (h.stacks.length !== hv.stacks.length) fail(`${path}.stacks: ${h.stacks.length} pCPU stacks, the machine has ${hv.stacks.length} pCPUs`)
  h.stacks.forEach((st, p) => {
    if (st.current && !vcpuExists(st.current)) fail(`${path}.stacks[${p}].current: names no vCPU of the snapshot`)
    st.stacked.forEach((r, k) => { if (!vcpuExists(r)) fail(`${path}.stacks[${p}].stacked[${k}]: names no vCPU of the snapshot`) })
  })
  const maxId = Math.max(0, ...ids)
  if (h.nextVmId !== undefined && h.nextVmId <= maxId) fail(`${path}.nextVmId: ${h.nextVmId} is not above the largest VM id (${maxId})`)
  ;(h.created ?? []).forEach((c, i) => {
    const where = `${path}.created[${i}]`
    if (!ids.has(c.id)) fail(`${where}.id: VM ${c.id} is not among the snapshot's VMs`)
    if (c.pcpus.length !== c.config.cpuNum) fail(`${where}.pcpus: ${c.pcpus.length} pCPUs for ${c.config.cpuNum} vCPUs`)
    c.pcpus.forEach((p, k) => { if (p >= m.cpus.length) fail(`${where}.pcpus[${k}]: pCPU ${p} does not exist (${m.cpus.length} CPUs)`) })
    checkVmDef(wb, c.config, `${where}.config`, fail)
  })
  // emulated devices of VMs made at run time exist once those are rebuilt: their restore checks them
  for (const [name, s] of Object.entries(h.emulated)) owned(`${path}.emulated.${name}`, () => hv.emulated.get(name)?.checkState?.(s))
  owned(`${path}.arch`, () => hv.arch.check?.(h.arch))
}

/** A VM made at run time is rebuilt from its definition: it may only use what the machine has. */
function checkVmDef(wb: Workbench, vc: HvVmConfig, where: string, fail: (msg: string) => never): void {
  const m = wb.machine
  const hv = wb.hypervisor!
  const aligned = (n: number): boolean => n % PAGE_SIZE === 0
  vc.regions.forEach((r, i) => {
    const pieces = r.backing ?? [{ offset: 0, size: r.size, pa: r.phys }]
    for (const p of pieces) {
      if (!aligned(r.base + p.offset) || !aligned(p.size) || !aligned(p.pa)) fail(`${where}.regions[${i}]: not page aligned`)
      if (p.size === 0 || !m.bus.isRamRange(p.pa, p.size)) fail(`${where}.regions[${i}]: 0x${p.pa.toString(16)}+0x${p.size.toString(16)} is not RAM on this board`)
    }
  })
  vc.devs.forEach((d, i) => {
    if (d.emulate !== undefined && !wb.plugins.devices.has(d.emulate)) fail(`${where}.devs[${i}].emulate: no device type '${d.emulate}'`)
  })
  vc.ipcs.forEach((c, i) => { if (c.shmemId >= hv.config.shmem.length) fail(`${where}.ipcs[${i}].shmemId: no shared memory ${c.shmemId}`) })
  vc.children.forEach((c, i) => checkVmDef(wb, c, `${where}.children[${i}]`, fail))
}
