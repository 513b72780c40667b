/**
 * ELF64 parser for guest images.
 *
 * Why our own: the npm ELF parsers we looked at (elfy, elf-tools, elf-parser, elfinfo, elfjs)
 * each have one or two releases and no recent upkeep; some are CommonJS-only, Buffer-based or
 * CLI-first, and none promises to reject a malformed file with a clear error rather than a
 * RangeError or garbage. A guest loader needs only a small part of ELF (the header, PT_LOAD
 * program headers, section headers and the symbol table), so baobab has a ~300-line reader that
 * checks every offset against the file before reading it, throws only `ImageError` with a
 * one-line message, and is fuzzed by its tests.
 *
 * Only ELF64 little-endian is accepted: both RV64 and AArch64 guests use it. Field offsets and
 * constants come from the System V gABI, "ELF-64 Object File Format" (version 1.5) and the
 * gABI 4.1 chapters "ELF Header", "Sections", "Symbol Table" and "Program Header".
 */

import { hex } from '../bus.ts'

/** A malformed or unusable guest image. `message` is one line, prefixed by the file when known. */
export class ImageError extends Error {
  override readonly name = 'ImageError'
  constructor(
    /** the problem, without the file name */
    readonly reason: string,
    /** the file (or image name) it concerns, when known */
    readonly file?: string,
  ) {
    super(file === undefined ? reason : `${file}: ${reason}`)
  }
}

export interface ElfSegment {
  paddr: bigint
  vaddr: bigint
  /** the p_filesz bytes of file data; a view into the parsed buffer, not a copy */
  data: Uint8Array
  memsz: bigint
  /** p_flags: PF_X = 1, PF_W = 2, PF_R = 4 */
  flags: number
}

export interface ElfSection {
  name: string
  /** sh_type (SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_NOBITS = 8, ...) */
  type: number
  flags: bigint
  addr: bigint
  size: bigint
}

export type SymbolType = 'notype' | 'object' | 'func' | 'section' | 'file' | 'common' | 'tls' | 'other'
export type SymbolBind = 'local' | 'global' | 'weak' | 'other'

export interface ElfSymbol {
  name: string
  value: bigint
  size: bigint
  type: SymbolType
  bind: SymbolBind
}

export interface ElfImage {
  /** e_type: ET_REL = 1, ET_EXEC = 2, ET_DYN = 3, ET_CORE = 4 */
  type: number
  /** e_machine: EM_RISCV = 243, EM_AARCH64 = 183, ... */
  machine: number
  /** e_flags (RISC-V: float ABI, RVC; see the psABI) */
  flags: number
  entry: bigint
  /** PT_LOAD program headers, in file order */
  segments: ElfSegment[]
  sections: ElfSection[]
  /** named, defined symbols of .symtab (or .dynsym when there is no .symtab), in table order */
  symbols: ElfSymbol[]
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46] // "\x7fELF"
const EI_CLASS = 4
const EI_DATA = 5
const EI_VERSION = 6
const ELFCLASS32 = 1
const ELFCLASS64 = 2
const ELFDATA2LSB = 1
const ELFDATA2MSB = 2
const EV_CURRENT = 1

const EHDR_SIZE = 64
const PHDR_SIZE = 56
const SHDR_SIZE = 64
const SYM_SIZE = 24

const PT_LOAD = 1
const PN_XNUM = 0xffff
const SHT_NULL = 0
const SHT_SYMTAB = 2
const SHT_STRTAB = 3
const SHT_NOBITS = 8
const SHT_DYNSYM = 11
const SHN_UNDEF = 0
const SHN_XINDEX = 0xffff

const U64_LIMIT = 1n << 64n

const SYMBOL_TYPES: readonly SymbolType[] = ['notype', 'object', 'func', 'section', 'file', 'common', 'tls']
const SYMBOL_BINDS: readonly SymbolBind[] = ['local', 'global', 'weak']

/** e_machine values a reader is likely to meet; anything else prints as its number. */
const MACHINE_NAMES: Readonly<Record<number, string>> = {
  3: 'x86',
  8: 'MIPS',
  20: 'PowerPC',
  21: 'PowerPC64',
  40: 'Arm',
  62: 'x86-64',
  183: 'AArch64',
  243: 'RISC-V',
  258: 'LoongArch',
}

export function machineName(machine: number): string {
  return MACHINE_NAMES[machine] ?? `machine ${machine}`
}

/** True when `bytes` starts with the ELF magic (the loader then treats it as ELF, never as raw). */
export function hasElfMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && ELF_MAGIC.every((b, i) => bytes[i] === b)
}

const utf8 = new TextDecoder('utf-8')

/** Bounds-checked little-endian reads: every caller checks ranges first, this is the backstop. */
class Reader {
  private readonly dv: DataView
  readonly length: number

  constructor(readonly bytes: Uint8Array) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.length = bytes.byteLength
  }

  private need(off: number, n: number): void {
    if (!(off >= 0 && off + n <= this.length)) {
      throw new ImageError(`truncated ELF: read at ${hex(off)} is past the end of the file (${hex(this.length)} bytes)`)
    }
  }

  u8(off: number): number { this.need(off, 1); return this.dv.getUint8(off) }
  u16(off: number): number { this.need(off, 2); return this.dv.getUint16(off, true) }
  u32(off: number): number { this.need(off, 4); return this.dv.getUint32(off, true) }
  u64(off: number): bigint { this.need(off, 8); return this.dv.getBigUint64(off, true) }
}

/** A file offset or size as a number: exact below 2^53, and above that still too big for any file. */
function num(v: bigint): number {
  return Number(v)
}

/** True when [off, off+size) lies within a file of `len` bytes. */
function inFile(off: number, size: number, len: number): boolean {
  return off + size <= len
}

interface RawSection {
  nameOff: number
  type: number
  flags: bigint
  addr: bigint
  offset: number
  size: bigint
  link: number
  entsize: number
}

/** Parse an ELF64 little-endian image. Throws `ImageError`, and nothing else, on malformed input. */
export function parseElf(bytes: Uint8Array): ElfImage {
  const r = new Reader(bytes)
  const len = r.length
  const fileLen = `file is ${hex(len)} bytes`

  // gABI "ELF Identification": magic, then class and data encoding decide how to read the rest.
  if (!hasElfMagic(bytes)) throw new ImageError('not an ELF file (bad magic)')
  if (len < 16) throw new ImageError(`truncated ELF: identification needs 16 bytes, ${fileLen}`)
  const cls = r.u8(EI_CLASS)
  if (cls === ELFCLASS32) throw new ImageError('ELF is 32-bit; only ELF64 is supported')
  if (cls !== ELFCLASS64) throw new ImageError(`ELF has invalid class ${cls} (expected 2, ELF64)`)
  const data = r.u8(EI_DATA)
  if (data === ELFDATA2MSB) throw new ImageError('ELF is big-endian; only little-endian is supported')
  if (data !== ELFDATA2LSB) throw new ImageError(`ELF has invalid data encoding ${data} (expected 1, little-endian)`)
  const version = r.u8(EI_VERSION)
  if (version !== EV_CURRENT) throw new ImageError(`ELF has unknown version ${version} (expected 1)`)
  if (len < EHDR_SIZE) throw new ImageError(`truncated ELF: header needs ${EHDR_SIZE} bytes, ${fileLen}`)

  const type = r.u16(16)
  const machine = r.u16(18)
  const entry = r.u64(24)
  const phoff = num(r.u64(32))
  const shoff = num(r.u64(40))
  const flags = r.u32(48)
  const phentsize = r.u16(54)
  let phnum = r.u16(56)
  const shentsize = r.u16(58)
  let shnum = r.u16(60)
  let shstrndx = r.u16(62)

  // gABI "Sections", extended numbering: counts that do not fit 16 bits live in section header 0.
  if (shoff === 0) {
    if (phnum === PN_XNUM) throw new ImageError('ELF uses an extended program header count but has no section header table')
    shnum = 0
    shstrndx = SHN_UNDEF
  } else if (shnum === 0 || phnum === PN_XNUM || shstrndx === SHN_XINDEX) {
    if (shentsize < SHDR_SIZE) throw new ImageError(`ELF section header size is ${shentsize} bytes; ELF64 needs at least ${SHDR_SIZE}`)
    if (!inFile(shoff, SHDR_SIZE, len)) {
      throw new ImageError(`truncated ELF: section header 0 extends past end of file (offset ${hex(shoff)}, ${fileLen})`)
    }
    if (shnum === 0) shnum = num(r.u64(shoff + 32))
    if (phnum === PN_XNUM) phnum = r.u32(shoff + 44)
    if (shstrndx === SHN_XINDEX) shstrndx = r.u32(shoff + 40)
  }

  const segments = readSegments(r, phoff, phnum, phentsize, fileLen)
  const raw = readSectionHeaders(r, shoff, shnum, shentsize, fileLen)
  const sections = nameSections(r, raw, shstrndx, fileLen)
  const symbols = readSymbols(r, raw, sections)
  return { type, machine, flags, entry, segments, sections, symbols }
}

function readSegments(r: Reader, phoff: number, phnum: number, phentsize: number, fileLen: string): ElfSegment[] {
  if (phnum > 0 && phentsize < PHDR_SIZE) {
    throw new ImageError(`ELF program header size is ${phentsize} bytes; ELF64 needs at least ${PHDR_SIZE}`)
  }
  const segments: ElfSegment[] = []
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize
    if (!inFile(at, PHDR_SIZE, r.length)) {
      throw new ImageError(`truncated ELF: program header ${i} extends past end of file (offset ${hex(at)}, ${fileLen})`)
    }
    if (r.u32(at) !== PT_LOAD) continue
    const pflags = r.u32(at + 4)
    const offset = r.u64(at + 8)
    const vaddr = r.u64(at + 16)
    const paddr = r.u64(at + 24)
    const filesz = r.u64(at + 32)
    const memsz = r.u64(at + 40)
    if (filesz > memsz) {
      throw new ImageError(`ELF program header ${i}: filesz ${hex(filesz)} is larger than memsz ${hex(memsz)}`)
    }
    if (paddr + memsz > U64_LIMIT || vaddr + memsz > U64_LIMIT) {
      throw new ImageError(`ELF program header ${i}: segment at ${hex(paddr)} size ${hex(memsz)} wraps past the end of the address space`)
    }
    if (!inFile(num(offset), num(filesz), r.length)) {
      throw new ImageError(
        `truncated ELF: segment ${i} file data extends past end of file (offset ${hex(offset)}, size ${hex(filesz)}, ${fileLen})`,
      )
    }
    const start = num(offset)
    segments.push({ paddr, vaddr, data: r.bytes.subarray(start, start + num(filesz)), memsz, flags: pflags })
  }
  return segments
}

function readSectionHeaders(r: Reader, shoff: number, shnum: number, shentsize: number, fileLen: string): RawSection[] {
  if (shnum > 0 && shentsize < SHDR_SIZE) {
    throw new ImageError(`ELF section header size is ${shentsize} bytes; ELF64 needs at least ${SHDR_SIZE}`)
  }
  const out: RawSection[] = []
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize
    if (!inFile(at, SHDR_SIZE, r.length)) {
      throw new ImageError(`truncated ELF: section header ${i} extends past end of file (offset ${hex(at)}, ${fileLen})`)
    }
    out.push({
      nameOff: r.u32(at),
      type: r.u32(at + 4),
      flags: r.u64(at + 8),
      addr: r.u64(at + 16),
      offset: num(r.u64(at + 24)),
      size: r.u64(at + 32),
      link: r.u32(at + 40),
      entsize: num(r.u64(at + 56)),
    })
  }
  return out
}

/** True when the section's bytes are in the file (SHT_NULL and SHT_NOBITS occupy none). */
function hasFileData(s: RawSection): boolean {
  return s.type !== SHT_NULL && s.type !== SHT_NOBITS
}

function nameSections(r: Reader, raw: RawSection[], shstrndx: number, fileLen: string): ElfSection[] {
  // Check every section's data first: the string table must be readable before names are.
  raw.forEach((s, i) => {
    if (hasFileData(s) && !inFile(s.offset, num(s.size), r.length)) {
      throw new ImageError(
        `truncated ELF: section ${i} data extends past end of file (offset ${hex(s.offset)}, size ${hex(s.size)}, ${fileLen})`,
      )
    }
  })
  let names: RawSection | undefined
  if (shstrndx !== SHN_UNDEF && raw.length > 0) {
    names = raw[shstrndx]
    if (!names) throw new ImageError(`ELF section name string table index ${shstrndx} is out of range (${raw.length} sections)`)
    if (names.type !== SHT_STRTAB) throw new ImageError(`ELF section name string table (section ${shstrndx}) is not a string table`)
  }
  return raw.map((s, i) => ({
    name: names ? cstring(r, names, s.nameOff, `section ${i}`) : '',
    type: s.type,
    flags: s.flags,
    addr: s.addr,
    size: s.size,
  }))
}

/** gABI "String Table": a NUL-terminated string at `index` within the table's bytes. */
function cstring(r: Reader, table: RawSection, index: number, what: string): string {
  const size = num(table.size)
  if (index >= size) {
    throw new ImageError(`ELF ${what} name offset ${hex(index)} is outside its string table (${hex(size)} bytes)`)
  }
  const start = table.offset + index
  const end = r.bytes.indexOf(0, start)
  if (end < 0 || end >= table.offset + size) {
    throw new ImageError(`ELF ${what} name at string table offset ${hex(index)} is not NUL-terminated`)
  }
  return utf8.decode(r.bytes.subarray(start, end))
}

/** A name from the file, safe to put in a one-line message (control characters escaped). */
function printable(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0)
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`
  })
}

function readSymbols(r: Reader, raw: RawSection[], sections: ElfSection[]): ElfSymbol[] {
  // gABI "Symbol Table": a static .symtab lists everything; .dynsym only what is exported.
  let index = raw.findIndex((s) => s.type === SHT_SYMTAB)
  if (index < 0) index = raw.findIndex((s) => s.type === SHT_DYNSYM)
  if (index < 0) return []
  const tab = raw[index]!
  const what = `symbol table (section ${index}, ${printable(sections[index]!.name) || 'unnamed'})`
  if (tab.entsize < SYM_SIZE) {
    throw new ImageError(`ELF ${what} entry size is ${tab.entsize} bytes; ELF64 needs at least ${SYM_SIZE}`)
  }
  const strtab = raw[tab.link]
  if (!strtab) throw new ImageError(`ELF ${what} links to string table ${tab.link}, which is out of range (${raw.length} sections)`)
  if (strtab.type !== SHT_STRTAB) throw new ImageError(`ELF ${what} links to section ${tab.link}, which is not a string table`)

  const count = Math.floor(num(tab.size) / tab.entsize)
  const symbols: ElfSymbol[] = []
  for (let i = 0; i < count; i++) {
    const at = tab.offset + i * tab.entsize
    const nameOff = r.u32(at)
    const info = r.u8(at + 4)
    const shndx = r.u16(at + 6)
    if (nameOff === 0 || shndx === SHN_UNDEF) continue
    symbols.push({
      name: cstring(r, strtab, nameOff, `symbol ${i}`),
      value: r.u64(at + 8),
      size: r.u64(at + 16),
      type: SYMBOL_TYPES[info & 0xf] ?? 'other',
      bind: SYMBOL_BINDS[info >> 4] ?? 'other',
    })
  }
  return symbols
}

/**
 * Symbols that name code or data: not section or file symbols, and not the psABI mapping symbols
 * (`$x`, `$d`, `$a`, `$t`, with or without a suffix) that mark instruction-set changes.
 */
function names(s: ElfSymbol): boolean {
  return s.type !== 'section' && s.type !== 'file' && !s.name.startsWith('$')
}

/** Of two symbols at the same address, the one a reader expects: global before local. */
function preferred(a: ElfSymbol, b: ElfSymbol): ElfSymbol {
  return b.bind !== 'local' && a.bind === 'local' ? b : a
}

/**
 * The symbol an address belongs to, as `name+offset`. A sized symbol (a C function or object)
 * matches inside its extent; an unsized label (`_start` in assembly) matches from its address
 * up to the next sized symbol that ends before `addr`, so code past the last function is not
 * blamed on a distant label.
 */
export function symbolAt(image: { symbols: readonly ElfSymbol[] }, addr: bigint): { name: string; offset: bigint } | undefined {
  let inside: ElfSymbol | undefined
  let label: ElfSymbol | undefined
  let fence = -1n
  for (const s of image.symbols) {
    if (s.value > addr || !names(s)) continue
    if (s.size > 0n) {
      const end = s.value + s.size
      if (addr < end) {
        if (!inside || s.value > inside.value) inside = s
        else if (s.value === inside.value) inside = preferred(inside, s)
      } else if (end > fence) fence = end
    } else if (!label || s.value > label.value) label = s
    else if (s.value === label.value) label = preferred(label, s)
  }
  if (label && label.value < fence) label = undefined
  const best = inside && label ? (label.value > inside.value ? label : inside) : (inside ?? label)
  return best && { name: best.name, offset: addr - best.value }
}

/** A defined symbol by name, preferring a global one when locals share the name. */
export function symbolByName(image: { symbols: readonly ElfSymbol[] }, name: string): ElfSymbol | undefined {
  let found: ElfSymbol | undefined
  for (const s of image.symbols) {
    if (s.name !== name) continue
    if (s.bind !== 'local') return s
    found ??= s
  }
  return found
}
