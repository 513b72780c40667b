/** @jsxRuntime automatic @jsxImportSource react */
/** The console tabs across the top: the current one inverse, cyan when it has the keyboard. */
import { Box, Text } from 'ink'
import type { ConsoleTab, Focus } from '../model.ts'

export interface TabBarProps {
  tabs: ConsoleTab[]
  current: number
  focus: Focus
  split: boolean
  width: number
}

export function TabBar({ tabs, current, focus, split, width }: TabBarProps) {
  return (
    <Box width={width} height={1} overflow="hidden">
      <Box flexGrow={1} overflow="hidden">
        <Text wrap="truncate">
          {tabs.map((t, i) => {
            const label = ` ${i + 1}:${t.name}${t.gone ? '✗' : ''}${t.unread ? '*' : ''} `
            const keyboard = focus === i
            return (
              <Text key={t.vmId} inverse={i === current && !keyboard} backgroundColor={keyboard ? 'cyan' : undefined}
                color={keyboard ? 'black' : t.unread ? 'yellow' : undefined} bold={i === current}>
                {label}
              </Text>
            )
          })}
        </Text>
      </Box>
      <Text dimColor wrap="truncate">{split ? ' split' : ''} F1 help </Text>
    </Box>
  )
}
