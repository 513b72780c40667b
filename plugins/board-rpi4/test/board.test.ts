/**
 * Board rpi4: CROSSCON's facts for it (reference/platforms.json `rpi4`, written out here;
 * test/board-platforms.test.ts checks every board against the file itself), and the machine it
 * builds once the plugins it needs are there.
 */
import { describe, expect, it } from 'vitest'
import { colourGeometry } from '../../../core/hypervisor/colours.ts'
import { ARM_TIMER_WIRING, boardMachine, boardUarts, checkGicv2Machine, gicFrames } from '../../../test/board-kit.ts'
import { rpi4 } from '../rpi4.ts'

const GICD = 0xff84_1000, GICC = 0xff84_2000, GICH = 0xff84_4000, GICV = 0xff84_6000

describe('board rpi4', () => {
  it("has CROSSCON's Raspberry Pi 4: 4 A72s, RAM from 0x80000 to the peripherals, the GIC-400's 4 KiB frames, the AUX mini UART on INTID 125, a 54 MHz counter", () => {
    const b = rpi4
    expect([b.arch, b.cpus, b.clusters, b.timebaseHz, b.console, b.resetPc]).toEqual(['aarch64', 4, [4], 54_000_000, 'uart0', 0x20_0000])
    expect(b.memory).toEqual([{ base: 0x8_0000, size: 0xfc00_0000 - 0x8_0000 }])
    expect(gicFrames(b)).toEqual(['gicv2', GICD, GICC, GICH, GICV])
    expect(boardUarts(b)).toEqual([
      ['uart0', 'bcm2835-aux-uart', 0xfe21_5000, [{ to: 'gic0', input: 125 }]], ['uart1', 'pl011', 0xfe20_1000, [{ to: 'gic0', input: 153 }]],
    ])
    expect(b.cpuIrqs).toEqual(ARM_TIMER_WIRING)
    // CROSSCON's region 0x80000 + 4 GiB stops at the peripherals (0xfc000000); the VideoCore's 76 MiB are kept out
    expect(b.reserved?.filter((r) => !r.hypervisor)).toEqual([{ base: 0x3b40_0000, size: 0x4c0_0000, what: "the VideoCore's memory (gpu_mem)" }])
  })

  it("has the Cortex-A72 colours CROSSCON computes: 4 colours of 4 pages (the PIPT L1 I decides)", () => {
    expect(colourGeometry(rpi4.caches)).toEqual({ colorSize: 4, colorNum: 4, pagesPerPeriod: 16 })
  })

  it('builds a machine: a GIC-400 at 0xff841000 with its CPU interface 4 KiB on, UART SPIs and timer PPIs reaching the CPUs', async (ctx) => {
    checkGicv2Machine(await boardMachine(ctx, 'rpi4', 2), { gicd: GICD, gicc: GICC, gich: GICH, irqs: 288, console: 'uart0', consoleIrq: 125 })
  })
})
