/**
 * SiFive's test finisher as QEMU models it (hw/misc/sifive_test.c): a 32-bit write at offset 0
 * whose low 16 bits say what to do and whose high 16 bits carry the exit code on failure.
 */
import type { Device, DeviceContext, MachineControl } from '../../core/device.ts'
import { Registers } from '../../core/regs.ts'
import { checkState } from '../../core/state-check.ts'
import { z } from 'zod'

export const FINISHER_FAIL = 0x3333
export const FINISHER_PASS = 0x5555
export const FINISHER_RESET = 0x7777

export class SifiveTest implements Device {
  private readonly regs: Registers

  constructor(ctx: DeviceContext) {
    const machine: MachineControl = ctx.machine
    this.regs = new Registers([
      {
        // write-only: reads fall through to 0, as in QEMU
        name: 'finisher', offset: 0, access: 'w', mask: 0,
        write: (_v, _o, w) => {
          const status = w & 0xffff
          if (status === FINISHER_PASS) machine.poweroff(0)
          else if (status === FINISHER_FAIL) machine.poweroff(w >>> 16)
          else if (status === FINISHER_RESET) machine.reset()
          // other values: QEMU logs a guest error and carries on
        },
      },
    ])
  }

  read(offset: number, size: number): number {
    return this.regs.read(offset, size)
  }

  write(offset: number, size: number, value: number): void {
    this.regs.write(offset, size, value)
  }

  reset(): void {
    this.regs.reset()
  }

  snapshot(): unknown {
    return {}
  }

  /** nothing is kept (the finisher is write-only): the state is an empty object */
  checkState(state: unknown): void {
    checkState(z.object({}).strict(), state)
  }

  restore(state: unknown): void {
    this.checkState(state)
  }
}
