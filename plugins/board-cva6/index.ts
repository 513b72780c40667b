/**
 * Board plugin: CVA6 with the H extension on its FPGA SoC; the board itself is data in cva6.ts.
 * (This manifest stays free of TS-only syntax: see the note in dev-ns16550/index.ts.)
 */
import { definePlugin } from '../../core/plugins.ts'
import { cva6 } from './cva6.ts'

export * from './cva6.ts'

export default definePlugin({
  name: 'board-cva6',
  kind: 'board',
  version: '1.0.0',
  requires: ['arch-riscv64', 'dev-plic', 'dev-aclint', 'dev-ns16550'],
  setup(ctx) {
    ctx.boards.register(cva6)
  },
})
