/**
 * Board plugin: the Avnet Ultra96 (Zynq UltraScale+ MPSoC ZU3EG: 4× Cortex-A53) as CROSSCON
 * describes it (reference/platforms.json `ultra96`, CROSSCON-Hypervisor
 * src/platform/ultra96/ultra96_desc.c). The PS is the ZCU102's (board-zcu102/zcu102.ts: GIC-400,
 * Cadence UARTs, timer, A53 caches); what differs: 2 GiB of LPDDR4 at 0, of which CROSSCON's two
 * regions (0 + 1 MiB, 0x100000 + 0x7fe00000) leave out the top 1 MiB, and the console is UART1
 * (UART0 goes to the Wi-Fi/Bluetooth module). No public demo documents where the hypervisor is
 * loaded: it is the same Xilinx boot flow as the ZCU10x, so it is taken as theirs (0x200000).
 */
import type { BoardDesc } from '../../core/board.ts'
import { zcu102 } from '../board-zcu102/zcu102.ts'

export const ultra96: BoardDesc = {
  ...zcu102,
  name: 'ultra96',
  memory: [{ base: 0x0, size: 0x8000_0000 }],
  // UART1 at 0xff010000, SPI 22 = INTID 54 (platforms.json, from zynqmp.dtsi)
  console: 'uart1',
  reserved: [
    { base: 0x20_0000, size: 0x20_0000, what: 'the hypervisor image and CPU areas', hypervisor: true },
    { base: 0x7ff0_0000, size: 0x10_0000, what: "the firmware's (outside CROSSCON's ultra96 regions)" },
  ],
}
