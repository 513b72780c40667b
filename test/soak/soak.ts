/**
 * One soak run in a process of its own (test/soak.test.ts spawns it, so the RSS it reports is
 * this run's alone): `node --expose-gc --import tsx test/soak/soak.ts <mode> <rounds> [progress]`
 *
 *   api       <rounds> hv.create / hv.destroy rounds through the API: configs/two-vms.json with
 *             vm2 destroyed first, then a VM `x` (the VM-stack child's image at 0x90000000)
 *             created, run 0.01 ms, destroyed
 *   cycles    the guest soak (guests/riscv64-vm/vmstack-soak, test/fixtures/configs/soak-cycles.json)
 *             with n = <rounds>: create, invoke, destroy from inside a VM
 *   blobfuzz  the same guest creating from mutated blobs (soak-blobfuzz.json)
 *
 * Memory is sampled after `gc()` every `progress` rounds (default 1,000; for the guest modes at
 * each of the guest's progress lines). Prints one JSON object on stdout: the samples, the
 * figures at round `progress` (the first sample) and at the end, peak RSS, wall time, and for
 * the guest modes the guest's last line.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import v8 from 'node:v8'
import { Workbench } from '../../core/api.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const CHILD_IMAGE = join(root, 'guests', 'images', 'riscv64-vm', 'vmstack-child-0x90000000.bin')
/** virtual time a guest soak may take before the driver gives up (ms; the 100,000-cycle run takes a few seconds of it) */
const GUEST_LIMIT_MS = 600_000

interface Sample { round: number; rss: number; heapUsed: number; heapTotal: number; newSpace: number; external: number; wallMs: number }

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc')

const [mode, roundsArg, progressArg] = process.argv.slice(2)
const rounds = Number(roundsArg)
const progress = Number(progressArg ?? 1000)
if (!['api', 'cycles', 'blobfuzz'].includes(mode ?? '') || !(rounds > 0) || !(progress > 0)) {
  throw new Error('usage: soak.ts api|cycles|blobfuzz <rounds> [progress]')
}

const t0 = performance.now()
const samples: Sample[] = []
function sample(round: number): void {
  gc!()
  gc!() // a second pass takes what the first one's finalizers let go
  const m = process.memoryUsage()
  const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0
  samples.push({ round, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, newSpace, external: m.external, wallMs: Math.round(performance.now() - t0) })
}

let lastLine = ''
let ok = false

if (mode === 'api') {
  const wb = await Workbench.open({ config: join(root, 'configs', 'two-vms.json') })
  wb.run(1)
  wb.hv.destroy('vm2')
  const x = {
    name: 'x', image: { path: CHILD_IMAGE, baseAddr: '0x90000000' }, entry: '0x90000000', cpuNum: 1,
    regions: [{ base: '0x90000000', size: '256K' }],
  }
  for (let i = 1; i <= rounds; i++) {
    wb.hv.create(x)
    wb.run(0.01)
    wb.hv.destroy('x')
    if (i % progress === 0) sample(i)
  }
  ok = wb.hv.vms().map((v) => v.name).join(',') === 'vm1'
  lastLine = `api: ${rounds} rounds, VMs left: ${wb.hv.vms().map((v) => v.name).join(',')}`
} else {
  // the fixture with n (and the progress interval) in its bootargs, in a temporary folder
  const fixture = join(root, 'test', 'fixtures', 'configs', `soak-${mode}.json`)
  const cfg = JSON.parse(readFileSync(fixture, 'utf8'))
  const vm = cfg.vms[0]
  vm.image.path = resolve(dirname(fixture), vm.image.path)
  vm.bootargs = `n=${rounds} progress=${progress}`
  const dir = mkdtempSync(join(tmpdir(), 'baobab-soak-'))
  const file = join(dir, `soak-${mode}.json`)
  writeFileSync(file, JSON.stringify(cfg))
  try {
    const wb = await Workbench.open({ config: file })
    const con = wb.vm(vm.name).console
    const startMs = wb.stats().virtualMs
    let seen = 0
    const progressLine = new RegExp(`^soak: ${mode} (\\d+)(?: rounds)?$`)
    for (;;) {
      // run until the console shows a new line end, then look at the lines it has
      con.waitFor('\n', { ms: 1000 })
      const lines = con.read().split('\n').slice(0, -1) // whole lines only
      for (; seen < lines.length; seen++) {
        const line = lines[seen]!
        lastLine = line
        const m = progressLine.exec(line)
        if (m) sample(Number(m[1]))
      }
      if (/^soak: (FAIL|no mode)/.test(lastLine)) break
      if (mode === 'cycles' && lastLine === `soak: cycles ${rounds} ok`) { ok = true; break }
      if (mode === 'blobfuzz' && lastLine.startsWith(`soak: blobfuzz ${rounds} rounds, `)) { ok = true; break }
      if (wb.stats().virtualMs - startMs > GUEST_LIMIT_MS) { lastLine += ' (virtual-time limit reached)'; break }
      if (wb.vm(vm.name).state !== 'running') { lastLine += ` (VM ${wb.vm(vm.name).state})`; break }
    }
    if (samples.at(-1)?.round !== rounds) sample(rounds)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const first = samples[0]
const end = samples.at(-1)
console.log(JSON.stringify({
  mode, rounds, progress, ok, lastLine,
  wallMs: Math.round(performance.now() - t0),
  peakRss: process.resourceUsage().maxRSS * 1024,
  first, end, samples,
}))
