/**
 * Board plugin: the NXP i.MX 8QuadMax MEK; the board itself is data in imx8qm.ts.
 * (This manifest stays free of TS-only syntax: see the note in dev-ns16550/index.ts.)
 */
import { definePlugin } from '../../core/plugins.ts'
import { imx8qm } from './imx8qm.ts'

export * from './imx8qm.ts'

export default definePlugin({
  name: 'board-imx8qm',
  kind: 'board',
  version: '1.0.0',
  requires: ['arch-aarch64', 'dev-gic', 'dev-lpuart'],
  setup(ctx) {
    ctx.boards.register(imx8qm)
  },
})
