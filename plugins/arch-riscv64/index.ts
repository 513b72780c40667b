import { definePlugin } from '../../core/plugins.ts'
import { riscv64 } from './arch.ts'
import { SBI_ROUTES } from './hyp/sbi.ts'

export default definePlugin({
  name: 'arch-riscv64',
  kind: 'arch',
  version: '1.0.0',
  setup(ctx) {
    ctx.archs.register(riscv64)
    // the SBI the hypervisor offers its guests (hyp/sbi.ts)
    for (const route of SBI_ROUTES) ctx.calls.register(route)
  },
})
