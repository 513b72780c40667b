/**
 * The project's built-in choices, kept beside the plugins they name so the kernel names none:
 * the board a bare image runs on when the caller names none (the CLI's `--board` default too).
 */
export const DEFAULT_BOARD = 'qemu-virt-riscv64'
