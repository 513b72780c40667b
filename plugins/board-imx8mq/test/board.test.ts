/**
 * Board imx8mq: CROSSCON's facts for it (reference/platforms.json `imx8mq`, written out here;
 * test/board-platforms.test.ts checks every board against the file itself), and the machine it
 * builds once the plugins it needs are there.
 */
import { describe, expect, it } from 'vitest'
import { colourGeometry } from '../../../core/hypervisor/colours.ts'
import { ARM_TIMER_WIRING, boardMachine, boardUarts, checkGicv3Machine, gicFrames, redistributor } from '../../../test/board-kit.ts'
import { imx8mq } from '../imx8mq.ts'

const GICD = 0x3880_0000, GICR = 0x3888_0000 // the distributor, CPU 0's redistributor

describe('board imx8mq', () => {
  it("has the i.MX 8M Quad EVK: 4 A53s (CROSSCON's description says 1), 3 GiB at 1 GiB, the GIC-500 at 0x38800000, UART1 on INTID 58, an 8.33 MHz counter", () => {
    const b = imx8mq
    expect([b.arch, b.cpus, b.clusters, b.timebaseHz, b.console, b.resetPc]).toEqual(['aarch64', 4, [4], 8_333_333, 'uart0', 0x4020_0000])
    expect(b.memory).toEqual([{ base: 0x4000_0000, size: 0xc000_0000 }])
    expect(gicFrames(b)).toEqual(['gicv3', GICD, GICR, redistributor(GICR, b.cpus)])
    expect(boardUarts(b)).toEqual([
      ['uart0', 'imx-uart', 0x3086_0000, [{ to: 'gic0', input: 58 }]], ['uart1', 'imx-uart', 0x3089_0000, [{ to: 'gic0', input: 59 }]],
    ])
    expect(b.cpuIrqs).toEqual(ARM_TIMER_WIRING)
    // what the pools get: CROSSCON's region rounded up to the page it meant (0xbfffffff → 3 GiB)
    expect(b.reserved?.filter((r) => !r.hypervisor)).toEqual([])
  })

  it("has the Cortex-A53 colours CROSSCON computes: 8 colours of 2 pages", () => {
    expect(colourGeometry(imx8mq.caches)).toEqual({ colorSize: 2, colorNum: 8, pagesPerPeriod: 16 })
  })

  it('builds a machine: a GICv3 with 160 INTIDs and a redistributor per CPU at 0x38880000, the console SPI and timer PPIs reaching the CPUs', async (ctx) => {
    checkGicv3Machine(await boardMachine(ctx, 'imx8mq', 2), { gicd: GICD, gicr: GICR, irqs: 160, console: 'uart0', consoleIrq: 58 })
  })
})
