import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Device, DeviceFactory } from './device.ts'
import { BUILTIN_PLUGINS, PluginError, PluginHost, definePlugin, type Plugin } from './plugins.ts'

const dir = mkdtempSync(join(tmpdir(), 'baobab-plugins-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let files = 0
/** Write a plain-JS ESM plugin file under the temp dir and return its absolute path. */
function pluginFile(source: string, name = `p${files++}.js`): string {
  const p = join(dir, name)
  writeFileSync(p, source)
  return p
}

const nullDevice: DeviceFactory = () => ({}) as Device

/** Run `p`, which must reject with a PluginError, and return the error. */
async function pluginError(p: Promise<unknown>): Promise<PluginError> {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(PluginError)
    return e as PluginError
  }
  throw new Error('expected a PluginError, the promise resolved')
}

describe('PluginHost: built-in plugins', () => {
  it('loads a built-in plugin by name and records what it registered', async () => {
    const host = new PluginHost()
    const p = await host.load('dev-sifive-test')
    expect(p.name).toBe('dev-sifive-test')
    expect(host.has('dev-sifive-test')).toBe(true)
    expect(typeof host.devices.get('sifive-test')).toBe('function')
    expect(host.list()).toEqual([
      { name: 'dev-sifive-test', kind: 'device', version: p.version, source: join(BUILTIN_PLUGINS, 'dev-sifive-test', 'index.ts') },
    ])
  })

  it('loading the same plugin twice is a no-op', async () => {
    const host = new PluginHost()
    const a = await host.load('dev-sifive-test')
    const b = await host.load('dev-sifive-test')
    expect(b).toBe(a)
    expect(host.list()).toHaveLength(1)
  })

  it('pulls in what a plugin requires, before the plugin itself', async () => {
    const host = new PluginHost()
    await host.load('board-qemu-virt-riscv64')
    const names = host.list().map((l) => l.name)
    expect(names).toEqual(expect.arrayContaining(['arch-riscv64', 'dev-ns16550', 'dev-plic', 'dev-aclint', 'dev-sifive-test']))
    expect(names.at(-1)).toBe('board-qemu-virt-riscv64')
    expect(host.archs.has('riscv64')).toBe(true)
    expect([...host.devices.keys()].sort()).toEqual(['aclint', 'ns16550', 'plic', 'sifive-test'])
    expect(host.boards.get('qemu-virt-riscv64')?.arch).toBe('riscv64')
  })

  it('loadBoard finds the board plugin by board name', async () => {
    const host = new PluginHost()
    const b = await host.loadBoard('qemu-virt-riscv64')
    expect(b.name).toBe('qemu-virt-riscv64')
    expect(host.has('board-qemu-virt-riscv64')).toBe(true)
    expect(await host.loadBoard('qemu-virt-riscv64')).toBe(b)
  })

  it("loadBoard('nope') fails with PluginError \"unknown board 'nope'\"", async () => {
    const host = new PluginHost()
    const e = await pluginError(host.loadBoard('nope'))
    expect(e.message).toBe("plugin board-nope: unknown board 'nope'")
    expect(host.list()).toEqual([])
  })

  it('an unknown name fails with a PluginError naming the plugin and where it looked', async () => {
    const host = new PluginHost()
    const e = await pluginError(host.load('dev-no-such-thing'))
    expect(e.plugin).toBe('dev-no-such-thing')
    expect(e.message).toContain('plugin dev-no-such-thing: no plugin of that name')
    expect(e.message).toContain(BUILTIN_PLUGINS)
  })

  it('a path to a missing file fails with a PluginError naming the file', async () => {
    const host = new PluginHost()
    const missing = join(dir, 'missing.js')
    const e = await pluginError(host.load(missing))
    expect(e.message).toContain(`no file ${missing}`)
  })

  it('a plugin requiring an unknown plugin fails with a PluginError and is not installed', async () => {
    const host = new PluginHost()
    const setups: string[] = []
    const e = await pluginError(
      host.use({ name: 'needy', kind: 'feature', version: '1', requires: ['dev-missing'], setup: () => { setups.push('needy') } }),
    )
    expect(e.message).toContain('dev-missing')
    expect(setups).toEqual([])
    expect(host.has('needy')).toBe(false)
  })
})

describe('PluginHost: object plugins (use)', () => {
  it('installs an object plugin, runs its setup once, and lists it', async () => {
    const host = new PluginHost()
    let setups = 0
    const plugin = definePlugin({
      name: 'obj',
      kind: 'device',
      version: '0.1.0',
      setup(ctx) {
        setups++
        ctx.devices.register('null-dev', nullDevice)
        ctx.log('hello')
      },
    })
    expect(await host.use(plugin)).toBe(plugin)
    expect(await host.use(plugin)).toBe(plugin)
    expect(setups).toBe(1)
    expect(host.devices.get('null-dev')).toBe(nullDevice)
    expect(host.log).toEqual(['[obj] hello'])
    expect(host.list()).toEqual([{ name: 'obj', kind: 'device', version: '0.1.0', source: '<object obj>' }])
  })

  it('waits for an async setup before reporting the plugin installed', async () => {
    const host = new PluginHost()
    await host.use({
      name: 'slow', kind: 'device', version: '1',
      async setup(ctx) {
        await new Promise((r) => setTimeout(r, 10))
        ctx.devices.register('slow-dev', nullDevice)
      },
    })
    expect(host.devices.has('slow-dev')).toBe(true)
  })

  it("loads an object plugin's requirements by name first", async () => {
    const host = new PluginHost()
    const order: string[] = []
    await host.use({
      name: 'needs-test', kind: 'feature', version: '1', requires: ['dev-sifive-test'],
      setup: () => { order.push(`setup sees sifive-test: ${host.devices.has('sifive-test')}`) },
    })
    expect(order).toEqual(['setup sees sifive-test: true'])
    expect(host.has('dev-sifive-test')).toBe(true)
  })

  it('a setup that throws gives a PluginError and undoes what setup registered', async () => {
    const host = new PluginHost()
    const e = await pluginError(
      host.use({
        name: 'half', kind: 'device', version: '1',
        setup(ctx) {
          ctx.devices.register('half-a', nullDevice)
          ctx.boards.register({ name: 'half-board', arch: 'x', cpus: 1, cpuHz: 1, timebaseHz: 1, memory: [], devices: [] })
          throw new Error('no clock')
        },
      }),
    )
    expect(e.plugin).toBe('half')
    expect(e.message).toBe('plugin half: setup failed: no clock')
    expect(host.devices.has('half-a')).toBe(false)
    expect(host.boards.has('half-board')).toBe(false)
    expect(host.has('half')).toBe(false)
  })
})

describe('PluginHost: plugin files', () => {
  it('loads a plugin from a .js file path', async () => {
    const host = new PluginHost()
    const f = pluginFile(`export default { name: 'file-ok', kind: 'device', version: '2.0.0',
      setup(ctx) { ctx.devices.register('file-dev', () => ({})) } }\n`)
    const p = await host.load(f)
    expect(p.name).toBe('file-ok')
    expect(host.devices.has('file-dev')).toBe(true)
    expect(host.list()).toEqual([{ name: 'file-ok', kind: 'device', version: '2.0.0', source: f }])
  })

  it('a file whose setup throws gives a PluginError naming the plugin and the cause, and its registrations are undone', async () => {
    const host = new PluginHost()
    const f = pluginFile(`export default { name: 'file-throws', kind: 'device', version: '1',
      setup(ctx) {
        ctx.devices.register('ft-a', () => ({}))
        ctx.archs.register({ name: 'ft-arch', elfMachine: 0, createCpu() { throw new Error('x') } })
        throw new Error('missing parameter "base"')
      } }\n`)
    const e = await pluginError(host.load(f))
    expect(e.message).toBe('plugin file-throws: setup failed: missing parameter "base"')
    expect(host.devices.has('ft-a')).toBe(false)
    expect(host.archs.has('ft-arch')).toBe(false)
    expect(host.has('file-throws')).toBe(false)
    expect(host.list()).toEqual([])
  })

  it('a file whose setup rejects asynchronously is handled the same way', async () => {
    const host = new PluginHost()
    const f = pluginFile(`export default { name: 'file-rejects', kind: 'device', version: '1',
      async setup(ctx) { ctx.devices.register('fr-a', () => ({})); await null; throw new Error('late') } }\n`)
    const e = await pluginError(host.load(f))
    expect(e.message).toBe('plugin file-rejects: setup failed: late')
    expect(host.devices.has('fr-a')).toBe(false)
  })

  it('a file whose default export is not a plugin gives a PluginError', async () => {
    const host = new PluginHost()
    for (const src of [
      `export default 42\n`,
      `export default { name: 'no-setup', kind: 'device', version: '1' }\n`,
      `export const plugin = { name: 'named', kind: 'device', version: '1', setup() {} }\n`,
    ]) {
      const f = pluginFile(src)
      const e = await pluginError(host.load(f))
      expect(e.message).toContain('default export is not a plugin')
      expect(e.message).toContain(f)
    }
    expect(host.list()).toEqual([])
  })

  it('a file that throws while being imported gives a PluginError, not a raw error', async () => {
    const host = new PluginHost()
    const f = pluginFile(`throw new Error('top-level boom')\nexport default {}\n`)
    const e = await pluginError(host.load(f))
    expect(e.message).toContain('top-level boom')
  })

  it('a file with a syntax error gives a PluginError, not a raw error', async () => {
    const host = new PluginHost()
    const f = pluginFile(`export default { name: 'broken', setup( }\n`)
    await pluginError(host.load(f))
  })

  it('plugins that require each other fail with a PluginError instead of importing forever', async () => {
    const host = new PluginHost()
    const a = join(dir, 'cycle-a.js')
    const b = join(dir, 'cycle-b.js')
    // each evaluation counts itself; past a few the module refuses, so a runaway loop ends
    const guard = `globalThis.__baobabCycle = (globalThis.__baobabCycle ?? 0) + 1
if (globalThis.__baobabCycle > 8) throw new Error('imported ' + globalThis.__baobabCycle + ' times')\n`
    pluginFile(`${guard}export default { name: 'cycle-a', kind: 'feature', version: '1', requires: [${JSON.stringify(b)}], setup() {} }\n`, 'cycle-a.js')
    pluginFile(`${guard}export default { name: 'cycle-b', kind: 'feature', version: '1', requires: [${JSON.stringify(a)}], setup() {} }\n`, 'cycle-b.js')
    const e = await pluginError(host.load(a))
    expect(e.message).not.toContain('imported')
    expect((globalThis as { __baobabCycle?: number }).__baobabCycle).toBeLessThanOrEqual(2)
  })
})

describe('PluginHost: unload', () => {
  it('removes what the plugin registered, calls teardown, and forgets the plugin', async () => {
    const host = new PluginHost()
    const calls: string[] = []
    await host.use({
      name: 'gone', kind: 'device', version: '1',
      setup(ctx) {
        ctx.devices.register('gone-a', nullDevice)
        ctx.devices.register('gone-b', nullDevice)
        ctx.boards.register({ name: 'gone-board', arch: 'x', cpus: 1, cpuHz: 1, timebaseHz: 1, memory: [], devices: [] })
      },
      teardown: () => { calls.push('teardown') },
    })
    await host.load('dev-sifive-test')
    host.unload('gone')
    expect(calls).toEqual(['teardown'])
    expect([...host.devices.keys()]).toEqual(['sifive-test'])
    expect(host.boards.size).toBe(0)
    expect(host.has('gone')).toBe(false)
    expect(host.list().map((l) => l.name)).toEqual(['dev-sifive-test'])
  })

  it('unloading a plugin that is not loaded gives a PluginError', () => {
    const host = new PluginHost()
    expect(() => host.unload('ghost')).toThrow(PluginError)
    expect(() => host.unload('ghost')).toThrow('plugin ghost: not loaded')
  })

  it('reloading a file after unload reads the new version of the file', async () => {
    const host = new PluginHost()
    const f = join(dir, 'hot.js')
    pluginFile(`export default { name: 'hot', kind: 'device', version: '1', setup(ctx) { ctx.devices.register('hot-v1', () => ({})) } }\n`, 'hot.js')
    await host.load(f)
    expect(host.devices.has('hot-v1')).toBe(true)
    host.unload('hot')
    pluginFile(`export default { name: 'hot', kind: 'device', version: '2', setup(ctx) { ctx.devices.register('hot-v2', () => ({})) } }\n`, 'hot.js')
    const p = await host.load(f)
    expect(p.version).toBe('2')
    expect([...host.devices.keys()]).toEqual(['hot-v2'])
  })

  it('unload undoes exactly what setup did: an overridden registration gets its previous value back', async () => {
    const host = new PluginHost()
    await host.load('dev-sifive-test')
    const original = host.devices.get('sifive-test')
    await host.use({ name: 'override', kind: 'device', version: '1', setup: (ctx) => ctx.devices.register('sifive-test', nullDevice) })
    expect(host.devices.get('sifive-test')).toBe(nullDevice)
    host.unload('override')
    expect(host.devices.get('sifive-test')).toBe(original)
  })

  it('two files declaring the same plugin name cannot leave registrations that no loaded plugin owns', async () => {
    const host = new PluginHost()
    const f1 = pluginFile(`export default { name: 'dup', kind: 'device', version: '1', setup(ctx) { ctx.devices.register('dup-1', () => ({})) } }\n`)
    const f2 = pluginFile(`export default { name: 'dup', kind: 'device', version: '2', setup(ctx) { ctx.devices.register('dup-2', () => ({})) } }\n`)
    await host.load(f1)
    await host.load(f2).catch((e: unknown) => expect(e).toBeInstanceOf(PluginError))
    while (host.has('dup')) host.unload('dup')
    expect([...host.devices.keys()]).toEqual([])
  })
})

describe('PluginHost instances', () => {
  it('share nothing: what one host loads, another does not see', async () => {
    const a = new PluginHost()
    const b = new PluginHost()
    await a.load('dev-sifive-test')
    const plugin: Plugin = { name: 'only-b', kind: 'feature', version: '1', setup: () => {} }
    await b.use(plugin)
    expect(a.has('only-b')).toBe(false)
    expect(b.has('dev-sifive-test')).toBe(false)
    expect(b.devices.size).toBe(0)
  })
})
