/**
 * Re-applying an edited config to a running system (DESIGN "REPL, TUI, sessions": a config change
 * restarts the affected VMs while the consoles stay on screen). VMs are matched by name and
 * compared by their normalised definition (`HvVmConfig`, what validation made of the file): a VM
 * whose definition is unchanged is not touched — its vCPUs run on, instruction for instruction —
 * a changed one is destroyed and created again from the new definition (it boots afresh), a new
 * one is created, a removed one destroyed. An invalid file changes nothing: the ConfigErrors are
 * thrown before any VM is touched.
 */
import { placeVm } from './hypervisor/memory-plan.ts'
import { PagePool } from './hypervisor/page-pool.ts'
import type { Hypervisor } from './hypervisor/hypervisor.ts'
import { ConfigError, ConfigErrors, loadConfig, type HvConfig, type HvVmConfig } from './hypervisor/config.ts'
import type { Vm } from './hypervisor/vm.ts'

export interface ConfigChange {
  restarted: string[]
  created: string[]
  destroyed: string[]
  unchanged: string[]
}

/** names of the VMs that came from the config file (VMs made from the REPL are left alone) */
const fileVms = new WeakMap<Hypervisor, Set<string>>()

/** Fields outside `vms[]` shape the whole machine (memory pools, hypercall classes, colours). */
const MACHINE_FIELDS = ['board', 'features', 'hypColors', 'shmem'] as const

/**
 * Load `file` again and bring the running VMs in line with it. `bootVms` are the ids of the VMs
 * the boot created (the first call's notion of "from the file").
 */
export async function reapplyConfig(hv: Hypervisor, file: string, bootVms: readonly number[]): Promise<ConfigChange> {
  const { config } = await loadConfig(file, hv.plugins)
  const errors: ConfigError[] = []
  for (const k of MACHINE_FIELDS) {
    if (!sameData(hv.config[k], config[k])) errors.push(new ConfigError(k, 'changed, and cannot be re-applied to running VMs: open the config again to restart everything', file))
  }
  const fromFile = fileVms.get(hv) ?? new Set(hv.vms.filter((v) => bootVms.includes(v.id)).map((v) => v.name))
  const change: ConfigChange = { restarted: [], created: [], destroyed: [], unchanged: [] }
  const stop: Vm[] = []
  const start: HvVmConfig[] = []
  for (const vm of hv.vms) {
    if (fromFile.has(vm.name) && !config.vms.some((v) => v.name === vm.name)) {
      stop.push(vm)
      change.destroyed.push(vm.name)
    }
  }
  config.vms.forEach((vc, i) => {
    const vm = hv.vms.find((v) => v.name === vc.name)
    if (vm && !fromFile.has(vm.name)) {
      errors.push(new ConfigError(`vms[${i}].name`, `a VM named '${vc.name}' was created at run time: destroy it first`, file))
    } else if (!vm) {
      start.push(vc)
      change.created.push(vc.name)
    } else if (sameData(vm.config, vc)) {
      change.unchanged.push(vc.name)
    } else {
      stop.push(vm)
      start.push(vc)
      change.restarted.push(vc.name)
    }
  })
  checkRoom(hv, stop, start, config, file, errors)
  if (errors.length) throw new ConfigErrors(errors, file)
  for (const vm of stop) hv.destroyVm(vm)
  for (const vc of start) hv.createVmAtRuntime(vc)
  fileVms.set(hv, new Set(config.vms.map((v) => v.name)))
  return change
}

/** What keeps running (VMs made at run time) must leave room for what starts: pCPUs and RAM. */
function checkRoom(hv: Hypervisor, stop: Vm[], start: HvVmConfig[], config: HvConfig, file: string, errors: ConfigError[]): void {
  const stays = hv.vms.filter((v) => !stop.includes(v) && v.state === 'running')
  const free = hv.machine.cpus.length - stays.reduce((n, v) => n + v.vcpus.length, 0)
  const need = start.reduce((n, v) => n + v.cpuNum, 0)
  if (need > free) errors.push(new ConfigError('vms', `the VMs to (re)start need ${need} CPUs, ${free} are free`, file))
  // RAM: the VMs to start are placed on a copy of the pools as they will be once the VMs to stop
  // gave their pages back (VMs made at run time keep theirs)
  const pool = PagePool.fromAllocated(hv.machine.board.memory, hv.phys.pool.geometry, hv.phys.pool.allocated())
  for (const vm of stop) for (const p of hv.ownedPieces(vm)) pool.freeRange(p.pa, p.size)
  for (const vc of start) {
    try {
      placeVm(hv.machine.board, pool, vc)
    } catch (e) {
      errors.push(new ConfigError(`vms[${config.vms.indexOf(vc)}]`, (e as Error).message, file))
    }
  }
}

/** Deep equality of plain data (what config normalisation produces); a missing key equals undefined. */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a)) {
    const bb = b as unknown[]
    return a.length === bb.length && a.every((x, i) => sameData(x, bb[i]))
  }
  const ao = a as Record<string, unknown>
  const bo = b as Record<string, unknown>
  for (const k of new Set([...Object.keys(ao), ...Object.keys(bo)])) if (!sameData(ao[k], bo[k])) return false
  return true
}
