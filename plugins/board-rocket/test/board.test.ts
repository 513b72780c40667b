/**
 * Board rocket: Chipyard's facts for it (platforms.json has no rocket: the data file cites
 * Chipyard's configs), and the machine it builds once dev-sifive-uart is there: the UART's
 * receive interrupt through the PLIC to the hart's S-mode external interrupt.
 */
import { describe, expect, it } from 'vitest'
import { colourGeometry } from '../../../core/hypervisor/colours.ts'
import { boardMachine, checkPlicMachine } from '../../../test/board-kit.ts'
import { rocket } from '../rocket.ts'

const PLIC = 0xc00_0000, UART = 0x6400_0000, CLINT = 0x200_0000

describe('board rocket', () => {
  it("has Chipyard's FPGA Rocket SoC: one hart, 2 GiB at 0x80000000, CLINT 0x2000000, PLIC 0xc000000, the SiFive UART at 0x64000000 on source 1, a 1 MHz timebase", () => {
    const b = rocket
    expect([b.arch, b.cpus, b.console, b.resetPc, b.cpuHz, b.timebaseHz]).toEqual(['riscv64', 1, 'uart0', 0x8000_0000, 100_000_000, 1_000_000])
    expect(b.memory).toEqual([{ base: 0x8000_0000, size: 0x8000_0000 }])
    expect(b.devices.map((d) => [d.name, d.type, d.base, d.size, d.irqs ?? []])).toEqual([
      ['clint0', 'aclint', CLINT, 0x1_0000, []], ['plic0', 'plic', PLIC, 0x400_0000, []],
      ['uart0', 'sifive-uart', UART, 0x1000, [{ to: 'plic0', input: 1 }]],
    ])
  })

  it("has 16 colours of one page by §5.1's maths: a 512 KiB 8-way L2 over 16 KiB 4-way L1s", () => {
    expect(colourGeometry(rocket.caches)).toEqual({ colorSize: 1, colorNum: 16, pagesPerPeriod: 16 })
  })

  it("builds a machine: a byte on the UART raises PLIC source 1 at hart 0's S context; the CLINT's MSIP reaches it", async (ctx) => {
    checkPlicMachine(await boardMachine(ctx, 'rocket'), {
      plic: PLIC, clint: CLINT, uart: UART, console: 'uart0', source: 1,
      // rxctrl.rxen, watermark 0; ie.rxwm: an interrupt while the receive FIFO holds more than 0 bytes (SiFive UART, FU540 manual ch. 13)
      rxIrqEnable: [[0x0c, 1], [0x10, 1 << 1]],
      rxData: 0x04, // rxdata
    })
  })
})
