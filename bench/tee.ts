/**
 * Per-VM TEE figure (feat-tee): a GPOS making 100,000 null fast calls to its parent TEE
 * (bench/tee/null-call.json: bench/tee/gpos-loop.S and test/fixtures/tee's trusted OS, which
 * answers at once) — host microseconds per GPOS → TEE → GPOS round trip, start-up excluded.
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Workbench } from '../core/api.ts'
import type { Figure } from './measure.ts'

const CONFIG = join(dirname(fileURLToPath(import.meta.url)), 'tee', 'null-call.json')
const CALLS = 100_000

export async function benchTee(): Promise<Figure[]> {
  const wb = await Workbench.open({ config: CONFIG })
  const t0 = performance.now()
  const done = wb.vm('gpos').console.waitFor(`${CALLS} calls`, { ms: 60_000 })
  const ms = performance.now() - t0
  if (!done) return []
  return [{ name: 'TEE null fast call round trip (GPOS -> TEE -> GPOS, guest-driven)', value: (ms * 1000) / CALLS, unit: 'us' }]
}
