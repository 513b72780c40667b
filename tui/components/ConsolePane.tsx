/** @jsxRuntime automatic @jsxImportSource react */
/** One guest console: the lines of its scrollback that fit, an optional title, a scroll marker. */
import { Box, Text } from 'ink'
import type { ConsoleTab } from '../model.ts'

export interface ConsolePaneProps {
  tab: ConsoleTab
  width: number
  height: number
  /** a header line with the VM's name (split view) */
  title: boolean
  focused: boolean
}

export function ConsolePane({ tab, width, height, title, focused }: ConsolePaneProps) {
  const body = Math.max(1, height - (title ? 1 : 0))
  const scrolled = tab.scroll > 0
  const lines = tab.lines.view(scrolled ? body - 1 : body, tab.scroll)
  while (lines.length < (scrolled ? body - 1 : body)) lines.push('')
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      {title && (
        <Text wrap="truncate" bold inverse={!focused} backgroundColor={focused ? 'cyan' : undefined} color={focused ? 'black' : undefined}>
          {` ${tab.name}${tab.gone ? ' (destroyed)' : ''}${focused ? ' (keys)' : ''}`.padEnd(width)}
        </Text>
      )}
      {lines.map((l, i) => <Text key={i} wrap="truncate">{l || ' '}</Text>)}
      {scrolled && <Text wrap="truncate" inverse>{` ↑ ${tab.scroll} lines back — PgDn `.padEnd(width)}</Text>}
    </Box>
  )
}
