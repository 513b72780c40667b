/** @jsxRuntime automatic @jsxImportSource react */
/**
 * What the REPL said, under its title rule: the inputs echoed with their prompt, results, errors
 * in red, a long result folded to its first lines and a marker row. Scrolled back, the title says
 * how far.
 */
import { Box, Text } from 'ink'
import { styled } from '../model.ts'
import type { FoldingBuffer } from '../line-buffer.ts'

export interface TranscriptProps {
  transcript: FoldingBuffer
  width: number
  /** rows of output (the title takes one more) */
  height: number
}

const COLOR = { error: 'red', input: 'cyan', fold: 'yellow' } as Record<string, string | undefined>

export function Transcript({ transcript, width, height }: TranscriptProps) {
  const shown = transcript.view(height)
  while (shown.length < height) shown.unshift(' ')
  const back = Math.min(transcript.scroll, transcript.maxScroll(height))
  const head = '─ REPL '
  const mark = back > 0 ? `↑ ${back} line${back === 1 ? '' : 's'} back — PgDn ` : ''
  return (
    <Box flexDirection="column" width={width} height={height + 1} overflow="hidden">
      <Text wrap="truncate">
        <Text dimColor>{head}</Text>
        {mark && <Text color="yellow">{mark}</Text>}
        <Text dimColor>{''.padEnd(Math.max(0, width - head.length - mark.length), '─')}</Text>
      </Text>
      {shown.map((l, i) => {
        const { style, text } = styled(l)
        return (
          <Text key={i} wrap="truncate" color={COLOR[style]} dimColor={style === 'info'}>
            {text || ' '}
          </Text>
        )
      })}
    </Box>
  )
}
