/**
 * Decoded-instruction pages, shared by every hart on a bus and keyed by arena page: an
 * Int32Array of 2048 slots (one per halfword) × [op word, imm] (see execute.ts), with the
 * translated regions and visit counts of the same page (wasm-tier.ts). A page is dropped when
 * anything writes it (the bus reports writes to pages flagged in `bus.codePages`; the harts'
 * store TLBs never map such pages, so CPU stores to them take the slow path and are reported too).
 */
import type { MemoryBus } from '../../core/bus.ts'
import type { BlockFn } from './wasm-tier.ts'

interface HartLike {
  brk: boolean
  tlb: { dropWritesTo(page: number): void }
}

const caches = new WeakMap<MemoryBus, CodeCache>()

export class CodeCache {
  readonly pages: (Int32Array | undefined)[] = []
  /** per page: the translated region function entered at each slot (null = no block can start there) */
  readonly blocks: ((BlockFn | null)[] | undefined)[] = []
  /** per page: visit counts of slots not yet translated */
  readonly heat: (Uint16Array | undefined)[] = []
  readonly harts: HartLike[] = []

  static of(bus: MemoryBus): CodeCache {
    let c = caches.get(bus)
    if (!c) {
      const cache = new CodeCache(bus)
      caches.set(bus, cache)
      c = cache
    }
    return c
  }

  private constructor(private readonly bus: MemoryBus) {
    bus.onCodeWrite((page) => {
      this.pages[page] = undefined
      this.blocks[page] = undefined
      this.heat[page] = undefined
      for (const h of this.harts) h.brk = true
    })
  }

  /** The decoded page for arena page `page`, created (empty) on first use. */
  page(page: number): Int32Array {
    let d = this.pages[page]
    if (!d) {
      d = new Int32Array(4096)
      this.pages[page] = d
      this.blocks[page] = new Array<BlockFn | null>(4096)
      this.heat[page] = new Uint16Array(4096)
      if (!this.bus.codePages[page]) {
        this.bus.codePages[page] = 1
        for (const h of this.harts) h.tlb.dropWritesTo(page)
      }
    }
    return d
  }
}
