/**
 * Board plugin: Rocket with the H extension on Chipyard's FPGA prototype SoC; the board itself is
 * data in rocket.ts. (This manifest stays free of TS-only syntax: see the note in dev-ns16550/index.ts.)
 */
import { definePlugin } from '../../core/plugins.ts'
import { rocket } from './rocket.ts'

export * from './rocket.ts'

export default definePlugin({
  name: 'board-rocket',
  kind: 'board',
  version: '1.0.0',
  requires: ['arch-riscv64', 'dev-plic', 'dev-aclint', 'dev-sifive-uart'],
  setup(ctx) {
    ctx.boards.register(rocket)
  },
})
