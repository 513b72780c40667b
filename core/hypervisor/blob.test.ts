import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import yargs from 'yargs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { qemuVirtRiscv64 } from '../../plugins/board-qemu-virt-riscv64/qemu-virt-riscv64.ts'
import { ARCH_PLATFORM as RISCV_ARCH_PLATFORM, configBlob as riscvBlob } from '../../plugins/arch-riscv64/config-blob.ts'
import { ARCH_PLATFORM as ARMV8_ARCH_PLATFORM, configBlob as armBlob } from '../../plugins/arch-aarch64/config-blob.ts'
import { configCommand, packConfigFile, type ConfigIo } from '../../bin/commands/config.ts'
import { PluginHost } from '../plugins.ts'
import { riscv64 } from '../../plugins/arch-riscv64/arch.ts'
import {
  BlobError, CACHE, CONFIG, DEV_REGION, FDT_HEADER, IPC, MEM_REGION, PLATFORM_DESC, SHMEM, SIZEOF,
  VM_CONFIG, packConfig, parseBlob, platformDescBytes, vmConfigBytes, type BlobArch, type BlobConfig, type BlobErrorCode, type BlobVm, type ParsedBlob,
} from './blob.ts'
import { validateConfig, type HvConfig, type HvVmConfig } from './config.ts'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const C_FIXTURE = join(ROOT, 'test/fixtures/crosscon-blob')
const DEMO = join(ROOT, 'guests/images/riscv64-vm')
/** the two architectures' parts of the layout (their plugins' config-blob.ts), by name */
type ArchName = 'riscv64' | 'aarch64'
const ARCHS: ArchName[] = ['riscv64', 'aarch64']
const LAYOUT: Record<ArchName, BlobArch> = { riscv64: riscvBlob, aarch64: armBlob }
const CODES: readonly BlobErrorCode[] = ['truncated', 'bad-magic', 'bad-size', 'bad-pointer', 'bad-count', 'overlap', 'bad-value', 'bad-image']

/* eslint-disable @typescript-eslint/no-explicit-any */
type Raw = any

let dir: string
/** image files by name, as written to `dir` */
const files: Record<string, Uint8Array> = {}

/** Deterministic bytes (xorshift32), so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13; s >>>= 0
    s ^= s >>> 17
    s ^= s << 5; s >>>= 0
    return s
  }
}
function randomBytes(n: number, seed: number): Uint8Array {
  const r = rng(seed)
  return Uint8Array.from({ length: n }, () => r() & 0xff)
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'baobab-blob-'))
  files['a.bin'] = randomBytes(5000, 1)
  files['b.bin'] = randomBytes(100, 2)
  files['c.bin'] = randomBytes(4096, 3)
  for (const [n, b] of Object.entries(files)) writeFileSync(join(dir, n), b)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Two root VMs; the second a TEE parent with a GPOS child that has an enclave child. */
function rich(): Raw {
  return {
    board: 'qemu-virt-riscv64',
    hypColors: '0x3',
    shmem: [{ size: '64K' }, { size: '8K', colors: '0x5', phys: '0xc0000000' }],
    vms: [
      {
        name: 'linux',
        image: { path: 'a.bin', baseAddr: '0x80200000' },
        cpuNum: 1,
        cpuAffinity: '0x1',
        regions: [{ base: '0x80200000', size: '64M' }],
        devs: [
          { pa: '0x10000000', va: '0x10000000', size: '0x1000', interrupts: [10] },
          { size: 0, interrupts: [11, 13] },
        ],
        ipcs: [{ base: '0xf0000000', size: '64K', shmemId: 0, interrupts: [52] }],
      },
      {
        name: 'tee',
        type: 'tee-parent',
        image: { path: 'b.bin', baseAddr: '0x90000000', inplace: true },
        cpuNum: 1,
        cpuAffinity: '0x2',
        colors: '0xf0',
        regions: [
          { base: '0x90000000', size: '16M', colors: '0x30' },
          { base: '0xa0000000', size: '4K', placePhys: true, phys: '0xb0000000' },
        ],
        devs: [
          { pa: '0x10001000', va: '0x20000000', size: '4K', interrupts: [12], id: 7 },
          { va: '0x30000000', size: '0x100', emulate: 'ns16550', interrupts: [20] },
        ],
        ipcs: [{ base: '0x70000000', size: '8K', shmemId: 1 }],
        children: [
          {
            name: 'gpos',
            type: 'gpos',
            image: { path: 'c.bin', baseAddr: '0x98000000' },
            cpuNum: 1,
            regions: [{ base: '0x98000000', size: '1M' }],
            children: [{ name: 'enclave', type: 'enclave', entry: '0x99000000', cpuNum: 1, regions: [{ base: '0x99000000', size: '1M' }] }],
          },
        ],
      },
    ],
  }
}

function validate(raw: Raw): HvConfig {
  return validateConfig(raw, { baseDir: dir, board: qemuVirtRiscv64, deviceTypes: ['ns16550', 'plic', 'aclint', 'sifive-test'] })
}

function pack(raw: Raw, arch: ArchName = 'riscv64', images = true): Uint8Array {
  return packConfig(validate(raw), { arch: LAYOUT[arch], images })
}

/** What parseBlob should give for a config: DESIGN's shape, names by pre-order index. */
function expected(cfg: HvConfig): BlobConfig {
  let index = 0
  const vm = (v: HvVmConfig): BlobVm => {
    const out: BlobVm = {
      name: `vm${index++}`,
      type: v.type,
      entry: v.entry,
      cpuNum: v.cpuNum,
      cpuAffinity: v.cpuAffinity,
      colors: v.colors,
      regions: v.regions.map((r) => ({ base: r.base, size: r.size, colors: r.colors, placePhys: r.placePhys, ...(r.placePhys ? { phys: r.phys } : {}) })),
      devs: v.devs.filter((d) => d.emulate === undefined).map((d) => ({ pa: d.pa ?? 0, va: d.va, size: d.size, interrupts: d.interrupts, id: d.id })),
      ipcs: v.ipcs.map((c) => ({ base: c.base, size: c.size, shmemId: c.shmemId, interrupts: c.interrupts })),
      children: [],
    }
    if (v.image) out.image = { baseAddr: v.image.baseAddr, inplace: v.image.inplace }
    out.children = v.children.map(vm)
    return out
  }
  return {
    hypColors: cfg.hypColors,
    shmem: cfg.shmem.map((s) => ({ size: s.size, colors: s.colors, placePhys: s.placePhys, ...(s.placePhys ? { phys: s.phys } : {}) })),
    vms: cfg.vms.map(vm),
  }
}

const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength)
const u64 = (b: Uint8Array, at: number): number => Number(dv(b).getBigUint64(at, true))
const u32 = (b: Uint8Array, at: number): number => dv(b).getUint32(at, true)
const set64 = (b: Uint8Array, at: number, v: number | bigint): void => dv(b).setBigUint64(at, BigInt(v), true)

/** Offset of the vm_config that vmlist[k] points to. */
const vmAt = (b: Uint8Array, k: number): number => u64(b, CONFIG.vmlist + 8 * k)
const plat = (vm: number): number => vm + VM_CONFIG.platform

function codeOf(b: Uint8Array, arch: ArchName = 'riscv64', maxVms?: number): BlobErrorCode | 'ok' {
  try {
    parseBlob(b, { arch: LAYOUT[arch], maxVms })
    return 'ok'
  } catch (e) {
    if (e instanceof BlobError) return e.code
    throw e
  }
}

describe('packConfig → parseBlob round trip', () => {
  for (const arch of ARCHS) {
    it(`gives back every VM field (${arch})`, () => {
      const cfg = validate(rich())
      const blob = packConfig(cfg, { arch: LAYOUT[arch], images: true })
      const parsed = parseBlob(blob, { arch: LAYOUT[arch] })
      expect(parsed.config).toEqual(expected(cfg))
      expect(parsed.headerSize).toBe(0x1000)
      expect(parsed.size).toBe(blob.length)
      // images by pre-order index: linux 0, tee 1, gpos 2 (the enclave has none)
      expect([...parsed.images.keys()]).toEqual([0, 1, 2])
      const names = ['a.bin', 'b.bin', 'c.bin']
      for (const [i, { offset, size }] of parsed.images) {
        expect(offset % 0x1000).toBe(0)
        expect(offset).toBeGreaterThanOrEqual(parsed.headerSize)
        expect(blob.subarray(offset, offset + size)).toEqual(files[names[i]!])
      }
    })
  }

  it('without images: load_addr and size are 0, the blob is the header only', () => {
    const blob = pack(rich(), 'riscv64', false)
    expect(blob.length).toBe(0x1000)
    const parsed = parseBlob(blob, { arch: LAYOUT.riscv64 })
    expect(parsed.images.size).toBe(0)
    expect(parsed.config).toEqual(expected(validate(rich())))
    expect(u64(blob, vmAt(blob, 0) + VM_CONFIG.image_load_addr)).toBe(0)
    expect(u64(blob, vmAt(blob, 0) + VM_CONFIG.image_size)).toBe(0)
  })

  it('leaves emulated devices out and says so', () => {
    const warnings: string[] = []
    packConfig(validate(rich()), { arch: LAYOUT.riscv64, images: false, warn: (m) => warnings.push(m) })
    expect(warnings).toEqual([expect.stringMatching(/tee.*devs\[1\].*emulated ns16550 at 0x30000000.*not packed/)])
  })

  it('packs a header of several pages, and warns when it is more than the 2 CROSSCON maps', () => {
    const raw = rich()
    raw.vms[0].regions = Array.from({ length: 250 }, (_, i) => ({ base: 0x80200000 + i * 0x4000, size: '8K' }))
    const cfg = validate(raw)
    const warnings: string[] = []
    const blob = packConfig(cfg, { arch: LAYOUT.riscv64, images: true, warn: (m) => warnings.push(m) })
    expect(warnings).toContainEqual(expect.stringMatching(/config_header_size is 0x4000.*§11\.12/))
    const parsed = parseBlob(blob, { arch: LAYOUT.riscv64 })
    expect(parsed.headerSize).toBe(0x4000)
    expect(parsed.images.get(0)!.offset).toBe(0x4000)
    expect(parsed.config).toEqual(expected(cfg))
  })

  it('packs an ELF image as objcopy -O binary would (the demo .elf gives the demo .bin)', () => {
    const raw = rich()
    raw.vms[0].image.path = join(DEMO, 'demo-0x80200000.elf')
    const blob = pack(raw)
    const { images } = parseBlob(blob, { arch: LAYOUT.riscv64 })
    const { offset, size } = images.get(0)!
    expect(blob.subarray(offset, offset + size)).toEqual(new Uint8Array(readFileSync(join(DEMO, 'demo-0x80200000.bin'))))
  })

  it('refuses an ELF whose segments lie below image.baseAddr', () => {
    const raw = rich()
    raw.vms[0].image = { path: join(DEMO, 'demo-0x80200000.elf'), baseAddr: '0x80201000' }
    raw.vms[0].entry = '0x80201000'
    expect(() => pack(raw)).toThrow(expect.objectContaining({ code: 'bad-image', message: expect.stringMatching(/below image.baseAddr/) }))
  })
})

describe('byte layout (reference §2.1, §2.2)', () => {
  it('starts with the fake big-endian FDT header CROSSCON\'s CONFIG_HEADER stores', () => {
    const blob = pack(rich())
    expect([...blob.subarray(0, 40)]).toEqual([
      0xd0, 0x0d, 0xfe, 0xed, // magic
      0, 0, 0, 40, // totalsize
      0, 0, 0, 40, // off_dt_struct
      0, 0, 0, 40, // off_dt_strings
      0, 0, 0, 40, // off_mem_rsvmap
      0, 0, 0, 17, // version
      0, 0, 0, 2, // last_comp_version
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // boot_cpuid_phys, size_dt_strings, size_dt_struct
    ])
    expect(u64(blob, 40)).toBe(0x1000) // config_header_size: page-aligned end of the struct data
    expect(u64(blob, 48)).toBe(blob.length) // config_size: page-aligned end of the images
    expect(blob.length % 0x1000).toBe(0)
  })

  for (const [arch, vmSize] of [['riscv64', 648], ['aarch64', 768]] as const) {
    it(`places every field at its documented offset (${arch}, vm_config ${vmSize} bytes)`, () => {
      const blob = pack(rich(), arch)
      const d = dv(blob)
      // struct config
      expect(u64(blob, 56)).toBe(0x3) // hyp_colors
      expect(u64(blob, 64)).toBe(2) // shmemlist_size
      expect(u64(blob, 80)).toBe(2) // vmlist_size
      const vm0 = u64(blob, 88)
      const vm1 = u64(blob, 96)
      expect(vm0).toBe(104) // right after the struct and its 2-entry vmlist
      expect(vm1 - vm0).toBe(vmSize) // vm0 has no children: vm1 follows it
      // vm_config of "linux"
      expect(u64(blob, vm0 + 0)).toBe(0x80200000) // image.base_addr
      const load = u64(blob, vm0 + 8) // image.load_addr: a blob offset
      expect(u64(blob, vm0 + 16)).toBe(5000) // image.size
      expect(blob.subarray(load, load + 5000)).toEqual(files['a.bin'])
      expect(blob[vm0 + 24]).toBe(0) // image.inplace
      expect(u64(blob, vm0 + 32)).toBe(0x80200000) // entry
      expect(u64(blob, vm0 + 40)).toBe(0x1) // cpu_affinity
      expect(u64(blob, vm0 + 48)).toBe(0) // colors
      expect(u64(blob, vm0 + 56)).toBe(0) // type: GPOS
      expect(u64(blob, vm0 + 64)).toBe(0) // children_num
      expect(u64(blob, vm0 + 72)).toBe(0) // children: null
      // platform_desc at vm_config + 80
      const p0 = vm0 + 80
      expect(u64(blob, p0 + 0)).toBe(1) // cpu_num
      expect(u64(blob, p0 + 8)).toBe(1) // region_num
      const regions = u64(blob, p0 + 16) // regions
      expect(u64(blob, regions + 0)).toBe(0x80200000) // mem_region.base
      expect(u64(blob, regions + 8)).toBe(64 << 20) // mem_region.size
      expect(u64(blob, p0 + 24)).toBe(1) // ipc_num
      const ipcs = u64(blob, p0 + 32)
      expect(u64(blob, ipcs + 0)).toBe(0xf0000000) // ipc.base
      expect(u64(blob, ipcs + 8)).toBe(0x10000) // ipc.size
      expect(u64(blob, ipcs + 16)).toBe(0) // ipc.shmem_id
      expect(u64(blob, ipcs + 24)).toBe(1) // ipc.interrupt_num
      expect(u32(blob, u64(blob, ipcs + 32))).toBe(52) // *ipc.interrupts
      expect(u64(blob, p0 + 40)).toBe(2) // dev_num
      const devs = u64(blob, p0 + 48)
      expect(u64(blob, devs + 0)).toBe(0x10000000) // dev_region.pa
      expect(u64(blob, devs + 8)).toBe(0x10000000) // dev_region.va
      expect(u64(blob, devs + 16)).toBe(0x1000) // dev_region.size
      expect(u64(blob, devs + 24)).toBe(1) // dev_region.interrupt_num
      expect(u32(blob, u64(blob, devs + 32))).toBe(10) // *dev_region.interrupts
      expect(u64(blob, devs + 48 + 16)).toBe(0) // devs[1]: an interrupt grant (size 0)
      const grant = u64(blob, devs + 48 + 32)
      expect([u32(blob, grant), u32(blob, grant + 4)]).toEqual([11, 13])
      // console.base, cache and arch (RISC-V plic_base / Arm gic...) are all zero
      expect(blob.subarray(p0 + 56, vm0 + vmSize).every((x) => x === 0)).toBe(true)
      // vm_config of "tee": type 1, inplace, colours, one child
      expect(u64(blob, vm1 + 56)).toBe(1)
      expect(blob[vm1 + 24]).toBe(1)
      expect(u64(blob, vm1 + 48)).toBe(0xf0)
      const p1 = vm1 + 80
      const r1 = u64(blob, p1 + 16)
      expect(u64(blob, r1 + 16)).toBe(0x30) // regions[0].colors
      expect(blob[r1 + 40 + 24]).toBe(1) // regions[1].place_phys
      expect(u64(blob, r1 + 40 + 32)).toBe(0xb0000000) // regions[1].phys
      expect(u64(blob, p1 + 40)).toBe(1) // the emulated device is not packed
      expect(u32(blob, u64(blob, p1 + 48) + 40)).toBe(7) // dev_region.id (u32)
      expect(u64(blob, p1 + 24)).toBe(1)
      expect(u64(blob, u64(blob, p1 + 32) + 24)).toBe(0) // ipc without interrupts:
      expect(u64(blob, u64(blob, p1 + 32) + 32)).toBe(0) // count 0, null pointer
      expect(u64(blob, vm1 + 64)).toBe(1) // children_num
      const child = u64(blob, u64(blob, vm1 + 72)) // children → array of pointers
      expect(child).toBe(vm1 + vmSize) // pre-order: the child follows its parent
      expect(u64(blob, child + 56)).toBe(0) // type: GPOS (a tee-parent's child is its GPOS)
      const grandchild = u64(blob, u64(blob, child + 72))
      expect(u64(blob, grandchild + 56)).toBe(3) // enclave
      expect(u64(blob, grandchild + 16)).toBe(0) // no image: size 0
      expect(u64(blob, grandchild + 32)).toBe(0x99000000) // entry
      // shmemlist
      const sh = u64(blob, 72)
      expect(u64(blob, sh + 0)).toBe(0x10000)
      expect(u64(blob, sh + 40 + 8)).toBe(0x5) // shmem[1].colors
      expect(blob[sh + 40 + 16]).toBe(1) // shmem[1].place_phys
      expect(u64(blob, sh + 40 + 24)).toBe(0xc0000000) // shmem[1].phys
      expect(u64(blob, sh + 40 + 32)).toBe(0) // cpu_masters (runtime)
      // every pointer is naturally aligned and inside the header
      for (const ptr of [vm0, vm1, regions, ipcs, devs, grant, child, grandchild, sh]) {
        expect(ptr).toBeLessThan(0x1000)
      }
      expect(d.getUint32(0, false)).toBe(0xd00dfeed)
    })
  }

  it('exports the documented sizes', () => {
    expect(ARCHS.map((a) => vmConfigBytes(LAYOUT[a]))).toEqual([648, 768])
    expect(ARCHS.map((a) => platformDescBytes(LAYOUT[a]))).toEqual([568, 688])
    expect(ARCHS.map((a) => LAYOUT[a].archPlatformBytes)).toEqual([8, 128])
    expect([SIZEOF.mem_region, SIZEOF.dev_region, SIZEOF.ipc, SIZEOF.shmem]).toEqual([40, 48, 40, 40])
  })
})

describe('parseBlob rejects malformed blobs', () => {
  let good: Uint8Array
  beforeAll(() => { good = pack(rich()) })
  const edit = (f: (b: Uint8Array) => void): Uint8Array => {
    const b = good.slice()
    f(b)
    return b
  }
  const p0 = (b: Uint8Array): number => plat(vmAt(b, 0))
  const p1 = (b: Uint8Array): number => plat(vmAt(b, 1))
  const U64_MAX = (1n << 64n) - 1n

  it('accepts the unmodified blob', () => {
    expect(codeOf(good)).toBe('ok')
  })

  const cases: [string, BlobErrorCode, (b: Uint8Array) => Uint8Array | void][] = [
    // truncation
    ['empty', 'truncated', () => new Uint8Array(0)],
    ['shorter than struct config', 'truncated', (b) => b.slice(0, 87)],
    ['shorter than config_header_size', 'truncated', (b) => b.slice(0, 0xfff)],
    ['shorter than config_size', 'truncated', (b) => b.slice(0, b.length - 1)],
    ['config_header_size beyond the blob', 'truncated', (b) => set64(b, 40, b.length + 0x1000)],
    ['config_size beyond the blob', 'truncated', (b) => set64(b, 48, b.length + 1)],
    // header
    ['bad FDT magic', 'bad-magic', (b) => { b[0] = 0xed }],
    ['little-endian magic', 'bad-magic', (b) => dv(b).setUint32(0, 0xd00dfeed, true)],
    ['config_header_size not page aligned', 'bad-size', (b) => set64(b, 40, 0x1008)],
    ['config_header_size 0', 'bad-size', (b) => set64(b, 40, 0)],
    ['config_header_size 2^64-1', 'bad-size', (b) => set64(b, 40, U64_MAX)],
    ['config_size below config_header_size', 'bad-size', (b) => set64(b, 48, 0x800)],
    // VM list
    ['vmlist_size 0', 'bad-count', (b) => set64(b, 80, 0)],
    ['vmlist_size above maxVms', 'bad-count', (b) => set64(b, 80, 65)],
    ['vmlist_size 2^64-1', 'bad-count', (b) => set64(b, 80, U64_MAX)],
    ['vmlist[0] null', 'bad-pointer', (b) => set64(b, 88, 0)],
    ['vmlist[0] misaligned', 'bad-pointer', (b) => set64(b, 88, vmAt(b, 0) + 4)],
    ['vmlist[0] at config_header_size', 'bad-pointer', (b) => set64(b, 88, 0x1000)],
    ['vmlist[0] so close to the end the vm_config runs past', 'bad-pointer', (b) => set64(b, 88, 0x1000 - 8)],
    ['vmlist[0] far outside', 'bad-pointer', (b) => set64(b, 88, U64_MAX - 7n)],
    ['vmlist[0] on the struct config itself', 'overlap', (b) => set64(b, 88, 8)],
    ['vmlist[1] = vmlist[0]', 'overlap', (b) => set64(b, 96, vmAt(b, 0))],
    ['vm_configs half-overlapping', 'overlap', (b) => set64(b, 96, vmAt(b, 0) + 8)],
    // regions
    ['regions pointer outside the header', 'bad-pointer', (b) => set64(b, p0(b) + 16, 0x1000)],
    ['regions pointer far outside', 'bad-pointer', (b) => set64(b, p0(b) + 16, U64_MAX - 7n)],
    ['regions pointer misaligned', 'bad-pointer', (b) => set64(b, p0(b) + 16, u64(b, p0(b) + 16) + 2)],
    ['regions null with region_num 1', 'bad-pointer', (b) => set64(b, p0(b) + 16, 0)],
    ['region_num 0', 'bad-count', (b) => set64(b, p0(b) + 8, 0)],
    ['region_num 2^64-1 (no overflow)', 'bad-count', (b) => set64(b, p0(b) + 8, U64_MAX)],
    ['region_num 2^61 (× 40 wraps in 64 bits)', 'bad-count', (b) => set64(b, p0(b) + 8, 1n << 61n)],
    ['region_num one past the header end', 'bad-count', (b) => set64(b, p0(b) + 8, Math.floor((0x1000 - u64(b, p0(b) + 16)) / 40) + 1)],
    ['region size 0', 'bad-size', (b) => set64(b, u64(b, p0(b) + 16) + 8, 0)],
    ['region size not a page multiple', 'bad-size', (b) => set64(b, u64(b, p0(b) + 16) + 8, 0x1001)],
    ['region wrapping 2^64', 'bad-size', (b) => set64(b, u64(b, p0(b) + 16) + 8, 0xffff_ffff_ffff_f000n)],
    ['region base not page aligned', 'bad-value', (b) => set64(b, u64(b, p0(b) + 16), 0x80200010)],
    ['regions overlapping each other', 'overlap', (b) => set64(b, u64(b, p1(b) + 16) + 40, 0x90800000)],
    ['two identical regions', 'overlap', (b) => set64(b, u64(b, p1(b) + 16) + 40, 0x90000000)],
    ['a device window over a region', 'overlap', (b) => set64(b, u64(b, p0(b) + 48) + 8, 0x80201000)],
    ['an IPC window over a region', 'overlap', (b) => set64(b, u64(b, p0(b) + 32), 0x80300000)],
    // devices, IPCs, interrupts
    ['devs pointer outside', 'bad-pointer', (b) => set64(b, p0(b) + 48, 0x2000)],
    ['devs pointer misaligned', 'bad-pointer', (b) => set64(b, p0(b) + 48, u64(b, p0(b) + 48) + 4)],
    ['dev_num too large', 'bad-count', (b) => set64(b, p0(b) + 40, 1n << 60n)],
    ['dev interrupts pointer outside', 'bad-pointer', (b) => set64(b, u64(b, p0(b) + 48) + 32, 0x1000)],
    ['dev interrupts pointer misaligned', 'bad-pointer', (b) => set64(b, u64(b, p0(b) + 48) + 32, u64(b, u64(b, p0(b) + 48) + 32) + 2)],
    ['dev interrupts null with a count', 'bad-pointer', (b) => set64(b, u64(b, p0(b) + 48) + 32, 0)],
    ['dev interrupt_num 2^62 (× 4 wraps)', 'bad-count', (b) => set64(b, u64(b, p0(b) + 48) + 24, 1n << 62n)],
    ['ipcs pointer outside', 'bad-pointer', (b) => set64(b, p0(b) + 32, 0x10000)],
    ['ipc_num too large', 'bad-count', (b) => set64(b, p0(b) + 24, 1000)],
    ['ipc interrupts pointer outside', 'bad-pointer', (b) => set64(b, u64(b, p0(b) + 32) + 32, 0x1004)],
    ['ipc interrupt_num too large', 'bad-count', (b) => set64(b, u64(b, p0(b) + 32) + 24, 0x400)],
    // children
    ['children pointer outside', 'bad-pointer', (b) => set64(b, vmAt(b, 1) + 72, 0x1000)],
    ['children pointer misaligned', 'bad-pointer', (b) => set64(b, vmAt(b, 1) + 72, u64(b, vmAt(b, 1) + 72) + 1)],
    ['children null with children_num 1', 'bad-pointer', (b) => set64(b, vmAt(b, 1) + 72, 0)],
    ['children_num 2^63', 'bad-count', (b) => set64(b, vmAt(b, 1) + 64, 1n << 63n)],
    ['child pointer outside', 'bad-pointer', (b) => set64(b, u64(b, vmAt(b, 1) + 72), 0x1008)],
    ['a VM its own child (cycle)', 'overlap', (b) => set64(b, u64(b, vmAt(b, 1) + 72), vmAt(b, 1))],
    ['a child shared with another root', 'overlap', (b) => set64(b, u64(b, vmAt(b, 1) + 72), vmAt(b, 0))],
    // shmemlist
    ['shmemlist pointer outside', 'bad-pointer', (b) => set64(b, 72, 0x1000)],
    ['shmemlist pointer misaligned', 'bad-pointer', (b) => set64(b, 72, u64(b, 72) + 4)],
    ['shmemlist null with a count', 'bad-pointer', (b) => set64(b, 72, 0)],
    ['shmemlist_size too large', 'bad-count', (b) => set64(b, 64, 200)],
    // images
    ['image load_addr inside the header', 'bad-image', (b) => set64(b, vmAt(b, 0) + 8, 0)],
    ['image running past config_size', 'bad-image', (b) => set64(b, vmAt(b, 0) + 16, b.length)],
    ['image size 2^64-1 (no overflow)', 'bad-image', (b) => set64(b, vmAt(b, 0) + 16, U64_MAX)],
    ['image load_addr 2^64-1', 'bad-image', (b) => set64(b, vmAt(b, 0) + 8, U64_MAX)],
    // values
    ['type 4', 'bad-value', (b) => set64(b, vmAt(b, 0) + 56, 4)],
    ['inplace 2', 'bad-value', (b) => { b[vmAt(b, 0) + 24] = 2 }],
    ['cpu_num 0', 'bad-value', (b) => set64(b, p0(b), 0)],
    ['entry beyond 2^53', 'bad-value', (b) => set64(b, vmAt(b, 0) + 32, 1n << 60n)],
    ['hyp_colors beyond 2^53', 'bad-value', (b) => set64(b, 56, U64_MAX)],
  ]
  for (const [what, code, f] of cases) {
    it(`${what} → ${code}`, () => {
      const b = good.slice()
      const out = f(b) ?? b
      expect(codeOf(out)).toBe(code)
    })
  }

  it('counts children against maxVms', () => {
    expect(codeOf(good, 'riscv64', 4)).toBe('ok') // linux, tee, gpos, enclave
    expect(codeOf(good, 'riscv64', 3)).toBe('bad-count')
    expect(codeOf(good, 'riscv64', 1)).toBe('bad-count') // vmlist_size 2 > 1
  })

  it('reads a riscv64 blob as aarch64 only if the bigger vm_configs still make sense', () => {
    // 768-byte vm_configs at 648-byte spacing overlap each other
    expect(codeOf(good, 'aarch64')).toBe('overlap')
  })

  it('gives a one-line message and the offset at fault', () => {
    try {
      parseBlob(edit((b) => set64(b, p0(b) + 16, 0x1000)), { arch: LAYOUT.riscv64 })
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(BlobError)
      const be = e as BlobError
      expect(be.name).toBe('BlobError')
      expect(be.message).toMatch(/^vm0\.regions: pointer 0x1000 is outside the header \[0, 0x1000\)$/)
      expect(be.at).toBe(p0(good) + 16)
    }
  })

  it('survives 10,000 random mutations and truncations with BlobError or a result', () => {
    const r = rng(0xb10b)
    const interesting = [0n, 1n, 8n, 40n, 88n, 0xfffn, 0x1000n, 0x1001n, BigInt(good.length), (1n << 63n), (1n << 64n) - 1n, (1n << 64n) - 8n, (1n << 53n)]
    const counts = new Map<string, number>()
    const blobs = { riscv64: good, aarch64: pack(rich(), 'aarch64') }
    for (let i = 0; i < 10_000; i++) {
      const arch: ArchName = r() % 2 ? 'riscv64' : 'aarch64'
      let b = blobs[arch].slice()
      const mutations = 1 + (r() % 4)
      for (let m = 0; m < mutations; m++) {
        const kind = r() % 4
        if (kind === 0) {
          // flip a bit in the struct data (where it matters most)
          b[r() % 0x400]! ^= 1 << (r() % 8)
        } else if (kind === 1) {
          // a random byte anywhere
          b[r() % b.length] = r() & 0xff
        } else {
          // an interesting u64, or a plausible offset (in or just past the header), at an aligned place
          const at = (r() % 0x400) & ~7
          set64(b, at, kind === 2 ? interesting[r() % interesting.length]! : BigInt(r() % 0x1100))
        }
      }
      // and one time in six, cut it short
      if (r() % 6 === 0) b = b.slice(0, r() % (b.length + 1))
      let result: ParsedBlob | undefined
      try {
        result = parseBlob(b, { arch: LAYOUT[arch], maxVms: 1 + (r() % 8) })
      } catch (e) {
        if (!(e instanceof BlobError)) throw new Error(`mutation ${i}: ${(e as Error).stack}`)
        expect(CODES).toContain(e.code)
        counts.set(e.code, (counts.get(e.code) ?? 0) + 1)
        continue
      }
      counts.set('ok', (counts.get('ok') ?? 0) + 1)
      // a successful parse only ever points inside the blob
      for (const { offset, size } of result.images.values()) expect(offset + size).toBeLessThanOrEqual(b.length)
      expect(result.headerSize).toBeLessThanOrEqual(b.length)
    }
    // the fuzzer reached success and every code
    expect(counts.get('ok') ?? 0).toBeGreaterThan(500)
    expect([...counts.keys()].sort()).toEqual([...CODES, 'ok'].sort())
  })
})

// ---- the layout against C (riscv64-unknown-elf-gcc), when the cross compiler is installed ----

function hasTool(name: string): boolean {
  try {
    execFileSync(name, ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
const GCC = 'riscv64-unknown-elf-gcc'
const haveGcc = hasTool(GCC) && hasTool('riscv64-unknown-elf-ld') && hasTool('riscv64-unknown-elf-objcopy')
const CFLAGS = ['-std=gnu11', '-O0', '-ffreestanding', '-fno-common', '-fno-zero-initialized-in-bss', '-msmall-data-limit=0', '-Wall', '-Werror', `-I${C_FIXTURE}`]

/** [C struct, member designator, the offset blob.ts uses] for every field blob.ts knows. */
function layoutChecks(arch: ArchName): [string, string, number][] {
  const out: [string, string, number][] = []
  const add = (struct: string, table: Record<string, number>, member: (k: string) => string): void => {
    for (const [k, off] of Object.entries(table)) out.push([struct, member(k), off])
  }
  const fdt: Record<string, string> = {}
  add('struct fdt_header', FDT_HEADER, (k) => fdt[k] ?? k)
  add('struct config', CONFIG, (k) => k)
  add('struct vm_config', VM_CONFIG, (k) => k.replace(/^image_/, 'image.'))
  add('struct platform_desc', PLATFORM_DESC, (k) => k.replace(/^console_/, 'console.'))
  add('struct cache', CACHE, (k) => k)
  add('struct mem_region', MEM_REGION, (k) => k)
  add('struct dev_region', DEV_REGION, (k) => k)
  add('struct ipc', IPC, (k) => k)
  add('struct shmem', SHMEM, (k) => k)
  if (arch === 'riscv64') add('struct arch_platform', RISCV_ARCH_PLATFORM, (k) => k)
  else {
    add('struct arch_platform', ARMV8_ARCH_PLATFORM, (k) => k
      .replace(/^gic_/, 'gic.').replace(/^smmu_(?!groups)/, 'smmu.').replace(/^smmu_groups$/, 'smmu.smmu_groups')
      .replace(/^generic_timer_irqs_/, 'generic_timer.irqs.').replace(/^generic_timer_/, 'generic_timer.').replace(/^clusters_/, 'clusters.'))
  }
  return out
}

function sizeChecks(arch: ArchName): [string, number][] {
  return [
    ['struct fdt_header', SIZEOF.fdt_header],
    ['struct config', SIZEOF.config],
    ['struct cache', SIZEOF.cache],
    ['struct arch_platform', LAYOUT[arch].archPlatformBytes],
    ['struct platform_desc', platformDescBytes(LAYOUT[arch])],
    ['struct vm_config', vmConfigBytes(LAYOUT[arch])],
    ['struct mem_region', SIZEOF.mem_region],
    ['struct dev_region', SIZEOF.dev_region],
    ['struct ipc', SIZEOF.ipc],
    ['struct shmem', SIZEOF.shmem],
    ['void *', SIZEOF.ptr],
    ['irqid_t', SIZEOF.irq],
  ]
}

const hex = (n: number): string => `0x${n.toString(16)}`

/** A CROSSCON config.c for `cfg`, written the way the demos write theirs (compound literals). */
function cSource(cfg: HvConfig): string {
  const lines: string[] = ['#include "config.h"']
  let index = 0
  const imageNames = new Map<HvVmConfig, string>()
  const collect = (vms: HvVmConfig[]): void => {
    for (const v of vms) {
      const n = `vm${index++}`
      if (v.image) {
        imageNames.set(v, n)
        lines.push(`VM_IMAGE(${n}, "${v.image.path}")`)
      }
      collect(v.children)
    }
  }
  collect(cfg.vms)
  const irqs = (l: number[]): string => (l.length ? `.interrupt_num = ${l.length}, .interrupts = (irqid_t[]){ ${l.join(', ')} },` : '')
  const vm = (v: HvVmConfig): string => {
    const img = imageNames.get(v)
    const devs = v.devs.filter((d) => d.emulate === undefined)
    return `&(struct vm_config){
      .image = { .base_addr = ${hex(v.image?.baseAddr ?? 0)}, ${img ? `.load_addr = VM_IMAGE_OFFSET(${img}), .size = VM_IMAGE_SIZE(${img}),` : ''} .inplace = ${v.image?.inplace ? 'true' : 'false'} },
      .entry = ${hex(v.entry)}, .cpu_affinity = ${hex(v.cpuAffinity)}, .colors = ${hex(v.colors)}, .type = ${v.type},
      ${v.children.length ? `.children_num = ${v.children.length}, .children = (struct vm_config*[]){ ${v.children.map(vm).join(', ')} },` : ''}
      .platform = {
        .cpu_num = ${v.cpuNum},
        .region_num = ${v.regions.length}, .regions = (struct mem_region[]){ ${v.regions.map((r) => `{ .base = ${hex(r.base)}, .size = ${hex(r.size)}, .colors = ${hex(r.colors)}, .place_phys = ${r.placePhys}, .phys = ${hex(r.placePhys ? r.phys : 0)} }`).join(', ')} },
        ${devs.length ? `.dev_num = ${devs.length}, .devs = (struct dev_region[]){ ${devs.map((d) => `{ .pa = ${hex(d.pa ?? 0)}, .va = ${hex(d.va)}, .size = ${hex(d.size)}, ${irqs(d.interrupts)} .id = ${d.id} }`).join(', ')} },` : ''}
        ${v.ipcs.length ? `.ipc_num = ${v.ipcs.length}, .ipcs = (struct ipc[]){ ${v.ipcs.map((c) => `{ .base = ${hex(c.base)}, .size = ${hex(c.size)}, .shmem_id = ${c.shmemId}, ${irqs(c.interrupts)} }`).join(', ')} },` : ''}
      },
    }`
  }
  lines.push(`struct config config __attribute__((section(".config"))) = {
    CONFIG_HEADER
    .hyp_colors = ${hex(cfg.hypColors)},
    ${cfg.shmem.length ? `.shmemlist_size = ${cfg.shmem.length}, .shmemlist = (struct shmem[]){ ${cfg.shmem.map((s) => `{ .size = ${hex(s.size)}, .colors = ${hex(s.colors)}, .place_phys = ${s.placePhys}, .phys = ${hex(s.placePhys ? s.phys ?? 0 : 0)} }`).join(', ')} },` : ''}
    .vmlist_size = ${cfg.vms.length},
    .vmlist = { ${cfg.vms.map(vm).join(', ')} },
  };`)
  return `${lines.join('\n')}\n`
}

describe.skipIf(!haveGcc)('the layout against C structs compiled by riscv64-unknown-elf-gcc', () => {
  const archFlag = (arch: ArchName): string[] => (arch === 'aarch64' ? ['-DBLOB_ARCH_ARMV8'] : [])

  for (const arch of ARCHS) {
    it(`offsetof/sizeof agree with blob.ts (${arch} structs, LP64)`, () => {
      const src = ['#include "config.h"']
      for (const [struct, member, off] of layoutChecks(arch)) {
        src.push(`_Static_assert(offsetof(${struct}, ${member}) == ${off}, "${struct}.${member} is not at ${off}");`)
      }
      for (const [type, size] of sizeChecks(arch)) src.push(`_Static_assert(sizeof(${type}) == ${size}, "sizeof(${type}) is not ${size}");`)
      const file = join(dir, `layout-${arch}.c`)
      writeFileSync(file, `${src.join('\n')}\n`)
      // a wrong offset fails the compile and names the field
      execFileSync(GCC, [...CFLAGS, ...archFlag(arch), '-c', file, '-o', join(dir, `layout-${arch}.o`)], { stdio: 'pipe' })
      expect(layoutChecks(arch).length).toBeGreaterThan(arch === 'riscv64' ? 45 : 60)
    })

    it(`a config compiled and linked like configs.mk parses to the same config as packConfig's (${arch})`, () => {
      const cfg = validate(rich())
      const c = join(dir, `cfg-${arch}.c`)
      const o = join(dir, `cfg-${arch}.o`)
      const elf = join(dir, `cfg-${arch}.elf`)
      const bin = join(dir, `cfg-${arch}.bin`)
      writeFileSync(c, cSource(cfg))
      execFileSync(GCC, [...CFLAGS, ...archFlag(arch), '-c', c, '-o', o], { stdio: 'pipe' })
      execFileSync('riscv64-unknown-elf-ld', ['-nostdlib', '-T', join(C_FIXTURE, 'link.ld'), o, '-o', elf], { stdio: 'pipe' })
      execFileSync('riscv64-unknown-elf-objcopy', ['-O', 'binary', elf, bin], { stdio: 'pipe' })
      const fromC = new Uint8Array(readFileSync(bin))
      // objcopy stops at the last image byte; the hypervisor maps whole pages up to config_size
      const padded = new Uint8Array(u64(fromC, CONFIG.config_size))
      padded.set(fromC)
      const c1 = parseBlob(padded, { arch: LAYOUT[arch] })
      const ours = packConfig(cfg, { arch: LAYOUT[arch], images: true })
      const c2 = parseBlob(ours, { arch: LAYOUT[arch] })
      expect(c1.config).toEqual(c2.config)
      expect(c1.config).toEqual(expected(cfg))
      expect(padded.subarray(0, 40)).toEqual(ours.subarray(0, 40)) // the fake FDT header
      expect(c1.headerSize).toBe(c2.headerSize)
      expect(c1.size).toBe(c2.size)
      expect([...c1.images.keys()]).toEqual([...c2.images.keys()])
      for (const [i, a] of c1.images) {
        const b = c2.images.get(i)!
        expect(a).toEqual(b) // same order, same page-aligned offsets as the linker's
        expect(padded.subarray(a.offset, a.offset + a.size)).toEqual(ours.subarray(b.offset, b.offset + b.size))
      }
    })
  }
})

describe('baobab config pack', () => {
  function capture(): ConfigIo & { text: () => string; errors: () => string } {
    let out = ''
    let err = ''
    return { out: (t) => { out += t }, err: (t) => { err += t }, text: () => out, errors: () => err }
  }
  /** A plugin host that already knows the board, so no plugin is imported. */
  function host(): PluginHost {
    const h = new PluginHost()
    h.boards.set(qemuVirtRiscv64.name, qemuVirtRiscv64)
    h.archs.set('riscv64', riscv64)
    h.devices.set('ns16550', (() => { throw new Error('not used') }) as never)
    return h
  }

  it('writes the blob and reports its size and header size', async () => {
    const file = join(dir, 'rich.json')
    writeFileSync(file, JSON.stringify(rich()))
    const out = join(dir, 'rich.blob')
    const io = capture()
    const code = await packConfigFile(file, out, { io, plugins: host() })
    expect(code, io.errors()).toBe(0)
    const blob = new Uint8Array(readFileSync(out))
    expect(io.text()).toBe(`wrote ${out} (${blob.length} bytes, header 4096 bytes)\n`)
    expect(io.errors()).toMatch(/^warning: .*emulated ns16550/)
    expect(parseBlob(blob, { arch: LAYOUT.riscv64 }).config).toEqual(expected(validate(rich())))

    const io2 = capture()
    expect(await packConfigFile(file, out, { io: io2, images: false, plugins: host() })).toBe(0)
    expect(io2.text()).toBe(`wrote ${out} (4096 bytes, header 4096 bytes)\n`)
  })

  it('reports a config error with exit code 2 and writes nothing', async () => {
    const raw = rich()
    raw.vms[0].regions[0].size = '0x1001'
    const file = join(dir, 'bad.json')
    writeFileSync(file, JSON.stringify(raw))
    const io = capture()
    expect(await packConfigFile(file, join(dir, 'never.blob'), { io, plugins: host() })).toBe(2)
    expect(io.errors()).toMatch(/vms\[0\]\.regions\[0\]\.size: must be 4 KiB aligned/)
    expect(() => readFileSync(join(dir, 'never.blob'))).toThrow()
  })

  it('is a yargs subcommand: pack <file> -o <out> [--no-images]', async () => {
    const cmd = configCommand(() => {}, capture())
    const builder = cmd.builder as (y: ReturnType<typeof yargs>) => ReturnType<typeof yargs>
    const help = await builder(yargs([]).scriptName('baobab')).getHelp()
    expect(help).toMatch(/pack <file>/)
  })
})
