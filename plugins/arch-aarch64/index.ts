import { definePlugin } from '../../core/plugins.ts'
import { aarch64 } from './arch.ts'
import { PSCI_ROUTES } from './hyp/vpsci.ts'

export default definePlugin({
  name: 'arch-aarch64',
  kind: 'arch',
  version: '0.1.0',
  setup(ctx) {
    ctx.archs.register(aarch64)
    // the PSCI the hypervisor offers its guests over SMC (hyp/vpsci.ts)
    for (const route of PSCI_ROUTES) ctx.calls.register(route)
  },
})
