import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { Workbench } from './api.ts'
import { definePlugin, PluginHost } from './plugins.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const TWO_VMS = join(root, 'configs', 'two-vms.json')

/** a plugin that counts RAM stores on every machine's bus (what an LLC model would see) */
const counter = (counts: { w: number }) => definePlugin({
  name: 'feat-store-counter',
  kind: 'feature',
  version: '1.0.0',
  setup(ctx) {
    ctx.bus.observe((_bus, board) => {
      const ram = board.memory[0]!
      return (kind, pa) => { if (kind === 'w' && pa >= ram.base && pa < ram.base + ram.size) counts.w++ }
    })
  },
})

describe('bus observers a plugin adds through its ctx', () => {
  it('see the guests\' stores on a machine built before the plugin loaded, stop at unload, and leave the fast path as it was', async () => {
    const plugins = new PluginHost()
    const wb = await Workbench.open({ config: TWO_VMS, plugins })
    wb.run(2)
    const before = wb.stats().instructions
    const counts = { w: 0 }
    await plugins.use(counter(counts))
    expect(wb.machine.bus.observed).toBe(true)
    wb.run(20)
    expect(counts.w).toBeGreaterThan(100)
    plugins.unload('feat-store-counter')
    expect(wb.machine.bus.observed).toBe(false)
    const seen = counts.w
    wb.run(20)
    expect(counts.w).toBe(seen)
    expect(wb.stats().instructions).toBeGreaterThan(before)
  })

  it('are on every machine built while the plugin is loaded, and observing changes no guest output', async () => {
    const counts = { w: 0 }
    const watched = new PluginHost()
    await watched.use(counter(counts))
    const a = await Workbench.open({ config: TWO_VMS, plugins: watched })
    const b = await Workbench.open({ config: TWO_VMS })
    a.run(10)
    b.run(10)
    expect(counts.w).toBeGreaterThan(100)
    expect(a.vm('vm1').console.read()).toBe(b.vm('vm1').console.read())
    expect(a.stats().instructions).toBe(b.stats().instructions)
  })
})
