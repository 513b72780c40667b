/**
 * A machine snapshot: everything that decides what a booted machine does next, so that booting
 * the same config (same images) and restoring the snapshot continues the run exactly — same
 * console bytes, same instruction counts — in this process or another one (DESIGN "Time and
 * determinism").
 *
 * Captured: RAM (the non-zero pages, arena and sparse), the arena's state area (the CPUs'
 * registers and CSRs), each CPU's `snapshot()`, every board device's `snapshot()`, the clock
 * and the pending timed events, and in hypervisor mode the VMs (states, faults, counters,
 * consoles), vCPUs (states, VM stacks), the hypervisor's log, the devices it emulates and the
 * architecture glue's own state (vPLICs, SBI input queues and timers, saved vCPU contexts).
 *
 * Timed events are closures, so they are saved as (tag, time, seq): on restore each owner
 * re-arms its events from its restored state (aclint from mtimecmp, Sstc from stimecmp, SBI
 * timers from the saved deadline) and `Scheduler.restoreEvents` gives the re-created events the
 * saved sequence numbers, so events due at the same cycle fire in the same order as before.
 * Decoded-instruction caches and TLBs are not saved: they are flushed and refill.
 */
import type { HvVmConfig } from '../hypervisor/config.ts'
import type { Workbench } from '../api.ts'
import { PAGE_SIZE, STATE_AREA_BYTES, type MemoryBus } from '../bus.ts'
import type { VmConsoleState } from '../hypervisor/console.ts'
import type { LogLine } from '../hypervisor/log.ts'
import type { Vcpu, VcpuState, VmState } from '../hypervisor/vm.ts'
import type { PowerState } from '../machine.ts'
import type { SchedulerState } from '../scheduler.ts'
import { StateError } from '../state-check.ts'
import { checkMachine } from './check.ts'

export const SNAPSHOT_FORMAT = 1

/** RAM pages by physical page number (pa / 4096), ascending; `data` holds 4096 bytes per page. */
export interface RamImage {
  pages: number[]
  data: Uint8Array
}

type VcpuRef = [vm: number, vcpu: number]

export interface VmSnapshot {
  id: number
  name: string
  state: VmState
  /** bigints (pc, addr) as hex strings */
  fault: { vm: number; vmName: string; vcpu: number; pc: string; addr: string; cause: string } | null
  hypercalls: number
  vcpus: { id: number; state: VcpuState; exits: number; stackParent: VcpuRef | null }[]
  console: VmConsoleState
}

export interface HypervisorSnapshot {
  vms: VmSnapshot[]
  /** per pCPU: the vCPU running there and the stacked ones below it, bottom first */
  stacks: { current: VcpuRef | null; stacked: VcpuRef[] }[]
  /** devices the hypervisor emulates, by instance name */
  emulated: Record<string, unknown>
  log: LogLine[]
  /** the architecture glue's state (ArchHyp.snapshot) */
  arch: unknown
  /** VMs created at run time (REPL `hv.create`, config re-apply): rebuilt before their state returns */
  created?: { id: number; config: HvVmConfig; pcpus: number[] }[]
  /** the id the next VM would get */
  nextVmId?: number
  /** features' own state (dynamic VMs and what they took), by hypercall class */
  features?: Record<string, unknown>
}

/** The JSON part of a snapshot. */
export interface MachineState {
  format: number
  board: string
  arch: string
  cpus: unknown[]
  sched: SchedulerState
  power: PowerState
  /** board devices by instance name */
  devices: Record<string, unknown>
  hypervisor: HypervisorSnapshot | null
}

export interface MachineSnapshot extends MachineState {
  ram: RamImage
  /** the arena's state area (the CPUs' registers and CSRs), STATE_AREA_BYTES long */
  state: Uint8Array
}

export interface RestoreReport {
  /** timed events that did not come back exactly (empty when the restore is exact) */
  warnings: string[]
}

export class SnapshotError extends Error {}

const hex = (n: bigint): string => '0x' + n.toString(16)
const ref = (v: Vcpu | undefined | null): VcpuRef | null => (v ? [v.vm.id, v.id] : null)

/** Capture the machine of `wb` between runs. Throws SnapshotError for state it cannot capture. */
export function snapshotMachine(wb: Workbench): MachineSnapshot {
  const m = wb.machine
  if (m.sched.running) throw new SnapshotError('the machine is running: snapshot between runs')
  const sched = m.sched.saveState()
  const untagged = sched.events.filter((e) => e.tag === null)
  if (untagged.length) throw new SnapshotError(`${untagged.length} pending timed event(s) have no owner tag and could not be re-created (first at cycle ${untagged[0]!.time})`)
  const hv = wb.hypervisor
  let hyp: HypervisorSnapshot | null = null
  if (hv) {
    // VMs created from the REPL come back from their definitions; VM-stack children belong to the
    // feature that made them (it captures what they took from their parents)
    const late = hv.vms.filter((vm) => !wb.origin.bootVms.includes(vm.id) && !vm.parent)
    const problems = hv.featureProblems()
    if (problems.length) throw new SnapshotError(problems.join('; '))
    hyp = {
      vms: hv.vms.map((vm) => ({
        id: vm.id, name: vm.name, state: vm.state, hypercalls: vm.hypercalls,
        fault: vm.fault ? { ...vm.fault, pc: hex(vm.fault.pc), addr: hex(vm.fault.addr) } : null,
        vcpus: vm.vcpus.map((v) => ({ id: v.id, state: v.state, exits: v.exits, stackParent: ref(v.stackParent) })),
        console: vm.console.snapshot(),
      })),
      stacks: hv.stacks.map((s) => ({ current: ref(s.current), stacked: s.stacked.map((v) => ref(v)!) })),
      emulated: Object.fromEntries([...hv.emulated].map(([name, d]) => [name, d.snapshot()])),
      log: hv.log.lines.map((l) => ({ ...l })),
      arch: hv.arch.snapshot ? hv.arch.snapshot() : null,
      created: late.map((vm) => ({ id: vm.id, config: vm.config, pcpus: vm.vcpus.map((v) => v.pcpu) })),
      nextVmId: hv.nextVmId,
      features: hv.featureStates(),
    }
  }
  const json: MachineState = {
    format: SNAPSHOT_FORMAT,
    board: m.board.name,
    arch: m.arch.name,
    cpus: m.cpus.map((h) => h.snapshot()),
    sched,
    power: { ...m.power },
    devices: Object.fromEntries([...m.devices].map(([name, d]) => [name, d.device.snapshot()])),
    hypervisor: hyp,
  }
  let plain: MachineState
  try {
    // a deep copy that proves the state is JSON (a BigInt or a cycle would throw here, not at save)
    plain = JSON.parse(JSON.stringify(json)) as MachineState
  } catch (e) {
    throw new SnapshotError(`machine state is not serialisable: ${(e as Error).message}`)
  }
  return { ...plain, ram: captureRam(m.bus), state: m.bus.u8.slice(0, STATE_AREA_BYTES) }
}

/**
 * Restore `snap` into `wb`, which must have booted the same config (or bare image) and not run
 * since: RAM, registers, devices, clock and events are overwritten; VMs the snapshot lacks
 * (destroyed before it was taken) are destroyed. Throws SnapshotError when the machines differ.
 */
export function restoreMachine(wb: Workbench, snap: MachineSnapshot): RestoreReport {
  const fail = (msg: string): never => { throw new SnapshotError(msg) }
  if (snap.format !== SNAPSHOT_FORMAT) fail(`snapshot format ${snap.format}, this baobab restores format ${SNAPSHOT_FORMAT}`)
  checkMachine(wb, snap, fail)
  try {
    return restoreChecked(wb, snap, fail)
  } catch (e) {
    // parts only checkable once built (VMs made at run time, their devices) refuse while restoring
    if (e instanceof StateError) fail(e.message)
    throw e
  }
}

function restoreChecked(wb: Workbench, snap: MachineSnapshot, fail: (msg: string) => never): RestoreReport {
  const m = wb.machine
  const hv = wb.hypervisor
  if (hv && snap.hypervisor) {
    // VMs destroyed before the snapshot go first: their pages go back to the pools, where VMs
    // made at run time may have taken them since
    for (const vm of [...hv.vms]) if (!snap.hypervisor.vms.some((s) => s.id === vm.id)) hv.destroyVm(vm)
    // VMs made at run time come back next (same id, definition, pCPUs and host pages); their state follows
    for (const c of snap.hypervisor.created ?? []) if (!hv.vms.some((v) => v.id === c.id)) hv.recreateVm(c.id, c.config, c.pcpus)
    if (snap.hypervisor.nextVmId !== undefined) hv.restoreNextId(snap.hypervisor.nextVmId)
    try {
      hv.restoreFeatureStates(snap.hypervisor.features ?? {})
    } catch (e) {
      fail(`feature state: ${(e as Error).message}`)
    }
    for (const s of snap.hypervisor.vms) {
      const vm = hv.vms.find((v) => v.id === s.id)
      if (!vm || vm.name !== s.name) fail(`snapshot has VM ${s.id} (${s.name}), the machine does not (was the config changed?)`)
      if (vm!.vcpus.length !== s.vcpus.length) fail(`VM ${s.name} has ${vm!.vcpus.length} vCPUs, the snapshot ${s.vcpus.length}`)
    }
    for (const name of Object.keys(snap.hypervisor.emulated)) if (!hv.emulated.has(name)) fail(`snapshot has emulated device ${name}, the machine has none`)
  }

  // the clock first: devices and CPUs re-arm their events relative to it
  m.sched.restoreClock(snap.sched)
  restoreRam(m.bus, snap.ram)
  m.bus.u8.set(snap.state, 0)
  m.power.off = snap.power.off
  m.power.code = snap.power.code
  // devices before CPUs: a device's restore drives its interrupt lines (the CPUs' inputs),
  // and the CPU's own saved view of those lines is what stands
  for (const [name, s] of Object.entries(snap.devices)) m.devices.get(name)!.device.restore(s)
  if (hv && snap.hypervisor) restoreHypervisor(wb, snap.hypervisor)
  snap.cpus.forEach((s, i) => m.cpus[i]!.restore(s))
  const warnings = m.sched.restoreEvents(snap.sched)
  // decoded code and translations refill from the restored RAM
  const code = m.bus.codePages
  for (let p = 0; p < code.length; p++) if (code[p]) m.bus.invalidateCode(p)
  for (const h of m.cpus) h.flushTlb()
  return { warnings }
}

function restoreHypervisor(wb: Workbench, s: HypervisorSnapshot): void {
  const hv = wb.hypervisor!
  const vcpu = (r: VcpuRef | null): Vcpu | undefined => (r ? hv.vms.find((v) => v.id === r[0])?.vcpus[r[1]] : undefined)
  for (const vs of s.vms) {
    const vm = hv.vms.find((v) => v.id === vs.id)!
    vm.state = vs.state
    vm.hypercalls = vs.hypercalls
    vm.fault = vs.fault ? { ...vs.fault, pc: BigInt(vs.fault.pc), addr: BigInt(vs.fault.addr) } : null
    vs.vcpus.forEach((cs, i) => {
      const v = vm.vcpus[i]!
      v.state = cs.state
      v.exits = cs.exits
      v.stackParent = vcpu(cs.stackParent) ?? null
    })
    vm.console.restore(vs.console)
  }
  s.stacks.forEach((st, p) => {
    const stack = hv.stacks[p]
    if (!stack) return
    stack.stacked.length = 0
    for (const r of st.stacked) { const v = vcpu(r); if (v) stack.stacked.push(v) }
    stack.current = vcpu(st.current)
    hv.onCpu[p] = stack.current
  })
  hv.log.lines.length = 0
  for (const l of s.log) hv.log.lines.push({ ...l })
  for (const [name, st] of Object.entries(s.emulated)) {
    try {
      hv.emulated.get(name)!.restore(st)
    } catch (e) {
      throw e instanceof StateError ? e.within(`machine.hypervisor.emulated.${name}`) : e
    }
  }
  hv.arch.restore?.(s.arch)
}

// ---- RAM: only pages that are not all zero ----

/**
 * Physical page numbers of the RAM pages holding any non-zero byte, ascending. Only arena pages
 * the bus saw resolved (`MemoryBus.touched`) can be non-zero, so only those are read — reading
 * the rest would fault in the zero page for every 4 KiB of a multi-GiB arena. `full` reads
 * every page instead (tests check the two agree).
 */
export function nonZeroPages(bus: MemoryBus, full = false): number[] {
  const out: number[] = []
  const arena = Buffer.from(bus.arena.buffer)
  const zero = Buffer.alloc(PAGE_SIZE)
  const touched = bus.touched
  for (const r of bus.ram) {
    if (r.arenaOffset < 0) continue
    const first = r.arenaOffset / PAGE_SIZE
    for (let k = 0; k < r.size / PAGE_SIZE; k++) {
      if (!full && !touched[first + k]) continue
      const at = r.arenaOffset + k * PAGE_SIZE
      if (arena.compare(zero, 0, PAGE_SIZE, at, at + PAGE_SIZE) !== 0) out.push(r.base / PAGE_SIZE + k)
    }
  }
  for (const [page, bytes] of bus.sparsePages()) if (bytes.some((b) => b !== 0)) out.push(page)
  return out.sort((a, b) => a - b)
}

function captureRam(bus: MemoryBus): RamImage {
  const pages = nonZeroPages(bus)
  const data = new Uint8Array(pages.length * PAGE_SIZE)
  pages.forEach((p, i) => data.set(readPage(bus, p), i * PAGE_SIZE))
  return { pages, data }
}

function readPage(bus: MemoryBus, page: number): Uint8Array {
  const off = bus.ramOffset(page * PAGE_SIZE)
  if (off >= 0) return bus.u8.subarray(off, off + PAGE_SIZE)
  return bus.sparsePages().get(page) ?? new Uint8Array(PAGE_SIZE)
}

/** RAM becomes exactly the image: pages it lists are written, every other non-zero page cleared. */
function restoreRam(bus: MemoryBus, ram: RamImage): void {
  const keep = new Set(ram.pages)
  const zero = new Uint8Array(PAGE_SIZE)
  for (const p of nonZeroPages(bus)) if (!keep.has(p)) bus.load(p * PAGE_SIZE, zero)
  ram.pages.forEach((p, i) => bus.load(p * PAGE_SIZE, ram.data.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE)))
}

