/**
 * Registers declared as data (Renode's register collections): a device lists its registers —
 * offset, width, access, reset value, optional read/write handlers — and `Registers` turns the
 * table into MMIO dispatch, `reset`, `snapshot` and `restore`.
 *
 * Several registers may share an offset when they differ in direction (16550 RBR/THR, IIR/FCR)
 * or in a bank condition (`when`, e.g. the 16550's DLAB selecting DLL/DLM).
 */
import type { MmioHandler } from './bus.ts'

export type RegAccess = 'r' | 'w' | 'rw'

export interface RegSpec {
  /** the spec's name for it (`IER`, `mtimecmp0_lo`); keys the snapshot */
  name: string
  /** byte offset from the device base (before `shift` scaling: the register index when shift > 0) */
  offset: number
  /** bytes: 1, 2 or 4 (default 4) */
  width?: 1 | 2 | 4
  /** default 'rw'. Reads of a write-only register and writes to a read-only one fall through. */
  access?: RegAccess
  /** power-on value (default 0) */
  reset?: number
  /** writable bits (default all bits of the width); the others keep their value */
  mask?: number
  /** only decoded while this holds (register banks) */
  when?: () => boolean
  /** value a read returns, given the stored value (side effects allowed: FIFO pops, read-to-clear) */
  read?: (stored: number) => number
  /**
   * Called after the write is stored, with the new and previous stored values and the value as
   * written (before `mask`: self-clearing command bits such as the 16550's FCR[2:1] show there).
   */
  write?: (value: number, old: number, written: number) => void
}

export interface RegistersOptions {
  /**
   * Register stride as a power of two (QEMU's `regshift`): register index = offset >> shift, and
   * an access of any size reaches the whole register (byte lanes of one stride alias, as in QEMU's
   * serial_mm). 0 (default) means byte-addressed registers with sub-word access.
   */
  shift?: number
}

interface Reg {
  spec: RegSpec
  width: number
  widthMask: number
  mask: number
  reset: number
  value: number
}

function maskOf(bytes: number): number {
  return bytes >= 4 ? 0xffffffff : (1 << (8 * bytes)) - 1
}

export class Registers implements MmioHandler {
  private readonly regs: Reg[] = []
  private readonly byName = new Map<string, Reg>()
  /** byte offset → registers covering that byte (all directions and banks) */
  private readonly byByte = new Map<number, Reg[]>()
  private readonly shift: number

  constructor(specs: RegSpec[], opts: RegistersOptions = {}) {
    this.shift = opts.shift ?? 0
    for (const spec of specs) {
      const width = spec.width ?? 4
      const widthMask = maskOf(width)
      const reset = (spec.reset ?? 0) & widthMask
      const r: Reg = { spec, width, widthMask, mask: (spec.mask ?? widthMask) & widthMask, reset: reset >>> 0, value: reset >>> 0 }
      if (this.byName.has(spec.name)) throw new Error(`register ${spec.name} declared twice`)
      this.regs.push(r)
      this.byName.set(spec.name, r)
      // with a stride every access reaches the whole register: index it at its index only
      const span = this.shift ? 1 : width
      for (let b = 0; b < span; b++) {
        const key = spec.offset + b
        let list = this.byByte.get(key)
        if (!list) this.byByte.set(key, (list = []))
        list.push(r)
      }
    }
  }

  private find(offset: number, dir: 'r' | 'w'): Reg | undefined {
    const list = this.byByte.get(offset)
    if (!list) return undefined
    for (const r of list) {
      const a = r.spec.access ?? 'rw'
      if (!a.includes(dir)) continue
      if (r.spec.when && !r.spec.when()) continue
      return r
    }
    return undefined
  }

  private readReg(r: Reg): number {
    return (r.spec.read ? r.spec.read(r.value) : r.value) & r.widthMask
  }

  private writeReg(r: Reg, value: number): void {
    const old = r.value
    r.value = ((old & ~r.mask) | (value & r.mask)) >>> 0
    r.spec.write?.(r.value, old, value >>> 0)
  }

  read(offset: number, size: number): number {
    if (this.shift) {
      const r = this.find(offset >>> this.shift, 'r')
      return r ? this.readReg(r) & maskOf(size) : 0
    }
    const r = this.find(offset, 'r')
    if (r && offset + size <= r.spec.offset + r.width) {
      const lane = 8 * (offset - r.spec.offset)
      return ((this.readReg(r) >>> lane) & maskOf(size)) >>> 0
    }
    if (size === 1) return 0
    // an access wider than one register is split into bytes, as QEMU's memory core does for a
    // device with impl.max_access_size = 1
    let v = 0
    for (let i = size - 1; i >= 0; i--) v = v * 256 + this.read(offset + i, 1)
    return v >>> 0
  }

  write(offset: number, size: number, value: number): void {
    if (this.shift) {
      const r = this.find(offset >>> this.shift, 'w')
      if (r) this.writeReg(r, value & maskOf(size))
      return
    }
    const r = this.find(offset, 'w')
    if (r && offset + size <= r.spec.offset + r.width) {
      // a narrow write merges into the rest of the register (read-modify-write of the stored value)
      const lane = 8 * (offset - r.spec.offset)
      const m = (maskOf(size) << lane) >>> 0
      this.writeReg(r, ((r.value & ~m) | ((value << lane) & m)) >>> 0)
      return
    }
    if (size === 1) return
    for (let i = 0; i < size; i++) this.write(offset + i, 1, (value >>> (8 * i)) & 0xff)
  }

  /** Stored value by name, no side effects. */
  get(name: string): number {
    return this.reg(name).value
  }

  /** Set the stored value by name, no side effects (device-internal updates). */
  set(name: string, value: number): void {
    const r = this.reg(name)
    r.value = (value & r.widthMask) >>> 0
  }

  private reg(name: string): Reg {
    const r = this.byName.get(name)
    if (!r) throw new Error(`no register ${name}`)
    return r
  }

  reset(): void {
    for (const r of this.regs) r.value = r.reset
  }

  snapshot(): Record<string, number> {
    const s: Record<string, number> = {}
    for (const r of this.regs) s[r.spec.name] = r.value
    return s
  }

  /** Unknown names are ignored and missing ones take their reset value, so an older snapshot still loads. */
  restore(state: unknown): void {
    const s = (state ?? {}) as Record<string, unknown>
    for (const r of this.regs) {
      const v = s[r.spec.name]
      r.value = typeof v === 'number' ? (v & r.widthMask) >>> 0 : r.reset
    }
  }
}
