/**
 * Board plugin: the Xilinx ZCU104 (Zynq UltraScale+ MPSoC); the board itself is data in zcu104.ts.
 * (This manifest stays free of TS-only syntax: see the note in dev-ns16550/index.ts.)
 */
import { definePlugin } from '../../core/plugins.ts'
import { zcu104 } from './zcu104.ts'

export * from './zcu104.ts'

export default definePlugin({
  name: 'board-zcu104',
  kind: 'board',
  version: '1.0.0',
  requires: ['arch-aarch64', 'dev-gic', 'dev-cdns-uart'],
  setup(ctx) {
    ctx.boards.register(zcu104)
  },
})
