/** @jsxRuntime automatic @jsxImportSource react */
/**
 * One inverse line: virtual time, the clock mode and how fast virtual time goes against the host
 * clock, speed, host CPU use, instructions, simulation state, who has the keyboard.
 */
import { Text } from 'ink'
import type { Focus, SimState, StatsView } from '../model.ts'
import { si } from './VmTree.tsx'

export interface StatusLineProps {
  stats: StatsView
  sim: SimState
  focus: Focus
  focusName: string
  width: number
}

const SIM_COLOR: Record<SimState, string> = { running: 'green', idle: 'blue', halted: 'red', paused: 'yellow', busy: 'magenta' }

export function StatusLine({ stats, sim, focus, focusName, width }: StatusLineProps) {
  const clock = stats.clock === 'realtime' ? 'real time' : 'deterministic'
  const left = ` t ${stats.virtualMs.toFixed(3)} ms │ ${clock} ×${stats.ratio.toFixed(2)} │ ${stats.mips.toFixed(1)} MIPS │ cpu ${stats.cpu}% │ ${si(stats.instructions)} insns │ `
  const right = ` │ keys → ${focus === 'repl' ? 'REPL' : focusName} `
  const label = sim === 'idle' ? 'idle (wfi)' : sim
  const pad = Math.max(0, width - left.length - label.length - right.length)
  return (
    <Text inverse wrap="truncate">
      {left}<Text color={SIM_COLOR[sim]} inverse>{label}</Text>{right}{' '.repeat(pad)}
    </Text>
  )
}
