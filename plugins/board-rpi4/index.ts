/**
 * Board plugin: the Raspberry Pi 4 Model B; the board itself is data in rpi4.ts.
 * (This manifest stays free of TS-only syntax: see the note in dev-ns16550/index.ts.)
 */
import { definePlugin } from '../../core/plugins.ts'
import { rpi4 } from './rpi4.ts'

export * from './rpi4.ts'

export default definePlugin({
  name: 'board-rpi4',
  kind: 'board',
  version: '1.0.0',
  requires: ['arch-aarch64', 'dev-gic', 'dev-bcm2835-aux-uart', 'dev-pl011'],
  setup(ctx) {
    ctx.boards.register(rpi4)
  },
})
