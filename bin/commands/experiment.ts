/** `baobab experiment colouring`: the cache-colouring interference experiment (experiments/). */
import type { Argv, CommandModule } from 'yargs'
import { UsageError } from '../errors.ts'

interface ColouringArgs { config?: string; sweep: boolean; svg?: string; png?: string; json: boolean }

function colouring(setCode: (c: number) => void): CommandModule<object, ColouringArgs> {
  return {
    command: 'colouring [config]',
    describe: 'Victim alone, with an aggressor, and with disjoint colours: a table and bar charts',
    builder: (y) => y
      .positional('config', { type: 'string', describe: 'the coloured run: VMs named victim and aggressor (default configs/colouring.json)' })
      .option('sweep', { type: 'boolean', default: false, describe: 'also give the victim 1/8 … 7/8 of the colours, the aggressor the rest' })
      .option('svg', { type: 'string', describe: 'write the chart as SVG to this file' })
      .option('png', { type: 'string', describe: 'write the chart as PNG to this file' })
      .option('json', { type: 'boolean', default: false, describe: 'print the results as JSON instead of the table and terminal chart' }),
    handler: async (a) => {
      const { existsSync } = await import('node:fs')
      const { dirname, resolve } = await import('node:path')
      for (const f of [a.svg, a.png]) {
        if (f !== undefined && (f === '' || !existsSync(dirname(resolve(f))))) throw new UsageError(`cannot write ${JSON.stringify(f)}: no such folder`)
      }
      if (a.config !== undefined && !existsSync(a.config)) throw new UsageError(`no such config: ${a.config}`)
      const { colouringExperiment, ExperimentError } = await import('../../experiments/colouring.ts')
      const { resultTable, resultBars } = await import('../../experiments/colouring-report.ts')
      const { svgBarChart, svgToPng, terminalBarChart } = await import('../../experiments/chart.ts')
      let rows
      try {
        rows = await colouringExperiment({
          config: a.config,
          sweep: a.sweep,
          onRun: (r) => { if (!a.json) process.stderr.write(`ran: ${r.run}\n`) },
        })
      } catch (e) {
        if (e instanceof ExperimentError) throw new UsageError(e.message)
        throw e
      }
      const { bars, text } = resultBars(rows)
      if (a.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n')
      } else {
        process.stdout.write(resultTable(rows) + '\n\n')
        process.stdout.write(terminalBarChart(bars, text, { color: process.stdout.isTTY === true }) + '\n')
      }
      if (a.svg !== undefined || a.png !== undefined) {
        const { writeFileSync } = await import('node:fs')
        const svg = await svgBarChart(bars, text)
        if (a.svg !== undefined) writeFileSync(a.svg, svg)
        if (a.png !== undefined) writeFileSync(a.png, await svgToPng(svg))
      }
      setCode(0)
    },
  }
}

export function experimentCommand(setCode: (c: number) => void): CommandModule {
  return {
    command: 'experiment <name>',
    describe: 'Run an experiment and print its figures (colouring)',
    builder: (y: Argv) => y.command(colouring(setCode)).demandCommand(1, 'name an experiment (see --help)'),
    handler: () => {},
  }
}
