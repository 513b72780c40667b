/**
 * Record and replay on a real guest: Debian's U-Boot as a VM (configs/uboot.json). A run driven
 * through the API types at its countdown and at two prompts, at virtual times that depend on what
 * U-Boot printed; the recording holds those bytes and times. `baobab run --replay` then prints the
 * same transcript byte for byte, twice, with no input of its own. Bad recordings are refused with
 * the line at fault, before anything runs.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { Workbench } from '../core/api.ts'
import { startRecording } from '../core/replay.ts'
import { readRecording, RecordingError } from '../core/record.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const UBOOT = '/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin'
const config = join(root, 'configs', 'uboot.json')
const present = existsSync(UBOOT)
const dir = mkdtempSync(join(tmpdir(), 'baobab-replay-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const cli = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'baobab.js'), ...args], { encoding: 'latin1', timeout: 120_000, input: '' })

/** Drive U-Boot through the API, typing when its console shows what we wait for; record it all. */
async function recordedRun(file: string): Promise<string> {
  const wb = await Workbench.open({ config, clock: 'deterministic' })
  const rec = startRecording(wb, file)
  const vm = wb.hypervisor!.vms.find((v) => v.name === 'uboot')!
  const until = (pattern: RegExp | string, from: number): void => {
    const seen = (): boolean => { const t = vm.console.since(from); return typeof pattern === 'string' ? t.includes(pattern) : pattern.test(t) }
    const r = wb.machine.sched.run({ cycles: 400_000_000, predicate: seen })
    if (r !== 'predicate') throw new Error(`U-Boot did not print ${pattern} (${r}): ${vm.console.since(from).slice(-200)}`)
  }
  let at = 0
  until('autoboot', at)
  at = vm.console.total
  vm.console.send(' ')
  until('=> ', at)
  at = vm.console.total
  vm.console.send('version\r')
  until(/version[\s\S]*=> $/, at)
  at = vm.console.total
  vm.console.send('echo replay-ok\r')
  until('replay-ok\r\n=> ', at)
  rec.end(wb.machine.sched.now)
  return vm.console.text()
}

describe.skipIf(!present)('record and replay (U-Boot as a VM)', () => {
  const file = join(dir, 'uboot.rec')
  it('a replay prints what the recorded run printed, byte for byte, and does so again', async () => {
    const original = await recordedRun(file)
    const r = readRecording(file)
    expect(r.events.map((e) => ('vm' in e ? Buffer.from(e.input).toString('latin1') : e.call))).toEqual([' ', 'version\r', 'echo replay-ok\r'])
    // typed at different virtual times, each after what it waited for
    expect(new Set(r.events.map((e) => e.t)).size).toBe(3)

    const a = cli('run', config, '--replay', file)
    expect(a.stderr).toBe('')
    expect(a.status).toBe(0)
    // run's console lines: "[uboot] " + the line, carriage returns dropped
    const lines = original.replace(/\r/g, '').split('\n')
    const expected = lines.map((l) => `[uboot] ${l}`)
    if (lines.at(-1) === '') expected.pop()
    expect(a.stdout.split('\n').filter((l) => l.startsWith('[uboot]'))).toEqual(expected)
    expect(a.stdout).toContain('[uboot] replay-ok')
    const b = cli('run', config, '--replay', file)
    expect(b.stdout).toBe(a.stdout)
  })

  it('refuses a recording that is damaged, made on another config, or asked for in real time', async () => {
    const good = readFileSync(file, 'utf8').split('\n')
    const bad = (name: string, lines: string[]): string => { const f = join(dir, name); writeFileSync(f, lines.join('\n')); return f }
    const cases: [string, RegExp][] = [
      [bad('not-json.rec', [good[0]!, '{oops', ...good.slice(2)]), /line 2: not JSON/],
      [bad('backwards.rec', [good[0]!, good[2]!, good[1]!, ...good.slice(3)]), /line 3: t \d+ is before/],
      [bad('no-end.rec', good.slice(0, -2)), /no end line/],
      [bad('odd-call.rec', [good[0]!, JSON.stringify({ t: 1, call: 'process.exit', args: [] }), ...good.slice(1)]), /line 2: .*call/],
      [bad('header.rec', [JSON.stringify({ ...JSON.parse(good[0]!), configSha256: 'x' }), ...good.slice(1)]), /line 1: configSha256: must be a sha256/],
    ]
    for (const [f, msg] of cases) {
      expect(() => readRecording(f)).toThrow(RecordingError)
      const r = cli('run', config, '--replay', f)
      expect(r.status).toBe(2)
      expect(r.stderr).toMatch(msg)
      expect(r.stdout).toBe('')
    }
    const other = cli('run', join(root, 'configs', 'two-vms.json'), '--replay', file)
    expect(other.status).toBe(2)
    expect(other.stderr).toMatch(/recorded on config .*uboot\.json/)
    const rt = cli('run', config, '--replay', file, '--realtime')
    expect(rt.status).toBe(2)
    expect(rt.stderr).toMatch(/deterministic mode/)
  })
})

describe('record and replay: the REPL\'s hypercalls', () => {
  it('a hypercall the API made (SBI console putchar as vm2) comes back at its virtual time', async () => {
    const demo = join(root, 'configs', 'two-vms.json')
    const file = join(dir, 'hypercall.rec')
    const wb = await Workbench.open({ config: demo, clock: 'deterministic' })
    const rec = startRecording(wb, file)
    const vm2 = wb.hypervisor!.vms.find((v) => v.name === 'vm2')!
    wb.machine.sched.run({ cycles: 400_000_000, predicate: () => vm2.console.text().includes('echo ready') })
    // the legacy SBI console_putchar (EID 0x01) as vm2's vCPU 0, twice, then a newline
    for (const c of 'OK\n') wb.hv.hypercall('vm2', 0, 1, 0, c.charCodeAt(0))
    wb.machine.sched.run({ cycles: 2_000_000 })
    rec.end(wb.machine.sched.now)
    expect(vm2.console.text()).toMatch(/echo ready\nOK\n$/)
    const r = readRecording(file)
    expect(r.events.map((e) => ('call' in e ? [e.call, e.args] : null))).toEqual([
      ['hv.hypercall', ['vm2', 0, 1, 0, 79]], ['hv.hypercall', ['vm2', 0, 1, 0, 75]], ['hv.hypercall', ['vm2', 0, 1, 0, 10]],
    ])
    const out = cli('run', demo, '--replay', file)
    expect(out.status).toBe(0)
    const lines = (name: string, text: string): string[] => text.replace(/\r/g, '').split('\n').filter((l) => l !== '').map((l) => `[${name}] ${l}`)
    for (const vm of wb.hypervisor!.vms) {
      expect(out.stdout.split('\n').filter((l) => l.startsWith(`[${vm.name}]`))).toEqual(lines(vm.name, vm.console.text()))
    }
  })
})

