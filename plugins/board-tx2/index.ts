/**
 * Board plugin: the NVIDIA Jetson TX2 (Tegra186); the board itself is data in tx2.ts.
 * (This manifest stays free of TS-only syntax: see the note in dev-ns16550/index.ts.)
 */
import { definePlugin } from '../../core/plugins.ts'
import { tx2 } from './tx2.ts'

export * from './tx2.ts'

export default definePlugin({
  name: 'board-tx2',
  kind: 'board',
  version: '1.0.0',
  requires: ['arch-aarch64', 'dev-gic', 'dev-ns16550'],
  setup(ctx) {
    ctx.boards.register(tx2)
  },
})
