/**
 * Board plugin: the HiKey 960 (Kirin 960); the board itself is data in hikey960.ts.
 * (This manifest stays free of TS-only syntax: see the note in dev-ns16550/index.ts.)
 */
import { definePlugin } from '../../core/plugins.ts'
import { hikey960 } from './hikey960.ts'

export * from './hikey960.ts'

export default definePlugin({
  name: 'board-hikey960',
  kind: 'board',
  version: '1.0.0',
  requires: ['arch-aarch64', 'dev-gic', 'dev-pl011'],
  setup(ctx) {
    ctx.boards.register(hikey960)
  },
})
