/**
 * Fault containment and isolation (DESIGN "The hypervisor core" 2; reference §1.4, §10): a VM
 * that touches anything outside its stage-2 map is stopped at that access and reported (VM,
 * vCPU, pc, address, cause, and a `CROSSCONHYP ERROR:` line), its load never completes, and the
 * other VMs run on. The scan guest (guests/riscv64-vm/scan) reads across physical space; a
 * hand-assembled probe reads and writes the second UART, which no VM was given.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { BootedSystem } from '../core/boot.ts'
import type { FaultReport, Vm } from '../core/hypervisor/vm.ts'
import type { RiscvHart } from '../plugins/arch-riscv64/hart.ts'
import type { RiscvHyp } from '../plugins/arch-riscv64/hyp/riscv-hyp.ts'
import { handleSbi } from '../plugins/arch-riscv64/hyp/sbi.ts'
import { boot, cli, config, fixture, hasLine, root, runUntil, tail, vmNamed } from './hyp-util.ts'

const PATTERN = 0x5a17c0de

/** The addresses guests/riscv64-vm/scan/main.c loads from, in order. */
function scanAddresses(): number[] {
  const out: number[] = []
  for (let a = 0x8000_0000; a < 0x1_0000_0000; a += 1 << 20) out.push(a)
  for (let a = 0x0c00_0000; a < 0x0c60_0000; a += 1 << 20) out.push(a)
  out.push(0x1000_0005)
  return out
}

const inMap = (vm: Vm, a: number): boolean => vm.stage2.lookup(a) !== undefined

/** Is the instruction at guest pc (identity-mapped RAM) a load? 32-bit LOAD or compressed c.lw/c.ld/c.lbu… */
function isLoadAt(sys: BootedSystem, vm: Vm, pc: bigint): boolean {
  const b = sys.machine.bus.dump(vm.gpaToPa(Number(pc)), 4)
  const half = b[0]! | (b[1]! << 8)
  if ((half & 3) === 3) return (half & 0x7f) === 0x03
  const op = half & 3, f3 = half >> 13
  return op === 0 && (f3 === 2 || f3 === 3) // c.lw, c.ld
}

/** low 32 bits of every integer register of a hart */
function regsLow(h: RiscvHart): number[] {
  return Array.from({ length: 32 }, (_, i) => h.x[2 * i]! >>> 0)
}

describe('a VM reading across physical space (scan) next to the demo', () => {
  it('is stopped at its first access outside its map, reported, while vm1 keeps ticking', async () => {
    const sys = await boot(fixture('isolation.json'))
    const vm1 = vmNamed(sys, 'vm1')
    const vm2 = vmNamed(sys, 'vm2')
    // a known pattern at the start of vm1's RAM, where the scan looks first
    const vm1Start = vm1.config.regions[0]!.base
    sys.machine.bus.load(vm1.gpaToPa(vm1Start), new Uint8Array(new Uint32Array([PATTERN, PATTERN]).buffer))
    const faults: FaultReport[] = []
    let vm1LinesAtFault = -1
    sys.hv.onFault((f) => { faults.push(f); vm1LinesAtFault = vm1.console.text().split('\n').length - 1 })

    expect(runUntil(sys, () => hasLine(vm1, 'tick 3'))).toBe('predicate')

    // the fault: VM 2, its only vCPU, a load, at the first address outside vm2's map the scan touches
    const firstOutside = scanAddresses().find((a) => !inMap(vm2, a))!
    expect(firstOutside).toBe(vm1Start) // = vm1's RAM: the scan's very first read
    expect(faults).toHaveLength(1)
    expect(vm2.state).toBe('faulted')
    expect(vm2.fault).toEqual(faults[0])
    const f = vm2.fault!
    expect({ vm: f.vm, vmName: f.vmName, vcpu: f.vcpu, addr: f.addr, cause: f.cause })
      .toEqual({ vm: 2, vmName: 'vm2', vcpu: 0, addr: BigInt(vm1Start), cause: 'illegal load' })
    const img = vm2.config.image!
    expect(f.pc >= BigInt(img.baseAddr) && f.pc < BigInt(img.baseAddr + img.size)).toBe(true)
    expect(isLoadAt(sys, vm2, f.pc)).toBe(true)
    const errors = sys.hv.log.lines.filter((l) => l.level === 'ERROR')
    expect(errors).toHaveLength(1)
    expect(errors[0]!.text).toMatch(/^VM 2 \(vm2\) vCPU 0 illegal load at 0x80000000 \(pc 0x[0-9a-f]+\)/)

    // the load never completed: the guest saw no trap of its own ("fault at" would be its line),
    // no register of vm2's hart holds the pattern, vm1's word is untouched, vm2's vCPUs are stopped
    expect(vm2.console.text()).toBe('scan start\n')
    const h2 = sys.machine.cpus[vm2.vcpus[0]!.pcpu] as unknown as RiscvHart
    expect(regsLow(h2)).not.toContain(PATTERN)
    expect(Array.from(new Uint32Array(sys.machine.bus.dump(vm1.gpaToPa(vm1Start), 8).slice().buffer))).toEqual([PATTERN, PATTERN])
    expect(vm2.vcpus.map((v) => v.state)).toEqual(['stopped'])
    expect(h2.halted).toBe(true)

    // vm1 is unaffected: it printed tick 1..3 after vm2 was stopped
    expect(vm1LinesAtFault).toBeGreaterThanOrEqual(0)
    const after = vm1.console.text().split('\n').slice(vm1LinesAtFault)
    expect(after).toEqual(expect.arrayContaining(['tick 1', 'tick 2', 'tick 3']))
    expect(vm1.state).toBe('running')
    // and stays so: the stopped VM does not come back, nothing else faults
    expect(runUntil(sys, () => hasLine(vm1, 'echo ready'), 20)).toBe('predicate')
    expect(sys.hv.log.lines.filter((l) => l.level === 'ERROR')).toHaveLength(1)
    expect(vm2.console.text()).toBe('scan start\n')
  })

  it('with all of RAM the pools have (2 GiB less the 4 MiB of firmware and hypervisor) and no devices: reads all of it, faults just above', async () => {
    const sys = await boot(fixture('scan-all-ram.json'))
    const vm = vmNamed(sys, 'scan')
    expect(runUntil(sys, () => vm.state !== 'running')).toBe('predicate')
    expect(vm.state).toBe('faulted')
    expect(vm.fault!.addr).toBe(0xffc0_0000n) // the first address of the scan outside its map: its 2044 MiB end there
    expect(scanAddresses().find((a) => !inMap(vm, a))).toBe(0xffc0_0000)
    expect(vm.fault!.cause).toBe('illegal load')
    expect(vm.console.text()).toBe('scan start\n')
  })
})

const probeDir = mkdtempSync(join(tmpdir(), 'baobab-iso-'))
afterAll(() => rmSync(probeDir, { recursive: true, force: true }))

/**
 * A config: vm1 runs the demo, VM 2 ("probe") runs the raw instruction words given. Normally the
 * probe sits above vm1 (vm1 0x80200000, probe 0x84200000); `below` swaps them, so the probe's
 * RAM ends where vm1's begins.
 */
function probe(name: string, words: number[], opts: { ownsUart1?: boolean; below?: boolean } = {}): string {
  const img = join(probeDir, `${name}.bin`)
  writeFileSync(img, new Uint8Array(new Uint32Array(words).buffer))
  const [demoAt, probeAt] = opts.below ? ['0x84200000', '0x80200000'] : ['0x80200000', '0x84200000']
  const cfg = join(probeDir, `${name}.json`)
  writeFileSync(cfg, JSON.stringify({
    board: 'qemu-virt-riscv64',
    vms: [
      {
        name: 'vm1', cpuNum: 1,
        image: { path: join(root, `guests/images/riscv64-vm/demo-${demoAt}.bin`), baseAddr: demoAt },
        regions: [{ base: demoAt, size: '64M' }],
        devs: [{ pa: '0x10000000', va: '0x10000000', size: '0x1000', interrupts: [10] }],
      },
      {
        name: 'probe', cpuNum: 1,
        image: { path: img, baseAddr: probeAt },
        regions: [{ base: probeAt, size: '64M' }],
        devs: opts.ownsUart1 ? [{ pa: '0x10001000', va: '0x10001000', size: '0x1000' }] : [],
      },
    ],
  }))
  return cfg
}

const LUI_A0_UART1 = 0x10001537 // lui a0, 0x10001
const J_SELF = 0x0000006f // j .

describe('a VM cannot reach a device it was not given (uart1 at 0x10001000)', () => {
  for (const [what, insn, pc, addr, cause] of [
    ['a load', 0x00554583 /* lbu a1, 5(a0) */, 0x8420_0004n, 0x1000_1005n, 'illegal load'],
    ['a store', 0x00b50023 /* sb a1, 0(a0) */, 0x8420_0004n, 0x1000_1000n, 'illegal store'],
    ['a jump', 0x00050067 /* jr a0 */, 0x1000_1000n, 0x1000_1000n, 'illegal instruction fetch'],
  ] as const) {
    it(`${what} faults and stops the probe VM only`, async () => {
      const sys = await boot(probe(what.replace(' ', '-'), [LUI_A0_UART1, insn, J_SELF]))
      const vm1 = vmNamed(sys, 'vm1')
      const p = vmNamed(sys, 'probe')
      expect(runUntil(sys, () => hasLine(vm1, 'tick 1'))).toBe('predicate')
      expect(p.state).toBe('faulted')
      expect(p.fault).toMatchObject({ vm: 2, vcpu: 0, pc, addr, cause })
      expect(vm1.state).toBe('running')
      expect(sys.hv.log.lines.filter((l) => l.level === 'ERROR').map((l) => l.text)).toEqual([
        `VM 2 (probe) vCPU 0 ${cause} at 0x${addr.toString(16)} (pc 0x${pc.toString(16)}). Disabling.`,
      ])
    })
  }

  it('once given uart1, the probe reads it (no fault), but cannot execute from it', async () => {
    const read = await boot(probe('owned-load', [LUI_A0_UART1, 0x00554583, J_SELF], { ownsUart1: true }))
    expect(runUntil(read, () => hasLine(vmNamed(read, 'vm1'), 'tick 1'))).toBe('predicate')
    expect(vmNamed(read, 'probe').state).toBe('running')
    const h = read.machine.cpus[vmNamed(read, 'probe').vcpus[0]!.pcpu] as unknown as RiscvHart
    expect(h.x[2 * 11]).toBe(0x60) // a1 = uart1's LSR: THR empty, transmitter idle
    const exec = await boot(probe('owned-jump', [LUI_A0_UART1, 0x00050067, J_SELF], { ownsUart1: true }))
    expect(runUntil(exec, () => vmNamed(exec, 'probe').state !== 'running')).toBe('predicate')
    expect(vmNamed(exec, 'probe').fault).toMatchObject({ addr: 0x1000_1000n, cause: 'illegal instruction fetch' })
  })
})

describe('fault containment in a VM with two vCPUs', () => {
  it('vCPU 1 faults: the report names vCPU 1, and vCPU 0 (spinning) is stopped with it', async () => {
    const img = join(probeDir, 'smp-probe.bin')
    writeFileSync(img, new Uint8Array(new Uint32Array([
      0x004858b7, // lui a7, 0x485
      0x34d88893, // addi a7, a7, 0x34d    a7 = 0x48534d (HSM)
      0x00000813, // li a6, 0              hart_start
      0x00100513, // li a0, 1              hart 1
      0x00000597, // auipc a1, 0
      0x01458593, // addi a1, a1, 20       start address = the code below the spin
      0x00000613, // li a2, 0
      0x00000073, // ecall
      J_SELF, // vCPU 0 spins here
      LUI_A0_UART1, // vCPU 1: lui a0, 0x10001
      0x00554583, // lbu a1, 5(a0)
      J_SELF,
    ]).buffer))
    const cfg = join(probeDir, 'smp-probe.json')
    writeFileSync(cfg, JSON.stringify({
      board: 'qemu-virt-riscv64',
      vms: [{ name: 'probe', cpuNum: 2, image: { path: img, baseAddr: '0x80200000' }, regions: [{ base: '0x80200000', size: '64M' }] }],
    }))
    const sys = await boot(cfg)
    const p = vmNamed(sys, 'probe')
    expect(runUntil(sys, () => p.state !== 'running')).toBe('predicate')
    expect(p.fault).toMatchObject({ vm: 1, vcpu: 1, pc: 0x8020_0028n, addr: 0x1000_1005n, cause: 'illegal load' })
    expect(p.vcpus.map((v) => v.state)).toEqual(['stopped', 'stopped'])
    expect(sys.machine.cpus.map((h) => h.halted)).toEqual([true, true])
    expect(sys.machine.sched.run({ cycles: 1_000_000 })).toBe('halted') // nothing left to run
  })
})

describe('accesses that straddle the end of a VM\'s RAM into the next VM\'s', () => {
  // a0 = 0x84200000 (vm1's first byte) - k, without lui's sign extension
  const a0At = (k: number): number[] => [0x42100537 /* lui a0, 0x42100 */, 0x00151513 /* slli a0, a0, 1 */, (((-k) & 0xfff) << 20 | 0x50513) >>> 0 /* addi a0, a0, -k */]
  const VM1 = 0x8420_0000

  async function run(name: string, words: number[]) {
    const sys = await boot(probe(name, words, { below: true }))
    const vm1 = vmNamed(sys, 'vm1')
    const p = vmNamed(sys, 'probe')
    const h = sys.machine.cpus[p.vcpus[0]!.pcpu] as unknown as RiscvHart
    const vm1Bytes = sys.machine.bus.dump(vm1.gpaToPa(VM1), 16).slice()
    expect(runUntil(sys, () => hasLine(vm1, 'tick 1'))).toBe('predicate')
    expect(p.state).toBe('faulted')
    expect(vm1.state).toBe('running')
    return { sys, vm1, p, h, vm1Bytes }
  }

  it('a misaligned 8-byte load of the last 4 bytes of its RAM and 4 of vm1\'s: faults, reads nothing', async () => {
    const { p, h } = await run('straddle-load', [...a0At(4), 0x00053583 /* ld a1, 0(a0) */, J_SELF])
    expect(p.fault!.cause).toBe('illegal load')
    expect(p.fault!.pc).toBe(0x8020_000cn)
    expect(p.fault!.addr >= BigInt(VM1 - 4) && p.fault!.addr <= BigInt(VM1)).toBe(true)
    // a1 still holds what the vCPU started with (the device-tree address), no byte of vm1's
    expect(BigInt.asUintN(64, (BigInt(h.x[23]!) << 32n) | BigInt(h.x[22]! >>> 0))).toBe(BigInt(p.dtbAddr))
  })

  it('a misaligned 8-byte store across the boundary: faults, vm1\'s bytes untouched', async () => {
    const { sys, vm1, p, vm1Bytes } = await run('straddle-store', [...a0At(4), 0x00b53023 /* sd a1, 0(a0) */, J_SELF])
    expect(p.fault!.cause).toBe('illegal store')
    expect(sys.machine.bus.dump(vm1.gpaToPa(VM1), 16)).toEqual(vm1Bytes)
  })

  it('a 4-byte instruction whose second half would be vm1\'s first halfword: not executed', async () => {
    const { p, h } = await run('straddle-fetch', [
      ...a0At(2),
      0x51300293, // li t0, 0x513 (the low half of an addi a0, ... whose high half is vm1's)
      0x00551023, // sh t0, 0(a0)
      0x0000100f, // fence.i
      0x00050067, // jr a0
    ])
    expect(p.fault!.cause).toBe('illegal instruction fetch')
    expect(p.fault!.pc).toBe(BigInt(VM1 - 2))
    expect(p.fault!.addr >= BigInt(VM1 - 2) && p.fault!.addr <= BigInt(VM1)).toBe(true)
    expect(h.x[20]! >>> 0).toBe(VM1 - 2) // a0 unchanged: the merged addi did not run
  })
})

describe('guest-physical addresses far above RAM', () => {
  for (const [what, shift] of [['8 GiB', 33], ['2^40 (top of Sv39x4)', 40], ['2^41 (beyond Sv39x4)', 41], ['2^63', 63]] as const) {
    it(`a load at ${what}: a fault reported with the full address`, async () => {
      const sys = await boot(probe(`high-${shift}`, [
        0x00100513, // li a0, 1
        (shift << 20 | 0x51513) >>> 0, // slli a0, a0, shift
        0x00054583, // lbu a1, 0(a0)
        J_SELF,
      ]))
      const p = vmNamed(sys, 'probe')
      expect(runUntil(sys, () => p.state !== 'running')).toBe('predicate')
      expect(p.fault).toMatchObject({ cause: 'illegal load', pc: 0x8420_0008n, addr: 1n << BigInt(shift) })
      expect(vmNamed(sys, 'vm1').state).toBe('running')
    })
  }

  it('a load at 2^63 + 0x123: the reported address is exact (beyond 2^53)', async () => {
    const sys = await boot(probe('high-odd', [0x00100513, 0x03f51513 /* slli a0, a0, 63 */, 0x12350513 /* addi a0, a0, 0x123 */, 0x00054583, J_SELF]))
    const p = vmNamed(sys, 'probe')
    expect(runUntil(sys, () => p.state !== 'running')).toBe('predicate')
    expect(p.fault).toMatchObject({ cause: 'illegal load', pc: 0x8420_000cn, addr: (1n << 63n) + 0x123n })
  })

  it('a jump to 2^63: pc and address reported unsigned', async () => {
    const sys = await boot(probe('high-jump', [0x00100513, 0x03f51513 /* slli a0, a0, 63 */, 0x00050067 /* jr a0 */, J_SELF]))
    const p = vmNamed(sys, 'probe')
    expect(runUntil(sys, () => p.state !== 'running')).toBe('predicate')
    expect(p.fault).toMatchObject({ cause: 'illegal instruction fetch', pc: 1n << 63n, addr: 1n << 63n })
    expect(sys.hv.log.lines.find((l) => l.level === 'ERROR')!.text).toBe('VM 2 (probe) vCPU 0 illegal instruction fetch at 0x8000000000000000 (pc 0x8000000000000000). Disabling.')
  })
})

describe('the hypervisor\'s own services do not reach another VM\'s memory', () => {
  /** one SBI call made by `vm`'s vCPU 0 straight into the handler; returns a0 */
  function sbi(sys: BootedSystem, vm: Vm, eid: number, fid: number, args: bigint[]): bigint {
    const v = vm.vcpus[0]!
    const h = sys.machine.cpus[v.pcpu] as unknown as RiscvHart
    const set = (n: number, x: bigint) => h.setReg(n, BigInt.asIntN(64, x))
    args.forEach((a, i) => set(10 + i, a))
    set(16, BigInt(fid))
    set(17, BigInt(eid))
    handleSbi(sys.hv.arch as RiscvHyp, v, h)
    return BigInt.asIntN(64, (BigInt(h.x[21]!) << 32n) | BigInt(h.x[20]! >>> 0))
  }

  it('DBCN write/read and HSM hart_start with vm1\'s addresses, called by vm2: refused, nothing moved', async () => {
    // the two demo VMs at different guest addresses, so that vm1's are not also vm2's
    const sys = await boot(fixture('two-vms-apart.json'))
    const vm1 = vmNamed(sys, 'vm1')
    const vm2 = vmNamed(sys, 'vm2') // no UART: its console is DBCN
    const at = 0x8020_0000 // vm1's image
    const before = sys.machine.bus.dump(vm1.gpaToPa(at), 64).slice()
    vm2.console.send('XYZ')
    expect(sbi(sys, vm2, 0x4442434e, 0, [16n, BigInt(at), 0n])).toBe(-3n) // write from vm1's RAM
    expect(vm2.console.text()).toBe('')
    expect(sbi(sys, vm2, 0x4442434e, 1, [3n, BigInt(at), 0n])).toBe(-3n) // read into vm1's RAM
    expect(sys.machine.bus.dump(vm1.gpaToPa(at), 64)).toEqual(before)
    expect(sbi(sys, vm2, 0x4442434e, 0, [4n, 0x1000_0000n, 0n])).toBe(-3n) // from uart0 (vm1's device)
    expect(sbi(sys, vm2, 0x4442434e, 0, [4n, 0x0c00_0000n, 0n])).toBe(-3n) // from the (v)PLIC
    // a range that starts in vm2's RAM and runs off its end
    const end = 0x8420_0000 + 64 * 2 ** 20
    expect(sbi(sys, vm2, 0x4442434e, 0, [16n, BigInt(end - 8), 0n])).toBe(-3n)
    expect(vm2.console.text()).toBe('')
    // the input is still there for a legitimate read into vm2's own RAM
    expect(sbi(sys, vm2, 0x4442434e, 1, [3n, 0x8500_0000n, 0n])).toBe(0n)
    expect(Array.from(sys.machine.bus.dump(vm2.gpaToPa(0x8500_0000), 3))).toEqual([0x58, 0x59, 0x5a])
    // HSM: hart 0 of vm2 is running; hart 1 does not exist in vm2 (vm1's CPU is not vm2's to start)
    expect(sbi(sys, vm2, 0x48534d, 0, [1n, BigInt(at), 0n])).toBe(-3n)
    expect(sys.machine.cpus.map((h) => h.halted)).toEqual([false, false])
  })
})

describe('the CLI', () => {
  it('run: the ERROR line naming VM 2 comes before vm1\'s ticks, exit 0', async () => {
    const r = await cli(['run', 'test/fixtures/configs/isolation.json', '--until', '\\[vm1\\] tick 3', '--timeout', '30'])
    expect(r.status, tail(r)).toBe(0)
    const out = r.stdout.split('\n')
    const err = out.findIndex((l) => /^\[hyp\] CROSSCONHYP ERROR: VM 2 \(vm2\) vCPU 0 illegal load at 0x80000000 \(pc 0x[0-9a-f]+\)\. Disabling\.$/.test(l))
    expect(err, r.stdout).toBeGreaterThanOrEqual(0)
    expect(out.indexOf('[vm1] tick 3')).toBeGreaterThan(err)
    expect(out.filter((l) => l.startsWith('[vm2] '))).toEqual(['[vm2] scan start'])
  })

  it('run --fail-on-fault: exit 5, the fault on stderr', async () => {
    const r = await cli(['run', 'test/fixtures/configs/isolation.json', '--fail-on-fault', '--timeout', '30'])
    expect(r.status, tail(r)).toBe(5)
    expect(r.stderr).toMatch(/VM vm2 faulted: illegal load at 0x80000000 \(vCPU 0, pc 0x[0-9a-f]+\)/)
    expect(r.stdout).toContain('[hyp] CROSSCONHYP ERROR: VM 2 (vm2)')
    expect(r.stdout).not.toContain('[vm1] tick 1') // stopped at the fault, not later
  })
})
