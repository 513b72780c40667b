/**
 * The cache-colouring experiment (`baobab experiment colouring`, experiments/): real guests
 * (guests/riscv64-vm/llc-walk) on the LLC model, through the real CLI. What it must show is the
 * shape Bao's papers report — an aggressor sharing the cache slows the victim down, disjoint
 * colours bring it back to its solo time — and the figures are checked against what the model
 * and the guest make them by hand: a victim walk is 1 MiB / 64-byte lines = 16,384 lines, each a
 * miss of 100 cycles (100 ns at the board's 1 GHz) when the aggressor has evicted it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { svgBarChart, terminalBarChart } from '../experiments/chart.ts'
import { resultBars, resultTable } from '../experiments/colouring-report.ts'
import { experimentRuns, sweepRuns, type RunResult } from '../experiments/colouring.ts'
import { cli, config, tail } from './hyp-util.ts'

const tmp = mkdtempSync(join(tmpdir(), 'baobab-colouring-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const LINES = (1 << 20) / 64
const MISS_US = 100 / 1000

describe('baobab experiment colouring', () => {
  it('shows the interference colouring removes, in the victim\'s own clock, and writes the chart', async () => {
    const svg = join(tmp, 'c.svg')
    const png = join(tmp, 'c.png')
    const r = await cli(['experiment', 'colouring', '--json', '--svg', svg, '--png', png], 120_000)
    expect(r.status, tail(r)).toBe(0)
    const rows = JSON.parse(r.stdout) as RunResult[]
    expect(rows.map((x) => x.run)).toEqual(['alone', 'uncoloured', 'coloured'])
    const [alone, shared, coloured] = rows as [RunResult, RunResult, RunResult]
    // alone: the working set fits, nothing misses once warm; every walk takes the same time
    expect(alone.missRate).toBeLessThan(0.001)
    expect(alone.maxUs - alone.minUs).toBeLessThanOrEqual(1)
    // sharing: every line of every walk misses (one miss per 8 words read), and it is the aggressor's doing
    expect(shared.missRate).toBeCloseTo(1 / 8, 3)
    expect(shared.evictedByAggressor).toBeGreaterThan(LINES * 10)
    expect(shared.meanUs - alone.meanUs).toBeGreaterThan(LINES * MISS_US * 0.98)
    expect(shared.meanUs - alone.meanUs).toBeLessThan(LINES * MISS_US * 1.02)
    // disjoint colours: back to the solo time, and the aggressor evicts none of the victim's lines
    expect(coloured.evictedByAggressor).toBe(0)
    expect(Math.abs(coloured.meanUs - alone.meanUs)).toBeLessThanOrEqual(alone.meanUs * 0.02)
    expect(coloured.victimColors).toBe('0x00ffffff')
    // the chart files: an SVG with the three bars' values, a PNG by its signature
    const text = readFileSync(svg, 'utf8')
    expect(text).toMatch(/^<svg /)
    for (const row of rows) expect(text).toContain(`>${row.meanUs.toLocaleString('en-US')}<`)
    expect(readFileSync(png).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  }, 150_000)

  it('refuses a config without a victim and an aggressor, a missing config, an unwritable chart path (exit 2)', async () => {
    const bad = await cli(['experiment', 'colouring', config('two-vms.json')])
    expect(bad.status, tail(bad)).toBe(2)
    expect(bad.stderr).toMatch(/^baobab: .*victim and aggressor/)
    const missing = await cli(['experiment', 'colouring', join(tmp, 'none.json')])
    expect(missing.status).toBe(2)
    expect(missing.stderr).toMatch(/no such config/)
    const nowhere = await cli(['experiment', 'colouring', '--svg', join(tmp, 'no', 'such', 'dir', 'c.svg')])
    expect(nowhere.status).toBe(2)
    expect(nowhere.stderr).toMatch(/cannot write/)
    const notJson = join(tmp, 'bad.json')
    writeFileSync(notJson, '{ "vms": ')
    const broken = await cli(['experiment', 'colouring', notJson])
    expect(broken.status).toBe(2)
    expect(broken.stderr).not.toMatch(/internal error/)
    expect(existsSync(join(tmp, 'c.svg'))).toBe(true) // the first test's file is untouched
  }, 60_000)
})

describe('the report', () => {
  const rows: RunResult[] = [
    { run: 'alone', victimColors: null, aggressorColors: null, meanUs: 500, minUs: 500, maxUs: 500, missRate: 0, evictedByAggressor: 0 },
    { run: 'uncoloured', victimColors: null, aggressorColors: null, meanUs: 2000, minUs: 1900, maxUs: 2100, missRate: 0.125, evictedByAggressor: 9000 },
    { run: 'coloured', victimColors: '0xff', aggressorColors: '0xff00', meanUs: 510, minUs: 500, maxUs: 520, missRate: 0.001, evictedByAggressor: 0 },
  ]
  it('tabulates the slowdown against the run alone', () => {
    const t = resultTable(rows).split('\n')
    expect(t).toHaveLength(4)
    expect(t[2]).toMatch(/^uncoloured\s+all \(contiguous\)\s+all \(contiguous\)\s+2000\s+1900\s+2100\s+4\.00x\s+12\.50%\s+9000$/)
    expect(t[1]).toMatch(/^alone\s+all \(contiguous\)\s+-\s+500/)
    expect(t[3]).toMatch(/1\.02x/)
  })
  it('draws bars proportional to the values, in the terminal without escapes when colour is off', async () => {
    const { bars, text } = resultBars(rows)
    const out = terminalBarChart(bars, text, { width: 40, color: false })
    expect(out).not.toMatch(/\x1b/)
    const len = (label: string): number => (out.split('\n').find((l) => l.startsWith(label))!.match(/█/g) ?? []).length
    expect(len('uncoloured')).toBe(40)
    expect(len('alone')).toBe(10)
    const svg = await svgBarChart(bars, text)
    expect(svg).toContain('>2,000<')
    expect(svg).toContain('#d62728') // the shared run in red, as the legend says
  })
})

describe('the runs', () => {
  const base = { board: 'b', vms: [{ name: 'victim', colors: '0xff' }, { name: 'aggressor', colors: '0xff00', x: 1 }] }
  it('derives alone and uncoloured from the coloured config, without colours', () => {
    const runs = experimentRuns(base)
    expect(runs.map((r) => r.run)).toEqual(['alone', 'uncoloured', 'coloured'])
    expect(runs[0]!.config.vms).toEqual([{ name: 'victim' }])
    expect(runs[1]!.config.vms).toEqual([{ name: 'victim' }, { name: 'aggressor', x: 1 }])
    expect(runs[2]!.config).toBe(base)
  })
  it('sweeps the victim over 1/8 … 7/8 of the board\'s colours, the aggressor on the rest', () => {
    const colours = (n: number) => sweepRuns(base, n).map((r) => r.config.vms.map((v) => v.colors))
    expect(colours(32)).toEqual([['0xf', '0xfffffff0'], ['0xff', '0xffffff00'], ['0xffff', '0xffff0000'], ['0xffffff', '0xff000000'], ['0xfffffff', '0xf0000000']])
    expect(sweepRuns(base, 8).map((r) => r.run)).toEqual(['victim 1/8 colours', 'victim 2/8 colours', 'victim 4/8 colours', 'victim 6/8 colours', 'victim 7/8 colours'])
    // few colours: only the distinct splits that leave each side one
    expect(colours(2)).toEqual([['0x1', '0x2']])
    expect(sweepRuns(base, 1)).toEqual([])
  })
  it('refuses a config without the two VMs', () => {
    expect(() => experimentRuns({ vms: [{ name: 'victim' }] })).toThrow(/victim and aggressor/)
  })
})
