/**
 * Registers declared as data (Renode's register collections): a device lists its registers —
 * offset, width, access, reset value, optional read/write handlers — and `Registers` turns the
 * table into MMIO dispatch, `reset`, `snapshot` and `restore`.
 *
 * Several registers may share an offset when they differ in direction (16550 RBR/THR, IIR/FCR)
 * or in a bank condition (`when`, e.g. the 16550's DLAB selecting DLL/DLM).
 *
 * A spec with `count` declares a register array: `count` registers at `offset + i * stride`
 * (PLIC priority[source], GICD_ISENABLER<n>), one name, handlers told the index `i`. A spec with
 * `banked` keeps one stored value per accessing CPU (GICD_ISENABLER0, GICC_PMR): the bank is
 * the `cpu` the bus passes with the access (core/bus.ts `MmioHandler`).
 */
import type { MmioHandler } from './bus.ts'
import { StateError } from './state-check.ts'

export type RegAccess = 'r' | 'w' | 'rw'

export interface RegSpec {
  /** the spec's name for it (`IER`, `GICD_IPRIORITYR`); keys the snapshot */
  name: string
  /** byte offset from the device base (before `shift` scaling: the register index when shift > 0) */
  offset: number
  /** bytes: 1, 2 or 4 (default 4) */
  width?: 1 | 2 | 4
  /** default 'rw'. Reads of a write-only register and writes to a read-only one fall through. */
  access?: RegAccess
  /** power-on value (default 0); for an array, one value for every element or a list of `count` */
  reset?: number | readonly number[]
  /** writable bits (default all bits of the width), the others keep their value; per element as `reset` */
  mask?: number | readonly number[]
  /** only decoded while this holds (register banks) */
  when?: () => boolean
  /** a register array of this many elements (0 allowed); without it, a single register */
  count?: number
  /** distance between array elements in bytes (in register indices when shift > 0); default the width (1 with shift) */
  stride?: number
  /** one stored value per accessing CPU (`RegistersOptions.cpus` of them) instead of one */
  banked?: boolean
  /**
   * Value a read returns, given the stored value (side effects allowed: FIFO pops, read-to-clear).
   * `i` is the array index (0 for a single register), `cpu` the accessing CPU (-1: the host).
   */
  read?: (stored: number, i: number, cpu: number) => number
  /**
   * Called after the write is stored, with the new and previous stored values and the value as
   * written (before `mask`: self-clearing command bits such as the 16550's FCR[2:1] show there).
   */
  write?: (value: number, old: number, written: number, i: number, cpu: number) => void
}

/** What `Registers.snapshot` returns: plain JSON keyed by register name. */
export type RegsSnapshot = Record<string, number | number[] | number[][]>

export interface RegistersOptions {
  /**
   * Register stride as a power of two (QEMU's `regshift`): register index = offset >> shift, and
   * an access of any size reaches the whole register (byte lanes of one stride alias, as in QEMU's
   * serial_mm). 0 (default) means byte-addressed registers with sub-word access.
   */
  shift?: number
  /**
   * Banks of `banked` registers (default 1). An access from CPU c uses bank c; host accesses
   * (cpu -1) and CPUs past the last bank use bank 0.
   */
  cpus?: number
}

interface Reg {
  spec: RegSpec
  canRead: boolean
  canWrite: boolean
  width: number
  widthMask: number
  /** decode units one element covers: its width, or 1 with a shift */
  span: number
  /** declared with `count`: snapshot as a list */
  isArray: boolean
  count: number
  stride: number
  /** decode units from the first element's offset to past the last */
  extent: number
  banked: boolean
  masks: Uint32Array
  resets: Uint32Array
  /** stored values, bank-major: values[bank * count + i] */
  values: Uint32Array
}

function maskOf(bytes: number): number {
  return bytes >= 4 ? 0xffffffff : (1 << (8 * bytes)) - 1
}

function perElement(name: string, what: string, v: number | readonly number[] | undefined, dflt: number, count: number, widthMask: number): Uint32Array {
  const out = new Uint32Array(count)
  if (typeof v === 'object') {
    if (v.length !== count) throw new Error(`register ${name}: ${what} lists ${v.length} values for ${count} elements`)
    for (let i = 0; i < count; i++) out[i] = v[i]! & widthMask
  } else out.fill((v ?? dflt) & widthMask)
  return out
}

export class Registers implements MmioHandler {
  private readonly regs: Reg[] = []
  private readonly byName = new Map<string, Reg>()
  /** byte offset → single registers covering that byte (all directions and banks) */
  private readonly byByte = new Map<number, Reg[]>()
  /** register arrays, matched by range after the single registers */
  private readonly arrays: Reg[] = []
  private readonly shift: number
  private readonly cpus: number
  /** the element index of the register the last `find` returned */
  private at = 0

  constructor(specs: RegSpec[], opts: RegistersOptions = {}) {
    this.shift = opts.shift ?? 0
    this.cpus = Math.max(1, opts.cpus ?? 1)
    for (const spec of specs) {
      if (this.byName.has(spec.name)) throw new Error(`register ${spec.name} declared twice`)
      const width = spec.width ?? 4
      const widthMask = maskOf(width)
      // with a stride every access reaches the whole register: index it at its index only
      const span = this.shift ? 1 : width
      const isArray = spec.count !== undefined
      const count = spec.count ?? 1
      const stride = spec.stride ?? span
      if (!Number.isInteger(count) || count < 0) throw new Error(`register ${spec.name}: count must be an integer >= 0`)
      if (isArray && stride < span) throw new Error(`register ${spec.name}: stride ${stride} is less than one element`)
      const banks = spec.banked ? this.cpus : 1
      const access = spec.access ?? 'rw'
      const r: Reg = {
        spec, canRead: access.includes('r'), canWrite: access.includes('w'), width, widthMask, span,
        isArray, count, stride, extent: count * stride, banked: spec.banked === true,
        masks: perElement(spec.name, 'mask', spec.mask, widthMask, count, widthMask),
        resets: perElement(spec.name, 'reset', spec.reset, 0, count, widthMask),
        values: new Uint32Array(banks * count),
      }
      this.resetReg(r)
      this.regs.push(r)
      this.byName.set(spec.name, r)
      if (isArray) {
        this.arrays.push(r)
        continue
      }
      for (let b = 0; b < span; b++) {
        const key = spec.offset + b
        let list = this.byByte.get(key)
        if (!list) this.byByte.set(key, (list = []))
        list.push(r)
      }
    }
  }

  /** The register decoded at `offset` for a read or a write; its element index is left in `at`. */
  private find(offset: number, write: boolean): Reg | undefined {
    const list = this.byByte.get(offset)
    if (list !== undefined) {
      for (let k = 0; k < list.length; k++) {
        const r = list[k]!
        if (!(write ? r.canWrite : r.canRead)) continue
        if (r.spec.when && !r.spec.when()) continue
        this.at = 0
        return r
      }
    }
    const arrays = this.arrays
    for (let k = 0; k < arrays.length; k++) {
      const r = arrays[k]!
      const rel = offset - r.spec.offset
      if (rel < 0 || rel >= r.extent) continue
      const i = Math.floor(rel / r.stride)
      if (rel - i * r.stride >= r.span) continue
      if (!(write ? r.canWrite : r.canRead)) continue
      if (r.spec.when && !r.spec.when()) continue
      this.at = i
      return r
    }
    return undefined
  }

  /** Index into `values` of element i in the bank of `cpu`. */
  private slot(r: Reg, i: number, cpu: number): number {
    return r.banked && cpu > 0 && cpu < this.cpus ? cpu * r.count + i : i
  }

  private readReg(r: Reg, i: number, cpu: number): number {
    const stored = r.values[this.slot(r, i, cpu)]!
    return (r.spec.read ? r.spec.read(stored, i, cpu) : stored) & r.widthMask
  }

  private writeReg(r: Reg, i: number, cpu: number, value: number): void {
    const s = this.slot(r, i, cpu)
    const old = r.values[s]!
    const mask = r.masks[i]!
    const v = ((old & ~mask) | (value & mask)) >>> 0
    r.values[s] = v
    r.spec.write?.(v, old, value >>> 0, i, cpu)
  }

  /** `cpu`: the accessing CPU as the bus gives it (-1 or omitted: the host). */
  read(offset: number, size: number, cpu = -1): number {
    if (this.shift) {
      const r = this.find(offset >>> this.shift, false)
      return r ? this.readReg(r, this.at, cpu) & maskOf(size) : 0
    }
    const r = this.find(offset, false)
    if (r) {
      const i = this.at
      const base = r.spec.offset + i * r.stride
      if (offset + size <= base + r.width) {
        const lane = 8 * (offset - base)
        return ((this.readReg(r, i, cpu) >>> lane) & maskOf(size)) >>> 0
      }
    }
    if (size === 1) return 0
    // an access wider than one register is split into bytes, as QEMU's memory core does for a
    // device with impl.max_access_size = 1
    let v = 0
    for (let k = size - 1; k >= 0; k--) v = v * 256 + this.read(offset + k, 1, cpu)
    return v >>> 0
  }

  write(offset: number, size: number, value: number, cpu = -1): void {
    if (this.shift) {
      const r = this.find(offset >>> this.shift, true)
      if (r) this.writeReg(r, this.at, cpu, value & maskOf(size))
      return
    }
    const r = this.find(offset, true)
    if (r) {
      const i = this.at
      const base = r.spec.offset + i * r.stride
      if (offset + size <= base + r.width) {
        // a narrow write merges into the rest of the register (read-modify-write of the stored value)
        const lane = 8 * (offset - base)
        const m = (maskOf(size) << lane) >>> 0
        const stored = r.values[this.slot(r, i, cpu)]!
        this.writeReg(r, i, cpu, ((stored & ~m) | ((value << lane) & m)) >>> 0)
        return
      }
    }
    if (size === 1) return
    for (let k = 0; k < size; k++) this.write(offset + k, 1, (value >>> (8 * k)) & 0xff, cpu)
  }

  /** Stored value by name (element `i` of an array, bank `cpu` of a banked register), no side effects. */
  get(name: string, i = 0, cpu = 0): number {
    const r = this.reg(name, i)
    return r.values[this.slot(r, i, cpu)]!
  }

  /** Set the stored value by name, no side effects (device-internal updates). */
  set(name: string, value: number, i = 0, cpu = 0): void {
    const r = this.reg(name, i)
    r.values[this.slot(r, i, cpu)] = (value & r.widthMask) >>> 0
  }

  /**
   * The live stored values of a register (an array's elements; of bank `cpu` when banked), for a
   * device's own loops over them. Writes through it skip masks and handlers, as `set` does.
   */
  array(name: string, cpu = 0): Uint32Array {
    const r = this.byName.get(name)
    if (!r) throw new Error(`no register ${name}`)
    if (!r.banked) return r.values
    const s = this.slot(r, 0, cpu)
    return r.values.subarray(s, s + r.count)
  }

  private reg(name: string, i = 0): Reg {
    const r = this.byName.get(name)
    if (!r) throw new Error(`no register ${name}`)
    if (!(i >= 0 && i < r.count)) throw new Error(`register ${name} has no element ${i}`)
    return r
  }

  private resetReg(r: Reg): void {
    for (let s = 0; s < r.values.length; s++) r.values[s] = r.resets[s % r.count]!
  }

  reset(): void {
    for (const r of this.regs) this.resetReg(r)
  }

  /**
   * A single register keeps its plain `name: value`; an array is `name: [values]`, a banked
   * register `name: [per CPU]` and a banked array `name: [per CPU][values]`.
   */
  snapshot(): RegsSnapshot {
    const s: RegsSnapshot = {}
    for (const r of this.regs) {
      const name = r.spec.name
      if (!r.banked) s[name] = r.isArray ? Array.from(r.values) : r.values[0]!
      else if (!r.isArray) s[name] = Array.from(r.values)
      else s[name] = Array.from({ length: this.cpus }, (_, b) => Array.from(r.values.subarray(b * r.count, (b + 1) * r.count)))
    }
    return s
  }

  /**
   * Unknown names are ignored and missing ones take their reset value, so an older snapshot still
   * loads; a register that became banked takes its old single value in every bank. A value that
   * is not an integer within the register's width, or a list longer than the register array, is
   * refused (`check`) before anything changes.
   */
  restore(state: unknown): void {
    this.check(state)
    const s = (state ?? {}) as Record<string, unknown>
    for (const r of this.regs) {
      const saved = s[r.spec.name]
      const banks = r.values.length / Math.max(1, r.count)
      for (let b = 0; b < banks; b++) {
        let v = saved
        if (r.banked && Array.isArray(v) && (!r.isArray || Array.isArray(v[b]))) v = v[b]
        for (let i = 0; i < r.count; i++) {
          const x = r.isArray && Array.isArray(v) ? v[i] : v
          r.values[b * r.count + i] = typeof x === 'number' ? x >>> 0 : r.resets[i]!
        }
      }
    }
  }

  /** Throws StateError (path = `at`.register name[index]) for a snapshot `restore` would refuse. */
  check(state: unknown, at = ''): void {
    if (state === undefined || state === null) return
    if (typeof state !== 'object' || Array.isArray(state)) throw new StateError(at, 'must be an object of registers by name')
    const s = state as Record<string, unknown>
    for (const r of this.regs) {
      const name = at ? `${at}.${r.spec.name}` : r.spec.name
      if (!Object.hasOwn(s, r.spec.name)) continue
      const banks = r.values.length / Math.max(1, r.count)
      const value = (v: unknown, path: string): void => {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > r.widthMask) {
          throw new StateError(path, `must be an integer from 0 to 0x${r.widthMask.toString(16)}`)
        }
      }
      const list = (v: unknown, max: number, path: string, each: (x: unknown, p: string) => void): void => {
        if (!Array.isArray(v)) throw new StateError(path, 'must be a list')
        if (v.length > max) throw new StateError(path, `lists ${v.length} values, the register has ${max}`)
        v.forEach((x, i) => each(x, `${path}[${i}]`))
      }
      const v = s[r.spec.name]
      if (!r.isArray && !r.banked) value(v, name)
      else if (!r.isArray) typeof v === 'number' ? value(v, name) : list(v, banks, name, value)
      else if (!r.banked) list(v, r.count, name, value)
      // banked array: one list per bank, or (saved before it was banked) one list for all
      else if (Array.isArray(v) && v.some((x) => Array.isArray(x))) list(v, banks, name, (x, p) => list(x, r.count, p, value))
      else list(v, r.count, name, value)
    }
  }
}
