/** @jsxRuntime automatic @jsxImportSource react */
/** The last lines of the hypervisor's log (CROSSCONHYP …), warnings yellow, errors red. */
import { Box, Text } from 'ink'
import { styled } from '../model.ts'
import type { LineBuffer } from '../line-buffer.ts'

export interface LogPaneProps {
  log: LineBuffer
  width: number
  height: number
}

const COLOR = { error: 'red', warning: 'yellow' } as Record<string, string | undefined>

export function LogPane({ log, width, height }: LogPaneProps) {
  const lines = log.view(height)
  while (lines.length < height) lines.push('-')
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      {lines.map((l, i) => {
        const { style, text } = styled(l)
        return <Text key={i} wrap="truncate" color={COLOR[style]} dimColor={style === 'info'}>{text || ' '}</Text>
      })}
    </Box>
  )
}
