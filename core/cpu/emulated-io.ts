/**
 * A guest's access to a device the hypervisor emulates, served in place (a VM exit without a
 * trap): the arch's translation found the address in an emulated window of the VM's stage-2
 * map (`emu`, at `emuOff` in it); the device sees which vCPU accessed it. Shared by the arch
 * plugins, whose CPUs carry these fields.
 */
import type { MmioHandler } from '../bus.ts'

export interface EmulatingCpu {
  /** the emulated window of the last translation, and the offset in it */
  emu: { handler?: MmioHandler } | null
  emuOff: number
  /** called on every VM exit served this way (counting, the TUI's exit rate) */
  onExit: (() => void) | null
  /** the loaded value: low and high word */
  readonly r64: Int32Array
  /** the running vCPU's index in its VM */
  vcpu: number
}

/** A load of `size` bytes: the value into h.r64. */
export function emulatedRead(h: EmulatingCpu, size: number): boolean {
  const e = h.emu!, off = h.emuOff
  h.onExit?.()
  if (size === 8) {
    h.r64[0] = e.handler!.read(off, 4, h.vcpu)
    h.r64[1] = e.handler!.read(off + 4, 4, h.vcpu)
  } else {
    h.r64[0] = e.handler!.read(off, size, h.vcpu)
    h.r64[1] = 0
  }
  return true
}

/** A store of `size` bytes of (vLo, vHi); a device sees only the bytes stored. */
export function emulatedWrite(h: EmulatingCpu, size: number, vLo: number, vHi: number): boolean {
  const e = h.emu!, off = h.emuOff
  h.onExit?.()
  if (size === 8) {
    e.handler!.write(off, 4, vLo >>> 0, h.vcpu)
    e.handler!.write(off + 4, 4, vHi >>> 0, h.vcpu)
  } else e.handler!.write(off, size, size === 4 ? vLo >>> 0 : vLo & ((1 << (8 * size)) - 1), h.vcpu)
  return true
}
