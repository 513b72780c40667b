/**
 * `npm run bench`: named speed figures, one per line (`name: value unit`). Benchmarks report;
 * they never fail a build. Workloads are the fixed images in bench/ (see bench/rv64-loop/README.md
 * and bench/suite/README.md).
 */
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { existsSync } from 'node:fs'
import { median, print, qemuMs, runBare, runConfigUntil } from './measure.ts'
import { benchSuite } from './suite.ts'
import { benchTee } from './tee.ts'
import { benchVmstack } from './vmstack.ts'
import { benchA64 } from './a64.ts'
import { benchStartup } from './startup.ts'

export { runBare, type Figure } from './measure.ts'

const here = dirname(fileURLToPath(import.meta.url))
const LOOP = join(here, 'rv64-loop')

/** MIPS of `baobab run --bare --stats` with BAOBAB_INTERP=1 (median of `runs`) */
function interpreterMips(image: string, runs: number): number | null {
  const xs: number[] = []
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, [join(here, '..', 'bin', 'baobab.js'), 'run', '--bare', image, '--stats'], {
      env: { ...process.env, BAOBAB_INTERP: '1' }, encoding: 'utf8', timeout: 300_000,
    })
    const m = /^MIPS: ([\d.]+)$/m.exec(r.stderr ?? '')
    if (m) xs.push(Number(m[1]))
  }
  return xs.length ? median(xs) : null
}

export async function runBenchmarks(opts: { quick: boolean; suiteOnly?: boolean }): Promise<number> {
  if (opts.suiteOnly) {
    await runBare(join(LOOP, 'prog_50.elf')) // warm the JIT, as below
    await benchSuite(opts)
    return 0
  }
  const prog = join(LOOP, opts.quick ? 'prog_50.elf' : 'prog_5000.elf')
  const runs = opts.quick ? 1 : 3
  // warm the JIT once so the figure is the steady state a long session sees
  await runBare(join(LOOP, 'prog_50.elf'))
  const results = []
  for (let i = 0; i < runs; i++) results.push(await runBare(prog))
  const best = results[0]!
  if (!/checksum=/.test(best.out)) process.stderr.write(`warning: workload printed ${JSON.stringify(best.out)}\n`)
  const ms = median(results.map((r) => r.ms))
  const mips = best.insns / ms / 1000
  print({ name: 'rv64-loop bare guest MIPS', value: mips, unit: 'MIPS' })
  print({ name: 'rv64-loop bare wall time', value: ms, unit: 'ms' })
  if (!opts.quick) {
    // ten times the work: the steady state of a long run, translation costs amortised
    const long = await runBare(join(LOOP, 'prog_50000.elf'))
    print({ name: 'rv64-loop x10 (prog_50000) bare guest MIPS', value: long.insns / long.ms / 1000, unit: 'MIPS' })
  }
  // the LLC model on (feature llc): what modelling the cache costs
  const withLlc = await runBare(prog, false, true)
  print({ name: 'rv64-loop bare guest MIPS, LLC model on', value: withLlc.insns / withLlc.ms / 1000, unit: 'MIPS' })
  // the interpreter alone, in a fresh process (sharing one with the translation tier would skew it)
  const interp = interpreterMips(prog, runs)
  if (interp !== null) print({ name: 'rv64-loop bare guest MIPS, interpreter only', value: interp, unit: 'MIPS' })
  const q = qemuMs(prog)
  if (q === null) {
    process.stdout.write('qemu comparison: skipped (qemu-system-riscv64 not installed)\n')
  } else {
    const start = median([qemuMs(join(LOOP, 'exit.elf'))!, qemuMs(join(LOOP, 'exit.elf'))!, qemuMs(join(LOOP, 'exit.elf'))!])
    const qrun = Math.max(1, median([q, qemuMs(prog)!, qemuMs(prog)!]) - start)
    print({ name: 'rv64-loop qemu time (minus start-up)', value: qrun, unit: 'ms' })
    print({ name: 'rv64-loop qemu MIPS', value: best.insns / qrun / 1000, unit: 'MIPS' })
    print({ name: 'rv64-loop baobab/qemu speed ratio', value: qrun / ms, unit: 'x' })
  }
  await hypervisorFigures(opts, ms, best.insns)
  for (const f of benchA64(opts)) print(f)
  await benchSuite(opts)
  print({ name: 'RSS after runs', value: process.memoryUsage().rss / 1048576, unit: 'MiB' })
  for (const f of await benchVmstack()) print(f)
  for (const f of await benchTee()) print(f)
  await hotReloadFigure()
  return 0
}

async function hypervisorFigures(opts: { quick: boolean }, bareMs: number, insns: number): Promise<void> {
  const configs = join(here, '..', 'configs')
  for (const f of await benchStartup(join(here, '..', 'bin', 'baobab.js'), join(configs, 'two-vms.json'))) print(f)
  const warm = await runConfigUntil(join(configs, 'two-vms.json'), (t) => t.includes('hello from'))
  print({ name: 'boot: config load to first guest line, in-process (two-vms)', value: warm.firstLineMs, unit: 'ms' })
  if (!opts.quick) {
    const inVm = await runConfigUntil(join(LOOP, 'in-vm.json'))
    print({ name: 'rv64-loop guest MIPS inside a VM (two-stage translation)', value: inVm.insns / inVm.ms / 1000, unit: 'MIPS' })
    print({ name: 'rv64-loop in VM vs bare', value: bareMs / inVm.ms, unit: 'x' })
  }
  // a real third-party guest: Debian's U-Boot in a VM, from config load to its prompt
  if (existsSync('/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin')) {
    const t0 = performance.now()
    await runConfigUntil(join(configs, 'uboot.json'), (t) => t.includes('Hit any key'))
    print({ name: 'boot: U-Boot config load to its autoboot prompt', value: performance.now() - t0, unit: 'ms' })
  }
  // one guest (guests/riscv64-vm/sbi-hammer), three kinds of exit by its bootargs
  const hammers: [string, string][] = [
    ['sbi-hammer.json', 'VM exits per second (guest hammering SBI get_spec_version)'],
    ['mmio-hammer.json', 'VM exits per second (guest hammering an emulated UART register)'],
    ['vplic-hammer.json', 'VM exits per second (guest hammering a vPLIC register)'],
  ]
  for (const [file, name] of hammers) {
    if (!existsSync(join(here, file))) continue
    const r = await runConfigUntil(join(here, file))
    print({ name, value: r.exits / (r.ms / 1000), unit: 'exits/s' })
  }
  void insns
}

// ---- hot reload (core/hotreload.ts): self-contained, edits a temporary copy of the project only ----

/**
 * `hot reload: edit → device plugin live`: wall ms from writing plugins/dev-ns16550/ns16550.ts to
 * the watcher reporting the new version live (its debounce included), median of 5, with the
 * two-VM demo running. The project is copied to a temp folder so the real file is never touched.
 */
export async function hotReloadFigure(): Promise<void> {
  const { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const { basename } = await import('node:path')
  const { pathToFileURL } = await import('node:url')
  const root = join(here, '..')
  const copy = mkdtempSync(join(tmpdir(), 'baobab-bench-hot-'))
  try {
    for (const d of ['core', 'plugins', 'configs', join('guests', 'images')]) {
      cpSync(join(root, d), join(copy, d), { recursive: true, filter: (src) => basename(src) !== 'test' })
    }
    cpSync(join(root, 'package.json'), join(copy, 'package.json'))
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'))
    const { Workbench } = (await import(pathToFileURL(join(copy, 'core', 'api.ts')).href)) as typeof import('../core/api.ts')
    const wb = await Workbench.open({ config: join(copy, 'configs', 'two-vms.json') })
    wb.run(5)
    const file = join(copy, 'plugins', 'dev-ns16550', 'ns16550.ts')
    const source = readFileSync(file, 'utf8')
    let waiting: ((kind: string) => void) | null = null
    const watcher = wb.watch({ onEvent: (e) => waiting?.(e.kind) })
    await watcher.ready
    const times: number[] = []
    for (let i = 0; i < 5; i++) {
      const outcome = new Promise<string>((resolve) => {
        waiting = resolve
        setTimeout(() => resolve('timeout'), 10_000)
      })
      const t0 = performance.now()
      writeFileSync(file, `${source}\n// edit ${i}\n`)
      const kind = await outcome
      if (kind !== 'plugin-reloaded') {
        process.stdout.write(`hot reload: edit → device plugin live: skipped (${kind})\n`)
        break
      }
      times.push(performance.now() - t0)
      wb.run(1) // the guests run on between edits
    }
    await watcher.close()
    if (times.length === 5) print({ name: 'hot reload: edit → device plugin live', value: median(times), unit: 'ms' })
  } finally {
    rmSync(copy, { recursive: true, force: true })
  }
}
