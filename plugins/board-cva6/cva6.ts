/**
 * Board plugin: the CVA6 (Ariane) RV64 core with the hypervisor extension on its FPGA SoC (the
 * Genesys 2 design of openhwgroup/cva6), as CROSSCON describes it (reference/platforms.json
 * `cva6`, CROSSCON-Hypervisor src/platform/cva6/: one hart, RAM from 0x80200000, console UART
 * 0x10000000, PLIC 0xc000000 with 2 contexts). Where that description is silent, the facts are
 * the SoC's device tree (openhwgroup/cva6 corev_apu/fpga/src/bootrom/cv64a6.dts): 1 GiB of DDR3 at
 * 0x80000000, CLINT 0x2000000, PLIC sources (riscv,ndev 30), the UART's interrupt, the clocks.
 *
 * The UART: cv64a6.dts has a 16550 at 0x10000000 with reg-shift 2 and reg-io-width 4. CROSSCON's
 * platform.h adds UART8250_PAGE_OFFSET 0x40 (its driver writes at 0x10000040 + 4·reg); the
 * device tree and Linux drive the registers at 0x10000000, which is where they are here.
 * Boot: the BootROM loads OpenSBI's FW_PAYLOAD to 0x80000000; CROSSCON's region starts 2 MiB in.
 * CVA6 has no shared cache level (platforms.json `llc: null`): one colour.
 */
import type { BoardDesc } from '../../core/board.ts'

export const cva6: BoardDesc = {
  name: 'cva6',
  arch: 'riscv64',
  cpuModel: 'cva6 (rv64gc + H)',
  cpus: 1,
  // cv64a6.dts cpu clock-frequency (50 MHz); one instruction per cycle
  cpuHz: 50_000_000,
  // cv64a6.dts timebase-frequency
  timebaseHz: 25_000_000,
  memory: [{ base: 0x8000_0000, size: 0x4000_0000 }],
  devices: [
    { name: 'clint0', type: 'aclint', base: 0x200_0000, size: 0xc_0000 },
    // riscv,ndev 30 (ids 1..30); contexts M then S of hart 0 (CROSSCON: PLIC_PLAT_CNTXT_NUM 2)
    { name: 'plic0', type: 'plic', base: 0xc00_0000, size: 0x400_0000, params: { sources: 31 } },
    {
      name: 'uart0', type: 'ns16550', base: 0x1000_0000, size: 0x1000,
      irqs: [{ to: 'plic0', input: 1 }], params: { regShift: 2, regIoWidth: 4 },
    },
  ],
  console: 'uart0',
  resetPc: 0x8000_0000,
  reserved: [
    { base: 0x8000_0000, size: 0x20_0000, what: 'OpenSBI (the firmware)' },
    { base: 0x8020_0000, size: 0x20_0000, what: 'the hypervisor image and CPU areas', hypervisor: true },
  ],
}
