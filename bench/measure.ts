/** What the benchmarks share: printing a figure, running an image bare or a config in-process, timing QEMU. */
import { spawnSync } from 'node:child_process'
import { bootBare } from '../core/bare.ts'
import { bootConfig } from '../core/boot.ts'
import { attach as attachLlc } from '../plugins/feat-llc/model.ts'

export interface Figure {
  name: string
  value: number
  unit: string
}

export function print(f: Figure): void {
  const v = Number.isInteger(f.value) ? String(f.value) : f.value.toFixed(f.value < 10 ? 2 : 1)
  process.stdout.write(`${f.name}: ${v} ${f.unit}\n`)
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** Run an image bare in this process; returns wall ms, instructions and the console text. */
export async function runBare(image: string, interpOnly = false, llc = false): Promise<{ ms: number; insns: number; out: string }> {
  const bm = await bootBare({ board: 'qemu-virt-riscv64', image })
  const m = bm.machine
  if (interpOnly) for (const h of m.cpus) (h as unknown as { translate: boolean }).translate = false
  // the LLC model (feature llc) on this machine: every load and store through it
  if (llc) {
    const model = attachLlc(m.bus, m.board)!
    m.bus.observe(model.observer, model.lines)
  }
  let out = ''
  m.serial('uart0').onOutput((b) => { out += String.fromCharCode(b) })
  const t0 = performance.now()
  m.sched.run({})
  return { ms: performance.now() - t0, insns: m.sched.instructions, out }
}

/** Run a config in-process until `done(text of all consoles)` or the machine stops. */
export async function runConfigUntil(file: string, done?: (text: string) => boolean): Promise<{ ms: number; insns: number; exits: number; firstLineMs: number; text: string }> {
  const t0 = performance.now()
  const { machine: m, hv } = await bootConfig(file)
  let firstLineMs = -1
  let text = ''
  for (const vm of hv.vms) vm.console.onOutput((b) => {
    if (firstLineMs < 0) firstLineMs = performance.now() - t0
    text += String.fromCharCode(b)
  })
  const t1 = performance.now()
  m.sched.run({ predicate: done ? () => done(text) : undefined })
  return { ms: performance.now() - t1, insns: m.sched.instructions, exits: hv.vms.reduce((s, v) => s + v.exits, 0), firstLineMs, text }
}

/** Wall ms of one `qemu-system-riscv64 -M virt -bios none` run of `image` (start-up included), null if it failed. */
export function qemuMs(image: string): number | null {
  const t0 = performance.now()
  const r = spawnSync('qemu-system-riscv64', ['-M', 'virt', '-bios', 'none', '-nographic', '-kernel', image], { timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] })
  if (r.error || r.status !== 0) return null
  return performance.now() - t0
}
