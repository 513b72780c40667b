/**
 * The device tree a RISC-V VM's guest finds in a1: QEMU virt's layout (hw/riscv/virt.c,
 * create_fdt), cut down to what a VM is given: its harts, its memory, a PLIC and UARTs (each as its
 * device plugin describes it, QEMU virt's ns16550a when nothing says otherwise). No CLINT
 * node: VS-mode guests take their timer through SBI TIME (or Sstc), and IPIs through SBI IPI.
 */
import { FdtError, fdtNode, fdtReg, fdtToBytes, type FdtCell, type FdtNode, type FdtPropValue } from '../../core/fdt.ts'

/**
 * A UART's node: its guest window and PLIC source, and what it is (its plugin's DeviceTreeInfo,
 * core/device.ts); without `compatible`, an ns16550a as QEMU virt writes it.
 */
export interface VmUart {
  base: FdtCell
  size: FdtCell
  irq?: number
  name?: string
  compatible?: readonly string[]
  props?: Record<string, FdtPropValue>
}

export interface VmFdtOptions {
  /** the VM's name: the root `model` property, verbatim */
  name: string
  harts: number
  /** `riscv,isa`; also split into `riscv,isa-base`/`riscv,isa-extensions` (riscv/extensions.yaml) */
  isa?: string
  /** `mmu-type` of every cpu node */
  mmuType?: string
  timebaseHz: number
  memory: readonly { base: FdtCell; size: FdtCell }[]
  /** PLIC with `ndev` sources; contexts 2h (M) and 2h+1 (S) per hart, as QEMU virt wires them */
  plic: { base: FdtCell; size: FdtCell; ndev: number } | null
  /** UARTs; `irq` is a PLIC source and needs `plic` */
  uarts: readonly VmUart[]
  /** /chosen bootargs */
  bootargs?: string
  /** /chosen stdout-path; defaults to the first UART */
  stdoutPath?: string
  /** the VM offers the SBI debug console extension; it is found through SBI, so the tree does not change */
  sbiDbcn?: boolean
}

export const DEFAULT_ISA = 'rv64imafdc_zicsr_zifencei'
// QEMU virt's UART input clock (hw/riscv/virt.c: 3686400, the classic 1.8432 MHz × 2)
const NS16550_CLOCK_HZ = 3_686_400
// Interrupt causes in the cpu intc's one cell (priv 1.12 §3.1.9 mip/mie): MEI 11, SEI 9
const IRQ_M_EXT = 11
const IRQ_S_EXT = 9

const unit = (name: string, base: FdtCell): string => `${name}@${BigInt(base).toString(16)}`

/**
 * `riscv,isa-base` and `riscv,isa-extensions` for an ISA string such as
 * `rv64imafdc_zicsr_zifencei` (`g` stands for `imafd_zicsr_zifencei`).
 */
export function splitIsa(isa: string): { base: string; extensions: string[] } {
  // single-letter extensions, then multi-letter ones (s…, x…, z…) separated by underscores
  const m = /^(rv(?:32|64))([a-rt-wy]*)((?:_?[sxz][a-z0-9]+)*)$/.exec(isa)
  if (m === null || !/^[ieg]/.test(m[2])) throw new FdtError('bad-value', `"${isa}" is not an ISA string like rv64imafdc_zicsr`, 'isa')
  const ext: string[] = []
  for (const c of m[2]) {
    if (c === 'g') ext.push('i', 'm', 'a', 'f', 'd', 'zicsr', 'zifencei')
    else ext.push(c)
  }
  ext.push(...m[3].split('_').filter((s) => s !== ''))
  return { base: `${m[1]}${m[2][0] === 'e' ? 'e' : 'i'}`, extensions: [...new Set(ext)] }
}

function check(ok: boolean, path: string, rule: string): void {
  if (!ok) throw new FdtError('bad-value', rule, path)
}

const isCell = (v: FdtCell): boolean => (typeof v === 'bigint' ? v >= 0n : Number.isSafeInteger(v) && v >= 0)

/** The VM's tree, for callers that add nodes before `fdtToBytes`. */
export function vmFdtTree(opts: VmFdtOptions): FdtNode {
  check(Number.isInteger(opts.harts) && opts.harts >= 1, 'harts', 'must be a positive integer')
  check(Number.isSafeInteger(opts.timebaseHz) && opts.timebaseHz > 0, 'timebaseHz', 'must be a positive integer')
  check(opts.memory.length > 0, 'memory', 'needs at least one region')
  opts.memory.forEach((m, i) => check(isCell(m.base) && isCell(m.size) && BigInt(m.size) > 0n, `memory[${i}]`, 'needs a base and a non-zero size'))
  const plic = opts.plic
  opts.uarts.forEach((u, i) => {
    check(isCell(u.base) && isCell(u.size), `uarts[${i}]`, 'needs a base and a size')
    if (u.irq === undefined) return
    check(plic !== null, `uarts[${i}].irq`, 'needs a plic')
    // PLIC source 0 means "no interrupt" (PLIC spec §7)
    check(Number.isInteger(u.irq) && u.irq >= 1 && u.irq <= (plic?.ndev ?? 0), `uarts[${i}].irq`, 'must be a PLIC source 1..ndev')
  })

  const root = fdtNode()
  root.prop('#address-cells', 2).prop('#size-cells', 2)
  root.prop('compatible', ['baobab,vm', 'riscv-virtio']).prop('model', opts.name)

  const chosen = root.child('chosen')
  if (opts.bootargs !== undefined) chosen.prop('bootargs', opts.bootargs)

  for (const m of opts.memory) {
    root.child(unit('memory', m.base)).prop('device_type', 'memory').prop('reg', fdtReg([{ address: m.base, size: m.size }]))
  }

  const isa = opts.isa ?? DEFAULT_ISA
  const { base, extensions } = splitIsa(isa)
  const cpus = root.child('cpus')
  cpus.prop('#address-cells', 1).prop('#size-cells', 0)
  // devicetree spec §3.7: u64 when the frequency does not fit a cell
  cpus.prop('timebase-frequency', opts.timebaseHz > 0xffffffff ? BigInt(opts.timebaseHz) : opts.timebaseHz)
  const intcs: FdtNode[] = []
  for (let h = 0; h < opts.harts; h++) {
    const cpu = cpus.child(`cpu@${h.toString(16)}`)
    cpu.prop('device_type', 'cpu').prop('reg', h).prop('status', 'okay').prop('compatible', 'riscv')
    cpu.prop('riscv,isa', isa).prop('riscv,isa-base', base).prop('riscv,isa-extensions', extensions)
    cpu.prop('mmu-type', opts.mmuType ?? 'riscv,sv39')
    const intc = cpu.child('interrupt-controller')
    // #address-cells = 0 is not in QEMU's tree; dtc warns without it (interrupt_provider check)
    intc.prop('#address-cells', 0).prop('#interrupt-cells', 1).prop('interrupt-controller', true)
    intc.prop('compatible', 'riscv,cpu-intc')
    intcs.push(intc)
  }

  const soc = root.child('soc')
  soc.prop('#address-cells', 2).prop('#size-cells', 2).prop('compatible', 'simple-bus').prop('ranges', true)
  let plicNode: FdtNode | undefined
  if (plic !== null) {
    check(isCell(plic.base) && isCell(plic.size), 'plic', 'needs a base and a size')
    check(Number.isInteger(plic.ndev) && plic.ndev >= 1 && plic.ndev <= 1023, 'plic.ndev', 'must be 1..1023')
    plicNode = soc.child(unit('plic', plic.base))
    plicNode.prop('#address-cells', 0).prop('#interrupt-cells', 1).prop('interrupt-controller', true)
    plicNode.prop('compatible', ['sifive,plic-1.0.0', 'riscv,plic0'])
    plicNode.prop('reg', fdtReg([{ address: plic.base, size: plic.size }]))
    plicNode.prop('interrupts-extended', intcs.flatMap((intc) => [intc.phandle(), IRQ_M_EXT, intc.phandle(), IRQ_S_EXT]))
    plicNode.prop('riscv,ndev', plic.ndev)
  }
  const uartPaths: string[] = []
  for (const u of opts.uarts) {
    const uart = soc.child(unit(u.name ?? 'serial', u.base))
    uart.prop('compatible', u.compatible ?? 'ns16550a').prop('reg', fdtReg([{ address: u.base, size: u.size }]))
    for (const [k, v] of Object.entries(u.props ?? {})) uart.prop(k, v)
    // every UART runs from QEMU virt's UART clock
    uart.prop('clock-frequency', NS16550_CLOCK_HZ)
    if (u.irq !== undefined && plicNode !== undefined) uart.prop('interrupt-parent', plicNode.phandle()).prop('interrupts', u.irq)
    uartPaths.push(uart.path)
  }

  const stdout = opts.stdoutPath ?? uartPaths[0]
  if (stdout !== undefined) chosen.prop('stdout-path', stdout)
  return root
}

/** The VM's DTB; boot_cpuid_phys is hart 0. */
export function buildVmFdt(opts: VmFdtOptions): Uint8Array {
  return fdtToBytes(vmFdtTree(opts), { bootCpuId: 0 })
}
