/**
 * Just enough of the WebAssembly binary format (core spec 2.0, chapter 5) to wrap translated
 * code: a module that imports the arena memory and a few host functions and exports functions of
 * one signature. Shared by the arch plugins: their translation tiers (wasm-tier.ts)
 * write each function body as raw bytes with the opcode constants below.
 */

/** value types */
export const I32 = 0x7f, I64 = 0x7e

/** opcodes the translator uses (spec §5.4) */
export const W = {
  unreachable: 0x00, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, brIf: 0x0d, br_table: 0x0e,
  return: 0x0f, call: 0x10, callIndirect: 0x11, returnCallIndirect: 0x13,
  drop: 0x1a, select: 0x1b,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Load: 0x28, i64Load: 0x29,
  i64Load8S: 0x30, i64Load8U: 0x31, i64Load16S: 0x32, i64Load16U: 0x33, i64Load32S: 0x34, i64Load32U: 0x35,
  i32Store: 0x36, i64Store: 0x37, i64Store8: 0x3c, i64Store16: 0x3d, i64Store32: 0x3e,
  i32Const: 0x41, i64Const: 0x42,
  i32Eqz: 0x45, i32Eq: 0x46, i32Ne: 0x47, i32LtS: 0x48, i32GtS: 0x4a, i32LeS: 0x4c,
  i64Eqz: 0x50, i64Eq: 0x51, i64Ne: 0x52, i64LtS: 0x53, i64LtU: 0x54, i64GeS: 0x59, i64GeU: 0x5a,
  i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32DivS: 0x6d, i32DivU: 0x6e, i32RemS: 0x6f, i32RemU: 0x70,
  i32And: 0x71, i32Or: 0x72, i32Xor: 0x73, i32Shl: 0x74, i32ShrS: 0x75, i32ShrU: 0x76,
  i64Add: 0x7c, i64Sub: 0x7d, i64Mul: 0x7e, i64DivS: 0x7f, i64DivU: 0x80, i64RemS: 0x81, i64RemU: 0x82,
  i64And: 0x83, i64Or: 0x84, i64Xor: 0x85, i64Shl: 0x86, i64ShrS: 0x87, i64ShrU: 0x88,
  i32WrapI64: 0xa7, i64ExtendI32S: 0xac, i64ExtendI32U: 0xad,
} as const

/** A growable byte buffer with the format's integer encodings. */
export class Bytes {
  private buf = new Uint8Array(256)
  length = 0

  /** make room for `n` more bytes */
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.length + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.length))
    this.buf = next
  }

  byte(b: number): this {
    if (this.length === this.buf.length) this.room(1)
    this.buf[this.length++] = b
    return this
  }

  bytes(bs: ArrayLike<number>): this {
    this.room(bs.length)
    if (bs instanceof Uint8Array) this.buf.set(bs, this.length)
    else for (let i = 0; i < bs.length; i++) this.buf[this.length + i] = bs[i]!
    this.length += bs.length
    return this
  }

  u32(v: number): this {
    v >>>= 0
    do {
      const b = v & 0x7f
      v >>>= 7
      this.byte(v ? b | 0x80 : b)
    } while (v)
    return this
  }

  /** signed LEB128 of an int32 */
  s32(v: number): this {
    v |= 0
    for (;;) {
      const b = v & 0x7f
      v >>= 7
      if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) return this.byte(b)
      this.byte(b | 0x80)
    }
  }

  /** signed LEB128 of an int64 given as (lo, hi) int32 halves */
  s64(lo: number, hi: number): this {
    lo |= 0
    hi |= 0
    for (;;) {
      const b = lo & 0x7f
      // arithmetic shift of the 64-bit pair right by 7
      lo = (lo >>> 7) | (hi << 25)
      hi >>= 7
      const done = (hi === 0 && lo === 0 && !(b & 0x40)) || (hi === -1 && lo === -1 && b & 0x40)
      if (done) return this.byte(b)
      this.byte(b | 0x80)
    }
  }

  view(): Uint8Array { return this.buf.subarray(0, this.length) }
}

export interface FuncType { params: number[]; results: number[] }

export interface ModuleSpec {
  /** function types; imports and bodies refer to them by index */
  types: FuncType[]
  /** host functions imported as "h".name, in index order before the module's own functions */
  imports: { name: string; type: number }[]
  /** import a function table as "h"."tab" (table 0), for call_indirect and return_call_indirect (the tail-call proposal, on in V8 since 11.2) */
  table?: boolean
  /** the module's functions: a type, extra locals (grouped) and the body (without the final `end`) */
  funcs: { type: number; locals: { count: number; type: number }[]; body: Uint8Array; export: string }[]
}

function section(out: Bytes, id: number, content: Bytes): void {
  out.byte(id).u32(content.length).bytes(content.view())
}

/** Encode a module that imports memory "h"."mem" (any size), and the table "h"."tab" if asked, besides `spec.imports`. */
export function encodeModule(spec: ModuleSpec): Uint8Array<ArrayBuffer> {
  const out = new Bytes().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00])
  const types = new Bytes().u32(spec.types.length)
  for (const t of spec.types) {
    types.byte(0x60).u32(t.params.length).bytes(t.params).u32(t.results.length).bytes(t.results)
  }
  section(out, 1, types)
  const name = (b: Bytes, s: string): Bytes => b.u32(s.length).bytes([...s].map((c) => c.charCodeAt(0)))
  const imports = new Bytes().u32(spec.imports.length + 1 + (spec.table ? 1 : 0))
  name(name(imports, 'h'), 'mem').byte(0x02).byte(0x00).u32(1)
  if (spec.table) name(name(imports, 'h'), 'tab').byte(0x01).byte(0x70).byte(0x00).u32(0)
  for (const im of spec.imports) name(name(imports, 'h'), im.name).byte(0x00).u32(im.type)
  section(out, 2, imports)
  const funcs = new Bytes().u32(spec.funcs.length)
  for (const f of spec.funcs) funcs.u32(f.type)
  section(out, 3, funcs)
  const exports = new Bytes().u32(spec.funcs.length)
  spec.funcs.forEach((f, i) => name(exports, f.export).byte(0x00).u32(spec.imports.length + i))
  section(out, 7, exports)
  const code = new Bytes().u32(spec.funcs.length)
  for (const f of spec.funcs) {
    const body = new Bytes().u32(f.locals.length)
    for (const l of f.locals) body.u32(l.count).byte(l.type)
    body.bytes(f.body).byte(W.end)
    code.u32(body.length).bytes(body.view())
  }
  section(out, 10, code)
  return new Uint8Array(out.view())
}
