/**
 * Board plugin: QEMU's `virt` Arm machine with `gic-version=3`; the board itself is data in
 * qemu-virt-aarch64-gicv3.ts. (This manifest stays free of TS-only syntax: see the note in
 * dev-ns16550/index.ts.)
 */
import { definePlugin } from '../../core/plugins.ts'
import { qemuVirtAarch64Gicv3 } from './qemu-virt-aarch64-gicv3.ts'

export * from './qemu-virt-aarch64-gicv3.ts'

export default definePlugin({
  name: 'board-qemu-virt-aarch64-gicv3',
  kind: 'board',
  version: '1.0.0',
  requires: ['arch-aarch64', 'dev-pl011', 'dev-gic'],
  setup(ctx) {
    ctx.boards.register(qemuVirtAarch64Gicv3)
  },
})
