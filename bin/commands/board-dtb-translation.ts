/**
 * What one `board from-dtb` translation has found so far, shared by its steps (CPUs, memory,
 * interrupt controllers, devices: board-dtb-*.ts): the devices made, the nodes accounted for,
 * the values assumed and the nodes left out with why, for the generated file's comments.
 */
import type { BoardDevice } from '../../core/board.ts'
import type { DtbNode, DtbTree } from './board-dtb-tree.ts'

/** A device tree that cannot become a board (no CPUs, no RAM, an architecture baobab has no plugin for). */
export class DtbBoardError extends Error {}

/** An interrupt controller made into a device: its device name, and which binding its specifiers follow. */
export interface Controller {
  name: string
  kind: 'gic' | 'plic'
}

export interface Translation {
  readonly tree: DtbTree
  /** values the device tree does not give, chosen here (one line each) */
  readonly assumed: string[]
  /** nodes left out, and why */
  readonly left: { node: DtbNode; why: string }[]
  readonly devices: { dev: BoardDevice; node: DtbNode }[]
  /** nodes made into a device or known to be structure, so not reported as left out */
  readonly handled: Set<DtbNode>
  /** nodes skipped for status "disabled" */
  disabled: number
  /** the interrupt controllers made into devices, by node */
  readonly controllers: Map<DtbNode, Controller>
  /** the highest GIC INTID a device or the timer uses */
  maxIntid: number
  /** controllers looked through to the GIC or PLIC, by path */
  readonly forwarders: Set<string>
}

export function newTranslation(tree: DtbTree): Translation {
  return {
    tree, assumed: [], left: [], devices: [], handled: new Set(), disabled: 0, controllers: new Map(), maxIntid: 0, forwarders: new Set(),
  }
}

export function addDevice(t: Translation, node: DtbNode, dev: BoardDevice): void {
  t.handled.add(node)
  t.devices.push({ dev, node })
}

/** what was left out, grouped by why: one line per reason, the nodes listed (a range when many) */
export function unmapped(t: Translation): string[] {
  const groups = new Map<string, DtbNode[]>()
  for (const { node, why } of t.left) groups.set(why, [...(groups.get(why) ?? []), node])
  const out = [...groups].map(([why, nodes]) => {
    const paths = nodes.map((n) => n.path)
    const where = paths.length > 3 ? `${paths[0]} … ${paths[paths.length - 1]} (${paths.length} nodes)` : paths.join(', ')
    return `${where}: ${why}`
  })
  if (t.disabled) out.push(`${t.disabled} node${t.disabled === 1 ? '' : 's'} with status "disabled"`)
  return out
}

export function hex(n: number): string {
  return `0x${n.toString(16)}`
}
