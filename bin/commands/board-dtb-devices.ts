/**
 * `board from-dtb`'s other devices: the UARTs baobab has plugins for (named after their serialN
 * alias where they have one), a RISC-V CLINT and SiFive test device, the console from /chosen's
 * stdout-path (§3.6); every other node with a `compatible` is left out with it as the reason,
 * unless it only describes structure or firmware.
 */
import type { BoardDevice } from '../../core/board.ts'
import { ARM_TIMER, wires } from './board-dtb-irq.ts'
import type { DtbNode } from './board-dtb-tree.ts'
import { addDevice, type Translation } from './board-dtb-translation.ts'

/** a UART's compatible → the device type its plugin registers */
const UARTS: [RegExp, string][] = [
  [/^arm,pl011$/, 'pl011'],
  [/^(ns16550a?|ns16750|ns16450|snps,dw-apb-uart)$/, 'ns16550'],
  [/^(xlnx,xuartps|cdns,uart-r1p12|cdns,uart-r1p8)$/, 'cdns-uart'],
  [/^fsl,(imx8qm|imx8qxp|imx7ulp)-lpuart$/, 'lpuart'],
  [/^fsl,imx[0-9a-z]*-uart$/, 'imx-uart'],
  [/^sifive,uart0$/, 'sifive-uart'],
  [/^brcm,bcm2835-aux-uart$/, 'bcm2835-aux-uart'],
]
const CLINT = /^(riscv,clint0|sifive,clint0)$/
const SIFIVE_TEST = /^sifive,test[01]$/
/** nodes that describe structure or firmware rather than a device on the bus */
const STRUCTURAL = /^(simple-bus|simple-mfd|syscon|syscon-poweroff|syscon-reboot|fixed-clock|fixed-factor-clock|regulator-fixed|arm,psci.*|riscv,cpu-intc|cache)$/

export function otherDevices(t: Translation): void {
  const { tree } = t
  const aliases = tree.top('aliases')
  const aliasOf = new Map<string, number>()
  for (const p of aliases?.raw.props ?? []) {
    const m = /^serial(\d+)$/.exec(p.name)
    if (m) aliasOf.set(tree.strs(aliases!, p.name)[0] ?? '', Number(m[1]))
  }
  const uarts: { node: DtbNode; type: string; base: number; size: number }[] = []
  for (const n of tree.nodes()) {
    if (n === tree.root || t.handled.has(n) || t.controllers.has(n)) continue
    const c = tree.compat(n)
    if (!c.length) continue
    if (!tree.enabled(n)) { t.disabled++; t.handled.add(n); continue }
    const regs = tree.reg(n)
    const uart = c.map((x) => UARTS.find(([re]) => re.test(x))?.[1]).find((type) => type !== undefined)
    if (uart && regs?.length) uarts.push({ node: n, type: uart, base: regs[0]!.base, size: regs[0]!.size })
    else if (c.some((x) => CLINT.test(x)) && regs?.length) addDevice(t, n, { name: 'clint0', type: 'aclint', base: regs[0]!.base, size: regs[0]!.size })
    else if (c.some((x) => SIFIVE_TEST.test(x)) && regs?.length) addDevice(t, n, { name: 'test0', type: 'sifive-test', base: regs[0]!.base, size: regs[0]!.size })
    else if (c.some((x) => ARM_TIMER.test(x))) t.handled.add(n)
    else if (!c.every((x) => STRUCTURAL.test(x))) t.left.push({ node: n, why: c.join(', ') })
    else t.handled.add(n)
  }
  // named after their serialN alias where they have one, the others numbered around those
  uarts.sort((a, b) => a.base - b.base)
  const taken = new Set(uarts.filter((u) => aliasOf.has(u.node.path)).map((u) => `uart${aliasOf.get(u.node.path)}`))
  let next = 0
  for (const u of uarts) {
    let name = aliasOf.has(u.node.path) ? `uart${aliasOf.get(u.node.path)}` : undefined
    if (name === undefined) {
      while (taken.has(`uart${next}`)) next++
      taken.add((name = `uart${next}`))
    }
    const dev: BoardDevice = { name, type: u.type, base: u.base, size: u.size }
    if (u.type === 'bcm2835-aux-uart') {
      // Linux's node is the mini UART's registers at AUX + 0x40; the device is the whole AUX block
      dev.base = u.base - 0x40
      dev.size = 0x100
    }
    if (u.type === 'ns16550') {
      const shift = tree.u32(u.node, 'reg-shift'), width = tree.u32(u.node, 'reg-io-width')
      if (shift || width) dev.params = { ...(shift ? { regShift: shift } : {}), ...(width ? { regIoWidth: width } : {}) }
    }
    const irqs = wires(t, u.node)
    if (irqs.length) dev.irqs = irqs
    addDevice(t, u.node, dev)
  }
}

/** the UART /chosen's stdout-path names (a path or an alias), else the lowest-addressed one */
export function chosenConsole(t: Translation): string | undefined {
  const { tree } = t
  const chosen = tree.top('chosen')
  let path = (chosen && tree.strs(chosen, 'stdout-path')[0]?.split(':')[0]) ?? ''
  const aliases = tree.top('aliases')
  if (path && !path.startsWith('/') && aliases) path = tree.strs(aliases, path)[0] ?? path
  const hit = t.devices.find((d) => d.node.path === path && d.dev.name.startsWith('uart'))
  return (hit ?? t.devices.filter((d) => d.dev.name.startsWith('uart')).sort((a, b) => a.dev.base - b.dev.base)[0])?.dev.name
}
