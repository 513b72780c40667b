/**
 * The WebAssembly writer behind the translation tiers: its LEB128 encodings at their edges, and
 * modules V8 accepts and runs. Constants go through a real module and come back as BigInt, so a
 * wrong encoding shows as a wrong number (or a module V8 refuses), not as a byte pattern we chose.
 */
import { describe, expect, it } from 'vitest'
import { Bytes, encodeModule, I32, I64, W } from './wasm-module.ts'

const mem = new WebAssembly.Memory({ initial: 1 })

/** A module whose one function (no params) returns `body`'s result of type `result`. */
function run(body: Bytes, result: number): unknown {
  const bin = encodeModule({
    types: [{ params: [], results: [result] }],
    imports: [],
    funcs: [{ type: 0, locals: [], body: body.view(), export: 'f' }],
  })
  expect(WebAssembly.validate(bin)).toBe(true)
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bin), { h: { mem } })
  return (inst.exports.f as () => unknown)()
}

const halves = (v: bigint): [number, number] => [Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n))]

describe('wasm-module', () => {
  const i64s = [0n, 1n, -1n, 63n, 64n, -64n, -65n, 127n, 128n, 0x7fffffffn, 0x80000000n, -0x80000000n, 0xffffffffn,
    0x100000000n, 0x123456789abcdefn, (1n << 63n) - 1n, -(1n << 63n), BigInt.asIntN(64, 0x9e3779b97f4a7c15n), BigInt.asIntN(64, 0xff51afd7ed558ccdn)]
  for (const v of i64s) {
    it(`i64.const ${v} round-trips through a module`, () => {
      const [lo, hi] = halves(v)
      expect(run(new Bytes().byte(W.i64Const).s64(lo, hi), I64)).toBe(v)
    })
  }

  const i32s = [0, 1, -1, 63, 64, -64, -65, 8191, 8192, -8192, -8193, 0x7fffffff, -0x80000000]
  for (const v of i32s) {
    it(`i32.const ${v} round-trips through a module`, () => {
      expect(run(new Bytes().byte(W.i32Const).s32(v), I32)).toBe(v)
    })
  }

  it('writes unsigned LEB128 at the 7-bit boundaries', () => {
    const enc = (v: number): number[] => [...new Bytes().u32(v).view()]
    expect(enc(0)).toEqual([0])
    expect(enc(127)).toEqual([0x7f])
    expect(enc(128)).toEqual([0x80, 0x01])
    expect(enc(16384)).toEqual([0x80, 0x80, 0x01])
    expect(enc(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f])
  })

  it('grows its buffer past the first allocation', () => {
    const b = new Bytes()
    for (let i = 0; i < 10_000; i++) b.byte(i & 0xff)
    expect(b.length).toBe(10_000)
    expect(b.view()[9_999]).toBe(9_999 & 0xff)
  })

  it('imports the arena memory and host functions; exported functions see both', () => {
    const m = new WebAssembly.Memory({ initial: 1 })
    new DataView(m.buffer).setBigInt64(64, 0x1122334455667788n, true)
    const body = new Bytes()
    // host(7) + i64.load(64) as i32
    body.byte(W.i32Const).s32(7).byte(W.call).u32(0)
    body.byte(W.i32Const).s32(0).byte(W.i64Load).u32(3).u32(64).byte(W.i32WrapI64).byte(W.i32Add)
    const bin = encodeModule({
      types: [{ params: [], results: [I32] }, { params: [I32], results: [I32] }],
      imports: [{ name: 'host', type: 1 }],
      funcs: [{ type: 0, locals: [{ count: 2, type: I64 }], body: body.view(), export: 'f' }],
    })
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bin), { h: { mem: m, host: (x: number) => x * 2 } })
    expect((inst.exports.f as () => number)()).toBe((14 + 0x55667788) | 0)
  })
})
