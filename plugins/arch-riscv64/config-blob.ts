/**
 * RISC-V's part of CROSSCON's binary config (reference §2.2): `struct arch_platform` holds only
 * `plic_base`, which the hypervisor ignores for a VM (the vPLIC sits at the board's PLIC): packed
 * as 0. The rest of the layout is the core's (core/hypervisor/blob-layout.ts).
 */
import type { BlobArch } from '../../core/hypervisor/blob-layout.ts'

/** `struct arch_platform` member offsets */
export const ARCH_PLATFORM = { plic_base: 0 } as const

export const configBlob: BlobArch = { archPlatformBytes: 8 }
