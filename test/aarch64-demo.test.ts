/**
 * The Arm demo configs (configs/aarch64/*.json) print what guests/aarch64-vm/demo/README.md and
 * guests/README.md say they print, line for line, when booted through the hypervisor core on
 * qemu-virt-aarch64: greetings from every vCPU (PSCI CPU_ON over SMC), generic-timer ticks 10 ms
 * of guest time apart through the vGIC, SGIs between vCPUs, UART echo through the PL011 RX
 * interrupt (passed through: physical GIC → list register; emulated: the vGIC distributor), Bao
 * IPC notify over HVC, and the VM-stack host creating, invoking and destroying its child over
 * HVC. In-process on virtual time, and once each through the CLI. Two runs to the same virtual
 * time are identical.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { BootedSystem } from '../core/boot.ts'
import { parseElf, symbolByName } from '../core/loader/elf.ts'
import type { Vm } from '../core/hypervisor/vm.ts'
import type { VmArch } from '../plugins/arch-aarch64/hyp/a64-hyp.ts'
import { boot, cli, hasLine, MS, root, runUntil, tail, vmNamed } from './hyp-util.ts'

const TWO_VMS = join(root, 'configs', 'aarch64', 'two-vms.json')
const DYNAMIC = join(root, 'configs', 'aarch64', 'dynamic-vm.json')
const IMAGES = join(root, 'guests', 'images', 'aarch64-vm')

const lines = (vm: Vm): string[] => vm.console.text().split('\n').filter((l) => l !== '')

/** Every console line of every VM (children too, as they are created) with the virtual time and pCPU that completed it. */
interface Line { source: string; text: string; t: number; pcpu: number }
function transcript(sys: BootedSystem): Line[] {
  const out: Line[] = []
  const attach = (vm: Vm): void => {
    let cur = ''
    vm.console.onOutput((b) => {
      if (b !== 10) { cur += String.fromCharCode(b); return }
      out.push({ source: vm.name, text: cur, t: sys.machine.sched.now, pcpu: sys.machine.sched.running?.id ?? -1 })
      cur = ''
    })
  }
  for (const vm of sys.hv.vms) attach(vm)
  sys.hv.onVmCreated(attach)
  return out
}

const at = (tr: Line[], source: string, text: string): Line | undefined => tr.find((l) => l.source === source && l.text === text)

describe('configs/aarch64/two-vms.json: two VMs, two vCPUs each, on their own pCPUs', () => {
  it('greets from every vCPU, ticks 1..3 10 ms apart, an SGI to vCPU 1, echo ready; IPC messages 1..3 from vm1 to vm2', async () => {
    const sys = await boot(TWO_VMS)
    const tr = transcript(sys)
    const vm1 = vmNamed(sys, 'vm1'), vm2 = vmNamed(sys, 'vm2')
    expect(runUntil(sys, () => hasLine(vm1, 'ipc notify returned 0') && hasLine(vm2, 'ipc: message 3 from vm1'))).toBe('predicate')
    expect(lines(vm1)).toEqual([
      'hello from vm1 cpu 0', 'timer: cntv, intid 27', 'hello from vm1 cpu 1',
      'tick 1', 'tick 2', 'tick 3', 'sgi received on cpu 1', 'echo ready', 'ipc notify returned 0',
    ])
    expect(lines(vm2)).toEqual([
      'hello from vm2 cpu 0', 'timer: cntv, intid 27', 'hello from vm2 cpu 1',
      'tick 1', 'tick 2', 'tick 3', 'sgi received on cpu 1', 'echo ready',
      'ipc: message 1 from vm1', 'ipc: message 2 from vm1', 'ipc: message 3 from vm1',
    ])
    // each vCPU printed on its own pCPU: vm1 on 0-1 (cpuAffinity 0x3), vm2 on 2-3 (0xc)
    const pcpu = (s: string, t: string): number | undefined => at(tr, s, t)?.pcpu
    expect([pcpu('vm1', 'hello from vm1 cpu 0'), pcpu('vm1', 'hello from vm1 cpu 1'), pcpu('vm1', 'sgi received on cpu 1')]).toEqual([0, 1, 1])
    expect([pcpu('vm2', 'hello from vm2 cpu 0'), pcpu('vm2', 'hello from vm2 cpu 1'), pcpu('vm2', 'sgi received on cpu 1')]).toEqual([2, 3, 3])
    // ticks 10 ms apart (CNTFRQ / 100 from the previous deadline), within a scheduler quantum
    for (const vm of ['vm1', 'vm2']) {
      const t = [1, 2, 3].map((n) => at(tr, vm, `tick ${n}`)!.t)
      for (const [a, b] of [[t[0]!, t[1]!], [t[1]!, t[2]!]] as const) expect(Math.abs(b - a - 10 * MS)).toBeLessThan(0.05 * MS)
    }
    expect(vm1.hypercalls).toBe(3) // three IPC notifies over HVC
    expect(vm2.hypercalls).toBe(0)
    expect(sys.hv.vms.flatMap((v) => v.vcpus.map((c) => c.state))).toEqual(['running', 'running', 'running', 'running'])
    expect(sys.hv.log.lines.filter((l) => l.level !== 'INFO')).toEqual([])
  })

  it('echoes bytes typed for vm1 (uart0 passed through: SPI 33 hardware-linked) and for vm2 (its emulated PL011)', async () => {
    const sys = await boot(TWO_VMS)
    const vm1 = vmNamed(sys, 'vm1'), vm2 = vmNamed(sys, 'vm2')
    expect(runUntil(sys, () => hasLine(vm1, 'echo ready') && hasLine(vm2, 'echo ready'))).toBe('predicate')
    const hw: number[] = [], level: number[] = []
    const v1 = (vm1.arch as VmArch).vgic, v2 = (vm2.arch as VmArch).vgic
    const hwRaise = v1.hwRaise.bind(v1), setLevel = v2.setLevel.bind(v2)
    v1.hwRaise = (id, vcpu) => { hw.push(id); hwRaise(id, vcpu) }
    v2.setLevel = (id, high, vcpu) => { if (high) level.push(id); setLevel(id, high, vcpu) }

    vm1.console.send('a')
    expect(runUntil(sys, () => hasLine(vm1, 'echo: a'), 20)).toBe('predicate')
    vm1.console.send('b\\\r\x01')
    expect(runUntil(sys, () => hasLine(vm1, 'echo: \\x01'), 20)).toBe('predicate')
    expect(lines(vm1).filter((l) => l.startsWith('echo: '))).toEqual(['echo: a', 'echo: b', 'echo: \\\\', 'echo: \\r', 'echo: \\x01'])
    expect(hw.length).toBeGreaterThan(0)
    expect(hw.every((id) => id === 33)).toBe(true)

    vm2.console.send('zq\n')
    expect(runUntil(sys, () => hasLine(vm2, 'echo: \\n'), 20)).toBe('predicate')
    expect(lines(vm2).filter((l) => l.startsWith('echo: '))).toEqual(['echo: z', 'echo: q', 'echo: \\n'])
    expect(level.length).toBeGreaterThan(0)
    expect(level.every((id) => id === 33)).toBe(true)
    // each VM's input stayed in that VM
    expect(lines(vm1).filter((l) => l.startsWith('echo: '))).toHaveLength(5)
  })
})

/** The host's console and its children's, interleaved, as configs/aarch64/dynamic-vm.json prints them. */
function dynamicTranscript(): string[] {
  const image = statSync(join(IMAGES, 'vmstack-child-0x58000000.bin')).size
  const lent = symbolByName(parseElf(new Uint8Array(readFileSync(join(IMAGES, 'vmstack-host-0x50000000.elf')))), 'lent_page')!.value
  return [
    `[host] host: host on cpu 0: child blob 4096 bytes, image ${image} bytes, region 0 0x40000 at 0x50400000`,
    '[host] host: created vm 2',
    '[host.2] child: invoked with arg 3', '[host] host: invoke 3 -> value 10',
    '[host.2] child: invoked with arg 4', '[host] host: invoke 4 -> value 18',
    '[host.2] child: invoked with arg 5', '[host] host: invoke 5 -> value 28',
    `[host] host: lend page 0x${lent.toString(16)} to vm 2 at 0x58200000 -> 0`,
    '[host.2] child: invoked with arg 77', '[host] host: invoke 77 -> value 4660',
    // the host's CNTV is its own context: not live while the child runs, so no pre-emption
    '[host.2] child: invoked with arg 1000', '[host] host: invoke 1000 -> value 846062',
    '[host] host: ticked on to 5 after the child returned',
    '[host.2] child: invoked with arg 0', '[host.2] child: exiting with code 7', '[host] host: invoke 0 -> exited with code 7',
    '[host.2] child: invoked with arg 6', '[host] host: invoke 6 -> value 37',
    '[host] host: destroy vm 2 -> 0',
    '[host] host: created vm 3 again',
    '[host.3] child: invoked with arg 7', '[host] host: invoke 7 -> value 50',
    '[host] host: destroy vm 3 -> 0',
    '[host] host: create/destroy cycles start',
    '[host] host: create/destroy cycles 1000 ok',
    '[host] host: cycle ids 4..1003',
    '[host] host: created vm 1004 for the fault demo',
    '[host.1004] child: invoked with arg 99', '[host.1004] child: reading parent memory at 0x50000000',
    '[host] host: invoke 99 -> fault in vm 1004 at 0x50000000',
    '[host] host: destroy vm 1004 -> 0',
    '[host] host: invoke 1 -> error -2',
    '[host] host: create from an unaligned blob -> error -3',
    '[host] host: create from a blob outside my memory -> error -3',
    '[host] host: counters: invokes 9, yields 7, exits 1, faults 1, pre-emptions 0',
    '[host] host: done',
  ]
}

describe('configs/aarch64/dynamic-vm.json: the VM-stack host over HVC', () => {
  it('creates its child from the blob in its memory, invokes it, lends it a page, restarts, destroys, cycles 1000 times, sees it fault', async () => {
    const sys = await boot(DYNAMIC)
    const tr = transcript(sys)
    const log: string[] = [] // all of it (memory keeps the newest 10,000 lines only)
    sys.hv.log.onLine((l) => log.push(l.text))
    const host = vmNamed(sys, 'host')
    expect(runUntil(sys, () => hasLine(host, 'host: done'), 100)).toBe('predicate')
    expect(tr.map((l) => `[${l.source}] ${l.text}`)).toEqual(dynamicTranscript())
    // every child ran on the host's pCPU, printing on the uart1 its blob moved to it
    expect(tr.every((l) => l.pcpu === 0)).toBe(true)
    expect(sys.hv.vms.map((v) => v.name)).toEqual(['host'])
    expect(host.state).toBe('running')
    expect(log.filter((l) => l.startsWith('Creating dynamic VM'))).toHaveLength(1003)
    expect(log.filter((l) => /^VM \d+ \(host\.\d+\) destroyed$/.test(l))).toHaveLength(1003)
    expect(sys.hv.log.lines.filter((l) => l.level !== 'INFO').map((l) => l.text))
      .toEqual(['VM 1004 performed illegal access (illegal load at 0x50000000). Disabling.'])
  })
})

describe('configs/aarch64/dynamic-vm.json with the host on the physical timer (PPI 30)', () => {
  it("pre-empts the child at the host's ticks: the host's interrupt reaches it through the stack (reference §4.6)", async () => {
    const raw = JSON.parse(readFileSync(DYNAMIC, 'utf8')) as { vms: { image: { path: string }; bootargs?: string; devs: { interrupts?: number[] }[] }[] }
    const host = raw.vms[0]!
    host.image.path = join(root, 'configs', 'aarch64', host.image.path)
    host.bootargs = 'timer=cntp'
    host.devs[2]!.interrupts = [30]
    const dir = mkdtempSync(join(tmpdir(), 'baobab-a64-'))
    try {
      const file = join(dir, 'dynamic-cntp.json')
      writeFileSync(file, JSON.stringify(raw))
      const sys = await boot(file)
      const tr = transcript(sys)
      expect(runUntil(sys, () => hasLine(vmNamed(sys, 'host'), 'host: done'), 100)).toBe('predicate')
      const text = tr.map((l) => `[${l.source}] ${l.text}`)
      const from = text.indexOf('[host.2] child: invoked with arg 1000')
      expect(text.slice(from, from + 4)).toEqual([
        '[host.2] child: invoked with arg 1000',
        '[host] host: vm 2 pre-empted by tick 1, resuming',
        '[host] host: vm 2 pre-empted by tick 2, resuming',
        '[host] host: invoke 1000 -> value 846062',
      ])
      expect(text).toContain('[host] host: counters: invokes 11, yields 7, exits 1, faults 1, pre-emptions 2')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('determinism', () => {
  const runs: [string, string, number][] = [['two-vms.json', TWO_VMS, 40], ['dynamic-vm.json', DYNAMIC, 12]]
  for (const [name, file, ms] of runs) {
    it(`${name}: two runs to ${ms} ms of virtual time give byte-identical consoles, instruction counts and logs`, async () => {
      const once = async () => {
        const sys = await boot(file)
        const tr = transcript(sys)
        expect(sys.machine.sched.run({ until: ms * MS })).toBe('limit')
        return {
          consoles: tr.map((l) => `${l.t} ${l.pcpu} [${l.source}] ${l.text}`).join('\n'),
          instructions: sys.machine.sched.instructions,
          exits: sys.hv.vms.map((v) => v.exits),
          log: sys.hv.log.lines.map((l) => `${l.time} ${l.text}`),
        }
      }
      const a = await once()
      const b = await once()
      expect(a.consoles).toContain(name === 'two-vms.json' ? 'ipc: message 3 from vm1' : 'host: done')
      expect(b.consoles).toBe(a.consoles)
      expect(b.instructions).toBe(a.instructions)
      expect(b.exits).toEqual(a.exits)
      expect(b.log).toEqual(a.log)
    })
  }
})

describe('the CLI with the Arm configs', () => {
  it('config check accepts both; run --until prints the guests\' lines prefixed by VM and exits 0', async () => {
    for (const f of [TWO_VMS, DYNAMIC]) {
      const r = await cli(['config', 'check', f])
      expect(r.status, tail(r)).toBe(0)
    }
    const a = await cli(['run', TWO_VMS, '--until', 'ipc: message 3 from vm1', '--timeout', '60'])
    expect(a.status, tail(a)).toBe(0)
    const out = a.stdout.split('\n')
    expect(out).toEqual(expect.arrayContaining(['[vm1] hello from vm1 cpu 1', '[vm2] hello from vm2 cpu 1', '[vm1] ipc notify returned 0', '[vm2] ipc: message 3 from vm1']))
    const b = await cli(['run', DYNAMIC, '--until', 'host: done', '--timeout', '60'])
    expect(b.status, tail(b)).toBe(0)
    expect(b.stdout.split('\n').filter((l) => !l.startsWith('[hyp]'))).toEqual([...dynamicTranscript(), ''])
  }, 120_000)
})
