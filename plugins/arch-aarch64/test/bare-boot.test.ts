/**
 * Bare boot as QEMU's `virt` does it (bare-boot.ts): where a raw image goes (a Linux Image at RAM
 * + text_offset, anything else in flash, as `-bios`), and where the payload's device tree is.
 */
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { bootBare } from '../../../core/bare.ts'
import { fdtFind, fdtGet, fdtStrings, parseFdt } from '../../../core/fdt.ts'
import { qemuVirtAarch64 } from '../../board-qemu-virt-aarch64/qemu-virt-aarch64.ts'
import { isLinuxImage, rawImageBase } from '../bare-boot.ts'

const RAM = 0x4000_0000

/** an arm64 Image: `b .` as code0, then the header (booting.rst) */
function linuxImage(textOffset: number, imageSize: number): Uint8Array {
  const b = new Uint8Array(0x1000)
  const dv = new DataView(b.buffer)
  dv.setUint32(0, 0x14000000, true) // b .
  dv.setUint32(0x08, textOffset, true)
  dv.setUint32(0x10, imageSize, true)
  dv.setUint32(0x38, 0x644d5241, true) // "ARM\x64"
  return b
}

const fdtAt = (bus: { read(a: number, s: number): number }, at: number): Uint8Array => {
  const size = ((bus.read(at + 4, 1) << 24) | (bus.read(at + 5, 1) << 16) | (bus.read(at + 6, 1) << 8) | bus.read(at + 7, 1)) >>> 0
  return Uint8Array.from({ length: size }, (_, i) => bus.read(at + i, 1))
}
const beWord = (bus: { read(a: number, s: number): number }, at: number): number => ((bus.read(at, 1) << 24) | (bus.read(at + 1, 1) << 16) | (bus.read(at + 2, 1) << 8) | bus.read(at + 3, 1)) >>> 0

describe('bare boot on qemu-virt-aarch64', () => {
  it('places a raw image as QEMU does: a Linux Image at RAM + text_offset, firmware in flash', () => {
    expect(isLinuxImage(linuxImage(0x8_0000, 0x1000))).toBe(true)
    expect(rawImageBase(linuxImage(0x8_0000, 0x1000), qemuVirtAarch64)).toBe(RAM + 0x8_0000)
    expect(rawImageBase(linuxImage(0, 0x1000), qemuVirtAarch64)).toBe(RAM)
    // image_size 0: a kernel before 3.17, whose text_offset is 0x80000 whatever the field says
    expect(rawImageBase(linuxImage(0x1234, 0), qemuVirtAarch64)).toBe(RAM + 0x8_0000)
    expect(rawImageBase(new Uint8Array(0x100), qemuVirtAarch64)).toBe(0)
  })

  it('starts a Linux Image with x0 = a device tree of the board, 2 MiB-aligned past the kernel', async () => {
    const bm = await bootBare({ board: 'qemu-virt-aarch64', image: linuxImage(0x8_0000, 0x1000) })
    const h = bm.machine.cpus[0]!
    expect(h.pc).toBe(BigInt(RAM + 0x8_0000))
    const dtb = Number(h.reg(0))
    expect(dtb).toBe(RAM + 0x20_0000)
    expect(beWord(bm.machine.bus, dtb)).toBe(0xd00dfeed)
    const root = parseFdt(fdtAt(bm.machine.bus, dtb)).root
    const str = (path: string, prop: string): string[] => fdtStrings(fdtGet(fdtFind(root, path)!, prop)!)
    expect(str('/psci', 'method')).toEqual(['hvc']) // QEMU's own firmware answers PSCI over HVC
    expect(str('/pl011@9000000', 'compatible')).toEqual(['arm,pl011', 'arm,primecell'])
    expect(str('/intc@8000000', 'compatible')).toEqual(['arm,cortex-a15-gic'])
    expect(str('/chosen', 'stdout-path')).toEqual(['/pl011@9000000'])
  })

  it('runs other raw binaries from flash with the device tree at the start of RAM (-bios)', async () => {
    const fw = new Uint8Array(8)
    new DataView(fw.buffer).setUint32(0, 0x14000000, true)
    const bm = await bootBare({ board: 'qemu-virt-aarch64', image: fw })
    expect(bm.machine.cpus[0]!.pc).toBe(0n)
    expect(bm.machine.cpus[0]!.reg(0)).toBe(0n)
    expect(beWord(bm.machine.bus, RAM)).toBe(0xd00dfeed)
  })

  it('starts an ELF at its entry with x0 = 0, and leaves the first MiB of RAM alone when the image is in it (QEMU reserves 1 MiB there)', async () => {
    const elf = fileURLToPath(new URL('../../../guests/images/aarch64/timer.elf', import.meta.url))
    const bm = await bootBare({ board: 'qemu-virt-aarch64', image: elf })
    expect(bm.machine.cpus[0]!.reg(0)).toBe(0n)
    expect(beWord(bm.machine.bus, RAM)).toBe(0)
  })
})
