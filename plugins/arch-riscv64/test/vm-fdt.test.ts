import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { FdtError, fdtFind, fdtGet, fdtStrings, fdtU32s, parseFdt, type FdtTreeNode } from '../../../core/fdt.ts'
import { buildVmFdt, splitIsa, type VmFdtOptions } from '../vm-fdt.ts'

const HAVE_DTC = spawnSync('dtc', ['--version']).status === 0
const QEMU = 'qemu-system-riscv64'
const HAVE_QEMU = spawnSync(QEMU, ['--version']).status === 0
const skipNote = (have: boolean, what: string): string => (have ? '' : ` [skipped: ${what} not installed]`)

// QEMU virt's PLIC and UART0 (hw/riscv/virt.c), so the nodes compare one to one
const VM: VmFdtOptions = {
  name: 'linux "guest" #1',
  harts: 2,
  timebaseHz: 10_000_000,
  memory: [{ base: 0x8020_0000, size: 64 << 20 }],
  plic: { base: 0xc00_0000, size: 0x60_0000, ndev: 96 },
  uarts: [{ base: 0x1000_0000, size: 0x100, irq: 10 }],
  bootargs: 'console=ttyS0 earlycon=sbi',
}

const tree = (opts: VmFdtOptions = VM): FdtTreeNode => parseFdt(buildVmFdt(opts)).root
const node = (root: FdtTreeNode, path: string): FdtTreeNode => {
  const n = fdtFind(root, path)
  if (n === undefined) throw new Error(`no node ${path}`)
  return n
}
const u32s = (n: FdtTreeNode, prop: string): number[] => fdtU32s(fdtGet(n, prop) ?? new Uint8Array(1))
const strs = (n: FdtTreeNode, prop: string): string[] => fdtStrings(fdtGet(n, prop) ?? new Uint8Array(0))

/** phandle → absolute path of the node carrying it. */
function phandles(root: FdtTreeNode): Map<number, string> {
  const out = new Map<number, string>()
  const walk = (n: FdtTreeNode, path: string): void => {
    const p = fdtGet(n, 'phandle')
    if (p !== undefined) out.set(fdtU32s(p)[0], path || '/')
    for (const c of n.children) walk(c, `${path}/${c.name}`)
  }
  walk(root, '')
  return out
}

/** `interrupts-extended` as (hart, cause) pairs, the phandles resolved to the cpu intc's hart. */
function plicContexts(root: FdtTreeNode, plicPath: string): [number, number][] {
  const byPhandle = phandles(root)
  const cells = u32s(node(root, plicPath), 'interrupts-extended')
  const out: [number, number][] = []
  for (let i = 0; i < cells.length; i += 2) {
    const intc = byPhandle.get(cells[i]) ?? '?'
    expect(intc).toMatch(/^\/cpus\/cpu@[0-9a-f]+\/interrupt-controller$/)
    out.push([u32s(node(root, intc.replace(/\/interrupt-controller$/, '')), 'reg')[0], cells[i + 1]])
  }
  return out
}

describe('buildVmFdt: what a Linux or U-Boot boot reads', () => {
  const root = tree()

  it('names the VM in model, verbatim, and claims baobab,vm and riscv-virtio', () => {
    expect(strs(root, 'model')).toEqual(['linux "guest" #1'])
    expect(strs(root, 'compatible')).toEqual(['baobab,vm', 'riscv-virtio'])
    expect(u32s(root, '#address-cells')).toEqual([2])
    expect(u32s(root, '#size-cells')).toEqual([2])
  })

  it('describes the memory region in 2+2 cells', () => {
    const mem = node(root, '/memory@80200000')
    expect(strs(mem, 'device_type')).toEqual(['memory'])
    expect(u32s(mem, 'reg')).toEqual([0, 0x8020_0000, 0, 0x400_0000])
  })

  it('lists each hart with its isa, mmu type and a cpu interrupt controller', () => {
    const cpus = node(root, '/cpus')
    expect(u32s(cpus, 'timebase-frequency')).toEqual([10_000_000])
    expect(cpus.children.map((c) => c.name)).toEqual(['cpu@0', 'cpu@1'])
    cpus.children.forEach((cpu, h) => {
      expect(u32s(cpu, 'reg')).toEqual([h])
      expect(strs(cpu, 'device_type')).toEqual(['cpu'])
      expect(strs(cpu, 'status')).toEqual(['okay'])
      expect(strs(cpu, 'riscv,isa')).toEqual(['rv64imafdc_zicsr_zifencei'])
      expect(strs(cpu, 'riscv,isa-base')).toEqual(['rv64i'])
      expect(strs(cpu, 'riscv,isa-extensions')).toEqual(['i', 'm', 'a', 'f', 'd', 'c', 'zicsr', 'zifencei'])
      expect(strs(cpu, 'mmu-type')).toEqual(['riscv,sv39'])
      const intc = node(cpu, 'interrupt-controller')
      expect(strs(intc, 'compatible')).toEqual(['riscv,cpu-intc'])
      expect(u32s(intc, '#interrupt-cells')).toEqual([1])
      expect(fdtGet(intc, 'interrupt-controller')).toEqual(new Uint8Array(0))
      expect(fdtGet(intc, 'phandle')).toBeDefined()
    })
  })

  it('wires the PLIC to M (11) and S (9) external interrupts of each hart, contexts 2h and 2h+1', () => {
    const plic = node(root, '/soc/plic@c000000')
    expect(strs(plic, 'compatible')).toEqual(['sifive,plic-1.0.0', 'riscv,plic0'])
    expect(u32s(plic, 'reg')).toEqual([0, 0xc00_0000, 0, 0x60_0000])
    expect(u32s(plic, 'riscv,ndev')).toEqual([96])
    expect(plicContexts(root, '/soc/plic@c000000')).toEqual([[0, 11], [0, 9], [1, 11], [1, 9]])
  })

  it('gives the UART its clock, its PLIC source and the console in /chosen', () => {
    const uart = node(root, '/soc/serial@10000000')
    expect(strs(uart, 'compatible')).toEqual(['ns16550a'])
    expect(u32s(uart, 'clock-frequency')).toEqual([3_686_400])
    expect(u32s(uart, 'interrupts')).toEqual([10])
    expect(phandles(root).get(u32s(uart, 'interrupt-parent')[0])).toBe('/soc/plic@c000000')
    const chosen = node(root, '/chosen')
    expect(strs(chosen, 'bootargs')).toEqual(['console=ttyS0 earlycon=sbi'])
    expect(strs(chosen, 'stdout-path')).toEqual(['/soc/serial@10000000'])
  })

  it('puts /soc on a simple-bus with identity ranges', () => {
    const soc = node(root, '/soc')
    expect(strs(soc, 'compatible')).toEqual(['simple-bus'])
    expect(fdtGet(soc, 'ranges')).toEqual(new Uint8Array(0))
    expect(u32s(soc, '#address-cells')).toEqual([2])
    expect(u32s(soc, '#size-cells')).toEqual([2])
  })

  it('leaves out the PLIC and interrupt wiring when the VM has none', () => {
    const r = tree({ ...VM, plic: null, uarts: [{ base: 0x1000_0000, size: 0x100 }], stdoutPath: '/soc/serial@10000000:115200n8', bootargs: undefined })
    expect(node(r, '/soc').children.map((c) => c.name)).toEqual(['serial@10000000'])
    expect(fdtGet(node(r, '/soc/serial@10000000'), 'interrupts')).toBeUndefined()
    expect(fdtGet(node(r, '/chosen'), 'bootargs')).toBeUndefined()
    expect(strs(node(r, '/chosen'), 'stdout-path')).toEqual(['/soc/serial@10000000:115200n8'])
  })

  it('names memory above 4 GiB by its full address', () => {
    const r = tree({ ...VM, memory: [{ base: 0x8000_0000, size: 0x1000 }, { base: 0x1_0000_0000n, size: 0x1_0000_0000 }] })
    expect(u32s(node(r, '/memory@100000000'), 'reg')).toEqual([1, 0, 1, 0])
  })

  it('rejects options it cannot describe, naming the option', () => {
    const bad: [Partial<VmFdtOptions>, string][] = [
      [{ harts: 0 }, 'harts'],
      [{ memory: [] }, 'memory'],
      [{ memory: [{ base: 0x8000_0000, size: 0 }] }, 'memory[0]'],
      [{ plic: null }, 'uarts[0].irq'],
      [{ uarts: [{ base: 0x1000_0000, size: 0x100, irq: 0 }] }, 'uarts[0].irq'],
      [{ uarts: [{ base: 0x1000_0000, size: 0x100, irq: 97 }] }, 'uarts[0].irq'],
      [{ isa: 'x86_64' }, 'isa'],
    ]
    for (const [patch, path] of bad) {
      let err: unknown
      try {
        buildVmFdt({ ...VM, ...patch })
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(FdtError)
      expect((err as FdtError).path).toBe(path)
    }
  })
})

describe('splitIsa', () => {
  it('splits an ISA string into riscv,isa-base and riscv,isa-extensions', () => {
    expect(splitIsa('rv64imafdch_zicsr_zifencei_sstc')).toEqual({ base: 'rv64i', extensions: ['i', 'm', 'a', 'f', 'd', 'c', 'h', 'zicsr', 'zifencei', 'sstc'] })
    expect(splitIsa('rv64gc')).toEqual({ base: 'rv64i', extensions: ['i', 'm', 'a', 'f', 'd', 'zicsr', 'zifencei', 'c'] })
    expect(splitIsa('rv32emc')).toEqual({ base: 'rv32e', extensions: ['e', 'm', 'c'] })
  })
})

describe.skipIf(!HAVE_DTC)(`buildVmFdt through dtc${skipNote(HAVE_DTC, 'dtc (apt-get install -y device-tree-compiler)')}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'baobab-vm-fdt-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('decompiles without warnings and shows the boot nodes', () => {
    const file = join(dir, 'vm.dtb')
    writeFileSync(file, buildVmFdt(VM))
    const r = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', file], { encoding: 'utf8' })
    expect(r.status).toBe(0)
    expect(r.stderr).toBe('')
    for (const want of ['memory@80200000 {', 'cpu@0 {', 'cpu@1 {', 'plic@c000000 {', 'serial@10000000 {', 'chosen {']) {
      expect(r.stdout).toContain(want)
    }
    expect(r.stdout).toContain('model = "linux \\"guest\\" #1";')
    expect(r.stdout).toContain('interrupts-extended = <0x01 0x0b 0x01 0x09 0x02 0x0b 0x02 0x09>;')
  })
})

describe.skipIf(!HAVE_QEMU)(`buildVmFdt against QEMU virt's own tree${skipNote(HAVE_QEMU, QEMU)}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'baobab-qemu-dtb-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const dumped = (): FdtTreeNode => {
    const file = join(dir, 'virt.dtb')
    const r = spawnSync(QEMU, ['-M', `virt,dumpdtb=${file}`, '-smp', '2', '-m', '64M', '-display', 'none', '-bios', 'none'], { encoding: 'utf8' })
    expect(r.status).toBe(0)
    return parseFdt(new Uint8Array(readFileSync(file))).root
  }
  const qemu = HAVE_QEMU ? dumped() : undefined
  const ours = tree()
  const names = (n: FdtTreeNode): string[] => n.props.map((p) => p.name).filter((p) => p !== 'phandle').sort()
  const same = (path: string, props: string[], qpath = path): void => {
    const q = node(qemu!, qpath)
    const o = node(ours, path)
    for (const p of props) expect({ path, p, v: fdtGet(o, p) }).toEqual({ path, p, v: fdtGet(q, p) })
  }

  it('has the same cpus node and per-cpu properties, isa and mmu-type aside', () => {
    same('/cpus', ['#address-cells', '#size-cells', 'timebase-frequency'])
    for (const cpu of ['cpu@0', 'cpu@1']) {
      const q = node(qemu!, `/cpus/${cpu}`)
      // ours adds riscv,isa-base and riscv,isa-extensions (newer bindings); QEMU 7.2 has only riscv,isa
      expect(names(node(ours, `/cpus/${cpu}`))).toEqual(expect.arrayContaining(names(q)))
      same(`/cpus/${cpu}`, ['device_type', 'reg', 'status', 'compatible'])
      const intc = `/cpus/${cpu}/interrupt-controller`
      expect(names(node(ours, intc))).toEqual(expect.arrayContaining(names(node(qemu!, intc))))
      same(intc, names(node(qemu!, intc)))
    }
  })

  it('has the same PLIC node, contexts resolved to harts', () => {
    const p = '/soc/plic@c000000'
    same(p, names(node(qemu!, p)).filter((n) => n !== 'interrupts-extended'))
    expect(names(node(ours, p))).toEqual(names(node(qemu!, p)))
    expect(plicContexts(ours, p)).toEqual(plicContexts(qemu!, p))
  })

  it('has the same UART node, interrupt parent resolved to the PLIC', () => {
    const u = '/soc/serial@10000000'
    expect(names(node(ours, u))).toEqual(names(node(qemu!, u)))
    same(u, names(node(qemu!, u)).filter((n) => n !== 'interrupt-parent'))
    expect(phandles(ours).get(u32s(node(ours, u), 'interrupt-parent')[0])).toBe('/soc/plic@c000000')
    expect(phandles(qemu!).get(u32s(node(qemu!, u), 'interrupt-parent')[0])).toBe('/soc/plic@c000000')
  })

  it('has the same root cells, /soc bus and memory node shape', () => {
    same('/', ['#address-cells', '#size-cells'])
    same('/soc', ['#address-cells', '#size-cells', 'compatible', 'ranges'])
    same('/memory@80200000', ['device_type'], '/memory@80000000')
    expect(strs(qemu!, 'compatible')).toEqual(['riscv-virtio'])
    expect(strs(ours, 'compatible')).toContain('riscv-virtio')
    expect(strs(node(qemu!, '/chosen'), 'stdout-path')).toEqual(strs(node(ours, '/chosen'), 'stdout-path'))
  })
})
