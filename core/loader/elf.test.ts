import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ImageError, parseElf, symbolAt, symbolByName, type ElfImage } from './elf.ts'

const bench = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(fileURLToPath(new URL(`../../bench/rv64-loop/${name}`, import.meta.url))))

const EM_RISCV = 243

/** A mutable copy with little-endian field writers, for making malformed files from good ones. */
function patched(bytes: Uint8Array): { bytes: Uint8Array; u8(o: number, v: number): void; u16(o: number, v: number): void; u32(o: number, v: number): void; u64(o: number, v: bigint): void } {
  const b = bytes.slice()
  const dv = new DataView(b.buffer)
  return {
    bytes: b,
    u8: (o, v) => dv.setUint8(o, v),
    u16: (o, v) => dv.setUint16(o, v, true),
    u32: (o, v) => dv.setUint32(o, v, true),
    u64: (o, v) => dv.setBigUint64(o, v, true),
  }
}

/** Runs fn; it must either return or throw an ImageError with a one-line message. */
function parseOrImageError(bytes: Uint8Array): ElfImage | ImageError {
  try {
    return parseElf(bytes)
  } catch (e) {
    expect(e).toBeInstanceOf(ImageError)
    const err = e as ImageError
    expect(err.message.length).toBeGreaterThan(0)
    expect(err.message).not.toContain('\n')
    return err
  }
}

function imageError(bytes: Uint8Array): string {
  const r = parseOrImageError(bytes)
  expect(r).toBeInstanceOf(ImageError)
  return (r as ImageError).message
}

// Offsets in prog_50.elf (readelf -hlS): 2 program headers at 0x40, 10 section headers at 0x2380.
const PHOFF = 0x40
const PH_LOAD = PHOFF + 56 // program header 1 is the PT_LOAD
const SHOFF = 0x2380
const SH_SYMTAB = SHOFF + 7 * 64

describe('parseElf on the rv64-loop guests', () => {
  it('reads header, the one PT_LOAD segment and the symbols of prog_50.elf', () => {
    const elf = parseElf(bench('prog_50.elf'))
    expect(elf.machine).toBe(EM_RISCV)
    expect(elf.type).toBe(2)
    expect(elf.entry).toBe(0x80000000n)
    expect(elf.segments).toHaveLength(1)
    const [seg] = elf.segments
    expect(seg!.paddr).toBe(0x80000000n)
    expect(seg!.vaddr).toBe(0x80000000n)
    expect(seg!.data.length).toBe(0x104c)
    expect(seg!.memsz).toBe(0x4450n)
    expect(seg!.flags).toBe(7)
    expect(elf.sections.map((s) => s.name)).toEqual([
      '', '.text', '.rodata', '.data', '.bss', '.riscv.attributes', '.comment', '.symtab', '.strtab', '.shstrtab',
    ])
    expect(symbolByName(elf, '_start')).toMatchObject({ value: 0x80000000n, size: 0n, bind: 'global', type: 'notype' })
    expect(symbolByName(elf, 'main')).toMatchObject({ value: 0x80000024n, size: 124n, type: 'func' })
    expect(symbolByName(elf, 'arr')).toMatchObject({ value: 0x80002450n, size: 8192n, type: 'object' })
    expect(symbolByName(elf, 'no_such_symbol')).toBeUndefined()
  })

  it('parses every bench ELF with entry 0x80000000', () => {
    for (const f of ['exit.elf', 'prog_50.elf', 'prog_5000.elf', 'prog_50000.elf']) {
      const elf = parseElf(bench(f))
      expect(elf.entry, f).toBe(0x80000000n)
      expect(elf.segments.length, f).toBeGreaterThan(0)
      expect(symbolByName(elf, '_start')?.value, f).toBe(0x80000000n)
    }
    expect(parseElf(bench('exit.elf')).segments[0]!.data.length).toBe(0x14)
  })

  it('parses a copy that does not start at offset 0 of its buffer', () => {
    const file = bench('exit.elf')
    const shifted = new Uint8Array(file.length + 3)
    shifted.set(file, 3)
    expect(parseElf(shifted.subarray(3)).entry).toBe(0x80000000n)
  })
})

describe('symbolAt', () => {
  const elf = parseElf(bench('prog_50.elf'))

  it('names an address inside a sized function or object', () => {
    expect(symbolAt(elf, 0x80000024n)).toEqual({ name: 'main', offset: 0n })
    expect(symbolAt(elf, 0x8000002cn)).toEqual({ name: 'main', offset: 8n })
    expect(symbolAt(elf, 0x80002450n + 16n)).toEqual({ name: 'arr', offset: 16n })
  })

  it('names code after an assembly label with the label, skipping $x mapping symbols', () => {
    expect(symbolAt(elf, 0x80000000n)).toEqual({ name: '_start', offset: 0n })
    expect(symbolAt(elf, 0x80000010n)).toEqual({ name: '_start', offset: 0x10n })
  })

  it('names nothing past the last function or below every symbol', () => {
    expect(symbolAt(elf, 0x800002e4n)).toBeUndefined() // work ends at 0x800002e4
    expect(symbolAt(elf, 0x1000n)).toBeUndefined()
  })

  it('prefers a global symbol to a local one at the same address', () => {
    const img = {
      symbols: [
        { name: 'local_alias', value: 0x100n, size: 8n, type: 'func' as const, bind: 'local' as const },
        { name: 'exported', value: 0x100n, size: 8n, type: 'func' as const, bind: 'global' as const },
      ],
    }
    expect(symbolAt(img, 0x104n)).toEqual({ name: 'exported', offset: 4n })
    expect(symbolByName(img, 'local_alias')?.value).toBe(0x100n)
  })
})

describe('parseElf rejects malformed files with one clear ImageError', () => {
  const good = bench('prog_50.elf')

  it('bad magic', () => {
    expect(imageError(new TextEncoder().encode('#!/bin/sh\necho hi\n'))).toBe('not an ELF file (bad magic)')
    expect(imageError(new Uint8Array(0))).toBe('not an ELF file (bad magic)')
  })

  it('32-bit, big-endian, invalid class and encoding, unknown version', () => {
    let p = patched(good)
    p.u8(4, 1)
    expect(imageError(p.bytes)).toBe('ELF is 32-bit; only ELF64 is supported')
    p = patched(good)
    p.u8(5, 2)
    expect(imageError(p.bytes)).toBe('ELF is big-endian; only little-endian is supported')
    p = patched(good)
    p.u8(4, 9)
    expect(imageError(p.bytes)).toMatch(/invalid class 9/)
    p = patched(good)
    p.u8(5, 0)
    expect(imageError(p.bytes)).toMatch(/invalid data encoding 0/)
    p = patched(good)
    p.u8(6, 2)
    expect(imageError(p.bytes)).toMatch(/unknown version 2/)
  })

  it('program header table past the end', () => {
    const p = patched(good)
    p.u64(32, BigInt(good.length - 60)) // e_phoff: header 0 fits, header 1 does not
    expect(imageError(p.bytes)).toBe(
      `truncated ELF: program header 1 extends past end of file (offset 0x${(good.length + 56 - 60).toString(16)}, file is 0x2600 bytes)`,
    )
  })

  it('section header table past the end, and a huge e_shoff', () => {
    let p = patched(good)
    p.u64(40, BigInt(good.length - 64 * 3))
    expect(imageError(p.bytes)).toMatch(/^truncated ELF: section header 3 extends past end of file/)
    p = patched(good)
    p.u64(40, 0xffff_ffff_ffff_fff0n)
    expect(imageError(p.bytes)).toMatch(/^truncated ELF: section header 0 extends past end of file/)
  })

  it('segment file data past the end', () => {
    const p = patched(good)
    p.u64(PH_LOAD + 8, 0x2000n) // p_offset: 0x2000 + filesz 0x104c > 0x2600
    expect(imageError(p.bytes)).toBe(
      'truncated ELF: segment 1 file data extends past end of file (offset 0x2000, size 0x104c, file is 0x2600 bytes)',
    )
  })

  it('filesz larger than memsz', () => {
    const p = patched(good)
    p.u64(PH_LOAD + 40, 0x100n)
    expect(imageError(p.bytes)).toBe('ELF program header 1: filesz 0x104c is larger than memsz 0x100')
  })

  it('a segment that wraps past the end of the address space', () => {
    const p = patched(good)
    p.u64(PH_LOAD + 24, 0xffff_ffff_ffff_f000n)
    expect(imageError(p.bytes)).toMatch(/program header 1: segment at 0xfffffffffffff000 size 0x4450 wraps/)
  })

  it('header entry sizes too small for ELF64', () => {
    let p = patched(good)
    p.u16(54, 32)
    expect(imageError(p.bytes)).toMatch(/program header size is 32 bytes/)
    p = patched(good)
    p.u16(58, 40)
    expect(imageError(p.bytes)).toMatch(/section header size is 40 bytes/)
  })

  it('string table indices out of range', () => {
    let p = patched(good)
    p.u16(62, 99) // e_shstrndx
    expect(imageError(p.bytes)).toBe('ELF section name string table index 99 is out of range (10 sections)')
    p = patched(good)
    p.u16(62, 1) // .text is not a string table
    expect(imageError(p.bytes)).toMatch(/section name string table \(section 1\) is not a string table/)
    p = patched(good)
    p.u32(SH_SYMTAB + 40, 42) // .symtab sh_link
    expect(imageError(p.bytes)).toMatch(/symbol table \(section 7, \.symtab\) links to string table 42, which is out of range/)
    p = patched(good)
    p.u32(SHOFF + 64, 0x7000) // .text sh_name
    expect(imageError(p.bytes)).toMatch(/section 1 name offset 0x7000 is outside its string table \(0x4f bytes\)/)
    p = patched(good)
    p.u32(0x20a8 + 24 * 18, 0x12345) // st_name of symbol 18 (_start)
    expect(imageError(p.bytes)).toMatch(/symbol 18 name offset 0x12345 is outside its string table/)
  })

  it('a string that runs off the end of its table', () => {
    const p = patched(good)
    const strtabSize = 0x78
    p.u8(0x22b8 + strtabSize - 1, 0x41) // last NUL of .strtab
    expect(imageError(p.bytes)).toMatch(/is not NUL-terminated/)
  })
})

describe('parseElf never throws anything but ImageError', () => {
  it('on every truncation of a small ELF', () => {
    const file = bench('exit.elf')
    for (let n = 0; n < file.length; n++) {
      const r = parseOrImageError(file.subarray(0, n))
      expect(r, `truncated to ${n} bytes`).toBeInstanceOf(ImageError)
    }
  })

  it('on 1000 randomly corrupted copies (seeded)', () => {
    const file = bench('prog_50.elf')
    const rand = xorshift32(0xba0bab)
    const headers = [
      [0, 64 + 2 * 56], // ELF and program headers
      [SHOFF, file.length], // section headers
      [0x20a8, 0x2380], // symbol, string and section-name tables
    ] as const
    const extremes = [0n, 1n, 0xffn, 0xffffn, 0xffff_ffffn, 0xffff_ffff_ffff_ffffn, BigInt(file.length), BigInt(file.length - 1)]
    let parsed = 0
    let rejected = 0
    for (let iter = 0; iter < 1000; iter++) {
      const p = patched(file)
      const edits = 1 + (rand() % 6)
      for (let e = 0; e < edits; e++) {
        const [lo, hi] = headers[rand() % headers.length]!
        const at = lo + (rand() % (hi - lo))
        switch (rand() % 4) {
          case 0: p.u8(at, rand() & 0xff); break
          case 1: if (at + 2 <= file.length) p.u16(at & ~1, rand() & 0xffff); break
          case 2: if (at + 8 <= file.length) p.u64(at & ~7, extremes[rand() % extremes.length]!); break
          default: if (at + 4 <= file.length) p.u32(at & ~3, rand()); break
        }
      }
      const r = parseOrImageError(p.bytes)
      if (r instanceof ImageError) {
        rejected++
        continue
      }
      parsed++
      for (const s of r.segments) expect(BigInt(s.data.length) <= s.memsz).toBe(true)
      symbolAt(r, r.entry)
    }
    // both outcomes must be exercised, or the fuzzer is not reaching the parser's checks
    expect(parsed).toBeGreaterThan(50)
    expect(rejected).toBeGreaterThan(50)
  })
})

function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x
  }
}
