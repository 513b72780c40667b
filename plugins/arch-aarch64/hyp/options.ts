/**
 * CROSSCON's per-VM `arch` block for Armv8 (reference §2.2: `platform.arch.gic`), in camelCase:
 * `"arch": { "gic": { "gicdAddr", "giccAddr", "gicrAddr", "interruptNum" } }`. For a VM only these
 * matter: the vGIC distributor is emulated at `gicdAddr`, the GICV frame is mapped at `giccAddr`
 * (GICv2), the redistributors are emulated from `gicrAddr` (GICv3), `interruptNum` sizes the
 * distributor (GICD_TYPER.ITLinesNumber, rounded up to 32). Absent fields default to the board's
 * GIC; which GIC the VM sees is the board's.
 *
 * baobab adds `"arch": { "dtbAddr" }`: the guest address of the VM's generated device tree (and
 * x0), for firmware that looks for it at a fixed place rather than in x0 — U-Boot's qemu_arm64
 * reads it at the start of RAM, where QEMU puts it for `-bios` (board/emulation/qemu-arm/qemu-arm.c
 * board_fdt_blob_setup). Absent: the core's place, the top of the VM's first region.
 */
import { z } from 'zod'
import type { BoardDesc, BoardDevice } from '../../../core/board.ts'
import { parseNumber } from '../../../core/hypervisor/config-schema.ts'
import { GICD_V3_SIZE, GICR_FRAME } from './vgicv3.ts'
import type { HvVmConfig } from '../../../core/hypervisor/config-types.ts'

const num = z.custom<number | string>().transform((v, ctx): number => {
  const r = parseNumber(v)
  if (typeof r === 'number') return r
  ctx.addIssue({ code: z.ZodIssueCode.custom, message: r.error })
  return z.NEVER
})

const gic = z.object({
  gicdAddr: num.optional(),
  giccAddr: num.optional(),
  gicrAddr: num.optional(),
  interruptNum: num.optional(),
}).strict()

/** the FDT's own alignment (devicetree spec v0.4 §5.1), which booting.rst asks of x0 too */
const dtbAddr = num.refine((v) => v % 8 === 0, { message: 'must be 8-byte aligned (the device tree blob is)' })

/** the VM fields the Arm architecture adds (ArchDesc.vmOptions) */
export const A64_VM_OPTIONS = {
  arch: z.object({ gic: gic.optional(), dtbAddr: dtbAddr.optional() }).strict().optional(),
}

/** the VM's `arch.dtbAddr`, if it names one */
export function dtbAddrOption(archOptions: Record<string, unknown> | undefined): number | undefined {
  return (archOptions?.arch as { dtbAddr?: number } | undefined)?.dtbAddr
}

/**
 * ArchDesc.checkVm: `arch.dtbAddr` must be in the VM's RAM (one of its regions), where the device
 * tree is written at boot (whether the whole tree fits is known only then: a64-hyp.ts checks it).
 */
export function checkA64Vm(vm: HvVmConfig): { field: string; rule: string }[] {
  const at = dtbAddrOption(vm.archOptions)
  if (at === undefined || vm.regions.some((r) => at >= r.base && at < r.base + r.size)) return []
  return [{ field: 'arch.dtbAddr', rule: `0x${at.toString(16)} is in none of the VM's regions: its device tree is written there` }]
}

export interface GicOptions {
  gicdAddr: number
  giccAddr: number
  gicrAddr: number
  interruptNum: number
  version: 2 | 3
}

/** QEMU virt's offsets inside the GIC's window: GICC at +0x10000 (v2), GICR at +0xa0000 (v3) */
const GICC_OFFSET = 0x1_0000, GICR_OFFSET = 0xa_0000
/** the GICD and GICV frames (4 KiB; the GICv2 CPU interface is 8 KiB with GICC_DIR at +0x1000) */
export const GICD_SIZE = 0x1000, GICV_SIZE = 0x2000

export function boardGic(board: BoardDesc): BoardDevice | undefined {
  return board.devices.find((d) => d.type === 'gicv2' || d.type === 'gicv3')
}

/** a VM's GIC addresses: its config's, else the board's */
export function gicOptions(board: BoardDesc, archOptions: Record<string, unknown> | undefined): GicOptions {
  const g = boardGic(board)
  const o = ((archOptions?.arch as { gic?: Partial<GicOptions> } | undefined)?.gic) ?? {}
  const base = g?.base ?? 0
  const param = (k: string, d: number): number => { const v = g?.params?.[k]; return typeof v === 'number' ? v : d }
  return {
    gicdAddr: o.gicdAddr ?? base,
    giccAddr: o.giccAddr ?? base + param('giccOffset', GICC_OFFSET),
    gicrAddr: o.gicrAddr ?? base + param('gicrOffset', GICR_OFFSET),
    interruptNum: o.interruptNum ?? param('irqs', 288),
    version: g?.type === 'gicv3' ? 3 : 2,
  }
}

/**
 * The windows the vGIC takes in a VM's guest-physical map (ArchDesc.vmWindows). A GICv3 VM's
 * redistributors take a frame pair per vCPU; the VM's vCPU count is not asked here, so the window
 * is the board's: one per CPU it has (no VM has more vCPUs).
 */
export function vgicWindows(board: BoardDesc, archOptions?: Record<string, unknown>): { base: number; size: number; what: string }[] {
  if (!boardGic(board)) return []
  const g = gicOptions(board, archOptions)
  if (g.version === 3) {
    return [
      { base: g.gicdAddr, size: GICD_V3_SIZE, what: 'the vGIC distributor (arch.gic.gicdAddr)' },
      { base: g.gicrAddr, size: GICR_FRAME * board.cpus, what: 'the vGIC redistributors (arch.gic.gicrAddr)' },
    ]
  }
  return [
    { base: g.gicdAddr, size: GICD_SIZE, what: 'the vGIC distributor (arch.gic.gicdAddr)' },
    { base: g.giccAddr, size: GICV_SIZE, what: 'the vGIC CPU interface (arch.gic.giccAddr)' },
  ]
}
