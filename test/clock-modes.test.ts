/**
 * The two clock modes on the demo guests: real time may deliver output at other moments, never
 * other output. Each VM's console in real-time mode equals its console in deterministic mode,
 * for the RISC-V and the Arm two-VM demos, including an echo of typed input and (RISC-V) the
 * heartbeat ticks the default demo's vm1 prints once a second of guest time.
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { Workbench, type ClockMode } from '../core/api.ts'
import { pauseAfter, Sleeper } from '../core/sleeper.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Run as `baobab run` does (slices, sleeps when waiting) until `done`; type `input` into `into` once `ready`. */
async function consoles(config: string, clock: ClockMode, o: { ready: (c: Map<string, string>) => boolean; done: (c: Map<string, string>) => boolean; into: string; input: string }): Promise<Map<string, string>> {
  const wb = await Workbench.open({ config, clock })
  const hv = wb.hypervisor!, m = wb.machine
  const text = (): Map<string, string> => new Map(hv.vms.map((v) => [v.name, v.console.text()]))
  const sleeper = new Sleeper()
  let typed = false
  const t0 = performance.now()
  for (;;) {
    const r = m.sched.run({ wallMs: 20, predicate: () => (!typed && o.ready(text())) || o.done(text()) })
    const c = text()
    if (o.done(c)) return c
    if (!typed && o.ready(c)) {
      hv.vms.find((v) => v.name === o.into)!.console.send(o.input)
      typed = true
    }
    if (performance.now() - t0 > 20_000) throw new Error(`${clock}: not done after 20 s: ${JSON.stringify([...c])}`)
    const ms = pauseAfter(r, m.sched.waitMs, 5)
    await (ms > 0 ? sleeper.sleep(ms) : new Promise((res) => setImmediate(res)))
  }
}

describe('clock modes: the same output in real time as in deterministic mode', () => {
  it('RISC-V two-VM demo (configs/two-vms.json): greetings, ticks, heartbeat, echo', async () => {
    const config = join(root, 'configs', 'two-vms.json')
    const o = {
      ready: (c: Map<string, string>) => c.get('vm2')!.includes('echo ready'),
      done: (c: Map<string, string>) => c.get('vm1')!.includes('tick 5\n') && c.get('vm2')!.includes('echo: k'),
      into: 'vm2', input: 'ok',
    }
    const t0 = performance.now()
    const rt = await consoles(config, 'realtime', o)
    const wall = performance.now() - t0
    const det = await consoles(config, 'deterministic', o)
    expect(rt).toEqual(det)
    expect(det.get('vm1')).toMatch(/tick 3\n[\s\S]*echo ready\n[\s\S]*tick 4\ntick 5\n/)
    // tick 5 is 2 s of guest time after tick 3 (tick-ms=1000): in real time that took as long
    expect(wall).toBeGreaterThan(1800)
  }, 60_000)

  it('Arm two-VM demo (configs/aarch64/two-vms.json): greetings, ticks, SGIs, IPC, echo', async () => {
    const config = join(root, 'configs', 'aarch64', 'two-vms.json')
    const o = {
      ready: (c: Map<string, string>) => c.get('vm2')!.includes('echo ready'),
      done: (c: Map<string, string>) => c.get('vm2')!.includes('echo: k') && c.get('vm2')!.includes('ipc: message 3') ,
      into: 'vm2', input: 'ok',
    }
    const rt = await consoles(config, 'realtime', o)
    const det = await consoles(config, 'deterministic', o)
    expect(rt).toEqual(det)
    expect(det.get('vm1')).toMatch(/tick 3\n/)
  }, 60_000)
})
