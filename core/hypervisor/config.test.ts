import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import yargs from 'yargs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { qemuVirtRiscv64 } from '../../plugins/board-qemu-virt-riscv64/qemu-virt-riscv64.ts'
import { riscv64 } from '../../plugins/arch-riscv64/arch.ts'
import { BUILTIN_PLUGINS, PluginHost } from '../plugins.ts'
import { configCommand, checkConfig, type ConfigIo } from '../../bin/commands/config.ts'
import { ConfigErrors, loadConfig, validateConfig, type HvConfig } from './config.ts'
import { parseNumber } from './config-schema.ts'

const FIX = resolve(dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/configs')
const DEVICE_TYPES = ['aclint', 'ns16550', 'plic', 'sifive-test']
const EM_RISCV = 243

/* eslint-disable @typescript-eslint/no-explicit-any */
type Raw = any

/** A valid two-VM config; each case below breaks one rule of it. */
function base(): Raw {
  return {
    board: 'qemu-virt-riscv64',
    shmem: [{ size: '64K' }],
    vms: [
      {
        name: 'a',
        image: { path: 'images/tiny.bin', baseAddr: '0x80200000' },
        cpuNum: 1,
        regions: [{ base: '0x80200000', size: '64M' }],
        devs: [{ pa: '0x10000000', va: '0x10000000', size: '4K', interrupts: [10] }],
        ipcs: [{ base: '0xf0000000', size: '64K', shmemId: 0, interrupts: [52] }],
      },
      {
        name: 'b',
        image: { path: 'images/tiny.bin', baseAddr: '0x90000000' },
        cpuNum: 1,
        regions: [{ base: '0x90000000', size: '16M' }],
      },
    ],
  }
}

function validate(raw: Raw): HvConfig {
  return validateConfig(raw, { baseDir: FIX, board: qemuVirtRiscv64, deviceTypes: DEVICE_TYPES, elfMachine: EM_RISCV, archOptions: riscv64.vmOptions, archWindows: riscv64.vmWindows!(qemuVirtRiscv64) })
}

/** The [path, rule] pairs a config is rejected with ([] when it is valid). */
function errorsOf(raw: Raw): [string, string][] {
  try {
    validate(raw)
    return []
  } catch (e) {
    if (!(e instanceof ConfigErrors)) throw e
    return e.errors.map((x) => [x.path, x.rule])
  }
}

function broken(edit: (c: Raw) => void): Raw {
  const c = base()
  edit(c)
  return c
}

/** A minimal ELF64 LE executable with the given PT_LOAD segments (4 bytes of data each). */
function elf(machine: number, entry: number, segs: { paddr: number; memsz: number }[]): Uint8Array {
  const data = 64 + 56 * segs.length
  const b = new Uint8Array(data + 4 * segs.length)
  const dv = new DataView(b.buffer)
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1])
  dv.setUint16(16, 2, true) // ET_EXEC
  dv.setUint16(18, machine, true)
  dv.setUint32(20, 1, true)
  dv.setBigUint64(24, BigInt(entry), true)
  dv.setBigUint64(32, 64n, true) // e_phoff
  dv.setUint16(52, 64, true)
  dv.setUint16(54, 56, true)
  dv.setUint16(56, segs.length, true)
  segs.forEach((s, i) => {
    const at = 64 + 56 * i
    dv.setUint32(at, 1, true) // PT_LOAD
    dv.setUint32(at + 4, 5, true)
    dv.setBigUint64(at + 8, BigInt(data + 4 * i), true)
    dv.setBigUint64(at + 16, BigInt(s.paddr), true)
    dv.setBigUint64(at + 24, BigInt(s.paddr), true)
    dv.setBigUint64(at + 32, 4n, true)
    dv.setBigUint64(at + 40, BigInt(s.memsz), true)
  })
  return b
}

let tmp: string
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'baobab-config-'))
  writeFileSync(join(tmp, 'ok.elf'), elf(EM_RISCV, 0x8020_0040, [{ paddr: 0x8020_0000, memsz: 0x3000 }]))
  writeFileSync(join(tmp, 'split.elf'), elf(EM_RISCV, 0x8020_0000, [{ paddr: 0x8020_0000, memsz: 0x1000 }, { paddr: 0x8800_0000, memsz: 0x2000 }]))
  writeFileSync(join(tmp, 'arm.elf'), elf(183, 0x8020_0000, [{ paddr: 0x8020_0000, memsz: 0x1000 }]))
  writeFileSync(join(tmp, 'truncated.elf'), elf(EM_RISCV, 0x8020_0000, [{ paddr: 0x8020_0000, memsz: 0x1000 }]).subarray(0, 100))
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('config numbers', () => {
  it.each([
    [4096, 4096],
    ['0x80200000', 0x8020_0000],
    ['0x8020_0000', 0x8020_0000],
    ['4K', 4096],
    ['64M', 64 << 20],
    ['1G', 1 << 30],
    ['2GiB', 2 ** 31],
    ['1.5K', 1536],
    ['  12 ', 12],
    ['0x1fffffffffffff', Number.MAX_SAFE_INTEGER],
  ])('%j is %d', (v, n) => {
    expect(parseNumber(v)).toBe(n)
  })

  it.each([
    [1.5, 'must be an integer (got 1.5)'],
    [-4, 'must not be negative (got -4)'],
    [2 ** 60, 'is beyond 2^53 and not exact (1152921504606847000); write it as a hex string if it must be this large'],
    ['0x20000000000000', '"0x20000000000000" is beyond 2^53'],
    ['0.1K', '"0.1K" is not a whole number of bytes'],
    ['64X', 'must be a number, hex string ("0x1000") or size ("4K", "64M", "1G") (got "64X")'],
    [true, 'must be a number, hex string ("0x1000") or size ("4K", "64M", "1G") (got true)'],
  ])('%j is rejected', (v, rule) => {
    expect(parseNumber(v)).toEqual({ error: rule })
  })
})

describe('good configs normalise', () => {
  it('fills defaults, parses hex strings and sizes, and resolves image paths', () => {
    const c = validate(base())
    expect(c.features).toEqual([])
    expect(c.hypColors).toBe(0)
    expect(c.shmem).toEqual([{ size: 0x1_0000, colors: 0, placePhys: false, phys: undefined }])
    const a = c.vms[0]!
    expect(a).toMatchObject({
      name: 'a', type: 0, typeName: 'gpos', entry: 0x8020_0000, cpuNum: 1, cpuAffinity: 0, colors: 0, dtb: true,
      bootargs: undefined, children: [],
    })
    expect(a.image).toEqual({ path: join(FIX, 'images/tiny.bin'), baseAddr: 0x8020_0000, inplace: false, size: 16, kind: 'raw' })
    expect(a.regions).toEqual([{ base: 0x8020_0000, size: 0x400_0000, colors: 0, placePhys: false, phys: 0x8020_0000 }])
    expect(a.devs).toEqual([{ pa: 0x1000_0000, va: 0x1000_0000, size: 0x1000, interrupts: [10], id: 0, shared: false, emulate: undefined }])
    expect(a.ipcs).toEqual([{ base: 0xf000_0000, size: 0x1_0000, shmemId: 0, interrupts: [52] }])
  })

  it('loads a JSON config with children, placed regions and emulated devices', async () => {
    const { config, board } = await loadConfig(join(FIX, 'two-vms.json'), new PluginHost())
    expect(board.name).toBe('qemu-virt-riscv64')
    const rtos = config.vms[1]!
    // (a numeric type; 3, since a tee-parent must have a GPOS child: test/tee-routing.test.ts)
    expect(rtos).toMatchObject({ type: 3, typeName: 'enclave', colors: 0xf0, dtb: false, entry: 0x9000_0000 })
    expect(rtos.image).toMatchObject({ path: join(FIX, 'images/tiny.bin'), inplace: true })
    expect(rtos.regions[1]).toEqual({ base: 0xa000_0000, size: 0x1000, colors: 0, placePhys: true, phys: 0xb000_0000 })
    expect(rtos.devs[1]).toEqual({ pa: undefined, va: 0x1000_0000, size: 0x100, interrupts: [10], id: 0, shared: false, emulate: 'ns16550' })
    expect(rtos.children.map((c) => [c.name, c.type, c.typeName, c.image, c.entry])).toEqual([['enclave', 3, 'enclave', undefined, 0x9800_0000]])
    expect(config.vms[0]!.bootargs).toBe('console=ttyS0')
  })

  it('loads a .ts config written with defineConfig to the same result as its JSON twin', async () => {
    const json = await loadConfig(join(FIX, 'two-vms.json'), new PluginHost())
    const ts = await loadConfig(join(FIX, 'two-vms.ts'), new PluginHost())
    expect(ts.config).toEqual(json.config)
  })

  it('takes an ELF image\'s entry point when the config gives none', () => {
    const c = broken((c) => { c.vms[0].image.path = join(tmp, 'ok.elf') })
    const vm = validate(c).vms[0]!
    expect(vm.entry).toBe(0x8020_0040)
    expect(vm.image!.kind).toBe('elf')
  })

  it('allows one device in two VMs when both entries say shared', () => {
    const c = broken((c) => {
      c.vms[0].devs[0].shared = true
      c.vms[1].devs = [{ pa: '0x10000000', va: '0x10000000', size: '4K', shared: true }]
    })
    expect(errorsOf(c)).toEqual([])
  })

  it('gives each VM its own emulated device with its own (virtual) interrupt', () => {
    const c = broken((c) => { c.vms[1].devs = [{ va: '0x10000000', size: '0x100', emulate: 'ns16550', interrupts: [10] }] })
    expect(errorsOf(c)).toEqual([])
  })
})

describe('bad configs name the field and the rule', () => {
  const cases: [string, (c: Raw) => void, [string, string][]][] = [
    // structure
    ['board missing', (c) => { delete c.board }, [['board', 'required']]],
    ['name missing', (c) => { delete c.vms[0].name }, [['vms[0].name', 'required']]],
    ['name of the wrong type', (c) => { c.vms[0].name = 7 }, [['vms[0].name', 'must be a string (got number)']]],
    ['regions not an array', (c) => { c.vms[1].regions = {} }, [['vms[1].regions', 'must be an array (got object)']]],
    ['no regions', (c) => { c.vms[1].regions = [] }, [['vms[1].regions', 'needs at least one region']]],
    ['no VMs', (c) => { c.vms = [] }, [['vms', 'needs at least one VM']]],
    ['cpuNum 0', (c) => { c.vms[0].cpuNum = 0 }, [['vms[0].cpuNum', 'must be at least 1 (got 0)']]],
    ['unknown top-level field', (c) => { c.console = 'uart' }, [['console', 'unknown field (allowed: board, features, hypColors, shmem, vms)']]],
    ['Bao spelling of a field', (c) => { c.vms[0].cpu_affinity = 1 }, [['vms[0].cpu_affinity', "unknown field (did you mean 'cpuAffinity'?)"]]],
    ['misspelt nested field', (c) => { c.vms[0].regions[0].color = 1 }, [['vms[0].regions[0].color', "unknown field (did you mean 'colors'?)"]]],
    ['unknown field in a child', (c) => { c.vms[0].children = [{ name: 'k', entry: '0x80200000', cpuNum: 1, regions: [{ base: '0xa0000000', size: '4K' }], foo: 1 }] },
      [['vms[0].children[0].foo', 'unknown field (allowed: name, type, image, entry, cpuNum, cpuAffinity, colors, regions, devs, ipcs, children, dtb, bootargs, sstc)']]],
    ['bad type name', (c) => { c.vms[0].type = 'linux' }, [['vms[0].type', "must be one of 'gpos' (0), 'tee-parent' (1), 'tee-child' (2), 'enclave' (3) (got \"linux\")"]]],
    ['type number out of range', (c) => { c.vms[0].type = 4 }, [['vms[0].type', "must be one of 'gpos' (0), 'tee-parent' (1), 'tee-child' (2), 'enclave' (3) (got 4)"]]],
    ['bad hex string', (c) => { c.vms[0].regions[0].base = '0x8020000g' },
      [['vms[0].regions[0].base', 'must be a number, hex string ("0x1000") or size ("4K", "64M", "1G") (got "0x8020000g")']]],
    ['number beyond 2^53', (c) => { c.vms[0].regions[0].size = 2 ** 60 },
      [['vms[0].regions[0].size', 'is beyond 2^53 and not exact (1152921504606847000); write it as a hex string if it must be this large']]],
    ['hex beyond 2^53', (c) => { c.vms[0].entry = '0xffffffffffffffff' }, [['vms[0].entry', '"0xffffffffffffffff" is beyond 2^53']]],
    // names and images
    ['duplicate VM name', (c) => { c.vms[1].name = 'a' }, [['vms[1].name', "'a' is already the name of vms[0]"]]],
    ['root VM without image', (c) => { delete c.vms[1].image }, [['vms[1].image', 'required (a root VM needs an image)']]],
    ['missing image file', (c) => { c.vms[1].image.path = 'images/none.bin' }, [['vms[1].image.path', `no such file: ${join(FIX, 'images/none.bin')}`]]],
    ['image larger than its region', (c) => { c.vms[1].image.path = 'images/big.bin'; c.vms[1].regions[0].size = '4K' },
      [['vms[1].image', '0x2001 bytes at 0x90000000 do not fit vms[1].regions[0] (0x90000000..0x90001000)']]],
    ['image base outside the regions', (c) => { c.vms[1].image.baseAddr = '0x91000000'; c.vms[1].entry = '0x90000000' },
      [['vms[1].image.baseAddr', "0x91000000 is outside the VM's regions"]]],
    ['ELF segment outside the regions', (c) => { c.vms[0].image.path = join(tmp, 'split.elf') },
      [['vms[0].image', "ELF segment 0x88000000..0x88002000 (0x2000 bytes) is outside the VM's regions"]]],
    ['ELF for another architecture', (c) => { c.vms[0].image.path = join(tmp, 'arm.elf') },
      [['vms[0].image.path', 'ELF is for AArch64, the board runs RISC-V']]],
    ['broken ELF', (c) => { c.vms[0].image.path = join(tmp, 'truncated.elf') },
      [['vms[0].image.path', 'not a usable ELF image: truncated ELF: program header 0 extends past end of file (offset 0x40, file is 0x64 bytes)']]],
    ['entry outside the regions', (c) => { c.vms[0].entry = '0x70000000' }, [['vms[0].entry', "0x70000000 is outside the VM's regions"]]],
    ['child without image or entry', (c) => { c.vms[1].children = [{ name: 'k', cpuNum: 1, regions: [{ base: '0xa0000000', size: '4K' }] }] },
      [['vms[1].children[0].entry', 'required when the VM has no image']]],
    // memory
    ['unaligned region base', (c) => { c.vms[1].regions[0].base = '0x90000800'; c.vms[1].image.baseAddr = '0x90000800' },
      [['vms[1].regions[0].base', 'must be 4 KiB aligned (got 0x90000800)']]],
    ['unaligned region size', (c) => { c.vms[1].regions[0].size = '0x1800' }, [['vms[1].regions[0].size', 'must be 4 KiB aligned (got 0x1800)']]],
    ['regions overlap within a VM', (c) => { c.vms[0].regions.push({ base: '0x84000000', size: '4M' }) },
      [['vms[0].regions[1]', 'overlaps vms[0].regions[0] (0x80200000..0x84200000)']]],
    ['two placed regions overlap', (c) => {
      Object.assign(c.vms[0].regions[0], { phys: '0x90000000' })
      Object.assign(c.vms[1].regions[0], { phys: '0x92000000' })
    }, [['vms[1].regions[0]', '0x92000000..0x93000000 overlaps vms[0].regions[0] (0x90000000..0x94000000)']]],
    ['a placed region over the firmware', (c) => { Object.assign(c.vms[1].regions[0], { placePhys: true, phys: '0x80000000' }) },
      [['vms[1].regions[0]', "0x80000000..0x81000000 overlaps the board's reservation for OpenSBI (the firmware) (0x80000000..0x80200000)"]]],
    ['a region over the vPLIC every VM has (a guest address only, but taken)', (c) => { c.vms[1].regions.push({ base: '0x0c100000', size: '1M' }) },
      [['vms[1].regions[1]', 'overlaps the vPLIC (plic0) (0xc000000..0xc600000)']]],
    ['a placed region outside RAM', (c) => { c.vms[1].regions[0].phys = '0x70000000' },
      [['vms[1].regions[0]', '0x70000000..0x71000000 is outside the RAM of board qemu-virt-riscv64 (0x80000000..0x100000000)']]],
    ['more RAM than the board has', (c) => { c.vms[1].regions[0].size = '0x80000000' },
      [['vms[1].regions[0].size', "VM 'b' region 0x90000000 asks 2048 MiB of host RAM: 1979.94 MiB is free, the largest block 1979.94 MiB"]]],
    ['a colour the board does not have', (c) => { c.vms[1].colors = '0x100000000' },
      [['vms[1].colors', 'colour 32 does not exist: board qemu-virt-riscv64 has 32 colours (0..31)']]],
    ['placePhys without phys', (c) => { c.vms[1].regions[0].placePhys = true }, [['vms[1].regions[0].phys', 'required when placePhys is true']]],
    ['phys with placePhys false', (c) => { Object.assign(c.vms[1].regions[0], { placePhys: false, phys: '0xa0000000' }) },
      [['vms[1].regions[0].phys', 'is given but placePhys is false']]],
    ['placed shmem over a placed VM region', (c) => { c.vms[1].regions[0].phys = '0x90000000'; c.shmem[0].phys = '0x90000000' },
      [['shmem[0]', '0x90000000..0x90010000 overlaps vms[1].regions[0] (0x90000000..0x91000000)']]],
    ['emulated device of size 0', (c) => { c.vms[1].devs = [{ size: 0, emulate: 'ns16550' }] },
      [['vms[1].devs[0].size', 'an emulated device needs a size (size 0 only grants interrupts)']]],
    ['region overlaps a device window', (c) => { c.vms[0].devs.push({ pa: '0x10001000', va: '0x80300000', size: '4K' }) },
      [['vms[0].regions[0]', 'overlaps vms[0].devs[1] (0x80300000..0x80301000)']]],
    // CPUs
    ['too many CPUs', (c) => { c.vms[1].cpuNum = 2 }, [['vms', 'needs 3 CPUs, board qemu-virt-riscv64 has 2']]],
    ['affinity beyond the board', (c) => { c.vms[0].cpuAffinity = '0x4' }, [['vms[0].cpuAffinity', '0x4 names CPU 2, board qemu-virt-riscv64 has CPUs 0..1']]],
    ['child wants more CPUs than its parent', (c) => { c.vms[1].children = [{ name: 'k', entry: '0xa0000000', cpuNum: 2, regions: [{ base: '0xa0000000', size: '4K' }] }] },
      [['vms[1].children[0].cpuNum', 'needs 2 CPUs, parent vms[1] has 1']]],
    // interrupts
    ['one interrupt in two VMs', (c) => { c.vms[1].devs = [{ pa: '0x10001000', va: '0x10001000', size: '4K', interrupts: [10] }] },
      [['vms[1].devs[0].interrupts[0]', 'interrupt 10 is already assigned to vms[0] (vms[0].devs[0].interrupts[0])']]],
    ['interrupt-only grant in two VMs', (c) => { c.vms[1].devs = [{ size: 0, interrupts: [10] }] },
      [['vms[1].devs[0].interrupts[0]', 'interrupt 10 is already assigned to vms[0] (vms[0].devs[0].interrupts[0])']]],
    ['interrupt beyond the PLIC', (c) => { c.vms[0].devs[0].interrupts = [96] },
      [['vms[0].devs[0].interrupts[0]', 'interrupt 96 is out of range: plic0 on board qemu-virt-riscv64 has sources 1..95']]],
    ['interrupt 0', (c) => { c.vms[0].ipcs[0].interrupts = [0] }, [['vms[0].ipcs[0].interrupts[0]', 'interrupt 0 does not exist (source 0 means "no interrupt")']]],
    ['one interrupt twice in a VM', (c) => { c.vms[0].ipcs[0].interrupts = [10] }, [['vms[0].ipcs[0].interrupts[0]', 'interrupt 10 is also used by vms[0].devs[0].interrupts[0]']]],
    // devices
    ['one device passed to two VMs', (c) => { c.vms[1].devs = [{ pa: '0x10000000', va: '0x10000000', size: '4K' }] },
      [['vms[1].devs[0]', 'device 0x10000000..0x10001000 is also passed through to vms[0].devs[0]; mark both entries shared: true to allow it']]],
    ['shared on one side only', (c) => { c.vms[1].devs = [{ pa: '0x10000000', va: '0x10000000', size: '4K', shared: true }] },
      [['vms[1].devs[0]', 'device 0x10000000..0x10001000 is also passed through to vms[0].devs[0]; mark both entries shared: true to allow it']]],
    ['pass-through of nothing', (c) => { c.vms[1].devs = [{ pa: '0x30000000', va: '0x30000000', size: '4K' }] },
      [['vms[1].devs[0].pa', '0x30000000..0x30001000 is not a device of board qemu-virt-riscv64 (nothing at 0x30000000)']]],
    // (a window running past a device is accepted, the rest read-as-zero: CROSSCON's demos map
    // 64 KiB around a UART; test/tee-routing.test.ts) — one with no device in it is not
    ['pass-through with no device in the window', (c) => { c.vms[1].devs = [{ pa: '0x10002000', va: '0x10002000', size: '8K' }] },
      [['vms[1].devs[0].pa', '0x10002000..0x10004000 is not a device of board qemu-virt-riscv64 (nothing at 0x10002000)']]],
    ['pass-through of RAM', (c) => { c.vms[1].devs = [{ pa: '0xc0000000', va: '0x30000000', size: '4K' }] },
      [['vms[1].devs[0].pa', '0xc0000000..0xc0001000 is RAM of board qemu-virt-riscv64, not a device']]],
    ['pass-through without pa', (c) => { c.vms[1].devs = [{ va: '0x10001000', size: '4K' }] },
      [['vms[1].devs[0].pa', 'required for a pass-through device (or name a device type in emulate)']]],
    ['unknown emulated device type', (c) => { c.vms[1].devs = [{ va: '0x10000000', size: '0x100', emulate: 'pl011' }] },
      [['vms[1].devs[0].emulate', "no device type 'pl011' is registered (known: aclint, ns16550, plic, sifive-test)"]]],
    // IPC
    ['shmemId out of range', (c) => { c.vms[0].ipcs[0].shmemId = 1 }, [['vms[0].ipcs[0].shmemId', 'no shmem 1 (the config has 1: shmem[0])']]],
    ['IPC larger than its shmem', (c) => { c.vms[0].ipcs[0].size = '128K' }, [['vms[0].ipcs[0].size', '0x20000 is larger than shmem[0] (0x10000)']]],
  ]

  it.each(cases)('%s', (_name, edit, expected) => {
    expect(errorsOf(broken(edit))).toEqual(expected)
  })

  it('reports every error of a config, one line each, as <path>: <rule>', () => {
    const c = broken((c) => {
      c.vms[0].cpu_num = 1
      c.vms[1].regions[0].size = 'big'
    })
    let err: unknown
    try { validate(c) } catch (e) { err = e }
    expect(err).toBeInstanceOf(ConfigErrors)
    expect((err as Error).message.split('\n')).toEqual([
      "vms[0].cpu_num: unknown field (did you mean 'cpuNum'?)",
      'vms[1].regions[0].size: must be a number, hex string ("0x1000") or size ("4K", "64M", "1G") (got "big")',
    ])
  })

  it('rejects a config for another board than the one given', () => {
    expect(errorsOf(broken((c) => { c.board = 'other' }))).toEqual([['board', "names board 'other', but the board given is 'qemu-virt-riscv64'"]])
  })
})

describe('loadConfig', () => {
  async function loadErrors(file: string): Promise<string[]> {
    try {
      await loadConfig(file, new PluginHost())
      return []
    } catch (e) {
      if (!(e instanceof ConfigErrors)) throw e
      return e.message.split('\n')
    }
  }

  it('prefixes each error with the file', async () => {
    const f = join(FIX, 'overlap.json')
    expect(await loadErrors(f)).toEqual([`${f}: vms[1].regions[0]: 0x92000000..0x96000000 overlaps vms[0].regions[0] (0x90000000..0x94000000)`])
  })

  it('names the known boards for an unknown one, and still reports the other errors', async () => {
    const f = join(FIX, 'unknown-board.json')
    // the built-in boards are plugins/board-<name>/, named in sorted order
    const boards = readdirSync(BUILTIN_PLUGINS, { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name.startsWith('board-')).map((d) => d.name.slice('board-'.length)).sort()
    expect(boards).toContain('qemu-virt-riscv64')
    expect(await loadErrors(f)).toEqual([
      `${f}: board: unknown board 'no-such-board' (known boards: ${boards.join(', ')})`,
      `${f}: vms[0].cpu_num: unknown field (did you mean 'cpuNum'?)`,
    ])
  })

  it('reports broken JSON, a missing file and an unknown format without a stack trace', async () => {
    const broken = join(FIX, 'broken.json')
    const [json] = await loadErrors(broken)
    expect(json).toMatch(new RegExp(`^${broken}: invalid JSON: `))
    const none = join(FIX, 'none.json')
    expect(await loadErrors(none)).toEqual([`${none}: no such file (${none})`])
    const yaml = join(FIX, 'images/tiny.bin')
    expect(await loadErrors(yaml)).toEqual([`${yaml}: unknown config format '.bin' (expected .json, .ts or .js)`])
  })

  it('reports a module without a default export', async () => {
    const f = join(tmp, 'no-default.mjs')
    writeFileSync(f, 'export const config = {}\n')
    expect(await loadErrors(f)).toEqual([`${f}: has no default export (write \`export default defineConfig({ ... })\`)`])
  })

  it('re-imports a .js config once it has changed (hot reload)', async () => {
    const f = join(tmp, 'reload.mjs')
    const write = (name: string, mtime: Date): void => {
      const c = base()
      c.vms[0].image.path = join(FIX, 'images/tiny.bin')
      c.vms[1].image.path = join(FIX, 'images/tiny.bin')
      c.vms[0].name = name
      writeFileSync(f, `export default ${JSON.stringify(c)}\n`)
      // set times keep the test independent of the file system's timestamp resolution
      utimesSync(f, mtime, mtime)
    }
    write('first', new Date(1_000_000))
    expect((await loadConfig(f, new PluginHost())).config.vms[0]!.name).toBe('first')
    write('second', new Date(2_000_000))
    expect((await loadConfig(f, new PluginHost())).config.vms[0]!.name).toBe('second')
  })
})

describe('baobab config check', () => {
  function capture(): ConfigIo & { stdout: string; stderr: string } {
    const io = { stdout: '', stderr: '', out: (t: string) => { io.stdout += t }, err: (t: string) => { io.stderr += t } }
    return io
  }

  it('prints ok with the VM count and board, exit 0', async () => {
    const io = capture()
    const f = join(FIX, 'two-vms.json')
    expect(await checkConfig(f, { io })).toBe(0)
    expect(io.stdout).toBe(`ok: ${f} (3 VMs on qemu-virt-riscv64)\n`)
    expect(io.stderr).toBe('')
  })

  it('prints every error and exits 2', async () => {
    const io = capture()
    const f = join(FIX, 'unknown-board.json')
    expect(await checkConfig(f, { io })).toBe(2)
    expect(io.stdout).toBe('')
    expect(io.stderr.trimEnd().split('\n')).toHaveLength(2)
  })

  it('runs as a yargs command module', async () => {
    const run = async (args: string[]): Promise<{ code: number; io: ReturnType<typeof capture> }> => {
      let code = -1
      const io = capture()
      await yargs(args).command(configCommand((c) => { code = c }, io)).strict().fail((msg, err) => { throw err ?? new Error(msg) }).parseAsync()
      return { code, io }
    }
    const good = await run(['config', 'check', join(FIX, 'two-vms.ts'), '--print'])
    expect(good.code).toBe(0)
    expect(good.io.stdout).toMatch(/^ok: .*two-vms\.ts \(3 VMs on qemu-virt-riscv64\)\n\{/)
    expect(JSON.parse(good.io.stdout.slice(good.io.stdout.indexOf('\n') + 1)).vms[1].name).toBe('rtos')
    const bad = await run(['config', 'check', join(FIX, 'overlap.json')])
    expect(bad.code).toBe(2)
    expect(bad.io.stderr).toContain('vms[1].regions[0]: 0x92000000..0x96000000 overlaps vms[0].regions[0] (0x90000000..0x94000000)')
  })
})
