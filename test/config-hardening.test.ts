/**
 * Hostile and broken configs, generated here in a temp folder: each is a ConfigError — exit 2,
 * `file: path: rule` on stderr, nothing on stdout — from `config check` and from `run` alike;
 * never exit 70 (internal error), 13 (Node's unsettled top-level await) or a hang. Loading is
 * unit-tested in-process (loadConfig); the exit codes through the real CLI.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ConfigErrors, loadConfig } from '../core/hypervisor/config.ts'
import { MAX_DEPTH, plainConfig } from '../core/hypervisor/config-data.ts'
import { PluginHost } from '../core/plugins.ts'
import { cli, root, tail, type CliRun } from './hyp-util.ts'

// no package.json here: a .js file is ESM or CommonJS by its own syntax, as in a user's folder
const tmp = mkdtempSync(join(tmpdir(), 'baobab-hostile-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))
writeFileSync(join(tmp, 'tiny.bin'), readFileSync(join(root, 'test', 'fixtures', 'configs', 'images', 'tiny.bin')))

const VM = `{ name: 'a', image: { path: 'tiny.bin', baseAddr: '0x80200000' }, cpuNum: 1, regions: [{ base: '0x80200000', size: '64M' }] }`
/** a valid config as a JS expression */
const BASE = `{ board: 'qemu-virt-riscv64', vms: [${VM}] }`
const baseJson = (): Record<string, unknown> => ({
  board: 'qemu-virt-riscv64',
  vms: [{ name: 'a', image: { path: 'tiny.bin', baseAddr: '0x80200000' }, cpuNum: 1, regions: [{ base: '0x80200000', size: '64M' }] }],
})

function file(name: string, text: string): string {
  const p = join(tmp, name)
  writeFileSync(p, text)
  return p
}

/** VM-stack children nested `n` deep, written as JSON text (JSON.stringify itself would overflow) */
function deepJson(n: number): string {
  const child = (i: number): string => `{"name":"c${i}","entry":"0x80200000","cpuNum":1,"regions":[{"base":"0x80200000","size":"4K"}]`
  let s = '{"board":"qemu-virt-riscv64","vms":[{"name":"a","image":{"path":"tiny.bin","baseAddr":"0x80200000"},"cpuNum":1,"regions":[{"base":"0x80200000","size":"64M"}]'
  for (let i = 0; i < n; i++) s += `,"children":[${child(i)}`
  return `${s}${'}]'.repeat(n)}}]}`
}

/** [path, rule] of each error loadConfig reports; [] when the config loads */
async function errorsOf(f: string, timeoutS?: number): Promise<[string, string][]> {
  try {
    await loadConfig(f, new PluginHost(), { timeoutS })
    return []
  } catch (e) {
    if (!(e instanceof ConfigErrors)) throw e
    return e.errors.map((x) => [x.path, x.rule])
  }
}

/** Refused as bad input: exit 2, nothing on stdout, every stderr line `[baobab: ]file: …` matching `line`. */
function expectRefused(r: CliRun, f: string, line: RegExp): void {
  expect(r.status, tail(r)).toBe(2)
  expect(r.stdout).toBe('')
  expect(r.stderr).not.toMatch(/internal error|^\s+at /m)
  const lines = r.stderr.trimEnd().split('\n')
  expect(lines, tail(r)).toHaveLength(1)
  expect(lines[0]!.replace(/^baobab: /, '')).toMatch(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `))
  expect(lines[0]).toMatch(line)
}

/** `config check` and `run` both refuse `f` with the same line */
async function bothRefuse(f: string, line: RegExp, runArgs: string[] = []): Promise<void> {
  const [check, run] = await Promise.all([cli(['config', 'check', f]), cli(['run', f, ...runArgs])])
  expectRefused(check, f, line)
  expectRefused(run, f, line)
  expect(run.stderr).toBe(`baobab: ${check.stderr}`)
}

describe('the raw config is walked, bounded, before zod sees it', () => {
  it(`a config nested 5,000 deep is refused at the path where it passes ${MAX_DEPTH} levels (check and run)`, async () => {
    const f = file('deep.json', deepJson(5000))
    const errors = await errorsOf(f)
    expect(errors).toHaveLength(1)
    expect(errors[0]![0]).toMatch(/^vms\[0\]\.children\[0\]\.children\[0\]….*children\[0\]/)
    expect(errors[0]![1]).toBe(`nested deeper than ${MAX_DEPTH} levels`)
    await bothRefuse(f, /: vms\[0\]\.children\[0\]\.children\[0\]….*: nested deeper than 100 levels$/)
  })

  it('a .js config nesting 5,000 deep through code is refused the same way', async () => {
    const f = file('deep.mjs', `const c = ${BASE}\nlet v = c.vms[0]\nfor (let i = 0; i < 5000; i++) { const k = { name: 'c' + i, entry: '0x80200000', cpuNum: 1, regions: [] }; v.children = [k]; v = k }\nexport default c\n`)
    const errors = await errorsOf(f)
    expect(errors.map(([, r]) => r)).toEqual([`nested deeper than ${MAX_DEPTH} levels`])
  })

  it('a cyclic .js config names the field that refers back and where to (check and run)', async () => {
    const f = file('cyclic.js', `const c = ${BASE}\nc.vms[0].children = [c.vms[0]]\nexport default c\n`)
    expect(await errorsOf(f)).toEqual([['vms[0].children[0]', 'refers back to vms[0] (a cycle)']])
    await bothRefuse(f, /: vms\[0\]\.children\[0\]: refers back to vms\[0\] \(a cycle\)$/)
  })

  it('a config that contains itself at the top says so', async () => {
    const f = file('self.mjs', `const c = ${BASE}\nc.vms[0].bootargs = c\nexport default c\n`)
    expect(await errorsOf(f)).toEqual([['vms[0].bootargs', 'refers back to the config itself (a cycle)']])
  })

  it('the same object used twice (not a cycle) is fine', async () => {
    const f = file('shared.mjs', `const region = { base: '0x80200000', size: '64M' }\nconst c = ${BASE}\nc.vms[0].regions = [region]\nc.vms.push({ ...c.vms[0], name: 'b', image: { path: 'tiny.bin', baseAddr: '0x90000000' }, regions: [{ ...region, base: '0x90000000' }] })\nexport default c\n`)
    expect(await errorsOf(f)).toEqual([])
  })

  it('a getter that throws is reported at its field (check and run)', async () => {
    const f = file('getter.js', `const c = ${BASE}\nObject.defineProperty(c.vms[0], 'cpuNum', { enumerable: true, get() { throw new Error('boom') } })\nexport default c\n`)
    expect(await errorsOf(f)).toEqual([['vms[0].cpuNum', 'reading it threw: boom']])
    await bothRefuse(f, /: vms\[0\]\.cpuNum: reading it threw: boom$/)
  })

  it('a Proxy whose traps throw is reported at its field (check and run)', async () => {
    const f = file('proxy.js', `const c = ${BASE}\nc.vms[0].regions = new Proxy([], { get() { throw new Error('trap') }, ownKeys() { throw new Error('trap') } })\nexport default c\n`)
    expect(await errorsOf(f)).toEqual([['vms[0].regions', 'cannot be read: trap']])
    await bothRefuse(f, /: vms\[0\]\.regions: cannot be read: trap$/)
    const g = file('proxy-get.mjs', `const c = ${BASE}\nc.vms[0] = new Proxy(c.vms[0], { get(t, k) { if (k === 'name') throw new Error('no name today'); return t[k] } })\nexport default c\n`)
    expect(await errorsOf(g)).toEqual([['vms[0].name', 'reading it threw: no name today']])
  })

  it('a function in the config is an error at its path (it cannot cross to the loader)', async () => {
    const f = file('fn.mjs', `const c = ${BASE}\nc.vms[0].name = () => 'a'\nexport default c\n`)
    expect(await errorsOf(f)).toEqual([['vms[0].name', 'is a function; a config is data (numbers, strings, booleans, arrays and objects)']])
  })
})

describe('plainConfig', () => {
  it('copies data as it is, a JSON field named __proto__ included (a field, not a prototype)', () => {
    const raw = JSON.parse('{"a": [1, "x", null, true, {"b": 2}], "__proto__": {"polluted": 1}}') as unknown
    const r = plainConfig(raw)
    expect(r).toEqual({ data: raw })
    const data = (r as { data: Record<string, unknown> }).data
    expect(Object.keys(data)).toEqual(['a', '__proto__'])
    expect((data as { polluted?: number }).polluted).toBeUndefined()
  })

  it('reports a revoked Proxy and a symbol at their paths, in the config\'s order', () => {
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    const r = plainConfig({ vms: [{ name: Symbol('n'), regions: proxy }] }, 'f.js')
    expect('errors' in r && r.errors.map((e) => e.message)).toEqual([
      'f.js: vms[0].name: is a symbol; a config is data (numbers, strings, booleans, arrays and objects)',
      expect.stringMatching(/^f\.js: vms\[0\]\.regions: cannot be read: /),
    ])
  })

  it('a thousand shared references to one object are copied, not a cycle', () => {
    const region = { base: 0, size: 4096 }
    const r = plainConfig({ regions: Array.from({ length: 1000 }, () => region) })
    expect('data' in r && (r.data as { regions: unknown[] }).regions).toHaveLength(1000)
  })
})

describe('a config module is evaluated in a worker, bounded in time', () => {
  it('a .mjs config awaiting a promise that never settles is refused at once, not exit 13 (check and run)', async () => {
    const f = file('never.mjs', `await new Promise(() => {})\nexport default ${BASE}\n`)
    const t0 = performance.now()
    expect(await errorsOf(f)).toEqual([['', 'never finished loading: it awaits a promise that never settles (top-level await)']])
    expect(performance.now() - t0).toBeLessThan(5_000)
    await bothRefuse(f, /: never finished loading: it awaits a promise that never settles/)
  })

  it('a .js config that loops forever is stopped by run --timeout 5: exit 2 in about 5 s', async () => {
    const f = file('loop.js', `for (;;) {}\nexport default ${BASE}\n`)
    const t0 = performance.now()
    const r = await cli(['run', f, '--timeout', '5'])
    const s = (performance.now() - t0) / 1000
    expectRefused(r, f, /: did not finish loading within 5 s .*--timeout sets the limit$/)
    expect(s).toBeGreaterThanOrEqual(5)
    expect(s).toBeLessThan(15)
  })

  it('config check has the same limit, --timeout or the default', async () => {
    const f = file('loop2.mjs', `while (true) {}\nexport default {}\n`)
    expect(await errorsOf(f, 0.5)).toEqual([['', 'did not finish loading within 0.5 s (an endless loop, or a wait that never ends?); --timeout sets the limit']])
    expectRefused(await cli(['config', 'check', f, '--timeout', '1']), f, /did not finish loading within 1 s/)
  })

  it('a .ts syntax error names file:line:column and the message (check and run)', async () => {
    const f = file('syntax.ts', 'export default {\n  board: "qemu-virt-riscv64",\n  vms: [ ; ],\n}\n')
    const errors = await errorsOf(f)
    expect(errors).toEqual([['', expect.stringMatching(/^cannot import: .*syntax\.ts:3:10: Unexpected ";"$/)]])
    await bothRefuse(f, /syntax\.ts:3:10: Unexpected ";"$/)
  })

  it('a syntax error in a file the config imports names that file', async () => {
    file('part.ts', 'export const vm = {\n  name: "a",,\n}\n')
    const f = file('imports-broken.ts', `import { vm } from './part.ts'\nexport default { board: 'x', vms: [vm] }\n`)
    expect((await errorsOf(f))[0]![1]).toMatch(/part\.ts:2:13: /)
  })

  it('a config that throws while loading says what it threw', async () => {
    const f = file('throws.mjs', `throw new TypeError('no config today')\n`)
    expect(await errorsOf(f)).toEqual([['', 'threw while loading: no config today']])
  })

  it('a config that calls process.exit ends only its worker, and says so', async () => {
    const f = file('exits.mjs', `process.exit(3)\nexport default {}\n`)
    expect(await errorsOf(f)).toEqual([['', 'called process.exit(3) while loading']])
  })

  it('ESM syntax in a .js file outside any package loads as ESM', async () => {
    const f = file('plain.js', `export default ${BASE}\n`)
    const { config } = await loadConfig(f, new PluginHost())
    expect(config.vms[0]!.name).toBe('a')
  })

  it('a CommonJS .js config loads too', async () => {
    const f = file('common.js', `module.exports = ${BASE}\n`)
    expect((await loadConfig(f, new PluginHost())).config.vms[0]!.name).toBe('a')
  })

  it('import.meta.url in a config names the config file', async () => {
    const f = file('meta.mjs', `const c = ${BASE}\nc.vms[0].image.path = new URL('./tiny.bin', import.meta.url).pathname\nexport default c\n`)
    expect((await loadConfig(f, new PluginHost())).config.vms[0]!.image!.path).toBe(join(tmp, 'tiny.bin'))
  })

  it('an edit to a file a .ts config imports is seen on the next load (hot reload)', async () => {
    const dir = join(tmp, 'reload')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'tiny.bin'), readFileSync(join(tmp, 'tiny.bin')))
    const part = join(dir, 'name.ts')
    const f = join(dir, 'main.ts')
    writeFileSync(f, `import { name } from './name.ts'\nconst c = ${BASE}\nc.vms[0].name = name\nexport default c\n`)
    writeFileSync(part, `export const name: string = 'first'\n`)
    expect((await loadConfig(f, new PluginHost())).config.vms[0]!.name).toBe('first')
    writeFileSync(part, `export const name: string = 'second'\n`)
    // the config file itself is unchanged, even its time
    utimesSync(f, new Date(1_000_000), new Date(1_000_000))
    expect((await loadConfig(f, new PluginHost())).config.vms[0]!.name).toBe('second')
  })
})

describe('config check refuses what run would', () => {
  it('1 TiB of shared memory: both refuse it at shmem[0].size', async () => {
    const f = file('shmem.json', JSON.stringify({ ...baseJson(), shmem: [{ size: '1T' }] }))
    await bothRefuse(f, /: shmem\[0\]\.size: shmem\[0\] asks 1048576 MiB of host RAM: [\d.]+ MiB is free, the largest block [\d.]+ MiB$/)
  })

  it('shared memory that fits alone but not after the others: refused at the one that does not fit', async () => {
    const f = file('shmem2.json', JSON.stringify({ ...baseJson(), shmem: [{ size: '1G' }, { size: '1G' }] }))
    expect(await errorsOf(f)).toEqual([['shmem[1].size', expect.stringMatching(/^shmem\[1\] asks 1024 MiB of host RAM: 1020 MiB is free, the largest block 1020 MiB$/)]])
  })

  it('an unknown feature: both refuse it at features[0], naming the known features', async () => {
    const f = file('feature.json', JSON.stringify({ ...baseJson(), features: ['nope'] }))
    expect(await errorsOf(f)).toEqual([['features[0]', "unknown feature 'nope' (known features: dynamic-vm, gdb, llc, tee)"]])
    await bothRefuse(f, /: features\[0\]: unknown feature 'nope' \(known features: dynamic-vm, gdb, llc, tee\)$/)
  })
})
