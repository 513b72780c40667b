/**
 * The device tree an Arm VM's boot vCPU finds in x0 (reference §7.2: the Linux boot protocol):
 * QEMU virt's layout (hw/arm/virt.c) cut down to what the VM is given — its memory regions, its
 * vCPUs (enable-method "psci"), PSCI over SMC (reference §3.2: HVC would reach Bao's hypercalls),
 * its vGIC at the VM's own addresses, the generic timer's PPIs as QEMU lists them (13, 14, 11,
 * 10: secure, non-secure physical, virtual, hypervisor), and its UARTs, passed through or
 * emulated, each as its device plugin describes it (core/device.ts DeviceTreeInfo: a PL011 when
 * nothing says otherwise), with /chosen/stdout-path on the first.
 */
import { fdtNode, fdtReg, type FdtNode, type FdtPropValue } from '../../../core/fdt.ts'
import type { GicOptions } from './options.ts'
import { GICD_SIZE, GICV_SIZE } from './options.ts'
import { GICD_V3_SIZE, GICR_FRAME } from './vgicv3.ts'

export interface A64VmFdtOptions {
  name: string
  vcpus: number
  memory: readonly { base: number; size: number }[]
  gic: GicOptions
  /** UARTs at their guest addresses, with their INTIDs */
  uarts: readonly A64VmUart[]
  bootargs?: string
  /** /chosen/baobab,ipc: the first IPC window and its interrupt, as on RISC-V */
  ipc?: { base: number; size: number; irq: number; role: string }
  /** the PSCI conduit (default smc: a VM's, reference §3.2; QEMU's own firmware answers hvc) */
  psciMethod?: 'smc' | 'hvc'
}

/**
 * A UART's node: its guest window and INTID, and what it is (its plugin's DeviceTreeInfo); without
 * `compatible`, a PL011 as QEMU virt writes it.
 */
export interface A64VmUart {
  base: number
  size: number
  irq?: number
  name?: string
  compatible?: readonly string[]
  /** the binding's clock-names, each given the fixed APB clock; absent: one unnamed clock */
  clockNames?: readonly string[]
  props?: Record<string, FdtPropValue>
}

const PL011 = { name: 'pl011', compatible: ['arm,pl011', 'arm,primecell'], clockNames: ['uartclk', 'apb_pclk'] }

/** the GIC binding's interrupt specifier (arm,gic.yaml): type (0 SPI, 1 PPI), number, flags */
const GIC_SPI = 0, GIC_PPI = 1
const IRQ_TYPE_LEVEL_HIGH = 4
/** QEMU virt's PL011 clock (hw/arm/virt.c: a fixed 24 MHz "apb-pclk") */
const APB_PCLK_HZ = 24_000_000

const unit = (name: string, base: number): string => `${name}@${base.toString(16)}`

export function a64VmFdt(o: A64VmFdtOptions): FdtNode {
  const root = fdtNode()
  root.prop('#address-cells', 2).prop('#size-cells', 2)
  root.prop('compatible', ['baobab,vm', 'linux,dummy-virt']).prop('model', o.name)
  const chosen = root.child('chosen')
  if (o.bootargs !== undefined) chosen.prop('bootargs', o.bootargs)
  for (const m of o.memory) root.child(unit('memory', m.base)).prop('device_type', 'memory').prop('reg', fdtReg([{ address: m.base, size: m.size }]))

  const psci = root.child('psci')
  psci.prop('compatible', ['arm,psci-1.0', 'arm,psci-0.2', 'arm,psci']).prop('method', o.psciMethod ?? 'smc')

  const cpus = root.child('cpus')
  cpus.prop('#address-cells', 1).prop('#size-cells', 0)
  for (let c = 0; c < o.vcpus; c++) {
    cpus.child(`cpu@${c.toString(16)}`).prop('device_type', 'cpu').prop('compatible', 'arm,cortex-a53').prop('reg', c).prop('enable-method', 'psci')
  }

  const g = o.gic
  const gic = root.child(unit('intc', g.gicdAddr))
  gic.prop('#interrupt-cells', 3).prop('interrupt-controller', true).prop('#address-cells', 0)
  if (g.version === 3) {
    // arm,gic-v3.yaml: the distributor, then one redistributor region (a frame pair per vCPU)
    gic.prop('compatible', 'arm,gic-v3').prop('#redistributor-regions', 1)
    gic.prop('reg', fdtReg([{ address: g.gicdAddr, size: GICD_V3_SIZE }, { address: g.gicrAddr, size: GICR_FRAME * o.vcpus }]))
  } else {
    gic.prop('compatible', 'arm,cortex-a15-gic').prop('reg', fdtReg([{ address: g.gicdAddr, size: GICD_SIZE }, { address: g.giccAddr, size: GICV_SIZE }]))
  }
  const gicPh = gic.phandle()
  root.prop('interrupt-parent', gicPh)

  // PPI flags: the CPU mask in [15:8] for a GICv2 (arm,gic.yaml)
  const ppiFlags = (g.version === 2 ? ((1 << o.vcpus) - 1) << 8 : 0) | IRQ_TYPE_LEVEL_HIGH
  const timer = root.child('timer')
  timer.prop('compatible', ['arm,armv8-timer', 'arm,armv7-timer']).prop('always-on', true)
  timer.prop('interrupts', [GIC_PPI, 13, ppiFlags, GIC_PPI, 14, ppiFlags, GIC_PPI, 11, ppiFlags, GIC_PPI, 10, ppiFlags])

  const clk = root.child('apb-pclk')
  clk.prop('compatible', 'fixed-clock').prop('#clock-cells', 0).prop('clock-frequency', APB_PCLK_HZ).prop('clock-output-names', 'clk24mhz')
  const clkPh = clk.phandle()

  const paths: string[] = []
  for (const u of o.uarts) {
    const what = u.compatible ? { name: u.name ?? 'serial', compatible: u.compatible, clockNames: u.clockNames } : PL011
    const n = root.child(unit(what.name, u.base))
    n.prop('compatible', what.compatible).prop('reg', fdtReg([{ address: u.base, size: u.size }]))
    for (const [k, v] of Object.entries(u.props ?? {})) n.prop(k, v)
    // every UART runs from QEMU virt's fixed clock: one per clock name the binding has
    if (what.clockNames?.length) n.prop('clock-names', what.clockNames).prop('clocks', what.clockNames.map(() => clkPh))
    else n.prop('clocks', [clkPh])
    if (u.irq !== undefined && u.irq >= 32) n.prop('interrupts', [GIC_SPI, u.irq - 32, IRQ_TYPE_LEVEL_HIGH])
    paths.push(n.path)
  }
  if (paths[0] !== undefined) chosen.prop('stdout-path', paths[0])
  if (o.ipc) {
    const split = (n: number): number[] => [Math.floor(n / 2 ** 32), n >>> 0]
    chosen.prop('baobab,ipc', [...split(o.ipc.base), ...split(o.ipc.size), 0, o.ipc.irq]).prop('baobab,ipc-role', o.ipc.role)
  }
  return root
}
