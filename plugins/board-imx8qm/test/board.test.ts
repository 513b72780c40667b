/**
 * Board imx8qm: CROSSCON's facts for it (reference/platforms.json `imx8qm`, written out here;
 * test/board-platforms.test.ts checks every board against the file itself), and the machine it
 * builds once the plugins it needs are there.
 */
import { describe, expect, it } from 'vitest'
import { colourGeometry } from '../../../core/hypervisor/colours.ts'
import { ARM_TIMER_WIRING, boardMachine, boardUarts, checkGicv3Machine, gicFrames, redistributor } from '../../../test/board-kit.ts'
import { imx8qm } from '../imx8qm.ts'

const GICD = 0x51a0_0000, GICR = 0x51b0_0000 // the distributor, CPU 0's redistributor

describe('board imx8qm', () => {
  it("has CROSSCON's i.MX 8QM: 6 CPUs in clusters of 4 A53s and 2 A72s, DDR at 2 GiB and 32 GiB, the GIC-500's distributor and redistributors, LPUART0 on INTID 377, an 8 MHz counter", () => {
    const b = imx8qm
    expect([b.arch, b.cpus, b.clusters, b.timebaseHz, b.console, b.resetPc]).toEqual(['aarch64', 6, [4, 2], 8_000_000, 'uart0', 0x8020_0000])
    expect(b.memory).toEqual([{ base: 0x8000_0000, size: 0x8000_0000 }, { base: 0x8_0000_0000, size: 0x1_0000_0000 }])
    expect(gicFrames(b)).toEqual(['gicv3', GICD, GICR, redistributor(GICR, b.cpus)])
    expect(boardUarts(b)).toEqual([
      ['uart0', 'lpuart', 0x5a06_0000, [{ to: 'gic0', input: 377 }]], ['uart1', 'lpuart', 0x5a07_0000, [{ to: 'gic0', input: 378 }]],
    ])
    expect(b.cpuIrqs).toEqual(ARM_TIMER_WIRING)
    // what the pools get: CROSSCON's regions (TF-A's first 128 KiB kept out)
    expect(b.reserved?.filter((r) => !r.hypervisor)).toEqual([{ base: 0x8000_0000, size: 0x2_0000, what: "TF-A's BL31" }])
  })

  it("has the A53 cluster's colours CROSSCON computes: 8 colours of 2 pages", () => {
    expect(colourGeometry(imx8qm.caches)).toEqual({ colorSize: 2, colorNum: 8, pagesPerPeriod: 16 })
  })

  it('builds a machine: a GICv3 with 512 INTIDs and a redistributor per CPU at 0x51b00000, the console SPI and timer PPIs reaching the CPUs', async (ctx) => {
    checkGicv3Machine(await boardMachine(ctx, 'imx8qm', 2), { gicd: GICD, gicr: GICR, irqs: 512, console: 'uart0', consoleIrq: 377 })
  })
})
