/**
 * Board plugin: a Rocket core with the hypervisor extension on Chipyard's FPGA prototype SoC.
 * CROSSCON's README lists "rocket" but has no description of it; the facts are Chipyard's
 * (ucb-bar/chipyard):
 * - `RocketConfig` (one Rocket "big core") over `AbstractConfig`, with rocket-chip's `WithHypervisor`
 *   for the H extension, as Bao's own Rocket build adds it (bao-demos platforms/rocket-fpga-common);
 * - the memory map rocket-chip gives every such SoC: BootROM 0x10000, CLINT 0x2000000 (64 KiB),
 *   PLIC 0xc000000 (64 MiB), DRAM at 0x80000000;
 * - the FPGA prototype's peripherals (fpga/src/main/scala/vcu118/Configs.scala
 *   `WithDefaultPeripherals`): the SiFive UART at 0x64000000 (and SPI for the SD card at
 *   0x64001000, not modelled); `WithSystemModifications`: 1 MHz timebase, DDR of the board's size
 *   (the VCU118's 2 GiB); `WithFPGAFrequency(100)`: 100 MHz. (The simulation default,
 *   `chipyard.config.WithUART`, puts the UART at 0x10020000 instead.)
 * Boot as on Bao's Rocket FPGA demo: the BootROM enters DRAM at 0x80000000, where OpenSBI's
 * FW_PAYLOAD runs with the hypervisor as its payload 2 MiB above.
 */
import type { BoardDesc } from '../../core/board.ts'

export const rocket: BoardDesc = {
  name: 'rocket',
  arch: 'riscv64',
  cpuModel: 'rocket (rv64gc + H)',
  // RocketConfig: WithNBigCores(1)
  cpus: 1,
  // WithFPGAFrequency(100); one instruction per cycle
  cpuHz: 100_000_000,
  // the VCU118 config's DTSTimebase: 1 MHz
  timebaseHz: 1_000_000,
  memory: [{ base: 0x8000_0000, size: 0x8000_0000 }],
  devices: [
    { name: 'clint0', type: 'aclint', base: 0x200_0000, size: 0x1_0000 },
    // rocket-chip numbers PLIC sources in the order devices join the interrupt bus: the UART is 1,
    // the SPI 2 (riscv,ndev = 2 in the generated device tree); contexts M then S per hart
    { name: 'plic0', type: 'plic', base: 0xc00_0000, size: 0x400_0000, params: { sources: 3 } },
    { name: 'uart0', type: 'sifive-uart', base: 0x6400_0000, size: 0x1000, irqs: [{ to: 'plic0', input: 1 }] },
  ],
  console: 'uart0',
  resetPc: 0x8000_0000,
  // Chipyard's defaults: rocket-chip-inclusive-cache L2 (WithInclusiveCache: 512 KiB, 8 ways,
  // 64-byte blocks), Rocket's L1 D and I (64 sets × 4 ways × 64 bytes = 16 KiB each; the I-cache
  // is virtually indexed, its 4 KiB way within a page). §5.1: an LLC way is 64 KiB, the L1 D way
  // one page: 16 colours of 1 page.
  caches: {
    llc: { sizeBytes: 512 * 1024, ways: 8, lineBytes: 64 },
    l1d: { sizeBytes: 16 * 1024, ways: 4, lineBytes: 64 },
    l1i: { sizeBytes: 16 * 1024, ways: 4, lineBytes: 64, indexing: 'VIPT' },
    // WithInclusiveCache's outerLatencyCycles (40): what it allows a miss to memory
    llcMissCycles: 40,
  },
  reserved: [
    { base: 0x8000_0000, size: 0x20_0000, what: 'OpenSBI (the firmware)' },
    { base: 0x8020_0000, size: 0x20_0000, what: 'the hypervisor image and CPU areas', hypervisor: true },
  ],
}
