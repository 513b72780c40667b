/**
 * The physical memory bus: RAM and MMIO regions.
 *
 * RAM lives in one fixed-size `WebAssembly.Memory` (the *arena*) after a state area that holds
 * the CPUs' register files, so a later translation tier shares guest state with no copying.
 * The arena is reserved, not committed: the OS backs a page only once it is touched, so a board
 * with 4 GiB of RAM costs what its guests touch. RAM that does not fit the arena (capped at 2 GiB
 * so offsets are positive int32s) is kept as sparse 4 KiB pages allocated on first write; CPUs
 * reach it through the slow path and cannot execute from it.
 *
 * CPUs reach RAM through their own TLBs using `ramOffset()` and the arena views; everything else
 * (devices, loaders, the REPL) uses the sized read/write methods, which also serve MMIO.
 */

export const PAGE_SIZE = 4096
export const PAGE_SHIFT = 12

/**
 * What a device (or anything mapped on the bus) implements. Offsets are from the region base.
 *
 * `cpu` is the CPU making the access, for registers banked per CPU (GICD_ISENABLER0, the GICC)
 * and for writes whose meaning depends on the sender (GICD_SGIR): on the bus, the CPU (pCPU)
 * index; for a device a hypervisor emulates in a VM's stage-2 map (vPLIC, emulated UART), the
 * vCPU's index within its VM, the CPU the guest knows; -1 (or omitted) for an access the host
 * makes (loaders, the REPL, tests, the hypervisor model's bookkeeping). A handler may ignore it.
 */
export interface MmioHandler {
  /** size is 1, 2 or 4; returns the value zero-extended. 8-byte accesses arrive as two 4-byte ones. */
  read(offset: number, size: number, cpu?: number): number
  write(offset: number, size: number, value: number, cpu?: number): void
}

export interface MmioRegion {
  base: number
  size: number
  name: string
  handler: MmioHandler
}

export interface RamRegion {
  base: number
  size: number
  /** offset of the region's first byte in the arena, or -1 when it lives in sparse pages */
  arenaOffset: number
}

/**
 * An observer of memory accesses (an LLC model, watchpoints), told each access the bus serves
 * with its value and the accessing CPU (`cpu`, -1 for the host). While any is registered, CPUs
 * send every load and store through the bus. An 8-byte access (`loadDoubleword`/`storeDoubleword`) is one access
 * of size 8 whose `value` is its low word. See `MemoryBus.observe`.
 */
export type BusObserver = (kind: 'r' | 'w', pa: number, size: number, value: number, cpu: number) => void

/**
 * Called when RAM that may hold decoded instructions is written outside the CPU fast path: a
 * write of `size` bytes at `off` in arena page `pageIndex`, a page some CPU holds decoded code
 * from. Returns false when no code it holds was touched (data beside the code): then the page
 * stays flagged and its code stays valid.
 */
/**
 * What a cache model observing the bus offers CPUs so they need not send it every access (the
 * model's "line tracking"). An access the model just served leaves its line the newest of its
 * set; a CPU may keep a *line entry* for it (core/cpu/tlb.ts) and serve further accesses to that
 * line without the bus — in an LRU set, touching the newest line again changes nothing but the
 * counts, which the CPU reports in bulk (`hits`). The bus tells the accessing CPU the set and line
 * of every access the model serves (`onLineTouched`), so the CPU drops its entry for another line
 * of that set, which is no longer the newest; at each window's start a CPU drops all its line
 * entries, since other CPUs ran in between.
 */
export interface LineTracking {
  /** a power of two, at least 16 */
  readonly lineBytes: number
  readonly sets: number
  /** `n` accesses of `cpu` served through its line entries: hits on lines the newest of their sets */
  hits(cpu: number, n: number): void
}

/** A CPU's listener for the sets its own accesses touch (`MemoryBus.onLineTouched`). */
export type LineListener = (set: number, line: number) => void

export type CodeInvalidator = (pageIndex: number, off: number, size: number) => boolean | void

/** Size of the per-machine state area at the start of the arena (CPUs' registers and CSRs). */
export const STATE_AREA_BYTES = 1 << 20
const WASM_PAGE = 65536
// just under 2 GiB: arena offsets and typed-array lengths stay below 2^31, so V8 keeps its
// fast int32 index paths (a 2^31-byte Uint8Array alone costs the CPU loop a third of its speed)
const ARENA_MAX_BYTES = 2 * 1024 * 1024 * 1024 - WASM_PAGE

export class BusError {
  constructor(readonly pa: number, readonly kind: 'r' | 'w', readonly size: number) {}
}

export class MemoryBus {
  readonly arena: WebAssembly.Memory
  readonly u8: Uint8Array
  readonly i32: Int32Array
  readonly dv: DataView
  readonly ram: RamRegion[] = []
  readonly mmio: MmioRegion[] = []
  /** One flag per arena page: 1 when some CPU holds decoded instructions from that page. */
  readonly codePages: Uint8Array
  /**
   * Sessions: one flag per arena page that some access has resolved through `ramOffset` (CPU
   * TLB fills, loads, the sized accessors). Every arena page that can hold a non-zero byte is
   * flagged, so a snapshot reads only those instead of the whole reserved arena. Code that
   * writes the arena must get its offsets from `ramOffset` for this to hold.
   */
  readonly touched: Uint8Array
  private readonly sparse = new Map<number, Uint8Array>()
  private arenaUsed = STATE_AREA_BYTES
  /** replaced, never changed in place, so an observer may remove itself while being told */
  private observers: readonly BusObserver[] = []
  /** each observer's line tracking, if it offers it (parallel to `observers`) */
  private trackers: readonly (LineTracking | undefined)[] = []
  /** the line tracking CPUs may use: the one observer's, when there is exactly one and it offers it */
  private tracking: LineTracking | null = null
  private readonly lineListeners: (LineListener | undefined)[] = []
  private readonly observedListeners: (() => void)[] = []
  private readonly invalidators: CodeInvalidator[] = []
  /** bumped whenever the map changes or `observed` flips, so CPUs know to flush their TLBs */
  generation = 0

  /** @param ramBytes total RAM the board will add; the arena is sized for it (capped just under 2 GiB; the rest becomes sparse pages). */
  constructor(ramBytes: number) {
    const want = Math.min(ARENA_MAX_BYTES, STATE_AREA_BYTES + Math.ceil(ramBytes / WASM_PAGE) * WASM_PAGE)
    this.arena = new WebAssembly.Memory({ initial: want / WASM_PAGE, maximum: want / WASM_PAGE })
    this.u8 = new Uint8Array(this.arena.buffer)
    this.i32 = new Int32Array(this.arena.buffer)
    this.dv = new DataView(this.arena.buffer)
    this.codePages = new Uint8Array(want >>> PAGE_SHIFT)
    this.touched = new Uint8Array(want >>> PAGE_SHIFT)
  }

  /** Map RAM at [base, base+size). Page-aligned. Returns the region. */
  addRam(base: number, size: number): RamRegion {
    if (base % PAGE_SIZE || size % PAGE_SIZE || size <= 0) throw new Error(`RAM region ${hex(base)}+${hex(size)} is not page-aligned`)
    this.checkFree(base, size, 'RAM')
    // what fits goes in the arena; the rest of the region becomes sparse pages
    const inArena = Math.min(size, this.arena.buffer.byteLength - this.arenaUsed)
    let first: RamRegion | undefined
    if (inArena > 0) {
      first = { base, size: inArena, arenaOffset: this.arenaUsed }
      this.arenaUsed += inArena
      this.ram.push(first)
    }
    if (inArena < size) this.ram.push({ base: base + inArena, size: size - inArena, arenaOffset: -1 })
    this.ram.sort((a, b) => a.base - b.base)
    this.generation++
    return first ?? this.ram.find((r) => r.base === base)!
  }

  addMmio(base: number, size: number, name: string, handler: MmioHandler): MmioRegion {
    this.checkFree(base, size, name)
    const r: MmioRegion = { base, size, name, handler }
    this.mmio.push(r)
    this.mmio.sort((a, b) => a.base - b.base)
    this.generation++
    return r
  }

  removeMmio(region: MmioRegion): void {
    const i = this.mmio.indexOf(region)
    if (i >= 0) this.mmio.splice(i, 1)
    this.generation++
  }

  /** Swap the handler behind a region in place (hot reload keeps the address map). */
  replaceMmioHandler(region: MmioRegion, handler: MmioHandler): void {
    region.handler = handler
  }

  private checkFree(base: number, size: number, name: string): void {
    for (const r of [...this.ram, ...this.mmio]) {
      if (base < r.base + r.size && r.base < base + size) {
        throw new Error(`${name} at ${hex(base)}+${hex(size)} overlaps ${'name' in r ? r.name : 'RAM'} at ${hex(r.base)}`)
      }
    }
  }

  /**
   * Offset in the arena of physical address `pa`, or -1 when `pa` is not arena-backed RAM.
   * CPUs call this on a TLB miss; a page whose accesses must be observed (an observer is
   * registered) still returns its offset: the caller asks `observed` before filling a fast entry.
   */
  /** the arena offset of RAM at `pa` (-1 if sparse or not RAM), without marking its page touched */
  private arenaOffsetOf(pa: number): number {
    for (const r of this.ram) {
      if (pa >= r.base && pa < r.base + r.size) return r.arenaOffset < 0 ? -1 : r.arenaOffset + (pa - r.base)
    }
    return -1
  }

  /**
   * Zero RAM [pa, pa+len) (a .bss, memory handed from one VM to another). Pages never touched
   * are zero already: they are left alone, so the OS still backs none of them.
   */
  zero(pa: number, len: number): void {
    if (!this.isRamRange(pa, len)) throw new BusError(pa, 'w', len)
    for (let a = pa, end = pa + len; a < end;) {
      const inPage = Math.min(PAGE_SIZE - (a % PAGE_SIZE), end - a)
      const off = this.arenaOffsetOf(a)
      if (off >= 0) {
        if (this.touched[off >>> PAGE_SHIFT]) {
          this.u8.fill(0, off, off + inPage)
          this.touchCode(off, inPage)
        }
      } else {
        this.sparsePage(a, false)?.fill(0, a % PAGE_SIZE, (a % PAGE_SIZE) + inPage)
      }
      a += inPage
    }
  }

  ramOffset(pa: number): number {
    const ram = this.ram
    for (let i = 0; i < ram.length; i++) {
      const r = ram[i]!
      if (pa >= r.base && pa < r.base + r.size) {
        if (r.arenaOffset < 0) return -1
        const off = r.arenaOffset + (pa - r.base)
        this.touched[off >>> PAGE_SHIFT] = 1
        return off
      }
    }
    return -1
  }

  /** True when accesses must take the slow path so observers see them. */
  get observed(): boolean {
    return this.observers.length !== 0
  }

  /** The line tracking CPUs may use now (see LineTracking), or null: every access takes the slow path. */
  get lineTracking(): LineTracking | null {
    return this.tracking
  }

  /**
   * Tell `fn` of every access from now on, beside any other observers; returns the function that
   * stops it. The first observer sends CPUs to the slow path and removing the last lets them
   * back (both through `onObservedChange`); with none, accesses cost what they did before. An
   * observer that offers line tracking and is the only one lets CPUs keep line entries.
   */
  observe(fn: BusObserver, lines?: LineTracking): () => void {
    if (lines && !(lines.lineBytes >= 16 && (lines.lineBytes & (lines.lineBytes - 1)) === 0 && lines.sets >= 1)) {
      throw new Error(`line tracking: line ${lines.lineBytes} bytes, ${lines.sets} sets: lines must be a power of two of at least 16 bytes`)
    }
    const was = this.observed
    this.observers = [...this.observers, fn]
    this.trackers = [...this.trackers, lines]
    this.observersChanged(was)
    let on = true
    return () => {
      if (!on) return
      on = false
      const was = this.observed
      const i = this.observers.indexOf(fn)
      this.observers = this.observers.filter((_, j) => j !== i)
      this.trackers = this.trackers.filter((_, j) => j !== i)
      this.observersChanged(was)
    }
  }

  /** `observed` (which was `was`) or the line tracking may have changed: CPUs drop what they cached under the old */
  private observersChanged(was: boolean): void {
    const t = this.observers.length === 1 ? this.trackers[0] ?? null : null
    const flipped = this.observed !== was || t !== this.tracking
    this.tracking = t
    if (flipped) this.observedChanged()
  }

  /** CPU `cpu` wants the set and line of each of its accesses a line-tracking observer serves. */
  onLineTouched(cpu: number, fn: LineListener): void {
    this.lineListeners[cpu] = fn
  }

  /** CPU `cpu`'s accesses its line entries served (LineTracking.hits) */
  reportLineHits(cpu: number, n: number): void {
    this.tracking?.hits(cpu, n)
  }

  /**
   * Call `fn` whenever `observed` flips: the machine has its CPUs drop cached translations,
   * since a TLB entry filled while unobserved reaches RAM without the bus.
   */
  onObservedChange(fn: () => void): () => void {
    this.observedListeners.push(fn)
    return () => {
      const i = this.observedListeners.indexOf(fn)
      if (i >= 0) this.observedListeners.splice(i, 1)
    }
  }

  private observedChanged(): void {
    this.generation++
    for (const fn of this.observedListeners) fn()
  }

  private notify(kind: 'r' | 'w', pa: number, size: number, value: number, cpu: number): void {
    const obs = this.observers
    for (let i = 0; i < obs.length; i++) obs[i]!(kind, pa, size, value, cpu)
    const t = this.tracking
    if (t !== null && cpu >= 0) {
      const line = Math.floor(pa / t.lineBytes)
      this.lineListeners[cpu]?.(line % t.sets, line)
    }
  }

  onCodeWrite(fn: CodeInvalidator): () => void {
    this.invalidators.push(fn)
    return () => {
      const i = this.invalidators.indexOf(fn)
      if (i >= 0) this.invalidators.splice(i, 1)
    }
  }

  /**
   * Tell the CPUs that `size` bytes at `off` in arena page `page` changed; the page stops being
   * code unless every listener says its code there was not touched.
   */
  invalidateCode(page: number, off = 0, size = PAGE_SIZE): void {
    if (!this.codePages[page]) return
    let touched = this.invalidators.length === 0
    for (const fn of this.invalidators) if (fn(page, off, size) !== false) touched = true
    if (touched) this.codePages[page] = 0
  }

  findMmio(pa: number): MmioRegion | undefined {
    const m = this.mmio
    for (let i = 0; i < m.length; i++) {
      const r = m[i]!
      if (pa >= r.base && pa < r.base + r.size) return r
    }
    return undefined
  }

  private sparsePage(pa: number, create: boolean): Uint8Array | undefined {
    const key = Math.floor(pa / PAGE_SIZE)
    let p = this.sparse.get(key)
    if (!p && create) {
      p = new Uint8Array(PAGE_SIZE)
      this.sparse.set(key, p)
    }
    return p
  }

  private isRam(pa: number): RamRegion | undefined {
    for (const r of this.ram) if (pa >= r.base && pa < r.base + r.size) return r
    return undefined
  }

  /**
   * Read `size` (1, 2, 4) bytes at `pa`, zero-extended. Throws BusError when nothing is mapped.
   * Accesses may be misaligned within RAM; MMIO accesses go to the device as given, with `cpu`
   * (the accessing CPU; -1, the default, for the host: see `MmioHandler`).
   */
  read(pa: number, size: number, cpu = -1): number {
    const v = this.readRaw(pa, size, cpu)
    if (this.observers.length !== 0) this.notify('r', pa, size, v, cpu)
    return v
  }

  /**
   * Read 8 bytes at `pa` into out[0] (low word) and out[1] (high word): one access for observers
   * (a doubleword load is one cache access), two 4-byte ones for a device.
   */
  loadDoubleword(pa: number, out: Int32Array | Uint32Array, cpu = -1): void {
    out[0] = this.readRaw(pa, 4, cpu)
    out[1] = this.readRaw(pa + 4, 4, cpu)
    if (this.observers.length !== 0) this.notify('r', pa, 8, out[0]! >>> 0, cpu)
  }

  /** Write 8 bytes at `pa`, low word `lo` first: one access for observers, as `loadDoubleword`. */
  storeDoubleword(pa: number, lo: number, hi: number, cpu = -1): void {
    if (this.observers.length !== 0) this.notify('w', pa, 8, lo >>> 0, cpu)
    this.writeRaw(pa, 4, lo, cpu)
    this.writeRaw(pa + 4, 4, hi, cpu)
  }

  private readRaw(pa: number, size: number, cpu: number): number {
    const off = this.ramOffset(pa)
    if (off >= 0 && this.ramOffset(pa + size - 1) === off + size - 1) {
      const dv = this.dv
      return size === 1 ? dv.getUint8(off) : size === 2 ? dv.getUint16(off, true) : dv.getUint32(off, true)
    }
    if (this.isRam(pa)) {
      let v = 0
      for (let i = size - 1; i >= 0; i--) v = v * 256 + this.readByteRam(pa + i)
      return v
    }
    const m = this.findMmio(pa)
    if (!m || pa + size > m.base + m.size) throw new BusError(pa, 'r', size)
    return m.handler.read(pa - m.base, size, cpu) >>> 0
  }

  private readByteRam(pa: number): number {
    const off = this.ramOffset(pa)
    if (off >= 0) return this.u8[off]!
    if (!this.isRam(pa)) throw new BusError(pa, 'r', 1)
    const p = this.sparsePage(pa, false)
    return p ? p[pa % PAGE_SIZE]! : 0
  }

  write(pa: number, size: number, value: number, cpu = -1): void {
    if (this.observers.length !== 0) this.notify('w', pa, size, value >>> 0, cpu)
    this.writeRaw(pa, size, value, cpu)
  }

  private writeRaw(pa: number, size: number, value: number, cpu: number): void {
    const off = this.ramOffset(pa)
    if (off >= 0 && this.ramOffset(pa + size - 1) === off + size - 1) {
      const dv = this.dv
      if (size === 1) dv.setUint8(off, value)
      else if (size === 2) dv.setUint16(off, value, true)
      else dv.setUint32(off, value, true)
      this.touchCode(off, size)
      return
    }
    if (this.isRam(pa)) {
      for (let i = 0; i < size; i++) this.writeByteRam(pa + i, (value >>> (8 * i)) & 0xff)
      return
    }
    const m = this.findMmio(pa)
    if (!m || pa + size > m.base + m.size) throw new BusError(pa, 'w', size)
    m.handler.write(pa - m.base, size, value >>> 0, cpu)
  }

  private writeByteRam(pa: number, v: number): void {
    const off = this.ramOffset(pa)
    if (off >= 0) {
      this.u8[off] = v
      this.touchCode(off, 1)
      return
    }
    if (!this.isRam(pa)) throw new BusError(pa, 'w', 1)
    this.sparsePage(pa, true)![pa % PAGE_SIZE] = v
  }

  private touchCode(off: number, size: number): void {
    const p0 = off >>> PAGE_SHIFT
    const p1 = (off + size - 1) >>> PAGE_SHIFT
    const in0 = off & (PAGE_SIZE - 1)
    if (this.codePages[p0]) this.invalidateCode(p0, in0, Math.min(size, PAGE_SIZE - in0))
    if (p1 !== p0 && this.codePages[p1]) this.invalidateCode(p1, 0, size - (PAGE_SIZE - in0))
  }

  read8(pa: number): number { return this.read(pa, 1) }
  read16(pa: number): number { return this.read(pa, 2) }
  read32(pa: number): number { return this.read(pa, 4) }
  read64(pa: number): bigint {
    const lo = this.read(pa, 4)
    const hi = this.read(pa + 4, 4)
    return (BigInt(hi) << 32n) | BigInt(lo)
  }
  write8(pa: number, v: number): void { this.write(pa, 1, v) }
  write16(pa: number, v: number): void { this.write(pa, 2, v) }
  write32(pa: number, v: number): void { this.write(pa, 4, v) }
  write64(pa: number, v: bigint): void {
    this.write(pa, 4, Number(v & 0xffffffffn))
    this.write(pa + 4, 4, Number((v >> 32n) & 0xffffffffn))
  }

  /** True when [pa, pa+len) is entirely RAM. */
  isRamRange(pa: number, len: number): boolean {
    let a = pa
    const end = pa + len
    while (a < end) {
      const r = this.isRam(a)
      if (!r) return false
      a = r.base + r.size
    }
    return true
  }

  /** Bulk copy into RAM (image loading). Throws BusError if any byte is not RAM. */
  load(pa: number, bytes: Uint8Array): void {
    if (!this.isRamRange(pa, bytes.length)) throw new BusError(pa, 'w', bytes.length)
    let i = 0
    while (i < bytes.length) {
      const a = pa + i
      const off = this.ramOffset(a)
      const inPage = Math.min(PAGE_SIZE - (a % PAGE_SIZE), bytes.length - i)
      if (off >= 0) {
        this.u8.set(bytes.subarray(i, i + inPage), off)
        this.touchCode(off, inPage)
      } else {
        this.sparsePage(a, true)!.set(bytes.subarray(i, i + inPage), a % PAGE_SIZE)
      }
      i += inPage
    }
  }

  /** Sessions: the sparse RAM pages written so far, by page number (pa / PAGE_SIZE). */
  sparsePages(): ReadonlyMap<number, Uint8Array> {
    return this.sparse
  }

  /** Bulk copy out of RAM, a page at a time. Throws BusError if any byte is not RAM. */
  dump(pa: number, len: number): Uint8Array {
    const out = new Uint8Array(len)
    for (let i = 0; i < len;) {
      const a = pa + i
      const inPage = Math.min(PAGE_SIZE - (a % PAGE_SIZE), len - i)
      const off = this.arenaOffsetOf(a)
      if (off >= 0 && this.arenaOffsetOf(a + inPage - 1) === off + inPage - 1) out.set(this.u8.subarray(off, off + inPage), i)
      else for (let k = 0; k < inPage; k++) out[i + k] = this.readByteRam(a + k)
      i += inPage
    }
    return out
  }
}

export function hex(n: number | bigint): string {
  return '0x' + n.toString(16)
}
