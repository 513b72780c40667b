/** @jsxRuntime automatic @jsxImportSource react */
/** What the REPL said: the inputs echoed with their prompt, results, errors in red. */
import { Box, Text } from 'ink'
import { styled } from '../model.ts'
import type { LineBuffer } from '../line-buffer.ts'

export interface TranscriptProps {
  lines: LineBuffer
  width: number
  height: number
}

export function Transcript({ lines, width, height }: TranscriptProps) {
  const shown = lines.view(height)
  while (shown.length < height) shown.unshift(' ')
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      {shown.map((l, i) => {
        const { style, text } = styled(l)
        return (
          <Text key={i} wrap="truncate" color={style === 'error' ? 'red' : style === 'input' ? 'cyan' : undefined} dimColor={style === 'info'}>
            {text || ' '}
          </Text>
        )
      })}
    </Box>
  )
}
