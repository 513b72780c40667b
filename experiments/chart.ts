/**
 * Bar charts of named values: an SVG file for people (Vega-Lite, rendered headless by Vega —
 * no browser or canvas needed), the same as PNG (resvg), and one drawn in the terminal
 * (chartscii).
 */
import * as vega from 'vega'
import { compile, type TopLevelSpec } from 'vega-lite'
import Chartscii from 'chartscii'
import { stripVTControlCharacters } from 'node:util'

export interface Bar {
  label: string
  value: number
  /** bars of one group share a colour (and the legend names it) */
  group: string
}

export interface ChartText {
  title: string
  subtitle?: string
  /** the value axis, with its unit */
  axis: string
  /** a dashed reference line across the bars (e.g. the solo figure), with its label */
  reference?: { value: number; label: string }
  /** a colour (CSS) for each group, in legend order; without it Vega's default palette */
  groupColours?: Record<string, string>
}

/** The chart as an SVG document: horizontal bars, labelled with their values. */
export async function svgBarChart(bars: Bar[], text: ChartText): Promise<string> {
  const data = bars
  const y = { field: 'label', type: 'nominal' as const, sort: null, title: null }
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: text.title, subtitle: text.subtitle ?? '', anchor: 'start' as const },
    width: 520,
    background: 'white',
    data: { values: data },
    layer: [
      {
        mark: { type: 'bar' as const, height: { band: 0.7 } },
        encoding: {
          y,
          x: { field: 'value', type: 'quantitative' as const, title: text.axis },
          color: {
            field: 'group', type: 'nominal' as const, title: null,
            legend: { orient: 'bottom' as const, direction: 'vertical' as const, labelLimit: 0 },
            ...(text.groupColours ? { scale: { domain: Object.keys(text.groupColours), range: Object.values(text.groupColours) } } : {}),
          },
        },
      },
      {
        mark: { type: 'text' as const, align: 'left' as const, dx: 4 },
        encoding: { y, x: { field: 'value', type: 'quantitative' as const }, text: { field: 'value', type: 'quantitative' as const, format: ',' } },
      },
      ...(text.reference ? [{
        data: { values: [text.reference] },
        layer: [
          { mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#444' }, encoding: { x: { field: 'value', type: 'quantitative' as const } } },
          {
            mark: { type: 'text' as const, align: 'center' as const, baseline: 'bottom' as const, y: -3, color: '#444' },
            encoding: { x: { field: 'value', type: 'quantitative' as const }, text: { field: 'label', type: 'nominal' as const } },
          },
        ],
      }] : []),
    ],
  } as unknown as TopLevelSpec
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

/** An SVG document as a PNG image (resvg: no browser; text in DejaVu Sans or the host's sans-serif). */
export async function svgToPng(svg: string, scale = 2): Promise<Buffer> {
  const { Resvg } = await import('@resvg/resvg-js')
  const r = new Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } })
  return r.render().asPng()
}

/** The chart as terminal text: one bar per line, values at the ends. */
export function terminalBarChart(bars: Bar[], text: ChartText, opts: { width?: number; color?: boolean } = {}): string {
  const chart = new Chartscii(bars.map((b) => ({ label: b.label, value: b.value })), {
    title: `${text.title} (${text.axis})`,
    width: opts.width ?? 50,
    barSize: 1,
    padding: 0,
    orientation: 'horizontal',
    valueLabels: true,
    ...(opts.color === false ? { color: '', fillColor: '' } : {}),
  })
  const out = chart.create()
  // chartscii resets colours even with none asked for: plain text stays plain
  return opts.color === false ? stripVTControlCharacters(out) : out
}
