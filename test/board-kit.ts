/**
 * What every board plugin's machine test checks (plugins/board-<name>/test/board.test.ts), once:
 * the machine a board builds, and what a board of one interrupt controller must show: a GICv2's
 * or GICv3's INTID count and frames, the console's SPI reaching the CPU it targets, a CPU's
 * virtual timer PPI; a RISC-V board's UART interrupt through the PLIC and the CLINT's software
 * interrupt. The board's own facts (addresses, UARTs, wiring, reservations, colours) stay in its
 * test, read through the helpers below. The kit is here, not in plugins/, because every folder
 * there loads as a plugin.
 */
import { expect, type TestContext } from 'vitest'
import type { BoardDesc, CpuIrqWire } from '../core/board.ts'
import { Machine } from '../core/machine.ts'
import { PluginError, PluginHost } from '../core/plugins.ts'
import type { A64Cpu } from '../plugins/arch-aarch64/cpu.ts'
import { IRQ } from '../plugins/arch-riscv64/csr-defs.ts'
import type { RiscvHart } from '../plugins/arch-riscv64/hart.ts'
import { gicCpuInterface } from '../plugins/dev-gic/lookup.ts'

/** the generic timer's virtual timer PPI (GIC binding: PPI 11) */
const CNTV_PPI = 27
/** the byte the console tests receive */
const BYTE = 'x'

/** How every Arm board wires the generic timer: the non-secure physical timer to PPI 14, the virtual one to PPI 11. */
export const ARM_TIMER_WIRING: CpuIrqWire[] = [{ output: 'CNTPNSIRQ', to: 'gic0', input: 30 }, { output: 'CNTVIRQ', to: 'gic0', input: CNTV_PPI }]

/** A board's UARTs as [name, type, base, irqs], for its facts test. */
export function boardUarts(b: BoardDesc): unknown[][] {
  return b.devices.filter((d) => d.name.startsWith('uart')).map((d) => [d.name, d.type, d.base, d.irqs])
}

/**
 * A board's gic0 as addresses, for its facts test: a GICv2's type, GICD, GICC, GICH, GICV; a
 * GICv3's type, GICD, CPU 0's redistributor and the end of the window (the last CPU's).
 */
export function gicFrames(b: BoardDesc): (string | number)[] {
  const gic = b.devices.find((d) => d.name === 'gic0')!
  const p = gic.params as Record<string, number>
  return gic.type === 'gicv3'
    ? [gic.type, gic.base, gic.base + p.gicrOffset!, gic.base + gic.size]
    : [gic.type, gic.base, gic.base + p.giccOffset!, gic.base + p.gichOffset!, gic.base + p.gicvOffset!]
}

/**
 * Board `name`'s machine with `cpus` CPUs (the board's count when not given), or the test skipped
 * naming the plugin the board requires that is not there yet (an unknown board still fails).
 */
export async function boardMachine(ctx: TestContext, name: string, cpus?: number): Promise<Machine> {
  const host = new PluginHost()
  const board = await host.loadBoard(name).catch((e: unknown) => {
    if (e instanceof PluginError && /no plugin of that name/.test(e.message)) ctx.skip(`blocked: ${e.message}`)
    throw e
  })
  return new Machine(board, host.archs.get(board.arch)!, host, cpus === undefined ? {} : { cpus })
}

/** What a board with a GICv2 must show: its frames' addresses, the INTIDs it has, the console's name and SPI. */
export interface Gicv2Facts {
  gicd: number
  gicc: number
  gich: number
  /** INTIDs the distributor implements (GICD_TYPER.ITLinesNumber is irqs / 32 - 1) */
  irqs: number
  console: string
  consoleIrq: number
}

/**
 * A two-CPU machine's GICv2 (GIC-400): GICD_TYPER, GICC_IIDR, GICH_VTR; the console's SPI
 * targeted at CPU 1 reaches only CPU 1; CPU 0's virtual timer reaches CPU 0 as its PPI.
 */
export function checkGicv2Machine(m: Machine, f: Gicv2Facts): void {
  const { bus } = m
  const cpus = m.cpus as A64Cpu[]
  const { gicd, gicc, consoleIrq: spi } = f
  expect(bus.read32(gicd + 4) & 0x1f).toBe(f.irqs / 32 - 1) // GICD_TYPER.ITLinesNumber
  expect(bus.read(gicc + 0xfc, 4, 0)).toBe(0x0002_043b) // GICC_IIDR: the GIC-400's
  expect(bus.read(f.gich + 4, 4, 1)).toBe(0x9000_0003) // GICH_VTR: the virtualization frame is there, four list registers
  expect(m.consoles.has(f.console)).toBe(true)
  bus.write32(gicd, 1) // GICD_CTLR.EnableGrp0
  for (const c of [0, 1]) bus.write(gicc, 4, 1, c), bus.write(gicc + 4, 4, 0xff, c) // GICC_CTLR, GICC_PMR
  // the console's SPI targeted at CPU 1, raised on the GIC input the board wires it to
  bus.write32(gicd + 0x100 + 4 * (spi >> 5), 1 << (spi & 31)) // GICD_ISENABLERn
  bus.write8(gicd + 0x800 + spi, 0b10) // GICD_ITARGETSR: CPU 1
  m.devices.get('gic0')!.device.irqInput!(spi).set(true)
  expect([cpus[0]!.irqIn, cpus[1]!.irqIn]).toEqual([false, true])
  expect(bus.read(gicc + 0x0c, 4, 1)).toBe(spi) // GICC_IAR
  // CPU 0's virtual timer → its PPI
  bus.write(gicd + 0x100, 4, 1 << CNTV_PPI, 0) // GICD_ISENABLER0, banked per CPU
  cpus[0]!.timerOut.virt.set(true)
  expect(cpus[0]!.irqIn).toBe(true)
  expect(bus.read(gicc + 0x0c, 4, 0)).toBe(CNTV_PPI)
}

/** CPU c's redistributor (RD_base) in a GICv3 whose first one is at `gicr`: RD_base and SGI_base, 64 KiB each, per CPU. */
export function redistributor(gicr: number, c: number): number {
  return gicr + 0x2_0000 * c
}

/** What a board with a GICv3 must show: the distributor's and the first redistributor's address, the INTIDs, the console's name and SPI. */
export interface Gicv3Facts {
  gicd: number
  gicr: number
  /** INTIDs the distributor implements (GICD_TYPER.ITLinesNumber is irqs / 32 - 1) */
  irqs: number
  console: string
  consoleIrq: number
}

/**
 * A two-CPU machine's GICv3 (GIC-500): GICD_TYPER, GICR_TYPER.Last on CPU 1's redistributor; the
 * console's SPI routed to CPU 1 reaches only CPU 1; CPU 0's virtual timer reaches CPU 0 as its PPI.
 */
export function checkGicv3Machine(m: Machine, f: Gicv3Facts): void {
  const { bus } = m
  const cpus = m.cpus as A64Cpu[]
  const icc = gicCpuInterface(bus)
  const { gicd, consoleIrq: spi } = f
  const rd = (c: number): number => redistributor(f.gicr, c), sgi = (c: number): number => rd(c) + 0x1_0000
  expect(bus.read32(gicd + 4) & 0x1f).toBe(f.irqs / 32 - 1) // GICD_TYPER.ITLinesNumber
  expect((bus.read32(rd(1) + 8) >> 4) & 1).toBe(1) // GICR_TYPER.Last on the second (last) CPU's redistributor
  expect(m.consoles.has(f.console)).toBe(true)
  bus.write32(gicd, 0x12) // GICD_CTLR: ARE, EnableGrp1
  for (const c of [0, 1]) {
    bus.write32(rd(c) + 0x14, 0) // GICR_WAKER: awake
    bus.write32(sgi(c) + 0x80, 0xffff_ffff) // GICR_IGROUPR0: group 1
    icc.writeSysreg(c, 'ICC_PMR_EL1', 0xffn)
    icc.writeSysreg(c, 'ICC_IGRPEN1_EL1', 1n)
  }
  // the console's SPI, group 1, routed to CPU 1, raised on the GIC input the board wires it to
  const word = 4 * (spi >> 5), bit = 1 << (spi & 31)
  bus.write32(gicd + 0x80 + word, bit) // GICD_IGROUPRn
  bus.write32(gicd + 0x6000 + 8 * spi, 1) // GICD_IROUTER: affinity 0.0.0.1
  bus.write32(gicd + 0x100 + word, bit) // GICD_ISENABLERn
  m.devices.get('gic0')!.device.irqInput!(spi).set(true)
  expect([cpus[0]!.irqIn, cpus[1]!.irqIn]).toEqual([false, true])
  expect(icc.readSysreg(1, 'ICC_IAR1_EL1')).toBe(BigInt(spi))
  // CPU 0's virtual timer → its PPI, enabled in its redistributor
  bus.write32(sgi(0) + 0x100, 1 << CNTV_PPI) // GICR_ISENABLER0
  cpus[0]!.timerOut.virt.set(true)
  expect(cpus[0]!.irqIn).toBe(true)
  expect(icc.readSysreg(0, 'ICC_IAR1_EL1')).toBe(BigInt(CNTV_PPI))
}

/** What a RISC-V board with a PLIC and a CLINT must show, and how its console UART is made to interrupt on a received byte. */
export interface PlicFacts {
  plic: number
  clint: number
  uart: number
  console: string
  /** the console UART's PLIC source */
  source: number
  /** the register writes (offset from the UART, value) that enable its receive interrupt */
  rxIrqEnable: [offset: number, value: number][]
  /** the receive data register's offset */
  rxData: number
}

/**
 * Hart 0's S-mode external interrupt from a byte on the console UART through the PLIC (context 1:
 * claim, the byte read, complete), and its machine software interrupt from the CLINT's MSIP.
 */
export function checkPlicMachine(m: Machine, f: PlicFacts): void {
  const { bus } = m
  const hart = m.cpus[0] as RiscvHart
  const { plic, source } = f
  const claim = plic + 0x20_0004 + 0x1000 * 1 // context 1's claim/complete
  expect(m.consoles.has(f.console)).toBe(true)
  bus.write32(plic + 4 * source, 1) // the source's priority
  bus.write32(plic + 0x2000 + 0x80 * 1 + 4 * (source >> 5), 1 << (source & 31)) // context 1 (hart 0, S-mode) enables it
  for (const [offset, value] of f.rxIrqEnable) bus.write32(f.uart + offset, value)
  m.serial(f.console).send(BYTE)
  expect(hart.hwIrq & IRQ.SEI).toBe(IRQ.SEI)
  expect(bus.read32(claim)).toBe(source)
  expect(bus.read32(f.uart + f.rxData) & 0xff).toBe(BYTE.charCodeAt(0))
  bus.write32(claim, source) // complete
  expect(hart.hwIrq & IRQ.SEI).toBe(0)
  bus.write32(f.clint, 1) // msip of hart 0
  expect(hart.hwIrq & IRQ.MSI).toBe(IRQ.MSI)
}
