/**
 * The project's built-in choices, kept beside the plugins they name so the kernel names none:
 * the board a bare image runs on when the caller names none (the CLI's `--board` default too).
 */
import { closeSync, openSync, readSync } from 'node:fs'

export const DEFAULT_BOARD = 'qemu-virt-riscv64'

/** the board for an ELF's machine (e_machine), as `qemu-system-<arch> -M virt` would be chosen */
const BOARD_OF_MACHINE = new Map<number, string>([
  [243, 'qemu-virt-riscv64'], // EM_RISCV
  [183, 'qemu-virt-aarch64'], // EM_AARCH64
])

/**
 * The board a bare image runs on when none is named: the `virt` board of the ELF's architecture,
 * else DEFAULT_BOARD (raw images, unreadable files: loading reports those).
 */
export function defaultBoardFor(image: string | Uint8Array): string {
  let head: Uint8Array
  if (typeof image === 'string') {
    head = new Uint8Array(20)
    try {
      const fd = openSync(image, 'r')
      try { readSync(fd, head, 0, 20, 0) } finally { closeSync(fd) }
    } catch { return DEFAULT_BOARD }
  } else head = image.subarray(0, 20)
  const elf = head.length >= 20 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46
  // e_machine at offset 18, in the file's byte order (EI_DATA: 1 little, 2 big)
  const machine = !elf ? 0 : head[5] === 2 ? (head[18]! << 8) | head[19]! : head[18]! | (head[19]! << 8)
  return BOARD_OF_MACHINE.get(machine) ?? DEFAULT_BOARD
}
