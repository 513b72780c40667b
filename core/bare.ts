/**
 * Bare mode: a board with no hypervisor. The CPUs start as the arch's bare boot says (by
 * default every CPU at the image's entry in its most privileged mode with a0 = CPU id, QEMU's
 * `-bios none` convention; AArch64: the boot CPU at EL1, the others waiting for PSCI CPU_ON, as
 * QEMU's `-kernel`), the console UART goes to the caller, and the run ends on poweroff, through
 * the arch's host channel (RISC-V's HTIF), or on a limit.
 */
import type { ArchDesc, HostInterface } from './arch.ts'
import { loadImage, readImage, type LoadedImage } from './loader/image.ts'
import { Machine } from './machine.ts'
import { PluginError, PluginHost } from './plugins.ts'

export interface BareOptions {
  board: string
  image: string | Uint8Array
  /** CPUs to start (default 1, as QEMU's -smp default) */
  cpus?: number
  plugins?: PluginHost
}

export interface BareMachine {
  machine: Machine
  image: LoadedImage
  arch: ArchDesc
  /** the program's channel to the host (the arch's: RISC-V HTIF `tohost`), when it has one */
  host: HostInterface | null
  /** poll the host channel; call between quanta. Console bytes go to `out`. */
  pollHost(out: (byte: number) => void): void
}

export async function bootBare(opts: BareOptions): Promise<BareMachine> {
  const plugins = opts.plugins ?? new PluginHost()
  const board = await plugins.loadBoard(opts.board)
  let arch = plugins.archs.get(board.arch)
  if (!arch) {
    await plugins.load(`arch-${board.arch}`)
    arch = plugins.archs.get(board.arch)
    if (!arch) throw new PluginError(`arch-${board.arch}`, `no architecture '${board.arch}' registered`)
  }
  const cpus = opts.cpus ?? 1
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > 8) throw new PluginError(board.name, `--cpus must be 1..8, got ${opts.cpus}`)
  const machine = new Machine(board, arch, plugins, { cpus })
  const bytes = typeof opts.image === 'string' ? readImage(opts.image) : opts.image
  const name = typeof opts.image === 'string' ? opts.image : undefined
  const rawBase = arch.rawImageBase?.(bytes, board) ?? board.resetPc ?? 0
  const image = loadImage(machine.bus, bytes, { elfMachine: arch.elfMachine, rawBase: BigInt(rawBase), name })
  if (arch.bareBoot) arch.bareBoot(machine, image)
  else {
    for (const h of machine.cpus) {
      h.reset(image.entry)
      h.setArg(0, BigInt(h.id))
      h.setArg(1, 0n)
    }
  }
  const host = arch.hostInterface?.(machine, image) ?? null
  return { machine, image, arch, host, pollHost: (out) => host?.poll(out) }
}
