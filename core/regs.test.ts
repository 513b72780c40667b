import { describe, expect, it } from 'vitest'
import { Registers, type RegSpec } from './regs.ts'

describe('single registers', () => {
  it('keep byte lanes, masks, access and the plain snapshot key', () => {
    const writes: string[] = []
    const regs = new Registers([
      { name: 'CTRL', offset: 0, reset: 0x11223344, mask: 0xffff00ff, write: (v, old, w, i, cpu) => writes.push(`${v.toString(16)} ${old.toString(16)} ${w.toString(16)} ${i} ${cpu}`) },
      { name: 'STAT', offset: 4, access: 'r', reset: 7 },
    ])
    expect(regs.read(1, 1)).toBe(0x33)
    regs.write(0, 4, 0xaabbccdd, 3)
    expect(regs.read(0, 4)).toBe(0xaabb33dd)
    expect(writes).toEqual(['aabb33dd 11223344 aabbccdd 0 3'])
    regs.write(4, 4, 0)
    expect(regs.read(4, 4)).toBe(7)
    expect(regs.snapshot()).toEqual({ CTRL: 0xaabb33dd, STAT: 7 })
  })
})

describe('register arrays', () => {
  const specs = (log: string[]): RegSpec[] => [
    { name: 'CTL', offset: 0x0 },
    // 4 registers 8 bytes apart, one reset value each, bit 31 read-only
    {
      name: 'PRIO', offset: 0x100, count: 4, stride: 8, reset: [1, 2, 3, 4], mask: 0x7fffffff,
      read: (v, i) => v + 0x1000 * i,
      write: (v, old, w, i) => log.push(`w${i} ${v} ${old} ${w}`),
    },
    // byte-wide array with one shared reset value and per-element masks
    { name: 'B', offset: 0x200, count: 3, width: 1, reset: 0xff, mask: [0x0f, 0xf0, 0] },
  ]

  it('hand the element index to handlers and honour stride, width, reset and mask', () => {
    const log: string[] = []
    const regs = new Registers(specs(log))
    expect([0, 1, 2, 3].map((i) => regs.read(0x100 + 8 * i, 4))).toEqual([1, 0x1002, 0x2003, 0x3004])
    regs.write(0x110, 4, 0xffffffff)
    expect(log).toEqual([`w2 ${0x7fffffff} 3 ${0xffffffff}`])
    expect(regs.get('PRIO', 2)).toBe(0x7fffffff)
    expect(regs.read(0x112, 2)).toBe(0x8000) // the upper lane of element 2 as read: 0x7fffffff + 0x2000
    regs.write(0x200, 4, 0x00000000) // split into bytes, each hitting its element
    expect([regs.read(0x200, 1), regs.read(0x201, 1), regs.read(0x202, 1)]).toEqual([0xf0, 0x0f, 0xff])
    expect(regs.array('B')).toEqual(new Uint32Array([0xf0, 0x0f, 0xff]))
  })

  it('let offsets between and past the elements fall through', () => {
    const log: string[] = []
    const regs = new Registers(specs(log))
    expect(regs.read(0x104, 4)).toBe(0) // the gap of a stride-8 array
    expect(regs.read(0x120, 4)).toBe(0) // past the last element
    expect(regs.read(0x0fc, 4)).toBe(0)
    regs.write(0x104, 4, 5)
    regs.write(0x120, 4, 5)
    expect(log).toEqual([])
    expect(regs.read(0x203, 1)).toBe(0)
  })

  it('round-trip through snapshot and restore, and reset per element', () => {
    const regs = new Registers(specs([]))
    regs.write(0, 4, 9)
    regs.write(0x108, 4, 0x55)
    regs.write(0x200, 1, 0x3)
    const snap = regs.snapshot()
    expect(snap).toEqual({ CTL: 9, PRIO: [1, 0x55, 3, 4], B: [0xf3, 0xff, 0xff] })
    const other = new Registers(specs([]))
    other.restore(JSON.parse(JSON.stringify(snap)))
    expect(other.snapshot()).toEqual(snap)
    other.restore({ PRIO: [7] }) // missing elements and names take their reset value
    expect(other.snapshot()).toEqual({ CTL: 0, PRIO: [7, 2, 3, 4], B: [0xff, 0xff, 0xff] })
    regs.reset()
    expect(regs.snapshot()).toEqual({ CTL: 0, PRIO: [1, 2, 3, 4], B: [0xff, 0xff, 0xff] })
  })

  it('index register space with a shift', () => {
    const regs = new Registers([{ name: 'R', offset: 2, count: 2, width: 1 }], { shift: 2 })
    regs.write(12, 4, 0x1ab)
    expect([regs.read(8, 1), regs.read(13, 1), regs.get('R', 1)]).toEqual([0, 0xab, 0xab])
  })

  it('reject a reset list of the wrong length', () => {
    expect(() => new Registers([{ name: 'X', offset: 0, count: 2, reset: [1] }])).toThrow(/2 elements/)
  })
})

describe('banked registers', () => {
  const specs = (): RegSpec[] => [
    { name: 'PMR', offset: 0x4, banked: true, reset: 0xf0 },
    { name: 'ISENABLER', offset: 0x100, count: 2, banked: true },
    { name: 'SHARED', offset: 0x8 },
  ]

  it('give each CPU its own value; the host sees CPU 0', () => {
    const regs = new Registers(specs(), { cpus: 2 })
    regs.write(0x4, 4, 0x80, 0)
    regs.write(0x4, 4, 0x40, 1)
    regs.write(0x104, 4, 0xa, 1)
    regs.write(0x8, 4, 3, 1)
    expect([regs.read(0x4, 4, 0), regs.read(0x4, 4, 1), regs.read(0x4, 4)]).toEqual([0x80, 0x40, 0x80])
    expect([regs.read(0x104, 4, 0), regs.read(0x104, 4, 1)]).toEqual([0, 0xa])
    expect([regs.read(0x8, 4, 0), regs.read(0x8, 4, 1)]).toEqual([3, 3])
    expect(regs.get('PMR', 0, 1)).toBe(0x40)
    expect(regs.array('ISENABLER', 1)).toEqual(new Uint32Array([0, 0xa]))
  })

  it('pass the accessing CPU to handlers', () => {
    const seen: number[] = []
    const regs = new Registers([{ name: 'SGIR', offset: 0, access: 'w', banked: false, write: (_v, _o, _w, _i, cpu) => seen.push(cpu) }], { cpus: 4 })
    regs.write(0, 4, 1, 3)
    regs.write(0, 4, 1)
    expect(seen).toEqual([3, -1])
  })

  it('keep every bank through snapshot and restore, and reset each', () => {
    const regs = new Registers(specs(), { cpus: 2 })
    regs.write(0x4, 4, 1, 1)
    regs.write(0x100, 4, 5, 0)
    regs.write(0x104, 4, 6, 1)
    const snap = regs.snapshot()
    expect(snap).toEqual({ PMR: [0xf0, 1], ISENABLER: [[5, 0], [0, 6]], SHARED: 0 })
    const other = new Registers(specs(), { cpus: 2 })
    other.restore(JSON.parse(JSON.stringify(snap)))
    expect(other.snapshot()).toEqual(snap)
    // a snapshot from before the register was banked loads into every bank
    other.restore({ PMR: 3, ISENABLER: [1, 2] })
    expect(other.snapshot()).toEqual({ PMR: [3, 3], ISENABLER: [[1, 2], [1, 2]], SHARED: 0 })
    regs.reset()
    expect(regs.snapshot()).toEqual({ PMR: [0xf0, 0xf0], ISENABLER: [[0, 0], [0, 0]], SHARED: 0 })
  })

  it('mix with `when` banks', () => {
    let sel = false
    const regs = new Registers([
      { name: 'A', offset: 0, banked: true, when: () => !sel },
      { name: 'B', offset: 0, count: 1, banked: true, when: () => sel },
    ], { cpus: 2 })
    regs.write(0, 4, 1, 0)
    regs.write(0, 4, 2, 1)
    sel = true
    regs.write(0, 4, 3, 1)
    expect([regs.read(0, 4, 0), regs.read(0, 4, 1)]).toEqual([0, 3])
    sel = false
    expect([regs.read(0, 4, 0), regs.read(0, 4, 1)]).toEqual([1, 2])
    expect(regs.snapshot()).toEqual({ A: [1, 2], B: [[0], [3]] })
  })
})
