/**
 * `baobab config import` (issue 14): a config written as CROSSCON/Bao users write them — C
 * against <config.h>, compiled by the cross gcc — becomes baobab's JSON config. Each
 * configs/bao/*.c imports to the hand-written demo config it mirrors (same VMs, regions, devices,
 * IPC, shmem, entries, affinity, colours, types and children), up to the differences CROSSCON's
 * structs cannot express, which are named here; imported configs boot and print what the
 * originals print, line for line and at the same virtual times. Bad input gets one clear error:
 * compiler diagnostics with file:line, a missing image, no compiler (with the Debian package to
 * install), an unknown field, something the blob cannot say.
 *
 * The tests that compile need the cross gcc (Debian gcc-riscv64-unknown-elf,
 * gcc-aarch64-linux-gnu; .ci/run installs them) and skip, saying so, without it.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { IMPORT_ARCHS } from '../bin/commands/config-import-archs.ts'
import { checkConfig, importConfigFile, type ConfigIo } from '../bin/commands/config.ts'
import { Workbench } from '../core/api.ts'
import { archWindowsOf, ConfigErrors, loadConfig, type HvConfig, type HvVmConfig } from '../core/hypervisor/config.ts'
import { findCompiler } from '../core/hypervisor/import/compile.ts'
import { importConfig, type ImportOptions } from '../core/hypervisor/import/import.ts'
import { ImportError } from '../core/hypervisor/import/import-error.ts'
import { PluginHost } from '../core/plugins.ts'
import { cliPath, root } from './hyp-util.ts'

const arch = (name: string) => IMPORT_ARCHS.find((a) => a.name === name)!
const PATH = process.env.PATH ?? ''
const HAS = {
  riscv64: findCompiler(arch('riscv64').compilers, PATH) !== undefined,
  aarch64: findCompiler(arch('aarch64').compilers, PATH) !== undefined,
}
/** appended to a test's name when it will skip */
const skipped = (a: 'riscv64' | 'aarch64'): string => (HAS[a] ? '' : ` (skipped: no ${a} cross gcc on PATH — apt-get install ${arch(a).debianPackage})`)
for (const a of ['riscv64', 'aarch64'] as const) if (!HAS[a]) console.warn(`config-import tests for ${a} skipped: none of ${arch(a).compilers.join(', ')} on PATH (Debian package ${arch(a).debianPackage})`)

const bao = (name: string): string => join(root, 'configs', 'bao', name)
const demo = (name: string): string => join(root, 'configs', name)

const tmp = mkdtempSync(join(tmpdir(), 'baobab-import-test-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** import as the CLI does, relative paths against the project root */
function run(file: string, opts: Partial<ImportOptions> & { out: string }) {
  return importConfig(file, { archs: IMPORT_ARCHS, plugins: new PluginHost(), cwd: root, ...opts })
}

// ---- equivalence with the hand-written demos ----

interface Demo {
  c: string
  json: string
  arch: 'riscv64' | 'aarch64'
  features?: string[]
  /** what CROSSCON's structs cannot say, as knownDifferences() lists it */
  differences: string[]
}

const DEMOS: Demo[] = [
  { c: 'two-vms.c', json: 'two-vms.json', arch: 'riscv64', differences: [] },
  {
    c: 'ipc.c', json: 'ipc.json', arch: 'riscv64',
    // the receiver's console is a baobab emulated device; with it gone the sender's UART is its own
    differences: ['receiver.devs[0]: emulated ns16550, not in the blob', 'sender.devs[0].shared: true in the JSON, false imported'],
  },
  { c: 'dynamic-vm.c', json: 'dynamic-vm.json', arch: 'riscv64', features: ['dynamic-vm'], differences: [] },
  {
    c: 'per-vm-tee.c', json: 'per-vm-tee.json', arch: 'riscv64',
    differences: ['name optee-a: optee_a imported', 'name gpos-a: gpos_a imported', 'name optee-b: optee_b imported', 'name gpos-b: gpos_b imported'],
  },
  { c: 'aarch64/two-vms.c', json: 'aarch64/two-vms.json', arch: 'aarch64', differences: ['vm2.devs[0]: emulated pl011, not in the blob'] },
  { c: 'aarch64/dynamic-vm.c', json: 'aarch64/dynamic-vm.json', arch: 'aarch64', features: ['dynamic-vm'], differences: [] },
]

const preorder = (vms: HvVmConfig[]): HvVmConfig[] => vms.flatMap((v) => [v, ...preorder(v.children)])

/**
 * Everything of a config CROSSCON's structs hold, with names as C can write them. What they
 * cannot hold is compared in knownDifferences(): emulated devices, `shared`, names, and the
 * baobab-only VM fields (`dtb`, `bootargs`, an arch's own options such as `sstc`). Arm's
 * `arch.gic` is compared by what it decides: the vGIC windows the arch puts in the VM.
 */
async function view(cfg: HvConfig, plugins: PluginHost) {
  const board = await plugins.loadBoard(cfg.board)
  const windows = archWindowsOf(plugins.archs.get(board.arch), board)
  const cName = (n: string): string => n.replace(/-/g, '_')
  return {
    board: cfg.board, features: [...cfg.features].sort(), hypColors: cfg.hypColors, shmem: cfg.shmem,
    vms: preorder(cfg.vms).map((vm) => ({
      name: cName(vm.name), type: vm.type, image: vm.image, entry: vm.entry, cpuNum: vm.cpuNum,
      cpuAffinity: vm.cpuAffinity, colors: vm.colors, regions: vm.regions, ipcs: vm.ipcs,
      devs: vm.devs.filter((d) => d.emulate === undefined).map((d) => ({ ...d, shared: undefined })),
      children: vm.children.map((c) => cName(c.name)),
      archWindows: typeof windows === 'function' ? windows(vm.archOptions) : windows ?? [],
    })),
  }
}

/** the VM fields only baobab has (DESIGN "The config format"), besides `name` and a device's `emulate`/`shared` */
const BAOBAB_ONLY = /^\S+\.(dtb|bootargs|archOptions\.\w+):/

/** What differs between the hand-written config and the imported one beyond view(). */
function knownDifferences(orig: HvConfig, imported: HvConfig): string[] {
  const out: string[] = []
  const a = preorder(orig.vms), b = preorder(imported.vms)
  a.forEach((vm, i) => {
    const got = b[i]!
    if (vm.name !== got.name) out.push(`name ${vm.name}: ${got.name} imported`)
    if (vm.dtb !== got.dtb) out.push(`${vm.name}.dtb: ${vm.dtb} in the JSON, ${got.dtb} imported`)
    if (vm.bootargs !== got.bootargs) out.push(`${vm.name}.bootargs: ${JSON.stringify(vm.bootargs)} in the JSON, ${JSON.stringify(got.bootargs)} imported`)
    // an arch's own VM fields but `arch` (Arm's vGIC: compared by its windows in view())
    for (const k of new Set([...Object.keys(vm.archOptions), ...Object.keys(got.archOptions)])) {
      if (k !== 'arch' && JSON.stringify(vm.archOptions[k]) !== JSON.stringify(got.archOptions[k])) out.push(`${vm.name}.archOptions.${k}: ${JSON.stringify(vm.archOptions[k])} in the JSON, ${JSON.stringify(got.archOptions[k])} imported`)
    }
    const kept = b[i]?.devs ?? []
    let k = 0
    vm.devs.forEach((d, j) => {
      if (d.emulate !== undefined) { out.push(`${vm.name}.devs[${j}]: emulated ${d.emulate}, not in the blob`); return }
      const e = kept[k++]
      if (e && e.shared !== d.shared) out.push(`${vm.name}.devs[${j}].shared: ${d.shared} in the JSON, ${e.shared} imported`)
    })
  })
  return out.sort()
}

describe('configs/bao/*.c import to the demo configs they mirror', () => {
  for (const d of DEMOS) {
    it.skipIf(!HAS[d.arch])(`${d.c} ≡ configs/${d.json}${d.differences.length ? ` but for: ${d.differences.join('; ')}` : ''}${skipped(d.arch)}`, async () => {
      // written where the demo is, so image paths come out as the demo writes them
      const r = await run(bao(d.c), { out: demo(d.json), features: d.features })
      const raw = JSON.parse(readFileSync(demo(d.json), 'utf8')) as { vms: unknown[] }
      const paths = (vms: unknown[]): string[] => (vms as { image?: { path: string }; children?: unknown[] }[]).flatMap((v) => [v.image?.path ?? '', ...paths(v.children ?? [])])
      expect(paths(r.config.vms as unknown[])).toEqual(paths(raw.vms))

      const plugins = new PluginHost()
      const orig = (await loadConfig(demo(d.json), plugins)).config
      const got = (await loadConfig(demo(d.json), plugins, { data: r.config })).config
      expect(await view(got, plugins)).toEqual(await view(orig, plugins))
      // baobab's own VM fields are not in CROSSCON's structs: whatever the demo sets there is the only other difference
      const diffs = knownDifferences(orig, got)
      expect(diffs.filter((l) => !BAOBAB_ONLY.test(l))).toEqual([...d.differences].sort())
      expect(r.warnings).toEqual([])
    })
  }
})

// ---- booting ----

interface Line { source: string; text: string; t: number; pcpu: number }

/** Every console line of every VM (children too, as they are created), with the virtual time and pCPU that completed it. */
function transcript(wb: Workbench): Line[] {
  const out: Line[] = []
  const hv = wb.hypervisor!
  const attach = (vm: (typeof hv.vms)[number]): void => {
    let cur = ''
    vm.console.onOutput((b) => {
      if (b !== 10) { cur += String.fromCharCode(b); return }
      out.push({ source: vm.name, text: cur, t: wb.machine.sched.now, pcpu: wb.machine.sched.running?.id ?? -1 })
      cur = ''
    })
  }
  for (const vm of hv.vms) attach(vm)
  hv.onVmCreated(attach)
  return out
}

type RawVm = Record<string, unknown> & { children?: RawVm[] }

/**
 * The imported config with the hand-written one's baobab-only VM fields (`dtb`, `bootargs`, an
 * arch's own options but `arch`: what a C config cannot say, and what the guest may read).
 */
function withBaobabFields(imported: Record<string, unknown>, orig: { vms: RawVm[] }): Record<string, unknown> {
  const flat = (vms: RawVm[]): RawVm[] => vms.flatMap((v) => [v, ...flat(v.children ?? [])])
  const from = flat(orig.vms)
  const copy = JSON.parse(JSON.stringify(imported)) as { vms: RawVm[] }
  const known = new Set(['name', 'type', 'image', 'entry', 'cpuNum', 'cpuAffinity', 'colors', 'regions', 'devs', 'ipcs', 'children', 'arch'])
  flat(copy.vms).forEach((vm, i) => {
    for (const [k, v] of Object.entries(from[i]!)) if (!known.has(k)) vm[k] = v
  })
  return copy
}

async function boot(config: string, data: unknown, done: (tr: Line[]) => boolean, ms: number): Promise<Line[]> {
  const wb = await Workbench.open({ config, configData: data })
  const tr = transcript(wb)
  wb.run({ ms, until: () => done(tr) })
  return tr
}

describe('imported configs boot and print what the originals print', () => {
  const BOOTS: { d: Demo; done: (tr: Line[]) => boolean; ms: number }[] = [
    { d: DEMOS[0]!, ms: 200, done: (tr) => tr.filter((l) => l.text === 'echo ready').length === 2 },
    { d: DEMOS[2]!, ms: 200, done: (tr) => tr.some((l) => l.text === 'host: done') },
    { d: DEMOS[5]!, ms: 100, done: (tr) => tr.some((l) => l.text === 'host: done') },
  ]
  for (const { d, done, ms } of BOOTS) {
    it.skipIf(!HAS[d.arch])(`${d.c}: the same console lines as configs/${d.json}, at the same virtual times${skipped(d.arch)}`, async () => {
      const r = await run(bao(d.c), { out: demo(d.json), features: d.features })
      const orig = await boot(demo(d.json), undefined, done, ms)
      const got = await boot(demo(d.json), withBaobabFields(r.config, JSON.parse(readFileSync(demo(d.json), 'utf8'))), done, ms)
      expect(done(orig)).toBe(true)
      expect(got).toEqual(orig)
    })
  }
})

// ---- the command ----

function captureIo(): ConfigIo & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => { io.stdout += t }, err: (t: string) => { io.stderr += t } }
  return io
}

describe('baobab config import', () => {
  it.skipIf(!HAS.riscv64)(`writes the JSON, which config check accepts; exit 0${skipped('riscv64')}`, async () => {
    const dir = join(tmp, 'out')
    mkdirSync(dir, { recursive: true })
    const out = join(dir, 'two-vms.json')
    const io = captureIo()
    expect(await importConfigFile(bao('two-vms.c'), out, { io })).toBe(0)
    expect(io.stdout).toMatch(/^imported .*two-vms\.c with riscv64-[a-z-]+-gcc for qemu-virt-riscv64: 2 VMs\nwrote .*two-vms\.json\n$/)
    expect(io.stderr).toBe('')
    const written = JSON.parse(readFileSync(out, 'utf8')) as { vms: { image: { path: string } }[] }
    // relative to the output's folder
    expect(written.vms[0]!.image.path.startsWith('../')).toBe(true)
    expect(join(dir, written.vms[0]!.image.path)).toBe(join(root, 'guests', 'images', 'riscv64-vm', 'demo-0x80200000.bin'))
    const check = captureIo()
    expect(await checkConfig(out, { io: check })).toBe(0)
    expect(check.stdout).toContain('ok: ')
  })

  it('without the compiler on PATH: exit 2 and the Debian package to install (through the CLI)', () => {
    const empty = join(tmp, 'empty-path')
    mkdirSync(empty, { recursive: true })
    const r = spawnSync(process.execPath, [cliPath, 'config', 'import', bao('two-vms.c'), '-o', join(tmp, 'never.json')], {
      cwd: root, encoding: 'utf8', env: { ...process.env, PATH: empty }, timeout: 60_000,
    })
    expect(r.status, r.stderr).toBe(2)
    expect(r.stderr).toContain('no C compiler for riscv64 found on PATH')
    expect(r.stderr).toContain('apt-get install gcc-riscv64-unknown-elf')
  })

  it.skipIf(!HAS.riscv64)(`a syntax error: exit 2 with the compiler's message at file:line (through the CLI)${skipped('riscv64')}`, () => {
    const file = write('syntax.c', MINIMAL.replace('.entry = 0x80200000,', '.entry = 0x80200000 .x'))
    const r = spawnSync(process.execPath, [cliPath, 'config', 'import', file, '-o', join(tmp, 'never.json')], { cwd: root, encoding: 'utf8', timeout: 60_000 })
    expect(r.status, r.stderr).toBe(2)
    expect(r.stderr).toContain(`${file}:${lineOf(MINIMAL, '.entry')}:`)
    expect(r.stderr).toContain('error:')
  })
})

// ---- bad input ----

/** a one-VM RISC-V config; VM_IMAGE's path relative to the temporary folder */
const MINIMAL = `#include <config.h>

VM_IMAGE(guest_image, "guest.bin");

struct vm_config guest = {
    .image = VM_IMAGE_BUILTIN(guest_image, 0x80200000),
    .entry = 0x80200000,
    .platform = {
        .cpu_num = 1,
        .region_num = 1,
        .regions = (struct mem_region[]) { { .base = 0x80200000, .size = 0x100000 } },
        .arch = { .plic_base = 0xc000000 },
    },
};

struct config config = {
    CONFIG_HEADER
    .vmlist_size = 1,
    .vmlist = { &guest },
};
`
writeFileSync(join(tmp, 'guest.bin'), new Uint8Array(64))

const write = (name: string, text: string): string => {
  const file = join(tmp, name)
  writeFileSync(file, text)
  return file
}
const lineOf = (text: string, what: string): number => text.split('\n').findIndex((l) => l.includes(what)) + 1

/** the ImportError (or ConfigErrors) importing `text` throws */
async function failure(name: string, text: string, opts: Partial<ImportOptions> = {}): Promise<ImportError | ConfigErrors> {
  const file = write(name, text)
  try {
    await run(file, { out: join(tmp, 'out.json'), ...opts })
  } catch (e) {
    if (e instanceof ImportError || e instanceof ConfigErrors) return e
    throw e
  }
  throw new Error(`${name} imported`)
}

describe('bad input', () => {
  const rv = it.skipIf(!HAS.riscv64)

  rv(`the minimal config imports (the base of the cases below)${skipped('riscv64')}`, async () => {
    const r = await run(write('minimal.c', MINIMAL), { out: join(tmp, 'minimal.json') })
    expect(r.config.vms).toEqual([{ name: 'guest', image: { path: 'guest.bin', baseAddr: '0x80200000' }, entry: '0x80200000', cpuNum: 1, regions: [{ base: '0x80200000', size: '1M' }] }])
  })

  rv(`a syntax error: 'compile', with the compiler's file:line${skipped('riscv64')}`, async () => {
    const text = MINIMAL.replace('.cpu_num = 1,', '.cpu_num = 1')
    const e = await failure('syntax.c', text)
    expect(e).toBeInstanceOf(ImportError)
    expect((e as ImportError).code).toBe('compile')
    expect(e.message).toContain(`${join(tmp, 'syntax.c')}:${lineOf(text, '.cpu_num') + 1}:`)
  })

  rv(`an unknown field: 'compile', naming it at file:line${skipped('riscv64')}`, async () => {
    const text = MINIMAL.replace('.entry = 0x80200000,', '.entry = 0x80200000,\n    .colours = 0x3,')
    const e = await failure('unknown.c', text)
    expect((e as ImportError).code).toBe('compile')
    expect(e.message).toContain(`${join(tmp, 'unknown.c')}:${lineOf(text, '.colours')}:`)
    expect(e.message).toContain("'struct vm_config' has no member named 'colours'")
  })

  rv(`a missing image: 'missing-image', at the VM_IMAGE's file:line${skipped('riscv64')}`, async () => {
    const text = MINIMAL.replace('"guest.bin"', '"images/nowhere.bin"')
    const e = await failure('missing.c', text)
    expect((e as ImportError).code).toBe('missing-image')
    expect(e.message).toBe(`${join(tmp, 'missing.c')}:${lineOf(text, 'VM_IMAGE(')}: VM_IMAGE(guest_image, "images/nowhere.bin"): no such file ${join(tmp, 'images', 'nowhere.bin')}`)
  })

  rv(`an image used but never declared with VM_IMAGE: 'compile', saying what to add${skipped('riscv64')}`, async () => {
    const e = await failure('undeclared.c', MINIMAL.replace('VM_IMAGE(guest_image, "guest.bin");', ''))
    expect((e as ImportError).code).toBe('compile')
    expect(e.message).toContain(`image 'guest_image' is used (VM_IMAGE_OFFSET, VM_IMAGE_SIZE or VM_IMAGE_BUILTIN) but never declared: add VM_IMAGE(guest_image, "path/to/image.bin")`)
  })

  rv(`an image the blob holds but not through VM_IMAGE: 'unmappable'${skipped('riscv64')}`, async () => {
    const e = await failure('loaded.c', MINIMAL.replace('.image = VM_IMAGE_BUILTIN(guest_image, 0x80200000),', '.image = { .base_addr = 0x80200000, .load_addr = 0x40000000, .size = 0x1000 },'))
    expect((e as ImportError).code).toBe('unmappable')
    expect(e.message).toMatch(/image/)
  })

  rv(`no struct config config: 'compile'${skipped('riscv64')}`, async () => {
    const e = await failure('noconfig.c', MINIMAL.replace('struct config config', 'struct config other'))
    expect((e as ImportError).code).toBe('compile')
    expect(e.message).toContain('defines no `struct config config`')
  })

  rv(`.vmlist_size larger than .vmlist: 'unmappable'${skipped('riscv64')}`, async () => {
    const e = await failure('count.c', MINIMAL.replace('.vmlist_size = 1', '.vmlist_size = 2'))
    expect((e as ImportError).code).toBe('unmappable')
    expect(e.message).toContain('.vmlist_size is 2 but .vmlist lists 1 VM')
  })

  rv(`a number where a pointer belongs: 'compile'${skipped('riscv64')}`, async () => {
    const text = MINIMAL.replace('.region_num = 1,', '.region_num = 1,\n        .dev_num = 1,\n        .devs = (struct dev_region[]) { { .pa = 0x10000000, .va = 0x10000000, .size = 0x1000, .interrupt_num = 1, .interrupts = 10 } },')
    const e = await failure('intconv.c', text)
    expect((e as ImportError).code).toBe('compile')
    expect(e.message).toContain(`:${lineOf(text, '.interrupts = 10')}:`)
  })

  it('no .arch block and no --board/--arch: \'arch\', before any compile', async () => {
    const e = await failure('noarch.c', MINIMAL.replace('.arch = { .plic_base = 0xc000000 },', ''))
    expect((e as ImportError).code).toBe('arch')
    expect(e.message).toContain('give --board or --arch (riscv64, aarch64)')
  })

  it('a board of another architecture than --arch says: \'arch\'', async () => {
    const e = await failure('mismatch.c', MINIMAL, { board: 'qemu-virt-aarch64', arch: 'riscv64' })
    expect((e as ImportError).code).toBe('arch')
  })

  it('no compiler on the search path: \'no-compiler\', naming the Debian package', async () => {
    const e = await failure('nocc.c', MINIMAL, { searchPath: join(tmp, 'empty-path') })
    expect((e as ImportError).code).toBe('no-compiler')
    expect(e.message).toContain('install the Debian package gcc-riscv64-unknown-elf')
  })

  it.skipIf(!HAS.aarch64)(`Arm code in a RISC-V build (.gic with --arch riscv64): 'compile'${skipped('aarch64')}`, async () => {
    const e = await failure('gic.c', MINIMAL.replace('.arch = { .plic_base = 0xc000000 },', '.arch = { .gic = { .gicd_addr = 0x8000000 } },'), { arch: 'riscv64' })
    expect((e as ImportError).code).toBe('compile')
    expect(e.message).toContain("has no member named 'gic'")
  })

  rv(`a config baobab's rules refuse: ConfigErrors with the JSON's field paths${skipped('riscv64')}`, async () => {
    // a pass-through window on the board's RAM: CROSSCON would map it, baobab's rules refuse it
    const text = MINIMAL.replace('.region_num = 1,', '.region_num = 1,\n        .dev_num = 1,\n        .devs = (struct dev_region[]) { { .pa = 0x90000000, .va = 0x10000000, .size = 0x1000 } },')
    const e = await failure('rules.c', text)
    expect(e).toBeInstanceOf(ConfigErrors)
    expect(e.message).toMatch(/vms\[0\]\.devs\[0\]\.pa: 0x90000000\.\.0x90001000 is RAM of board qemu-virt-riscv64/)
  })

  rv(`the compiler's warnings are passed on, with file:line, as they come${skipped('riscv64')}`, async () => {
    // a second region in a one-element array: gcc drops it with a warning, as CROSSCON's build would
    const text = MINIMAL.replace('(struct mem_region[])', '(struct mem_region[1])').replace('.size = 0x100000 } }', '.size = 0x100000 }, { .base = 0x90000000, .size = 0x1000 } }')
    const told: string[] = []
    const r = await run(write('excess.c', text), { out: join(tmp, 'excess.json'), warn: (m) => told.push(m) })
    expect(told).toEqual(r.warnings)
    expect(r.warnings).toHaveLength(1)
    expect(r.warnings[0]).toContain(`${join(tmp, 'excess.c')}:${lineOf(text, 'mem_region[1]')}:`)
    expect(r.warnings[0]).toContain('excess elements in array initializer')
  })

  rv(`a field CROSSCON ignores for a VM is imported with a warning${skipped('riscv64')}`, async () => {
    const r = await run(write('plic.c', MINIMAL.replace('.plic_base = 0xc000000', '.plic_base = 0xd000000')), { out: join(tmp, 'plic.json') })
    expect(r.warnings).toEqual([expect.stringMatching(/VM guest: platform\.arch\.plic_base is 0xd000000, not the board's PLIC \(0xc000000\).*not imported$/)])
  })
})
