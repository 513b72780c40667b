/** The `--stats` lines of `baobab run` (bare and config mode): instructions, virtual and wall time, MIPS. */
import type { Machine } from '../../core/machine.ts'

export function printStats(m: Machine, wallMs: number): void {
  const insns = m.sched.instructions
  const virtualMs = (m.sched.now / m.board.cpuHz) * 1000
  process.stderr.write(`instructions: ${insns}\nvirtual time: ${virtualMs.toFixed(3)} ms\nwall time: ${wallMs.toFixed(1)} ms\nMIPS: ${(insns / wallMs / 1000).toFixed(1)}\n`)
}
