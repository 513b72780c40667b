/**
 * Flattened devicetree (DTB) writer and parser: devicetree spec v0.4 §5, blob version 17
 * (last_comp_version 16), big-endian.
 *
 * Why our own: baobab hands every VS-mode guest a device tree in a1, so it must write DTBs. We
 * found no maintained FDT writer on npm (look-ups of fdt, dtb, devicetree, device-tree and libfdt
 * found no package; the one devicetree package, tree-sitter-devicetree, parses DTS source for
 * editors), and binding libfdt would need a native build. The format is small, a 40-byte header
 * and three blocks (memory reservations, structure, strings), so core/fdt.ts writes and parses it
 * in a few hundred lines with no dependency, and its tests check the output against Debian's dtc
 * and against the device tree QEMU's virt machine generates.
 */

const FDT_MAGIC = 0xd00dfeed
// §5.4.1 structure block tokens
const FDT_BEGIN_NODE = 0x1
const FDT_END_NODE = 0x2
const FDT_PROP = 0x3
const FDT_NOP = 0x4
const FDT_END = 0x9
const HEADER_SIZE = 40
const VERSION = 17
const LAST_COMP_VERSION = 16

// §2.2.1 node names, §2.2.4 property names
const NODE_NAME = /^[0-9a-zA-Z,._+-]{1,31}(@[0-9a-zA-Z,._+-]+)?$/
const PROP_NAME = /^[0-9a-zA-Z,._+?#-]{1,31}$/

export type FdtErrorCode =
  | 'truncated' | 'bad-magic' | 'bad-version' | 'bad-offset' | 'bad-token' | 'bad-structure'
  | 'bad-name' | 'bad-value' | 'internal'

/** A malformed blob (parser) or an unwritable tree (builder, writer). */
export class FdtError extends Error {
  override readonly name = 'FdtError'
  constructor(
    readonly code: FdtErrorCode,
    /** what is wrong, one line */
    readonly rule: string,
    /** node path (`/soc/serial@10000000`), property or option path, when known */
    readonly path?: string,
    /** byte offset in the blob, for parser errors */
    readonly offset?: number,
  ) {
    super(`fdt: ${path === undefined ? '' : `${path}: `}${rule}${offset === undefined ? '' : ` (at byte ${offset})`}`)
  }
}

// ---------------------------------------------------------------------------------------------
// Property values

/** A cell value; bigint for addresses that do not fit a safe integer. */
export type FdtCell = number | bigint

/**
 * What `node.prop` takes: `true` empty (boolean) property, `false` removes the property,
 * number a u32, number[] a u32 array, bigint a u64, string a string, string[] a string list,
 * Uint8Array raw bytes (see `fdtCells`, `fdtReg`).
 */
export type FdtPropValue = boolean | number | readonly number[] | bigint | string | readonly string[] | Uint8Array

const utf8 = new TextEncoder()

function cellsOf(v: FdtCell, cells: number, path: string): bigint {
  const ok = typeof v === 'bigint' || Number.isSafeInteger(v)
  const b = ok ? BigInt(v) : -1n
  if (b < 0n || b >= 1n << BigInt(32 * cells)) {
    throw new FdtError('bad-value', `${String(v)} does not fit ${cells} cell(s)`, path)
  }
  return b
}

/** Each value encoded in `cellsEach` big-endian 32-bit cells (§2.2.4 `<prop-encoded-array>`). */
export function fdtCells(values: readonly FdtCell[], cellsEach = 1, path = 'cells'): Uint8Array {
  const out = new Uint8Array(values.length * cellsEach * 4)
  const dv = new DataView(out.buffer)
  values.forEach((v, i) => {
    let b = cellsOf(v, cellsEach, `${path}[${i}]`)
    for (let c = cellsEach - 1; c >= 0; c--, b >>= 32n) dv.setUint32((i * cellsEach + c) * 4, Number(b & 0xffffffffn))
  })
  return out
}

/** A `reg` or `ranges`-like list of (address, size) pairs in the parent's #address-cells/#size-cells (§2.3.6). */
export function fdtReg(
  entries: readonly { address: FdtCell; size?: FdtCell }[],
  addressCells = 2,
  sizeCells = 2,
): Uint8Array {
  const parts: Uint8Array[] = []
  entries.forEach((e, i) => {
    parts.push(fdtCells([e.address], addressCells, `reg[${i}].address`))
    if (sizeCells > 0) parts.push(fdtCells([e.size ?? 0], sizeCells, `reg[${i}].size`))
  })
  return concat(parts)
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) out.set(p, at), (at += p.length)
  return out
}

function encodeStrings(list: readonly string[], path: string): Uint8Array {
  const parts = list.map((s) => {
    if (s.includes('\0')) throw new FdtError('bad-value', 'string contains NUL', path)
    return utf8.encode(`${s}\0`)
  })
  return concat(parts)
}

function encodeValue(v: Exclude<FdtPropValue, false>, path: string): Uint8Array {
  if (v === true) return new Uint8Array(0)
  if (v instanceof Uint8Array) return v.slice()
  if (typeof v === 'number') return fdtCells([v], 1, path)
  if (typeof v === 'bigint') return fdtCells([v], 2, path)
  if (typeof v === 'string') return encodeStrings([v], path)
  if (v.length === 0) return new Uint8Array(0)
  if (v.every((x): x is string => typeof x === 'string')) return encodeStrings(v as readonly string[], path)
  if (v.every((x) => typeof x === 'number')) return fdtCells(v as readonly number[], 1, path)
  throw new FdtError('bad-value', 'array mixes strings and numbers', path)
}

// ---------------------------------------------------------------------------------------------
// Builder

/** The plain shape shared by built and parsed trees. */
export interface FdtProp { name: string; value: Uint8Array }
export interface FdtTreeNode { name: string; props: FdtProp[]; children: FdtTreeNode[] }

/** One phandle space per tree (§2.3.3): the root owns it, every node of the tree shares it. */
interface PhandleSpace { next: number }

export class FdtNode implements FdtTreeNode {
  readonly props: FdtProp[] = []
  readonly children: FdtNode[] = []
  private handle = 0

  /** Use `fdtNode()` for a root and `node.child()` below it. */
  constructor(
    readonly name: string,
    readonly parent: FdtNode | undefined,
    private readonly space: PhandleSpace,
  ) {}

  get path(): string {
    if (this.parent === undefined) return '/'
    const up = this.parent.path
    return `${up === '/' ? '' : up}/${this.name}`
  }

  /** Set (or with `false` remove) a property; replaces an earlier value of the same name. */
  prop(name: string, value: FdtPropValue): this {
    const path = `${this.path}:${name}`
    if (!PROP_NAME.test(name)) throw new FdtError('bad-name', `invalid property name "${name}" (§2.2.4)`, path)
    if (name === 'phandle' || name === 'linux,phandle') {
      throw new FdtError('bad-name', 'phandles are allocated by node.phandle()', path)
    }
    const i = this.props.findIndex((p) => p.name === name)
    if (value === false) {
      if (i >= 0) this.props.splice(i, 1)
      return this
    }
    const bytes = encodeValue(value, path)
    if (i >= 0) this.props[i].value = bytes
    else this.props.push({ name, value: bytes })
    return this
  }

  /** Add a child node; names are unique among siblings. */
  child(name: string): FdtNode {
    const path = `${this.path === '/' ? '' : this.path}/${name}`
    if (!NODE_NAME.test(name)) throw new FdtError('bad-name', `invalid node name "${name}" (§2.2.1)`, path)
    if (this.children.some((c) => c.name === name)) throw new FdtError('bad-name', 'duplicate node name', path)
    const c = new FdtNode(name, this, this.space)
    this.children.push(c)
    return c
  }

  /** This node's phandle, allocated on first call; the writer then emits its `phandle` property. */
  phandle(): number {
    if (this.handle === 0) {
      // §2.3.3: 0 and 0xffffffff are not valid phandles
      if (this.space.next >= 0xffffffff) throw new FdtError('bad-value', 'out of phandles', this.path)
      this.handle = this.space.next++
    }
    return this.handle
  }

  /** The phandle if one was allocated, else 0. */
  get allocatedPhandle(): number {
    return this.handle
  }
}

/** A new tree's root node; `name` is the root's, empty per §5.4.1. */
export function fdtNode(name = ''): FdtNode {
  return new FdtNode(name, undefined, { next: 1 })
}

// ---------------------------------------------------------------------------------------------
// Writer

export interface FdtWriteOptions {
  /** header boot_cpuid_phys: the `reg` of the boot CPU's node */
  bootCpuId?: number
  /** memory reservation block entries (§5.3) */
  reserved?: readonly { address: FdtCell; size: FdtCell }[]
}

const align4 = (n: number): number => (n + 3) & ~3

/** Serialise a tree built with `fdtNode` into a version-17 DTB. */
export function fdtToBytes(root: FdtNode, opts: FdtWriteOptions = {}): Uint8Array {
  if (root.name !== '') throw new FdtError('bad-name', 'the root node name must be empty (§5.4.1)', root.name)
  const reserved = opts.reserved ?? []
  const bootCpuId = opts.bootCpuId ?? 0
  cellsOf(bootCpuId, 1, 'bootCpuId')

  // pass 1: sizes and the de-duplicated strings block
  const strings = new Map<string, number>()
  let stringsSize = 0
  let structSize = 4 // FDT_END
  const props = (n: FdtNode): FdtProp[] =>
    n.allocatedPhandle === 0 ? n.props : [...n.props, { name: 'phandle', value: fdtCells([n.allocatedPhandle]) }]
  const measure = (n: FdtNode): void => {
    structSize += 4 + align4(n.name.length + 1) + 4
    for (const p of props(n)) {
      structSize += 12 + align4(p.value.length)
      if (!strings.has(p.name)) strings.set(p.name, stringsSize), (stringsSize += p.name.length + 1)
    }
    n.children.forEach(measure)
  }
  measure(root)

  // §5.1: reservation block 8-aligned, structure block 4-aligned; header then rsvmap then struct
  const offRsvmap = HEADER_SIZE
  const offStruct = offRsvmap + 16 * (reserved.length + 1)
  const offStrings = offStruct + structSize
  const total = offStrings + stringsSize
  const out = new Uint8Array(total)
  const dv = new DataView(out.buffer)
  const header = [FDT_MAGIC, total, offStruct, offStrings, offRsvmap, VERSION, LAST_COMP_VERSION, bootCpuId, stringsSize, structSize]
  header.forEach((v, i) => dv.setUint32(i * 4, v))

  reserved.forEach((r, i) => {
    dv.setBigUint64(offRsvmap + i * 16, cellsOf(r.address, 2, `reserved[${i}].address`))
    dv.setBigUint64(offRsvmap + i * 16 + 8, cellsOf(r.size, 2, `reserved[${i}].size`))
  })

  let at = offStruct
  const u32 = (v: number): void => (dv.setUint32(at, v), void (at += 4))
  const emit = (n: FdtNode): void => {
    u32(FDT_BEGIN_NODE)
    out.set(utf8.encode(n.name), at)
    at += align4(n.name.length + 1)
    for (const p of props(n)) {
      u32(FDT_PROP)
      u32(p.value.length)
      u32(strings.get(p.name) ?? 0)
      out.set(p.value, at)
      at += align4(p.value.length)
    }
    n.children.forEach(emit)
    u32(FDT_END_NODE)
  }
  emit(root)
  u32(FDT_END)
  for (const [name, off] of strings) out.set(utf8.encode(name), offStrings + off)
  return out
}

// ---------------------------------------------------------------------------------------------
// Parser

export interface FdtBlob {
  version: number
  lastCompVersion: number
  bootCpuId: number
  reserved: { address: bigint; size: bigint }[]
  root: FdtTreeNode
}

const text = new TextDecoder()

/** Parse a DTB; every malformation is reported as an `FdtError`, never any other exception. */
export function parseFdt(bytes: Uint8Array): FdtBlob {
  try {
    return parse(bytes)
  } catch (e) {
    if (e instanceof FdtError) throw e
    // a parser bug, not a blob problem: still the promised error type, with the cause kept
    throw new FdtError('internal', e instanceof Error ? e.message : String(e))
  }
}

function parse(bytes: Uint8Array): FdtBlob {
  if (!(bytes instanceof Uint8Array)) throw new FdtError('bad-value', 'input is not a Uint8Array')
  if (bytes.length < HEADER_SIZE) throw new FdtError('truncated', `blob of ${bytes.length} bytes is shorter than the header`, undefined, 0)
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const h = (i: number): number => dv.getUint32(i * 4)
  if (h(0) !== FDT_MAGIC) throw new FdtError('bad-magic', `magic is 0x${h(0).toString(16)}, not 0xd00dfeed`, undefined, 0)
  const [total, offStruct, offStrings, offRsvmap, version, lastComp, bootCpuId, sizeStrings] = [1, 2, 3, 4, 5, 6, 7, 8].map(h)
  if (version < 16 || lastComp > VERSION) {
    throw new FdtError('bad-version', `version ${version} (last compatible ${lastComp}) is not readable as 17`, undefined, 20)
  }
  if (total > bytes.length) throw new FdtError('truncated', `totalsize ${total} exceeds the ${bytes.length} bytes given`, undefined, 4)
  if (total < HEADER_SIZE) throw new FdtError('bad-offset', `totalsize ${total} is smaller than the header`, undefined, 4)
  // version 16 blobs have no size_dt_struct: the structure block may run to the end
  const sizeStruct = version >= 17 ? h(9) : total - offStruct
  const block = (name: string, off: number, size: number, align: number, field: number): void => {
    if (off < HEADER_SIZE || off % align !== 0 || off > total || size > total - off) {
      throw new FdtError('bad-offset', `${name} block [${off}, +${size}) is misaligned or outside the blob`, undefined, field)
    }
  }
  block('structure', offStruct, sizeStruct, 4, 8)
  block('strings', offStrings, sizeStrings, 1, 12)
  block('memory reservation', offRsvmap, 16, 8, 16)

  // §5.3: (address, size) pairs up to a (0, 0) terminator
  const reserved: { address: bigint; size: bigint }[] = []
  for (let at = offRsvmap; ; at += 16) {
    if (at + 16 > total) throw new FdtError('truncated', 'memory reservation block has no terminator', undefined, at)
    const address = dv.getBigUint64(at)
    const size = dv.getBigUint64(at + 8)
    if (address === 0n && size === 0n) break
    reserved.push({ address, size })
  }

  const structEnd = offStruct + sizeStruct
  const stringsEnd = offStrings + sizeStrings
  let at = offStruct
  const word = (): number => {
    if (at + 4 > structEnd) throw new FdtError('truncated', 'structure block ends mid-token', undefined, at)
    const v = dv.getUint32(at)
    at += 4
    return v
  }
  /** The string at `from` and its length in bytes without the NUL. */
  const cstring = (from: number, end: number, what: string): [string, number] => {
    const nul = bytes.subarray(from, end).indexOf(0)
    if (nul < 0) throw new FdtError('truncated', `${what} has no NUL terminator`, undefined, from)
    return [text.decode(bytes.subarray(from, from + nul)), nul]
  }
  const token = (): number => {
    let t = word()
    while (t === FDT_NOP) t = word()
    return t
  }

  if (token() !== FDT_BEGIN_NODE) throw new FdtError('bad-structure', 'structure block does not start with FDT_BEGIN_NODE', undefined, at - 4)
  const nodeAt = (): FdtTreeNode => {
    const [name, len] = cstring(at, structEnd, 'node name')
    at += align4(len + 1)
    return { name, props: [], children: [] }
  }
  const root = nodeAt()
  const stack: FdtTreeNode[] = [root]
  while (stack.length > 0) {
    const t = token()
    const tokAt = at - 4
    const top = stack[stack.length - 1]
    if (t === FDT_BEGIN_NODE) {
      const n = nodeAt()
      top.children.push(n)
      stack.push(n)
    } else if (t === FDT_END_NODE) {
      stack.pop()
    } else if (t === FDT_PROP) {
      const len = word()
      const nameoff = word()
      if (len > structEnd - at) throw new FdtError('truncated', `property of ${len} bytes runs past the structure block`, undefined, tokAt)
      if (nameoff >= sizeStrings) throw new FdtError('bad-offset', `property name offset ${nameoff} is outside the strings block`, undefined, tokAt + 8)
      const [name] = cstring(offStrings + nameoff, stringsEnd, 'property name')
      top.props.push({ name, value: bytes.slice(at, at + len) })
      at += align4(len)
    } else if (t === FDT_END) {
      throw new FdtError('bad-structure', `FDT_END with ${stack.length} node(s) still open`, undefined, tokAt)
    } else {
      throw new FdtError('bad-token', `unknown token 0x${t.toString(16)}`, undefined, tokAt)
    }
  }
  const endAt = at
  if (token() !== FDT_END) throw new FdtError('bad-structure', 'root node is not followed by FDT_END', undefined, endAt)
  return { version, lastCompVersion: lastComp, bootCpuId, reserved, root }
}

// ---------------------------------------------------------------------------------------------
// Reading helpers (tests, REPL)

/** The node at an absolute path (`/soc/plic@c000000`), or undefined. */
export function fdtFind(root: FdtTreeNode, path: string): FdtTreeNode | undefined {
  let n: FdtTreeNode | undefined = root
  for (const part of path.split('/').filter((s) => s !== '')) n = n?.children.find((c) => c.name === part)
  return n
}

/** A property's raw value, or undefined. */
export function fdtGet(node: FdtTreeNode, name: string): Uint8Array | undefined {
  return node.props.find((p) => p.name === name)?.value
}

/** A value as big-endian u32 cells. */
export function fdtU32s(value: Uint8Array): number[] {
  if (value.length % 4 !== 0) throw new FdtError('bad-value', `${value.length} bytes is not a whole number of cells`)
  const dv = new DataView(value.buffer, value.byteOffset, value.byteLength)
  return Array.from({ length: value.length / 4 }, (_, i) => dv.getUint32(i * 4))
}

/** A value as a NUL-terminated string list. */
export function fdtStrings(value: Uint8Array): string[] {
  if (value.length === 0 || value[value.length - 1] !== 0) throw new FdtError('bad-value', 'not a NUL-terminated string list')
  return text.decode(value.subarray(0, -1)).split('\0')
}
