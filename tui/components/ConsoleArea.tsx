/** @jsxRuntime automatic @jsxImportSource react */
/** The consoles: the current tab full size, or (split view) several side by side. */
import { Box, Text } from 'ink'
import type { ConsoleTab, Focus } from '../model.ts'
import { ConsolePane } from './ConsolePane.tsx'

export interface ConsoleAreaProps {
  tabs: ConsoleTab[]
  current: number
  /** which tabs split view shows (indices) */
  shown: number[]
  split: boolean
  focus: Focus
  width: number
  height: number
}

export function ConsoleArea({ tabs, current, shown, split, focus, width, height }: ConsoleAreaProps) {
  if (!tabs.length) {
    return <Box width={width} height={height}><Text dimColor>no VMs</Text></Box>
  }
  if (!split || shown.length < 2) {
    const tab = tabs[current] ?? tabs[0]!
    return <ConsolePane tab={tab} width={width} height={height} title={false} focused={focus === current} />
  }
  // panes separated by a one-column rule; the last pane takes the remainder
  const n = shown.length
  const each = Math.floor((width - (n - 1)) / n)
  return (
    <Box width={width} height={height}>
      {shown.map((i, k) => (
        <Box key={tabs[i]!.vmId}>
          {k > 0 && <Box width={1} height={height} flexDirection="column">{Array.from({ length: height }, (_, r) => <Text key={r} dimColor>│</Text>)}</Box>}
          <ConsolePane tab={tabs[i]!} width={k === n - 1 ? width - (n - 1) * (each + 1) : each} height={height} title focused={focus === i} />
        </Box>
      ))}
    </Box>
  )
}
