/**
 * The demo on every board of CROSSCON's list (configs/boards/<board>.json): one guest image per
 * architecture, whose console driver is the one its VM's device tree names by `compatible`
 * (guests/aarch64-vm/lib/console.c, guests/riscv64-vm/lib/console.c). On each board the VMs
 * greet, take generic-timer (Arm) or SBI-timer (RISC-V) ticks 1..3 and echo what is typed
 * through their UART's receive interrupt, on the board's own UART model: vm1 owns the board's
 * console UART (passed through, its physical interrupt forwarded), vm2 has an emulated UART of
 * the same type at the same guest address (its interrupt driven through the vGIC / vPLIC). The
 * device tree each VM got names the UART as the device plugin registered it. Two runs are
 * byte-identical, instruction counts included; the VMs' pages are of their colours, and the
 * board has the colours reference/platforms.json gives it (its own cache geometry where the
 * file has no entry). Rocket and CVA6 have one CPU, room for one VM: their config passes the
 * UART through, and the same config with the UART emulated instead is run beside it.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Workbench } from '../core/api.ts'
import { fdtFind, fdtGet, fdtStrings, fdtU32s, parseFdt, type FdtTreeNode } from '../core/fdt.ts'
import { colourGeometry, colourList, pageColour } from '../core/hypervisor/colours.ts'
import type { Hypervisor } from '../core/hypervisor/hypervisor.ts'
import type { Vm } from '../core/hypervisor/vm.ts'
import type { VmArch } from '../plugins/arch-aarch64/hyp/a64-hyp.ts'
import type { VPlic } from '../plugins/arch-riscv64/hyp/vplic.ts'
import { root } from './hyp-util.ts'

// reference/platforms.json, copied into the repository (test/fixtures) so a clean clone has it
const FACTS = join(root, 'test', 'fixtures', 'platforms.json')
const facts: { name: string; colors: { colorNum: number } | null }[] = JSON.parse(readFileSync(FACTS, 'utf8'))

interface Board {
  name: string
  arch: 'aarch64' | 'riscv64'
  /** the device type of the board's console UART */
  uart: string
}

const BOARDS: Board[] = [
  { name: 'rpi4', arch: 'aarch64', uart: 'bcm2835-aux-uart' },
  { name: 'zcu102', arch: 'aarch64', uart: 'cdns-uart' },
  { name: 'zcu104', arch: 'aarch64', uart: 'cdns-uart' },
  { name: 'ultra96', arch: 'aarch64', uart: 'cdns-uart' },
  { name: 'imx8qm', arch: 'aarch64', uart: 'lpuart' },
  { name: 'imx8mq', arch: 'aarch64', uart: 'imx-uart' },
  { name: 'tx2', arch: 'aarch64', uart: 'ns16550' },
  { name: 'hikey960', arch: 'aarch64', uart: 'pl011' },
  { name: 'rock960', arch: 'aarch64', uart: 'ns16550' },
  { name: 'rocket', arch: 'riscv64', uart: 'sifive-uart' },
  { name: 'cva6', arch: 'riscv64', uart: 'ns16550' },
]

/** what typed input each VM gets, and the lines it must echo */
const TYPED = 'ok\r'
const ECHOED = ['echo: o', 'echo: k', 'echo: \\r']

const configFile = (b: Board): string => join(root, 'configs', 'boards', `${b.name}.json`)

interface RawConfig { vms: { name: string; devs: { pa?: string; va: string; size: string; interrupts: number[]; emulate?: string }[] }[] }

/** the board's config, or (RISC-V) the same with its one VM's UART emulated instead of passed through */
function configData(b: Board, emulated: boolean): RawConfig {
  const raw = JSON.parse(readFileSync(configFile(b), 'utf8')) as RawConfig
  if (emulated) {
    const d = raw.vms[0]!.devs[0]!
    raw.vms[0]!.devs[0] = { va: d.va, size: d.size, emulate: b.uart, interrupts: d.interrupts }
  }
  return raw
}

const lines = (vm: Vm): string[] => vm.console.text().split('\n').filter((l) => l !== '')
const hasLine = (vm: Vm, line: string): boolean => lines(vm).includes(line)

/** The UART behind each VM's console: its type and the serial port its bytes went out on. */
function uartOf(wb: Workbench, vm: Vm): { type: string; port: string; emulated: boolean } {
  const d = vm.config.devs[0]!
  if (d.emulate) {
    const key = [...wb.hypervisor!.emulated.keys()].find((k) => k.startsWith(`${vm.name}.`))!
    return { type: key.slice(vm.name.length + 1, key.indexOf('@')), port: `vm:${vm.name}`, emulated: true }
  }
  const dev = [...wb.machine.devices.values()].find((e) => d.pa! >= e.desc.base && d.pa! < e.desc.base + e.desc.size)!
  return { type: dev.desc.type, port: wb.machine.consoles.get(dev.desc.name)!, emulated: false }
}

/** The interrupts each VM's UART raised into it: hardware-forwarded (pass-through) or driven (emulated). */
function countUartIrqs(hv: Hypervisor, arch: Board['arch']): Map<string, number[]> {
  const seen = new Map<string, number[]>()
  for (const vm of hv.vms) {
    const got: number[] = []
    seen.set(vm.name, got)
    if (arch === 'aarch64') {
      const vgic = (vm.arch as VmArch).vgic
      const hwRaise = vgic.hwRaise.bind(vgic), setLevel = vgic.setLevel.bind(vgic)
      vgic.hwRaise = (id, vcpu) => { got.push(id); hwRaise(id, vcpu) }
      vgic.setLevel = (id, high, vcpu) => { if (high && id !== 27) got.push(id); setLevel(id, high, vcpu) }
    } else {
      const vplic = (vm.arch as { vplic: VPlic }).vplic
      const hwRaise = vplic.hwRaise.bind(vplic), level = vplic.level.bind(vplic)
      vplic.hwRaise = (n, complete, ctx) => { got.push(n); hwRaise(n, complete, ctx) }
      vplic.level = (n, high) => { if (high) got.push(n); level(n, high) }
    }
  }
  return seen
}

/** The node the VM's device tree names in /chosen/stdout-path. */
function stdoutNode(hv: Hypervisor, vm: Vm): FdtTreeNode {
  const tree = parseFdt(hv.arch.buildDtb(vm)!).root
  const path = fdtStrings(fdtGet(fdtFind(tree, '/chosen')!, 'stdout-path')!)[0]!
  return fdtFind(tree, path.split(':')[0]!)!
}

const u32s = (n: FdtTreeNode, prop: string): number[] | undefined => {
  const v = fdtGet(n, prop)
  return v && fdtU32s(v)
}

/**
 * One deterministic run: boot, run until every VM's echo is ready (and, on Arm, vm2 has vm1's
 * three IPC messages: about 30 ms of guest time), type into each VM in turn and run until it
 * echoed, then 5 ms more.
 */
async function scenario(b: Board, emulated = false) {
  const wb = await Workbench.open({ config: configFile(b), configData: configData(b, emulated) })
  const hv = wb.hypervisor!
  const sched = wb.machine.sched
  const irqs = countUartIrqs(hv, b.arch)
  // when each tick line was completed, in cycles
  const ticks = new Map<string, number[]>()
  for (const vm of hv.vms) {
    let cur = ''
    ticks.set(vm.name, [])
    vm.console.onOutput((c) => {
      if (c !== 10) { cur += String.fromCharCode(c); return }
      if (cur.startsWith('tick ')) ticks.get(vm.name)!.push(sched.time())
      cur = ''
    })
  }
  const ports = new Map<string, string>()
  const uarts = new Map(hv.vms.map((vm) => [vm.name, uartOf(wb, vm)]))
  for (const [name, u] of uarts) {
    ports.set(name, '')
    wb.machine.serial(u.port).onOutput((c) => ports.set(name, ports.get(name)! + String.fromCharCode(c)))
  }
  const ready = (): boolean => hv.vms.every((vm) => hasLine(vm, 'echo ready')) && (b.arch === 'riscv64' || hasLine(hv.vms[1]!, 'ipc: message 3 from vm1'))
  const boot = sched.run({ predicate: ready, cycles: 60 * wb.machine.board.cpuHz / 1000 })
  const before = new Map([...irqs].map(([n, l]) => [n, l.length]))
  const echoed: Record<string, string> = {}
  for (const vm of hv.vms) {
    vm.console.send(TYPED)
    echoed[vm.name] = sched.run({ predicate: () => hasLine(vm, ECHOED[2]!), cycles: 20 * wb.machine.board.cpuHz / 1000 })
  }
  sched.run({ cycles: 5 * wb.machine.board.cpuHz / 1000 })
  const consoles = hv.vms.map((vm) => `[${vm.name}]\n${vm.console.text()}`).join('') + [...ports].map(([n, t]) => `<${n}>\n${t}`).join('')
  const typedIrqs = new Map([...irqs].map(([n, l]) => [n, l.slice(before.get(n))]))
  return { wb, hv, boot, echoed, consoles, uarts, irqs: typedIrqs, ports, ticks, instructions: sched.instructions, exits: hv.vms.map((v) => v.exits) }
}

function expectDemo(b: Board, run: Awaited<ReturnType<typeof scenario>>, emulated: boolean): void {
  const { hv, wb } = run
  expect(run.boot).toBe('predicate')
  expect(run.echoed).toEqual(Object.fromEntries(hv.vms.map((vm) => [vm.name, 'predicate'])))
  for (const vm of hv.vms) {
    const n = vm.name
    if (b.arch === 'aarch64') {
      const ipc = n === 'vm1' ? ['ipc notify returned 0'] : ['ipc: message 1 from vm1', 'ipc: message 2 from vm1', 'ipc: message 3 from vm1']
      expect(lines(vm)).toEqual([
        `hello from ${n} cpu 0`, 'timer: cntv, intid 27', `hello from ${n} cpu 1`,
        'tick 1', 'tick 2', 'tick 3', 'sgi received on cpu 1', 'echo ready', ...ipc, ...ECHOED,
      ])
    } else {
      expect(lines(vm)).toEqual([`hello from ${n} hart 0`, 'console: uart', 'tick 1', 'tick 2', 'tick 3', 'echo ready', ...ECHOED])
    }
    // the board's UART model printed it all: vm1's the board's own console, vm2's its emulated twin
    const u = run.uarts.get(n)!
    expect({ vm: n, type: u.type, emulated: u.emulated }).toEqual({ vm: n, type: b.uart, emulated: n === 'vm2' || emulated })
    expect(run.ports.get(n)).toBe(vm.console.text())
    // ticks 10 ms of guest time apart, on the board's own clocks
    const t = run.ticks.get(n)!
    const tenMs = wb.board.cpuHz / 100
    for (const [x, y] of [[t[0]!, t[1]!], [t[1]!, t[2]!]]) expect(Math.abs(y! - x! - tenMs) / tenMs).toBeLessThan(0.05)
    // its device tree says what the device plugin registered it as, where the registers are and
    // how they are spaced: the board's 8250s 4 bytes apart (params regShift 2, regIoWidth 4), an
    // emulated one (made without board params) byte-spaced; the mini UART 0x40 into the AUX block
    const node = stdoutNode(hv, vm)
    expect(fdtStrings(fdtGet(node, 'compatible')!)).toEqual(wb.plugins.deviceInfo.get(b.uart)!.dt!.compatible)
    const layout = { shift: u32s(node, 'reg-shift'), width: u32s(node, 'reg-io-width') }
    expect(layout).toEqual(b.uart === 'ns16550' && !u.emulated ? { shift: [2], width: [4] } : { shift: undefined, width: undefined })
    const va = vm.config.devs[0]!.va
    const reg = u32s(node, 'reg')!
    expect(reg).toEqual(b.uart === 'bcm2835-aux-uart' ? [0, va + 0x40, 0, 0x40] : [0, va, 0, Math.max(vm.config.devs[0]!.size, b.arch === 'aarch64' ? 0x1000 : 0x100)])
    // the echo came through the UART's receive interrupt, the VM's own
    const irq = vm.config.devs[0]!.interrupts[0]!
    const got = run.irqs.get(n)!
    expect(got.length, `${n}: UART interrupts while echoing`).toBeGreaterThan(0)
    expect(got.every((id) => id === irq)).toBe(true)
    expect(vm.state).toBe('running')
  }
  expect(hv.log.lines.filter((l) => l.level !== 'INFO').map((l) => l.text)).toEqual([])
}

/** Every RAM page of each VM is of its colours; two VMs' colours are disjoint. */
function expectColours(b: Board, wb: Workbench): void {
  const g = colourGeometry(wb.board.caches)
  const fact = facts.find((f) => f.name === b.name)
  expect(wb.colours().colorNum).toBe(fact ? fact.colors?.colorNum ?? 1 : g.colorNum)
  const used = wb.hypervisor!.vms.map((vm) => {
    const want = new Set(colourList(BigInt(vm.config.colors || 0), g))
    const seen = new Set<number>()
    for (const e of vm.stage2.entries) {
      if (e.kind !== 'ram') continue
      for (let pa = e.pa; pa < e.pa + e.size; pa += 4096) seen.add(pageColour(pa, g))
    }
    if (want.size && want.size < g.colorNum) expect([...seen].filter((c) => !want.has(c)), `${vm.name}: pages outside its colours`).toEqual([])
    return seen
  })
  if (used.length === 2 && used.every((s) => s.size < g.colorNum)) expect([...used[0]!].filter((c) => used[1]!.has(c))).toEqual([])
}

describe('configs/boards: the demo on every board, printing through the board\'s own UART model', () => {
  for (const b of BOARDS) {
    const variants = b.arch === 'riscv64' ? [false, true] : [false]
    for (const emulated of variants) {
      const what = b.arch === 'aarch64' ? `vm1 on the board's ${b.uart}, vm2 on an emulated one` : emulated ? `the VM on an emulated ${b.uart}` : `the VM on the board's ${b.uart}`
      it(`${b.name}: ${what}: greets, ticks, echoes by interrupt; two runs byte-identical`, async () => {
        const a = await scenario(b, emulated)
        expectDemo(b, a, emulated)
        if (!emulated) expectColours(b, a.wb)
        const again = await scenario(b, emulated)
        expect(again.consoles).toBe(a.consoles)
        expect(again.instructions).toBe(a.instructions)
        expect(again.exits).toEqual(a.exits)
      })
    }
  }
})
