/**
 * Feature plugin: CROSSCON's per-VM TEEs (sdTZ). Each GPOS VM talks to its own trusted-OS VM over
 * the OP-TEE call ABI; the routing (tee.ts) is arch-neutral — an arch binds its conduit to the
 * `tee` service. Everything it adds goes through its ctx, so unloading it removes it exactly.
 */
import { SERVICE_TEE } from '../../core/hypervisor/calls.ts'
import { perHypervisor } from '../../core/hypervisor/hooks.ts'
import { definePlugin } from '../../core/plugins.ts'
import { Tees } from './tee.ts'

export default definePlugin({
  name: 'feat-tee',
  kind: 'feature',
  version: '0.1.0',
  setup(ctx) {
    const tees = perHypervisor('tee', (hv) => new Tees(hv))
    ctx.calls.register({ service: SERVICE_TEE, handler: (c) => tees(c.hv).call(c) })
    ctx.hooks.on('fault', (hv, v, f) => tees(hv).fault(v, f))
    ctx.states.register('tee', {
      snapshot: (hv) => tees(hv).snapshot(),
      restore: (hv, s) => tees(hv).restore(s),
    })
  },
})
