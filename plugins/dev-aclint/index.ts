/**
 * Device plugin: the CLINT-layout ACLINT (type 'aclint'): MSWI + MTIMER for every hart.
 * Also exports the cycle/tick conversions other timer code (e.g. the SBI TIME extension) reuses.
 */
import { definePlugin } from '../../core/plugins.ts'
import { Aclint } from './aclint.ts'

export * from './aclint.ts'

export default definePlugin({
  name: 'dev-aclint',
  kind: 'device',
  version: '1.0.0',
  setup(ctx) {
    ctx.devices.register('aclint', (dctx) => new Aclint(dctx))
  },
})
