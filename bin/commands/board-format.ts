/**
 * How `baobab board` prints: where its text goes, and a board's facts as short text (sizes,
 * clocks, address spans, its interrupt controller and console, its CPUs, a table of rows).
 */
import type { BoardDesc, CacheLevel } from '../../core/board.ts'

/** Where the command writes; tests pass their own. */
export interface BoardIo {
  out(text: string): void
}

export const processIo: BoardIo = { out: (t) => { process.stdout.write(t) } }

export const hex8 = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`
export const span = (base: number, size: number): string => `${hex8(base)}..${hex8(base + size)}`

export function bytes(n: number): string {
  for (const [unit, size] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (n >= size) return `${Number((n / size).toFixed(2))} ${unit}`
  }
  return `${n} B`
}

export const hz = (n: number): string => (n >= 1e9 ? `${Number((n / 1e9).toFixed(3))} GHz` : n >= 1e6 ? `${Number((n / 1e6).toFixed(3))} MHz` : `${Number((n / 1e3).toFixed(3))} kHz`)

/** the interrupt controller: the device other devices' (or the CPUs') interrupts go to */
export function irqController(b: BoardDesc): string {
  const targets = new Set([...b.devices.flatMap((d) => (d.irqs ?? []).flatMap((w) => ('to' in w ? [w.to] : []))), ...(b.cpuIrqs ?? []).map((w) => w.to)])
  const d = b.devices.find((x) => targets.has(x.name))
  return d ? `${d.type}@${hex8(d.base)}` : '-'
}

export function consoleUart(b: BoardDesc): string {
  const d = b.devices.find((x) => x.name === b.console)
  return d ? `${d.type}@${hex8(d.base)}` : '-'
}

export function cpuCount(b: BoardDesc): string {
  return b.clusters && b.clusters.length > 1 ? `${b.cpus} (${b.clusters.join('+')})` : String(b.cpus)
}

export function ramBytes(b: BoardDesc): number {
  return b.memory.reduce((s, m) => s + m.size, 0)
}

export function cache(c: CacheLevel): string {
  return `${bytes(c.sizeBytes)}, ${c.ways} ways of ${c.lineBytes}-byte lines${c.indexing ? `, ${c.indexing}` : ''}`
}

/** rows as columns padded to their widest cell, the last column unpadded */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)))
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n'
}
