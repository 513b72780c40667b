/**
 * The REPL sandbox (core/repl/sandbox.ts): it evaluates the API on a booted two-VM machine, with
 * top-level await, declarations that persist, multi-line detection, completion and history; and
 * the published vm2 escape patterns (GitHub issues and advisories of patriksimek/vm2: #32, #175,
 * #184, #187, #199, #225, #241, #268, #315, #515/CVE-2022-36067, CVE-2023-29017, CVE-2023-30547,
 * CVE-2023-32314, CVE-2023-37466, CVE-2023-37903, #533, #547/CVE-2026-22709, #553) end in an
 * error or a harmless value: never the host `process`, `require` or a file written.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Workbench } from '../core/api.ts'
import { createReplSession, type ReplSession } from '../core/repl/sandbox.ts'

const CONFIG = join(import.meta.dirname, '..', 'configs', 'two-vms.json')
const CANARY = join(tmpdir(), `baobab-repl-canary-${process.pid}`)

let wb: Workbench
beforeAll(async () => {
  rmSync(CANARY, { force: true })
  wb = await Workbench.open({ config: CONFIG })
})
afterAll(() => rmSync(CANARY, { force: true }))

const API_GLOBALS = ['hv', 'vm', 'board', 'plugins', 'run', 'step', 'pause', 'breakpoint', 'watchpoint', 'trace', 'stats', 'disasm', 'session', 'help', 'sleep', 'console']

/** ECMA-262 (and ECMA-402's Intl) global names, including ones newer engines add */
const ECMASCRIPT_GLOBALS = new Set([
  'globalThis', 'Infinity', 'NaN', 'undefined', 'eval', 'isFinite', 'isNaN', 'parseFloat', 'parseInt', 'decodeURI',
  'decodeURIComponent', 'encodeURI', 'encodeURIComponent', 'escape', 'unescape', 'AggregateError', 'Array', 'ArrayBuffer',
  'BigInt', 'BigInt64Array', 'BigUint64Array', 'Boolean', 'DataView', 'Date', 'Error', 'EvalError', 'FinalizationRegistry',
  'Float16Array', 'Float32Array', 'Float64Array', 'Function', 'Int8Array', 'Int16Array', 'Int32Array', 'Iterator', 'Map',
  'Number', 'Object', 'Promise', 'Proxy', 'RangeError', 'ReferenceError', 'RegExp', 'Set', 'String', 'Symbol', 'SyntaxError',
  'TypeError', 'Uint8Array', 'Uint8ClampedArray', 'Uint16Array', 'Uint32Array', 'URIError', 'WeakMap', 'WeakRef', 'WeakSet',
  'SuppressedError', 'DisposableStack', 'AsyncDisposableStack', 'Math', 'JSON', 'Reflect', 'Intl',
])

async function out(s: ReplSession, code: string): Promise<string> {
  const r = await s.evaluate(code)
  if (r.error) throw new Error(`${code} → ${r.output}`)
  return r.output
}

describe('evaluating the API', () => {
  it('lists VMs, runs time, reads a console and makes a hypercall', async () => {
    const s = createReplSession(wb)
    expect(await out(s, 'hv.vms().map((v) => `${v.id} ${v.name} ${v.state}`)')).toBe("[ '1 vm1 running', '2 vm2 running' ]")
    await out(s, 'run(20)')
    expect(await out(s, 'vm(1).console.read()')).toContain('hello from vm1 hart 0')
    expect(await out(s, "hv.hypercall('vm2', 0, 0x10, 0)")).toBe('{ error: 0n, value: 33554432n }')
    expect(await out(s, "typeof vm('vm2').console.waitFor")).toBe("'function'")
    expect(await out(s, 'board.name')).toBe("'qemu-virt-riscv64'")
  })

  it('shows values with util.inspect: depth 3, bigints as 123n, sandbox classes by name', async () => {
    const s = createReplSession(wb)
    expect(await out(s, '123n')).toBe('123n')
    expect(await out(s, '{ a: { b: { c: { d: { e: 1 } } } } }')).toBe('{\n  a: { b: { c: { d: [Object] } } }\n}')
    expect(await out(s, 'new Map([[1, 2n]])')).toBe('Map(1) { 1 => 2n }')
    expect(await out(s, 'class Uart { constructor() { this.base = 0x10000000 } }; new Uart()')).toBe('Uart { base: 268435456 }')
    expect(await out(s, 'vm(1).mem.read(0x80200000, 2) instanceof Uint8Array')).toBe('true')
    expect(await out(s, "'str'")).toBe("'str'")
    expect(await out(s, 'Uart')).toBe('[class Uart]')
  })

  it('captures console.log into the output, and help() prints the API', async () => {
    const s = createReplSession(wb)
    expect(await out(s, 'console.log("vms:", hv.vms().length); 7')).toBe('vms: 2\n7')
    expect(await out(s, 'console.log({ a: 1n })')).toBe('{ a: 1n }')
    expect(await out(s, 'help()')).toBe(Workbench.help())
  })

  it('reports an error as one line without a host stack', async () => {
    const s = createReplSession(wb)
    const r = await s.evaluate('hv.destroy(99)')
    expect(r.error).toBe(true)
    expect(r.output).toMatch(/^Error: no VM 99 \(have: 1 vm1, 2 vm2\)$/)
    expect(await s.evaluate('undefinedThing + 1')).toEqual({ output: 'ReferenceError: undefinedThing is not defined', error: true })
    expect(await s.evaluate('throw 5')).toEqual({ output: 'Uncaught 5', error: true })
    expect((await s.evaluate('foo)')).output).toMatch(/^SyntaxError: /)
  })

  it('supports top-level await and returns the last expression', async () => {
    const s = createReplSession(wb)
    const t0 = wb.stats().virtualMs
    expect(await out(s, 'await sleep(2); stats().virtualMs >= ' + (t0 + 2))).toBe('true')
    expect(await out(s, 'const x = await Promise.resolve(21); x * 2')).toBe('42')
    expect(await out(s, 'for await (const v of [Promise.resolve(1)]) console.log(v)')).toBe('1')
    expect((await s.evaluate('await Promise.reject(new RangeError("nope"))')).output).toBe('RangeError: nope')
  })

  it('keeps declarations across entries, like the Node REPL', async () => {
    const s = createReplSession(wb)
    await out(s, 'let n = 5')
    expect(await out(s, 'n + 1')).toBe('6')
    await out(s, 'const { a, b: [c] } = await Promise.resolve({ a: 1, b: [2] })')
    expect(await out(s, 'a + c')).toBe('3')
    await out(s, 'function twice(v) { return 2 * v }')
    await out(s, 'async function later() { return twice(n) }')
    expect(await out(s, 'await later()')).toBe('10')
    await out(s, 'let n = 7') // re-declaring is allowed, as in the Node REPL
    expect(await out(s, 'n')).toBe('7')
  })

  it('detects unfinished input for multi-line entry', () => {
    const s = createReplSession(wb)
    for (const code of ['hv.vms(', 'if (x) {', 'const a = [1,\n2', '`tick ${', '`tick', "'open", '/* note', 'hv.', '1 +']) expect(s.needsMore(code), code).toBe(true)
    for (const code of ['hv.vms()', 'foo)', '', 'x // (', "'a\nb'", '{ a: 1 }']) expect(s.needsMore(code), code).toBe(false)
  })

  it('evaluates a multi-line entry once it is complete', async () => {
    const s = createReplSession(wb)
    expect(await out(s, 'const names = hv.vms()\n  .map((v) => v.name)\nnames.join(" ")')).toBe("'vm1 vm2'")
  })

  it('completes globals and property paths from the API', async () => {
    const s = createReplSession(wb)
    expect(s.complete('hv.cr')).toEqual(['hv.create'])
    expect(s.complete('vm(1).con')).toEqual(['vm(1).console'])
    expect(s.complete("vm('vm2').console.w")).toEqual(["vm('vm2').console.waitFor", "vm('vm2').console.write"])
    expect(s.complete('h')).toEqual(['help', 'hv'])
    expect(s.complete('x = stats().cp')).toEqual(['x = stats().cpus'])
    expect(s.complete('plugins.')).toEqual(['plugins.list', 'plugins.load', 'plugins.reload', 'plugins.unload'])
    expect(s.complete('run(10).')).toEqual([]) // run() has side effects: never called to complete
    await out(s, 'let myCounter = { hits: 1 }')
    expect(s.complete('myC')).toEqual(['myCounter'])
    expect(s.complete('myCounter.h')).toEqual(['myCounter.hits'])
  })

  it('keeps every evaluated entry in history, after the given one', async () => {
    const s = createReplSession(wb, { history: ['old()'] })
    await s.evaluate('1 + 1')
    await s.evaluate('nope(')
    await s.evaluate('1 + 1')
    expect(s.history).toEqual(['old()', '1 + 1', 'nope(', '1 + 1'])
  })

  it('has only the API and ECMAScript built-ins as globals', async () => {
    const s = createReplSession(wb)
    const r = await s.runScript('return Object.getOwnPropertyNames(globalThis)')
    const extra = [...(r.value as string[])].filter((n) => !ECMASCRIPT_GLOBALS.has(n))
    expect(extra.sort()).toEqual([...API_GLOBALS].sort())
    for (const g of ['process', 'require', 'module', 'Buffer', 'setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'fetch', 'WebAssembly', 'global', 'GLOBAL', 'VMError']) {
      expect(await out(s, `typeof ${g}`), g).toBe("'undefined'")
    }
  })

  it('session forwards to the workbench: save keeps the REPL history, load switches the REPL over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baobab-repl-sessions-'))
    const saved = process.env.BAOBAB_SESSIONS
    process.env.BAOBAB_SESSIONS = dir
    try {
      const own = await Workbench.open({ config: CONFIG })
      const switched: Workbench[] = []
      const s = createReplSession(own, { onSwitch: (w) => switched.push(w) })
      await out(s, 'run(5)')
      // the folder is the store's choice: an option naming another one is dropped
      await out(s, `await session.save('repl-test', { dir: ${JSON.stringify(join(dir, 'elsewhere'))} })`)
      expect(existsSync(join(dir, 'repl-test'))).toBe(true)
      expect(existsSync(join(dir, 'elsewhere'))).toBe(false)
      expect(await out(s, "session.list().map((x) => x.name)")).toBe("[ 'repl-test' ]")
      await out(s, 'run(5)')
      expect(await out(s, "(await session.load('repl-test')).virtualMs.toFixed(0)")).toBe("'5'")
      expect(switched).toHaveLength(1)
      expect(s.workbench).toBe(switched[0])
      expect(await out(s, 'stats().virtualMs.toFixed(0)')).toBe("'5'") // the globals drive the loaded machine
      expect(own.stats().virtualMs).toBeCloseTo(10, 0)
      const doc = JSON.parse(readFileSync(join(dir, 'repl-test', 'session.json'), 'utf8')) as { replHistory: string[] }
      expect(doc.replHistory[0]).toBe('run(5)')
    } finally {
      if (saved === undefined) delete process.env.BAOBAB_SESSIONS
      else process.env.BAOBAB_SESSIONS = saved
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('plugins proxies the plugin host', async () => {
    const s = createReplSession(wb)
    expect(await out(s, 'plugins.list().some((p) => p.name === "dev-ns16550")')).toBe('true')
    expect((await s.evaluate('await plugins.load("/nonexistent/plugin.js")')).output).toMatch(/plugin/)
  })
})

describe('host values in the sandbox', () => {
  it('reach it through vm2 proxies with the sandbox its own constructors', async () => {
    const s = createReplSession(wb)
    const checks = [
      'hv.constructor === Object',
      'Object.getPrototypeOf(hv) === Object.prototype',
      'hv.vms.constructor === Function',
      'vm.constructor === Function',
      'hv.vms() instanceof Array',
      'Object.getPrototypeOf(hv.hypercall("vm2", 0, 0x10, 0)) === Object.prototype',
      'board.devices.constructor === Array',
      'stats().cpus[0].constructor === Object',
      '(() => { try { hv.destroy(99) } catch (e) { return e instanceof Error && e.constructor.constructor === Function } })()',
      '[sleep, help, run, console.log, session.save, plugins.list].every((f) => f.constructor === Function)',
    ]
    for (const c of checks) expect(await out(s, c), c).toBe('true')
  })

  it('are read-only: the sandbox cannot change the API or the board', async () => {
    const s = createReplSession(wb)
    await s.evaluate('hv.vms = null; board.name = "x"; board.devices[0].base = 0; breakpoint.add = 1')
    expect(typeof wb.hv.vms).toBe('function')
    expect(wb.board.name).toBe('qemu-virt-riscv64')
    expect(wb.board.devices[0]!.base).not.toBe(0)
    expect(typeof wb.breakpoint.add).toBe('function')
  })
})

/** Tries to turn whatever an attempt reached into a file write, inside the sandbox. */
const USE = `
  for (const f of [(p) => p.getBuiltinModule('fs'), (p) => p.mainModule.require('fs'), (p) => p.process.getBuiltinModule('fs'), (p) => p('fs'), (p) => p]) {
    try { f(reached).writeFileSync(${JSON.stringify(CANARY)}, 'escaped') } catch (e) {}
  }`

/**
 * Escape attempts, each a program whose value is what it reached. Sources: the vm2 issue tracker
 * and advisories (see the file comment); adapted to the REPL's globals. Many end in "Code
 * generation from strings disallowed for this context": that is itself the proof that the
 * `Function` they reached is the sandbox's (code generation is refused only in the sandbox's
 * context; a host `Function` would have compiled `return process` in the host).
 */
const ESCAPES: Record<string, string> = {
  'this.constructor.constructor': `return this.constructor.constructor('return process')()`,
  'hv.constructor.constructor': `return hv.constructor.constructor('return process')()`,
  '(function(){}).constructor': `return (function(){}).constructor('return process')()`,
  'new Function': `return new Function('return process')()`,
  'vm.constructor': `return vm.constructor('return process')()`,
  'eval': `return eval('process')`,
  'an API exception reaching host frames': `try { hv.destroy(99) } catch (e) { return e.constructor.constructor('return process')() }`,
  'prototype walk from an API exception': `try { hv.destroy(99) } catch (e) {
      for (let o = e; o; o = Object.getPrototypeOf(o)) { try { const p = o.constructor.constructor('return process')(); if (p) return p } catch (x) {} } }`,
  'Object.getPrototypeOf walks from API objects': `
    for (const root of [hv, hv.vms, vm, vm(1), vm(1).console, board, board.devices, plugins, run, stats(), hv.vms(), hv.hypercall('vm2', 0, 0x10, 0), sleep, console.log, session, breakpoint, watchpoint]) {
      for (let o = root, i = 0; o && i < 8; o = Object.getPrototypeOf(o), i++) {
        try { const d = Object.getOwnPropertyDescriptor(o, 'constructor'); if (d && d.value) { const p = d.value.constructor('return process')(); if (p) return p } } catch (e) {}
        try { const p = o.constructor.constructor('return process')(); if (p) return p } catch (e) {}
      }
    }`,
  '__lookupGetter__("__proto__") (#184)': `return hv.__lookupGetter__('__proto__').call(hv).constructor.constructor('return process')()`,
  'Reflect.getPrototypeOf / Function.prototype.call.call': `try { return Reflect.getPrototypeOf(run).constructor('return process')() } catch (e) {}
    return Function.prototype.call.call(hv.vms.constructor, null, 'return process')()`,
  'Error.prepareStackTrace CallSite getThis/getFunction (#515)': `let frames
    Error.prepareStackTrace = (e, cs) => { frames = cs; return 'x' }
    try { hv.destroy(99) } catch (e) { e.stack }
    run({ insns: 1, until() { new Error().stack; return true } })
    if (!frames) return undefined
    for (const f of frames) {
      try { const t = f.getThis(); if (t && t.process) return t.process } catch (e) {}
      try { const fn = f.getFunction(); if (fn) return fn.constructor('return process')() } catch (e) {}
    }
    return frames.constructor.constructor('return process')()`,
  'prepareStackTrace on a replaced globalThis.Error (CVE-2022-36067)': `const Old = Error; let got
    globalThis.Error = {}
    globalThis.Error.prepareStackTrace = (err, traces) => { try { got = traces[0].getThis().process } catch (e) {} try { got = got || traces.constructor.constructor('return process')() } catch (e) {} return '' }
    try { hv.destroy(99) } catch (e) { e.stack }
    try { null.x } catch (e) { e.stack }
    globalThis.Error = Old
    return got`,
  'prepareStackTrace with an unhandled async error (CVE-2023-29017)': `let got
    Error.prepareStackTrace = (e, frames) => { try { got = frames.constructor.constructor('return process')() } catch (x) {} return '' }
    ;(async () => { nonexistentAsyncFunction() })().catch((e) => e.stack)
    await sleep(0)
    return got`,
  'arguments.callee.caller in a callback the host calls': `let c
    run({ insns: 1, until: function () { let f = arguments.callee; for (let i = 0; i < 10 && f; i++) { try { f = f.caller; if (f) c = f } catch (e) { break } } return true } })
    return c && c.constructor('return process')()`,
  'caller of valueOf during a host BigInt()': `let c
    try { hv.hypercall('vm2', 0, 0x10, 0, { valueOf: function () { c = arguments.callee.caller; return 1 } }) } catch (e) {}
    return c && c.constructor('return process')()`,
  'a thrown function caught by host code (#175, #225)': `try { hv.create({ get name() { throw (f) => f.constructor('return process')() } }) } catch (e) { return typeof e === 'function' ? e(() => {}) : e.constructor.constructor('return process')() }`,
  'Proxy whose apply trap sees host arguments (CVE-2023-32314)': `let got; const err = new Error()
    err.name = { toString: new Proxy(() => '', { apply(t, thiz, args) { try { got = args.constructor.constructor('return process')() } catch (e) {} return '' } }) }
    try { err.stack } catch (e) {}
    return got`,
  'Proxy getPrototypeOf during exception handling (CVE-2023-30547)': `const handler = { getPrototypeOf(t) { (function stack() { new Error().stack; stack() })() } }
    try { throw new Proxy({}, handler) } catch ({ constructor: c }) { return c.constructor('return process')() }`,
  'Promise species (CVE-2023-37466)': `let got
    async function fn() { (function stack() { new Error().stack; stack() })() }
    const p = fn()
    p.constructor = { [Symbol.species]: class FakePromise { constructor(executor) { executor((x) => x, (err) => { try { got = err.constructor.constructor('return process')() } catch (e) {} }) } } }
    try { p.then() } catch (e) {}
    p.catch(() => {})
    await sleep(0)
    return got`,
  'Promise catch of a host stack error (CVE-2026-22709)': `let got
    const e = new Error(); e.name = Symbol()
    await (async () => { e.stack })().catch((err) => { try { got = err.constructor.constructor('return process')() } catch (x) {} })
    return got`,
  'host RangeError at the stack limit (#199)': `let got
    function r(d) { try { return r(d + 1) } catch (e) { try { hv.vms() } catch (h) { try { got = got || h.constructor.constructor('return process')() } catch (x) {} } return 0 } }
    r(0)
    return got`,
  'rejected host promise': `try { await plugins.load('/nonexistent/plugin.js') } catch (e) { return e.constructor.constructor('return process')() }`,
  'AggregateError over a host rejection (GHSA-x965)': `try { await Promise.any([plugins.load('/nonexistent/plugin.js')]) } catch (e) { return e.errors[0].constructor.constructor('return process')() }`,
  'Symbol.for inspect.custom through console.log (#268, #533, #553)': `let got
    for (const sym of [Symbol.for('nodejs.util.inspect.custom'), Symbol.for({ toString: () => 'nodejs.util.inspect.custom' })]) {
      console.log({ [sym](depth, opts, inspect) { try { got = inspect.constructor('return process')() } catch (e) {} try { got = got || opts.constructor.constructor('return process')() } catch (e) {} return 'x' } })
    }
    return got`,
  'import()': `return await import('fs')`,
  'globals: process, require, module, Buffer': `return globalThis.process || (typeof require === 'function' && require('fs')) || (typeof module === 'object' && module) || Buffer.from.constructor('return process')()`,
  'vm2 internal state': `return VM2_INTERNAL_STATE_DO_NOT_USE_OR_PROGRAM_WILL_FAIL`,
  'with statement around the global': `with ({}) { return this.constructor.constructor('return process')() }`,
  'API function constructors': `for (const f of [sleep, console.log, session.save, help, step, plugins.list]) { try { const p = f.constructor('return process')(); if (p) return p } catch (e) {} }`,
  'every global property': `for (const d of Object.values(Object.getOwnPropertyDescriptors(globalThis))) { const v = d.value; if (v && typeof v.pid === 'number') return v }`,
}

describe('escape attempts (the known vm2 patterns) fail', () => {
  for (const [name, code] of Object.entries(ESCAPES)) {
    it(name, async () => {
      const s = createReplSession(wb)
      const r = await s.runScript(`let reached
        try { reached = await (async () => { ${code}\n })() } catch (e) { return 'blocked: ' + (e && e.message) }
        ${USE}
        return reached`)
      const v = r.value as { pid?: unknown; mainModule?: unknown } | null | undefined
      expect(v).not.toBe(process)
      if (v && (typeof v === 'object' || typeof v === 'function')) {
        expect(typeof v.pid).not.toBe('number')
        expect(v.mainModule).toBeUndefined()
      }
      expect(existsSync(CANARY), 'the canary file was written').toBe(false)
    })
  }

  it('REPL entries typed as one-liners', async () => {
    const s = createReplSession(wb)
    const lines = [
      "this.constructor.constructor('return process')()",
      "hv.constructor.constructor('return process')()",
      "(function(){}).constructor('return process')()",
      "new Function('return process')()",
      "vm.constructor('return process')()",
      "try { hv.destroy(99) } catch (e) { e.constructor.constructor('return process')() }",
      'arguments.callee.caller',
      "import('fs')",
      "await import('fs')",
      'process',
      `require('fs').writeFileSync(${JSON.stringify(CANARY)}, 'escaped')`,
    ]
    for (const line of lines) {
      const r = await s.evaluate(line)
      expect(r.error, `${line} → ${r.output}`).toBe(true)
      expect(r.output).not.toMatch(/\bpid\b|mainModule/)
    }
    expect(existsSync(CANARY)).toBe(false)
  })

  it('custom inspect hooks on values the REPL prints are not called', async () => {
    const s = createReplSession(wb)
    await out(s, 'var leak = null')
    await s.evaluate("({ [Symbol.for('nodejs.util.inspect.custom')](d, o, i) { leak = i.constructor('return process')(); return 'x' } })")
    await s.evaluate("Date.prototype[Symbol.for('nodejs.util.inspect.custom')] = (d, o) => { leak = o.constructor.constructor('return process')() }; new Date()")
    await s.evaluate("const bad = new Error(); bad.__proto__ = null; bad.stack = { startsWith() { return true }, length: 5, match(outer) { leak = outer.constructor.constructor('return process')() } }; bad")
    await s.evaluate("const e = new Error('x'); e.name = { toString() { leak = arguments.callee.caller; return 'N' } }; throw e")
    expect(await out(s, 'leak')).toBe('null')
  })
})

describe('host files: only what the user opened', () => {
  it('refuses an image outside the config\'s folder, guests/ and the named folders before reading it, and plugin files by path', async () => {
    const own = await Workbench.open({ config: CONFIG })
    const s = createReplSession(own)
    const create = (path: string) => `hv.create({ name: 'x', image: { path: ${JSON.stringify(path)}, baseAddr: 0x90000000 }, cpuNum: 1, regions: [{ base: 0x90000000, size: 0x100000 }] })`
    for (const path of ['/etc/passwd', '/dev/zero', '../../../../../../etc/shadow']) {
      const r = await s.evaluate(create(path))
      expect(r.error).toBe(true)
      expect(r.output).toMatch(/outside the folders this REPL may read|cannot read/)
    }
    expect(own.hv.vms().map((v) => v.name)).toEqual(['vm1', 'vm2'])
    // a link inside an allowed folder that points outside is judged by where it points
    const dir = mkdtempSync(join(tmpdir(), 'baobab-confine-'))
    symlinkSync('/etc/passwd', join(dir, 'passwd.bin'))
    const linked = createReplSession(own, { hostPaths: [dir] })
    expect((await linked.evaluate(create(join(dir, 'passwd.bin')))).output).toMatch(/outside the folders/)
    rmSync(dir, { recursive: true, force: true })
    // the project's guests are readable: the VM is created (on vm2's CPU)
    own.hv.destroy('vm2')
    expect((await s.evaluate(create('../guests/images/riscv64-vm/vmstack-child-0x90000000.bin'))).output).toMatch(/name: 'x'/)
    const r = await s.evaluate('await plugins.load("/tmp/evil-plugin.js")')
    expect(r.error).toBe(true)
    expect(r.output).toMatch(/--unsafe-repl/)
    expect((await s.evaluate('(await plugins.load("feat-dynamic-vm")).name')).output).toBe("'feat-dynamic-vm'")
  })

  it('with --unsafe-repl and no sandbox the API reads any file the user names', async () => {
    const free = await Workbench.open({ config: CONFIG })
    expect(free.confinedTo).toBeNull()
    const s = createReplSession(free, { unsafe: true })
    expect(free.confinedTo).toBeNull()
    const r = await s.evaluate(`hv.create({ name: 'x', image: { path: '/etc/hostname', baseAddr: 0x90000000 }, cpuNum: 1, regions: [{ base: 0x90000000, size: 0x100000 }] })`)
    expect(r.output).not.toMatch(/outside the folders/)
  })
})

describe('--unsafe-repl', () => {
  it('gives require, process and fs', async () => {
    const s = createReplSession(wb, { unsafe: true })
    expect(await out(s, "typeof require('fs').readFileSync")).toBe("'function'")
    expect(await out(s, 'typeof process.pid')).toBe("'number'")
    const file = `${CANARY}-unsafe`
    await out(s, `fs.writeFileSync(${JSON.stringify(file)}, 'allowed')`)
    expect(readFileSync(file, 'utf8')).toBe('allowed')
    rmSync(file)
  })
})
