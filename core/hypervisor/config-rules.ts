/**
 * The config rules that relate fields to each other and to the board (reference §2.3, made
 * strict): names, alignment, CPUs, guest windows, host memory, devices, interrupts, images, IPC.
 * Each reports a ConfigError with the field path and the rule broken; config.ts runs them.
 */
import type { BoardDesc } from '../board.ts'
import { hex } from '../bus.ts'
import { ImageError, machineName, parseElf } from '../loader/elf.ts'
import { planMemory } from './memory-plan.ts'
import type { ArchWindows, Ctx, Err, HvShmem, HvVmConfig, Node, Win } from './config-types.ts'

const PAGE_SIZE = 0x1000
const range = (w: { lo: number; hi: number }): string => `${hex(w.lo)}..${hex(w.hi)}`
const overlaps = (a: Win, b: Win): boolean => a.lo < b.hi && b.lo < a.hi
const pageDown = (n: number): number => n - (n % PAGE_SIZE)
const pageUp = (n: number): number => pageDown(n + PAGE_SIZE - 1)

export function checkNames(nodes: Node[], err: Err): void {
  const seen = new Map<string, string>()
  for (const n of nodes) {
    const other = seen.get(n.vm.name)
    if (other !== undefined) err(`${n.path}.name`, `'${n.vm.name}' is already the name of ${other}`)
    else seen.set(n.vm.name, n.path)
  }
}

/**
 * CROSSCON's per-VM TEE shapes (reference §2.2 `type`/`children`, §3.3): a tee-parent (1) is a
 * root VM whose children include its GPOS; a tee-child (2) is the child of a GPOS, one at most;
 * a pair shares its pCPUs, so a TEE and its GPOS have the same CPU count.
 */
export function checkTeeShapes(nodes: Node[], err: Err): void {
  for (const { vm, path, parent } of nodes) {
    if (vm.typeName === 'tee-parent') {
      if (parent) err(`${path}.type`, `a tee-parent is a root VM (its GPOS is its child), not a child of ${parent.path}`)
      const gpos = vm.children.filter((c) => c.typeName === 'gpos')
      if (!gpos.length) err(`${path}.children`, 'a tee-parent needs its GPOS among its children (type gpos)')
      vm.children.forEach((c, i) => {
        if (c.typeName === 'gpos' && c.cpuNum !== vm.cpuNum) err(`${path}.children[${i}].cpuNum`, `a GPOS runs on its TEE's CPUs: ${c.cpuNum} CPUs here, the TEE has ${vm.cpuNum}`)
      })
    }
    if (vm.typeName === 'tee-child' && parent?.vm.typeName !== 'gpos') err(`${path}.type`, 'a tee-child is the child of a GPOS VM')
    if (vm.typeName === 'tee-child' && parent && vm.cpuNum !== parent.vm.cpuNum) err(`${path}.cpuNum`, `a tee-child runs on its GPOS's CPUs: ${vm.cpuNum} CPUs here, the GPOS has ${parent.vm.cpuNum}`)
    const teeChildren = vm.children.map((c, i) => [c, i] as const).filter(([c]) => c.typeName === 'tee-child')
    if (teeChildren.length > 1) err(`${path}.children[${teeChildren[1]![1]}].type`, `a GPOS has at most one tee-child (children[${teeChildren[0]![1]}] is one)`)
  }
}

export function checkAlignment(nodes: Node[], shmem: HvShmem[], err: Err): void {
  const aligned = (path: string, n: number): void => {
    if (n % PAGE_SIZE !== 0) err(path, `must be 4 KiB aligned (got ${hex(n)})`)
  }
  for (const { vm, path } of nodes) {
    vm.regions.forEach((r, i) => {
      const at = `${path}.regions[${i}]`
      aligned(`${at}.base`, r.base)
      if (r.size === 0) err(`${at}.size`, 'must not be 0')
      aligned(`${at}.size`, r.size)
      if (r.placePhys) aligned(`${at}.phys`, r.phys)
    })
    vm.ipcs.forEach((c, i) => aligned(`${path}.ipcs[${i}].base`, c.base))
  }
  shmem.forEach((s, i) => { if (s.phys !== undefined) aligned(`shmem[${i}].phys`, s.phys) })
}

export function checkCpus(nodes: Node[], board: BoardDesc | undefined, err: Err): void {
  if (board) {
    const need = nodes.filter((n) => !n.parent).reduce((sum, n) => sum + n.vm.cpuNum, 0)
    if (need > board.cpus) err('vms', `needs ${need} CPUs, board ${board.name} has ${board.cpus}`)
  }
  for (const { vm, path, parent } of nodes) {
    if (parent && vm.cpuNum > parent.vm.cpuNum) err(`${path}.cpuNum`, `needs ${vm.cpuNum} CPUs, parent ${parent.path} has ${parent.vm.cpuNum}`)
    if (board && vm.cpuAffinity >= 2 ** board.cpus) {
      const cpu = Math.floor(Math.log2(vm.cpuAffinity))
      err(`${path}.cpuAffinity`, `${hex(vm.cpuAffinity)} names CPU ${cpu}, board ${board.name} has CPUs 0..${board.cpus - 1}`)
    }
  }
}

/**
 * Guest-physical windows of one VM must not overlap (Bao panics on a fixed-address clash), nor
 * cover a window the architecture puts in every VM (`arch`: the vPLIC).
 */
export function checkGuestWindows(nodes: Node[], arch: ArchWindows, err: Err): void {
  for (const { vm, path } of nodes) {
    const fixed: Win[] = (typeof arch === 'function' ? arch(vm.archOptions) : arch).map((w) => ({ lo: w.base, hi: w.base + w.size, path: w.what }))
    // the architecture's, devices and IPCs first, so a clash with a region is reported at the region
    const wins: Win[] = [
      ...fixed,
      ...vm.devs.flatMap((d, i) => (d.size === 0 ? [] : [{ lo: pageDown(d.va), hi: pageUp(d.va + d.size), path: `${path}.devs[${i}]` }])),
      ...vm.ipcs.map((c, i) => ({ lo: c.base, hi: c.base + c.size, path: `${path}.ipcs[${i}]` })),
      ...vm.regions.map((r, i) => ({ lo: r.base, hi: r.base + r.size, path: `${path}.regions[${i}]` })),
    ]
    reportOverlaps(wins, wins, err)
  }
}

/** Each window of `wins` that overlaps an earlier window of `against`: one error, at the later. */
function reportOverlaps(wins: Win[], against: Win[], err: Err, same = (_a: Win, _b: Win) => false): void {
  wins.forEach((w, i) => {
    const hit = against.find((o, j) => (against !== wins || j < i) && o !== w && !same(w, o) && overlaps(w, o))
    if (hit) err(w.path, `overlaps ${hit.path} (${range(hit)})`)
  })
}

/**
 * Host-physical RAM, planned as the boot plans it (memory-plan.ts): placed regions and shmem
 * inside the board's RAM and clear of each other and of the board's reservations, every other
 * region and shmem found room in the page pools (of its colours), colours the board has.
 */
export function checkHostMemory(vms: HvVmConfig[], shmem: HvShmem[], hypColors: number, board: BoardDesc | undefined, err: Err): void {
  if (board) planMemory(board, vms, shmem, hypColors, err)
}

/** The lowest address of [lo, hi) that no window covers, or undefined. */
function firstUncovered(w: { lo: number; hi: number }, cover: { lo: number; hi: number }[]): number | undefined {
  let at = w.lo
  for (let progress = true; at < w.hi && progress;) {
    progress = false
    for (const c of cover) {
      if (c.lo <= at && at < c.hi) { at = c.hi; progress = true }
    }
  }
  return at < w.hi ? at : undefined
}

export function checkDevices(nodes: Node[], ctx: Ctx, err: Err): void {
  const board = ctx.board
  const passed: { w: Win; node: Node; shared: boolean }[] = []
  for (const node of nodes) {
    node.vm.devs.forEach((d, i) => {
      const path = `${node.path}.devs[${i}]`
      if (d.emulate !== undefined) {
        if (ctx.deviceTypes && !ctx.deviceTypes.has(d.emulate)) {
          err(`${path}.emulate`, `no device type '${d.emulate}' is registered (known: ${[...ctx.deviceTypes].sort().join(', ') || 'none'})`)
        }
        return
      }
      if (d.size === 0 || d.pa === undefined) return
      const w = { lo: pageDown(d.pa), hi: pageUp(d.pa + d.size), path }
      for (const o of passed) {
        if (o.node !== node && overlaps(w, o.w) && !(d.shared && o.shared)) {
          err(path, `device ${range(w)} is also passed through to ${o.w.path}; mark both entries shared: true to allow it`)
          break
        }
      }
      passed.push({ w, node, shared: d.shared })
      if (!board) return
      const ram = board.memory.find((m) => overlaps(w, { lo: m.base, hi: m.base + m.size, path: '' }))
      if (ram) { err(`${path}.pa`, `${range(w)} is RAM of board ${board.name}, not a device`); return }
      // a window that covers a device and board addresses with none beside it (CROSSCON's demos
      // map 64 KiB around a UART) is accepted: the hypervisor backs the rest read-as-zero
      const devWins = board.devices.map((bd) => ({ lo: pageDown(bd.base), hi: pageUp(bd.base + bd.size) }))
      if (!devWins.some((dw) => overlaps(w, { ...dw, path: '' }))) err(`${path}.pa`, `${range(w)} is not a device of board ${board.name} (nothing at ${hex(firstUncovered(w, devWins) ?? w.lo)})`)
    })
  }
}

/** The board's interrupt controller: a device other devices wire into, with `params.sources`. */
function irqController(board: BoardDesc): { name: string; sources: number } | undefined {
  const targets = new Set(board.devices.flatMap((d) => (d.irqs ?? []).flatMap((w) => ('to' in w ? [w.to] : []))))
  for (const d of board.devices) {
    const sources = d.params?.sources
    if ((targets.has(d.name) || targets.size === 0) && typeof sources === 'number') return { name: d.name, sources }
  }
  return undefined
}

export function checkInterrupts(nodes: Node[], board: BoardDesc | undefined, err: Err): void {
  const ctl = board && irqController(board)
  // a per-CPU interrupt (the board's cpuIrqs: each CPU has its own, as an Arm timer PPI) is no
  // one VM's: VMs on different CPUs each own theirs (reference §9, the shared vtimer PPI 27)
  const perCpu = new Set((board?.cpuIrqs ?? []).map((w) => w.input))
  const owners = new Map<number, { node: Node; path: string }>()
  for (const node of nodes) {
    const inVm = new Map<number, string>()
    const lists = [
      ...node.vm.devs.map((d, i) => ({ irqs: d.interrupts, at: `${node.path}.devs[${i}]`, physical: d.emulate === undefined })),
      ...node.vm.ipcs.map((c, i) => ({ irqs: c.interrupts, at: `${node.path}.ipcs[${i}]`, physical: false })),
    ]
    for (const { irqs, at, physical } of lists) {
      irqs.forEach((n, k) => {
        const path = `${at}.interrupts[${k}]`
        if (n === 0) return err(path, 'interrupt 0 does not exist (source 0 means "no interrupt")')
        if (ctl && n >= ctl.sources) {
          return err(path, `interrupt ${n} is out of range: ${ctl.name} on board ${board!.name} has sources 1..${ctl.sources - 1}`)
        }
        const again = inVm.get(n)
        if (again !== undefined) return err(path, `interrupt ${n} is also used by ${again}`)
        inVm.set(n, path)
        if (!physical || perCpu.has(n)) return
        const o = owners.get(n)
        if (o && o.node !== node) return err(path, `interrupt ${n} is already assigned to ${o.node.path} (${o.path})`)
        owners.set(n, { node, path })
      })
    }
  }
}

export function checkImages(nodes: Node[], ctx: Ctx, err: Err): void {
  for (const { vm, path, bytes } of nodes) {
    const regions = vm.regions.map((r, i) => ({ lo: r.base, hi: r.base + r.size, path: `${path}.regions[${i}]` }))
    const inside = (a: number): boolean => regions.some((r) => r.lo <= a && a < r.hi)
    if (!inside(vm.entry)) err(`${path}.entry`, `${hex(vm.entry)} is outside the VM's regions`)
    const image = vm.image
    if (!image || !bytes) continue
    if (bytes.length === 0) { err(`${path}.image.path`, 'the image file is empty'); continue }
    if (image.kind === 'raw') {
      const home = regions.find((r) => r.lo <= image.baseAddr && image.baseAddr < r.hi)
      if (!home) err(`${path}.image.baseAddr`, `${hex(image.baseAddr)} is outside the VM's regions`)
      else if (image.baseAddr + image.size > home.hi) {
        err(`${path}.image`, `${hex(image.size)} bytes at ${hex(image.baseAddr)} do not fit ${home.path} (${range(home)})`)
      }
      continue
    }
    try {
      const elf = parseElf(bytes)
      if (ctx.elfMachine !== undefined && elf.machine !== ctx.elfMachine) {
        err(`${path}.image.path`, `ELF is for ${machineName(elf.machine)}, the board runs ${machineName(ctx.elfMachine)}`)
      }
      // every PT_LOAD segment (memsz bytes at its physical address) must land in the VM's RAM
      for (const s of elf.segments) {
        if (s.memsz === 0n) continue
        const lo = Number(s.paddr)
        const seg = { lo, hi: lo + Number(s.memsz) }
        if (firstUncovered(seg, regions) !== undefined) {
          err(`${path}.image`, `ELF segment ${range(seg)} (${hex(seg.hi - seg.lo)} bytes) is outside the VM's regions`)
          break
        }
      }
    } catch (e) {
      if (!(e instanceof ImageError)) throw e
      err(`${path}.image.path`, `not a usable ELF image: ${e.reason}`)
    }
  }
}

export function checkIpcs(nodes: Node[], shmem: HvShmem[], err: Err): void {
  for (const { vm, path } of nodes) {
    vm.ipcs.forEach((c, i) => {
      const at = `${path}.ipcs[${i}]`
      const s = shmem[c.shmemId]
      if (!s) err(`${at}.shmemId`, `no shmem ${c.shmemId} (the config has ${listed(shmem.length, 'shmem')})`)
      else if (c.size > s.size) err(`${at}.size`, `${hex(c.size)} is larger than shmem[${c.shmemId}] (${hex(s.size)})`)
    })
  }
}

function listed(n: number, what: string): string {
  return n === 0 ? 'none' : n === 1 ? `1: ${what}[0]` : `${n}: ${what}[0..${n - 1}]`
}
