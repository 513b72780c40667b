/**
 * CROSSCON's binary config layout, both ways (reference §2.1, §2.2, §2.5; DESIGN "The config
 * format": `baobab config pack`).
 *
 * A CROSSCON config is a C file defining `struct config config`; `configs/configs.mk` compiles it
 * and links it **at address 0** with `configs/linker.ld`, then `objcopy -O binary` gives the blob
 * (§2.1). So:
 *
 *   [0, config_header_size)            `struct config` + everything it points to (section `.config`);
 *                                      `config_header_size` = `_config_end` = page-aligned end
 *   [config_header_size, config_size)  the VM images (`.vm_images`), each page-aligned;
 *                                      `config_size` = `_images_end` = page-aligned end
 *
 * Every pointer in the blob is an offset from the blob's start (the hypervisor relocates it by
 * adding the blob's VA; `image.load_addr` by adding its PA). A null pointer is 0 — never a valid
 * offset, since `struct config` itself sits at 0. Everything is little-endian LP64 with natural
 * alignment, except the fake FDT header, which is big-endian.
 *
 * `packConfig` writes that layout from a normalised `HvConfig`. Its own order inside `.config`
 * (a C compiler picks one of its own; nothing depends on it) is:
 *   struct config (with the vmlist pointer array) · every vm_config (depth-first pre-order) ·
 *   children pointer arrays · shmemlist · per VM: mem_region[], dev_region[], ipc[] ·
 *   all u32 interrupt arrays.
 *
 * `parseBlob` reads any blob with that meaning (whatever the order inside `.config`) and is what
 * the VM-create hypercall uses (§2.5, §4.4). It rejects every malformed input with a `BlobError`
 * and throws nothing else: every count and pointer is checked, in bigint arithmetic, against the
 * header before anything is read through it.
 *
 * Two details follow CROSSCON's code (`src/core/inc/config.h`, `CONFIG_HEADER`) where the
 * description is loose: the fake FDT `totalsize` is 40 like the three offsets (the macro stores
 * 0x28000000 in a little-endian u32, i.e. big-endian 40), not the blob's size; and
 * `boot_cpuid_phys`, `size_dt_strings`, `size_dt_struct` are 0.
 *
 * Where the blob and baobab's config differ:
 * - names, `board`, `features`, `dtb`, `bootargs`, `sstc`, a device's `shared` flag: not in
 *   CROSSCON's structs; not packed, and `parseBlob` names VMs `vm<i>` (pre-order index).
 * - `emulate` devices (a baobab-only emulated instance): not representable, left out when
 *   packing (the `warn` callback is told).
 * - ELF images are packed as `objcopy -O binary` would: the bytes from `image.baseAddr` to the end
 *   of the last PT_LOAD segment's file data, gaps zero-filled (a trailing .bss is not stored).
 * - With `images: false` no image is stored: `image.load_addr` and `image.size` are 0 (the
 *   VM-create case, where the parent has already placed the image in `regions[0]`, §2.5).
 * - A real `objcopy -O binary` file can stop short of `config_size` (the linker script only
 *   aligns the symbol); `packConfig` pads to `config_size`, and `parseBlob` wants the whole
 *   `config_size` bytes (a hypervisor maps whole pages anyway).
 */
import { readFileSync } from 'node:fs'
import { hex } from '../bus.ts'
import { hasElfMagic, ImageError, parseElf } from '../loader/elf.ts'
import type { HvConfig, HvVmConfig, VmType } from './config.ts'

export type BlobArch = 'riscv64' | 'aarch64'

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

/** RISC-V `struct arch_platform` (§2.2): `plic_base`, ignored for a VM, packed as 0. */
export const ARCH_RISCV = { plic_base: 0 } as const

/** Armv8 `struct arch_platform` (§2.2, 128 B): gic, smmu, generic_timer, clusters. Packed as zeros. */
export const ARCH_ARMV8 = {
  gic_gicc_addr: 0, gic_gich_addr: 8, gic_gicv_addr: 16, gic_gicd_addr: 24, gic_gicr_addr: 32,
  gic_maintenance_id: 40, gic_interrupt_num: 48,
  smmu_base: 56, smmu_interrupt_id: 64, smmu_global_mask: 68, smmu_group_num: 72, smmu_groups: 80,
  generic_timer_base_addr: 88, generic_timer_irqs_virtual: 96, generic_timer_irqs_hyp: 104,
  clusters_num: 112, clusters_core_num: 120,
} as const

/** `struct mem_region` (§2.2 element structs). */
export const MEM_REGION = { base: 0, size: 8, colors: 16, place_phys: 24, phys: 32 } as const
/** `struct dev_region`; `interrupts` points to u32 (irqid_t) []. */
export const DEV_REGION = { pa: 0, va: 8, size: 16, interrupt_num: 24, interrupts: 32, id: 40 } as const
/** `struct ipc`. */
export const IPC = { base: 0, size: 8, shmem_id: 16, interrupt_num: 24, interrupts: 32 } as const
/** `struct shmem`; `cpu_masters` is runtime state, packed as 0. */
export const SHMEM = { size: 0, colors: 8, place_phys: 16, phys: 24, cpu_masters: 32 } as const

/** sizeof of each struct (§2.2). `vm_config` and `platform_desc` depend on `arch`. */
export const SIZEOF = {
  fdt_header: 40,
  config: 88, // without the flexible vmlist array
  cache: 496,
  arch_platform: { riscv64: 8, aarch64: 128 },
  platform_desc: { riscv64: 568, aarch64: 688 },
  vm_config: { riscv64: 648, aarch64: 768 },
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

// ---- packing ----

export interface PackOptions {
  arch: BlobArch
  /** store the VM images after the header (CROSSCON's `.vm_images`); false: load_addr = size = 0 */
  images: boolean
  /** reads an image file (default: fs.readFileSync) */
  readFile?: (path: string) => Uint8Array
  /** told about config parts CROSSCON's layout cannot hold (emulated devices) */
  warn?: (message: string) => void
}

/** A growable little-endian byte buffer with an allocation cursor. */
class Builder {
  buf = new Uint8Array(PAGE_SIZE)
  end = 0
  private dv = new DataView(this.buf.buffer)

  /** Reserve `size` zero bytes at the next `align`-aligned offset. */
  alloc(size: number, align: number): number {
    const at = alignUp(this.end, align)
    this.grow(at + size)
    this.end = at + size
    return at
  }

  private grow(n: number): void {
    if (n <= this.buf.length) return
    let len = this.buf.length
    while (len < n) len *= 2
    const next = new Uint8Array(len)
    next.set(this.buf)
    this.buf = next
    this.dv = new DataView(next.buffer)
  }

  u8(at: number, v: number): void { this.dv.setUint8(at, v) }
  u32(at: number, v: number): void { this.dv.setUint32(at, v, true) }
  u32be(at: number, v: number): void { this.dv.setUint32(at, v, false) }
  u64(at: number, v: number, what: string): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new BlobError('bad-value', `${what} must be a non-negative integer below 2^53 (got ${v})`)
    this.dv.setBigUint64(at, BigInt(v), true)
  }
  bytes(at: number, b: Uint8Array): void { this.buf.set(b, at) }
}

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a

/** Root VMs and their children, depth-first pre-order (the index `parseBlob` names VMs by). */
function preorder(vms: readonly HvVmConfig[], out: HvVmConfig[] = []): HvVmConfig[] {
  for (const vm of vms) {
    out.push(vm)
    preorder(vm.children, out)
  }
  return out
}

/**
 * Lay `cfg` out as CROSSCON's `configs.mk` + `linker.ld` would (reference §2.1, §2.2): the
 * returned bytes are `config_size` long, `struct config` at 0, images page-aligned after
 * `config_header_size`. Throws `BlobError` ('bad-image', 'bad-value') when a part cannot be packed.
 */
export function packConfig(cfg: HvConfig, opts: PackOptions): Uint8Array {
  const vmSize = SIZEOF.vm_config[opts.arch]
  const b = new Builder()
  const roots = cfg.vms
  const all = preorder(roots)
  const name = new Map(all.map((vm, i) => [vm, `VM ${vm.name} (vm${i})`]))

  // struct config at 0 (§2.1: `.config` is linked first, at address 0)
  const config = b.alloc(SIZEOF.config + SIZEOF.ptr * roots.length, 8)
  // fake FDT header, big-endian (§2.1 CONFIG_HEADER)
  b.u32be(config + FDT_HEADER.magic, FDT_MAGIC)
  b.u32be(config + FDT_HEADER.totalsize, FDT_FAKE_OFFSET)
  b.u32be(config + FDT_HEADER.off_dt_struct, FDT_FAKE_OFFSET)
  b.u32be(config + FDT_HEADER.off_dt_strings, FDT_FAKE_OFFSET)
  b.u32be(config + FDT_HEADER.off_mem_rsvmap, FDT_FAKE_OFFSET)
  b.u32be(config + FDT_HEADER.version, FDT_VERSION)
  b.u32be(config + FDT_HEADER.last_comp_version, FDT_LAST_COMP_VERSION)
  b.u64(config + CONFIG.hyp_colors, cfg.hypColors, 'hypColors')
  b.u64(config + CONFIG.shmemlist_size, cfg.shmem.length, 'shmem count')
  b.u64(config + CONFIG.vmlist_size, roots.length, 'VM count')

  // every vm_config (§2.2), pre-order; vmlist[] holds pointers to the roots
  const at = new Map<HvVmConfig, number>()
  for (const vm of all) at.set(vm, b.alloc(vmSize, 8))
  roots.forEach((vm, i) => b.u64(config + CONFIG.vmlist + SIZEOF.ptr * i, at.get(vm)!, 'vmlist'))

  // children: arrays of pointers to child vm_configs (§2.2 vm_config.children)
  for (const vm of all) {
    const v = at.get(vm)!
    b.u64(v + VM_CONFIG.children_num, vm.children.length, 'children_num')
    if (vm.children.length === 0) continue
    const arr = b.alloc(SIZEOF.ptr * vm.children.length, 8)
    b.u64(v + VM_CONFIG.children, arr, 'children')
    vm.children.forEach((c, i) => b.u64(arr + SIZEOF.ptr * i, at.get(c)!, 'children[]'))
  }

  // shmemlist (§2.2 struct shmem); cpu_masters is runtime state
  if (cfg.shmem.length > 0) {
    const arr = b.alloc(SIZEOF.shmem * cfg.shmem.length, 8)
    b.u64(config + CONFIG.shmemlist, arr, 'shmemlist')
    cfg.shmem.forEach((s, i) => {
      const e = arr + SIZEOF.shmem * i
      b.u64(e + SHMEM.size, s.size, `shmem[${i}].size`)
      b.u64(e + SHMEM.colors, s.colors, `shmem[${i}].colors`)
      b.u8(e + SHMEM.place_phys, s.placePhys ? 1 : 0)
      b.u64(e + SHMEM.phys, s.placePhys ? (s.phys ?? 0) : 0, `shmem[${i}].phys`)
    })
  }

  // the scalar fields and the element arrays of each VM; interrupt lists are placed last
  const irqLists: { field: number; irqs: number[] }[] = []
  for (const vm of all) {
    const v = at.get(vm)!
    const who = name.get(vm)!
    const p = v + VM_CONFIG.platform
    b.u64(v + VM_CONFIG.image_base_addr, vm.image?.baseAddr ?? 0, `${who}: image.baseAddr`)
    b.u8(v + VM_CONFIG.image_inplace, vm.image?.inplace ? 1 : 0)
    b.u64(v + VM_CONFIG.entry, vm.entry, `${who}: entry`)
    b.u64(v + VM_CONFIG.cpu_affinity, vm.cpuAffinity, `${who}: cpuAffinity`)
    b.u64(v + VM_CONFIG.colors, vm.colors, `${who}: colors`)
    b.u64(v + VM_CONFIG.type, vm.type, `${who}: type`)
    b.u64(p + PLATFORM_DESC.cpu_num, vm.cpuNum, `${who}: cpuNum`)
    // console.base, cache and arch (RISC-V plic_base, Arm gic/smmu/timer/clusters) stay 0:
    // a VM's plic_base is ignored (§2.2), and the Arm blocks are board-only but for the vGIC
    // addresses, which baobab's config does not carry

    b.u64(p + PLATFORM_DESC.region_num, vm.regions.length, `${who}: region count`)
    if (vm.regions.length > 0) {
      const arr = b.alloc(SIZEOF.mem_region * vm.regions.length, 8)
      b.u64(p + PLATFORM_DESC.regions, arr, 'regions')
      vm.regions.forEach((r, i) => {
        const e = arr + SIZEOF.mem_region * i
        b.u64(e + MEM_REGION.base, r.base, `${who}: regions[${i}].base`)
        b.u64(e + MEM_REGION.size, r.size, `${who}: regions[${i}].size`)
        b.u64(e + MEM_REGION.colors, r.colors, `${who}: regions[${i}].colors`)
        b.u8(e + MEM_REGION.place_phys, r.placePhys ? 1 : 0)
        b.u64(e + MEM_REGION.phys, r.placePhys ? r.phys : 0, `${who}: regions[${i}].phys`)
      })
    }

    const devs = vm.devs.filter((d, i) => {
      if (d.emulate === undefined) return true
      opts.warn?.(`${who}: devs[${i}] (emulated ${d.emulate} at ${hex(d.va)}) has no CROSSCON equivalent and is not packed`)
      return false
    })
    b.u64(p + PLATFORM_DESC.dev_num, devs.length, `${who}: dev count`)
    if (devs.length > 0) {
      const arr = b.alloc(SIZEOF.dev_region * devs.length, 8)
      b.u64(p + PLATFORM_DESC.devs, arr, 'devs')
      devs.forEach((d, i) => {
        const e = arr + SIZEOF.dev_region * i
        b.u64(e + DEV_REGION.pa, d.pa ?? 0, `${who}: devs[${i}].pa`)
        b.u64(e + DEV_REGION.va, d.va, `${who}: devs[${i}].va`)
        b.u64(e + DEV_REGION.size, d.size, `${who}: devs[${i}].size`)
        b.u64(e + DEV_REGION.interrupt_num, d.interrupts.length, 'interrupt_num')
        irqLists.push({ field: e + DEV_REGION.interrupts, irqs: d.interrupts })
        if (!(Number.isInteger(d.id) && d.id >= 0 && d.id <= 0xffffffff)) throw new BlobError('bad-value', `${who}: devs[${i}].id must fit in 32 bits (got ${d.id})`)
        b.u32(e + DEV_REGION.id, d.id)
      })
    }

    b.u64(p + PLATFORM_DESC.ipc_num, vm.ipcs.length, `${who}: ipc count`)
    if (vm.ipcs.length > 0) {
      const arr = b.alloc(SIZEOF.ipc * vm.ipcs.length, 8)
      b.u64(p + PLATFORM_DESC.ipcs, arr, 'ipcs')
      vm.ipcs.forEach((c, i) => {
        const e = arr + SIZEOF.ipc * i
        b.u64(e + IPC.base, c.base, `${who}: ipcs[${i}].base`)
        b.u64(e + IPC.size, c.size, `${who}: ipcs[${i}].size`)
        b.u64(e + IPC.shmem_id, c.shmemId, `${who}: ipcs[${i}].shmemId`)
        b.u64(e + IPC.interrupt_num, c.interrupts.length, 'interrupt_num')
        irqLists.push({ field: e + IPC.interrupts, irqs: c.interrupts })
      })
    }
  }

  // interrupt lists: irqid_t (u32) arrays
  for (const { field, irqs } of irqLists) {
    if (irqs.length === 0) continue
    const arr = b.alloc(SIZEOF.irq * irqs.length, 4)
    b.u64(field, arr, 'interrupts')
    irqs.forEach((n, i) => {
      if (!(Number.isInteger(n) && n >= 0 && n <= 0xffffffff)) throw new BlobError('bad-value', `interrupt ${n} does not fit in 32 bits`)
      b.u32(arr + SIZEOF.irq * i, n)
    })
  }

  // _config_end = ALIGN(PAGE): config_header_size (§2.1)
  const headerSize = alignUp(b.end, PAGE_SIZE)
  b.alloc(headerSize - b.end, 1)
  if (headerSize > 2 * PAGE_SIZE) {
    opts.warn?.(`config_header_size is ${hex(headerSize)}: CROSSCON maps 2 pages of header and a larger one looks broken at boot (reference §11.12)`)
  }

  // .vm_images : SUBALIGN(PAGE): each image page-aligned; load_addr = its blob offset (§2.1)
  if (opts.images) {
    const read = opts.readFile ?? ((path: string) => readFileSync(path))
    for (const vm of all) {
      if (!vm.image) continue
      const who = name.get(vm)!
      const bytes = imageBytes(vm.image.path, vm.image.baseAddr, read, who)
      const off = b.alloc(bytes.length, PAGE_SIZE)
      b.bytes(off, bytes)
      const v = at.get(vm)!
      b.u64(v + VM_CONFIG.image_load_addr, off, 'image.load_addr')
      b.u64(v + VM_CONFIG.image_size, bytes.length, 'image.size')
    }
  }
  // _images_end = ALIGN(PAGE): config_size (§2.1)
  const size = alignUp(b.end, PAGE_SIZE)
  b.alloc(size - b.end, 1)
  b.u64(config + CONFIG.config_header_size, headerSize, 'config_header_size')
  b.u64(config + CONFIG.config_size, size, 'config_size')
  return b.buf.slice(0, size)
}

/** Largest image packConfig stores (a VM image bigger than this is surely a mistake). */
const MAX_IMAGE = 1 << 30

/**
 * The bytes an image puts in memory from `baseAddr`: a raw file as it is; an ELF as
 * `objcopy -O binary` makes it (PT_LOAD file data at paddr − baseAddr, gaps zeroed).
 */
export function imageBytes(path: string, baseAddr: number, read: (path: string) => Uint8Array, who = path): Uint8Array {
  let file: Uint8Array
  try {
    file = read(path)
  } catch (e) {
    throw new BlobError('bad-image', `${who}: cannot read image ${path}: ${(e as Error).message}`)
  }
  if (path.toLowerCase().endsWith('.bin') || !hasElfMagic(file)) return file
  let segs: { paddr: bigint; data: Uint8Array }[]
  try {
    segs = parseElf(file).segments.filter((s) => s.data.length > 0)
  } catch (e) {
    if (e instanceof ImageError) throw new BlobError('bad-image', `${who}: ${path}: ${e.reason}`)
    throw e
  }
  if (segs.length === 0) throw new BlobError('bad-image', `${who}: ${path} has no PT_LOAD segment with file data`)
  const base = BigInt(baseAddr)
  let end = 0n
  for (const s of segs) {
    if (s.paddr < base) throw new BlobError('bad-image', `${who}: ${path}: segment at ${hex(s.paddr)} lies below image.baseAddr ${hex(baseAddr)}`)
    const e = s.paddr - base + BigInt(s.data.length)
    if (e > end) end = e
  }
  if (end > BigInt(MAX_IMAGE)) throw new BlobError('bad-image', `${who}: ${path} spans ${hex(end)} bytes from image.baseAddr, more than ${hex(MAX_IMAGE)}`)
  const out = new Uint8Array(Number(end))
  for (const s of segs) out.set(s.data, Number(s.paddr - base))
  return out
}

// ---- parsing ----

export interface ParseOptions {
  arch: BlobArch
  /** most VMs (roots and children together) a blob may describe; default 64 */
  maxVms?: number
  /** most array elements (regions, devs, ipcs, shmem, interrupts, children) in all; default 65536 */
  maxElements?: number
}

export interface BlobImage { baseAddr: number; inplace: boolean }
export interface BlobRegion { base: number; size: number; colors: number; placePhys: boolean; phys?: number }
export interface BlobDev { pa: number; va: number; size: number; interrupts: number[]; id: number }
export interface BlobIpc { base: number; size: number; shmemId: number; interrupts: number[] }
export interface BlobShmem { size: number; colors: number; placePhys: boolean; phys?: number }

/** A vm_config in DESIGN's JSON shape (numbers as numbers); `name` is `vm<pre-order index>`. */
export interface BlobVm {
  name: string
  type: VmType
  /** present when the vm_config has an image (base_addr, size or inplace non-zero) */
  image?: BlobImage
  entry: number
  cpuNum: number
  cpuAffinity: number
  colors: number
  regions: BlobRegion[]
  devs: BlobDev[]
  ipcs: BlobIpc[]
  children: BlobVm[]
}

/** `struct config` in DESIGN's JSON shape; `board` and `features` are not in a blob. */
export interface BlobConfig {
  hypColors: number
  shmem: BlobShmem[]
  vms: BlobVm[]
}

export interface ParsedBlob {
  config: BlobConfig
  /** stored images by VM pre-order index (root 0, its children, root 1, ...): blob offset and size */
  images: Map<number, { offset: number; size: number }>
  /** `config_header_size`: the pages VM create takes from the parent (§2.5) */
  headerSize: number
  /** `config_size` */
  size: number
}

const PAGE = BigInt(PAGE_SIZE)
/** deepest VM-stack nesting parseBlob follows (it recurses) */
const MAX_DEPTH = 64
const SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/** Bounds-checked reads of the blob: a read past the end is a 'truncated' blob, never a RangeError. */
class BlobReader {
  private readonly dv: DataView
  constructor(readonly bytes: Uint8Array) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
  private need(at: number, n: number): void {
    if (!(at >= 0 && at + n <= this.bytes.length)) throw new BlobError('truncated', `read of ${n} bytes at ${hex(at)} is past the end of the blob (${hex(this.bytes.length)} bytes)`, at)
  }
  u8(at: number): number { this.need(at, 1); return this.dv.getUint8(at) }
  u32(at: number): number { this.need(at, 4); return this.dv.getUint32(at, true) }
  u32be(at: number): number { this.need(at, 4); return this.dv.getUint32(at, false) }
  u64(at: number): bigint { this.need(at, 8); return this.dv.getBigUint64(at, true) }
}

/**
 * Read a CROSSCON config blob (reference §2.1, §2.2), as the VM-create hypercall receives it
 * (§2.5). Throws `BlobError`, and nothing else, on any malformed input.
 */
export function parseBlob(bytes: Uint8Array, opts: ParseOptions): ParsedBlob {
  const r = new BlobReader(bytes)
  const vmSize = SIZEOF.vm_config[opts.arch]
  const maxVms = opts.maxVms ?? 64
  const maxElements = opts.maxElements ?? 65536
  const len = BigInt(bytes.length)

  if (bytes.length < SIZEOF.config) throw new BlobError('truncated', `blob is ${bytes.length} bytes; struct config needs ${SIZEOF.config}`)
  const magic = r.u32be(CONFIG.fdt_header + FDT_HEADER.magic)
  if (magic !== FDT_MAGIC) throw new BlobError('bad-magic', `fake FDT magic is ${hex(magic)}, expected ${hex(FDT_MAGIC)}`, 0)

  // config_header_size (§2.1 `_config_end`) and config_size (`_images_end`)
  const hdrB = r.u64(CONFIG.config_header_size)
  const sizeB = r.u64(CONFIG.config_size)
  if (hdrB < BigInt(SIZEOF.config) || hdrB % PAGE !== 0n) {
    throw new BlobError('bad-size', `config_header_size ${hex(hdrB)} is not a page multiple holding struct config`, CONFIG.config_header_size)
  }
  if (hdrB > len) throw new BlobError('truncated', `config_header_size is ${hex(hdrB)}, the blob only ${hex(len)} bytes`, CONFIG.config_header_size)
  if (sizeB < hdrB) throw new BlobError('bad-size', `config_size ${hex(sizeB)} is smaller than config_header_size ${hex(hdrB)}`, CONFIG.config_size)
  if (sizeB > len) throw new BlobError('truncated', `config_size is ${hex(sizeB)}, the blob only ${hex(len)} bytes`, CONFIG.config_size)
  const hdr = Number(hdrB)
  const size = Number(sizeB)

  /** a u64 as an exact number (bad-value beyond 2^53) */
  const num = (v: bigint, what: string, at: number): number => {
    if (v > SAFE) throw new BlobError('bad-value', `${what} is ${hex(v)}, beyond 2^53`, at)
    return Number(v)
  }
  const bool = (at: number, what: string): boolean => {
    const v = r.u8(at)
    if (v > 1) throw new BlobError('bad-value', `${what} is ${v}; a bool is 0 or 1`, at)
    return v === 1
  }

  let elements = 0
  /**
   * Check an array (`count` elements of `elemSize` at `ptr`) lies in [0, config_header_size) and
   * return its offset. No multiplication: count is compared with the room left.
   */
  const array = (ptrAt: number, countAt: number, countV: bigint, elemSize: number, align: number, what: string): number => {
    if (countV === 0n) return 0
    const ptr = r.u64(ptrAt)
    if (ptr === 0n) throw new BlobError('bad-pointer', `${what}: ${countV} entries but a null pointer`, ptrAt)
    if (ptr >= hdrB) throw new BlobError('bad-pointer', `${what}: pointer ${hex(ptr)} is outside the header [0, ${hex(hdrB)})`, ptrAt)
    if (ptr % BigInt(align) !== 0n) throw new BlobError('bad-pointer', `${what}: pointer ${hex(ptr)} is not ${align}-byte aligned`, ptrAt)
    if (countV > (hdrB - ptr) / BigInt(elemSize)) {
      throw new BlobError('bad-count', `${what}: ${countV} entries of ${elemSize} bytes at ${hex(ptr)} run past the header end ${hex(hdrB)}`, countAt)
    }
    elements += Number(countV)
    if (elements > maxElements) throw new BlobError('bad-count', `${what}: more than ${maxElements} array elements in the blob`, countAt)
    return Number(ptr)
  }
  const irqList = (ptrAt: number, countAt: number, what: string): number[] => {
    const n = r.u64(countAt)
    const arr = array(ptrAt, countAt, n, SIZEOF.irq, SIZEOF.irq, what)
    const out: number[] = []
    for (let i = 0; i < Number(n); i++) out.push(r.u32(arr + SIZEOF.irq * i))
    return out
  }

  // vmlist: count, then the flexible array of pointers right after struct config
  const vmCount = r.u64(CONFIG.vmlist_size)
  if (vmCount === 0n) throw new BlobError('bad-count', 'vmlist_size is 0: the blob describes no VM', CONFIG.vmlist_size)
  if (vmCount > BigInt(maxVms)) throw new BlobError('bad-count', `vmlist_size is ${vmCount}, more than ${maxVms} VMs`, CONFIG.vmlist_size)
  if (vmCount > (hdrB - BigInt(CONFIG.vmlist)) / BigInt(SIZEOF.ptr)) {
    throw new BlobError('bad-count', `vmlist of ${vmCount} pointers runs past the header end ${hex(hdrB)}`, CONFIG.vmlist_size)
  }
  const configEnd = CONFIG.vmlist + SIZEOF.ptr * Number(vmCount)

  // shmemlist (§2.2 struct shmem)
  const shmemCount = r.u64(CONFIG.shmemlist_size)
  const shmemArr = array(CONFIG.shmemlist, CONFIG.shmemlist_size, shmemCount, SIZEOF.shmem, 8, 'shmemlist')
  const shmem: BlobShmem[] = []
  for (let i = 0; i < Number(shmemCount); i++) {
    const e = shmemArr + SIZEOF.shmem * i
    const what = `shmemlist[${i}]`
    const s: BlobShmem = {
      size: num(r.u64(e + SHMEM.size), `${what}.size`, e + SHMEM.size),
      colors: num(r.u64(e + SHMEM.colors), `${what}.colors`, e + SHMEM.colors),
      placePhys: bool(e + SHMEM.place_phys, `${what}.place_phys`),
    }
    if (s.placePhys) s.phys = num(r.u64(e + SHMEM.phys), `${what}.phys`, e + SHMEM.phys)
    shmem.push(s)
  }

  // vm_configs: each read once (no cycles, no sharing), none overlapping another or struct config
  const taken: { lo: number; hi: number; what: string }[] = [{ lo: 0, hi: configEnd, what: 'struct config' }]
  const images = new Map<number, { offset: number; size: number }>()
  let index = 0

  const readVm = (ptrAt: number, what: string, depth: number): BlobVm => {
    if (depth > MAX_DEPTH) throw new BlobError('bad-count', `${what}: VM-stack children nest deeper than ${MAX_DEPTH}`, ptrAt)
    const ptr = r.u64(ptrAt)
    if (ptr === 0n) throw new BlobError('bad-pointer', `${what}: null vm_config pointer`, ptrAt)
    if (ptr % 8n !== 0n) throw new BlobError('bad-pointer', `${what}: vm_config pointer ${hex(ptr)} is not 8-byte aligned`, ptrAt)
    if (ptr >= hdrB || hdrB - ptr < BigInt(vmSize)) {
      throw new BlobError('bad-pointer', `${what}: vm_config at ${hex(ptr)} (${vmSize} bytes) is not inside the header [0, ${hex(hdrB)})`, ptrAt)
    }
    const v = Number(ptr)
    const clash = taken.find((t) => v < t.hi && t.lo < v + vmSize)
    if (clash) throw new BlobError('overlap', `${what}: vm_config at ${hex(v)} overlaps ${clash.what}`, ptrAt)
    const i = index++
    if (index > maxVms) throw new BlobError('bad-count', `${what}: the blob describes more than ${maxVms} VMs`, ptrAt)
    const name = `vm${i}`
    taken.push({ lo: v, hi: v + vmSize, what: `the vm_config of ${name}` })
    const p = v + VM_CONFIG.platform
    const at = (off: number, field: string): [number, string] => [v + off, `${name}.${field}`]
    const u = (off: number, field: string): number => num(r.u64(v + off), `${name}.${field}`, v + off)

    const typeV = r.u64(v + VM_CONFIG.type)
    if (typeV > 3n) throw new BlobError('bad-value', `${name}.type is ${typeV}; CROSSCON knows 0..3`, v + VM_CONFIG.type)
    const cpuNum = u(VM_CONFIG.platform + PLATFORM_DESC.cpu_num, 'platform.cpu_num')
    if (cpuNum === 0) throw new BlobError('bad-value', `${name}.platform.cpu_num is 0`, p + PLATFORM_DESC.cpu_num)

    // image: base_addr, load_addr/size (an image inside [config_header_size, config_size)), inplace
    const baseAddr = u(VM_CONFIG.image_base_addr, 'image.base_addr')
    const inplace = bool(...at(VM_CONFIG.image_inplace, 'image.inplace'))
    const imgSize = r.u64(v + VM_CONFIG.image_size)
    if (imgSize > 0n) {
      const load = r.u64(v + VM_CONFIG.image_load_addr)
      if (load < hdrB || load > sizeB || imgSize > sizeB - load) {
        throw new BlobError('bad-image', `${name}: image of ${hex(imgSize)} bytes at ${hex(load)} is outside the image area [${hex(hdrB)}, ${hex(sizeB)})`, v + VM_CONFIG.image_load_addr)
      }
      images.set(i, { offset: Number(load), size: Number(imgSize) })
    }

    // regions (§2.2 mem_region): at least one (VM create donates regions[0], §2.5), page granular
    const regionNum = r.u64(p + PLATFORM_DESC.region_num)
    if (regionNum === 0n) throw new BlobError('bad-count', `${name} has no memory region`, p + PLATFORM_DESC.region_num)
    const regArr = array(p + PLATFORM_DESC.regions, p + PLATFORM_DESC.region_num, regionNum, SIZEOF.mem_region, 8, `${name}.regions`)
    const regions: BlobRegion[] = []
    const windows: { lo: bigint; hi: bigint; what: string }[] = []
    for (let k = 0; k < Number(regionNum); k++) {
      const e = regArr + SIZEOF.mem_region * k
      const w = `${name}.regions[${k}]`
      const baseB = r.u64(e + MEM_REGION.base)
      const sizeR = r.u64(e + MEM_REGION.size)
      if (sizeR === 0n || sizeR % PAGE !== 0n) throw new BlobError('bad-size', `${w}.size ${hex(sizeR)} is not a non-zero page multiple`, e + MEM_REGION.size)
      if (baseB % PAGE !== 0n) throw new BlobError('bad-value', `${w}.base ${hex(baseB)} is not page aligned`, e + MEM_REGION.base)
      if (baseB + sizeR > SAFE) throw new BlobError('bad-size', `${w} ${hex(baseB)} + ${hex(sizeR)} ends beyond 2^53`, e + MEM_REGION.size)
      const reg: BlobRegion = {
        base: num(baseB, `${w}.base`, e + MEM_REGION.base),
        size: num(sizeR, `${w}.size`, e + MEM_REGION.size),
        colors: num(r.u64(e + MEM_REGION.colors), `${w}.colors`, e + MEM_REGION.colors),
        placePhys: bool(e + MEM_REGION.place_phys, `${w}.place_phys`),
      }
      if (reg.placePhys) {
        const phys = r.u64(e + MEM_REGION.phys)
        if (phys % PAGE !== 0n) throw new BlobError('bad-value', `${w}.phys ${hex(phys)} is not page aligned`, e + MEM_REGION.phys)
        reg.phys = num(phys, `${w}.phys`, e + MEM_REGION.phys)
      }
      regions.push(reg)
      windows.push({ lo: baseB, hi: baseB + sizeR, what: w })
    }

    // devices (§2.2 dev_region); size 0 = an interrupt grant
    const devNum = r.u64(p + PLATFORM_DESC.dev_num)
    const devArr = array(p + PLATFORM_DESC.devs, p + PLATFORM_DESC.dev_num, devNum, SIZEOF.dev_region, 8, `${name}.devs`)
    const devs: BlobDev[] = []
    for (let k = 0; k < Number(devNum); k++) {
      const e = devArr + SIZEOF.dev_region * k
      const w = `${name}.devs[${k}]`
      const vaB = r.u64(e + DEV_REGION.va)
      const sizeD = r.u64(e + DEV_REGION.size)
      if (vaB + sizeD > SAFE) throw new BlobError('bad-size', `${w} ${hex(vaB)} + ${hex(sizeD)} ends beyond 2^53`, e + DEV_REGION.size)
      const d: BlobDev = {
        pa: num(r.u64(e + DEV_REGION.pa), `${w}.pa`, e + DEV_REGION.pa),
        va: num(vaB, `${w}.va`, e + DEV_REGION.va),
        size: num(sizeD, `${w}.size`, e + DEV_REGION.size),
        interrupts: irqList(e + DEV_REGION.interrupts, e + DEV_REGION.interrupt_num, `${w}.interrupts`),
        id: r.u32(e + DEV_REGION.id),
      }
      // mapped page-rounded, va rounded down (§2.2)
      if (sizeD > 0n) windows.push({ lo: vaB - (vaB % PAGE), hi: ((vaB + sizeD + PAGE - 1n) / PAGE) * PAGE, what: w })
      devs.push(d)
    }

    // IPC windows (§2.2 ipc)
    const ipcNum = r.u64(p + PLATFORM_DESC.ipc_num)
    const ipcArr = array(p + PLATFORM_DESC.ipcs, p + PLATFORM_DESC.ipc_num, ipcNum, SIZEOF.ipc, 8, `${name}.ipcs`)
    const ipcs: BlobIpc[] = []
    for (let k = 0; k < Number(ipcNum); k++) {
      const e = ipcArr + SIZEOF.ipc * k
      const w = `${name}.ipcs[${k}]`
      const baseB = r.u64(e + IPC.base)
      const sizeI = r.u64(e + IPC.size)
      if (baseB + sizeI > SAFE) throw new BlobError('bad-size', `${w} ${hex(baseB)} + ${hex(sizeI)} ends beyond 2^53`, e + IPC.size)
      const c: BlobIpc = {
        base: num(baseB, `${w}.base`, e + IPC.base),
        size: num(sizeI, `${w}.size`, e + IPC.size),
        shmemId: num(r.u64(e + IPC.shmem_id), `${w}.shmem_id`, e + IPC.shmem_id),
        interrupts: irqList(e + IPC.interrupts, e + IPC.interrupt_num, `${w}.interrupts`),
      }
      if (sizeI > 0n) windows.push({ lo: baseB, hi: baseB + sizeI, what: w })
      ipcs.push(c)
    }

    // the VM's guest-physical windows must not overlap (CROSSCON panics on a clash, §2.3)
    const sorted = [...windows].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0))
    for (let k = 1; k < sorted.length; k++) {
      const [a, b] = [sorted[k - 1]!, sorted[k]!]
      if (b.lo < a.hi) throw new BlobError('overlap', `${b.what} (${hex(b.lo)}..${hex(b.hi)}) overlaps ${a.what} (${hex(a.lo)}..${hex(a.hi)})`)
    }

    const vm: BlobVm = {
      name,
      type: Number(typeV) as VmType,
      entry: u(VM_CONFIG.entry, 'entry'),
      cpuNum,
      cpuAffinity: u(VM_CONFIG.cpu_affinity, 'cpu_affinity'),
      colors: u(VM_CONFIG.colors, 'colors'),
      regions,
      devs,
      ipcs,
      children: [],
    }
    if (baseAddr !== 0 || inplace || imgSize > 0n) vm.image = { baseAddr, inplace }

    // children: an array of pointers to vm_configs, read depth-first (pre-order index)
    const childNum = r.u64(v + VM_CONFIG.children_num)
    const childArr = array(v + VM_CONFIG.children, v + VM_CONFIG.children_num, childNum, SIZEOF.ptr, 8, `${name}.children`)
    for (let k = 0; k < Number(childNum); k++) vm.children.push(readVm(childArr + SIZEOF.ptr * k, `${name}.children[${k}]`, depth + 1))
    return vm
  }

  const vms: BlobVm[] = []
  for (let k = 0; k < Number(vmCount); k++) vms.push(readVm(CONFIG.vmlist + SIZEOF.ptr * k, `vmlist[${k}]`, 0))
  const hypColors = num(r.u64(CONFIG.hyp_colors), 'hyp_colors', CONFIG.hyp_colors)
  return { config: { hypColors, shmem, vms }, images, headerSize: hdr, size }
}
