/**
 * Bad configs through the CLI, end to end (core/hypervisor/config.test.ts unit-tests the rules):
 * `baobab config check <file>` and `baobab run <file>` both exit 2, name the field path and the
 * rule on stderr — one line, for the one rule each fixture breaks — and nothing starts: no VM
 * output, no hypervisor log, nothing at all on stdout.
 */
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { checkConfig } from '../bin/commands/config.ts'
import { cli, root, tail, type CliRun } from './hyp-util.ts'

interface Case {
  file: string
  what: string
  path: string
  rule: RegExp
}

const CASES: Case[] = [
  { file: 'bad-overlap.json', what: 'overlapping placed regions of two VMs', path: 'vms[1].regions[0]', rule: /overlaps vms\[0\]\.regions\[0\] \(0x90000000\.\.0x94000000\)/ },
  { file: 'bad-cpus.json', what: 'more vCPUs than pCPUs', path: 'vms', rule: /needs 3 CPUs, board qemu-virt-riscv64 has 2/ },
  { file: 'bad-irq-twice.json', what: 'one interrupt in two VMs', path: 'vms[1].devs[0].interrupts[0]', rule: /interrupt 10 is already assigned to vms\[0\]/ },
  { file: 'bad-dev-twice.json', what: 'one device passed through to two VMs without shared', path: 'vms[1].devs[0]', rule: /also passed through to vms\[0\]\.devs\[0\].*shared: true/ },
  { file: 'bad-missing-image.json', what: 'a missing image', path: 'vms[0].image.path', rule: /no such file: .*no-such-image\.bin/ },
  { file: 'bad-image-too-big.json', what: 'a raw image larger than its region', path: 'vms[0].image', rule: /0x[0-9a-f]+ bytes at 0x80200000 do not fit vms\[0\]\.regions\[0\]/ },
  { file: 'bad-elf-too-big.json', what: 'an ELF image larger than its region', path: 'vms[0].image', rule: /ELF segment 0x80200000\.\.0x[0-9a-f]+ .* is outside the VM's regions/ },
  { file: 'bad-board.json', what: 'an unknown board', path: 'board', rule: /unknown board 'qemu-virt-riscv128' \(known boards: .*qemu-virt-riscv64/ },
  { file: 'bad-unknown-field.json', what: 'an unknown field', path: 'vms[0].regions[0].cached', rule: /unknown field \(allowed: base, size, colors, placePhys, phys\)/ },
]

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** CLI runs start together (at most 8 at a time): each is mostly waiting for node and tsx to start */
const started = new Map<string, Promise<CliRun>>()
let slots = 8
const queue: (() => void)[] = []
function run(args: string[]): Promise<CliRun> {
  const key = args.join(' ')
  let p = started.get(key)
  if (!p) {
    p = new Promise<void>((go) => (slots > 0 ? (slots--, go()) : queue.push(go)))
      .then(() => cli(args))
      .finally(() => { const next = queue.shift(); if (next) next(); else slots++ })
    started.set(key, p)
  }
  return p
}

const GOOD = ['configs/two-vms.json', 'configs/smp-vm.json', 'configs/ipc.json', 'test/fixtures/configs/isolation.json', 'test/fixtures/configs/fuzz.json', 'bench/sbi-hammer.json']
const checkArgs = (file: string) => ['config', 'check', file]
const runArgs = (file: string) => ['run', file, '--timeout', '10']

beforeAll(() => {
  for (const c of CASES) {
    void run(checkArgs(`test/fixtures/configs/${c.file}`))
    void run(runArgs(`test/fixtures/configs/${c.file}`))
  }
})

describe('bad configs, end to end', () => {
  for (const c of CASES) {
    const file = `test/fixtures/configs/${c.file}`
    /** `<file>: <path>: <rule>` (config check), the same after `baobab: ` (run) */
    const line = (prefix: string) => new RegExp(`^${prefix}${escape(file)}: ${escape(c.path)}: .*${c.rule.source}`)

    it(`config check, ${c.what}: exit 2, "${c.path}" and the rule`, async () => {
      const r = await run(checkArgs(file))
      expect(r.status, tail(r)).toBe(2)
      expect(r.stdout).toBe('')
      const err = r.stderr.trimEnd().split('\n')
      expect(err, r.stderr).toHaveLength(1)
      expect(err[0]).toMatch(line(''))
    })

    it(`run, ${c.what}: exit 2, "${c.path}" and the rule, nothing starts`, async () => {
      const r = await run(runArgs(file))
      expect(r.status, tail(r)).toBe(2)
      expect(r.stdout).not.toContain('[vm')
      expect(r.stdout).toBe('') // not even the hypervisor's boot log
      const err = r.stderr.trimEnd().split('\n')
      expect(err, r.stderr).toHaveLength(1)
      expect(err[0]).toMatch(line('baobab: '))
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /) // a rule, not a stack trace
    })
  }

  it('the good configs pass the same check (in-process: checkConfig, what `config check` runs)', async () => {
    for (const f of GOOD) {
      let out = '', err = ''
      const code = await checkConfig(join(root, f), { io: { out: (t) => { out += t }, err: (t) => { err += t } } })
      expect(code, `${f}: ${err}`).toBe(0)
      expect(out).toMatch(/^ok: /)
    }
  })
})
