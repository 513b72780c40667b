/**
 * Board plugin: QEMU's `virt` RISC-V machine; the board itself is data in qemu-virt-riscv64.ts.
 * (This manifest stays free of TS-only syntax: see the note in dev-ns16550/index.ts.)
 */
import { definePlugin } from '../../core/plugins.ts'
import { qemuVirtRiscv64 } from './qemu-virt-riscv64.ts'

export * from './qemu-virt-riscv64.ts'

export default definePlugin({
  name: 'board-qemu-virt-riscv64',
  kind: 'board',
  version: '1.0.0',
  requires: ['arch-riscv64', 'dev-ns16550', 'dev-plic', 'dev-aclint', 'dev-sifive-test'],
  setup(ctx) {
    ctx.boards.register(qemuVirtRiscv64)
  },
})
