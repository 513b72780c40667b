/**
 * A board from a device tree blob (`baobab board from-dtb`): QEMU's `-machine dumpdtb=` output
 * or a vendor DTB, read with core/fdt.ts's parser, translated into a BoardDesc of the devices
 * baobab has plugins for. The steps, one file each: the tree and its addressing (board-dtb-tree.ts),
 * CPUs and caches (-cpus), RAM and reservations (-memory), the interrupt controller and every
 * interrupt's wiring (-irq), UARTs and the rest (-devices). What has no device plugin, and the
 * facts a device tree does not carry (timer and CPU clocks where absent, the boot address), come
 * back as notes for the generated file's comments.
 */
import type { BoardDesc } from '../../core/board.ts'
import { parseFdt } from '../../core/fdt.ts'
import { caches, cpuArch, cpuFacts, cpuNodes, timebase } from './board-dtb-cpus.ts'
import { chosenConsole, otherDevices } from './board-dtb-devices.ts'
import { interruptControllers, sizeGics, timerWiring } from './board-dtb-irq.ts'
import { flash, memory, reserved } from './board-dtb-memory.ts'
import { DtbTree } from './board-dtb-tree.ts'
import { DtbBoardError, newTranslation, unmapped } from './board-dtb-translation.ts'

export { DtbBoardError, hex } from './board-dtb-translation.ts'

export interface DtbBoard {
  board: BoardDesc
  /** the plugins the board needs: its arch and its devices' */
  requires: string[]
  /** the root's `model` and `compatible`, for the file's header */
  model?: string
  compatible?: string[]
  /** values the device tree does not give, chosen here (one line each) */
  assumed: string[]
  /** nodes left out, one line per reason (what they are, or why they could not be mapped) */
  unmapped: string[]
}

/** The plugin that registers a device type (the GICs share dev-gic; the rest are dev-<type>). */
export function pluginOf(type: string): string {
  return type === 'gicv2' || type === 'gicv3' ? 'dev-gic' : `dev-${type}`
}

export function boardFromDtb(bytes: Uint8Array, name: string): DtbBoard {
  const t = newTranslation(new DtbTree(parseFdt(bytes).root))
  const { tree, assumed } = t
  const cpus = cpuNodes(t)
  if (cpus.length === 0) throw new DtbBoardError('the device tree has no CPUs (/cpus/cpu@… with device_type "cpu")')
  const arch = cpuArch(t, cpus)
  const ram = memory(t)
  if (ram.length === 0) throw new DtbBoardError('the device tree has no RAM (/memory nodes with device_type "memory")')
  interruptControllers(t, cpus.length)
  const rom = flash(t)
  otherDevices(t)
  const cpuIrqs = arch === 'aarch64' ? timerWiring(t) : undefined
  sizeGics(t)
  const facts = cpuFacts(t, cpus, arch)
  const board: BoardDesc = {
    name,
    arch,
    cpuModel: facts.cpuModel,
    cpus: facts.cpus,
    ...(facts.clusters ? { clusters: facts.clusters } : {}),
    cpuHz: facts.cpuHz,
    timebaseHz: timebase(t, cpus, arch),
    memory: ram,
    devices: t.devices.map((d) => d.dev).sort((x, y) => x.base - y.base),
  }
  if (cpuIrqs?.length) board.cpuIrqs = cpuIrqs
  const console = chosenConsole(t)
  if (console) board.console = console
  board.resetPc = arch === 'aarch64' ? ram[0]!.base + 0x8_0000 : ram[0]!.base
  assumed.push(arch === 'aarch64'
    ? `resetPc: RAM + 0x80000, where QEMU's -kernel and the arm64 boot protocol put an image; set it to where your firmware enters its payload`
    : 'resetPc: the start of RAM, where QEMU and most RISC-V boot ROMs enter the firmware; set it to where yours does')
  if (rom) board.flash = rom
  const c = caches(t, cpus[0]!)
  if (c) board.caches = c
  else assumed.push('caches: the device tree describes none, so colouring has one colour; add the LLC and L1 geometry')
  for (const f of t.forwarders) assumed.push(`interrupts through ${f} taken as its parent controller's: it has the same specifier cells, so it is taken to pass them on unchanged`)
  const kept = reserved(t, ram)
  if (kept.length) board.reserved = kept
  assumed.push("reserved: only the device tree's reservations; add your firmware's and the hypervisor image's (`hypervisor: true`)")
  const types = [...new Set(board.devices.map((d) => d.type))]
  return {
    board,
    requires: [`arch-${arch}`, ...new Set(types.map(pluginOf))],
    model: tree.strs(tree.root, 'model')[0],
    compatible: tree.compat(tree.root),
    assumed,
    unmapped: unmapped(t),
  }
}
