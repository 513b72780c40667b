/**
 * Board tx2: CROSSCON's facts for it (reference/platforms.json `tx2`, written out here;
 * test/board-platforms.test.ts checks every board against the file itself), and the machine it
 * builds once the plugins it needs are there.
 */
import { describe, expect, it } from 'vitest'
import { colourGeometry } from '../../../core/hypervisor/colours.ts'
import { ARM_TIMER_WIRING, boardMachine, boardUarts, checkGicv2Machine, gicFrames } from '../../../test/board-kit.ts'
import { tx2 } from '../tx2.ts'

const GICD = 0x388_1000, GICC = 0x388_2000, GICH = 0x388_4000, GICV = 0x388_6000

describe('board tx2', () => {
  it("has CROSSCON's Jetson TX2: 6 CPUs in clusters of 2 and 4, 8 GiB at 2 GiB, the GIC-400's 4 KiB frames, UARTA (an 8250, stride 4) on INTID 144", () => {
    const b = tx2
    expect([b.arch, b.cpus, b.clusters, b.timebaseHz, b.console, b.resetPc]).toEqual(['aarch64', 6, [2, 4], 31_250_000, 'uart0', 0xa000_0000])
    expect(b.memory).toEqual([{ base: 0x8000_0000, size: 0x2_0000_0000 }])
    expect(gicFrames(b)).toEqual(['gicv2', GICD, GICC, GICH, GICV])
    expect(boardUarts(b)).toEqual([['uart0', 'ns16550', 0x310_0000, [{ to: 'gic0', input: 144 }]]])
    expect(b.cpuIrqs).toEqual(ARM_TIMER_WIRING)
    // what the pools get: CROSSCON's one region, all of it
    expect(b.reserved?.filter((r) => !r.hypervisor)).toEqual([])
  })

  it("has the Cortex-A57 colours CROSSCON computes: 8 colours of 4 pages", () => {
    expect(colourGeometry(tx2.caches)).toEqual({ colorSize: 4, colorNum: 8, pagesPerPeriod: 32 })
  })

  it('builds a machine: a GIC-400 at 0x03881000 with its CPU interface 4 KiB on, UART SPIs and timer PPIs reaching the CPUs', async (ctx) => {
    checkGicv2Machine(await boardMachine(ctx, 'tx2', 2), { gicd: GICD, gicc: GICC, gich: GICH, irqs: 288, console: 'uart0', consoleIrq: 144 })
  })
})
