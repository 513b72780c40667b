/**
 * The `--stats` lines of `baobab run` (bare and config mode): instructions, virtual and wall
 * time, MIPS, and what the translation tier did and where the host time went (so a user can
 * see why a program is slow: translating, translated code, the interpreter, or the rest).
 */
import type { Machine } from '../../core/machine.ts'
import { CodeCache } from '../../core/cpu/code-cache.ts'
import { startTimeSplit, type TimeSplit } from '../../core/cpu/time-split.ts'

/** Start the sampling for the time split, if the machine's arch says which code is which; returns what stops it. */
export function startStats(m: Machine): () => TimeSplit | null {
  const roles = m.arch.profile
  if (!roles) return () => null
  return startTimeSplit(roles)
}

export function printStats(m: Machine, wallMs: number, split: TimeSplit | null = null): void {
  const insns = m.sched.instructions
  const virtualMs = (m.sched.now / m.board.cpuHz) * 1000
  const lines = [`instructions: ${insns}`, `virtual time: ${virtualMs.toFixed(3)} ms`, `wall time: ${wallMs.toFixed(1)} ms`, `MIPS: ${(insns / wallMs / 1000).toFixed(1)}`]
  const t = CodeCache.of(m.bus).stats
  const pct = (n: number, of: number): string => `${of > 0 ? ((n / of) * 100).toFixed(1) : '0.0'}%`
  lines.push(`translated code ran: ${t.ranTranslated} instructions (${pct(t.ranTranslated, insns)}), entered ${t.entries} times; the interpreter ${insns - t.ranTranslated}`)
  lines.push(`translated: ${t.translated} instructions into ${t.regions} regions in ${t.modules} modules (${(t.bytes / 1024).toFixed(1)} KiB of WebAssembly), ${t.translateMs.toFixed(1)} ms`)
  if (split && split.totalMs > 0) {
    const s = split
    lines.push(`host time (sampled, ${s.totalMs.toFixed(0)} ms): translated code ${pct(s.translated, s.totalMs)}, translating ${pct(s.translating, s.totalMs)}, interpreter ${pct(s.interpreter, s.totalMs)}, garbage collection ${pct(s.gc, s.totalMs)}, devices/hypervisor/other ${pct(s.other, s.totalMs)}`)
  }
  process.stderr.write(lines.join('\n') + '\n')
}
