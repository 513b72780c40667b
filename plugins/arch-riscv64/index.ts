import { definePlugin } from '../../core/plugins.ts'
import { riscv64 } from './arch.ts'

export default definePlugin({
  name: 'arch-riscv64',
  kind: 'arch',
  version: '1.0.0',
  setup(ctx) {
    ctx.archs.register(riscv64)
  },
})
