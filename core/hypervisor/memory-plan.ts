/**
 * Where every VM region and shared-memory object lives in host-physical RAM, decided as Bao's
 * `mem_init` and `vm_init` decide it (reference §1.3, §5.2): one page pool per RAM bank of the
 * board; first what must sit at fixed addresses — the board's reservations (firmware, the
 * hypervisor image), `placePhys` regions (through `children`) and placed shmem — then the rest
 * from the pools in config order: shmem objects, then each VM's regions, parents before their
 * children. A coloured VM (or shmem, or `hypColors`) gets only pages of its colours, mapped page by
 * page in colour order; uncoloured means contiguous. A region's `base` is a guest-physical
 * address only, so any number of VMs may use the same guest addresses.
 *
 * The config check (config.ts) and the boot (hypervisor.ts) run the same plan, so `check` refuses
 * exactly the configs `run` could not place, naming the VM/region, what it asked and what is free.
 * The plan is deterministic: the same config gives the same pages (sessions rely on it).
 */
import type { BoardDesc } from '../board.ts'
import { hex } from '../bus.ts'
import { allColours, colourGeometry, colourList, type ColourGeometry } from './colours.ts'
import type { Err, HvRegion, HvShmem, HvVmConfig } from './config-types.ts'
import { PagePool, type Range } from './page-pool.ts'

const PAGE = 4096

/** A run of host pages behind part of a guest window: `offset` bytes from its start. */
export interface Piece { offset: number; size: number; pa: number }

export interface MemoryPlan {
  pool: PagePool
  /** the host pieces behind each region, in guest order */
  regions: Map<HvRegion, Piece[]>
  /** the host pieces behind each shmem object, by id */
  shmem: Piece[][]
}

/** Consecutive host pages → pieces (each run of contiguous pages one piece). */
export function piecesOf(pas: readonly number[]): Piece[] {
  const out: Piece[] = []
  for (let i = 0; i < pas.length;) {
    let j = i + 1
    while (j < pas.length && pas[j] === pas[i]! + (j - i) * PAGE) j++
    out.push({ offset: i * PAGE, size: (j - i) * PAGE, pa: pas[i]! })
    i = j
  }
  return out
}

const mib = (n: number): string => (n >= 0x100000 ? `${(n / 0x100000).toFixed(n % 0x100000 ? 2 : 0)} MiB` : `${n / 1024} KiB`)

/**
 * The steps of a plan, on one pool: fixed ranges taken exactly, the rest allocated (coloured or
 * contiguous), every refusal reported at its field with what was asked and what is free.
 */
class Planner {
  /** what holds fixed ranges, for naming the one a placed range clashes with */
  private readonly fixed: { lo: number; hi: number; path: string }[] = []
  constructor(readonly board: BoardDesc, readonly pool: PagePool, private readonly err: Err) {}

  get geometry(): ColourGeometry { return this.pool.geometry }

  /** a colour bitmap, refused where it names colours the board does not have */
  colours(path: string, c: number): bigint {
    const g = this.geometry
    const bits = BigInt(c)
    const bad = colourList(bits, { ...g, colorNum: 64 }).filter((k) => k >= g.colorNum)
    if (bad.length) this.err(path, `colour ${bad[0]} does not exist: board ${this.board.name} has ${g.colorNum} colour${g.colorNum === 1 ? '' : 's'} (0..${g.colorNum - 1})`)
    return bits
  }

  freeText(bits: bigint): string {
    const coloured = !allColours(bits, this.geometry)
    const free = this.pool.freeCount(coloured ? bits : undefined) * PAGE
    return coloured ? `${mib(free)} of its colours is free` : `${mib(free)} is free, the largest block ${mib(this.pool.largestFree())}`
  }

  /** a range known to be taken (the board's reservations), named in clashes */
  taken(lo: number, hi: number, path: string): void { this.fixed.push({ lo, hi, path }) }

  /** take exactly [base, base+size) for `path` */
  place(path: string, base: number, size: number): Piece[] | null {
    if (this.pool.reserve(base, size)) { this.fixed.push({ lo: base, hi: base + size, path }); return [{ offset: 0, size, pa: base }] }
    const clash = this.fixed.find((f) => f.lo < base + size && base < f.hi)
    if (clash) this.err(path, `${hex(base)}..${hex(base + size)} overlaps ${clash.path} (${hex(clash.lo)}..${hex(clash.hi)})`)
    else if (this.board.memory.some((m) => base >= m.base && base + size <= m.base + m.size)) this.err(path, `${hex(base)}..${hex(base + size)} is host RAM in use (by a VM made at run time or shared memory)`)
    else this.err(path, `${hex(base)}..${hex(base + size)} is outside the RAM of board ${this.board.name} (${this.board.memory.map((m) => `${hex(m.base)}..${hex(m.base + m.size)}`).join(', ')})`)
    return null
  }

  /** `size` bytes from the pools for `path`: pages of `bits`' colours, or one contiguous run uncoloured */
  alloc(path: string, size: number, bits: bigint, what: string): Piece[] | null {
    if (!allColours(bits, this.geometry)) {
      const pas = this.pool.allocColoured(size, bits)
      if (pas) return piecesOf(pas)
      this.err(path, `${what} asks ${mib(size)} of colours ${hex(Number(bits))}: ${this.freeText(bits)}`)
      return null
    }
    const pa = this.pool.allocContiguous(size)
    if (pa !== null) return [{ offset: 0, size, pa }]
    this.err(path, `${what} asks ${mib(size)} of host RAM: ${this.freeText(bits)}`)
    return null
  }

  /** the VMs' placed regions (`nodes` with their field paths) */
  placeFixed(nodes: readonly { vm: HvVmConfig; path: string }[], into: Map<HvRegion, Piece[]>): void {
    for (const { vm, path } of nodes) {
      vm.regions.forEach((r, i) => {
        if (!r.placePhys) return
        const p = this.place(`${path}.regions[${i}]`, r.phys, r.size)
        if (p) into.set(r, p)
      })
    }
  }

  /** the VMs' other regions, from the pools: a region's own colours, else its VM's */
  allocRegions(nodes: readonly { vm: HvVmConfig; path: string }[], into: Map<HvRegion, Piece[]>): void {
    for (const { vm, path } of nodes) {
      const vmBits = this.colours(`${path}.colors`, vm.colors)
      vm.regions.forEach((r, i) => {
        if (r.placePhys) return
        const at = `${path}.regions[${i}]`
        const bits = r.colors ? this.colours(`${at}.colors`, r.colors) : vmBits
        const p = this.alloc(`${at}.size`, r.size, bits, `VM '${vm.name}' region ${hex(r.base)}`)
        if (p) into.set(r, p)
      })
    }
  }
}

/** `vms` and their children, depth first (parents before children), with their field paths */
function walk(vms: readonly HvVmConfig[], prefix: string): { vm: HvVmConfig; path: string }[] {
  return vms.flatMap((vm, i) => [{ vm, path: `${prefix}[${i}]` }, ...walk(vm.children, `${prefix}[${i}].children`)])
}

/**
 * Plan the host memory of `vms` (root VMs, children inside) and `shmem` on `board`. Every rule a
 * plan breaks goes to `err` (field path, rule); what could not be placed is left out of the plan.
 */
export function planMemory(board: BoardDesc, vms: readonly HvVmConfig[], shmem: readonly HvShmem[], hypColors: number, err: Err): MemoryPlan {
  // the board's colours (§5.1); one colour when it describes no caches
  const geometry = colourGeometry(board.caches)
  const pool = new PagePool(board.memory, geometry)
  const plan: MemoryPlan = { pool, regions: new Map(), shmem: [] }
  const p = new Planner(board, pool, err)
  // 1. fixed: the board's reservations — the hypervisor image moved to coloured pages when
  //    hypColors asks — then placePhys regions and placed shmem
  const hypBits = p.colours('hypColors', hypColors)
  for (const r of board.reserved ?? []) {
    if (r.hypervisor && !allColours(hypBits, geometry)) {
      p.alloc('hypColors', r.size, hypBits, `the hypervisor (${r.what})`)
      continue
    }
    if (!pool.reserve(r.base, r.size)) throw new Error(`board ${board.name}: reserved ${hex(r.base)}..${hex(r.base + r.size)} (${r.what}) is not free RAM of the board`)
    p.taken(r.base, r.base + r.size, `the board's reservation for ${r.what}`)
  }
  const nodes = walk(vms, 'vms')
  p.placeFixed(nodes, plan.regions)
  shmem.forEach((s, i) => {
    if (!s.placePhys || s.phys === undefined) return
    const got = p.place(`shmem[${i}]`, s.phys, s.size)
    if (got) plan.shmem[i] = got
  })
  // 2. from the pools: shmem, then the VMs' regions
  shmem.forEach((s, i) => {
    if (s.placePhys) return
    const got = p.alloc(`shmem[${i}].size`, Math.ceil(s.size / PAGE) * PAGE, p.colours(`shmem[${i}].colors`, s.colors), `shmem[${i}]`)
    if (got) plan.shmem[i] = got
  })
  p.allocRegions(nodes, plan.regions)
  return plan
}

/**
 * Place a VM made at run time (and its static children) on the live `pool`: what `planMemory`
 * does for one VM. Throws with the first refusal, having taken nothing.
 */
export function placeVm(board: BoardDesc, pool: PagePool, vc: HvVmConfig): Map<HvRegion, Piece[]> {
  const problems: string[] = []
  const p = new Planner(board, pool, (path, rule) => problems.push(`${path}: ${rule}`))
  const out = new Map<HvRegion, Piece[]>()
  const nodes = walk([vc], 'vm').map((n) => ({ ...n, path: n.path.replace(/^vm\[0\]/, vc.name) }))
  p.placeFixed(nodes, out)
  if (!problems.length) p.allocRegions(nodes, out)
  if (problems.length) {
    for (const pieces of out.values()) for (const x of pieces) pool.freeRange(x.pa, x.size)
    throw new Error(problems[0])
  }
  return out
}

/**
 * The host RAM the hypervisor hands out at run time (dynamic VMs' extra regions, VMs made from
 * the API), over the boot plan's pools: whole ranges in, whole ranges out.
 */
export class HostMemory {
  constructor(readonly pool: PagePool, private readonly ram: readonly Range[]) {}

  /** `size` bytes (page-rounded) contiguous, or null */
  alloc(size: number): number | null { return this.pool.allocContiguous(size) }
  /** exactly [base, base+size) if every page of it is free */
  take(base: number, size: number): boolean { return this.pool.reserve(base, size) }
  free(base: number, size: number): void { this.pool.freeRange(base, size) }

  /** the free ranges, in address order */
  ranges(): Range[] {
    const used = this.pool.allocated()
    const out: Range[] = []
    for (const bank of this.ram) {
      let at = bank.base
      const end = bank.base + bank.size
      for (const u of used) {
        if (u.base + u.size <= at || u.base >= end) continue
        if (u.base > at) out.push({ base: at, size: u.base - at })
        at = Math.max(at, u.base + u.size)
      }
      if (at < end) out.push({ base: at, size: end - at })
    }
    return out
  }

  get freeBytes(): number { return this.pool.freeCount() * PAGE }
}
