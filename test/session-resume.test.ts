/**
 * Resuming a snapshot continues the run exactly (DESIGN "Time and determinism"): a machine run
 * to T1, snapshotted and run on to T2 prints the same bytes after T1, executes the same number
 * of instructions and ends in the same state as a fresh machine of the same config restored
 * from that snapshot and run to T2 — in this process, and in a new `baobab` process.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { Workbench } from '../core/api.ts'
import { HypLog } from '../core/hypervisor/log.ts'
import { Scheduler, type Runnable } from '../core/scheduler.ts'
import { nonZeroPages, restoreMachine, snapshotMachine, SnapshotError } from '../core/session/snapshot.ts'
import { saveSession } from '../core/session/store.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const config = (name: string): string => join(root, 'configs', name)
const image = (name: string): string => join(root, 'guests', 'images', 'riscv64', name)

/** Start recording what the machine prints from now on: per VM console, the hypervisor log, or the bare console. */
function capture(wb: Workbench): () => Record<string, string> {
  const hv = wb.hypervisor
  if (!hv) {
    let out = ''
    wb.machine.serial(wb.board.console ?? 'uart0').onOutput((b) => { out += String.fromCharCode(b) })
    return () => ({ console: out })
  }
  const marks = hv.vms.map((vm) => vm.console.output.length)
  const logMark = hv.log.lines.length
  return () => ({
    ...Object.fromEntries(hv.vms.map((vm, i) => [vm.name, Buffer.from(vm.console.output.slice(marks[i])).toString('latin1')])),
    hyp: hv.log.lines.slice(logMark).map((l) => `${l.time} ${HypLog.format(l)}`).join('\n'),
  })
}

/** Everything observable about the run's end: time, instruction counts, per-hart pc/instret, per-VM counters. */
function endState(wb: Workbench): string {
  return JSON.stringify({ stats: wb.stats(), power: wb.machine.power, events: wb.machine.sched.saveState().events }, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))
}

interface Run {
  T1: number
  out: Record<string, string>
  end: string
}

/**
 * The same machine twice: `open` → `toT1` → snapshot → `fromT1`, and `open` → restore → `fromT1`.
 * Returns the original's output after T1; expects the restored one to match it exactly.
 */
async function resumeMatches(open: () => Promise<Workbench>, toT1: (wb: Workbench) => void, fromT1: (wb: Workbench) => void): Promise<Run> {
  const a = await open()
  toT1(a)
  const T1 = a.machine.sched.now
  const snap = snapshotMachine(a)
  const outA = capture(a)
  fromT1(a)
  const original = { T1, out: outA(), end: endState(a) }

  const b = await open()
  const report = restoreMachine(b, snap)
  expect(report.warnings).toEqual([])
  expect(b.machine.sched.now).toBe(T1)
  const outB = capture(b)
  fromT1(b)
  expect(outB()).toEqual(original.out)
  expect(endState(b)).toBe(original.end)
  return original
}

describe('a restored snapshot continues the run exactly', () => {
  it('two VMs (passed-through UART, SBI console, SBI timers): snapshot after tick 1', async () => {
    const r = await resumeMatches(
      () => Workbench.open({ config: config('two-vms.json') }),
      (wb) => { expect(wb.vm('vm2').console.waitFor('tick 1')).toBe(true) },
      (wb) => { wb.run({ ms: 30 }) },
    )
    expect(r.out.vm1).toContain('tick 3')
    expect(r.out.vm2).toContain('echo ready')
  })

  it('two VMs with input: bytes pending at the snapshot, more typed at a fixed virtual time after it', async () => {
    const r = await resumeMatches(
      () => Workbench.open({ config: config('two-vms.json') }),
      (wb) => {
        expect(wb.vm('vm2').console.waitFor('tick 1')).toBe(true)
        // typed before the guests echo: waits in the UART FIFO / the SBI input queue, in the snapshot
        wb.vm('vm1').console.write('ab')
        wb.vm('vm2').console.write('xy')
        wb.run({ ms: 1 })
      },
      (wb) => {
        wb.run({ ms: 25 })
        wb.vm('vm1').console.write('Z\n')
        wb.vm('vm2').console.write('W')
        wb.run({ ms: 8 })
      },
    )
    expect(r.out.vm1).toMatch(/echo: a\necho: b\n(.|\n)*echo: Z\necho: \\n\n/)
    expect(r.out.vm2).toMatch(/echo: x\necho: y\n(.|\n)*echo: W\n/)
  })

  it('the LLC model on (configs/colouring.json): the cache\'s lines and counters and the harts\' pending stalls come back', async () => {
    const { llcOn } = await import('../plugins/feat-llc/index.ts')
    let stats = ''
    const r = await resumeMatches(
      () => Workbench.open({ config: config('colouring.json') }),
      // mid-run: the victim warm and part way through its timed walks, the aggressor streaming
      (wb) => { expect(wb.vm('victim').console.waitFor('victim: warm')).toBe(true); wb.run({ ms: 13.37 }) },
      (wb) => {
        expect(wb.vm('victim').console.waitFor('victim: walks', { ms: 1000 })).toBe(true)
        const s = JSON.stringify(llcOn(wb.machine.bus)!.stats())
        if (stats) expect(s).toBe(stats)
        stats = s
      },
    )
    // the walk times the victim measured with its own clock are in the compared output
    expect(r.out.victim).toMatch(/victim: walks 16 mean \d+ us/)
  })

  it('an SMP VM (Sstc timers, SBI HSM and IPIs): snapshot after tick 1', async () => {
    const r = await resumeMatches(
      () => Workbench.open({ config: config('smp-vm.json') }),
      (wb) => { expect(wb.vm('smp').console.waitFor('tick 1')).toBe(true) },
      (wb) => { wb.run({ ms: 30 }) },
    )
    expect(r.out.smp).toContain('ipi received on hart 1')
  })

  it('a VM-stack host (feat-dynamic-vm): snapshot before it creates children; children made and destroyed after T1 match', async () => {
    const r = await resumeMatches(
      () => Workbench.open({ config: config('dynamic-vm.json') }),
      (wb) => { wb.run({ ms: 0.01 }) },
      (wb) => { wb.run({ ms: 20 }) },
    )
    expect(r.out.host!.length).toBeGreaterThan(0)
  })

  for (const [elf, what] of [['interrupts.elf', 'CLINT, PLIC and UART interrupts'], ['sstc.elf', 'Sstc stimecmp']] as const) {
    it(`bare ${elf} (M-mode; ${what}): stopped at several virtual times, mid-window`, async () => {
      for (const T1 of [2_500, 9_001, 40_000, 103_000]) {
        const r = await resumeMatches(
          () => Workbench.open({ bare: image(elf) }),
          (wb) => { wb.machine.sched.run({ until: T1 }) },
          (wb) => { wb.run({ ms: 1 }) },
        )
        expect(r.T1).toBe(T1)
        expect(r.out.console).toMatch(/PASS\n$/)
      }
    })
  }

  it('events due at the same cycle fire in their saved order, whatever order their owners re-arm in', () => {
    const idle: Runnable = { id: 0, run: () => 0, idle: true, halted: false, breakOut: () => {}, elapsed: 0 }
    const world = (): { sched: Scheduler; fired: string[]; arm: (tag: string, t: number) => void } => {
      const sched = new Scheduler()
      sched.add(idle)
      const fired: string[] = []
      const arm = (tag: string, t: number): void => {
        sched.at(t, () => {
          fired.push(`${tag}@${sched.now}`)
          // an event scheduled while firing lands after the others of its time, in both runs
          if (tag === 'b') sched.at(sched.now, () => fired.push(`b-child@${sched.now}`), 'b-child')
        }, tag)
      }
      return { sched, fired, arm }
    }
    const a = world()
    a.sched.now = 10
    for (const [tag, t] of [['c', 100], ['a', 100], ['late', 200], ['b', 100], ['early', 50]] as const) a.arm(tag, t)
    const saved = a.sched.saveState()
    const b = world()
    b.sched.restoreClock(saved)
    // the owners come back in another order
    for (const [tag, t] of [['early', 50], ['a', 100], ['b', 100], ['c', 100], ['late', 200]] as const) b.arm(tag, t)
    expect(b.sched.restoreEvents(saved)).toEqual([])
    expect(b.sched.saveState()).toEqual(saved)
    a.sched.run({ until: 300 })
    b.sched.run({ until: 300 })
    expect(a.fired).toEqual(['early@50', 'c@100', 'a@100', 'b@100', 'b-child@100', 'late@200'])
    expect(b.fired).toEqual(a.fired)
  })

  it('two SBI timers set for the same cycle keep their order across a restore', async () => {
    const TIME = 0x54494d45
    let order: string[] = []
    await resumeMatches(
      () => Workbench.open({ config: config('two-vms.json') }),
      (wb) => {
        expect(wb.vm('vm2').console.waitFor('tick 1')).toBe(true)
        const m = wb.machine
        const ticks = Math.floor((m.sched.now + 3_000_000) / (m.board.cpuHz / m.board.timebaseHz))
        // vm2's first, then vm1's: the restore re-arms them VM by VM, the other way round
        wb.hv.hypercall('vm2', 0, TIME, 0, ticks)
        wb.hv.hypercall('vm1', 0, TIME, 0, ticks)
        const evs = m.sched.saveState().events.filter((e) => e.tag?.endsWith('sbi-timer'))
        order = evs.map((e) => e.tag!)
        expect(new Set(evs.map((e) => e.time)).size).toBe(1)
      },
      (wb) => {
        const evs = wb.machine.sched.saveState().events.filter((e) => e.tag?.endsWith('sbi-timer'))
        expect(evs.map((e) => e.tag)).toEqual(order)
        wb.run({ ms: 10 })
      },
    )
    expect(order).toEqual(['vm2.vcpu0:sbi-timer', 'vm1.vcpu0:sbi-timer'])
  })

  it('only pages the bus saw touched can be non-zero (the tracked scan equals a full scan)', async () => {
    const wb = await Workbench.open({ config: config('two-vms.json') })
    wb.vm('vm2').console.write('hello')
    wb.run({ ms: 35 })
    expect(nonZeroPages(wb.machine.bus)).toEqual(nonZeroPages(wb.machine.bus, true))
  })

  it('refuses what it cannot capture or restore', async () => {
    const wb = await Workbench.open({ config: config('two-vms.json') })
    wb.run({ ms: 1 })
    const ev = wb.machine.sched.at(wb.machine.sched.now + 1000, () => {})
    expect(() => snapshotMachine(wb)).toThrow(/no owner tag/)
    wb.machine.sched.cancel(ev)
    const snap = snapshotMachine(wb)
    const bare = await Workbench.open({ bare: image('interrupts.elf') })
    expect(() => restoreMachine(bare, snap)).toThrow(SnapshotError)
    const smp = await Workbench.open({ config: config('smp-vm.json') })
    expect(() => restoreMachine(smp, snap)).toThrow(/VM 1 \(vm1\)/)

  })
})

describe('dynamic VMs (VM stack) are captured', () => {
  it('a snapshot with a live child resumes exactly: the rest of the host demo prints the same and counts the same', async () => {
    const wb = await Workbench.open({ config: config('dynamic-vm.json') })
    const con = (w: Workbench, n: string) => w.hypervisor!.vms.find((v) => v.name === n)?.console
    // stop while the first child exists and has run
    expect(wb.run({ ms: 50, until: () => (con(wb, 'host')?.text() ?? '').includes('invoke 4 -> value') })).toBe('predicate')
    expect(wb.hypervisor!.vms.length).toBe(2)
    const snap = snapshotMachine(wb)
    const mark = con(wb, 'host')!.total
    wb.run({ ms: 60 })
    const want = { host: con(wb, 'host')!.since(mark), insns: wb.machine.sched.instructions, vms: wb.hv.vms().map((v) => `${v.id} ${v.name} ${v.state}`) }
    expect(want.host).toContain('host: done')

    const again = await Workbench.open({ config: config('dynamic-vm.json') })
    restoreMachine(again, snap)
    expect(again.hypervisor!.vms.map((v) => v.id)).toEqual(wb.hypervisor!.vms.length ? snapVmIds(snap) : [])
    again.run({ ms: 60 })
    expect({ host: con(again, 'host')!.since(mark), insns: again.machine.sched.instructions, vms: again.hv.vms().map((v) => `${v.id} ${v.name} ${v.state}`) }).toEqual(want)
    // the hypervisor's memory pool ends as it does in the uninterrupted run
    expect(again.hypervisor!.phys.ranges()).toEqual(wb.hypervisor!.phys.ranges())
  })
})

function snapVmIds(snap: ReturnType<typeof snapshotMachine>): number[] {
  return snap.hypervisor!.vms.map((v) => v.id)
}

describe('VMs created from the REPL are captured', () => {
  it('a VM destroyed and another created at run time resume exactly, with the same ids', async () => {
    const wb = await Workbench.open({ config: config('two-vms.json') })
    wb.run({ ms: 5 })
    wb.hv.destroy('vm2')
    wb.hv.create({ name: 'vm3', image: { path: '../guests/images/riscv64-vm/demo-0x84200000.bin', baseAddr: '0x84200000' }, cpuNum: 1, regions: [{ base: '0x84200000', size: '64M' }] } as never)
    expect(wb.vm('vm3').console.waitFor('tick 1')).toBe(true)
    const snap = snapshotMachine(wb)
    const con = (w: Workbench, n: string) => w.hypervisor!.vms.find((v) => v.name === n)!.console
    const mark = con(wb, 'vm3').total, mark1 = con(wb, 'vm1').total
    wb.run({ ms: 30 })
    const want = { vm1: con(wb, 'vm1').since(mark1), vm3: con(wb, 'vm3').since(mark), insns: wb.machine.sched.instructions }

    const again = await Workbench.open({ config: config('two-vms.json') })
    restoreMachine(again, snap)
    expect(again.hv.vms().map((v) => `${v.id} ${v.name} ${v.state}`)).toEqual(wb.hv.vms().map((v) => `${v.id} ${v.name} ${v.state}`))
    again.run({ ms: 30 })
    expect({ vm1: con(again, 'vm1').since(mark1), vm3: con(again, 'vm3').since(mark), insns: again.machine.sched.instructions }).toEqual(want)
    expect(want.vm3).toContain('tick 3')
  })
})

describe('resume in a new process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baobab-resume-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('`baobab run --session` prints what the original printed after T1 and counts the same instructions', async () => {
    const wb = await Workbench.open({ config: config('two-vms.json') })
    expect(wb.vm('vm2').console.waitFor('tick 1')).toBe(true)
    wb.vm('vm1').console.write('q')
    wb.vm('vm2').console.write('r')
    await saveSession(wb, 'resume-cli', { dir })
    const out = capture(wb)
    wb.run({ ms: 30 })
    const after = out()

    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const p = spawn(process.execPath, [join(root, 'bin', 'baobab.js'), 'run', '--session', 'resume-cli', '--run-ms', '30', '--stats'], {
        cwd: root, env: { ...process.env, BAOBAB_SESSIONS: dir }, stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stdout = '', stderr = ''
      p.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
      p.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
      const timer = setTimeout(() => p.kill('SIGKILL'), 100_000)
      p.on('error', reject)
      p.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }) })
    })
    expect(r.status, r.stderr).toBe(0)
    // the CLI prints "[source] line" per line; compare each source's lines in order
    const linesOf = (text: string): string[] => text.replace(/\r/g, '').split('\n').filter((l, i, all) => i < all.length - 1 || l !== '')
    for (const vm of wb.hypervisor!.vms) {
      const got = r.stdout.split('\n').filter((l) => l.startsWith(`[${vm.name}] `)).map((l) => l.slice(vm.name.length + 3))
      expect(got, `${vm.name}\n${r.stdout}`).toEqual(linesOf(after[vm.name]!))
    }
    expect(after.vm1).toContain('echo: q')
    expect(after.vm2).toContain('echo: r')
    expect(r.stdout.split('\n').filter((l) => l.startsWith('[hyp] '))).toEqual(after.hyp ? after.hyp.split('\n').map((l) => `[hyp] ${l.replace(/^\d+ /, '')}`) : [])
    expect(r.stderr).toContain(`instructions: ${wb.machine.sched.instructions}\n`)
    expect(r.stderr).toContain(`virtual time: ${((wb.machine.sched.now / 1e9) * 1000).toFixed(3)} ms`)
    for (const vm of wb.hv.vms()) expect(r.stderr).toContain(`vm ${vm.name}: ${vm.state}, exits ${vm.exits}, hypercalls ${vm.hypercalls}`)
  })
})
