/**
 * Feature plugin `llc` (config `"features": ["llc"]`): a model of the board's shared last-level
 * cache that every guest load and store goes through, with per-VM counters — to see the
 * interference cache colouring removes. Off unless asked: the interpreter then sends every access
 * to the model, and translated code looks up only the newest line of each set itself (line
 * tracking, core/bus.ts). Unloading it removes the observer and the CPUs' page fast path returns.
 */
import { definePlugin } from '../../core/plugins.ts'
import { StateError } from '../../core/state-check.ts'
import { attach, llcOn } from './model.ts'

export default definePlugin({
  name: 'feat-llc',
  kind: 'feature',
  version: '0.1.0',
  setup(ctx) {
    ctx.bus.observe(attach)
    // the REPL's `llc.stats()` / `llc.reset()` / `llc.flush()` for the machine it drives
    ctx.api.register('llc', (bus) => ({
      stats: () => llcOn(bus)?.stats() ?? {},
      /** zero the counters (the cache stays warm), as a performance counter reset does */
      reset: (): void => { llcOn(bus)?.llc.resetCounts() },
      /** empty the cache (every line invalid), counters kept */
      flush: (): void => { llcOn(bus)?.llc.flush() },
    }))
    // the TUI's VM list: each VM's misses, under its other counters
    ctx.counters.register('llc miss', (bus) => {
      const m = llcOn(bus)
      return m ? (vmId) => m.llc.ownerCounts(vmId)?.misses ?? 0 : null
    })
    // sessions: the cache's lines and counters, so a resumed run misses exactly where the
    // uninterrupted one would (the harts keep their own pending stall)
    ctx.states.register('llc', {
      snapshot: (hv) => llcOn(hv.machine.bus)?.llc.snapshot() ?? null,
      restore: (hv, s) => {
        const m = llcOn(hv.machine.bus)
        if (s === null) return
        if (!m) throw new StateError('', `the session has LLC state, but board ${hv.machine.board.name} describes no LLC`)
        m.llc.restore(s)
      },
    })
    // a VM's accesses are charged to it: the model learns the hypervisor when its first VM is built
    ctx.hooks.on('vmCreated', (hv) => {
      const m = llcOn(hv.machine.bus)
      if (m) m.hv = hv
    })
  },
})

export { llcOn } from './model.ts'
