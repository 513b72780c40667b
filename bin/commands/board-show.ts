/** `board list` and `board show NAME`: the built-in boards one line each, and one board in full. */
import { relative } from 'node:path'
import { bytes, cache, consoleUart, cpuCount, hex8, hz, irqController, plural, processIo, ramBytes, span, table, type BoardIo } from './board-format.ts'
import { builtinBoards, readBoard } from './board-read.ts'

/** `board list`: one line per built-in board. */
export async function boardList(io: BoardIo = processIo): Promise<number> {
  const rows = [['board', 'arch', 'cpus', 'ram', 'interrupts', 'console', '']]
  for (const name of await builtinBoards()) {
    const { board: b, missing } = await readBoard(name)
    rows.push([b.name, b.arch, cpuCount(b), bytes(ramBytes(b)), irqController(b), consoleUart(b), missing.length ? `(needs ${missing.join(', ')})` : ''])
  }
  io.out(table(rows))
  return 0
}

/** `board show NAME`: everything the board has. */
export async function boardShow(spec: string, io: BoardIo = processIo): Promise<number> {
  const info = await readBoard(spec)
  const b = info.board
  const { colourGeometry } = await import('../../core/hypervisor/colours.ts')
  const lines: [string, string[]][] = []
  const add = (key: string, ...values: string[]): void => { lines.push([key, values]) }
  add('plugin', `${info.plugin} (${relative(process.cwd(), info.source) || info.source})`)
  add('needs', info.requires.map((r) => (info.missing.includes(r) ? `${r} (not there yet)` : r)).join(', ') || '-')
  add('arch', b.cpuModel ? `${b.arch}, ${b.cpuModel}` : b.arch)
  const clusters = b.clusters ? ` in ${plural(b.clusters.length, 'cluster')} of ${b.clusters.join(', ')}` : ''
  add('cpus', `${b.cpus}${clusters} at ${hz(b.cpuHz)} (one instruction per cycle); timer ${hz(b.timebaseHz)}`)
  add('memory', ...b.memory.map((m) => `${span(m.base, m.size)}  ${bytes(m.size)}`))
  if (b.reserved?.length) add('reserved', ...b.reserved.map((r) => `${span(r.base, r.size)}  ${r.what}${r.hypervisor ? ' (hypervisor)' : ''}`))
  if (b.flash) add('flash', `${span(b.flash.base, b.flash.size)}  ${bytes(b.flash.size)}`)
  if (b.resetPc !== undefined) add('reset pc', hex8(b.resetPc))
  add('console', b.console ? `${b.console} (${consoleUart(b)})` : '-')
  const w = Math.max(...b.devices.map((d) => d.name.length)), t = Math.max(...b.devices.map((d) => d.type.length))
  add('devices', ...b.devices.map((d) => {
    const irqs = (d.irqs ?? []).map((x) => ('to' in x ? `${x.to} ${x.input}` : `cpu ${x.cpu} ${x.line}`))
    const params = Object.entries(d.params ?? {}).map(([k, v]) => `${k}=${typeof v === 'number' && /Offset$/.test(k) ? `0x${v.toString(16)}` : JSON.stringify(v)}`)
    const irq = irqs.length ? [`irq → ${irqs.join(', ')}`] : []
    return [d.name.padEnd(w), d.type.padEnd(t), span(d.base, d.size), ...irq, ...params].join('  ')
  }))
  if (b.cpuIrqs?.length) add('cpu irqs', b.cpuIrqs.map((x) => `${x.output} → ${x.to} ${x.input}`).join(', '))
  const c = b.caches
  if (c?.llc || c?.l1d || c?.l1i) {
    const levels = [c.llc && `LLC  ${cache(c.llc)}`, c.l1d && `L1 D ${cache(c.l1d)}`, c.l1i && `L1 I ${cache(c.l1i)}`]
    if (c.llcMissCycles !== undefined) levels.push(`an LLC miss costs ${c.llcMissCycles} cycles`)
    add('caches', ...levels.filter((s): s is string => typeof s === 'string'))
  }
  const g = colourGeometry(b.caches)
  add('colours', `${plural(g.colorNum, 'colour')} of ${plural(g.colorSize, 'page')} (the pattern repeats every ${bytes(g.pagesPerPeriod * 4096)})`)
  io.out(`board ${b.name}\n` + lines.flatMap(([k, vs]) => vs.map((v, i) => `  ${(i ? '' : k).padEnd(9)} ${v}`)).join('\n') + '\n')
  return 0
}
