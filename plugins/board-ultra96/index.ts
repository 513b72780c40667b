/**
 * Board plugin: the Avnet Ultra96 (Zynq UltraScale+ MPSoC ZU3EG); the board itself is data in
 * ultra96.ts.
 * (This manifest stays free of TS-only syntax: see the note in dev-ns16550/index.ts.)
 */
import { definePlugin } from '../../core/plugins.ts'
import { ultra96 } from './ultra96.ts'

export * from './ultra96.ts'

export default definePlugin({
  name: 'board-ultra96',
  kind: 'board',
  version: '1.0.0',
  requires: ['arch-aarch64', 'dev-gic', 'dev-cdns-uart'],
  setup(ctx) {
    ctx.boards.register(ultra96)
  },
})
