/**
 * The architectures `baobab config import` compiles for (core/hypervisor/import/import-arch.ts):
 * their cross compilers, the Debian packages that install them, and what each one's
 * `struct arch_platform` (reference §2.2) means in a VM. Kept here, beside the command, so the
 * core names no architecture.
 */
import type { BoardDesc } from '../../core/board.ts'
import type { ImportArch } from '../../core/hypervisor/import/import-arch.ts'
import { ARCH_PLATFORM as A64 } from '../../plugins/arch-aarch64/config-blob.ts'
import { ARCH_PLATFORM as RV } from '../../plugins/arch-riscv64/config-blob.ts'

/** (not core/bus.ts's: the CLI reads this table at start, for the help) */
const hex = (n: number | bigint): string => `0x${n.toString(16)}`
const u64 = (b: DataView, at: number): bigint => b.getBigUint64(at, true)
const u32 = (b: DataView, at: number): number => b.getUint32(at, true)

/** RISC-V: `plic_base` only, which CROSSCON ignores for a VM (the vPLIC sits at the board's PLIC) */
const riscv64: ImportArch = {
  name: 'riscv64',
  defaultBoard: 'qemu-virt-riscv64',
  compilers: ['riscv64-unknown-elf-gcc', 'riscv64-linux-gnu-gcc'],
  debianPackage: 'gcc-riscv64-unknown-elf',
  // no small-data sections (every object in .config's order), addresses anywhere
  cflags: ['-mcmodel=medany', '-msmall-data-limit=0'],
  archFields: ['plic_base'],
  vmFields(block: DataView, board: BoardDesc, ignored) {
    const plic = u64(block, RV.plic_base)
    const boardPlic = board.devices.find((d) => d.type === 'plic')?.base
    if (plic !== 0n && plic !== BigInt(boardPlic ?? -1)) {
      ignored('platform.arch.plic_base', `is ${hex(plic)}, not the board's PLIC (${boardPlic === undefined ? 'none' : hex(boardPlic)}): CROSSCON emulates a VM's vPLIC at the board's PLIC whatever it says`)
    }
    return {}
  },
}

/** Armv8: a VM's vGIC addresses (baobab's `arch.gic`); the rest of the block is board facts */
const aarch64: ImportArch = {
  name: 'aarch64',
  defaultBoard: 'qemu-virt-aarch64',
  compilers: ['aarch64-linux-gnu-gcc', 'aarch64-none-elf-gcc'],
  debianPackage: 'gcc-aarch64-linux-gnu',
  cflags: [],
  archFields: ['gic', 'gicd_addr', 'gicc_addr', 'gicr_addr', 'smmu', 'generic_timer', 'clusters'],
  vmFields(block: DataView, _board: BoardDesc, ignored) {
    const gic: Record<string, unknown> = {}
    const addr = (key: string, at: number): void => {
      const v = u64(block, at)
      if (v) gic[key] = hex(v)
    }
    addr('giccAddr', A64.gic_gicc_addr)
    addr('gicdAddr', A64.gic_gicd_addr)
    addr('gicrAddr', A64.gic_gicr_addr)
    const lines = u64(block, A64.gic_interrupt_num)
    if (lines) gic.interruptNum = Number(lines)
    const board: [string, bigint][] = [
      ['gic.gich_addr', u64(block, A64.gic_gich_addr)], ['gic.gicv_addr', u64(block, A64.gic_gicv_addr)],
      ['gic.maintenance_id', BigInt(u32(block, A64.gic_maintenance_id))],
      ['smmu.base', u64(block, A64.smmu_base)], ['smmu.interrupt_id', BigInt(u32(block, A64.smmu_interrupt_id))],
      ['smmu.global_mask', BigInt(u32(block, A64.smmu_global_mask))], ['smmu.group_num', u64(block, A64.smmu_group_num)],
      ['smmu.smmu_groups', u64(block, A64.smmu_groups)],
      ['generic_timer.base_addr', u64(block, A64.generic_timer_base_addr)],
      ['generic_timer.irqs.virtual', u64(block, A64.generic_timer_irqs_virtual)], ['generic_timer.irqs.hyp', u64(block, A64.generic_timer_irqs_hyp)],
      ['clusters.num', u64(block, A64.clusters_num)], ['clusters.core_num', u64(block, A64.clusters_core_num)],
    ]
    for (const [field, v] of board) if (v) ignored(`platform.arch.${field}`, `is ${hex(v)}: a board fact CROSSCON ignores for a VM`)
    return Object.keys(gic).length ? { arch: { gic } } : {}
  },
}

export const IMPORT_ARCHS: readonly ImportArch[] = [riscv64, aarch64]
