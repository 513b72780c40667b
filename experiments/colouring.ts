/**
 * The cache-colouring interference experiment (`baobab experiment colouring`): Bao's argument for
 * colouring, reproduced on the LLC model (feature `llc`). A periodic victim walks a buffer of
 * about half the LLC and times each walk with its own clock; an aggressor on the other hart
 * streams over four times the LLC. Both are guests/riscv64-vm/llc-walk, one image, the same
 * guest addresses; configs/colouring.json is the coloured run and every other run is derived
 * from it here:
 *   alone       — the victim, uncoloured, with the cache to itself (the baseline);
 *   uncoloured  — victim + aggressor, both contiguous: the aggressor evicts the victim's lines;
 *   coloured    — victim + aggressor on disjoint colours (the file's split);
 *   and with `sweep`, the victim on k of the colours and the aggressor on the rest.
 * Every run is deterministic: the figures are virtual time, the same on any host.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Workbench } from '../core/api.ts'
import { llcOn } from '../plugins/feat-llc/index.ts'

export const CONFIG = join(dirname(fileURLToPath(import.meta.url)), '..', 'configs', 'colouring.json')

/** one run's figures, all from virtual time and the LLC model's counters */
export interface RunResult {
  run: string
  /** the victim's colours, as the config gives them (null: uncoloured) */
  victimColors: string | null
  aggressorColors: string | null
  /** mean / min / max time of one timed walk, as the victim measured it (µs of its own clock) */
  meanUs: number
  minUs: number
  maxUs: number
  /** the victim's LLC misses per access over its timed walks */
  missRate: number
  /** the victim's lines the aggressor's misses evicted during the timed walks */
  evictedByAggressor: number
}

/** the experiment cannot run as asked (a config without the two VMs, a victim that never reports) */
export class ExperimentError extends Error {}

interface VmJson { name: string; colors?: string; [k: string]: unknown }
interface ConfigJson { vms: VmJson[]; [k: string]: unknown }

/** a victim's result line: "victim: walks 16 mean 524 us min 524 us max 524 us (ticks …) sum …" */
const RESULT = /victim: walks \d+ mean (\d+) us min (\d+) us max (\d+) us/

/** a bitmap of colours [from, from + n) as the config writes one */
function colourMask(from: number, n: number): string {
  return '0x' + (((1n << BigInt(n)) - 1n) << BigInt(from)).toString(16)
}

type Run = { run: string; config: ConfigJson }

/** the config's two VMs, as the experiment needs them */
function roles(base: ConfigJson): { victim: VmJson; aggressor: VmJson } {
  const victim = base.vms.find((v) => v.name === 'victim')
  const aggressor = base.vms.find((v) => v.name === 'aggressor')
  if (!victim || !aggressor) throw new ExperimentError('the experiment needs a config with VMs named victim and aggressor')
  return { victim, aggressor }
}

/** the three runs, derived from the config (the coloured one): alone and uncoloured drop `colors` */
export function experimentRuns(base: ConfigJson): Run[] {
  const { victim, aggressor } = roles(base)
  const bare = (v: VmJson): VmJson => { const { colors: _, ...rest } = v; return rest }
  return [
    { run: 'alone', config: { ...base, vms: [bare(victim)] } },
    { run: 'uncoloured', config: { ...base, vms: [bare(victim), bare(aggressor)] } },
    { run: 'coloured', config: base },
  ]
}

/** the sweep: the victim on 1/8 … 7/8 of the board's `colorNum` colours (distinct whole numbers, one at least each side), the aggressor on the rest */
export function sweepRuns(base: ConfigJson, colorNum: number): Run[] {
  const { victim, aggressor } = roles(base)
  const splits = [1, 2, 4, 6, 7].map((e) => Math.round((e * colorNum) / 8)).filter((k, i, a) => k > 0 && k < colorNum && a.indexOf(k) === i)
  return splits.map((k) => ({
    run: `victim ${k}/${colorNum} colours`,
    config: { ...base, vms: [{ ...victim, colors: colourMask(0, k) }, { ...aggressor, colors: colourMask(k, colorNum - k) }] },
  }))
}

/** Boot one run, let the victim warm up, count its timed walks. */
async function runOne(file: string, run: string, config: ConfigJson, timeoutMs: number): Promise<{ result: RunResult; colorNum: number }> {
  // the model is what the experiment measures: on whatever the config's features say
  const features = Array.isArray(config.features) ? config.features as unknown[] : []
  const wb = await Workbench.open({ config: file, configData: { ...config, features: [...new Set([...features, 'llc'])] } })
  const model = llcOn(wb.machine.bus)
  if (!model) throw new ExperimentError(`${run}: the board ${wb.board.name} describes no LLC to model`)
  const con = wb.vm('victim').console
  if (!con.waitFor('victim: warm', { ms: timeoutMs })) throw new ExperimentError(`${run}: the victim did not print "victim: warm" in ${timeoutMs} ms of guest time (is it guests/riscv64-vm/llc-walk?)`)
  model.llc.resetCounts() // count the timed walks only (the cache stays warm)
  if (!con.waitFor(RESULT, { ms: timeoutMs })) throw new ExperimentError(`${run}: no result line from the victim in ${timeoutMs} ms of guest time`)
  const m = RESULT.exec(con.read())!
  const s = model.stats()
  const v = s['victim']!
  const cfg = (name: string) => config.vms.find((x) => x.name === name)
  const result = {
    run,
    victimColors: cfg('victim')?.colors ?? null,
    aggressorColors: cfg('aggressor') ? (cfg('aggressor')!.colors ?? null) : null,
    meanUs: Number(m[1]), minUs: Number(m[2]), maxUs: Number(m[3]),
    missRate: v.missRate,
    evictedByAggressor: v.evictedByOthers,
  }
  return { result, colorNum: wb.colours().colorNum }
}

/** Every run of the experiment, in order. `onRun` sees each result as it comes. */
export async function colouringExperiment(opts: { config?: string; sweep?: boolean; timeoutMs?: number; onRun?: (r: RunResult) => void } = {}): Promise<RunResult[]> {
  const file = opts.config ?? CONFIG
  let base: ConfigJson
  try {
    base = JSON.parse(readFileSync(file, 'utf8')) as ConfigJson
  } catch (e) {
    throw new ExperimentError(`${file}: ${(e as Error).message}`)
  }
  if (!base || typeof base !== 'object' || !Array.isArray(base.vms)) throw new ExperimentError(`${file}: not a config with vms[]`)
  const out: RunResult[] = []
  const timeout = opts.timeoutMs ?? 2000
  // the three runs first: the sweep's splits follow the board's colour count, known once one booted
  let colorNum = 0
  for (const { run, config } of experimentRuns(base)) {
    const r = await runOne(file, run, config, timeout)
    colorNum = r.colorNum
    opts.onRun?.(r.result)
    out.push(r.result)
  }
  for (const { run, config } of opts.sweep ? sweepRuns(base, colorNum) : []) {
    const r = await runOne(file, run, config, timeout)
    opts.onRun?.(r.result)
    out.push(r.result)
  }
  return out
}
