/**
 * CROSSCON's binary config layout (reference §2.1, §2.2): byte offsets of every struct field for
 * LP64 (every architecture agrees but for `struct arch_platform`, which is the arch plugin's:
 * `ArchDesc.configBlob`), sizes, and the error a malformed blob gets. blob-pack.ts writes this
 * layout, blob-parse.ts reads it; blob.ts is the module to import.
 */

/** What an architecture contributes to the layout (ArchDesc.configBlob). */
export interface BlobArch {
  /** sizeof its `struct arch_platform`, the last member of `platform_desc`: packed as zeros */
  readonly archPlatformBytes: number
}

export const PAGE_SIZE = 0x1000

// ---- the layout (reference §2.2; offsets for LP64: aarch64 and riscv64 agree but for `arch`) ----

/** Fake FDT header, 10 big-endian u32 at offset 0 of `struct config` (§2.1 CONFIG_HEADER). */
export const FDT_HEADER = {
  magic: 0, totalsize: 4, off_dt_struct: 8, off_dt_strings: 12, off_mem_rsvmap: 16,
  version: 20, last_comp_version: 24, boot_cpuid_phys: 28, size_dt_strings: 32, size_dt_struct: 36,
} as const
/** The values CROSSCON's CONFIG_HEADER stores (as big-endian numbers). */
export const FDT_MAGIC = 0xd00dfeed
export const FDT_FAKE_OFFSET = 40
export const FDT_VERSION = 17
export const FDT_LAST_COMP_VERSION = 2

/** `struct config` (§2.2 "struct config — top level"). `vmlist` is a flexible array of pointers. */
export const CONFIG = {
  fdt_header: 0, config_header_size: 40, config_size: 48, hyp_colors: 56,
  shmemlist_size: 64, shmemlist: 72, vmlist_size: 80, vmlist: 88,
} as const

/** `struct vm_config` (§2.2): `image` is an inline struct; `platform` a `platform_desc`. */
export const VM_CONFIG = {
  image_base_addr: 0, image_load_addr: 8, image_size: 16, image_inplace: 24,
  entry: 32, cpu_affinity: 40, colors: 48, type: 56, children_num: 64, children: 72, platform: 80,
} as const

/** `struct platform_desc` (§2.2), relative to its own start (vm_config + 80). */
export const PLATFORM_DESC = {
  cpu_num: 0, region_num: 8, regions: 16, ipc_num: 24, ipcs: 32, dev_num: 40, devs: 48,
  console_base: 56, cache: 64, arch: 560,
} as const

/** `struct cache` (§2.2, 496 B; CACHE_MAX_LVL 8, the enums are 4 bytes). Packed as zeros. */
export const CACHE = {
  lvls: 0, min_shared_lvl: 8, type: 16, indexed: 48, line_size: 112, assoc: 240, numset: 368,
} as const

/** `struct mem_region` (§2.2 element structs). */
export const MEM_REGION = { base: 0, size: 8, colors: 16, place_phys: 24, phys: 32 } as const
/** `struct dev_region`; `interrupts` points to u32 (irqid_t) []. */
export const DEV_REGION = { pa: 0, va: 8, size: 16, interrupt_num: 24, interrupts: 32, id: 40 } as const
/** `struct ipc`. */
export const IPC = { base: 0, size: 8, shmem_id: 16, interrupt_num: 24, interrupts: 32 } as const
/** `struct shmem`; `cpu_masters` is runtime state, packed as 0. */
export const SHMEM = { size: 0, colors: 8, place_phys: 16, phys: 24, cpu_masters: 32 } as const

/** sizeof `platform_desc` (§2.2): its `arch` member is the architecture's */
export const platformDescBytes = (arch: BlobArch): number => PLATFORM_DESC.arch + arch.archPlatformBytes
/** sizeof `vm_config` (§2.2): `platform` is its last member */
export const vmConfigBytes = (arch: BlobArch): number => VM_CONFIG.platform + platformDescBytes(arch)

/** sizeof of each struct (§2.2); `vm_config` and `platform_desc` depend on the arch (above). */
export const SIZEOF = {
  fdt_header: 40,
  config: 88, // without the flexible vmlist array
  cache: 496,
  mem_region: 40,
  dev_region: 48,
  ipc: 40,
  shmem: 40,
  ptr: 8,
  irq: 4,
} as const

// ---- errors ----

export type BlobErrorCode =
  /** the blob is shorter than its header, `config_header_size` or `config_size` */
  | 'truncated'
  /** the first word is not the fake FDT magic d00dfeed */
  | 'bad-magic'
  /** `config_header_size`/`config_size` inconsistent, or a region size 0, unaligned or wrapping */
  | 'bad-size'
  /** a pointer is null where data is needed, misaligned, or outside [0, config_header_size) */
  | 'bad-pointer'
  /** an array would run past the header, or a count is 0 / above a limit */
  | 'bad-count'
  /** two windows of one VM, or two vm_configs in the blob, overlap */
  | 'overlap'
  /** a field has a value no config can have (type > 3, bool not 0/1, unaligned base, > 2^53) */
  | 'bad-value'
  /** an image lies outside the blob's image area (parse) / cannot be read or placed (pack) */
  | 'bad-image'

/** A malformed config blob (or a config that cannot be packed): a short code and one line. */
export class BlobError extends Error {
  override readonly name = 'BlobError'
  constructor(
    readonly code: BlobErrorCode,
    message: string,
    /** blob offset of the field at fault, when there is one */
    readonly at?: number,
  ) {
    super(message)
  }
}
