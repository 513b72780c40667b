/**
 * `baobab board from-dtb` on QEMU's own device trees for `virt`, dumped with the QEMU on this
 * machine (7.2) and kept as fixtures:
 *   qemu-system-aarch64 -M virt,gic-version=2,virtualization=on -cpu cortex-a53 -smp 4 -m 4G \
 *     -machine dumpdtb=test/fixtures/qemu-virt-aarch64.dtb
 *   qemu-system-riscv64 -M virt -smp 2 -m 2G -machine dumpdtb=test/fixtures/qemu-virt-riscv64.dtb
 * The boards it writes equal the built-in qemu-virt-aarch64 / qemu-virt-riscv64 in everything
 * booting depends on (RAM, CPUs, timer, the devices and how their interrupts are wired, console,
 * reset address); the differences that remain are listed and explained. Written to a file, the
 * board loads as a plugin by path and boots the demo configs, whose consoles then print what they
 * print on the built-in boards. Also: a vendor-style tree (RK3399's, built here with core/fdt.ts)
 * with buses that translate addresses, 4-cell GIC specifiers, aliases and clusters.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { boardFromDtbFile } from '../bin/commands/board.ts'
import { boardFromDtb } from '../bin/commands/board-dtb.ts'
import type { BoardDesc, BoardDevice } from '../core/board.ts'
import { bootConfig } from '../core/boot.ts'
import { fdtCells, fdtNode, fdtReg, fdtToBytes } from '../core/fdt.ts'
import { Machine } from '../core/machine.ts'
import { PluginHost } from '../core/plugins.ts'
import { qemuVirtAarch64 } from '../plugins/board-qemu-virt-aarch64/qemu-virt-aarch64.ts'
import { qemuVirtRiscv64 } from '../plugins/board-qemu-virt-riscv64/qemu-virt-riscv64.ts'
import { imx8mq } from '../plugins/board-imx8mq/imx8mq.ts'
import { rock960 } from '../plugins/board-rock960/rock960.ts'
import { root } from './hyp-util.ts'

const fixture = (f: string): string => join(root, 'test', 'fixtures', f)
const tmp = mkdtempSync(join(tmpdir(), 'baobab-from-dtb-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** dev-gic's defaults, so a device's params compare by meaning (an explicit default equals an omitted one) */
const GIC_DEFAULTS: Record<string, Record<string, unknown>> = {
  gicv2: { irqs: 288, giccOffset: 0x1_0000, gichOffset: 0x3_0000, gicvOffset: 0x4_0000, maintenanceIrq: 25 },
  gicv3: { irqs: 288, gicrOffset: 0xa_0000, maintenanceIrq: 25 },
}
const device = (d: BoardDevice) => ({ type: d.type, base: d.base, size: d.size, irqs: d.irqs ?? [], params: { ...GIC_DEFAULTS[d.type], ...d.params } })
const byName = (b: BoardDesc) => Object.fromEntries(b.devices.map((d) => [d.name, device(d)]))
/** what booting depends on, the devices aside */
const machineFacts = (b: BoardDesc) => ({ arch: b.arch, cpus: b.cpus, timebaseHz: b.timebaseHz, memory: b.memory, cpuIrqs: b.cpuIrqs, console: b.console, resetPc: b.resetPc })

describe("board from-dtb on QEMU's virt device trees", () => {
  it('qemu-virt-aarch64.dtb (gic-version=2, virtualization=on, cortex-a53 ×4, 4 GiB) gives the built-in qemu-virt-aarch64 board', () => {
    const t = boardFromDtb(readFileSync(fixture('qemu-virt-aarch64.dtb')), 'qemu-virt-aarch64')
    expect(machineFacts(t.board)).toEqual(machineFacts(qemuVirtAarch64))
    expect(t.board.flash).toEqual(qemuVirtAarch64.flash)
    const mine = byName(t.board), builtin = byName(qemuVirtAarch64)
    // the second PL011 is CROSSCON's QEMU patch (support/0001-hw-arm-virt-Add-second-uart.patch): stock QEMU has one
    const { uart1, ...rest } = builtin
    expect(uart1).toMatchObject({ type: 'pl011', base: 0x90c_0000 })
    expect(mine).toEqual(rest)
    expect(new Set(t.requires)).toEqual(new Set(['arch-aarch64', 'dev-gic', 'dev-pl011']))
    // not in a device tree, so not in the generated board: the caches (one colour) and the hypervisor's reservation
    expect([t.board.caches, t.board.reserved]).toEqual([undefined, undefined])
    // 62.5 MHz is assumed (the tree leaves CNTFRQ_EL0 to firmware), and said so in the file
    expect(t.assumed.some((a) => /^timebaseHz: 62\.5 MHz/.test(a))).toBe(true)
    expect(t.unmapped).toContain('/virtio_mmio@a000000 … /virtio_mmio@a003e00 (32 nodes): virtio,mmio')
    expect(t.unmapped).toContain('/pl031@9010000: arm,pl031, arm,primecell')
  })

  it('qemu-virt-riscv64.dtb (2 harts, 2 GiB) gives the built-in qemu-virt-riscv64 board', () => {
    const t = boardFromDtb(readFileSync(fixture('qemu-virt-riscv64.dtb')), 'qemu-virt-riscv64')
    expect(machineFacts(t.board)).toEqual(machineFacts(qemuVirtRiscv64))
    const { plic0, ...mine } = byName(t.board)
    const { plic0: builtinPlic, uart1, ...builtin } = byName(qemuVirtRiscv64)
    // the second 16550 is CROSSCON's QEMU patch (support/0001-hw-riscv-virt-Add-second-uart.patch)
    expect(uart1).toMatchObject({ type: 'ns16550', base: 0x1000_1000 })
    expect(mine).toEqual(builtin)
    // QEMU 7.2 writes riscv,ndev = 96 for its PLIC of 96 ids (0..95); the binding reads ndev as the
    // highest source id, so the generated PLIC has one source more (id 96, wired to nothing)
    expect(plic0).toEqual({ ...builtinPlic, params: { sources: 97 } })
    expect(builtinPlic!.params).toEqual({ sources: 96 })
    // QEMU's two pflash banks; the built-in board leaves them out (OpenSBI comes with -bios, into RAM)
    expect(t.board.flash).toEqual({ base: 0x2000_0000, size: 0x400_0000 })
    expect(t.board.timebaseHz).toBe(10_000_000) // the tree's timebase-frequency, not an assumption
    expect(t.assumed.some((a) => a.startsWith('timebaseHz'))).toBe(false)
  })
})

describe('the board file it writes', () => {
  const write = async (dtb: string, out: string): Promise<string> => {
    const file = join(tmp, out)
    let said = ''
    await boardFromDtbFile(fixture(dtb), { out: file, io: { out: (s) => { said += s } } })
    expect(said).toMatch(new RegExp(`^wrote ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: board '`))
    return file
  }

  it('loads as a plugin by path and registers the board the translation made; the machine builds', async () => {
    const file = await write('qemu-virt-aarch64.dtb', 'virt-a64.ts')
    const text = readFileSync(file, 'utf8')
    expect(text).toMatch(/^\/\*\*\n \* Board plugin 'virt-a64', written by `baobab board from-dtb qemu-virt-aarch64\.dtb`/)
    expect(text).toContain("import type { BoardDesc } from '")
    expect(text).toContain(' * - /pl031@9010000: arm,pl031, arm,primecell')
    const host = new PluginHost()
    const board = await host.loadBoard(file)
    expect(board).toEqual(boardFromDtb(readFileSync(fixture('qemu-virt-aarch64.dtb')), 'virt-a64').board)
    expect(host.has('board-virt-a64')).toBe(true)
    const m = new Machine(board, host.archs.get('aarch64')!, host)
    expect([...m.devices.keys()]).toEqual(['gic0', 'uart0'])
  })

  /** A demo config with its board replaced by `board` (a path), image paths made absolute. */
  const retarget = (config: string, board: string): string => {
    const data = JSON.parse(readFileSync(join(root, config), 'utf8')) as { board: string; vms: { image: { path: string } }[] }
    data.board = board
    for (const vm of data.vms) vm.image.path = join(root, config, '..', vm.image.path)
    const file = join(tmp, `${board.split('/').pop()}.json`)
    writeFileSync(file, JSON.stringify(data))
    return file
  }

  /** Boot a config, run `ms` of virtual time, return each VM's console. */
  const consoles = async (config: string, ms: number): Promise<Record<string, string>> => {
    const sys = await bootConfig(config)
    sys.machine.sched.run({ cycles: ms * 1_000_000 })
    return Object.fromEntries(sys.hv.vms.map((vm) => [vm.name, vm.console.text()]))
  }

  it('boots configs/aarch64/two-vms.json on the generated board: both VMs print what they print on qemu-virt-aarch64', async () => {
    const board = await write('qemu-virt-aarch64.dtb', 'virt-a64-boot.ts')
    const builtin = await consoles(join(root, 'configs', 'aarch64', 'two-vms.json'), 60)
    const generated = await consoles(retarget('configs/aarch64/two-vms.json', board), 60)
    expect(builtin.vm1).toContain('tick 3')
    expect(builtin.vm2).toContain('ipc: message 3 from vm1')
    expect(generated).toEqual(builtin)
  })

  it('boots configs/two-vms.json on the generated board: both VMs print what they print on qemu-virt-riscv64', async () => {
    const board = await write('qemu-virt-riscv64.dtb', 'virt-rv64-boot.ts')
    const builtin = await consoles(join(root, 'configs', 'two-vms.json'), 60)
    const generated = await consoles(retarget('configs/two-vms.json', board), 60)
    expect(Object.values(builtin).every((text) => text.length > 0)).toBe(true)
    expect(generated).toEqual(builtin)
  })
})

describe("board from-dtb on a vendor's tree (RK3399's, as rk3399.dtsi and rk3399-rock960.dts describe it)", () => {
  /** the parts of rk3399.dtsi board-rock960 is made of, with the UART moved under a bus whose `ranges` translate */
  function rk3399(): Uint8Array {
    const r = fdtNode()
    r.prop('#address-cells', 2).prop('#size-cells', 2).prop('compatible', ['vamrs,rock960', 'rockchip,rk3399']).prop('model', '96boards Rock960')
    const gic = r.child('interrupt-controller@fee00000')
    const ph = gic.phandle()
    r.prop('interrupt-parent', ph)
    r.child('aliases').prop('serial2', '/bus@ff000000/serial@1a0000')
    r.child('chosen').prop('stdout-path', 'serial2:1500000n8')
    r.child('memory@0').prop('device_type', 'memory').prop('reg', fdtReg([{ address: 0, size: 0x8000_0000 }]))
    const cpus = r.child('cpus').prop('#address-cells', 2).prop('#size-cells', 0)
    const l2 = cpus.child('l2-cache-cluster0').prop('compatible', 'cache').prop('cache-level', 2).prop('cache-unified', true)
      .prop('cache-size', 0x8_0000).prop('cache-line-size', 64).prop('cache-sets', 512)
    const map = cpus.child('cpu-map')
    const cores = [0, 1, 2, 3, 0x100, 0x101].map((mpidr) => {
      const a72 = mpidr >= 0x100
      const c = cpus.child(`cpu@${mpidr.toString(16)}`).prop('device_type', 'cpu').prop('compatible', a72 ? 'arm,cortex-a72' : 'arm,cortex-a53')
        .prop('reg', fdtCells([0, mpidr])).prop('enable-method', 'psci')
      if (!a72) c.prop('i-cache-size', 0x8000).prop('i-cache-line-size', 64).prop('i-cache-sets', 256).prop('d-cache-size', 0x8000)
        .prop('d-cache-line-size', 64).prop('d-cache-sets', 128).prop('next-level-cache', l2.phandle())
      return c
    })
    const c0 = map.child('cluster0'), c1 = map.child('cluster1')
    cores.forEach((c, i) => (i < 4 ? c0 : c1).child(`core${i < 4 ? i : i - 4}`).prop('cpu', c.phandle()))
    r.child('timer').prop('compatible', 'arm,armv8-timer')
      .prop('interrupts', [1, 13, 8, 0, 1, 14, 8, 0, 1, 11, 8, 0, 1, 10, 8, 0])
    gic.prop('compatible', 'arm,gic-v3').prop('#interrupt-cells', 4).prop('#address-cells', 2).prop('#size-cells', 2).prop('ranges', true)
      .prop('interrupt-controller', true).prop('interrupts', [1, 9, 4, 0])
      .prop('reg', fdtReg([0xfee0_0000, 0xfef0_0000, 0xfff0_0000, 0xfff1_0000, 0xfff2_0000].map((a, i) => ({ address: a, size: i === 1 ? 0xc_0000 : 0x1_0000 }))))
    gic.child('interrupt-controller@fee20000').prop('compatible', 'arm,gic-v3-its').prop('reg', fdtReg([{ address: 0xfee2_0000, size: 0x2_0000 }]))
    const bus = r.child('bus@ff000000').prop('compatible', 'simple-bus').prop('#address-cells', 1).prop('#size-cells', 1)
      .prop('ranges', fdtCells([0x0, 0x0, 0xff00_0000, 0x100_0000]))
    bus.child('serial@1a0000').prop('compatible', ['rockchip,rk3399-uart', 'snps,dw-apb-uart']).prop('reg', fdtCells([0x1a_0000, 0x100]))
      .prop('interrupts', [0, 100, 4, 0]).prop('reg-shift', 2).prop('reg-io-width', 4)
    bus.child('serial@180000').prop('compatible', ['rockchip,rk3399-uart', 'snps,dw-apb-uart']).prop('reg', fdtCells([0x18_0000, 0x100]))
      .prop('interrupts', [0, 99, 4, 0]).prop('status', 'disabled')
    return fdtToBytes(r)
  }

  it('gives board-rock960: clusters from cpu-map, the A53 caches, the GIC-500 and UART2 at their CPU addresses, named by its alias', () => {
    const t = boardFromDtb(rk3399(), 'rock960')
    const b = t.board
    expect([b.arch, b.cpus, b.clusters, b.cpuModel, b.memory, b.console, b.cpuIrqs]).toEqual(['aarch64', 6, [4, 2], 'cortex-a53 ×4 + cortex-a72 ×2', rock960.memory, 'uart2', rock960.cpuIrqs])
    expect(b.caches).toEqual({ llc: rock960.caches!.llc, l1d: rock960.caches!.l1d, l1i: rock960.caches!.l1i })
    expect(byName(b)).toEqual(byName(rock960))
    expect(t.unmapped).toEqual(['/interrupt-controller@fee00000/interrupt-controller@fee20000: arm,gic-v3-its', '1 node with status "disabled"'])
  })
})

describe("board from-dtb on an i.MX 8M tree, whose devices' interrupts go through the GPC", () => {
  /** imx8mq.dtsi's shape: the UARTs under soc@0/bus@30800000, interrupt-parent the GPC, which hands them to the GIC */
  function imx8m(): Uint8Array {
    const r = fdtNode()
    r.prop('#address-cells', 2).prop('#size-cells', 2).prop('compatible', 'fsl,imx8mq')
    const gic = r.child('interrupt-controller@38800000')
    r.prop('interrupt-parent', gic.phandle())
    r.child('aliases').prop('serial0', '/soc@0/bus@30800000/serial@30860000').prop('serial1', '/soc@0/bus@30800000/serial@30890000')
    r.child('memory@40000000').prop('device_type', 'memory').prop('reg', fdtReg([{ address: 0x4000_0000, size: 0xc000_0000 }]))
    const cpus = r.child('cpus').prop('#address-cells', 1).prop('#size-cells', 0)
    for (let i = 0; i < 4; i++) cpus.child(`cpu@${i}`).prop('device_type', 'cpu').prop('compatible', 'arm,cortex-a53').prop('reg', i)
    r.child('timer').prop('compatible', 'arm,armv8-timer').prop('clock-frequency', 8_333_333)
      .prop('interrupts', [1, 13, 0xf08, 1, 14, 0xf08, 1, 11, 0xf08, 1, 10, 0xf08])
    gic.prop('compatible', 'arm,gic-v3').prop('#interrupt-cells', 3).prop('interrupt-controller', true).prop('interrupts', [1, 9, 4])
      .prop('reg', fdtReg([{ address: 0x3880_0000, size: 0x1_0000 }, { address: 0x3888_0000, size: 0xc_0000 }]))
    const soc = r.child('soc@0').prop('compatible', 'simple-bus').prop('#address-cells', 1).prop('#size-cells', 1)
      .prop('ranges', fdtCells([0x0, 0x0, 0x0, 0x3e00_0000]))
    const gpc = soc.child('gpc@303a0000').prop('compatible', 'fsl,imx8mq-gpc').prop('reg', fdtCells([0x303a_0000, 0x1_0000]))
      .prop('interrupt-controller', true).prop('#interrupt-cells', 3).prop('interrupt-parent', gic.phandle())
    soc.prop('interrupt-parent', gpc.phandle())
    const bus = soc.child('bus@30800000').prop('compatible', 'simple-bus').prop('#address-cells', 1).prop('#size-cells', 1)
      .prop('ranges', fdtCells([0x3080_0000, 0x3080_0000, 0x40_0000]))
    for (const [at, spi] of [[0x3086_0000, 26], [0x3089_0000, 27]] as const) {
      bus.child(`serial@${at.toString(16)}`).prop('compatible', ['fsl,imx8mq-uart', 'fsl,imx6q-uart']).prop('reg', fdtCells([at, 0x1_0000])).prop('interrupts', [0, spi, 4])
    }
    return fdtToBytes(r)
  }

  it('gives board-imx8mq: the UARTs on the GIC inputs the GPC passes their SPIs to, the timer from the tree', () => {
    const t = boardFromDtb(imx8m(), 'imx8mq')
    expect([t.board.cpus, t.board.timebaseHz, t.board.console, t.board.cpuIrqs]).toEqual([4, imx8mq.timebaseHz, 'uart0', imx8mq.cpuIrqs])
    // the INTID count is the one thing a tree cannot give (the board's 160 is the i.MX 8M manual's)
    const { gic0, ...mine } = byName(t.board)
    const { gic0: builtinGic, ...builtin } = byName(imx8mq)
    expect(mine).toEqual(builtin)
    expect({ ...gic0, params: { ...gic0!.params, irqs: 160 } }).toEqual(builtinGic)
    expect(t.assumed).toContain('interrupts through /soc@0/gpc@303a0000 taken as its parent controller\'s: it has the same specifier cells, so it is taken to pass them on unchanged')
  })
})
