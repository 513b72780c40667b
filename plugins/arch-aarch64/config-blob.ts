/**
 * Armv8's part of CROSSCON's binary config (reference §2.2): `struct arch_platform`, 128 bytes of
 * gic, smmu, generic_timer and clusters — board facts, packed as zeros (a VM's vGIC addresses
 * travel in baobab's `arch.gic` config, not yet in the blob). The rest of the layout is the
 * core's (core/hypervisor/blob-layout.ts).
 */
import type { BlobArch } from '../../core/hypervisor/blob-layout.ts'

/** `struct arch_platform` member offsets */
export const ARCH_PLATFORM = {
  gic_gicc_addr: 0, gic_gich_addr: 8, gic_gicv_addr: 16, gic_gicd_addr: 24, gic_gicr_addr: 32,
  gic_maintenance_id: 40, gic_interrupt_num: 48,
  smmu_base: 56, smmu_interrupt_id: 64, smmu_global_mask: 68, smmu_group_num: 72, smmu_groups: 80,
  generic_timer_base_addr: 88, generic_timer_irqs_virtual: 96, generic_timer_irqs_hyp: 104,
  clusters_num: 112, clusters_core_num: 120,
} as const

export const configBlob: BlobArch = { archPlatformBytes: 128 }
