/**
 * Device plugin: the RISC-V PLIC (type 'plic'). Params: `sources` (ids incl. the reserved 0,
 * default 96 as QEMU virt), `priorityBits` (default 3), `contexts` ([{ hart, line }], default
 * M then S external interrupt for every hart).
 */
import { definePlugin } from '../../core/plugins.ts'
import { Plic } from './plic.ts'

export * from './plic.ts'

export default definePlugin({
  name: 'dev-plic',
  kind: 'device',
  version: '1.0.0',
  setup(ctx) {
    ctx.devices.register('plic', (dctx) => new Plic(dctx))
  },
})
