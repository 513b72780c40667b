/**
 * The REPL transcript: long results fold to their first lines and a marker (F5 opens and closes
 * the last), PgUp/PgDn scroll it when the REPL has the keys, new output and Enter return to the
 * bottom, memory stays bounded whatever a result prints; the mouse wheel (F6 turns mouse
 * reporting on) scrolls the pane with the keys. On a model over a booted two-VM config, no terminal.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createElement } from 'react'
import { renderToString } from 'ink'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Workbench } from '../core/api.ts'
import { Transcript } from '../tui/components/Transcript.tsx'
import { Controller, KEYS } from '../tui/controller.ts'
import { decodeKeys } from '../tui/keys.ts'
import { FoldingBuffer, MAX_LINE } from '../tui/line-buffer.ts'
import { TRANSCRIPT, TuiModel, styled, type Repl } from '../tui/model.ts'

const numbered = (n: number, from = 0): string => Array.from({ length: n }, (_, i) => `line ${from + i}`).join('\n')
/** the texts a pane `height` rows tall shows now */
const shown = (m: TuiModel, height: number): string[] => m.transcript.view(height).map((l) => styled(l).text)

describe('FoldingBuffer', () => {
  const buffer = () => new FoldingBuffer(1000, (n) => `+${n} more`)
  const block = (n: number, tag = 'x') => Array.from({ length: n }, (_, i) => `${tag}${i}`)

  it('folds a block longer than max(3, height − 2) to its first lines and one marker row', () => {
    for (const [height, limit] of [[1, 3], [3, 3], [5, 3], [8, 6], [20, 18]] as const) {
      expect(FoldingBuffer.limit(height)).toBe(limit)
      const b = buffer()
      b.push(block(limit, 'a'))
      // exactly at the limit: shown whole
      expect(b.view(height)).toEqual(block(limit, 'a').slice(-height))
      b.push(block(limit + 1, 'b'))
      // one over: limit − 1 lines, then the marker counting the rest
      expect(b.view(height)).toEqual([...block(limit, 'a'), ...block(limit - 1, 'b'), '+2 more'].slice(-height))
    }
  })

  it('keeps a result folded while new output arrives, and refolds for another height', () => {
    const b = buffer()
    b.push(['> long'])
    b.push(block(50))
    expect(b.view(8)).toEqual(['> long', 'x0', 'x1', 'x2', 'x3', 'x4', '+45 more'].slice(-8))
    b.push(['> next'])
    b.push(['1'])
    expect(b.view(8)).toEqual(['> long', 'x0', 'x1', 'x2', 'x3', 'x4', '+45 more', '> next', '1'].slice(-8))
    // a taller pane folds later
    const tall = b.view(40)
    expect([tall[0], tall[36], tall[37]]).toEqual(['x0', 'x36', '+13 more'])
  })
})

describe('the REPL transcript in the TUI model and controller', () => {
  const config = fileURLToPath(new URL('../configs/two-vms.json', import.meta.url))
  const repl: Repl = { history: [], needsMore: () => false, complete: () => [], evaluate: async () => ({ output: '', error: false }) }
  let wb: Workbench
  const models: TuiModel[] = []
  beforeAll(async () => { wb = await Workbench.open({ config }) })
  afterEach(() => { for (const m of models.splice(0)) m.dispose() })

  /** a model whose transcript pane is `rows` tall, the console pane 10 */
  function setup(rows = 8) {
    const m = new TuiModel(wb, repl)
    models.push(m)
    const acts = { evaluated: [] as string[] }
    const c = new Controller(m, { quit: () => {}, evaluate: (code) => { acts.evaluated.push(code) }, togglePause: () => {} }, () => 10, () => rows)
    const press = (...events: string[]) => { for (const e of events) for (const k of decodeKeys(e)) c.key(k) }
    return { m, c, press, acts }
  }
  const PGUP = '\x1b[5~', PGDN = '\x1b[6~', F2 = '\x1bOQ', F5 = '\x1b[15~', F6 = '\x1b[17~'

  it('PgUp/PgDn page through the transcript when the REPL has the keys, a page less one line at a time', () => {
    const { m, press } = setup(8)
    for (let i = 0; i < 30; i++) m.say(`r${i}`)
    expect(shown(m, 8)).toEqual(['r22', 'r23', 'r24', 'r25', 'r26', 'r27', 'r28', 'r29'])
    press(PGUP)
    expect(m.transcript.scroll).toBe(7)
    expect(shown(m, 8)).toEqual(['r15', 'r16', 'r17', 'r18', 'r19', 'r20', 'r21', 'r22'])
    press(PGUP, PGUP, PGUP, PGUP)
    // no further than the oldest line
    expect(m.transcript.scroll).toBe(22)
    expect(shown(m, 8)[0]).toBe('r0')
    press(PGDN)
    expect(m.transcript.scroll).toBe(15)
    press(PGDN, PGDN, PGDN)
    expect(m.transcript.scroll).toBe(0)
    // the consoles did not move
    expect(m.consoles.map((t) => t.scroll)).toEqual([0, 0])
  })

  it('with a console focused, PgUp/PgDn scroll that console and leave the transcript', () => {
    const { m, press } = setup(8)
    for (let i = 0; i < 30; i++) m.say(`r${i}`)
    const t = m.consoles[0]!
    for (let i = 0; i < 100; i++) t.lines.pushLine(`c${i}`)
    press(F2, PGUP)
    expect([t.scroll, m.transcript.scroll]).toEqual([9, 0])
    press(PGDN)
    expect(t.scroll).toBe(0)
  })

  it('scrolled back, the pane\'s title says how far; new output and Enter return to the bottom', () => {
    const { m, press, acts } = setup(5)
    for (let i = 0; i < 30; i++) m.say(`r${i}`)
    const draw = () => renderToString(createElement(Transcript, { transcript: m.transcript, width: 60, height: 5 }), { columns: 60 }).split('\n')
    expect(draw()[0]).toBe(`─ REPL ${'─'.repeat(53)}`)
    press(PGUP)
    expect(draw()[0]).toMatch(/^─ REPL ↑ 4 lines back — PgDn ─+$/)
    expect(draw().slice(1)).toEqual(['r21', 'r22', 'r23', 'r24', 'r25'])
    // output arriving (a late callback printing) brings the pane back down
    m.say('late')
    expect(m.transcript.scroll).toBe(0)
    expect(draw()[0]).toBe(`─ REPL ${'─'.repeat(53)}`)
    // so does Enter, even on an empty line
    press(PGUP, PGUP)
    expect(m.transcript.scroll).toBe(8)
    press('\r')
    expect(m.transcript.scroll).toBe(0)
    press(PGUP, '1+1\r')
    expect([m.transcript.scroll, acts.evaluated]).toEqual([0, ['1+1']])
    // typing alone leaves it where it is
    press(PGUP, 'x')
    expect(m.transcript.scroll).toBe(4)
  })

  it('a long result shows folded — its first lines and "… N more lines — F5 unfolds" — and stays folded', () => {
    const { m } = setup(8)
    m.say('baobab> big()', 'input')
    m.say(numbered(200))
    expect(shown(m, 8)).toEqual(['baobab> big()', 'line 0', 'line 1', 'line 2', 'line 3', 'line 4', '… 195 more lines — F5 unfolds'])
    expect(styled(m.transcript.view(8).at(-1)!).style).toBe('fold')
    // six lines fit a pane of 8: not folded
    m.say(numbered(6, 1000))
    expect(shown(m, 8).slice(-6)).toEqual(['line 1000', 'line 1001', 'line 1002', 'line 1003', 'line 1004', 'line 1005'])
    m.say('baobab> 1', 'input')
    m.say('1')
    expect(m.transcript.view(8, 7).map((l) => styled(l).text)).toEqual(['baobab> big()', 'line 0', 'line 1', 'line 2', 'line 3', 'line 4', '… 195 more lines — F5 unfolds', 'line 1000'])
    // the whole result is kept
    expect(m.transcript.length).toBe(1 + 200 + 6 + 1 + 1)
  })

  it('F5 opens the last folded result from its first line, PgDn/PgUp scroll through it, F5 folds it again', () => {
    const { m, press } = setup(8)
    m.say('baobab> big()', 'input')
    m.say(numbered(200))
    press(F5)
    // the result's first line at the top of the pane
    expect(shown(m, 8)).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6', 'line 7'])
    expect(m.transcript.scroll).toBe(192)
    press(PGDN)
    expect(shown(m, 8)[0]).toBe('line 7')
    press(PGUP, PGUP)
    expect(shown(m, 8)).toEqual(['baobab> big()', 'line 0', 'line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6'])
    // to the bottom: the result's last lines
    for (let i = 0; i < 40; i++) press(PGDN)
    expect(shown(m, 8).at(-1)).toBe('line 199')
    // folded again, its fold in view
    press(F5)
    expect(shown(m, 8)).toEqual(['baobab> big()', 'line 0', 'line 1', 'line 2', 'line 3', 'line 4', '… 195 more lines — F5 unfolds'])
    expect(m.transcript.scroll).toBe(0)
  })

  it('F5 opens a fold whose first lines show though its fold row does not (a 3-row pane)', () => {
    const { m, press } = setup(3)
    m.say('baobab> big()', 'input')
    m.say(numbered(200))
    expect(shown(m, 3)).toEqual(['line 0', 'line 1', '… 198 more lines — F5 unfolds'])
    press(PGUP)
    expect(shown(m, 3)).toEqual(['baobab> big()', 'line 0', 'line 1'])
    press(F5)
    expect(shown(m, 3)).toEqual(['line 0', 'line 1', 'line 2'])
  })

  it('F5 opens the last fold in or above the pane, so scrolled back it opens an older result', () => {
    const { m, press } = setup(8)
    m.say(numbered(50, 0))
    m.say(numbered(50, 100))
    for (let i = 0; i < 10; i++) m.say(`r${i}`)
    // both folds above the pane's bottom: the second opens, and folds again with its fold row last
    press(PGUP, F5)
    expect(shown(m, 8)[0]).toBe('line 100')
    press(F5)
    expect(shown(m, 8)).toEqual(['line 4', '… 45 more lines — F5 unfolds', 'line 100', 'line 101', 'line 102', 'line 103', 'line 104', '… 45 more lines — F5 unfolds'])
    // back at the top, only the first fold in view: that one opens
    press(PGUP)
    expect(shown(m, 8)).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4', '… 45 more lines — F5 unfolds', 'line 100', 'line 101'])
    press(F5)
    expect(shown(m, 8)).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6', 'line 7'])
    // the second stays folded: 50 + 6 + 10 rows
    expect(m.transcript.maxScroll(8)).toBe(66 - 8)
    expect(m.transcript.view(8, 10).map((l) => styled(l).text)).toEqual(['line 48', 'line 49', 'line 100', 'line 101', 'line 102', 'line 103', 'line 104', '… 45 more lines — F5 unfolds'])
    // nothing folds in a pane of 60: F5 changes nothing
    const { m: m2, press: press2 } = setup(60)
    m2.say(numbered(50))
    press2(F5)
    expect([m2.transcript.scroll, shown(m2, 60).length]).toEqual([0, 50])
  })

  it('Ctrl-L clears the transcript, folds and scroll', () => {
    const { m, press } = setup(8)
    m.say(numbered(200))
    press(F5, '\x0c')
    expect([m.transcript.length, m.transcript.scroll, m.transcript.view(8)]).toEqual([0, 0, []])
    m.say(numbered(20))
    expect(shown(m, 8).at(-1)).toBe('… 15 more lines — F5 unfolds')
  })

  it('keeps memory bounded: a 100,000-line result keeps its head and tail, a long line is cut, old results go', () => {
    const { m, press } = setup(8)
    m.say('baobab> huge()', 'input')
    m.say(numbered(100_000))
    // at most half the transcript for one result, the count of what it had in the fold
    expect(m.transcript.length).toBe(1 + TRANSCRIPT / 2)
    expect(shown(m, 8)).toEqual(['baobab> huge()', 'line 0', 'line 1', 'line 2', 'line 3', 'line 4', '… 99995 more lines — F5 unfolds'])
    press(F5)
    const all = shown(m, 1000)
    expect(all.slice(1, 101)).toEqual(numbered(100).split('\n'))
    expect(all[101]).toBe(`… ${100_000 - TRANSCRIPT / 2 + 1} lines not kept (the transcript holds ${TRANSCRIPT}) …`)
    expect(all.at(-1)).toBe('line 99999')
    expect(all.length).toBe(1 + TRANSCRIPT / 2)
    // a 1 MB line: cut to MAX_LINE characters
    m.say('y'.repeat(1 << 20))
    expect(m.transcript.view(1)[0]!.length).toBe(1 + MAX_LINE)
    // a long run: 5,000 results of 10 lines; the buffer and its fold records stay bounded
    for (let i = 0; i < 5000; i++) m.say(numbered(10, i * 10))
    expect(m.transcript.length).toBeLessThanOrEqual(TRANSCRIPT)
    expect(m.transcript.lines.length).toBeLessThanOrEqual(TRANSCRIPT + 256)
    // (a private field, read here only to prove it does not grow)
    expect((Reflect.get(m.transcript, 'blocks') as unknown[]).length).toBeLessThanOrEqual(TRANSCRIPT / 4 + 1)
    expect(shown(m, 8).at(-1)).toBe('… 5 more lines — F5 unfolds')
    expect(shown(m, 8).at(-6)).toBe('line 49990')
  })

  it('decodes the SGR mouse report: the wheel up and down, clicks as `mouse`, modifiers ignored', () => {
    const names = (s: string) => decodeKeys(s).map((k) => k.name)
    expect(names('\x1b[<64;10;5M')).toEqual(['wheelup'])
    expect(names('\x1b[<65;80;24M')).toEqual(['wheeldown'])
    expect(names('\x1b[<80;1;1M')).toEqual(['wheelup'])
    expect(names('\x1b[<0;3;4M')).toEqual(['mouse'])
    expect(names('\x1b[<0;3;4m')).toEqual(['mouse'])
    expect(names('\x1b[<66;3;4M')).toEqual(['mouse'])
    expect(names('\x1b[17~')).toEqual(['f6'])
  })

  it('F6 turns mouse reporting on and off; the wheel scrolls the pane with the keys, three lines a notch', () => {
    const { m, press } = setup(8)
    expect(m.mouse).toBe(false)
    press(F6)
    expect(m.mouse).toBe(true)
    for (let i = 0; i < 30; i++) m.say(`r${i}`)
    press('\x1b[<64;10;20M', '\x1b[<64;10;20M')
    expect(m.transcript.scroll).toBe(6)
    press('\x1b[<65;10;20M')
    expect(m.transcript.scroll).toBe(3)
    // a console focused: its scrollback; a click goes nowhere, not to the guest either
    const t = m.consoles[0]!
    for (let i = 0; i < 100; i++) t.lines.pushLine(`c${i}`)
    press(F2, '\x1b[<64;10;5M')
    expect([t.scroll, m.transcript.scroll]).toEqual([3, 3])
    const sent: string[] = []
    const send = t.vm.console.send
    t.vm.console.send = (s: string) => { sent.push(s) }
    try {
      press('\x1b[<0;10;5M', '\x1b[<0;10;5m')
    } finally {
      t.vm.console.send = send
    }
    expect(sent).toEqual([])
    expect(t.scroll).toBe(3)
    // the wheel neither closes the help nor scrolls under it
    press('\x1bOP', '\x1b[<64;10;5M')
    expect([m.help, t.scroll]).toEqual([true, 3])
    press(F6)
    expect(m.help).toBe(false)
    press(F6)
    expect(m.mouse).toBe(false)
  })
})

describe('the key table', () => {
  it('lists the new keys, and README.md\'s table is the F1 help\'s (KEYS)', () => {
    const keys = new Map(KEYS)
    expect(keys.get('PgUp / PgDn')).toMatch(/REPL output or console/)
    expect(keys.get('F5')).toMatch(/fold \/ unfold/)
    expect(keys.get('F6')).toMatch(/mouse/)
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8')
    // the table after the line that introduces it, up to the blank line that ends it
    const table = readme.slice(readme.indexOf('The keys (F1 shows')).split('\n\n')[1]!
    const rows = [...table.matchAll(/^ *\| `([^`]+)` \| (.+) \|$/gm)].map((r) => [r[1]!, r[2]!.replace(/\\\|/g, '|')])
    expect(rows).toEqual(KEYS)
  })
})
