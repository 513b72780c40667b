/**
 * `board from-dtb`'s interrupts: the first GIC (v2: GICD, GICC, GICH, GICV frames; v3: the
 * distributor and a redistributor per CPU) or PLIC becomes the board's controller; a specifier
 * becomes one of its inputs: a GIC's <type number flags> is INTID 32+n for an SPI, 16+n for a PPI
 * (GIC binding), a PLIC's is its source id; controllers that pass specifiers on unchanged are
 * looked through; the Arm generic timer's PPIs become the CPUs' wiring.
 */
import type { CpuIrqWire } from '../../core/board.ts'
import type { DtbNode, Specifier } from './board-dtb-tree.ts'
import { addDevice, DtbBoardError, hex, type Translation } from './board-dtb-translation.ts'

/** the GIC binding's specifier types */
const GIC_SPI = 0, GIC_PPI = 1
/** dev-gic's default INTID count (QEMU virt's 256 SPIs + 32): kept unless the tree uses more */
const GIC_DEFAULT_IRQS = 288
/** a GICv3 redistributor: RD_base + SGI_base */
const GICR_STRIDE = 0x2_0000

const GICV2 = /^arm,(gic-400|cortex-a15-gic|cortex-a9-gic|cortex-a7-gic|arm11mp-gic|gic-v2)$/
const GICV3 = /^arm,gic-v3$/
const PLIC = /^(riscv,plic0|sifive,plic-1\.0\.0)$/
export const ARM_TIMER = /^arm,armv[78]-timer$/

/** The board's interrupt controller: the first enabled GIC or PLIC with a `reg`, made into gic0 or plic0. */
export function interruptControllers(t: Translation, cpus: number): void {
  const { tree } = t
  for (const n of tree.nodes()) {
    if (!tree.enabled(n)) continue
    const c = tree.compat(n)
    const regs = tree.reg(n)
    if (!regs?.length) continue
    if (c.some((x) => GICV2.test(x) || GICV3.test(x)) && !t.controllers.size) gic(t, n, regs, cpus, c.some((x) => GICV3.test(x)))
    else if (c.some((x) => PLIC.test(x)) && !t.controllers.size) plic(t, n, regs[0]!)
  }
}

function gic(t: Translation, n: DtbNode, regs: { base: number; size: number }[], cpus: number, v3: boolean): void {
  const { tree } = t
  const params: Record<string, unknown> = {}
  const d = regs[0]!.base
  let size: number
  if (v3) {
    const nRd = tree.u32(n, '#redistributor-regions') ?? 1
    const rd = regs[1]
    if (!rd) throw new DtbBoardError(`${n.path}: a GICv3 without a redistributor region`)
    if (nRd > 1) t.left.push({ node: n, why: `#redistributor-regions ${nRd}: only the first (${hex(rd.base)}) is used` })
    if (rd.size < cpus * GICR_STRIDE) t.left.push({ node: n, why: `its redistributor region (${hex(rd.size)} bytes) is smaller than ${cpus} CPUs need` })
    params.gicrOffset = rd.base - d
    size = rd.base - d + cpus * GICR_STRIDE
  } else {
    const [, cpuif, gich, gicv] = regs
    if (!cpuif) throw new DtbBoardError(`${n.path}: a GICv2 without its CPU interface`)
    params.giccOffset = cpuif.base - d
    if (gich && gicv) Object.assign(params, { gichOffset: gich.base - d, gicvOffset: gicv.base - d })
    size = Math.max(...regs.slice(0, 4).map((r) => r.base + r.size)) - d
  }
  const maint = tree.specifiers(n).find((s) => s.ctrl === n)?.cells
  if (maint && maint[0] === GIC_PPI) params.maintenanceIrq = 16 + maint[1]!
  addDevice(t, n, { name: 'gic0', type: v3 ? 'gicv3' : 'gicv2', base: d, size, params })
  t.controllers.set(n, { name: 'gic0', kind: 'gic' })
  for (const ch of n.children) {
    t.handled.add(ch)
    if (tree.compat(ch).length) t.left.push({ node: ch, why: tree.compat(ch).join(', ') })
  }
}

function plic(t: Translation, n: DtbNode, reg: { base: number; size: number }): void {
  const ndev = t.tree.u32(n, 'riscv,ndev')
  // the binding's riscv,ndev is the highest source id; dev-plic's `sources` counts id 0 too
  const params: Record<string, unknown> = { sources: (ndev ?? 95) + 1 }
  if (ndev === undefined) t.assumed.push('plic0 sources: 96, as QEMU virt (the device tree has no riscv,ndev)')
  const contexts = plicContexts(t, n)
  if (contexts) params.contexts = contexts
  addDevice(t, n, { name: 'plic0', type: 'plic', base: reg.base, size: reg.size, params })
  t.controllers.set(n, { name: 'plic0', kind: 'plic' })
}

/** the PLIC's contexts from interrupts-extended (11: M-mode, 9: S-mode external), when not dev-plic's M-then-S per hart */
function plicContexts(t: Translation, n: DtbNode): { hart: number; line: string }[] | undefined {
  const { tree } = t
  const cells = tree.cells(n, 'interrupts-extended')
  if (!cells) return undefined
  const out: { hart: number; line: string }[] = []
  for (let i = 0; i + 1 < cells.length; i += 2) {
    const intc = tree.node(cells[i]!)
    const hart = intc?.parent ? tree.u32(intc.parent, 'reg') : undefined
    const line = cells[i + 1] === 11 ? 'meip' : cells[i + 1] === 9 ? 'seip' : undefined
    if (hart === undefined || line === undefined) return undefined
    out.push({ hart, line })
  }
  const usual = out.every((c, i) => c.hart === i >> 1 && c.line === (i % 2 ? 'seip' : 'meip'))
  return usual ? undefined : out
}

/** a specifier as an input of a controller device, or a reason it is not one */
function input(t: Translation, s: Specifier): { to: string; input: number } | string {
  const { tree } = t
  // a controller baobab does not model that hands its interrupts on unchanged to its own parent
  // (i.MX 8M's GPC to the GIC: same #interrupt-cells) is looked through
  let ctrl = s.ctrl
  for (let hops = 0; ctrl && !t.controllers.has(ctrl) && hops < 4; hops++) {
    const up = tree.interruptParent(ctrl)
    if (!up || up === ctrl || tree.u32(up, '#interrupt-cells') !== tree.u32(ctrl, '#interrupt-cells')) break
    if (t.controllers.has(up)) t.forwarders.add(ctrl.path)
    ctrl = up
  }
  const c = ctrl && t.controllers.get(ctrl)
  if (!c) return `interrupt through ${s.ctrl?.path ?? 'an unknown parent'}, which is not an interrupt controller baobab models`
  if (c.kind === 'plic') return { to: c.name, input: s.cells[0]! }
  const [type, n] = s.cells
  if ((type !== GIC_SPI && type !== GIC_PPI) || n === undefined) return `GIC interrupt type ${type} (only SPIs and PPIs are translated)`
  const intid = (type === GIC_SPI ? 32 : 16) + n
  t.maxIntid = Math.max(t.maxIntid, intid)
  return { to: c.name, input: intid }
}

/** a device's interrupts as its board wiring; the ones that cannot be wired are noted as left out */
export function wires(t: Translation, n: DtbNode): { to: string; input: number }[] {
  const out: { to: string; input: number }[] = []
  for (const s of t.tree.specifiers(n)) {
    const w = input(t, s)
    if (typeof w === 'string') t.left.push({ node: n, why: w })
    else out.push(w)
  }
  return out
}

/** the Arm generic timer's outputs: specifiers 2 and 3 of its node are the NS physical and the virtual timer's PPIs */
export function timerWiring(t: Translation): CpuIrqWire[] {
  const { tree } = t
  const timer = tree.nodes().find((n) => tree.enabled(n) && tree.compat(n).some((c) => ARM_TIMER.test(c)))
  if (!timer) {
    t.assumed.push('cpuIrqs: none; the device tree has no arm,armv8-timer node, so the timers interrupt nobody')
    return []
  }
  const specs = tree.specifiers(timer)
  const out: CpuIrqWire[] = []
  for (const [output, i] of [['CNTPNSIRQ', 1], ['CNTVIRQ', 2]] as const) {
    const w = specs[i] && input(t, specs[i]!)
    if (w && typeof w !== 'string') out.push({ output, to: w.to, input: w.input })
  }
  return out
}

/** the GIC's INTID count: dev-gic's default unless the tree uses interrupts beyond it */
export function sizeGics(t: Translation): void {
  const gicDev = t.devices.find((d) => d.dev.type === 'gicv2' || d.dev.type === 'gicv3')
  if (!gicDev) return
  const irqs = Math.max(GIC_DEFAULT_IRQS, Math.ceil((t.maxIntid + 1) / 32) * 32)
  gicDev.dev.params = { irqs, ...gicDev.dev.params }
  t.assumed.push(`gic0 irqs: ${irqs} INTIDs (a device tree does not say how many the GIC implements; GICD_TYPER on the hardware does)`)
}
