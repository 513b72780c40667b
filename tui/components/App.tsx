/** @jsxRuntime automatic @jsxImportSource react */
/**
 * The whole screen. Reads the model (redrawn when `model.publish()` bumps its version, at most
 * 20 times a second) and lays it out for the terminal's size; keys go to the controller.
 */
import { useEffect, useState, useSyncExternalStore } from 'react'
import { Box, Text, useStdout } from 'ink'
import type { Controller } from '../controller.ts'
import { layout } from '../layout.ts'
import type { TuiModel } from '../model.ts'
import { useKeys, useMouse } from '../use-keys.ts'
import { ConsoleArea } from './ConsoleArea.tsx'
import { HelpOverlay } from './HelpOverlay.tsx'
import { LogPane } from './LogPane.tsx'
import { ReplLine } from './ReplLine.tsx'
import { StatusLine } from './StatusLine.tsx'
import { TabBar } from './TabBar.tsx'
import { Transcript } from './Transcript.tsx'
import { VmTree } from './VmTree.tsx'

function useTerminalSize(): { cols: number; rows: number } {
  const { stdout } = useStdout()
  const read = () => ({ cols: stdout.columns || 80, rows: stdout.rows || 24 })
  const [size, setSize] = useState(read)
  useEffect(() => {
    const on = (): void => setSize(read())
    stdout.on('resize', on)
    return () => { stdout.off('resize', on) }
  }, [stdout])
  return size
}

export interface AppProps {
  model: TuiModel
  controller: Controller
}

export function App({ model: m, controller }: AppProps) {
  useSyncExternalStore(m.subscribe, m.getVersion)
  const { cols, rows } = useTerminalSize()
  const L = layout(cols, rows)
  useKeys((k) => {
    controller.key(k)
    m.publish()
  })
  useMouse(m.mouse)
  const focused = typeof m.focus === 'number' ? m.consoles[m.focus] : undefined
  return (
    <Box flexDirection="column" width={L.cols} height={L.rows}>
      <TabBar tabs={m.consoles} current={m.tab} focus={m.focus} split={m.split} width={L.cols} />
      {m.help ? (
        <HelpOverlay width={L.cols} height={L.rows - 2} />
      ) : (
        <>
          <Box height={L.middle} width={L.cols}>
            <ConsoleArea tabs={m.consoles} current={m.tab} shown={m.splitTabs()} split={m.split} focus={m.focus} width={L.consoleWidth} height={L.middle} />
            {L.side > 0 && <VmTree vms={m.stats.vms} width={L.side} height={L.middle} />}
          </Box>
          <StatusLine stats={m.stats} sim={m.sim} focus={m.focus} focusName={focused?.name ?? ''} width={L.cols} />
          <LogPane log={m.log} width={L.cols} height={L.log} />
          <Transcript transcript={m.transcript} width={L.cols} height={L.transcript} />
        </>
      )}
      <ReplLine prompt={m.editor.prompt} text={m.editor.text} cursor={m.editor.cursor} focused={m.focus === 'repl' && !m.help} busy={m.busy} width={L.cols} />
    </Box>
  )
}
