/**
 * Guest image loading: an ELF64 file or a raw binary, copied into the board's RAM.
 *
 * The loader checks everything before it writes anything, so a failed load leaves RAM as it
 * was. Addresses are bigint in the API (ELF addresses are 64-bit); the bus takes numbers,
 * which is exact because physical addresses stay below 2^53.
 */

import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { hex, type MemoryBus } from '../bus.ts'
import { hasElfMagic, ImageError, machineName, parseElf, type ElfImage, type ElfSymbol } from './elf.ts'

export { ImageError } from './elf.ts'

export interface LoadOptions {
  /** e_machine the board's CPUs run (EM_RISCV = 243, EM_AARCH64 = 183) */
  elfMachine: number
  /** where a raw binary goes; it is also its entry point */
  rawBase?: bigint
  /** names the image in error messages (e.g. `vms[0].image`); defaults to the file path */
  name?: string
}

export interface LoadedRange {
  base: bigint
  size: bigint
}

export interface LoadedImage {
  kind: 'elf' | 'raw'
  /** physical address the boot CPU starts at */
  entry: bigint
  symbols: ElfSymbol[]
  /** the RAM each segment (or the raw file) occupies, memsz bytes each */
  ranges: LoadedRange[]
}

const ET_EXEC = 2
const ET_DYN = 3
const ELF_TYPES: Readonly<Record<number, string>> = { 0: 'untyped (ET_NONE)', 1: 'a relocatable object (ET_REL)', 4: 'a core dump (ET_CORE)' }

/** Bus addresses are numbers: anything at or above this cannot be RAM. */
const MAX_PA = BigInt(Number.MAX_SAFE_INTEGER)

export function loadImage(bus: MemoryBus, file: string | Uint8Array, opts: LoadOptions): LoadedImage {
  const label = opts.name ?? (typeof file === 'string' ? file : undefined)
  const fail = (reason: string): never => {
    throw new ImageError(reason, label)
  }

  const bytes = typeof file === 'string' ? readImage(file, label) : file
  if (bytes.length === 0) fail('image is empty')

  // a `.bin` file is raw whatever it holds (its path, or the name given with its bytes)
  const path = typeof file === 'string' ? file : opts.name
  const raw = (path !== undefined && extname(path).toLowerCase() === '.bin') || !hasElfMagic(bytes)
  return raw ? loadRaw(bus, bytes, opts, fail) : loadElf(bus, bytes, opts, label, fail)
}

/** An image file's bytes; an unreadable file is an ImageError naming `label` (default the path). */
export function readImage(path: string, label: string | undefined = path): Uint8Array {
  try {
    return readFileSync(path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT' ? 'no such file'
      : code === 'EACCES' ? 'permission denied'
      : code === 'EISDIR' ? 'it is a directory'
      : (e as Error).message
    throw new ImageError(label === path ? `cannot read image file: ${why}` : `cannot read image file '${path}': ${why}`, label)
  }
}

function loadRaw(bus: MemoryBus, bytes: Uint8Array, opts: LoadOptions, fail: (reason: string) => never): LoadedImage {
  const base = opts.rawBase
  if (base === undefined) return fail('image is a raw binary (no ELF header) and no load address (rawBase) was given')
  const size = BigInt(bytes.length)
  checkFits(bus, base, size, 'raw image', fail)
  bus.load(Number(base), bytes)
  return { kind: 'raw', entry: base, symbols: [], ranges: [{ base, size }] }
}

function loadElf(
  bus: MemoryBus,
  bytes: Uint8Array,
  opts: LoadOptions,
  label: string | undefined,
  fail: (reason: string) => never,
): LoadedImage {
  let elf: ElfImage
  try {
    elf = parseElf(bytes)
  } catch (e) {
    if (e instanceof ImageError) throw new ImageError(e.reason, label)
    throw e
  }
  if (elf.type !== ET_EXEC && elf.type !== ET_DYN) {
    fail(`ELF is ${ELF_TYPES[elf.type] ?? `of type ${elf.type}`}, not an executable; link it first`)
  }
  if (elf.machine !== opts.elfMachine) {
    fail(
      `ELF is for machine ${elf.machine} (${machineName(elf.machine)}), ` +
        `this board runs ${machineName(opts.elfMachine)} (${opts.elfMachine})`,
    )
  }
  const loadable = elf.segments.filter((s) => s.memsz > 0n)
  if (loadable.length === 0) fail('ELF has no loadable (PT_LOAD) segments')

  for (const s of loadable) checkFits(bus, s.paddr, s.memsz, 'segment', fail)
  for (const s of loadable) {
    const pa = Number(s.paddr)
    bus.load(pa, s.data)
    zeroFill(bus, pa + s.data.length, Number(s.memsz) - s.data.length)
  }
  return {
    kind: 'elf',
    entry: entryPhysical(elf),
    symbols: elf.symbols,
    ranges: loadable.map((s) => ({ base: s.paddr, size: s.memsz })),
  }
}

/**
 * The boot CPU starts with translation off, so it needs e_entry as a physical address. Where a
 * segment is linked at a virtual address other than its load address (a kernel linked high),
 * e_entry is translated through the segment that contains it.
 */
function entryPhysical(elf: ElfImage): bigint {
  for (const s of elf.segments) {
    if (elf.entry >= s.vaddr && elf.entry < s.vaddr + s.memsz) return s.paddr + (elf.entry - s.vaddr)
  }
  return elf.entry
}

function checkFits(bus: MemoryBus, base: bigint, size: bigint, what: string, fail: (reason: string) => never): void {
  if (base + size > MAX_PA || !bus.isRamRange(Number(base), Number(size))) {
    fail(`image does not fit RAM: ${what} at ${hex(base)} size ${hex(size)} is outside the board's memory`)
  }
}

/** The part of a segment beyond its file data (.bss) must read as zero even if RAM was used before. */
function zeroFill(bus: MemoryBus, pa: number, n: number): void {
  if (n > 0) bus.zero(pa, n)
}
