/**
 * Board cva6: CROSSCON's facts for it (reference/platforms.json `cva6`, written out here;
 * test/board-platforms.test.ts checks every board against the file itself), the SoC device tree's
 * where CROSSCON is silent, and the machine it builds: the UART's receive interrupt through the
 * PLIC to the hart's S-mode external interrupt, the CLINT's software interrupt.
 */
import { describe, expect, it } from 'vitest'
import { colourGeometry } from '../../../core/hypervisor/colours.ts'
import { boardMachine, checkPlicMachine } from '../../../test/board-kit.ts'
import { cva6 } from '../cva6.ts'

const PLIC = 0xc00_0000, UART = 0x1000_0000, CLINT = 0x200_0000

describe('board cva6', () => {
  it("has CROSSCON's CVA6: one hart, RAM from 0x80200000 once OpenSBI's 2 MiB are out, the PLIC at 0xc000000 with 2 contexts, the 16550 at 0x10000000", () => {
    const b = cva6
    expect([b.arch, b.cpus, b.console, b.resetPc, b.timebaseHz]).toEqual(['riscv64', 1, 'uart0', 0x8000_0000, 25_000_000])
    expect(b.memory).toEqual([{ base: 0x8000_0000, size: 0x4000_0000 }])
    expect(b.reserved?.filter((r) => !r.hypervisor)).toEqual([{ base: 0x8000_0000, size: 0x20_0000, what: 'OpenSBI (the firmware)' }])
    expect(b.devices.map((d) => [d.name, d.type, d.base, d.irqs ?? []])).toEqual([
      ['clint0', 'aclint', CLINT, []], ['plic0', 'plic', PLIC, []], ['uart0', 'ns16550', UART, [{ to: 'plic0', input: 1 }]],
    ])
    expect(b.devices.find((d) => d.name === 'uart0')!.params).toEqual({ regShift: 2, regIoWidth: 4 })
  })

  it('has one colour: no shared cache (platforms.json colors.colorNum 1)', () => {
    expect(colourGeometry(cva6.caches).colorNum).toBe(1)
  })

  it("builds a machine: a byte on the UART raises PLIC source 1 at hart 0's S context; the CLINT's MSIP reaches it", async (ctx) => {
    checkPlicMachine(await boardMachine(ctx, 'cva6'), {
      plic: PLIC, clint: CLINT, uart: UART, console: 'uart0', source: 1,
      rxIrqEnable: [[4 * 1, 0x01]], // IER (register 1, 4 bytes apart): received data available
      rxData: 0, // RBR
    })
  })
})
