/**
 * A VM's stage-2 map (Bao's per-VM address space): guest-physical windows backed by host RAM,
 * by a passed-through device, or by an emulated device whose accesses the hypervisor serves.
 * The architecture plugin consults it on every TLB miss with V=1 (RISC-V G-stage, Arm stage 2);
 * anything outside it is a stage-2 fault, which stops the VM (fault containment).
 *
 * Two views of the same entry objects: `entries`, sorted by gpa, for listing, overlap checks and
 * edits; and a page-granular radix index (stage2-table.ts) for `lookup`, which cache colouring's
 * thousands of page-sized entries would make slow as a scan.
 */
import { PAGE_SIZE, type MmioHandler } from '../bus.ts'
import { Stage2Table } from './stage2-table.ts'

export const S2_R = 1, S2_W = 2, S2_X = 4

export interface Stage2Entry {
  gpa: number
  size: number
  /** host-physical address of gpa (RAM or device); unused when `handler` is set */
  pa: number
  perm: number
  kind: 'ram' | 'device' | 'ipc' | 'emulated'
  name: string
  /** emulated devices: served by the hypervisor, offsets from `gpa` */
  handler?: MmioHandler
}

export class Stage2Map {
  /** every entry, sorted by gpa (equal gpas in mapping order) */
  private readonly list: Stage2Entry[] = []
  private readonly table = new Stage2Table()
  /**
   * Entries not on page boundaries (none come from a validated config; an emulated device at an
   * odd address could). No page-aligned entry shares a page with them, so they are looked up by
   * a scan only when the index has nothing.
   */
  private readonly odd: Stage2Entry[] = []
  /** the last hit, since accesses cluster */
  private last: Stage2Entry | undefined

  /**
   * The entries in gpa order. They are the objects `lookup` returns: changing an entry's
   * `handler` in place (hot reload) reaches lookups; changing its extent does not.
   */
  get entries(): readonly Stage2Entry[] {
    return this.list
  }

  map(e: Stage2Entry): void {
    this.checkFree(e)
    this.list.splice(this.upperBound(e.gpa), 0, e)
    this.place(e)
  }

  /**
   * Map guest pages gpa, gpa+4K, … to host pages `pas` (cache colouring's page-by-page maps):
   * each run of consecutive host pages becomes one entry. Checks every run before mapping any.
   * Returns the entries made, in gpa order.
   */
  mapPages(gpa: number, pas: ArrayLike<number>, perm: number, kind: Stage2Entry['kind'], name: string): Stage2Entry[] {
    if (gpa % PAGE_SIZE !== 0) throw new Error(`stage-2: ${name} at 0x${gpa.toString(16)} is not page-aligned`)
    const made: Stage2Entry[] = []
    for (let i = 0; i < pas.length;) {
      const pa = pas[i]!
      if (pa % PAGE_SIZE !== 0) throw new Error(`stage-2: ${name} page ${i} at 0x${pa.toString(16)} is not page-aligned`)
      let j = i + 1
      while (j < pas.length && pas[j] === pa + (j - i) * PAGE_SIZE) j++
      made.push({ gpa: gpa + i * PAGE_SIZE, size: (j - i) * PAGE_SIZE, pa, perm, kind, name })
      i = j
    }
    return this.mapAll(made)
  }

  /**
   * Map many entries at once (a coloured window's runs of host pages): every one checked before
   * any is mapped. Returns them.
   */
  mapAll(made: Stage2Entry[]): Stage2Entry[] {
    for (const e of made) this.checkFree(e)
    // one stable sort instead of a splice per run (existing entries stay first among equal gpas)
    const all = this.list.concat(made).sort((a, b) => a.gpa - b.gpa)
    this.list.length = 0
    for (const e of all) this.list.push(e)
    for (const e of made) this.place(e)
    return made
  }

  unmap(gpa: number): Stage2Entry | undefined {
    const i = this.lowerBound(gpa)
    const e = this.list[i]
    if (e === undefined || e.gpa !== gpa) return undefined
    this.list.splice(i, 1)
    this.displace(e)
    return e
  }

  /**
   * Remove [gpa, gpa+size) from the map, splitting entries that straddle its ends (a parent
   * donating part of a region). Returns the removed pieces.
   */
  unmapRange(gpa: number, size: number): Stage2Entry[] {
    const end = gpa + size
    const [i0, i1] = this.span(gpa, end)
    const removed: Stage2Entry[] = []
    const keep: Stage2Entry[] = []
    const gone: Stage2Entry[] = []
    const pieces: Stage2Entry[] = []
    const piece = (p: Stage2Entry): void => { keep.push(p); pieces.push(p) }
    for (let i = i0; i < i1; i++) {
      const e = this.list[i]!
      const eEnd = e.gpa + e.size
      if (eEnd <= gpa || e.gpa >= end) { keep.push(e); continue }
      gone.push(e)
      if (e.gpa < gpa) piece({ ...e, size: gpa - e.gpa })
      if (eEnd > end) piece({ ...e, gpa: end, size: eEnd - end, pa: e.pa + (end - e.gpa) })
      const lo = Math.max(e.gpa, gpa), hi = Math.min(eEnd, end)
      removed.push({ ...e, gpa: lo, size: hi - lo, pa: e.pa + (lo - e.gpa) })
    }
    keep.sort((a, b) => a.gpa - b.gpa)
    this.list.splice(i0, i1 - i0, ...keep)
    for (const e of gone) this.displace(e)
    for (const e of pieces) this.place(e)
    this.last = undefined
    return removed
  }

  /** Map `e` and merge it with neighbours that continue it (same kind, permissions, contiguous). */
  mapMerged(e: Stage2Entry): void {
    this.map(e)
    // every continuing pair in the map merges, not only e's (as the list did before the index)
    const out: Stage2Entry[] = []
    const gone: Stage2Entry[] = []
    const made = new Set<Stage2Entry>()
    for (const x of this.list) {
      const p = out[out.length - 1]
      if (p && !p.handler && !x.handler && p.kind === x.kind && p.perm === x.perm && p.gpa + p.size === x.gpa && p.pa + p.size === x.pa) {
        if (!made.delete(p)) gone.push(p)
        gone.push(x)
        const m = { ...p, size: p.size + x.size }
        made.add(m)
        out[out.length - 1] = m
      } else out.push(x)
    }
    this.list.length = 0
    for (const x of out) this.list.push(x)
    for (const x of gone) this.displace(x)
    for (const x of made) this.place(x)
    this.last = undefined
  }

  lookup(gpa: number): Stage2Entry | undefined {
    const l = this.last
    if (l !== undefined && gpa >= l.gpa && gpa < l.gpa + l.size) return l
    let e = this.table.get(Math.floor(gpa / PAGE_SIZE))
    if (e === undefined && this.odd.length !== 0) e = this.lookupOdd(gpa)
    if (e !== undefined) this.last = e
    return e
  }

  private lookupOdd(gpa: number): Stage2Entry | undefined {
    for (const e of this.odd) if (gpa >= e.gpa && gpa < e.gpa + e.size) return e
    return undefined
  }

  /** Throw when `e` overlaps an entry (the first in gpa order is named). */
  private checkFree(e: Stage2Entry): void {
    const [i0, i1] = this.span(e.gpa, e.gpa + e.size)
    for (let i = i0; i < i1; i++) {
      const o = this.list[i]!
      if (e.gpa < o.gpa + o.size && o.gpa < e.gpa + e.size) {
        throw new Error(`stage-2: ${e.name} at 0x${e.gpa.toString(16)} overlaps ${o.name} at 0x${o.gpa.toString(16)}`)
      }
    }
  }

  /** Put `e` in the index (after it joined `list`). */
  private place(e: Stage2Entry): void {
    if (e.size <= 0) return // maps no page: lookups never found it
    if (e.gpa % PAGE_SIZE === 0 && e.size % PAGE_SIZE === 0) this.table.set(e.gpa / PAGE_SIZE, (e.gpa + e.size) / PAGE_SIZE, e)
    else this.odd.push(e)
  }

  /** Take `e` out of the index (it left `list`). */
  private displace(e: Stage2Entry): void {
    this.last = undefined
    if (e.size <= 0) return
    if (e.gpa % PAGE_SIZE === 0 && e.size % PAGE_SIZE === 0) this.table.clear(e.gpa / PAGE_SIZE, (e.gpa + e.size) / PAGE_SIZE, e)
    else {
      const i = this.odd.indexOf(e)
      if (i >= 0) this.odd.splice(i, 1)
    }
  }

  /**
   * Indices [i0, i1) of `list` holding every entry that can meet [lo, hi): those starting before
   * hi, back to the one non-empty entry that starts before lo and may reach past it (non-empty
   * entries do not overlap, so their ends rise with their starts). Callers test each exactly.
   */
  private span(lo: number, hi: number): [number, number] {
    const lb = this.lowerBound(lo)
    let i0 = lb
    for (let j = lb - 1; j >= 0; j--) {
      const o = this.list[j]!
      if (o.size === 0) continue
      if (o.gpa + o.size > lo) i0 = j
      break
    }
    return [i0, Math.max(lb, this.lowerBound(hi))]
  }

  /** first index whose entry starts at or after `gpa` */
  private lowerBound(gpa: number): number {
    let a = 0, b = this.list.length
    while (a < b) {
      const m = (a + b) >>> 1
      if (this.list[m]!.gpa < gpa) a = m + 1
      else b = m
    }
    return a
  }

  /** first index whose entry starts after `gpa` */
  private upperBound(gpa: number): number {
    let a = 0, b = this.list.length
    while (a < b) {
      const m = (a + b) >>> 1
      if (this.list[m]!.gpa <= gpa) a = m + 1
      else b = m
    }
    return a
  }
}
