/**
 * The TUI's pure parts: key decoding, scrollback, the REPL line editor, the layout, and the
 * controller's key map (on a model over a stub workbench, no terminal).
 */
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { Workbench } from '../core/api.ts'
import { Controller } from '../tui/controller.ts'
import { decodeKeys } from '../tui/keys.ts'
import { LineBuffer, TermText } from '../tui/line-buffer.ts'
import { LineEditor, MORE_PROMPT, PROMPT } from '../tui/line-editor.ts'
import { layout } from '../tui/layout.ts'
import { TuiModel, styled, treeOrder, type Repl } from '../tui/model.ts'

const names = (s: string) => decodeKeys(s).map((k) => k.name === 'text' || k.name === 'ctrl' ? `${k.name}:${k.text}` : k.name)

describe('decodeKeys', () => {
  it('names the function keys in their xterm, SS3 and linux-console forms', () => {
    for (const [seq, name] of [['\x1bOP', 'f1'], ['\x1bOQ', 'f2'], ['\x1b[12~', 'f2'], ['\x1b[[C', 'f3'], ['\x1bOR', 'f3'], ['\x1bOS', 'f4']]) {
      expect(names(seq!)).toEqual([name])
    }
  })

  it('names arrows, paging and editing keys, ignoring modifiers', () => {
    expect(names('\x1b[A')).toEqual(['up'])
    expect(names('\x1bOD')).toEqual(['left'])
    expect(names('\x1b[1;5C')).toEqual(['right'])
    expect(names('\x1b[5~')).toEqual(['pageup'])
    expect(names('\x1b[6;2~')).toEqual(['pagedown'])
    expect(names('\x1b[3~')).toEqual(['delete'])
    expect(names('\x1b')).toEqual(['escape'])
  })

  it('splits a typed run at control characters and keeps the raw bytes', () => {
    expect(names('hv.vms().length\r')).toEqual(['text:hv.vms().length', 'enter'])
    expect(names('a\tb\x7f\x0f\x03')).toEqual(['text:a', 'tab', 'text:b', 'backspace', 'ctrl:o', 'ctrl:c'])
    expect(decodeKeys('\r')[0]!.raw).toBe('\r')
    expect(decodeKeys('\x1bx')[0]!.raw).toBe('\x1bx')
  })
})

describe('LineBuffer and TermText', () => {
  const feed = (s: string, max = 100) => {
    const b = new LineBuffer(max)
    new TermText(b).write(new TextEncoder().encode(s))
    return b
  }

  it('splits lines at LF, treats CRLF as one newline and CR alone as a rewrite of the line', () => {
    const b = feed('one\r\ntwo\nprogress 10%\rprogress 99%\r\nlast')
    expect(b.view(10)).toEqual(['one', 'two', 'progress 99%', 'last'])
    expect(b.partial).toBe('last')
  })

  it('drops colour and cursor escapes, expands tabs, applies backspace', () => {
    const b = feed('\x1b[1;31mred\x1b[0m\ta\x1b]0;title\x07b\bc\x01\n')
    expect(b.view(1)).toEqual(['red     ac'])
  })

  it('decodes UTF-8 split across writes', () => {
    const b = new LineBuffer()
    const t = new TermText(b)
    const bytes = new TextEncoder().encode('µs\n')
    t.write(bytes.slice(0, 1))
    t.write(bytes.slice(1))
    expect(b.view(1)).toEqual(['µs'])
  })

  it('keeps the last `max` lines and scrolls within them', () => {
    const b = new LineBuffer(50)
    for (let i = 0; i < 1000; i++) b.pushLine(`line ${i}`)
    expect(b.view(3)).toEqual(['line 997', 'line 998', 'line 999'])
    expect(b.maxScroll(10)).toBe(40)
    expect(b.view(3, 5)).toEqual(['line 992', 'line 993', 'line 994'])
    expect(b.view(3, 10_000)).toEqual(['line 950', 'line 951', 'line 952'])
  })
})

describe('LineEditor', () => {
  it('edits like readline', () => {
    const e = new LineEditor()
    e.insert('hv.vms()')
    e.home()
    e.insert('x')
    e.end()
    e.backspace()
    expect(e.text).toBe('xhv.vms(')
    e.killWord()
    expect(e.text).toBe('')
  })

  it('walks history with up/down and keeps the line being typed', () => {
    const e = new LineEditor(['1+1', 'hv.vms()'])
    e.insert('draft')
    e.historyPrev()
    expect(e.text).toBe('hv.vms()')
    e.historyPrev()
    e.historyPrev()
    expect(e.text).toBe('1+1')
    e.historyNext()
    e.historyNext()
    expect(e.text).toBe('draft')
  })

  it('collects a multi-line statement while needsMore says so', () => {
    const e = new LineEditor()
    const more = (c: string) => (c.match(/{/g) ?? []).length > (c.match(/}/g) ?? []).length
    e.insert('for (const v of hv.vms()) {')
    expect(e.submit(more)).toEqual({ kind: 'more' })
    expect(e.prompt).toBe(MORE_PROMPT)
    e.insert('  v.name }')
    expect(e.submit(more)).toEqual({ kind: 'eval', code: 'for (const v of hv.vms()) {\n  v.name }' })
    expect(e.prompt).toBe(PROMPT)
    expect(e.history).toEqual(['for (const v of hv.vms()) {\n  v.name }'])
  })

  it('completes whole lines or the word at the cursor to the common prefix', () => {
    const e = new LineEditor()
    e.insert('hv.v')
    expect(e.complete(() => ['hv.vms'])).toEqual([])
    expect(e.text).toBe('hv.vms')
    const f = new LineEditor()
    f.insert('x = hv.c')
    f.complete(() => ['create'])
    expect(f.text).toBe('x = hv.create')
    const g = new LineEditor()
    g.insert('st')
    expect(g.complete(() => ['stats', 'step'])).toEqual(['stats', 'step'])
    expect(g.text).toBe('st')
    const h = new LineEditor()
    h.insert('x + hv.')
    expect(h.complete(() => ['x + hv.create', 'x + hv.vms'])).toEqual(['create', 'vms'])
  })
})

describe('layout', () => {
  it('fills 80×24 exactly (one row spare) with room for the consoles', () => {
    const L = layout(80, 24)
    expect(L.rows).toBe(23)
    expect(1 + L.middle + 1 + L.log + 1 + L.transcript + 1).toBe(L.rows)
    expect(L.middle).toBeGreaterThanOrEqual(10)
    expect(L.consoleWidth + L.side).toBe(80)
  })
})

describe('treeOrder', () => {
  it('puts children under their parents', () => {
    const vm = (id: number, parent: number | null, children: number[] = []) =>
      ({ id, name: `vm${id}`, state: 'running', vcpus: 1, pcpus: [], exits: 0, hypercalls: 0, parent, children, type: 'gpos', onCpu: true, counters: {} })
    const order = treeOrder([vm(1, null, [3]), vm(2, null), vm(3, 1)])
    expect(order.map((o) => [o.vm.id, o.depth])).toEqual([[1, 0], [3, 1], [2, 0]])
  })
})

describe('Controller on a booted two-VM config', () => {
  const config = fileURLToPath(new URL('../configs/two-vms.json', import.meta.url))
  /** a test double for the REPL: records what it is asked */
  const fakeRepl = (): Repl & { asked: string[] } => {
    const asked: string[] = []
    return {
      asked,
      history: [],
      needsMore: (c) => c.trimEnd().endsWith('{'),
      complete: (line) => (line.endsWith('hv.v') ? ['hv.vms'] : []),
      evaluate: async (code) => { asked.push(code); return { output: '2', error: false } },
    }
  }

  async function setup() {
    const wb = await Workbench.open({ config })
    const repl = fakeRepl()
    const m = new TuiModel(wb, repl)
    const acts = { quit: 0, evaluated: [] as string[], paused: 0 }
    const c = new Controller(m, { quit: () => { acts.quit++ }, evaluate: (code) => { acts.evaluated.push(code) }, togglePause: () => { acts.paused++ } }, () => 10)
    // one call per input event, as Ink's input parser delivers them (an escape sequence alone)
    const press = (...events: string[]) => { for (const e of events) for (const k of decodeKeys(e)) c.key(k) }
    return { wb, m, c, press, acts, repl }
  }

  it('starts in the REPL; Enter evaluates, Tab completes, the input is echoed in the transcript', async () => {
    const { m, press, acts } = await setup()
    expect(m.focus).toBe('repl')
    expect(m.consoles.map((t) => t.name)).toEqual(['vm1', 'vm2'])
    press('hv.v\t().length\r')
    expect(acts.evaluated).toEqual(['hv.vms().length'])
    expect(m.transcript.view(1).map((l) => styled(l))).toEqual([{ style: 'input', text: 'baobab> hv.vms().length' }])
    press('if (1) {\r')
    expect(m.editor.prompt).toBe('   ...> ')
    press('}\r')
    expect(acts.evaluated[1]).toBe('if (1) {\n}')
    press('\x1b[A')
    expect(m.editor.text).toBe('if (1) {\n}')
  })

  it('F2 / Ctrl-O cycle focus through the consoles; keys then go to that guest', async () => {
    const { wb, m, press } = await setup()
    press('\x1bOQ')
    expect(m.focus).toBe(0)
    press('\x0f')
    expect([m.focus, m.tab]).toEqual([1, 1])
    press('\x1b[D')
    expect([m.focus, m.tab]).toEqual([0, 0])
    press('\x1b[12~', '\x1b[12~')
    expect(m.focus).toBe('repl')
    // the guest gets the byte: vm1 echoes it once its echo loop runs
    press('\x0f')
    wb.vm('vm1').console.waitFor('echo ready', { ms: 200 })
    press('a')
    expect(wb.vm('vm1').console.waitFor('echo: a', { ms: 50 })).toBe(true)
  })

  it('? and F1 open the help, any key closes it; F3 splits; Ctrl-C and .exit quit', async () => {
    const { m, press, acts } = await setup()
    press('?')
    expect(m.help).toBe(true)
    press('x')
    expect([m.help, m.editor.text]).toEqual([false, ''])
    press('x?')
    expect([m.help, m.editor.text]).toEqual([false, 'x?'])
    press('\x1bOP')
    expect(m.help).toBe(true)
    press('\x1b')
    press('\x1bOR')
    expect(m.split).toBe(true)
    expect(m.splitTabs()).toEqual([0, 1])
    press('\x03')
    expect(acts.quit).toBe(1)
    press('\x15.exit\r')
    expect(acts.quit).toBe(2)
    expect(acts.evaluated).toEqual([])
  })

  it('PgUp/PgDn scroll the current console within its scrollback (with the console focused)', async () => {
    const { m, press } = await setup()
    const t = m.consoles[0]!
    press('\x1bOQ') // F2: the console has the keys (with the REPL focused, PgUp scrolls the transcript)
    for (let i = 0; i < 100; i++) t.lines.pushLine(`line ${i}`)
    press('\x1b[5~')
    expect(t.scroll).toBe(9)
    press('\x1b[5~', '\x1b[5~')
    expect(t.scroll).toBe(27)
    press('\x1b[6~', '\x1b[6~', '\x1b[6~', '\x1b[6~')
    expect(t.scroll).toBe(0)
  })

  it('follows VMs destroyed at run time: the tab stays with its scrollback, marked gone; the tree drops it', async () => {
    const { wb, m } = await setup()
    wb.run(30)
    m.tick()
    expect(m.consoles[1]!.lines.view(1)).not.toEqual([])
    wb.hv.destroy('vm2')
    m.tick(performance.now() + 1000)
    expect(m.consoles.map((t) => [t.name, t.gone])).toEqual([['vm1', false], ['vm2', true]])
    expect(m.stats.vms.map((v) => v.name)).toEqual(['vm1'])
    expect(m.log.view(1)[0]).toContain('destroyed')
  })

  it('a VM re-created under the same name takes over its old tab and scrollback', async () => {
    const { wb, m } = await setup()
    wb.run(30)
    m.tick()
    const before = m.consoles[1]!.lines.length
    wb.hv.destroy('vm2')
    m.tick()
    const hv = wb.hypervisor!
    const old = hv.config.vms.length
    // the same VM config again, on the pCPU vm2 gave back
    hv.createVmAtRuntime({ ...m.consoles[1]!.vm.config })
    expect(hv.config.vms.length).toBe(old + 1)
    wb.run(5)
    m.tick()
    expect(m.consoles.map((t) => [t.name, t.gone])).toEqual([['vm1', false], ['vm2', false]])
    expect(m.consoles[1]!.vm).toBe(hv.vms[1])
    const lines = m.consoles[1]!.lines.view(100)
    expect(lines.length).toBeGreaterThan(before)
    expect(lines).toContain(`── vm2 restarted (VM ${hv.vms[1]!.id}) ──`)
    expect(lines[lines.length - 1]).toMatch(/hello from vm2|console: dbcn|tick/)
  })
})
