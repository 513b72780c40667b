/** Reading a config blob in CROSSCON's binary layout, as the VM-create hypercall receives it (§2.5). */
import { hex } from '../bus.ts'
import type { VmType } from './config.ts'
import { BlobError, CONFIG, DEV_REGION, FDT_HEADER, FDT_MAGIC, IPC, MEM_REGION, PAGE_SIZE, PLATFORM_DESC, SHMEM, SIZEOF, VM_CONFIG, vmConfigBytes, type BlobArch } from './blob-layout.ts'

// ---- parsing ----

export interface ParseOptions {
  arch: BlobArch
  /** most VMs (roots and children together) a blob may describe; default 64 */
  maxVms?: number
  /** most array elements (regions, devs, ipcs, shmem, interrupts, children) in all; default 65536 */
  maxElements?: number
  /**
   * the whole blob's length when `bytes` holds only its first part (at least its header pages:
   * every struct lies there): VM create reads no more of the guest's memory than it parses
   */
  length?: number
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
  const vmSize = vmConfigBytes(opts.arch)
  const maxVms = opts.maxVms ?? 64
  const maxElements = opts.maxElements ?? 65536
  const len = BigInt(Math.max(opts.length ?? bytes.length, bytes.length))

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
