/** @jsxRuntime automatic @jsxImportSource react */
/**
 * The VMs as a tree (VM-stack children under their parent): id, name, state, counters — the
 * hypervisor's, and on a line below those any a feature keeps (feature llc: `llc miss 12.3k`);
 * in a VM-stack family, the type of each non-GPOS VM and a `*` on the side that runs now.
 */
import type { ReactElement } from 'react'
import { Box, Text } from 'ink'
import type { VmRow } from '../model.ts'

export interface VmTreeProps {
  vms: VmRow[]
  width: number
  height: number
}

const STATE_COLOR: Record<string, string> = { running: 'green', stopped: 'gray', faulted: 'red' }

export function si(n: number): string {
  if (n < 1e3) return String(n)
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)}k`
  if (n < 1e9) return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)}M`
  return `${(n / 1e9).toFixed(1)}G`
}

/** the counter columns, under their legend */
function counters(ins: number | string, ex: number | string, hc: number | string): string {
  const f = (x: number | string, w: number) => (typeof x === 'number' ? si(x) : x).padStart(w)
  return `  ${f(ins, 6)} ${f(ex, 6)} ${f(hc, 5)}`
}

export function VmTree({ vms, width, height }: VmTreeProps) {
  const inner = width - 2
  const rows: ReactElement[] = []

  for (const v of vms) {
    const indent = '  '.repeat(v.depth) + (v.depth ? '└' : '')
    // a VM-stack family (a TEE pair, a parent and its children) shows its types and which side runs
    const family = v.parent !== null || v.children.length > 0
    const head = `${indent}${v.id} ${v.name}${family && v.type !== 'gpos' ? ` ${v.type}` : ''}${family && v.onCpu ? ' *' : ''}`
    const state = v.state
    const pad = Math.max(1, inner - head.length - state.length)
    rows.push(
      <Text key={`${v.id}h`} wrap="truncate">
        {head}{' '.repeat(pad)}<Text color={STATE_COLOR[state] ?? 'yellow'}>{state}</Text>
      </Text>,
    )
    rows.push(
      <Text key={`${v.id}s`} dimColor wrap="truncate">
        {'  '.repeat(v.depth) + counters(v.instructions, v.exits, v.hypercalls)}
      </Text>,
    )
    // the features' counters (the pane is narrow: a line of their own, named)
    const extra = Object.entries(v.counters)
    if (extra.length) {
      rows.push(
        <Text key={`${v.id}c`} dimColor wrap="truncate">
          {`${'  '.repeat(v.depth)}  ${extra.map(([n, x]) => `${n} ${si(x)}`).join('  ')}`}
        </Text>,
      )
    }
    if (v.fault) rows.push(<Text key={`${v.id}f`} color="red" wrap="truncate">{`${'  '.repeat(v.depth)}  ${v.fault}`}</Text>)
  }
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="single" borderTop={false} borderBottom={false} borderRight={false} borderDimColor paddingLeft={1} overflow="hidden">
      <Text wrap="truncate"><Text bold>VMs</Text></Text>
      <Text dimColor wrap="truncate">{counters('insns', 'exits', 'hcall')}</Text>
      {rows.slice(0, Math.max(0, height - 2))}
    </Box>
  )
}
