/** @jsxRuntime automatic @jsxImportSource react */
/** The key list, over the panes; any key closes it. */
import { Box, Text } from 'ink'
import { KEYS } from '../controller.ts'

export interface HelpOverlayProps {
  width: number
  height: number
}

export function HelpOverlay({ width, height }: HelpOverlayProps) {
  const keyWidth = Math.max(...KEYS.map(([k]) => k.length)) + 2
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" borderColor="cyan" paddingX={1} overflow="hidden">
      <Text bold color="cyan" wrap="truncate">baobab — keys (any key closes this)</Text>
      {KEYS.slice(0, Math.max(0, height - 4)).map(([k, what]) => (
        <Text key={k} wrap="truncate"><Text bold>{k.padEnd(keyWidth)}</Text>{what}</Text>
      ))}
      <Text dimColor wrap="truncate">REPL globals: hv, vm(id), board, run, step, stats … — type help()</Text>
    </Box>
  )
}
