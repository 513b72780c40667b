/**
 * The demo configs (configs/*.json) print what guests/riscv64-vm/demo/README.md says they print,
 * line for line, when booted through the hypervisor core: greetings and console kinds, timer ticks
 * 10 ms of guest time apart (SBI TIME, or Sstc without any SBI call), SBI HSM and IPIs, UART echo
 * through the interrupt path (physical PLIC → vPLIC → VSEIP), DBCN echo, Bao IPC notify. Runs
 * in-process on virtual time; once through the CLI. Two runs to the same virtual time are
 * identical (DESIGN "Time and determinism").
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { BootedSystem } from '../core/boot.ts'
import { loadConfig } from '../core/hypervisor/config.ts'
import type { Vcpu, Vm } from '../core/hypervisor/vm.ts'
import { PluginHost } from '../core/plugins.ts'
import type { RiscvHyp } from '../plugins/arch-riscv64/hyp/riscv-hyp.ts'
import type { VPlic } from '../plugins/arch-riscv64/hyp/vplic.ts'
import { boot, cli, config, fixture, hasLine, MS, root, runUntil, tail, vmNamed } from './hyp-util.ts'

const lines = (vm: Vm): string[] => vm.console.text().split('\n').filter((l) => l !== '')

/** counts SBI TIME set_timer calls per VM (the hypervisor's timer service) */
function countSetTimer(sys: BootedSystem): Map<string, number> {
  const hyp = sys.hv.arch as RiscvHyp
  const orig = hyp.setTimer.bind(hyp)
  const calls = new Map<string, number>()
  hyp.setTimer = (v: Vcpu, t: bigint) => {
    calls.set(v.vm.name, (calls.get(v.vm.name) ?? 0) + 1)
    orig(v, t)
  }
  return calls
}

/** virtual time (cycles) at which each line of each VM's console was completed */
function lineTimes(sys: BootedSystem): Map<string, number> {
  const at = new Map<string, number>()
  for (const vm of sys.hv.vms) {
    let cur = ''
    vm.console.onOutput((b) => {
      if (b !== 10) { cur += String.fromCharCode(b); return }
      at.set(`${vm.name}: ${cur}`, sys.machine.sched.time())
      cur = ''
    })
  }
  return at
}

function expectTicksApart(at: Map<string, number>, vm: string): void {
  const t = [1, 2, 3].map((n) => at.get(`${vm}: tick ${n}`))
  expect(t.every((x) => x !== undefined), `${vm} ticked 3 times`).toBe(true)
  // 10 ms apart (timebase / 100), within one scheduler quantum and the UART's drain
  for (const [a, b] of [[t[0]!, t[1]!], [t[1]!, t[2]!]] as const) expect(Math.abs(b - a - 10 * MS)).toBeLessThan(0.05 * MS)
}

describe('two-vms.json: a UART VM and a DBCN VM side by side', () => {
  it('greets, ticks 1..3 on SBI TIME, echo ready, on both VMs', async () => {
    const sys = await boot(config('two-vms.json'))
    const timers = countSetTimer(sys)
    const at = lineTimes(sys)
    const vm1 = vmNamed(sys, 'vm1')
    const vm2 = vmNamed(sys, 'vm2')
    expect(runUntil(sys, () => hasLine(vm1, 'echo ready') && hasLine(vm2, 'echo ready'))).toBe('predicate')
    expect(lines(vm1)).toEqual(['hello from vm1 hart 0', 'console: uart', 'tick 1', 'tick 2', 'tick 3', 'echo ready'])
    expect(lines(vm2)).toEqual(['hello from vm2 hart 0', 'console: dbcn', 'tick 1', 'tick 2', 'tick 3', 'echo ready'])
    expectTicksApart(at, 'vm1')
    expectTicksApart(at, 'vm2')
    // set_timer: the first deadline, one per tick 1..2, "never" after tick 3
    expect(timers.get('vm1')).toBe(4)
    expect(timers.get('vm2')).toBe(4)
    expect(sys.hv.vms.map((v) => v.state)).toEqual(['running', 'running'])
    expect(sys.hv.log.lines.filter((l) => l.level !== 'INFO')).toEqual([])
  })

  it('echoes bytes typed for vm1 through physical PLIC → vPLIC → VSEIP, and for vm2 through DBCN read', async () => {
    const sys = await boot(config('two-vms.json'))
    const vm1 = vmNamed(sys, 'vm1')
    const vm2 = vmNamed(sys, 'vm2')
    expect(runUntil(sys, () => hasLine(vm1, 'echo ready') && hasLine(vm2, 'echo ready'))).toBe('predicate')
    // nothing left to do for vm1 but wait in wfi for its UART interrupt: no more exits
    runUntil(sys, () => false, 5)
    const exitsBefore = vm1.exits
    const vplic = (vm1.arch as { vplic: VPlic }).vplic
    const raised: number[] = []
    const hwRaise = vplic.hwRaise.bind(vplic)
    vplic.hwRaise = (n, complete) => { raised.push(n); hwRaise(n, complete) }

    vm1.console.send('a')
    expect(runUntil(sys, () => hasLine(vm1, 'echo: a'), 20)).toBe('predicate')
    expect(raised).toEqual([10]) // uart0's source, claimed on the physical PLIC and raised in vm1's vPLIC
    expect(vm1.exits).toBeGreaterThan(exitsBefore) // the HS external interrupt reached the hypervisor
    vm1.console.send('b\\\r')
    expect(runUntil(sys, () => hasLine(vm1, 'echo: \\r'), 20)).toBe('predicate')
    expect(lines(vm1).slice(-4)).toEqual(['echo: a', 'echo: b', 'echo: \\\\', 'echo: \\r'])
    expect(raised.every((n) => n === 10)).toBe(true)

    vm2.console.send('z\x01')
    expect(runUntil(sys, () => hasLine(vm2, 'echo: \\x01'), 20)).toBe('predicate')
    expect(lines(vm2).slice(-3)).toEqual(['echo ready', 'echo: z', 'echo: \\x01'])
    expect(lines(vm1).filter((l) => l.startsWith('echo: '))).toHaveLength(4) // vm2's input stayed in vm2
  })
})

describe('smp-vm.json: one VM, two harts, Sstc', () => {
  it('starts hart 1 (HSM), ticks on stimecmp without SBI TIME, sends an IPI to hart 1', async () => {
    const sys = await boot(config('smp-vm.json'))
    const timers = countSetTimer(sys)
    const at = lineTimes(sys)
    const vm = vmNamed(sys, 'smp')
    expect(runUntil(sys, () => hasLine(vm, 'echo ready'))).toBe('predicate')
    expect(lines(vm)).toEqual([
      'hello from smp hart 0', 'console: uart', 'hello from smp hart 1',
      'tick 1', 'tick 2', 'tick 3', 'ipi received on hart 1', 'echo ready',
    ])
    expectTicksApart(at, 'smp')
    expect(timers.get('smp') ?? 0).toBe(0) // every tick came from vstimecmp
    expect(vm.vcpus.map((v) => v.state)).toEqual(['running', 'running'])
  })
})

describe('ipc.json: Bao IPC notify between two VMs', () => {
  it('the sender notifies (a0 = 0) and the receiver prints messages 1..3', async () => {
    const sys = await boot(config('ipc.json'))
    const sender = vmNamed(sys, 'sender')
    const receiver = vmNamed(sys, 'receiver')
    expect(runUntil(sys, () => hasLine(receiver, 'ipc: message 3 from sender'))).toBe('predicate')
    expect(lines(sender)).toEqual(['hello from sender hart 0', 'console: uart', 'tick 1', 'tick 2', 'tick 3', 'echo ready', 'ipc notify returned 0'])
    expect(lines(receiver)).toEqual([
      'hello from receiver hart 0', 'console: uart', 'tick 1', 'tick 2', 'tick 3', 'echo ready',
      'ipc: message 1 from sender', 'ipc: message 2 from sender', 'ipc: message 3 from sender',
    ])
    expect(sender.hypercalls).toBe(3)
    expect(receiver.hypercalls).toBe(0)
  })
})

describe('determinism', () => {
  for (const name of ['two-vms.json', 'smp-vm.json', 'ipc.json']) {
    it(`${name}: two runs to 32 ms of virtual time are identical`, async () => {
      const once = async () => {
        const sys = await boot(config(name))
        expect(sys.machine.sched.run({ until: 32 * MS })).toBe('limit')
        return {
          consoles: sys.hv.vms.map((v) => v.console.text()),
          instructions: sys.machine.sched.instructions,
          exits: sys.hv.vms.map((v) => v.exits),
          log: sys.hv.log.lines.map((l) => `${l.time} ${l.text}`),
        }
      }
      const a = await once()
      const b = await once()
      expect(a.consoles.every((c) => c.includes('echo ready'))).toBe(true)
      expect(b.consoles).toEqual(a.consoles)
      expect(b.instructions).toBe(a.instructions)
      expect(b.exits).toEqual(a.exits)
      expect(b.log).toEqual(a.log)
    })
  }
})

describe('the CLI', () => {
  it('run configs/two-vms.json: [name] prefixes and [hyp] CROSSCONHYP lines', async () => {
    const r = await cli(['run', 'configs/two-vms.json', '--until', '\\[vm1\\] echo ready', '--timeout', '30'])
    expect(r.status, tail(r)).toBe(0)
    const out = r.stdout.split('\n').filter((l) => l !== '')
    for (const l of out) expect(l).toMatch(/^(\[vm1\] |\[vm2\] |\[hyp\] CROSSCONHYP INFO: )/)
    const of = (p: string) => out.filter((l) => l.startsWith(p)).map((l) => l.slice(p.length))
    expect(of('[vm1] ')).toEqual(['hello from vm1 hart 0', 'console: uart', 'tick 1', 'tick 2', 'tick 3', 'echo ready'])
    // vm2 runs in step with vm1 (ticks at the same virtual times); its last line may or may not
    // come before vm1's "echo ready", where the run stops
    const vm2Lines = ['hello from vm2 hart 0', 'console: dbcn', 'tick 1', 'tick 2', 'tick 3', 'echo ready']
    expect(of('[vm2] ').length).toBeGreaterThanOrEqual(5)
    expect(of('[vm2] ')).toEqual(vm2Lines.slice(0, of('[vm2] ').length))
    // CROSSCON's boot lines (reference §10), in this order (other lines may come between)
    const hyp = of('[hyp] CROSSCONHYP INFO: ')
    const inOrder = (want: string[]) => want.filter((w, i) => hyp.indexOf(w) >= 0 && (i === 0 || hyp.indexOf(w) > hyp.indexOf(want[i - 1]!)))
    const bootLines = [
      'Initializing VM 1',
      'VM 1 adding memory region, VA 0x80200000 size 0x4000000',
      'VM 1 adding MMIO region, VA: 0x10000000 size: 0x1000 mapped at 0x10000000',
      'VM 1 assigning interrupt 10',
      'VM 1 is sdGPOS (normal VM)',
      'Initializing VM 2',
      'VM 2 adding memory region, VA 0x80200000 size 0x4000000', // the same guest addresses: pages from the pools
      'VM 2 is sdGPOS (normal VM)',
    ]
    expect(inOrder(bootLines)).toEqual(bootLines)
    // the hypervisor's boot log comes before any guest output
    expect(out.findIndex((l) => l.startsWith('[vm'))).toBeGreaterThan(out.findLastIndex((l) => l.startsWith('[hyp]')))
  })
})

describe('bench/sbi-hammer.json, mmio-hammer.json, vplic-hammer.json', () => {
  it('are valid configs', async () => {
    for (const name of ['sbi-hammer.json', 'mmio-hammer.json', 'vplic-hammer.json']) {
      const { config: c } = await loadConfig(join(root, 'bench', name), new PluginHost())
      expect(c.vms.map((v) => v.name)).toEqual(['hammer'])
    }
  })

  it('its guest makes N BASE calls (N from bootargs here), then shuts its VM down', async () => {
    const sys = await boot(fixture('sbi-hammer-small.json'))
    const vm = vmNamed(sys, 'hammer')
    expect(sys.machine.sched.run({ cycles: 100 * MS })).toBe('stopped')
    expect(lines(vm)).toEqual(['hammer start 1000', 'hammer done 1000 errors 0'])
    expect(vm.state).toBe('stopped')
    expect(vm.exits).toBe(1001) // 1000 ecalls + SRST: the exits the benchmark counts
    expect(sys.machine.power.off).toBe(true)
  })

  it('hammer-kind=mmio: N writes and read-backs of the emulated UART\'s scratch register, each an exit', async () => {
    const sys = await boot(fixture('mmio-hammer-small.json'))
    const vm = vmNamed(sys, 'hammer')
    expect(sys.machine.sched.run({ cycles: 100 * MS })).toBe('stopped')
    expect(lines(vm)).toEqual(['hammer start 1000 mmio', 'hammer done 1000 errors 0'])
    // 2 × 1000 SCR accesses, 2 per console byte (LSR poll + THR) for its 49 bytes, SRST
    expect(vm.exits).toBe(2000 + 2 * 49 + 1)
    expect(sys.machine.power.off).toBe(true)
  })

  it('hammer-kind=vplic: N writes and read-backs of a vPLIC priority register, each an exit', async () => {
    const sys = await boot(fixture('vplic-hammer-small.json'))
    const vm = vmNamed(sys, 'hammer')
    expect(sys.machine.sched.run({ cycles: 100 * MS })).toBe('stopped')
    expect(lines(vm)).toEqual(['hammer start 1000 vplic', 'hammer done 1000 errors 0'])
    expect(vm.exits).toBe(2000 + 1) // the console is the passed-through UART: no exits
    expect(sys.machine.power.off).toBe(true)
  })
})
