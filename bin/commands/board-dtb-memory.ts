/**
 * `board from-dtb`'s memory map: RAM from the /memory nodes (§3.4) rounded inward to whole pages,
 * /reserved-memory's regions inside it (§3.5), and a CFI flash's window.
 */
import type { Reservation } from '../../core/board.ts'
import { hex, type Translation } from './board-dtb-translation.ts'

const PAGE = 0x1000

export function memory(t: Translation): { base: number; size: number }[] {
  const { tree } = t
  const out: { base: number; size: number }[] = []
  for (const n of tree.root.children) {
    if (tree.strs(n, 'device_type')[0] !== 'memory') continue
    t.handled.add(n)
    for (const r of tree.reg(n) ?? []) {
      const base = Math.ceil(r.base / PAGE) * PAGE, end = Math.floor((r.base + r.size) / PAGE) * PAGE
      if (base !== r.base || end !== r.base + r.size) t.assumed.push(`memory: ${hex(r.base)} + ${hex(r.size)} rounded inward to whole pages`)
      if (end > base) out.push({ base, size: end - base })
    }
  }
  return out.sort((a, b) => a.base - b.base)
}

export function reserved(t: Translation, ram: { base: number; size: number }[]): Reservation[] {
  const { tree } = t
  const out: Reservation[] = []
  const inRam = (b: number, s: number): boolean => ram.some((m) => b >= m.base && b + s <= m.base + m.size)
  const rm = tree.top('reserved-memory')
  if (rm) {
    t.handled.add(rm)
    for (const c of rm.children) {
      t.handled.add(c)
      for (const r of tree.reg(c) ?? []) if (inRam(r.base, r.size)) out.push({ base: r.base, size: r.size, what: `/reserved-memory/${c.name}` })
    }
  }
  return out
}

export function flash(t: Translation): { base: number; size: number } | undefined {
  const { tree } = t
  const n = tree.nodes().find((x) => tree.enabled(x) && tree.compat(x).includes('cfi-flash'))
  const regs = n && tree.reg(n)
  if (!n || !regs?.length) return undefined
  t.handled.add(n)
  const base = Math.min(...regs.map((r) => r.base)), end = Math.max(...regs.map((r) => r.base + r.size))
  return { base, size: end - base }
}
