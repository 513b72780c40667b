/**
 * Host memory as Bao manages it (issue 12): VM regions come from page pools over the board's RAM,
 * so a region's base is a guest address only; coloured VMs and shmem get only pages of their
 * colours; placed regions land exactly; nothing is in two VMs unless declared shared; destroying
 * a VM gives its pages back. Checked on running guests, page by page through their stage-2 maps.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Workbench } from '../core/api.ts'
import { validateConfig } from '../core/hypervisor/config.ts'
import { ConfigErrors } from '../core/hypervisor/config-error.ts'
import { colourGeometry, pageColour } from '../core/hypervisor/colours.ts'
import type { Vm } from '../core/hypervisor/vm.ts'
import { qemuVirtRiscv64 } from '../plugins/board-qemu-virt-riscv64/qemu-virt-riscv64.ts'

const root = join(import.meta.dirname, '..')
const TWO_VMS = join(root, 'configs', 'two-vms.json')
const DEMO = '../guests/images/riscv64-vm/demo-0x80200000.bin'
const PAGE = 4096
const G = colourGeometry(qemuVirtRiscv64.caches)

/** every host page behind `vm`'s RAM and IPC windows, with the guest page it backs */
function hostPages(vm: Vm, kinds: string[] = ['ram', 'ipc']): { gpa: number; pa: number; kind: string }[] {
  return vm.stage2.entries.filter((e) => kinds.includes(e.kind)).flatMap((e) =>
    Array.from({ length: e.size / PAGE }, (_, i) => ({ gpa: e.gpa + i * PAGE, pa: e.pa + i * PAGE, kind: e.kind })))
}

/** the two-VM demo with both VMs coloured (disjoint halves of the colours), a placed third region and a coloured shmem both see */
function coloured(): unknown {
  const data = JSON.parse(readFileSync(TWO_VMS, 'utf8'))
  data.shmem = [{ size: '64K', colors: '0xf0000000' }]
  data.vms[0].colors = '0x0000ffff'
  data.vms[1].colors = '0xffff0000'
  data.vms[0].regions.push({ base: '0x90000000', size: '1M', phys: '0xa0000000' })
  for (const vm of data.vms) vm.ipcs = [{ base: '0xf0000000', size: '64K', shmemId: 0, interrupts: [] }]
  return data
}

describe('page pools: a region base is a guest address', () => {
  it('two-vms.json runs one demo image in two VMs at the same guest addresses, on disjoint host pages', async () => {
    const wb = await Workbench.open({ config: TWO_VMS })
    const [a, b] = wb.hypervisor!.vms
    expect(a!.config.regions[0]!.base).toBe(b!.config.regions[0]!.base)
    expect(a!.config.image!.path).toBe(b!.config.image!.path)
    wb.run(20)
    expect(wb.vm('vm1').console.read()).toContain('hello from vm1 hart 0\nconsole: uart\n')
    expect(wb.vm('vm2').console.read()).toContain('hello from vm2 hart 0\nconsole: dbcn\n')
    const pa = new Set(hostPages(a!).map((p) => p.pa))
    expect(hostPages(b!).filter((p) => pa.has(p.pa))).toEqual([])
    // a guest's own store reaches its own page only: the same guest address, two host pages
    const ga = a!.gpaToPa(0x8020_0000), gb = b!.gpaToPa(0x8020_0000)
    expect(ga).not.toBe(gb)
    expect(wb.machine.bus.dump(ga, 64)).toEqual(wb.machine.bus.dump(gb, 64)) // the same image in both
  })

  it('coloured VMs and shmem: every page of each has a colour of its bitmap, the placed region lands exactly, nothing is in two VMs but the shmem', async () => {
    expect(G).toMatchObject({ colorSize: 1, colorNum: 32 })
    const wb = await Workbench.open({ config: TWO_VMS, configData: coloured() })
    const [a, b] = wb.hypervisor!.vms
    wb.run(20)
    expect(wb.vm('vm1').console.read()).toContain('hello from vm1 hart 0\nconsole: uart\n')
    expect(wb.vm('vm2').console.read()).toContain('hello from vm2 hart 0\nconsole: dbcn\n')
    const colourOf = (pa: number): number => pageColour(pa, G)
    const pagesA = hostPages(a!), pagesB = hostPages(b!)
    // 64 MiB + 1 MiB of RAM and 64 KiB of IPC in A, 64 MiB + 64 KiB in B: each page once
    expect(pagesA).toHaveLength((64 * 256) + 256 + 16)
    expect(pagesB).toHaveLength((64 * 256) + 16)
    for (const p of pagesA) {
      if (p.kind === 'ipc') expect(colourOf(p.pa)).toBeGreaterThanOrEqual(28)
      else if (p.gpa >= 0x9000_0000 && p.gpa < 0x9010_0000) expect(p.pa).toBe(0xa000_0000 + (p.gpa - 0x9000_0000)) // placed: exactly, uncoloured
      else expect(colourOf(p.pa)).toBeLessThan(16)
    }
    for (const p of pagesB) {
      if (p.kind === 'ipc') expect(colourOf(p.pa)).toBeGreaterThanOrEqual(28)
      else { expect(colourOf(p.pa)).toBeGreaterThanOrEqual(16) }
    }
    // a coloured window is mapped page by page in colour order: guest order = host order
    const ramA = pagesA.filter((p) => p.kind === 'ram' && p.gpa < 0x9000_0000)
    expect(ramA.every((p, i) => i === 0 || p.pa > ramA[i - 1]!.pa)).toBe(true)
    // only the shmem's pages are in both VMs
    const inA = new Map(pagesA.map((p) => [p.pa, p.kind]))
    const both = pagesB.filter((p) => inA.has(p.pa))
    expect(both.length).toBe(16)
    expect(both.every((p) => p.kind === 'ipc' && inA.get(p.pa) === 'ipc')).toBe(true)
  })

  it('destroying a VM gives its pages back to the pools, and a VM made at run time takes them again', async () => {
    const wb = await Workbench.open({ config: TWO_VMS })
    const hv = wb.hypervisor!
    const free0 = hv.phys.freeBytes
    wb.hv.destroy('vm2')
    expect(hv.phys.freeBytes).toBe(free0 + 64 * 1024 * 1024)
    const data = JSON.parse(readFileSync(TWO_VMS, 'utf8'))
    for (let i = 0; i < 20; i++) {
      wb.hv.create({ ...data.vms[1], name: `again${i}`, image: { path: DEMO, baseAddr: '0x80200000' } })
      expect(hv.phys.freeBytes).toBe(free0)
      wb.hv.destroy(`again${i}`)
      expect(hv.phys.freeBytes).toBe(free0 + 64 * 1024 * 1024)
    }
    // a region over the vPLIC every VM has: refused by the config rules, nothing taken
    expect(() => wb.hv.create({ ...data.vms[1], name: 'onplic', image: { path: DEMO, baseAddr: '0x80200000' }, regions: [{ base: '0x80200000', size: '64M' }, { base: '0x0c000000', size: '1M' }] }))
      .toThrow(/regions\[1\]: overlaps the vPLIC/)
    expect(hv.phys.freeBytes).toBe(free0 + 64 * 1024 * 1024)
    // more than the pools hold: refused, with what was asked and what is free, and nothing taken
    expect(() => wb.hv.create({ ...data.vms[1], name: 'huge', regions: [{ base: '0x80200000', size: '0x7f000000' }] }))
      .toThrow(/hv.create: huge.regions\[0\].size: VM 'huge' region 0x80200000 asks 2032 MiB of host RAM: [\d.]+ MiB is free/)
    expect(hv.phys.freeBytes).toBe(free0 + 64 * 1024 * 1024)
  })
})

describe('colour rules in the config', () => {
  const errorsOf = (data: unknown): [string, string][] => {
    try {
      validateConfig(data, { baseDir: join(root, 'configs'), board: qemuVirtRiscv64 })
      return []
    } catch (e) {
      if (!(e instanceof ConfigErrors)) throw e
      return e.errors.map((x) => [x.path, x.rule])
    }
  }
  it('a colour the board does not have, on a VM, a region, shmem and the hypervisor', () => {
    const data = coloured() as { vms: { colors: string; regions: { colors?: string }[] }[]; shmem: { colors: string }[]; hypColors?: string }
    data.vms[1]!.colors = '0x100000000'
    data.vms[0]!.regions[0]!.colors = '0x200000000'
    data.shmem[0]!.colors = '0x400000000'
    data.hypColors = '0x800000000'
    expect(errorsOf(data)).toEqual([
      ['hypColors', 'colour 35 does not exist: board qemu-virt-riscv64 has 32 colours (0..31)'],
      ['shmem[0].colors', 'colour 34 does not exist: board qemu-virt-riscv64 has 32 colours (0..31)'],
      ['vms[0].regions[0].colors', 'colour 33 does not exist: board qemu-virt-riscv64 has 32 colours (0..31)'],
      ['vms[1].colors', 'colour 32 does not exist: board qemu-virt-riscv64 has 32 colours (0..31)'],
    ])
  })
  it('too few free pages of the asked colours', () => {
    const data = coloured() as { vms: { colors: string; regions: { size: string }[] }[] }
    // one colour of 32 is 1/32 of 2 GiB = 64 MiB, less what the reservations and shmem took of it
    data.vms[1]!.colors = '0x00010000'
    data.vms[1]!.regions[0]!.size = '128M'
    expect(errorsOf(data)).toEqual([['vms[1].regions[0].size', expect.stringMatching(/^VM 'vm2' region 0x80200000 asks 128 MiB of colours 0x10000: 6\d\.\d\d MiB of its colours is free$/)]])
  })
})

describe('the API', () => {
  it('vm(x).mem.pa(gpa): the host page behind a guest address and its colour; refuses what is not RAM', async () => {
    const wb = await Workbench.open({ config: TWO_VMS, configData: coloured() })
    const [a] = wb.hypervisor!.vms
    for (const gpa of [0x8020_0000, 0x8020_1234, 0x8420_0000 - 4, 0x9000_0000, 0xf000_0000]) {
      const r = wb.vm('vm1').mem.pa(gpa)
      expect(r.pa).toBe(a!.gpaToPa(gpa))
      expect(r.colour).toBe(pageColour(r.pa, G))
    }
    expect(wb.vm('vm1').mem.pa(0x8020_0000).colour).toBeLessThan(16)
    expect(wb.vm('vm2').mem.pa(0x8020_0000).colour).toBeGreaterThanOrEqual(16)
    expect(() => wb.vm('vm1').mem.pa(0x7000_0000)).toThrow(/nothing the API can reach at 0x70000000/)
    expect(() => wb.vm('vm1').mem.pa(-1)).toThrow(/gpa/)
  })
})
