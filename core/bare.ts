/**
 * Bare mode: a board with no hypervisor. Every hart starts at the image's entry in its most
 * privileged mode with a0 = hart id (QEMU's `-bios none` convention), the console UART goes to
 * the caller, and the run ends on poweroff, on the HTIF `tohost` convention, or on a limit.
 */
import type { ArchDesc } from './arch.ts'
import { loadImage, type LoadedImage } from './loader/image.ts'
import { symbolByName } from './loader/elf.ts'
import { Machine } from './machine.ts'
import { PluginError, PluginHost } from './plugins.ts'

export interface BareOptions {
  board: string
  image: string | Uint8Array
  /** harts to start (default 1, as QEMU's -smp default) */
  cpus?: number
  plugins?: PluginHost
}

export interface BareMachine {
  machine: Machine
  image: LoadedImage
  arch: ArchDesc
  /** HTIF: address of `tohost`, when the image has one */
  tohost: number | null
  /** exit code reported through HTIF, when it did */
  htifExit: number | null
  /** poll HTIF; call between quanta. Console bytes go to `out`. */
  pollHtif(out: (byte: number) => void): void
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
  const image = loadImage(machine.bus, opts.image, { elfMachine: arch.elfMachine, rawBase: BigInt(board.resetPc ?? 0) })
  for (const h of machine.harts) {
    h.reset(image.entry)
    h.setArg(0, BigInt(h.id))
    h.setArg(1, 0n)
  }
  const sym = symbolByName(image, 'tohost')
  const bm: BareMachine = {
    machine, image, arch,
    tohost: sym ? Number(sym.value) : null,
    htifExit: null,
    pollHtif(out) {
      if (bm.tohost === null) return
      const bus = machine.bus
      const v = bus.read64(bm.tohost)
      if (v === 0n) return
      const device = Number(v >> 56n), cmd = Number((v >> 48n) & 0xffn)
      if (device === 1 && cmd === 1) {
        // console putchar: echo and acknowledge through fromhost
        out(Number(v & 0xffn))
        bus.write64(bm.tohost, 0n)
        const from = symbolByName(image, 'fromhost')
        if (from) bus.write64(Number(from.value), (1n << 56n) | (1n << 48n))
        return
      }
      if (device === 0 && (v & 1n)) {
        // riscv-tests convention: 1 = pass, otherwise (code << 1) | 1
        bm.htifExit = Number(v >> 1n)
        machine.poweroff(bm.htifExit)
      }
    },
  }
  return bm
}
