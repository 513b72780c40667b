// QEMU virt as with virtualization=off: a GICv2 without GICH/GICV (its window stops at the CPU
// interface). The hypervisor then models the virtual CPU interface itself (hyp/soft-gich.ts).
import { definePlugin } from '../../../../core/plugins.ts'
import type { BoardDesc } from '../../../../core/board.ts'
import { qemuVirtAarch64 } from '../../../board-qemu-virt-aarch64/qemu-virt-aarch64.ts'

const board: BoardDesc = {
  ...qemuVirtAarch64,
  name: 'qemu-virt-aarch64-no-gich',
  devices: qemuVirtAarch64.devices.map((d) => (d.type === 'gicv2' ? { ...d, size: 0x2_0000 } : d)),
}

export default definePlugin({
  name: 'board-qemu-virt-aarch64-no-gich',
  kind: 'board',
  version: '0.1.0',
  requires: ['arch-aarch64', 'dev-pl011', 'dev-gic'],
  setup(ctx) {
    ctx.boards.register(board)
  },
})
