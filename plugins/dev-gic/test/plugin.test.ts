import { describe, expect, it } from 'vitest'
import { PluginHost } from '../../../core/plugins.ts'
import { board } from './setup.ts'

describe('dev-gic plugin', () => {
  it('loads by name and registers gicv2 and gicv3, whose factories build working devices', async () => {
    const host = new PluginHost()
    await host.load('dev-gic')
    const v2 = host.devices.get('gicv2')!
    const v3 = host.devices.get('gicv3')!
    expect([typeof v2, typeof v3]).toEqual(['function', 'function'])
    // QEMU virt's maps: GICv2 GICD 0x08000000 + GICC 0x08010000; GICv3 GICD 0x08000000 + GICR 0x080a0000
    const a = board(v2, { base: 0x0800_0000, size: 0x2_0000, cpus: 4 })
    const b = board(v3, { base: 0x0800_0000, size: 0xa_0000 + 4 * 0x2_0000, cpus: 4 })
    expect(a.rd(0x0800_0004) & 0xff).toBe(8 | (3 << 5))
    expect(b.rd(0x080a_0000 + 3 * 0x2_0000 + 8)).toBe((3 << 8) | (1 << 4))
  })
})
