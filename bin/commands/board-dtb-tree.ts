/**
 * A device tree as `board from-dtb` reads it (devicetree spec v0.4): core/fdt.ts's nodes given a
 * parent, a path and a phandle; properties read as cells and strings; `reg` in the parent's
 * #address-cells/#size-cells, translated up through every bus's `ranges` (§2.3.8); a node's
 * interrupt specifiers through `interrupt-parent`/`interrupts` or `interrupts-extended` (§2.4).
 */
import { fdtGet, fdtStrings, fdtU32s, type FdtTreeNode } from '../../core/fdt.ts'

export interface DtbNode {
  name: string
  path: string
  parent?: DtbNode
  children: DtbNode[]
  raw: FdtTreeNode
}

/** One interrupt of a node: the controller it goes to (when known) and its specifier's cells. */
export interface Specifier {
  ctrl: DtbNode | undefined
  cells: number[]
}

/** A number spread over cells, most significant first (§2.2.4). */
export function cellsValue(cells: number[]): bigint {
  return cells.reduce((v, c) => (v << 32n) | BigInt(c), 0n)
}

export class DtbTree {
  readonly root: DtbNode
  private readonly byPhandle = new Map<number, DtbNode>()

  constructor(raw: FdtTreeNode) {
    this.root = this.wrap(raw, undefined)
  }

  private wrap(raw: FdtTreeNode, parent: DtbNode | undefined): DtbNode {
    const path = parent === undefined ? '/' : `${parent.path === '/' ? '' : parent.path}/${raw.name}`
    const n: DtbNode = { name: raw.name, path, parent, children: [], raw }
    const ph = this.u32(n, 'phandle') ?? this.u32(n, 'linux,phandle')
    if (ph !== undefined) this.byPhandle.set(ph, n)
    n.children = raw.children.map((c) => this.wrap(c, n))
    return n
  }

  /** the node a phandle names */
  node(phandle: number): DtbNode | undefined {
    return this.byPhandle.get(phandle)
  }

  /** the root's child of that name */
  top(name: string): DtbNode | undefined {
    return this.root.children.find((c) => c.name === name)
  }

  /** `from` and every node under it, depth first */
  nodes(from = this.root): DtbNode[] {
    return [from, ...from.children.flatMap((c) => this.nodes(c))]
  }

  // ---- properties ----

  cells(n: DtbNode, prop: string): number[] | undefined {
    const v = fdtGet(n.raw, prop)
    return v === undefined || v.length % 4 ? undefined : fdtU32s(v)
  }

  u32(n: DtbNode, prop: string): number | undefined {
    return this.cells(n, prop)?.[0]
  }

  strs(n: DtbNode, prop: string): string[] {
    const v = fdtGet(n.raw, prop)
    if (v === undefined || v.length === 0 || v[v.length - 1] !== 0) return []
    return fdtStrings(v)
  }

  compat(n: DtbNode): string[] {
    return this.strs(n, 'compatible')
  }

  enabled(n: DtbNode): boolean {
    const s = this.strs(n, 'status')[0]
    return s === undefined || s === 'okay' || s === 'ok'
  }

  /** #address-cells and #size-cells a node gives its children (§2.3.5 defaults 2 and 1) */
  private busCells(n: DtbNode): { a: number; s: number } {
    return { a: this.u32(n, '#address-cells') ?? 2, s: this.u32(n, '#size-cells') ?? 1 }
  }

  // ---- addresses ----

  /** `reg` as CPU physical addresses, or undefined when the node is not on the memory bus */
  reg(n: DtbNode): { base: number; size: number }[] | undefined {
    const cells = this.cells(n, 'reg')
    if (!cells || !n.parent) return undefined
    const { a, s } = this.busCells(n.parent)
    if (a === 0 || (cells.length % (a + s))) return undefined
    const out: { base: number; size: number }[] = []
    for (let i = 0; i < cells.length; i += a + s) {
      const addr = this.translate(cellsValue(cells.slice(i, i + a)), n.parent)
      if (addr === undefined) return undefined
      out.push({ base: Number(addr), size: Number(cellsValue(cells.slice(i + a, i + a + s))) })
    }
    return out
  }

  /** an address on `bus` as its parent sees it, up to the root (§2.3.8 `ranges`) */
  private translate(addr: bigint, bus: DtbNode): bigint | undefined {
    for (let b = bus; b.parent; b = b.parent) {
      const ranges = fdtGet(b.raw, 'ranges')
      if (ranges === undefined) return undefined
      if (ranges.length === 0) continue
      const child = this.busCells(b), parent = this.busCells(b.parent)
      const cells = fdtU32s(ranges), w = child.a + parent.a + child.s
      let hit: bigint | undefined
      for (let i = 0; i + w <= cells.length && hit === undefined; i += w) {
        const from = cellsValue(cells.slice(i, i + child.a))
        const to = cellsValue(cells.slice(i + child.a, i + child.a + parent.a))
        const size = cellsValue(cells.slice(i + child.a + parent.a, i + w))
        if (addr >= from && addr < from + size) hit = to + (addr - from)
      }
      if (hit === undefined) return undefined
      addr = hit
    }
    return addr
  }

  // ---- interrupts ----

  /** (controller, cells) per interrupt of `n`: interrupts-extended, else interrupts via the interrupt parent */
  specifiers(n: DtbNode): Specifier[] {
    const ext = this.cells(n, 'interrupts-extended')
    const out: Specifier[] = []
    if (ext) {
      for (let i = 0; i < ext.length;) {
        const ctrl = this.byPhandle.get(ext[i]!)
        const k = ctrl ? this.u32(ctrl, '#interrupt-cells') ?? 1 : 1
        out.push({ ctrl, cells: ext.slice(i + 1, i + 1 + k) })
        i += 1 + k
      }
      return out
    }
    const cells = this.cells(n, 'interrupts')
    if (!cells) return out
    const ctrl = this.interruptParent(n)
    const k = ctrl ? this.u32(ctrl, '#interrupt-cells') ?? 1 : 1
    for (let i = 0; i + k <= cells.length; i += k) out.push({ ctrl, cells: cells.slice(i, i + k) })
    return out
  }

  /** the node's `interrupt-parent`, its own or its nearest ancestor's (§2.4.1) */
  interruptParent(n: DtbNode): DtbNode | undefined {
    for (let p: DtbNode | undefined = n; p; p = p.parent) {
      const ph = this.u32(p, 'interrupt-parent')
      if (ph !== undefined) return this.byPhandle.get(ph)
    }
    return undefined
  }
}
