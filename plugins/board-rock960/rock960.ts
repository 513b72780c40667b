/**
 * Board plugin: the 96Boards Rock960 (Rockchip RK3399: 4× Cortex-A53 + 2× Cortex-A72, GIC-500).
 * CROSSCON's README lists it, but neither CROSSCON nor platforms.json has a description of it, so
 * every fact here comes from Linux's device tree (arch/arm64/boot/dts/rockchip/rk3399.dtsi,
 * rk3399-rock960.dts and the rk3399-rock960.dtsi it includes) and the RK3399 ports of TF-A and
 * U-Boot; each field says which.
 */
import type { BoardDesc } from '../../core/board.ts'

const CPUS = 6
/** rk3399.dtsi gic: GICD 0xfee00000, GICR 0xfef00000 (0xc0000: 128 KiB for each of the 6 CPUs) */
const GICR_OFFSET = 0x10_0000

export const rock960: BoardDesc = {
  name: 'rock960',
  arch: 'aarch64',
  cpuModel: 'cortex-a53 ×4 + cortex-a72 ×2',
  cpus: CPUS,
  // rk3399.dtsi cpu-map: cluster0 = cpu_l0..l3 (A53, MPIDR 0x0..0x3), cluster1 = cpu_b0..b1 (A72, 0x100, 0x101)
  clusters: [4, 2],
  // the A53 cluster's highest operating point in rk3399-opp.dtsi (1416 MHz); one instruction per cycle
  cpuHz: 1_416_000_000,
  // the system counter runs from the 24 MHz oscillator (rk3399.dtsi xin24m; the armv8-timer node
  // has no clock-frequency, TF-A programs CNTFRQ_EL0 with it)
  timebaseHz: 24_000_000,
  // the Rock960 has 2 GiB (4 GiB on some boards) of LPDDR3 at 0, which the bootloader writes into
  // /memory; RK3399 DRAM ends at 0xf8000000 at most, where PCIe's window starts (rk3399.dtsi)
  memory: [{ base: 0x0, size: 0x8000_0000 }],
  devices: [
    // rk3399.dtsi `gic: interrupt-controller@fee00000`, compatible arm,gic-v3; maintenance
    // interrupt PPI 9 = INTID 25; the ITS at 0xfee20000 is not modelled (reads 0 in the window).
    // The INTID count is not in the device tree: dev-gic's default 288 covers every SPI it uses.
    { name: 'gic0', type: 'gicv3', base: 0xfee0_0000, size: GICR_OFFSET + CPUS * 0x2_0000, params: { gicrOffset: GICR_OFFSET } },
    // the debug console, rk3399.dtsi `uart2: serial@ff1a0000` (compatible snps,dw-apb-uart: a
    // 16550 with reg-shift 2, reg-io-width 4), SPI 100 = INTID 132; rk3399-rock960.dts:
    // stdout-path = "serial2:1500000n8"
    {
      name: 'uart2', type: 'ns16550', base: 0xff1a_0000, size: 0x100,
      irqs: [{ to: 'gic0', input: 132 }], params: { regShift: 2, regIoWidth: 4 },
    },
  ],
  // rk3399.dtsi timer: PPIs 13, 14, 11, 10 = secure physical, NS physical (INTID 30), virtual (27), hyp
  cpuIrqs: [
    { output: 'CNTPNSIRQ', to: 'gic0', input: 30 },
    { output: 'CNTVIRQ', to: 'gic0', input: 27 },
  ],
  console: 'uart2',
  // U-Boot's kernel_addr_r on RK3399 boards (include/configs/rk3399_common.h): where `go` would
  // enter the hypervisor (no public demo documents one for this board)
  resetPc: 0x208_0000,
  // CPU 0 is an A53 (rk3399.dtsi, with the cache properties Linux added in 2024): L2 512 KiB,
  // 512 sets of 64 bytes = 16 ways; L1 D 32 KiB, 128 sets = 4 ways; L1 I 32 KiB, 256 sets = 2 ways,
  // VIPT (Cortex-A53 TRM). §5.1: an LLC way is 32 KiB, an L1 D way 8 KiB: 4 colours of 2 pages.
  caches: {
    llc: { sizeBytes: 512 * 1024, ways: 16, lineBytes: 64 },
    l1d: { sizeBytes: 32 * 1024, ways: 4, lineBytes: 64 },
    l1i: { sizeBytes: 32 * 1024, ways: 2, lineBytes: 64, indexing: 'VIPT' },
    // an estimate, not a measurement: LPDDR3 behind the L2 answers in about 100 ns, 140 cycles at 1.4 GHz
    llcMissCycles: 140,
  },
  reserved: [
    // TF-A's BL31 keeps its DRAM part at 0x40000 (U-Boot's SPL loads it there from the FIT:
    // bl31_0x00040000.bin): the first 2 MiB are kept from the pools as the firmware's
    { base: 0x0, size: 0x20_0000, what: "TF-A's BL31" },
    { base: 0x208_0000, size: 0x20_0000, what: 'the hypervisor image and CPU areas', hypervisor: true },
  ],
}
