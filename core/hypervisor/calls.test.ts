import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { Workbench } from '../api.ts'
import { definePlugin, PluginHost } from '../plugins.ts'
import { CallTable, SERVICE_HYPERCALL, type Call, type CallRoute } from './calls.ts'
import type { Hypervisor } from './hypervisor.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const TWO_VMS = join(root, 'configs', 'two-vms.json')

const answer = (v: bigint): CallRoute['handler'] => () => [0n, v]
const call = (t: CallTable, conduit: string, service: number | string, fn: number): bigint | undefined =>
  t.find(conduit, service, fn)?.handler({ conduit, service, fn, args: [] } as unknown as Call)?.[1]

describe('CallTable: register, route, unload', () => {
  it('routes by service, then conduit, then function range; nothing for what no route names', () => {
    const t = new CallTable()
    t.add({ service: 0x10, handler: answer(1n) })
    t.add({ conduit: 'smc', service: 'tee', handler: answer(2n) })
    t.add({ service: SERVICE_HYPERCALL, fns: [3 << 16, (3 << 16) | 0xffff], handler: answer(3n) })
    expect(call(t, 'ecall', 0x10, 7)).toBe(1n)
    expect(call(t, 'hvc', 0x10, 0)).toBe(1n) // no conduit: any conduit
    expect(call(t, 'smc', 'tee', 0x32000004)).toBe(2n)
    expect(t.find('ecall', 'tee', 0x32000004)).toBeUndefined() // that route is the SMC conduit's only
    expect(call(t, 'ecall', SERVICE_HYPERCALL, (3 << 16) | 8)).toBe(3n)
    expect(t.find('ecall', SERVICE_HYPERCALL, 1)).toBeUndefined() // class 0 is not in the range
    expect(t.find('ecall', SERVICE_HYPERCALL, 4 << 16)).toBeUndefined()
    expect(t.find('ecall', 0x11, 0)).toBeUndefined()
    expect(t.serves('ecall', 0x10)).toBe(true)
    expect(t.serves('ecall', 'tee')).toBe(false)
    expect(t.serves('smc', 'tee')).toBe(true)
  })

  it('a later route for the same calls wins, and removing it brings the earlier one back', () => {
    const t = new CallTable()
    const offA = t.add({ service: 5, handler: answer(1n) })
    const offB = t.add({ service: 5, fns: [0, 9], handler: answer(2n) })
    expect(call(t, 'ecall', 5, 3)).toBe(2n)
    expect(call(t, 'ecall', 5, 10)).toBe(1n) // outside B's range: A still serves it
    offB()
    expect(call(t, 'ecall', 5, 3)).toBe(1n)
    offB() // twice is harmless
    offA()
    expect(t.find('ecall', 5, 3)).toBeUndefined()
    expect(t.serves('ecall', 5)).toBe(false)
    expect(t.list()).toEqual([])
  })
})

/** a vendor SBI extension (SBI §3: 0x09000000–0x09FFFFFF is the vendor range) a user's plugin adds */
const VENDOR_EID = 0x09000042
const BASE = 0x10, PROBE = 3, NOT_SUPPORTED = -2n

const vendorPlugin = (seen: string[]) => definePlugin({
  name: 'feat-vendor-call',
  kind: 'feature',
  version: '1.0.0',
  setup(ctx) {
    ctx.calls.register({ conduit: 'ecall', service: VENDOR_EID, handler: (c) => [0n, c.args[0]! * 2n + BigInt(c.fn)] })
    ctx.hooks.on('vmDestroyed', (_hv: Hypervisor, vm) => { seen.push(vm.name) })
  },
})

describe('routes and hooks a plugin adds through its ctx reach the guest, and unload removes them', () => {
  it('an SBI call a feature serves: answered, probed as present; after unload: not supported, probed absent, hook gone', async () => {
    const plugins = new PluginHost()
    const seen: string[] = []
    await plugins.use(vendorPlugin(seen))
    const wb = await Workbench.open({ config: TWO_VMS, plugins })
    wb.run(1)
    expect(wb.hv.hypercall('vm2', 0, VENDOR_EID, 1, 20)).toEqual({ error: 0n, value: 41n })
    expect(wb.hv.hypercall('vm2', 0, BASE, PROBE, VENDOR_EID)).toEqual({ error: 0n, value: 1n })
    plugins.unload('feat-vendor-call')
    expect(wb.hv.hypercall('vm2', 0, VENDOR_EID, 1, 20).error).toBe(NOT_SUPPORTED)
    expect(wb.hv.hypercall('vm2', 0, BASE, PROBE, VENDOR_EID)).toEqual({ error: 0n, value: 0n })
    // the arch's own extensions stay
    expect(wb.hv.hypercall('vm2', 0, BASE, PROBE, BASE)).toEqual({ error: 0n, value: 1n })
    wb.hv.destroy('vm2')
    expect(seen).toEqual([])
  })

  it('the hook a feature adds sees every VM destroyed while it is loaded', async () => {
    const plugins = new PluginHost()
    const seen: string[] = []
    await plugins.use(vendorPlugin(seen))
    const wb = await Workbench.open({ config: TWO_VMS, plugins })
    wb.hv.destroy('vm2')
    expect(seen).toEqual(['vm2'])
  })
})
