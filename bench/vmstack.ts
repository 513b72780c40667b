/**
 * Dynamic-VM figures (issue 5), in host (wall) microseconds, in-process:
 *  - the host demo's 1,000 create + destroy cycles, driven by the guest (configs/dynamic-vm.json):
 *    per cycle;
 *  - create → the child's first console line: through the API (hv.hypercall as the host's vCPU)
 *    create, invoke, run until the child's line is complete;
 *  - invoke/return round trip: API invoke of a live child, run until it has yielded back to the
 *    host (the child prints one line per invocation, via SBI DBCN, inside the trip).
 * Every figure is a median over its samples, after warm-up rounds.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Workbench } from '../core/api.ts'
import { packConfig } from '../core/hypervisor/blob.ts'
import { loadConfig } from '../core/hypervisor/config.ts'
import type { Vm } from '../core/hypervisor/vm.ts'
import { PluginHost } from '../core/plugins.ts'
import { configBlob as riscv64Blob } from '../plugins/arch-riscv64/config-blob.ts'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const DEMO = join(root, 'configs', 'dynamic-vm.json')
const CHILD_JSON = join(root, 'guests', 'riscv64-vm', 'child', 'child.json')
const CHILD_IMAGE = join(root, 'guests', 'images', 'riscv64-vm', 'vmstack-child-0x90000000.bin')
const EID = 0x08000ba0
const fid = (fn: number): number => (3 << 16) | fn
const CREATE = 0, INVOKE = 1, DESTROY = 6
/** vmstack-host's blob area */
const AREA = 0x80400000
const PAGE = 0x1000
/** vmstack-host's create/destroy loop */
const GUEST_CYCLES = 1000

export interface VmstackFigure {
  name: string
  value: number
  unit: string
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

export async function benchVmstack(opts: { samples?: number; trips?: number } = {}): Promise<VmstackFigure[]> {
  const samples = opts.samples ?? 200
  const trips = opts.trips ?? 2000
  const wb = await Workbench.open({ config: DEMO })
  const hv = wb.hypervisor!
  const m = wb.machine
  const host = hv.vms.find((v) => v.name === 'host')!
  const pv = host.vcpus[0]!

  // the guest's own 1,000 cycles: wall time between the lines around them
  let hostText = ''
  const marks: Record<string, number> = {}
  host.console.onOutput((b) => {
    hostText += String.fromCharCode(b)
    if (b !== 10) return
    const line = hostText.slice(hostText.lastIndexOf('\n', hostText.length - 2) + 1, -1)
    if (/^host: create\/destroy cycles (start|1000 ok)$/.test(line)) marks[line] = performance.now()
  })
  m.sched.run({ predicate: () => hostText.includes('host: done\n'), cycles: 500_000_000 })
  const guestCycle = ((marks['host: create/destroy cycles 1000 ok']! - marks['host: create/destroy cycles start']!) * 1000) / GUEST_CYCLES

  // the API's children: same blob and image as the demo's
  const { config } = await loadConfig(CHILD_JSON, new PluginHost())
  const blob = packConfig(config, { arch: riscv64Blob, images: false })
  const image = new Uint8Array(readFileSync(CHILD_IMAGE))
  const write = (gpa: number, bytes: Uint8Array): void => {
    for (let off = 0; off < bytes.length;) {
      const n = Math.min(PAGE - ((gpa + off) % PAGE), bytes.length - off)
      m.bus.load(host.gpaToPa(gpa + off), bytes.subarray(off, off + n))
      off += n
    }
  }
  const call = (fn: number, ...args: number[]): bigint => {
    const r = wb.hv.hypercall('host', 0, EID, fid(fn), ...args)
    if (fn !== INVOKE && r.error !== 0n) throw new Error(`vmstack fn ${fn}: error ${r.error}`)
    return r.value
  }
  const back = (): void => { m.sched.run({ predicate: () => hv.stacks[pv.pcpu]!.current === pv, cycles: 10_000_000 }) }

  // create → first console line
  const firstLine: number[] = []
  for (let i = 0; i < samples + 20; i++) {
    write(AREA, blob)
    write(AREA + blob.length, image)
    let t1 = 0
    const t0 = performance.now()
    const id = Number(call(CREATE, AREA))
    const child = hv.vms.find((v) => v.id === id) as Vm
    child.console.onOutput((b) => { if (b === 10 && !t1) t1 = performance.now() })
    call(INVOKE, id, 1)
    m.sched.run({ predicate: () => t1 !== 0, cycles: 10_000_000 })
    if (!t1) throw new Error('the child printed nothing')
    if (i >= 20) firstLine.push((t1 - t0) * 1000)
    back()
    call(DESTROY, id)
  }

  // invoke/return round trips on one child
  write(AREA, blob)
  write(AREA + blob.length, image)
  const id = Number(call(CREATE, AREA))
  const trip: number[] = []
  for (let i = 0; i < trips + 200; i++) {
    const t0 = performance.now()
    call(INVOKE, id, 2 + (i % 1000))
    back()
    const t1 = performance.now()
    if (i >= 200) trip.push((t1 - t0) * 1000)
  }
  call(DESTROY, id)

  return [
    { name: 'dynamic VM create+destroy cycle (guest-driven, 1000 cycles)', value: guestCycle, unit: 'us' },
    { name: 'dynamic VM create -> child first console line', value: median(firstLine), unit: 'us' },
    { name: 'dynamic VM invoke/return round trip', value: median(trip), unit: 'us' },
  ]
}

// `npx tsx bench/vmstack.ts`: print the figures
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const f of await benchVmstack()) process.stdout.write(`${f.name}: ${f.value.toFixed(1)} ${f.unit}\n`)
}
