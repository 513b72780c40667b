import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { MemoryBus } from '../bus.ts'
import { symbolAt } from './elf.ts'
import { ImageError, loadImage, type LoadOptions } from './image.ts'

const benchPath = (name: string): string => fileURLToPath(new URL(`../../bench/rv64-loop/${name}`, import.meta.url))
const bench = (name: string): Uint8Array => new Uint8Array(readFileSync(benchPath(name)))

const RAM_BASE = 0x8000_0000
const RAM_SIZE = 1 << 20
const RISCV: LoadOptions = { elfMachine: 243 }

/** A board with 1 MiB of RAM at 0x80000000, as the bench guests expect. */
function board(): MemoryBus {
  const bus = new MemoryBus(RAM_SIZE)
  bus.addRam(RAM_BASE, RAM_SIZE)
  return bus
}

// prog_50.elf (readelf -l): program header 0 is RISCV_ATTRIBUTES, header 1 the one PT_LOAD
// (offset 0x1000, filesz 0x104c, memsz 0x4450 at 0x80000000).
const PH0 = 0x40
const PH1 = 0x40 + 56

function patch(bytes: Uint8Array, edits: [offset: number, value: bigint, size: 2 | 4 | 8][]): Uint8Array {
  const b = bytes.slice()
  const dv = new DataView(b.buffer)
  for (const [o, v, size] of edits) {
    if (size === 2) dv.setUint16(o, Number(v), true)
    else if (size === 4) dv.setUint32(o, Number(v), true)
    else dv.setBigUint64(o, v, true)
  }
  return b
}

function loadError(fn: () => unknown): ImageError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(ImageError)
    expect((e as ImageError).message).not.toContain('\n')
    return e as ImageError
  }
  throw new Error('expected an ImageError')
}

const tmp = mkdtempSync(join(tmpdir(), 'baobab-loader-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('loadImage with an ELF', () => {
  it('copies the PT_LOAD segment to its paddr and zeroes .bss', () => {
    const bus = board()
    const file = bench('prog_50.elf')
    bus.load(RAM_BASE + 0x1050, new Uint8Array(0x3400).fill(0xaa)) // stale data where .bss goes
    const img = loadImage(bus, file, RISCV)
    expect(img.kind).toBe('elf')
    expect(img.entry).toBe(0x80000000n)
    expect(img.ranges).toEqual([{ base: 0x80000000n, size: 0x4450n }])
    expect(bus.dump(RAM_BASE, 0x104c)).toEqual(file.subarray(0x1000, 0x204c))
    expect(bus.dump(RAM_BASE + 0x104c, 0x4450 - 0x104c).every((b) => b === 0)).toBe(true)
    expect(symbolAt(img, 0x80000030n)).toEqual({ name: 'main', offset: 0xcn })
  })

  it('reads the file from a path', () => {
    const img = loadImage(board(), benchPath('exit.elf'), RISCV)
    expect(img.entry).toBe(0x80000000n)
    expect(img.ranges).toEqual([{ base: 0x80000000n, size: 0x14n }])
  })

  it('rejects an ELF for another machine', () => {
    const x86 = patch(bench('prog_50.elf'), [[18, 62n, 2]])
    expect(loadError(() => loadImage(board(), x86, RISCV)).message).toBe(
      'ELF is for machine 62 (x86-64), this board runs RISC-V (243)',
    )
    expect(loadError(() => loadImage(board(), benchPath('exit.elf'), { elfMachine: 183, name: 'vms[0].image' })).message).toBe(
      'vms[0].image: ELF is for machine 243 (RISC-V), this board runs AArch64 (183)',
    )
  })

  it('rejects a segment outside RAM, or running off its end', () => {
    const beyond = patch(bench('prog_50.elf'), [[PH1 + 24, 0x80100000n, 8]])
    expect(loadError(() => loadImage(board(), beyond, RISCV)).message).toBe(
      "image does not fit RAM: segment at 0x80100000 size 0x4450 is outside the board's memory",
    )
    const straddles = patch(bench('prog_50.elf'), [[PH1 + 24, 0x800fe000n, 8]])
    expect(loadError(() => loadImage(board(), straddles, RISCV)).message).toMatch(/segment at 0x800fe000 size 0x4450 is outside/)
  })

  it('writes nothing when any segment does not fit', () => {
    // turn program header 0 into a PT_LOAD at 0x80010000 that fits, and move header 1 out of RAM
    const file = patch(bench('prog_50.elf'), [
      [PH0, 1n, 4], [PH0 + 16, 0x80010000n, 8], [PH0 + 24, 0x80010000n, 8], [PH0 + 40, 0x33n, 8],
      [PH1 + 24, 0x90000000n, 8],
    ])
    const bus = board()
    expect(loadError(() => loadImage(bus, file, RISCV)).message).toMatch(/segment at 0x90000000/)
    expect(bus.dump(RAM_BASE, RAM_SIZE).every((b) => b === 0)).toBe(true)
  })

  it('starts at the physical address of e_entry when a segment is linked high', () => {
    const high = 0xffff_ffff_8000_0000n
    const file = patch(bench('prog_50.elf'), [[24, high + 0x24n, 8], [PH1 + 16, high, 8]])
    expect(loadImage(board(), file, RISCV).entry).toBe(0x80000024n)
  })

  it('rejects an object file that was never linked', () => {
    const rel = patch(bench('exit.elf'), [[16, 1n, 2]])
    expect(loadError(() => loadImage(board(), rel, RISCV)).message).toMatch(/relocatable object \(ET_REL\), not an executable/)
  })

  it('treats a file with the ELF magic but a broken header as a bad ELF, not a raw binary', () => {
    const truncated = bench('prog_50.elf').subarray(0, 100)
    const err = loadError(() => loadImage(board(), truncated, { ...RISCV, rawBase: 0x80000000n }))
    expect(err.message).toMatch(/^truncated ELF: program header 0 extends past end of file/)
    const path = join(tmp, 'broken.elf')
    writeFileSync(path, truncated)
    expect(loadError(() => loadImage(board(), path, RISCV)).message).toMatch(new RegExp(`^${path}: truncated ELF`))
  })
})

describe('loadImage with a raw binary', () => {
  const payload = Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + 1) & 0xff)

  it('loads at rawBase and enters there', () => {
    const bus = board()
    const img = loadImage(bus, payload, { ...RISCV, rawBase: 0x80001000n })
    expect(img).toEqual({ kind: 'raw', entry: 0x80001000n, symbols: [], ranges: [{ base: 0x80001000n, size: 300n }] })
    expect(bus.dump(0x80001000, 300)).toEqual(payload)
  })

  it('loads a .bin file raw even when it starts with the ELF magic', () => {
    const path = join(tmp, 'kernel.bin')
    const elfBytes = bench('exit.elf')
    writeFileSync(path, elfBytes)
    const bus = board()
    const img = loadImage(bus, path, { ...RISCV, rawBase: 0x80000000n })
    expect(img.kind).toBe('raw')
    expect(bus.dump(RAM_BASE, elfBytes.length)).toEqual(elfBytes)
  })

  it('needs rawBase', () => {
    expect(loadError(() => loadImage(board(), payload, RISCV)).message).toMatch(/raw binary .* no load address \(rawBase\)/)
  })

  it('must fit RAM', () => {
    expect(loadError(() => loadImage(board(), payload, { ...RISCV, rawBase: 0x800fff00n })).message).toBe(
      "image does not fit RAM: raw image at 0x800fff00 size 0x12c is outside the board's memory",
    )
    expect(loadError(() => loadImage(board(), payload, { ...RISCV, rawBase: 1n << 60n })).message).toMatch(/outside the board's memory/)
  })
})

describe('loadImage with no usable file', () => {
  it('rejects an empty image', () => {
    expect(loadError(() => loadImage(board(), new Uint8Array(0), { ...RISCV, rawBase: 0x80000000n })).message).toBe('image is empty')
    const path = join(tmp, 'empty.elf')
    writeFileSync(path, new Uint8Array(0))
    expect(loadError(() => loadImage(board(), path, RISCV)).message).toBe(`${path}: image is empty`)
  })

  it('names the path of a missing or unreadable file', () => {
    const missing = join(tmp, 'nope.elf')
    const err = loadError(() => loadImage(board(), missing, RISCV))
    expect(err.message).toBe(`${missing}: cannot read image file: no such file`)
    expect(err.file).toBe(missing)
    expect(loadError(() => loadImage(board(), missing, { ...RISCV, name: 'vms[1].image' })).message).toBe(
      `vms[1].image: cannot read image file '${missing}': no such file`,
    )
    expect(loadError(() => loadImage(board(), tmp, RISCV)).message).toBe(`${tmp}: cannot read image file: it is a directory`)
  })
})

describe('a huge .bss', () => {
  it('is zero without committing its pages: 1.75 GiB of .bss costs no RSS, and RAM the program used is zeroed again', () => {
    const big = new MemoryBus(0x7000_0000 + 0x10_0000)
    big.addRam(RAM_BASE, 0x7000_0000 + 0x10_0000)
    // prog_50's one PT_LOAD with its memsz raised to 1.75 GiB
    const elf = patch(bench('prog_50.elf'), [[PH1 + 40, 0x7000_0000n, 8]])
    big.write(RAM_BASE + 0x6000_0000, 4, 0xdeadbeef) // a page the "previous run" left dirty, inside the .bss
    const rss = process.memoryUsage().rss
    const img = loadImage(big, elf, RISCV)
    expect(process.memoryUsage().rss - rss).toBeLessThan(64 * 1024 * 1024)
    expect(img.ranges[0]!.size).toBe(0x7000_0000n)
    expect(big.read(RAM_BASE + 0x6000_0000, 4)).toBe(0)
    expect(big.read(RAM_BASE + 0x104c, 4)).toBe(0) // just past the file data
  })
})

