/** @jsxRuntime automatic @jsxImportSource react */
/** The input line: prompt, text scrolled so the cursor stays visible, the cursor as an inverse cell. */
import { Text } from 'ink'

export interface ReplLineProps {
  prompt: string
  text: string
  cursor: number
  focused: boolean
  busy: boolean
  width: number
}

export function ReplLine({ prompt, text, cursor, focused, busy, width }: ReplLineProps) {
  const room = Math.max(1, width - prompt.length - 1)
  const start = Math.max(0, cursor - room + 1)
  const visible = text.slice(start, start + room)
  const at = cursor - start
  const before = visible.slice(0, at)
  const under = visible[at] ?? ' '
  const after = visible.slice(at + 1)
  return (
    <Text wrap="truncate">
      <Text color={focused ? 'green' : undefined} dimColor={!focused} bold>{prompt}</Text>
      {before}
      {focused && !busy ? <Text inverse>{under}</Text> : under}
      {after}
      {busy ? <Text dimColor> (running…)</Text> : null}
    </Text>
  )
}
