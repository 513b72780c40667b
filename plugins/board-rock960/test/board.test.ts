/**
 * Board rock960: the RK3399 facts its data file cites (platforms.json has no rock960), and the
 * machine it builds: a GIC-500 and a DesignWare UART, whose receive interrupt reaches a CPU.
 */
import { describe, expect, it } from 'vitest'
import { colourGeometry } from '../../../core/hypervisor/colours.ts'
import { ARM_TIMER_WIRING, boardMachine, boardUarts, checkGicv3Machine, gicFrames, redistributor } from '../../../test/board-kit.ts'
import type { A64Cpu } from '../../arch-aarch64/cpu.ts'
import { gicCpuInterface } from '../../dev-gic/lookup.ts'
import { rock960 } from '../rock960.ts'

const GICD = 0xfee0_0000, GICR = 0xfef0_0000 // the distributor, CPU 0's redistributor

describe('board rock960', () => {
  it("has the RK3399's facts from Linux's rk3399.dtsi: 6 CPUs in clusters of 4 A53s and 2 A72s, the GIC-500 at 0xfee00000, UART2 (a DesignWare 16550) on INTID 132, a 24 MHz counter", () => {
    const b = rock960
    expect([b.arch, b.cpus, b.clusters, b.timebaseHz, b.console, b.resetPc]).toEqual(['aarch64', 6, [4, 2], 24_000_000, 'uart2', 0x208_0000])
    expect(b.memory).toEqual([{ base: 0, size: 0x8000_0000 }])
    expect(gicFrames(b)).toEqual(['gicv3', GICD, GICR, redistributor(GICR, b.cpus)])
    expect(boardUarts(b)).toEqual([['uart2', 'ns16550', 0xff1a_0000, [{ to: 'gic0', input: 132 }]]])
    expect(b.cpuIrqs).toEqual(ARM_TIMER_WIRING)
    // TF-A's first 2 MiB are kept out (no CROSSCON description to compare with)
    expect(b.reserved?.filter((r) => !r.hypervisor)).toEqual([{ base: 0x0, size: 0x20_0000, what: "TF-A's BL31" }])
  })

  it("has the A53 cluster's colours by §5.1's maths: 4 colours of 2 pages (512 KiB 16-way L2, 8 KiB L1 D way)", () => {
    expect(colourGeometry(rock960.caches)).toEqual({ colorSize: 2, colorNum: 4, pagesPerPeriod: 8 })
  })

  it('builds a machine: a GICv3 with a redistributor per CPU at 0xfef00000, the console SPI and timer PPIs reaching the CPUs', async (ctx) => {
    checkGicv3Machine(await boardMachine(ctx, 'rock960', 2), { gicd: GICD, gicr: GICR, irqs: 288, console: 'uart2', consoleIrq: 132 })
  })

  it("takes a byte on UART2 (16550 registers 4 bytes apart) and raises its SPI 100 at CPU 1", async (ctx) => {
    const m = await boardMachine(ctx, 'rock960', 2)
    const { bus } = m
    const cpus = m.cpus as A64Cpu[]
    const icc = gicCpuInterface(bus)
    const UART = 0xff1a_0000
    bus.write32(GICD, 0x12)
    bus.write32(redistributor(GICR, 1) + 0x14, 0) // GICR_WAKER
    icc.writeSysreg(1, 'ICC_PMR_EL1', 0xffn)
    icc.writeSysreg(1, 'ICC_IGRPEN1_EL1', 1n)
    bus.write32(GICD + 0x80 + 4 * 4, 1 << (132 - 128)) // GICD_IGROUPR4
    bus.write32(GICD + 0x6000 + 8 * 132, 1) // GICD_IROUTER<132>: CPU 1
    bus.write32(GICD + 0x100 + 4 * 4, 1 << (132 - 128)) // GICD_ISENABLER4
    bus.write32(UART + 4 * 1, 0x01) // IER (register 1, at +4): received data available
    m.serial('uart2').send('x')
    expect([cpus[0]!.irqIn, cpus[1]!.irqIn]).toEqual([false, true])
    expect(icc.readSysreg(1, 'ICC_IAR1_EL1')).toBe(132n)
    expect(bus.read32(UART) & 0xff).toBe(0x78) // RBR
  })
})
