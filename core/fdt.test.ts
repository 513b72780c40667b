import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  FdtError, fdtCells, fdtFind, fdtGet, fdtNode, fdtReg, fdtStrings, fdtToBytes, fdtU32s, parseFdt,
  type FdtNode, type FdtTreeNode,
} from './fdt.ts'

const HAVE_DTC = spawnSync('dtc', ['--version']).status === 0
const NEEDS_DTC = HAVE_DTC ? '' : ' [skipped: dtc not installed; apt-get install -y device-tree-compiler]'

/** A tree using every kind of value the builder offers. */
function sample(): FdtNode {
  const root = fdtNode('')
  root.prop('#address-cells', 2).prop('#size-cells', 2)
  root.prop('compatible', ['acme,board', 'riscv-virtio']).prop('model', 'Acme ünïcode board')
  const cpus = root.child('cpus').prop('#address-cells', 1).prop('#size-cells', 0)
  const intc = cpus.child('cpu@0').prop('device_type', 'cpu').prop('reg', 0).child('interrupt-controller')
  intc.prop('#address-cells', 0).prop('#interrupt-cells', 1).prop('interrupt-controller', true).prop('compatible', 'riscv,cpu-intc')
  root.child('memory@80000000').prop('device_type', 'memory').prop('reg', fdtReg([{ address: 0x8000_0000, size: 0x1_0000_0000 }]))
  const soc = root.child('soc').prop('#address-cells', 2).prop('#size-cells', 2).prop('compatible', 'simple-bus').prop('ranges', true)
  const pic = soc.child('plic@c000000').prop('compatible', 'riscv,plic0').prop('reg', fdtReg([{ address: 0xc00_0000, size: 0x60_0000 }]))
  pic.prop('#address-cells', 0).prop('#interrupt-cells', 1).prop('interrupt-controller', true)
  pic.prop('interrupts-extended', [intc.phandle(), 11, intc.phandle(), 9])
  const dev = soc.child('dev@10000000').prop('compatible', 'acme,dev').prop('reg', fdtReg([{ address: 0x1000_0000n, size: 0x100 }]))
  dev.prop('interrupt-parent', pic.phandle()).prop('interrupts', 10)
  dev.prop('acme,u64', 0x1_2345_6789n).prop('acme,cells', [1, 2, 0xffff_ffff]).prop('acme,raw', new Uint8Array([1, 2, 3]))
  dev.prop('acme,wide', fdtCells([0x1_0000_0001n, 5], 3))
  root.child('chosen').prop('bootargs', 'console=ttyS0').prop('stdout-path', '/soc/dev@10000000')
  return root
}

/** What the parser must give back for a built tree: its props plus the allocated phandle. */
function expected(n: FdtNode): FdtTreeNode {
  const props = n.allocatedPhandle === 0 ? [...n.props] : [...n.props, { name: 'phandle', value: fdtCells([n.allocatedPhandle]) }]
  return { name: n.name, props, children: n.children.map(expected) }
}

const be32 = (b: Uint8Array, off: number): number => new DataView(b.buffer, b.byteOffset).getUint32(off)
const setBe32 = (b: Uint8Array, off: number, v: number): Uint8Array => {
  const c = b.slice()
  new DataView(c.buffer).setUint32(off, v)
  return c
}

/** The FdtError `parseFdt` throws for `b`; fails the test on success or any other exception. */
function parseError(b: Uint8Array): FdtError {
  try {
    parseFdt(b)
  } catch (e) {
    expect(e).toBeInstanceOf(FdtError)
    return e as FdtError
  }
  throw new Error('parseFdt accepted a malformed blob')
}

describe('fdt writer → parser', () => {
  it('round-trips every value kind, the reservation block and boot_cpuid_phys', () => {
    const root = sample()
    const reserved = [{ address: 0x8000_0000n, size: 0x20_0000n }, { address: 0x1_0000_0000, size: 0x1000 }]
    const blob = parseFdt(fdtToBytes(root, { bootCpuId: 3, reserved }))
    expect(blob.version).toBe(17)
    expect(blob.lastCompVersion).toBe(16)
    expect(blob.bootCpuId).toBe(3)
    expect(blob.reserved).toEqual([{ address: 0x8000_0000n, size: 0x20_0000n }, { address: 0x1_0000_0000n, size: 0x1000n }])
    expect(blob.root).toEqual(expected(root))
  })

  it('encodes values as the spec lays them out (§2.2.4)', () => {
    const root = parseFdt(fdtToBytes(sample())).root
    const dev = fdtFind(root, '/soc/dev@10000000')!
    expect(fdtU32s(fdtGet(dev, 'reg')!)).toEqual([0, 0x1000_0000, 0, 0x100])
    expect(fdtU32s(fdtGet(dev, 'acme,u64')!)).toEqual([1, 0x2345_6789])
    expect(fdtU32s(fdtGet(dev, 'acme,wide')!)).toEqual([0, 1, 1, 0, 0, 5])
    expect(fdtU32s(fdtGet(fdtFind(root, '/memory@80000000')!, 'reg')!)).toEqual([0, 0x8000_0000, 1, 0])
    expect(fdtStrings(fdtGet(root, 'compatible')!)).toEqual(['acme,board', 'riscv-virtio'])
    expect(fdtStrings(fdtGet(root, 'model')!)).toEqual(['Acme ünïcode board'])
    expect(fdtGet(fdtFind(root, '/soc')!, 'ranges')).toEqual(new Uint8Array(0))
    // phandles are allocated from 1 in the order nodes are referenced
    const intc = fdtFind(root, '/cpus/cpu@0/interrupt-controller')!
    expect(fdtU32s(fdtGet(intc, 'phandle')!)).toEqual([1])
    expect(fdtU32s(fdtGet(fdtFind(root, '/soc/plic@c000000')!, 'interrupts-extended')!)).toEqual([1, 11, 1, 9])
    expect(fdtU32s(fdtGet(dev, 'interrupt-parent')!)).toEqual([2])
  })

  it('keeps §5 layout: header fields, alignment, one copy of each property name', () => {
    const bytes = fdtToBytes(sample(), { reserved: [{ address: 0x1000, size: 0x1000 }] })
    const [magic, total, offStruct, offStrings, offRsvmap, , , , sizeStrings, sizeStruct] = Array.from({ length: 10 }, (_, i) => be32(bytes, i * 4))
    expect(magic).toBe(0xd00dfeed)
    expect(total).toBe(bytes.length)
    expect(offRsvmap % 8).toBe(0)
    expect(offStruct % 4).toBe(0)
    expect(offStruct).toBe(offRsvmap + 32)
    expect(offStrings).toBe(offStruct + sizeStruct)
    expect(offStrings + sizeStrings).toBe(total)
    expect(be32(bytes, offStrings - 4)).toBe(9) // FDT_END closes the structure block
    const strings = new TextDecoder().decode(bytes.subarray(offStrings)).split('\0').slice(0, -1)
    expect(strings).toEqual([...new Set(strings)])
    expect(strings).toContain('#address-cells')
  })

  it('replaces a property set twice and removes one set to false', () => {
    const root = fdtNode()
    root.prop('status', 'disabled').prop('x', true).prop('status', 'okay').prop('x', false)
    expect(parseFdt(fdtToBytes(root)).root.props).toEqual([{ name: 'status', value: new TextEncoder().encode('okay\0') }])
  })

  it('rejects what it cannot write, with FdtError', () => {
    const root = fdtNode()
    const codes = [
      () => root.child('bad name'),
      () => root.child('a'.repeat(32)),
      () => root.prop('white space', 1),
      () => root.prop('phandle', 1),
      () => root.prop('n', -1),
      () => root.prop('n', 2 ** 32),
      () => root.prop('n', 1.5),
      () => root.prop('s', 'a\0b'),
      () => root.prop('r', fdtReg([{ address: 2 ** 32, size: 1 }], 1, 1)),
      () => fdtToBytes(fdtNode('notroot')),
    ].map((f) => {
      try {
        f()
      } catch (e) {
        expect(e).toBeInstanceOf(FdtError)
        return (e as FdtError).code
      }
      return 'accepted'
    })
    expect(codes).toEqual(['bad-name', 'bad-name', 'bad-name', 'bad-name', 'bad-value', 'bad-value', 'bad-value', 'bad-value', 'bad-value', 'bad-name'])
    root.child('a')
    expect(() => root.child('a')).toThrow(/duplicate/)
  })
})

describe.skipIf(!HAVE_DTC)(`fdt against dtc${NEEDS_DTC}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'baobab-fdt-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('dtc decompiles the blob without warnings and shows the nodes', () => {
    const file = join(dir, 'sample.dtb')
    writeFileSync(file, fdtToBytes(sample(), { reserved: [{ address: 0x8000_0000, size: 0x20_0000 }] }))
    const r = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', file], { encoding: 'utf8' })
    expect(r.status).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.stdout).toMatch(/\/memreserve\/\s+0x0000000080000000 0x0000000000200000;/)
    expect(r.stdout).toContain('compatible = "acme,board\\0riscv-virtio";')
    expect(r.stdout).toMatch(/plic@c000000 \{[^}]*interrupts-extended = <0x01 0x0b 0x01 0x09>;/)
    expect(r.stdout).toMatch(/interrupt-controller \{[^}]*phandle = <0x01>;/)
    expect(r.stdout).toContain('acme,u64 = <0x01 0x23456789>;')
    expect(r.stdout).toContain('ranges;')
  })

  it('reads back what dtc writes from the same source', () => {
    const src = join(dir, 'in.dtb')
    const out = join(dir, 'out.dtb')
    const ours = fdtToBytes(sample(), { bootCpuId: 1, reserved: [{ address: 0x1000, size: 0x2000 }] })
    writeFileSync(src, ours)
    const r = spawnSync('dtc', ['-I', 'dtb', '-O', 'dtb', '-o', out, src], { encoding: 'utf8' })
    expect(r.status).toBe(0)
    const theirs = parseFdt(new Uint8Array(readFileSync(out)))
    const mine = parseFdt(ours)
    expect(theirs.root).toEqual(mine.root)
    expect(theirs.reserved).toEqual(mine.reserved)
    expect(theirs.bootCpuId).toBe(1)
  })
})

describe('parseFdt on malformed blobs', () => {
  const good = fdtToBytes(sample(), { reserved: [{ address: 0x1000, size: 0x1000 }] })
  const offStruct = be32(good, 8)
  const offStrings = be32(good, 12)

  it('reports truncation at every length', () => {
    for (let n = 0; n < good.length; n++) expect(parseError(good.subarray(0, n)).code).toBe('truncated')
  })

  it('reports a bad magic and an unreadable version', () => {
    expect(parseError(setBe32(good, 0, 0xfeedd00d)).code).toBe('bad-magic')
    expect(parseError(setBe32(good, 20, 15)).code).toBe('bad-version')
    expect(parseError(setBe32(good, 24, 18)).code).toBe('bad-version')
  })

  it('reports offsets and sizes outside the blob or misaligned', () => {
    expect(parseError(setBe32(good, 8, good.length + 4)).code).toBe('bad-offset') // off_dt_struct
    expect(parseError(setBe32(good, 8, offStruct + 2)).code).toBe('bad-offset')
    expect(parseError(setBe32(good, 8, 8)).code).toBe('bad-offset') // inside the header
    expect(parseError(setBe32(good, 12, good.length + 1)).code).toBe('bad-offset') // off_dt_strings
    expect(parseError(setBe32(good, 16, 44)).code).toBe('bad-offset') // off_mem_rsvmap misaligned
    expect(parseError(setBe32(good, 32, 0x7fff_ffff)).code).toBe('bad-offset') // size_dt_strings
    expect(parseError(setBe32(good, 36, 0xffff_fff0)).code).toBe('bad-offset') // size_dt_struct
    expect(parseError(setBe32(good, 4, 8)).code).toBe('bad-offset') // totalsize
  })

  it('reports bad tokens, property lengths and name offsets', () => {
    // the root node's first property follows its BEGIN_NODE token and empty, padded name
    const firstProp = offStruct + 8
    expect(be32(good, firstProp)).toBe(3)
    expect(parseError(setBe32(good, firstProp, 0x77)).code).toBe('bad-token')
    expect(parseError(setBe32(good, firstProp + 4, 0x10000)).code).toBe('truncated')
    expect(parseError(setBe32(good, firstProp + 8, offStrings)).code).toBe('bad-offset')
    expect(parseError(setBe32(good, offStruct, 2)).code).toBe('bad-structure')
    expect(parseError(setBe32(good, offStrings - 4, 4)).code).toBe('truncated') // FDT_END → NOP
    expect(parseError(setBe32(good, offStrings - 8, 9)).code).toBe('bad-structure') // root left open
    const unterminated = good.slice()
    unterminated.fill(0x41, offStrings) // no NUL after the last property name
    expect(parseError(unterminated).code).toBe('truncated')
  })

  it('reports a non-Uint8Array input', () => {
    expect(parseError('not a blob' as unknown as Uint8Array).code).toBe('bad-value')
  })

  it('throws nothing but FdtError, and no internal error, on random corruption', () => {
    let seed = 0x1234_5678
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0
      return seed % n
    }
    for (let i = 0; i < 3000; i++) {
      const b = good.slice()
      for (let k = 1 + rand(4); k > 0; k--) b[rand(b.length)] = rand(256)
      try {
        parseFdt(b)
      } catch (e) {
        expect(e).toBeInstanceOf(FdtError)
        expect((e as FdtError).code).not.toBe('internal')
      }
    }
  })
})

describe('fdt reading helpers', () => {
  it('find nodes by path and decode cells and strings', () => {
    const root = parseFdt(fdtToBytes(sample())).root
    expect(fdtFind(root, '/')).toBe(root)
    expect(fdtFind(root, '/soc/nope')).toBeUndefined()
    expect(fdtGet(root, 'nope')).toBeUndefined()
    expect(() => fdtU32s(new Uint8Array(3))).toThrow(FdtError)
    expect(() => fdtStrings(new Uint8Array([0x41]))).toThrow(FdtError)
  })
})
