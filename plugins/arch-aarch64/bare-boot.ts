/**
 * Bare mode as `qemu-system-aarch64 -M virt -cpu cortex-a53` boots what it is given (QEMU
 * hw/arm/boot.c), without EL2/EL3: the boot CPU in EL1h at the entry, the others waiting powered
 * off for PSCI CPU_ON, PSCI answered over HVC by the firmware part (psci.ts), and a device tree
 * of the board for the payload:
 * - an ELF (`-kernel prog.elf`) starts at its entry with x0 = 0; the device tree sits at the
 *   start of RAM when the image leaves its first MiB free (QEMU reserves 1 MiB for it there);
 * - an arm64 Linux `Image` (`-kernel Image`, told by its header) loads at RAM + text_offset and
 *   starts with x0 = the device tree, placed 2 MiB-aligned after it (Documentation/arm64/booting.rst);
 * - any other raw binary is firmware (`-bios u-boot.bin`): it runs from the board's flash base,
 *   and finds the device tree at the start of RAM, where QEMU puts it for firmware.
 * The tree's memory is the RAM code can run from (see boardFdt).
 */
import type { BoardDesc } from '../../core/board.ts'
import { fdtToBytes } from '../../core/fdt.ts'
import type { LoadedImage } from '../../core/loader/image.ts'
import type { Machine } from '../../core/machine.ts'
import type { A64Cpu } from './cpu.ts'
import { gicOptions } from './hyp/options.ts'
import { a64VmFdt } from './hyp/vm-fdt.ts'
import { Psci } from './psci.ts'

/** the arm64 Image header's magic "ARM\x64" at offset 0x38 (booting.rst) */
const IMAGE_MAGIC = 0x644d5241
/** text_offset when the header's image_size is 0 (kernels before 3.17) */
const OLD_TEXT_OFFSET = 0x8_0000
/** what QEMU keeps for the device tree at the start of RAM */
const DTB_ROOM = 0x10_0000
const MiB2 = 0x20_0000

const u64 = (b: Uint8Array, off: number): number => new DataView(b.buffer, b.byteOffset, b.length).getUint32(off, true) + 2 ** 32 * new DataView(b.buffer, b.byteOffset, b.length).getUint32(off + 4, true)

/** Whether `bytes` is an arm64 Linux Image (its 64-byte header). */
export function isLinuxImage(bytes: Uint8Array): boolean {
  return bytes.length >= 64 && new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(0x38, true) === IMAGE_MAGIC
}

const ramBase = (board: BoardDesc): number => Math.min(...board.memory.map((m) => m.base))

/** ArchDesc.rawImageBase: a Linux Image at RAM + text_offset; anything else at the flash base (else the reset address) */
export function rawImageBase(bytes: Uint8Array, board: BoardDesc): number {
  if (!isLinuxImage(bytes)) return board.flash?.base ?? board.resetPc ?? 0
  return ramBase(board) + (u64(bytes, 0x10) === 0 ? OLD_TEXT_OFFSET : u64(bytes, 0x08))
}

/** the board's own device tree, as QEMU gives its payload (hyp/vm-fdt.ts's layout, PSCI over HVC) */
export function boardFdt(machine: Machine): Uint8Array {
  const b = machine.board
  const uarts = b.devices.filter((d) => d.type === 'pl011').map((d) => {
    const irq = d.irqs?.find((w) => 'input' in w)
    return { base: d.base, size: d.size, irq: irq && 'input' in irq ? irq.input : undefined }
  })
  // the RAM the bus keeps in its arena: code is fetched only from there (core/bus.ts), and firmware
  // such as U-Boot moves itself to the top of the RAM it is told of (QEMU's own default is 128 MiB)
  const memory = machine.bus.ram.filter((r) => r.arenaOffset >= 0 && b.memory.some((m) => r.base >= m.base && r.base < m.base + m.size))
  const root = a64VmFdt({ name: b.name, vcpus: machine.cpus.length, memory, gic: gicOptions(b, undefined), uarts, psciMethod: 'hvc' })
  return fdtToBytes(root)
}

export function bareBoot(machine: Machine, image: LoadedImage): void {
  const harts = machine.cpus as A64Cpu[]
  const psci = new Psci(harts, machine)
  const ram = ramBase(machine.board)
  const dtb = boardFdt(machine)
  const lowest = Math.min(...image.ranges.map((r) => Number(r.base)))
  const highest = Math.max(...image.ranges.map((r) => Number(r.base + r.size)))
  let x0 = 0
  if (image.kind === 'raw' && lowest >= ram && isLinuxImage(readBack(machine, lowest))) {
    // booting.rst: the device tree 8-byte aligned, within 512 MiB of the kernel's start, not overlapping it
    const at = Math.ceil(highest / MiB2) * MiB2
    machine.bus.load(at, dtb)
    x0 = at
  } else if (image.ranges.every((r) => Number(r.base + r.size) <= ram || Number(r.base) >= ram + DTB_ROOM)) {
    machine.bus.load(ram, dtb)
  }
  for (const h of harts) {
    h.reset(image.entry)
    h.firmware = psci
    if (h.id === 0) h.setReg(0, BigInt(x0))
    else {
      h.off = true
      h.idle = true
    }
  }
}

/** the image's first 64 bytes as loaded (its header) */
function readBack(machine: Machine, at: number): Uint8Array {
  const out = new Uint8Array(64)
  for (let i = 0; i < 64; i++) out[i] = machine.bus.read(at + i, 1)
  return out
}
