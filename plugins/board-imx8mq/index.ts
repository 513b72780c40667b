/**
 * Board plugin: the NXP i.MX 8M Quad EVK; the board itself is data in imx8mq.ts.
 * (This manifest stays free of TS-only syntax: see the note in dev-ns16550/index.ts.)
 */
import { definePlugin } from '../../core/plugins.ts'
import { imx8mq } from './imx8mq.ts'

export * from './imx8mq.ts'

export default definePlugin({
  name: 'board-imx8mq',
  kind: 'board',
  version: '1.0.0',
  requires: ['arch-aarch64', 'dev-gic', 'dev-imx-uart'],
  setup(ctx) {
    ctx.boards.register(imx8mq)
  },
})
