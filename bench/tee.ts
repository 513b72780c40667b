/**
 * Per-VM TEE figures (feat-tee), host microseconds per GPOS → TEE → GPOS round trip, start-up
 * excluded, both guest-driven:
 * - a null fast call: a GPOS making 100,000 of them to its parent TEE (bench/tee/null-call.json:
 *   bench/tee/gpos-loop.S and test/fixtures/tee's trusted OS, which answers at once);
 * - a standard call with a 4 KiB payload: guests/riscv64-vm/tee-bench under tee-os
 *   (bench/tee/std-call-4k.json), 10,000 INVOKE_COMMANDs of the key store's keyed checksum over a
 *   4 KiB memref (copied into the shared buffer, read whole by the TA, a value back), timed from
 *   its "start" line to its last; and the guest instructions each call took, to read it by.
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Workbench } from '../core/api.ts'
import type { Figure } from './measure.ts'

const here = join(dirname(fileURLToPath(import.meta.url)), 'tee')
const NULL_CALLS = 100_000
const STD_CALLS = 10_000

async function nullCall(): Promise<Figure[]> {
  const wb = await Workbench.open({ config: join(here, 'null-call.json') })
  const t0 = performance.now()
  const done = wb.vm('gpos').console.waitFor(`${NULL_CALLS} calls`, { ms: 60_000 })
  const ms = performance.now() - t0
  if (!done) return []
  return [{ name: 'TEE null fast call round trip (GPOS -> TEE -> GPOS, guest-driven)', value: (ms * 1000) / NULL_CALLS, unit: 'us' }]
}

async function stdCall4k(): Promise<Figure[]> {
  const wb = await Workbench.open({ config: join(here, 'std-call-4k.json') })
  const gpos = wb.vm('gpos').console
  if (!gpos.waitFor('gpos: start', { ms: 10_000 })) return []
  const i0 = wb.stats().instructions
  const t0 = performance.now()
  const done = gpos.waitFor(`gpos: ${STD_CALLS} calls`, { ms: 60_000 })
  const ms = performance.now() - t0
  if (!done) return []
  return [
    { name: 'TEE standard call round trip, 4 KiB payload (GPOS -> TEE -> GPOS, guest-driven)', value: (ms * 1000) / STD_CALLS, unit: 'us' },
    // what the guests execute per call (teec's copy and the TA's checksum of the 4 KiB dominate)
    { name: 'TEE standard call, 4 KiB payload: guest instructions per call', value: Math.round((wb.stats().instructions - i0) / STD_CALLS), unit: 'insns' },
  ]
}

export async function benchTee(): Promise<Figure[]> {
  return [...await nullCall(), ...await stdCall4k()]
}
