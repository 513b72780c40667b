/** The colouring experiment's results as a table and as chart bars (experiments/colouring.ts). */
import type { Bar, ChartText } from './chart.ts'
import type { RunResult } from './colouring.ts'

const colours = (mask: string | null, present: boolean): string => (!present ? '-' : mask === null ? 'all (contiguous)' : mask)

/** a fixed-width text table, one row per run; `vs alone` is the slowdown over the first run */
export function resultTable(rows: RunResult[]): string {
  const alone = rows.find((r) => r.run === 'alone')?.meanUs ?? rows[0]?.meanUs ?? 1
  const head = ['run', 'victim colours', 'aggressor colours', 'walk mean us', 'min us', 'max us', 'vs alone', 'victim miss rate', 'victim lines evicted by aggressor']
  const body = rows.map((r) => [
    r.run,
    colours(r.victimColors, true),
    colours(r.aggressorColors, r.run !== 'alone'),
    String(r.meanUs), String(r.minUs), String(r.maxUs),
    `${(r.meanUs / alone).toFixed(2)}x`,
    `${(r.missRate * 100).toFixed(2)}%`,
    String(r.evictedByAggressor),
  ])
  const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 || i === 1 || i === 2 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join('  ').trimEnd()
  return [line(head), ...body.map(line)].join('\n')
}

const ALONE = 'victim alone'
const SHARED = 'victim + aggressor, all colours shared'
const DISJOINT = 'victim + aggressor, disjoint colours (sweep: victim on k, aggressor on the rest)'

/** the victim's walk time per run, grouped as alone / with the aggressor / the colour sweep */
export function resultBars(rows: RunResult[]): { bars: Bar[]; text: ChartText } {
  const alone = rows.find((r) => r.run === 'alone')
  const bars = rows.map((r) => ({
    label: r.run,
    value: r.meanUs,
    group: r.run === 'alone' ? ALONE : r.aggressorColors === null ? SHARED : DISJOINT,
  }))
  return {
    bars,
    text: {
      title: 'Cache colouring: time of one victim walk (1 MiB, half the LLC)',
      subtitle: 'LLC model: 2 MiB, 16-way, 100-cycle miss; the aggressor streams 8 MiB on the other hart',
      axis: "µs of the victim's own clock, mean of 16 walks",
      ...(alone ? { reference: { value: alone.meanUs, label: 'alone' } } : {}),
      groupColours: { [ALONE]: '#7f7f7f', [SHARED]: '#d62728', [DISJOINT]: '#2ca02c' },
    },
  }
}
