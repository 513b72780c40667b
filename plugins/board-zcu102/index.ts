/**
 * Board plugin: the Xilinx ZCU102 (Zynq UltraScale+ MPSoC); the board itself is data in zcu102.ts.
 * (This manifest stays free of TS-only syntax: see the note in dev-ns16550/index.ts.)
 */
import { definePlugin } from '../../core/plugins.ts'
import { zcu102 } from './zcu102.ts'

export * from './zcu102.ts'

export default definePlugin({
  name: 'board-zcu102',
  kind: 'board',
  version: '1.0.0',
  requires: ['arch-aarch64', 'dev-gic', 'dev-cdns-uart'],
  setup(ctx) {
    ctx.boards.register(zcu102)
  },
})
