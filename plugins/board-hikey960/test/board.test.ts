/**
 * Board hikey960: CROSSCON's facts for it (reference/platforms.json `hikey960`, written out here;
 * test/board-platforms.test.ts checks every board against the file itself), and the machine it
 * builds once the plugins it needs are there.
 */
import { describe, expect, it } from 'vitest'
import { colourGeometry } from '../../../core/hypervisor/colours.ts'
import { ARM_TIMER_WIRING, boardMachine, boardUarts, checkGicv2Machine, gicFrames } from '../../../test/board-kit.ts'
import { hikey960 } from '../hikey960.ts'

const GICD = 0xe82b_1000, GICC = 0xe82b_2000, GICH = 0xe82b_4000, GICV = 0xe82b_6000

describe('board hikey960', () => {
  it("has CROSSCON's HiKey 960: the 4 A53s, 3.5 GiB at 0 and 512 MiB at 8 GiB, the GIC-400's 4 KiB frames, UART6 (a PL011) on INTID 111", () => {
    const b = hikey960
    expect([b.arch, b.cpus, b.clusters, b.timebaseHz, b.console, b.resetPc]).toEqual(['aarch64', 4, undefined, 1_920_000, 'uart6', 0x20_0000])
    expect(b.memory).toEqual([{ base: 0, size: 0xe000_0000 }, { base: 0x2_0000_0000, size: 0x2000_0000 }])
    expect(gicFrames(b)).toEqual(['gicv2', GICD, GICC, GICH, GICV])
    expect(boardUarts(b)).toEqual([['uart6', 'pl011', 0xfff3_2000, [{ to: 'gic0', input: 111 }]]])
    expect(b.cpuIrqs).toEqual(ARM_TIMER_WIRING)
    // what the pools get: CROSSCON's two regions, all of them
    expect(b.reserved?.filter((r) => !r.hypervisor)).toEqual([])
  })

  it("has one colour: the A53 cluster's L2 size is in no source (platforms.json colors: null)", () => {
    expect(colourGeometry(hikey960.caches)).toEqual({ colorSize: 1, colorNum: 1, pagesPerPeriod: 1 })
  })

  it('builds a machine: a GIC-400 at 0xe82b1000 with its CPU interface 4 KiB on, UART SPIs and timer PPIs reaching the CPUs', async (ctx) => {
    checkGicv2Machine(await boardMachine(ctx, 'hikey960', 2), { gicd: GICD, gicc: GICC, gich: GICH, irqs: 288, console: 'uart6', consoleIrq: 111 })
  })
})
