/**
 * Board plugin: the Xilinx ZCU104 (Zynq UltraScale+ MPSoC ZU7EV: 4× Cortex-A53) as CROSSCON
 * describes it (reference/platforms.json `zcu104`, CROSSCON-Hypervisor
 * src/platform/zcu104/zcu104_desc.c) and bao-demos boots it (platforms/zcu104: U-Boot's `bootm`
 * enters the hypervisor at 0x200000). The PS is the ZCU102's (board-zcu102/zcu102.ts: GIC-400,
 * Cadence UARTs, timer, A53 caches); what differs is the RAM: 2 GiB of DDR4 at 0, of which
 * CROSSCON's description leaves out the first 512 KiB and the top 600 KiB.
 */
import type { BoardDesc } from '../../core/board.ts'
import { zcu102 } from '../board-zcu102/zcu102.ts'

export const zcu104: BoardDesc = {
  ...zcu102,
  name: 'zcu104',
  memory: [{ base: 0x0, size: 0x8000_0000 }],
  reserved: [
    { base: 0x20_0000, size: 0x20_0000, what: 'the hypervisor image and CPU areas', hypervisor: true },
    // CROSSCON's region is 0x80000 + 0x7feea000 (platforms.json): what lies outside it is the firmware's
    { base: 0x0, size: 0x8_0000, what: "the firmware's (outside CROSSCON's zcu104 region)" },
    { base: 0x7ff6_a000, size: 0x9_6000, what: "TF-A's BL31 (outside CROSSCON's zcu104 region)" },
  ],
}
