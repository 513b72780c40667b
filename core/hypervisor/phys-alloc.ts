/**
 * Host-physical memory the hypervisor hands out at run time (shared memory, dynamic VMs'
 * extra regions): the board's RAM minus every static VM region, as a sorted free list. Frees
 * merge neighbours, so any sequence of alloc/free that returns everything restores the list
 * exactly (the 1,000-cycle create/destroy test checks `free()`).
 */
const PAGE = 4096

export interface Range {
  base: number
  size: number
}

export class PhysAllocator {
  private list: Range[]

  constructor(ram: readonly Range[], used: readonly Range[]) {
    let free: Range[] = ram.map((r) => ({ ...r }))
    for (const u of used) free = free.flatMap((f) => subtract(f, u))
    this.list = free.filter((f) => f.size > 0).sort((a, b) => a.base - b.base)
  }

  /** Take `size` bytes (page-rounded) from the highest free range that fits, at its top. */
  alloc(size: number): number | null {
    const s = Math.ceil(size / PAGE) * PAGE
    for (let i = this.list.length - 1; i >= 0; i--) {
      const f = this.list[i]!
      if (f.size < s) continue
      f.size -= s
      const base = f.base + f.size
      if (f.size === 0) this.list.splice(i, 1)
      return base
    }
    return null
  }

  /** Take exactly [base, base+size) if it is free. */
  take(base: number, size: number): boolean {
    const i = this.list.findIndex((f) => base >= f.base && base + size <= f.base + f.size)
    if (i < 0) return false
    const parts = subtract(this.list[i]!, { base, size })
    this.list.splice(i, 1, ...parts)
    return true
  }

  free(base: number, size: number): void {
    const s = Math.ceil(size / PAGE) * PAGE
    this.list.push({ base, size: s })
    this.list.sort((a, b) => a.base - b.base)
    const merged: Range[] = []
    for (const r of this.list) {
      const last = merged[merged.length - 1]
      if (last && last.base + last.size === r.base) last.size += r.size
      else merged.push({ ...r })
    }
    this.list = merged
  }

  /** the free ranges (copies) */
  ranges(): Range[] {
    return this.list.map((r) => ({ ...r }))
  }

  get freeBytes(): number {
    return this.list.reduce((s, r) => s + r.size, 0)
  }
}

/**
 * The allocator a hypervisor boots with: the board's RAM minus the root VMs' regions (children
 * live in their parents' RAM) and the shared memory placed at a fixed address. The config rules
 * run it too, so a shmem that cannot be allocated is a config error, not a failed boot.
 */
interface AllocVm { regions: readonly { phys: number; size: number }[]; children?: readonly AllocVm[] }

export function bootAllocator(
  ram: readonly Range[],
  vms: readonly AllocVm[],
  shmem: readonly { size: number; placePhys: boolean; phys: number | undefined }[],
): PhysAllocator {
  // static VM-stack children (a TEE's GPOS, its child TEE) hold their regions from boot too
  const all = (list: readonly AllocVm[]): AllocVm[] => list.flatMap((vm) => [vm, ...all(vm.children ?? [])])
  const used = all(vms).flatMap((vm) => vm.regions.map((r) => ({ base: r.phys, size: r.size })))
  used.push(...shmem.filter((s) => s.placePhys && s.phys !== undefined).map((s) => ({ base: s.phys!, size: s.size })))
  return new PhysAllocator(ram, used)
}

function subtract(f: Range, u: Range): Range[] {
  if (u.base >= f.base + f.size || u.base + u.size <= f.base) return [f]
  const out: Range[] = []
  if (u.base > f.base) out.push({ base: f.base, size: u.base - f.base })
  if (u.base + u.size < f.base + f.size) out.push({ base: u.base + u.size, size: f.base + f.size - (u.base + u.size) })
  return out
}
