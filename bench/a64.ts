/**
 * The AArch64 figures of `npm run bench`: bench/a64-loop (bench/rv64-loop's work.c built for
 * AArch64, see its README) under `baobab run --bare` — the A64 core has no translation tier yet,
 * so this is its interpreter — beside `qemu-system-aarch64 -M virt -cpu cortex-a53 -kernel` on the
 * same image in the same run, QEMU's start-up (exit.elf) subtracted.
 */
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { median, type Figure } from './measure.ts'

const here = dirname(fileURLToPath(import.meta.url))
const LOOP = join(here, 'a64-loop')

/** MIPS, and instructions, of `baobab run --bare image --stats` in a fresh process */
function baobabRun(image: string): { mips: number; insns: number } | null {
  const r = spawnSync(process.execPath, [join(here, '..', 'bin', 'baobab.js'), 'run', '--bare', image, '--stats'], { encoding: 'utf8', timeout: 600_000 })
  const mips = /^MIPS: ([\d.]+)$/m.exec(r.stderr ?? ''), insns = /^instructions: (\d+)$/m.exec(r.stderr ?? '')
  return mips && insns ? { mips: Number(mips[1]), insns: Number(insns[1]) } : null
}

/** wall ms of one QEMU run of `image` (start-up included), null if it failed */
function qemuMs(image: string): number | null {
  const t0 = performance.now()
  const r = spawnSync('qemu-system-aarch64', ['-M', 'virt', '-cpu', 'cortex-a53', '-nographic', '-kernel', image], { timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] })
  if (r.error || r.status !== 0) return null
  return performance.now() - t0
}

export function benchA64(opts: { quick: boolean }): Figure[] {
  const prog = join(LOOP, opts.quick ? 'prog_50.elf' : 'prog_5000.elf')
  const runs = opts.quick ? 1 : 3
  const ours = Array.from({ length: runs }, () => baobabRun(prog)).filter((r) => r !== null)
  if (ours.length === 0) return []
  const mips = median(ours.map((r) => r.mips))
  const out: Figure[] = [{ name: 'a64-loop bare guest MIPS (interpreter)', value: mips, unit: 'MIPS' }]
  const start = [qemuMs(join(LOOP, 'exit.elf')), qemuMs(join(LOOP, 'exit.elf')), qemuMs(join(LOOP, 'exit.elf'))]
  const q = Array.from({ length: runs }, () => qemuMs(prog))
  if (start.some((s) => s === null) || q.some((s) => s === null)) {
    process.stdout.write('a64-loop qemu comparison: skipped (qemu-system-aarch64 not installed)\n')
    return out
  }
  const qrun = Math.max(1, median(q as number[]) - median(start as number[]))
  const qemuMips = ours[0]!.insns / qrun / 1000
  out.push({ name: 'a64-loop qemu MIPS', value: qemuMips, unit: 'MIPS' })
  out.push({ name: 'a64-loop baobab/qemu speed ratio', value: mips / qemuMips, unit: 'x' })
  return out
}
