/**
 * Raw key input through Ink's stdin. Ink's `useInput` folds keys into booleans and drops the
 * function keys and the raw bytes; a focused guest console needs the bytes as typed, and F1–F4
 * are ours. So we listen to the same parsed input events `useInput` does and decode them
 * ourselves (tui/keys.ts).
 */
import { useEffect, useRef } from 'react'
import { useStdin, useStdout } from 'ink'
import { decodeKeys, type KeyEvent } from './keys.ts'
import { mouseReporting } from './terminal.ts'

export function useKeys(handler: (k: KeyEvent) => void): void {
  const { internal_eventEmitter: events, setRawMode, isRawModeSupported } = useStdin()
  const latest = useRef(handler)
  latest.current = handler
  useEffect(() => {
    if (!isRawModeSupported) return
    setRawMode(true)
    return () => setRawMode(false)
  }, [isRawModeSupported, setRawMode])
  useEffect(() => {
    const on = (input: string): void => {
      for (const k of decodeKeys(input)) latest.current(k)
    }
    events.on('input', on)
    return () => { events.off('input', on) }
  }, [events])
}

/**
 * The terminal reports the mouse while `on` (its wheel then arrives as keys, see keys.ts); off
 * again when `on` goes false or the view unmounts — and takeTerminal's restore turns it off
 * however the process ends.
 */
export function useMouse(on: boolean): void {
  const { stdout } = useStdout()
  useEffect(() => {
    if (!on) return
    mouseReporting(stdout, true)
    return () => mouseReporting(stdout, false)
  }, [on, stdout])
}
