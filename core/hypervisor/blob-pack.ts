/** Writing a config in CROSSCON's binary layout (`baobab config pack`; reference §2.1). */
import { readFileSync } from 'node:fs'
import { hex } from '../bus.ts'
import { hasElfMagic, ImageError, parseElf } from '../loader/elf.ts'
import type { HvConfig, HvVmConfig } from './config.ts'
import { BlobError, CONFIG, DEV_REGION, FDT_FAKE_OFFSET, FDT_HEADER, FDT_LAST_COMP_VERSION, FDT_MAGIC, FDT_VERSION, IPC, MEM_REGION, PAGE_SIZE, PLATFORM_DESC, SHMEM, SIZEOF, VM_CONFIG, vmConfigBytes, type BlobArch } from './blob-layout.ts'

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
  const vmSize = vmConfigBytes(opts.arch)
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
    // console.base, cache and the arch's block stay 0 (§2.2: board-only fields, ignored for a
    // VM; an arch whose VMs place windows of their own, Arm's vGIC, would carry them there —
    // not yet: its `arch` options are not packed)

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
