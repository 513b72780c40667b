import { definePlugin } from '../../core/plugins.ts'
import { aarch64 } from './arch.ts'

export default definePlugin({
  name: 'arch-aarch64',
  kind: 'arch',
  version: '0.1.0',
  setup(ctx) {
    ctx.archs.register(aarch64)
  },
})
