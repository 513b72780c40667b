/**
 * Board plugin: the 96Boards Rock960 (RK3399); the board itself is data in rock960.ts.
 * (This manifest stays free of TS-only syntax: see the note in dev-ns16550/index.ts.)
 */
import { definePlugin } from '../../core/plugins.ts'
import { rock960 } from './rock960.ts'

export * from './rock960.ts'

export default definePlugin({
  name: 'board-rock960',
  kind: 'board',
  version: '1.0.0',
  requires: ['arch-aarch64', 'dev-gic', 'dev-ns16550'],
  setup(ctx) {
    ctx.boards.register(rock960)
  },
})
