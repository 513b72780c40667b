/**
 * Wrong arguments to the public API (what a REPL line or a script passes) are a TypeError that
 * names the call and the argument, at once: never a hang, a NaN run or a huge allocation.
 */
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { Workbench } from '../core/api.ts'
import { createReplSession } from '../core/repl/sandbox.ts'

const CONFIG = join(import.meta.dirname, '..', 'configs', 'two-vms.json')

let wb: Workbench
beforeAll(async () => { wb = await Workbench.open({ config: CONFIG }) })

const bad: [string, (w: Workbench) => unknown, RegExp][] = [
  ["run('x')", (w) => w.run('x' as never), /options must be an object/],
  ['run(NaN)', (w) => w.run(NaN), /ms must be a number/],
  ['run(-1)', (w) => w.run(-1), /ms must be a number/],
  ['run(Infinity)', (w) => w.run(Infinity), /ms must be a number/],
  ["run({ insns: 'x' })", (w) => w.run({ insns: 'x' as never }), /insns must be an integer/],
  ["run({ ms: '5' })", (w) => w.run({ ms: '5' as never }), /ms must be a number/],
  ['run({ until: 3 })', (w) => w.run({ until: 3 as never }), /until must be a function/],
  ["waitFor('x', { ms: 'x' })", (w) => w.vm(1).console.waitFor('x', { ms: 'x' as never }), /ms must be a number/],
  ['waitFor(5)', (w) => w.vm(1).console.waitFor(5 as never), /text must be a string/],
  ["waitFor('x', 5)", (w) => w.vm(1).console.waitFor('x', 5 as never), /options must be an object/],
  ['console.write(5)', (w) => w.vm(1).console.write(5 as never), /text must be a string/],
  ['step(1e12)', (w) => w.step(1e12), /n must be an integer/],
  ["step('x')", (w) => w.step('x' as never), /n must be an integer/],
  ['mem.read(0, 1e12)', (w) => w.vm(1).mem.read(0x80200000, 1e12), /len must be an integer/],
  ['mem.read(-1, 4)', (w) => w.vm(1).mem.read(-1, 4), /gpa must be an integer/],
  ["mem.write(gpa, 'abc')", (w) => w.vm(1).mem.write(0x80200000, 'abc' as never), /Uint8Array or an array of bytes/],
  ['mem.write(gpa, [300])', (w) => w.vm(1).mem.write(0x80200000, [300]), /data\[0\] must be an integer from 0 to 255/],
  ["regs('x')", (w) => w.vm(1).regs('x' as never), /vcpu must be an integer/],
  ['vm({})', (w) => w.vm({} as never), /the VM must be an id/],
  ['vm(1.5)', (w) => w.vm(1.5), /the VM must be an id/],
  ["breakpoint.add('x')", (w) => w.breakpoint.add('x' as never), /pc must be a non-negative integer/],
  ['breakpoint.add(-4)', (w) => w.breakpoint.add(-4), /pc must be a non-negative integer/],
  ["watchpoint.add(0, 4, 'x')", (w) => w.watchpoint.add(0x80200000, 4, 'x' as never), /kind must be one of 'r', 'w', 'rw'/],
  ['watchpoint.add(0, 0)', (w) => w.watchpoint.add(0x80200000, 0), /len must be an integer/],
  ["trace('yes')", (w) => w.trace('yes' as never), /on must be true or false/],
  ['disasm(0, 1e9)', (w) => w.disasm(0x80200000, 1e9), /n must be an integer/],
  ["hv.hypercall('vm1', 'x', 0x10, 0)", (w) => w.hv.hypercall('vm1', 'x' as never, 0x10, 0), /vcpu must be an integer/],
  ['hv.hypercall(vm, 0, -1, 0)', (w) => w.hv.hypercall('vm1', 0, -1, 0), /eid must be an integer/],
  ["hv.hypercall(vm, 0, 0x10, 0, 'x')", (w) => w.hv.hypercall('vm1', 0, 0x10, 0, 'x' as never), /args\[0\] must be an integer/],
  ['hv.hypercall(vm, 0, 0x10, 0, 2n ** 70n)', (w) => w.hv.hypercall('vm1', 0, 0x10, 0, 2n ** 70n), /args\[0\] must be an integer that fits 64 bits/],
  ["hv.child.invoke('vm1', 'x')", (w) => w.hv.child.invoke('vm1', 'x' as never), /id must be a non-negative integer/],
  ["hv.destroy(null)", (w) => w.hv.destroy(null as never), /the VM must be an id/],
]

describe('the API refuses wrong arguments with a TypeError naming them, at once', () => {
  it.each(bad)('%s', (_name, call, message) => {
    const before = wb.stats().instructions
    const t0 = performance.now()
    let thrown: unknown
    try { call(wb) } catch (e) { thrown = e }
    expect(thrown).toBeInstanceOf(TypeError)
    expect((thrown as Error).message).toMatch(message)
    expect(performance.now() - t0).toBeLessThan(1000)
    expect(wb.stats().instructions).toBe(before)
  })

  it('and the right ones still work: run(ms), run({ insns }), waitFor with a RegExp, bigint addresses', () => {
    const before = wb.stats().instructions
    wb.run({ insns: 1000 })
    expect(wb.stats().instructions).toBeGreaterThanOrEqual(before + 1000)
    expect(wb.vm('vm1').console.waitFor(/tick/, { ms: 100 })).toBe(true)
    wb.breakpoint.add(0x80200000n)
    wb.breakpoint.remove(0x80200000n)
    expect(wb.vm(1).mem.read(0x80200000, 4)).toHaveLength(4)
  })

  it('in the REPL the same line is a TypeError the user reads, and the REPL carries on', async () => {
    const s = createReplSession(wb)
    for (const line of ["run('x')", "vm(1).console.waitFor('x', { ms: 'x' })", "run({ insns: 'x' })"]) {
      const r = await s.evaluate(line)
      expect(r.error).toBe(true)
      expect(r.output).toMatch(/^TypeError: /)
    }
    expect((await s.evaluate('1 + 1')).output).toBe('2')
  })
})
