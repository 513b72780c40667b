/**
 * Boot a hypervisor config: load the board and its plugins, build the machine, let the
 * hypervisor core create and start the VMs, and route passed-through consoles to their VMs.
 */
import { loadConfig } from './hypervisor/config.ts'
import { Hypervisor } from './hypervisor/hypervisor.ts'
import { Machine } from './machine.ts'
import { PluginError, PluginHost } from './plugins.ts'

export interface BootedSystem {
  machine: Machine
  hv: Hypervisor
  plugins: PluginHost
}

export async function bootConfig(file: string, plugins = new PluginHost()): Promise<BootedSystem> {
  const { config, board } = await loadConfig(file, plugins)
  // a feature named in the config is the plugin feat-<name>
  for (const f of config.features) if (!plugins.has(`feat-${f}`)) await plugins.load(`feat-${f}`)
  const arch = plugins.archs.get(board.arch)
  if (!arch) throw new PluginError(`board-${board.name}`, `no architecture '${board.arch}' loaded`)
  const machine = new Machine(board, arch, plugins)
  const hv = new Hypervisor(machine, config, plugins, arch)
  hv.boot()
  routeUarts(hv)
  return { machine, hv, plugins }
}

/**
 * A passed-through UART prints for the VM whose vCPU wrote to it (several VMs may share one,
 * `shared: true`); typed input goes to the first VM that owns it.
 */
function routeUarts(hv: Hypervisor): void {
  const m = hv.machine
  for (const d of m.board.devices) {
    if (d.type !== 'ns16550') continue
    const owners = hv.vms.filter((vm) => vm.config.devs.some((dev) => !dev.emulate && dev.pa !== undefined && dev.pa >= d.base && dev.pa < d.base + d.size))
    if (!owners.length) continue
    const serial = m.serial(d.name)
    serial.onOutput((b) => {
      const running = m.sched.running ? hv.vmOnCpu(m.sched.running.id) : undefined
      const vm = running && owners.includes(running) ? running : owners[0]!
      vm.console.put(b)
    })
    owners[0]!.console.setInputSink((b) => serial.send(new Uint8Array([b])))
  }
}
