/**
 * An Arm VM's config and device tree: CROSSCON's per-VM `arch.gic` block (defaults from the
 * board's GIC, overrides moving the vGIC, overlaps as config errors with the field path and the
 * rule), and the DTB its boot vCPU gets in x0.
 */
import { describe, expect, it } from 'vitest'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bootConfig } from '../../../core/boot.ts'
import { fdtFind, fdtGet, fdtStrings, fdtU32s, parseFdt } from '../../../core/fdt.ts'
import { loadConfig } from '../../../core/hypervisor/config.ts'
import { PluginHost } from '../../../core/plugins.ts'
import type { A64Hyp } from '../hyp/a64-hyp.ts'

const here = dirname(fileURLToPath(import.meta.url))
const IMAGE = join(here, 'images', 'hyp', 'hello-pt.bin')

function vmConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'vm', image: { path: IMAGE, baseAddr: '0x50000000' }, cpuNum: 2,
    regions: [{ base: '0x50000000', size: '1M' }],
    devs: [{ pa: '0x09000000', va: '0x09000000', size: '0x1000', interrupts: [33] }, { size: 0, interrupts: [27] }],
    ...extra,
  }
}

async function check(vm: Record<string, unknown>, ...more: Record<string, unknown>[]): Promise<string> {
  try {
    await loadConfig(join(here, 'configs', 'inline.json'), new PluginHost(), { data: { board: 'qemu-virt-aarch64', vms: [vm, ...more] } })
    return 'ok'
  } catch (e) {
    return (e as Error).message
  }
}

describe('aarch64 VM config: interrupts', () => {
  it('lets VMs on different CPUs each have the timer PPI (the board wires it per CPU), but not one SPI', async () => {
    const two = (devs1: unknown[]): [Record<string, unknown>, Record<string, unknown>] => [
      vmConfig({ name: 'a', cpuNum: 1, cpuAffinity: '0x1' }),
      vmConfig({ name: 'b', cpuNum: 1, cpuAffinity: '0x2', devs: devs1 }),
    ]
    expect(await check(...two([{ size: 0, interrupts: [27] }]))).toBe('ok')
    expect(await check(...two([{ pa: '0x090c0000', va: '0x09000000', size: '0x1000', interrupts: [33] }])))
      .toContain('vms[1].devs[0].interrupts[0]: interrupt 33 is already assigned to vms[0]')
  })
})

describe('aarch64 VM config: arch.dtbAddr', () => {
  it('is refused by config check outside the VM\'s regions (where booting would fail), taken inside', async () => {
    expect(await check(vmConfig({ arch: { dtbAddr: '0x50080000' } }))).toBe('ok')
    expect(await check(vmConfig({ arch: { dtbAddr: '0x40000000' } })))
      .toContain("vms[0].arch.dtbAddr: 0x40000000 is in none of the VM's regions: its device tree is written there")
    expect(await check(vmConfig({ arch: { dtbAddr: '0x50000004' } }))).toContain('vms[0].arch.dtbAddr')
  })
})

describe('aarch64 VM config: the arch block', () => {
  it('defaults to the board\'s GIC: the vGIC distributor at GICD, the GICV frame at GICC', async () => {
    const sys = await bootConfig(join(here, 'configs', 'smp.json'))
    const vm = sys.hv.vms[0]!
    expect((sys.hv.arch as A64Hyp).vmArch(vm).gic).toMatchObject({ gicdAddr: 0x08000000, giccAddr: 0x08010000, interruptNum: 288, version: 2 })
    expect(vm.stage2.lookup(0x08000000)?.name).toBe('vgicd')
    expect(vm.stage2.lookup(0x08010000)?.name).toBe('gicv')
  })

  it('takes CROSSCON\'s fields in camelCase and refuses unknown ones with their path', async () => {
    expect(await check(vmConfig({ arch: { gic: { gicdAddr: '0xf9010000', giccAddr: '0xf9020000', interruptNum: 64 } } }))).toBe('ok')
    expect(await check(vmConfig({ arch: { gic: { gicdAddress: 1 } } }))).toMatch(/vms\[0\]\.arch\.gic/)
    expect(await check(vmConfig({ arch: { gic: { gicdAddr: 'far' } } }))).toMatch(/vms\[0\]\.arch\.gic\.gicdAddr/)
  })

  it('a region over the VM\'s vGIC window is a config error naming the region and the window', async () => {
    const msg = await check(vmConfig({ arch: { gic: { gicdAddr: '0x50010000' } } }))
    expect(msg).toMatch(/vms\[0\]\.regions\[0\]/)
    expect(msg).toMatch(/vGIC distributor/)
    // the same addresses are fine for a VM whose vGIC sits elsewhere
    expect(await check(vmConfig({ regions: [{ base: '0x08000000', size: '64K' }, { base: '0x50000000', size: '1M' }], arch: { gic: { gicdAddr: '0xf9010000', giccAddr: '0xf9020000' } } }))).toBe('ok')
  })
})

describe('aarch64 VM device tree', () => {
  it('memory, PSCI over SMC, vCPUs, the vGIC at the VM\'s addresses, the timer PPIs and the PL011', async () => {
    const sys = await bootConfig(join(here, 'configs', 'smp.json'))
    const vm = sys.hv.vms[0]!
    const dtb = (sys.hv.arch as A64Hyp).buildDtb(vm)!
    const t = parseFdt(dtb).root
    const str = (path: string, p: string): string[] => fdtStrings(fdtGet(fdtFind(t, path)!, p)!)
    const u32 = (path: string, p: string): number[] => fdtU32s(fdtGet(fdtFind(t, path)!, p)!)
    expect(u32('/memory@50000000', 'reg')).toEqual([0, 0x50000000, 0, 0x100000])
    expect(str('/psci', 'method')).toEqual(['smc'])
    expect(str('/cpus/cpu@1', 'enable-method')).toEqual(['psci'])
    expect(str('/intc@8000000', 'compatible')).toEqual(['arm,cortex-a15-gic'])
    expect(u32('/intc@8000000', 'reg')).toEqual([0, 0x08000000, 0, 0x1000, 0, 0x08010000, 0, 0x2000])
    expect(u32('/timer', 'interrupts').filter((_, i) => i % 3 === 1)).toEqual([13, 14, 11, 10])
    expect(str('/pl011@9000000', 'compatible')).toEqual(['arm,pl011', 'arm,primecell'])
    expect(u32('/pl011@9000000', 'interrupts')).toEqual([0, 1, 4])
    expect(str('/chosen', 'stdout-path')).toEqual(['/pl011@9000000'])
    // the boot vCPU's x0 is where the tree was placed
    expect(vm.dtbAddr).toBeGreaterThan(0)
    expect((sys.hv.arch as A64Hyp).regs(vm.vcpus[0]!).x[0]).toBe(BigInt(vm.dtbAddr))
  })
})
