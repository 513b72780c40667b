/**
 * Board plugin: QEMU's `virt` RISC-V machine (hw/riscv/virt.c memory map) as CROSSCON runs it
 * (reference/platforms.json, qemu-riscv64-virt), including the second UART that CROSSCON's QEMU
 * patch adds at 0x10001000 (IRQ 12; virtio-mmio moves to 0x10002000 and is not modelled).
 */
import type { BoardDesc } from '../../core/board.ts'

export const qemuVirtRiscv64: BoardDesc = {
  name: 'qemu-virt-riscv64',
  arch: 'riscv64',
  cpus: 2,
  // one instruction per cycle: 1 ns of virtual time each
  cpuHz: 1_000_000_000,
  // QEMU virt: timebase-frequency = 10 MHz (RISCV_ACLINT_DEFAULT_TIMEBASE_FREQ)
  timebaseHz: 10_000_000,
  // VIRT_DRAM; 2 GiB, committed only as guests touch it
  memory: [{ base: 0x8000_0000, size: 0x8000_0000 }],
  devices: [
    { name: 'test0', type: 'sifive-test', base: 0x10_0000, size: 0x1000 },
    { name: 'clint0', type: 'aclint', base: 0x200_0000, size: 0x1_0000 },
    // 96 sources (VIRT_IRQCHIP_NUM_SOURCES); contexts default to M then S per hart (2h, 2h+1)
    { name: 'plic0', type: 'plic', base: 0xc00_0000, size: 0x60_0000, params: { sources: 96 } },
    { name: 'uart0', type: 'ns16550', base: 0x1000_0000, size: 0x100, irqs: [{ to: 'plic0', input: 10 }] },
    { name: 'uart1', type: 'ns16550', base: 0x1000_1000, size: 0x100, irqs: [{ to: 'plic0', input: 12 }] },
  ],
  console: 'uart0',
  resetPc: 0x8000_0000,
}

