/**
 * Board plugin: QEMU's `virt` Arm machine with a GICv3 (`-machine virt,gic-version=3 -cpu
 * cortex-a53 -smp 4`; hw/arm/virt.c memory map): the distributor at VIRT_GIC_DIST 0x08000000
 * and one redistributor per CPU (RD_base + SGI_base, 128 KiB) from VIRT_GIC_REDIST 0x080a0000;
 * the CPU interface is the ICC_* system registers, the virtualization interface ICH_* and ICV_*
 * (no GICH/GICV frames), the maintenance interrupt PPI 25. QEMU's ITS (0x08080000) is not
 * modelled: inside the GIC's window it reads 0.
 *
 * Everything else is the GICv2 board's (board-qemu-virt-aarch64), taken from it so the two stay
 * one machine: RAM, flash, the two PL011s and their SPIs, the timer PPIs, caches, reservations.
 */
import type { BoardDesc } from '../../core/board.ts'
import { qemuVirtAarch64 } from '../board-qemu-virt-aarch64/qemu-virt-aarch64.ts'

/** redistributors: QEMU virt's GICv3 window covers one 128 KiB frame pair per CPU */
const CPUS = qemuVirtAarch64.cpus

export const qemuVirtAarch64Gicv3: BoardDesc = {
  ...qemuVirtAarch64,
  name: 'qemu-virt-aarch64-gicv3',
  devices: [
    // GICD at +0 (64 KiB), the redistributors at +0xa0000 (dev-gic gicv3.ts); 256 INTIDs: QEMU's
    // GICv3 on virt reports GICD_TYPER.ITLinesNumber 7 (its GICv2 there says 8)
    { name: 'gic0', type: 'gicv3', base: 0x800_0000, size: 0xa_0000 + CPUS * 0x2_0000, params: { irqs: 256, gicrOffset: 0xa_0000 } },
    ...qemuVirtAarch64.devices.filter((d) => d.name !== 'gic0'),
  ],
}
