import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { disasmWord, disassemble } from '../disasm.ts'

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))
const PROG_50 = fileURLToPath(new URL('../../../bench/rv64-loop/prog_50.elf', import.meta.url))
const OBJDUMP = 'riscv64-unknown-elf-objdump'

interface DumpLine { addr: bigint; hex: string; text: string }

/** Instruction lines of `objdump -d` output; `addr:\tencoding\tmnemonic\toperands`. */
function parseObjdump(out: string): DumpLine[] {
  const lines: DumpLine[] = []
  for (const line of out.split('\n')) {
    const m = /^\s*([0-9a-f]+):\t([0-9a-f]{4}|[0-9a-f]{8})\s*\t(.*)$/.exec(line)
    if (m) lines.push({ addr: BigInt(`0x${m[1]}`), hex: m[2], text: m[3] })
  }
  return lines
}

/**
 * objdump's text minus what disasm.ts leaves out on purpose: `# value` comments, `<symbol>`
 * annotations (bare targets become 0x…), and the tab after the mnemonic.
 */
function normalise(text: string): string {
  return text.replace(/\s*#.*$/, '').replace(/\b([0-9a-f]+) <[^>]*>/, '0x$1').trim().replace(/\s+/g, ' ')
}

// objdump prints bytes under a data mapping symbol ($d) with these; they are not instructions
const DATA = new Set(['.byte', '.short', '.word', '.dword', '.8byte'])

/** Disassemble every instruction objdump listed from `bytes` (loaded at `base`); return mismatches. */
function compare(dump: DumpLine[], bytes: Uint8Array, base: bigint): string[] {
  const bad: string[] = []
  for (const { addr, hex, text } of dump) {
    if (DATA.has(text.split(/\s/)[0])) continue
    const got = disassemble(bytes.subarray(Number(addr - base)), addr)
    const want = normalise(text)
    if (got.text !== want || got.length !== hex.length / 2) {
      bad.push(`${addr.toString(16)}: ${hex} objdump '${want}' (${hex.length / 2}) ours '${got.text}' (${got.length})`)
    }
  }
  return bad
}

/** Just enough ELF64 to find .text: section headers and their string table. */
function elfText(elf: Buffer): { addr: bigint; bytes: Uint8Array } {
  const shoff = Number(elf.readBigUInt64LE(0x28))
  const shentsize = elf.readUInt16LE(0x3a), shnum = elf.readUInt16LE(0x3c), shstrndx = elf.readUInt16LE(0x3e)
  const strtab = Number(elf.readBigUInt64LE(shoff + shstrndx * shentsize + 0x18))
  for (let i = 0; i < shnum; i++) {
    const sh = shoff + i * shentsize
    const nameAt = strtab + elf.readUInt32LE(sh)
    if (elf.toString('latin1', nameAt, elf.indexOf(0, nameAt)) !== '.text') continue
    const offset = Number(elf.readBigUInt64LE(sh + 0x18)), size = Number(elf.readBigUInt64LE(sh + 0x20))
    return { addr: elf.readBigUInt64LE(sh + 0x10), bytes: elf.subarray(offset, offset + size) }
  }
  throw new Error('no .text section')
}

const hasObjdump = spawnSync(OBJDUMP, ['--version']).status === 0

describe('disasm matches objdump on every instruction of fixtures/all.S', () => {
  const dump = parseObjdump(readFileSync(fixture('all.objdump'), 'utf8'))
  const bytes = new Uint8Array(readFileSync(fixture('all.bin')))
  const base = dump[0].addr

  it('lists every byte of .text as one instruction after another', () => {
    let next = base
    for (const { addr, hex } of dump) {
      expect(addr).toBe(next)
      next += BigInt(hex.length / 2)
    }
    expect(next - base).toBe(BigInt(bytes.length))
    expect(dump.length).toBeGreaterThan(800)
  })

  it('prints the same text and length as objdump for each one', () => {
    expect(compare(dump, bytes, base)).toEqual([])
  })
})

describe.skipIf(!hasObjdump || !existsSync(PROG_50))('disasm against a live objdump', () => {
  it('matches objdump on bench/rv64-loop/prog_50.elf .text', () => {
    const out = spawnSync(OBJDUMP, ['-d', '-j', '.text', PROG_50], { encoding: 'utf8' }).stdout
    const { addr, bytes } = elfText(readFileSync(PROG_50))
    const dump = parseObjdump(out)
    expect(dump.length).toBeGreaterThan(50)
    expect(compare(dump, bytes, addr)).toEqual([])
  })
})

describe('disasm API', () => {
  const le = (...b: number[]): Uint8Array => new Uint8Array(b)

  it('prints objdump alias forms with ABI register names', () => {
    expect(disasmWord(0x00150513, 0n)).toBe('add a0,a0,1') // addi, as binutils 2.40 shows it
    expect(disasmWord(0x00813083, 0n)).toBe('ld ra,8(sp)')
    expect(disasmWord(0x30051073, 0n)).toBe('csrw mstatus,a0') // csrrw zero,mstatus,a0
    expect(disasmWord(0x0000006f, 0n)).toBe('j 0x0')
  })

  it('prints branch and jump targets as absolute addresses, wrapping at 2^64', () => {
    expect(disasmWord(0x00b50863, 0x80000000n)).toBe('beq a0,a1,0x80000010')
    expect(disasmWord(0xffdff06f, 0n)).toBe('j 0xfffffffffffffffc')
    expect(disassemble(le(0x01, 0xa0), 0x1000n)).toEqual({ text: 'j 0x1000', length: 2 })
  })

  it('reads 16- or 32-bit little-endian instructions by their low bits', () => {
    expect(disassemble(le(0x05, 0x05, 0xff, 0xff), 0n)).toEqual({ text: 'add a0,a0,1', length: 2 })
    expect(disassemble(le(0x13, 0x05, 0x15, 0x00, 0xff), 0n)).toEqual({ text: 'add a0,a0,1', length: 4 })
  })

  it('prints unknown encodings as objdump data directives', () => {
    expect(disassemble(le(0x0b, 0, 0, 0), 0n)).toEqual({ text: '.4byte 0xb', length: 4 })
    expect(disassemble(le(0x02, 0x80), 0n)).toEqual({ text: '.2byte 0x8002', length: 2 })
    // prefix of a >32-bit encoding (unpriv §1.5): consumed as one halfword
    expect(disassemble(le(0xff, 0xff, 0xff, 0xff), 0n)).toEqual({ text: '.2byte 0xffff', length: 2 })
  })

  it('reports a truncated instruction instead of reading past the buffer', () => {
    expect(disassemble(le(), 0n)).toEqual({ text: '(truncated)', length: 0 })
    expect(disassemble(le(0x13), 0n)).toEqual({ text: '(truncated)', length: 1 })
    expect(disassemble(le(0x13, 0x05, 0x15), 0n)).toEqual({ text: '(truncated)', length: 3 })
  })
})
