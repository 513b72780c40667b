/**
 * Board ultra96: CROSSCON's facts for it (reference/platforms.json `ultra96`, written out here;
 * test/board-platforms.test.ts checks every board against the file itself), and the machine it
 * builds once the plugins it needs are there.
 */
import { describe, expect, it } from 'vitest'
import { colourGeometry } from '../../../core/hypervisor/colours.ts'
import { ARM_TIMER_WIRING, boardMachine, boardUarts, checkGicv2Machine, gicFrames } from '../../../test/board-kit.ts'
import { ultra96 } from '../ultra96.ts'

const GICD = 0xf901_0000, GICC = 0xf902_f000, GICH = 0xf904_0000, GICV = 0xf906_f000

describe('board ultra96', () => {
  it("has CROSSCON's Ultra96: 4 A53s, 2 GiB at 0, the ZynqMP GIC-400, UART1 on INTID 54 as the console, a 100 MHz counter", () => {
    const b = ultra96
    expect([b.arch, b.cpus, b.clusters, b.timebaseHz, b.console, b.resetPc]).toEqual(['aarch64', 4, [4], 100_000_000, 'uart1', 0x20_0000])
    expect(b.memory).toEqual([{ base: 0, size: 0x8000_0000 }])
    expect(gicFrames(b)).toEqual(['gicv2', GICD, GICC, GICH, GICV])
    expect(boardUarts(b)).toEqual([
      ['uart0', 'cdns-uart', 0xff00_0000, [{ to: 'gic0', input: 53 }]], ['uart1', 'cdns-uart', 0xff01_0000, [{ to: 'gic0', input: 54 }]],
    ])
    expect(b.cpuIrqs).toEqual(ARM_TIMER_WIRING)
    // what the pools get: CROSSCON's 0 + 1 MiB and 0x100000 + 0x7fe00000
    expect(b.reserved?.filter((r) => !r.hypervisor)).toEqual([{ base: 0x7ff0_0000, size: 0x10_0000, what: "the firmware's (outside CROSSCON's ultra96 regions)" }])
  })

  it("has the Cortex-A53 colours CROSSCON computes: 8 colours of 2 pages", () => {
    expect(colourGeometry(ultra96.caches)).toEqual({ colorSize: 2, colorNum: 8, pagesPerPeriod: 16 })
  })

  it('builds a machine: a GIC-400 with 192 INTIDs whose CPU interface is at 0xf902f000, UART SPIs and timer PPIs reaching the CPUs', async (ctx) => {
    checkGicv2Machine(await boardMachine(ctx, 'ultra96', 2), { gicd: GICD, gicc: GICC, gich: GICH, irqs: 192, console: 'uart1', consoleIrq: 54 })
  })
})
