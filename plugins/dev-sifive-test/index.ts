/** Device plugin: the SiFive test finisher (type 'sifive-test'): pass/fail/reset by one MMIO write. */
import { definePlugin } from '../../core/plugins.ts'
import { SifiveTest } from './sifive-test.ts'

export * from './sifive-test.ts'

export default definePlugin({
  name: 'dev-sifive-test',
  kind: 'device',
  version: '1.0.0',
  setup(ctx) {
    ctx.devices.register('sifive-test', (dctx) => new SifiveTest(dctx))
  },
})
