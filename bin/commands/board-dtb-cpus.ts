/**
 * `board from-dtb`'s CPUs: the /cpus nodes (§3.7), their architecture, model, clusters
 * (/cpus/cpu-map, else MPIDR Aff1), clock, the timer's frequency, and the caches colouring works
 * from (§3.8, §3.9 next-level-cache); what the tree does not say is assumed and noted.
 */
import type { BoardCaches, BoardDesc, CacheLevel } from '../../core/board.ts'
import { ARM_TIMER } from './board-dtb-irq.ts'
import { cellsValue, type DtbNode } from './board-dtb-tree.ts'
import { DtbBoardError, type Translation } from './board-dtb-translation.ts'

type CpuFacts = Pick<BoardDesc, 'cpus' | 'clusters' | 'cpuModel' | 'cpuHz'>

/** the enabled CPUs; every node under /cpus is accounted for */
export function cpuNodes(t: Translation): DtbNode[] {
  const { tree } = t
  const cpusNode = tree.top('cpus')
  const cpus = (cpusNode?.children ?? []).filter((c) => tree.strs(c, 'device_type')[0] === 'cpu')
  for (const c of cpusNode ? tree.nodes(cpusNode) : []) t.handled.add(c)
  return cpus.filter((c) => tree.enabled(c))
}

export function cpuArch(t: Translation, cpus: DtbNode[]): string {
  const { tree } = t
  const c = tree.compat(cpus[0]!)
  if (c.includes('riscv')) {
    const isa = tree.strs(cpus[0]!, 'riscv,isa')[0] ?? ''
    if (!isa.startsWith('rv64')) throw new DtbBoardError(`the CPUs are ${isa || 'RISC-V of unknown width'}: baobab's RISC-V plugin is RV64`)
    return 'riscv64'
  }
  if (c.some((x) => x.startsWith('arm,'))) return 'aarch64'
  throw new DtbBoardError(`cannot tell the CPUs' architecture from compatible "${c.join('", "')}" (baobab has riscv64 and aarch64)`)
}

export function cpuFacts(t: Translation, cpus: DtbNode[], arch: string): CpuFacts {
  const { tree } = t
  const out: CpuFacts = { cpus: cpus.length, cpuHz: 1_000_000_000 }
  const clusters = cpuClusters(t, cpus, arch)
  if (clusters.length > 1) out.clusters = clusters
  const models = cpus.map((c) => arch === 'riscv64' ? tree.strs(c, 'riscv,isa')[0] ?? 'riscv' : (tree.compat(c)[0] ?? 'arm').replace(/^arm,/, ''))
  const counts = new Map<string, number>()
  for (const m of models) counts.set(m, (counts.get(m) ?? 0) + 1)
  out.cpuModel = counts.size === 1 ? models[0] : [...counts].map(([m, k]) => `${m} ×${k}`).join(' + ')
  // a CPU's clock-frequency may be one cell or two (§3.8)
  const cells = tree.cells(cpus[0]!, 'clock-frequency')
  const hz = cells && Number(cellsValue(cells.slice(0, 2)))
  if (hz) out.cpuHz = hz
  else t.assumed.push('cpuHz: 1 GHz, one instruction per nanosecond (the device tree gives no CPU clock-frequency)')
  return out
}

/** CPUs per cluster: /cpus/cpu-map's leaf clusters in order, else (Arm) MPIDR Aff1 */
function cpuClusters(t: Translation, cpus: DtbNode[], arch: string): number[] {
  const { tree } = t
  const map = tree.top('cpus')?.children.find((c) => c.name === 'cpu-map')
  const out: number[] = []
  const walk = (n: DtbNode): void => {
    const cores = n.children.filter((c) => /^core\d+$/.test(c.name))
    if (cores.length) out.push(cores.length)
    for (const c of n.children) if (!/^core\d+$/.test(c.name)) walk(c)
  }
  if (map) walk(map)
  if (out.length || arch !== 'aarch64') return out
  const aff1 = cpus.map((c) => ((tree.cells(c, 'reg')?.at(-1) ?? 0) >> 8) & 0xff)
  return [...new Set(aff1)].map((a) => aff1.filter((x) => x === a).length)
}

/** the timer's frequency: RISC-V's timebase-frequency, the Arm generic timer node's clock-frequency */
export function timebase(t: Translation, cpus: DtbNode[], arch: string): number {
  const { tree } = t
  if (arch === 'riscv64') {
    const cpusNode = cpus[0]!.parent!
    const hz = tree.u32(cpusNode, 'timebase-frequency') ?? tree.u32(cpus[0]!, 'timebase-frequency')
    if (hz) return hz
    t.assumed.push("timebaseHz: 10 MHz, QEMU virt's (the device tree has no timebase-frequency)")
    return 10_000_000
  }
  const timer = tree.nodes().find((n) => tree.compat(n).some((c) => ARM_TIMER.test(c)))
  const hz = timer && tree.u32(timer, 'clock-frequency')
  if (hz) return hz
  t.assumed.push("timebaseHz: 62.5 MHz, QEMU's generic timer for its Cortex-A cores: the device tree leaves CNTFRQ_EL0 to the firmware; read it on the hardware")
  return 62_500_000
}

/** the first CPU's L1 caches and the last unified level down its next-level-cache chain */
export function caches(t: Translation, cpu: DtbNode): BoardCaches | undefined {
  const { tree } = t
  const level = (n: DtbNode, pre: string): CacheLevel | undefined => {
    const size = tree.u32(n, `${pre}cache-size`), sets = tree.u32(n, `${pre}cache-sets`), line = tree.u32(n, `${pre}cache-line-size`) ?? tree.u32(n, `${pre}cache-block-size`)
    if (!size || !sets || !line) return undefined
    return { sizeBytes: size, ways: Math.max(1, Math.round(size / (sets * line))), lineBytes: line }
  }
  const out: BoardCaches = {}
  const l1d = level(cpu, 'd-'), l1i = level(cpu, 'i-')
  if (l1d) out.l1d = l1d
  if (l1i) {
    // a device tree does not say how the L1 I-cache is indexed; the Arm cores' TRMs do
    const model = tree.compat(cpu)[0] ?? ''
    if (/cortex-a(53|55|35)$/.test(model)) l1i.indexing = 'VIPT'
    else if (/cortex-a(57|72|73|76)$/.test(model)) l1i.indexing = 'PIPT'
    else t.assumed.push('caches.l1i.indexing: PIPT (the device tree does not say; §5.1 ignores a VIPT one)')
    out.l1i = l1i
  }
  // the last unified level down the next-level-cache chain is the LLC
  let next = tree.node(tree.u32(cpu, 'next-level-cache') ?? 0)
  for (let hops = 0; next && hops < 4; hops++) {
    t.handled.add(next)
    const l = level(next, '')
    if (l) out.llc = l
    next = tree.node(tree.u32(next, 'next-level-cache') ?? 0)
  }
  return out.llc || out.l1d || out.l1i ? out : undefined
}
