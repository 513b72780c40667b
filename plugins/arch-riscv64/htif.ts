/**
 * HTIF, the host-target interface of Spike and the riscv-tests: a bare program stores a command
 * into its `tohost` symbol and the host answers through `fromhost`. Device 1 command 1 prints the
 * low byte; device 0 with bit 0 set ends the program with code `value >> 1` (1 = pass). Polled
 * between quanta, as QEMU's and Spike's hosts poll it.
 */
import type { HostInterface } from '../../core/arch.ts'
import { symbolByName } from '../../core/loader/elf.ts'
import type { LoadedImage } from '../../core/loader/image.ts'
import type { Machine } from '../../core/machine.ts'

export function htif(machine: Machine, image: LoadedImage): HostInterface | null {
  const tohost = symbolByName(image, 'tohost')
  if (!tohost) return null
  const at = Number(tohost.value)
  const from = symbolByName(image, 'fromhost')
  const host: { -readonly [K in keyof HostInterface]: HostInterface[K] } = {
    exitCode: null,
    poll(out) {
      const bus = machine.bus
      const v = bus.read64(at)
      if (v === 0n) return
      const device = Number(v >> 56n), cmd = Number((v >> 48n) & 0xffn)
      if (device === 1 && cmd === 1) {
        // console putchar: echo and acknowledge through fromhost
        out(Number(v & 0xffn))
        bus.write64(at, 0n)
        if (from) bus.write64(Number(from.value), (1n << 56n) | (1n << 48n))
        return
      }
      if (device === 0 && (v & 1n)) {
        // riscv-tests convention: 1 = pass, otherwise (code << 1) | 1
        host.exitCode = Number(v >> 1n)
        machine.poweroff(host.exitCode)
      }
    },
  }
  return host
}
