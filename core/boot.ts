/**
 * Boot a hypervisor config: load the board and its plugins, build the machine, let the
 * hypervisor core create and start the VMs.
 */
import { loadConfig, type LoadOptions } from './hypervisor/config.ts'
import { Hypervisor } from './hypervisor/hypervisor.ts'
import { Machine } from './machine.ts'
import { PluginError, PluginHost } from './plugins.ts'

export interface BootedSystem {
  machine: Machine
  hv: Hypervisor
  plugins: PluginHost
}

/** `opts.data`: the config object itself (a session's), checked as if read from `file` */
export async function bootConfig(file: string, plugins = new PluginHost(), opts: LoadOptions = {}): Promise<BootedSystem> {
  // loadConfig checks what follows (features, architecture) as config rules: `config check` agrees
  const { config, board } = await loadConfig(file, plugins, opts)
  // a feature named in the config is the plugin feat-<name>
  for (const f of config.features) if (!plugins.has(`feat-${f}`)) await plugins.load(`feat-${f}`)
  const arch = plugins.archs.get(board.arch)
  if (!arch) throw new PluginError(`board-${board.name}`, `no architecture '${board.arch}' loaded`)
  const machine = new Machine(board, arch, plugins)
  const hv = new Hypervisor(machine, config, plugins, arch)
  hv.boot()
  return { machine, hv, plugins }
}
