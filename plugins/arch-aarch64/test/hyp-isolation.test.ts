/**
 * Fault containment and isolation on Armv8, as test/hyp-isolation.test.ts proves it on RISC-V
 * (DESIGN "The hypervisor core" 2; reference §1.4, §10): a probe VM of raw A64 words, next to the
 * demo (guests/aarch64-vm/demo) on another pCPU, touches what is not its own — a device it was not
 * given, the bytes past the end of its RAM where the demo's begin, addresses up to the top of the
 * IPA space, another vCPU's way, a stage-1 map or table pointing outside its stage 2 — and is
 * stopped at that access, reported (VM, vCPU, pc, address, cause, a `CROSSCONHYP ERROR:` line),
 * the access never completed, while the demo ticks on. What the CPU cannot even make an IPA of
 * (beyond the A53's 40 bits) is the guest's own fault at stage 1, as on hardware. PSCI CPU_ON
 * starts a vCPU in the caller's RAM only. On a GICv3, what a VM leaves in its virtual CPU
 * interface (ICV_AP0R0/AP1R0_EL1, its active priorities) is neither the next VM's on its pCPU nor
 * its VM-stack child's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { Workbench } from '../../../core/api.ts'
import { bootConfig, type BootedSystem } from '../../../core/boot.ts'
import type { Vm } from '../../../core/hypervisor/vm.ts'
import { PluginHost } from '../../../core/plugins.ts'
import { EC } from '../exceptions.ts'
import type { A64Cpu } from '../cpu.ts'
import type { A64Hyp } from '../hyp/a64-hyp.ts'
import { serveCall, SMC } from '../hyp/conduits.ts'
import { PSCI } from '../psci.ts'

const here = dirname(fileURLToPath(import.meta.url))
const DEMO = join(here, '..', '..', '..', 'guests', 'images', 'aarch64-vm', 'demo-0x50000000.bin')
/** cycles per ms (qemu-virt-aarch64: 1 GHz) */
const MS = 1_000_000

const dir = mkdtempSync(join(tmpdir(), 'baobab-a64-iso-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const B = (w: number): number => 0x1400_0000 | (w & 0x3ff_ffff)
const B_SELF = B(0) // b .
/** a sync handler at VBAR_EL1 + 0x200: ESR, FAR, ELR in x2..x4, on past the faulting instruction */
const PAST = [
  0xd5385202, // mrs x2, esr_el1
  0xd5386003, // mrs x3, far_el1
  0xd5384024, // mrs x4, elr_el1
  0x91001084, // add x4, x4, #4
  0xd5184024, // msr elr_el1, x4
  0xd69f03e0, // eret
]
/** one that goes back to x30 (for a branch with link to nowhere) */
const BACK = [
  0xd5385202, // mrs x2, esr_el1
  0xd5386003, // mrs x3, far_el1
  0xd518403e, // msr elr_el1, x30
  0xd69f03e0, // eret
]
/** `code` after setting VBAR_EL1 = the image base + 0x800, with `handler` at + 0xa00 */
function image(code: number[], handler: number[]): number[] {
  const out = new Array<number>(0xa00 / 4 + handler.length).fill(0)
  const head = [
    0x10000009, // adr x9, .          (the image base)
    0x91200121, // add x1, x9, #0x800
    0xd518c001, // msr vbar_el1, x1
    0xd5033fdf, // isb
  ]
  ;[...head, ...code].forEach((x, i) => { out[i] = x })
  handler.forEach((x, i) => { out[0xa00 / 4 + i] = x })
  return out
}

interface ProbeOpts {
  /** the probe's RAM (default 0x50000000, 64 MiB: the demo's guest addresses, its own pages) */
  at?: number
  size?: string
  cpus?: number
  devs?: unknown[]
}

/** VM 1 "probe" runs `words` (pCPU 0, or 0-1); VM 2 "vm1" the demo (pCPU 2), its UART and CNTV ticks */
async function boot(name: string, words: number[], opts: ProbeOpts = {}): Promise<BootedSystem & { probe: Vm; vm1: Vm; h: A64Cpu }> {
  const img = join(dir, `${name}.bin`)
  writeFileSync(img, new Uint8Array(new Uint32Array(words).buffer))
  const at = `0x${(opts.at ?? 0x5000_0000).toString(16)}`
  const data = {
    board: 'qemu-virt-aarch64',
    vms: [
      {
        name: 'probe', image: { path: img, baseAddr: at }, cpuNum: opts.cpus ?? 1, cpuAffinity: opts.cpus === 2 ? '0x3' : '0x1',
        regions: [{ base: at, size: opts.size ?? '64M' }], devs: opts.devs ?? [],
      },
      {
        name: 'vm1', image: { path: DEMO, baseAddr: '0x50000000' }, cpuNum: 1, cpuAffinity: '0x4',
        regions: [{ base: '0x50000000', size: '64M' }],
        devs: [{ pa: '0x09000000', va: '0x09000000', size: '0x1000', interrupts: [33] }, { size: 0, interrupts: [27] }],
      },
    ],
  }
  const sys = await bootConfig(join(dir, `${name}.json`), new PluginHost(), { data })
  const probe = sys.hv.vms.find((v) => v.name === 'probe')!, vm1 = sys.hv.vms.find((v) => v.name === 'vm1')!
  return { ...sys, probe, vm1, h: sys.machine.cpus[probe.vcpus[0]!.pcpu] as unknown as A64Cpu }
}

const lines = (vm: Vm): string[] => vm.console.text().split('\n')
const errors = (sys: BootedSystem): string[] => sys.hv.log.lines.filter((l) => l.level === 'ERROR').map((l) => l.text)
const hex = (n: bigint | number): string => `0x${n.toString(16)}`

/** run until the demo has ticked once (the probe has long faulted by then) */
function tick(sys: BootedSystem & { vm1: Vm }): void {
  expect(sys.machine.sched.run({ predicate: () => lines(sys.vm1).includes('tick 1'), cycles: 100 * MS })).toBe('predicate')
  expect(sys.vm1.state).toBe('running')
}

/** the probe stopped at its first access outside its map, reported once, the demo running on */
function expectFault(sys: BootedSystem & { probe: Vm; vm1: Vm; h: A64Cpu }, f: { pc: bigint; addr: bigint; cause: string; vcpu?: number }): void {
  expect(sys.probe.state).toBe('faulted')
  expect(sys.probe.fault).toMatchObject({ vm: 1, vmName: 'probe', vcpu: f.vcpu ?? 0, pc: f.pc, addr: f.addr, cause: f.cause })
  expect(errors(sys)).toEqual([`VM 1 (probe) vCPU ${f.vcpu ?? 0} ${f.cause} at ${hex(f.addr)} (pc ${hex(f.pc)}). Disabling.`])
  expect(sys.probe.vcpus.every((v) => v.state === 'stopped')).toBe(true)
  expect(sys.h.halted).toBe(true)
  expect(sys.vm1.state).toBe('running')
}

const MOV_X0_UART1 = 0xd2a12180 // mov x0, #0x090c0000 (uart1: the board's second PL011, no VM's)
const BASE = 0x5000_0000n

describe('a VM cannot reach a device it was not given (uart1 at 0x090c0000)', () => {
  for (const [what, insn, pc, addr, cause] of [
    ['a load', 0x39406001 /* ldrb w1, [x0, #0x18] */, BASE + 4n, 0x090c_0018n, 'illegal load'],
    ['a store', 0x39000001 /* strb w1, [x0] */, BASE + 4n, 0x090c_0000n, 'illegal store'],
    ['a jump', 0xd61f0000 /* br x0 */, 0x090c_0000n, 0x090c_0000n, 'illegal instruction fetch'],
  ] as const) {
    it(`${what} faults and stops the probe only; the demo ticks on`, async () => {
      const sys = await boot(what.replace(' ', '-'), [MOV_X0_UART1, insn, B_SELF])
      tick(sys)
      expectFault(sys, { pc, addr, cause })
      expect(sys.h.reg(1)).toBe(0n) // a load's register never got the device's byte
    })
  }

  it('given uart1, the probe reads it (no fault) but cannot execute from it (a device window is not executable at stage 2)', async () => {
    const uart1 = [{ pa: '0x090c0000', va: '0x090c0000', size: '0x1000' }]
    const read = await boot('owned-load', [MOV_X0_UART1, 0x39406001 /* ldrb w1, [x0, #0x18] */, B_SELF], { devs: uart1 })
    tick(read)
    expect(read.probe.state).toBe('running')
    expect(read.h.reg(1)).toBe(0x90n) // UARTFR: TXFE | RXFE
    const exec = await boot('owned-jump', [MOV_X0_UART1, 0xd61f0000 /* br x0 */, B_SELF], { devs: uart1 })
    tick(exec)
    expectFault(exec, { pc: 0x090c_0000n, addr: 0x090c_0000n, cause: 'illegal instruction fetch' })
  })
})

describe('fault containment in a VM with two vCPUs', () => {
  it('vCPU 1 (started by PSCI CPU_ON) faults: the report names vCPU 1, and vCPU 0 (spinning) is stopped with it', async () => {
    const sys = await boot('smp', [
      0xd2800060, // mov x0, #0x3
      0xf2b88000, // movk x0, #0xc400, lsl #16        PSCI CPU_ON64
      0xd2800021, // mov x1, #1                       vCPU 1
      0x10000082, // adr x2, +16                      its entry: the code after the spin
      0xd2800003, // mov x3, #0
      0xd4000003, // smc #0
      B_SELF, //     vCPU 0 spins here
      MOV_X0_UART1, // vCPU 1
      0x39400001, // ldrb w1, [x0]
      B_SELF,
    ], { cpus: 2 })
    tick(sys)
    expectFault(sys, { vcpu: 1, pc: BASE + 0x20n, addr: 0x090c_0000n, cause: 'illegal load' })
    expect(sys.h.reg(0)).toBe(0n) // vCPU 0's CPU_ON had succeeded
    expect(sys.probe.vcpus.map((v) => sys.machine.cpus[v.pcpu]!.halted)).toEqual([true, true])
  })
})

describe('accesses that straddle the end of a VM\'s RAM, where the demo\'s pages begin', () => {
  // the probe's RAM is 0x4c000000..0x50000000; the demo's starts at guest address 0x50000000 (its
  // own), and at the very next host page: nothing between them but the stage-2 check
  const MOV_X0_END_4 = [0xd2a9ffe0 /* mov x0, #0x4fff0000 */, 0xf29fff80 /* movk x0, #0xfffc */]
  const AT = 0x4c00_0000

  async function run(name: string, insn: number) {
    const sys = await boot(name, [...MOV_X0_END_4, 0x92800001 /* mov x1, #-1 */, 0x92800002 /* mov x2, #-1 */, insn, B_SELF], { at: AT })
    // the probe's last host page and the demo's first are neighbours
    expect(sys.probe.gpaToPa(0x5000_0000 - 1) + 1).toBe(sys.vm1.gpaToPa(0x5000_0000))
    const first = sys.machine.bus.dump(sys.vm1.gpaToPa(0x5000_0000), 16).slice()
    tick(sys)
    // the fault is in the probe's own space at the demo's guest addresses, which it does not have
    // (which byte of the access FAR names is the CPU's choice: the page is what matters)
    const f = sys.probe.fault!
    expect(f.addr >= 0x5000_0000n && f.addr < 0x5000_0008n).toBe(true)
    expectFault(sys, { pc: BigInt(AT + 16), addr: f.addr, cause: insn === 0xf9400001 || insn === 0x29400801 ? 'illegal load' : 'illegal store' })
    return { sys, first }
  }

  it('an 8-byte load of its last 4 bytes and the demo\'s first 4: faults, loads nothing', async () => {
    const { sys } = await run('straddle-load', 0xf9400001 /* ldr x1, [x0] */)
    expect(sys.h.reg(1)).toBe(-1n)
  })

  it('a pair of 4-byte loads across the boundary: faults, neither register written', async () => {
    const { sys } = await run('straddle-ldp', 0x29400801 /* ldp w1, w2, [x0] */)
    expect([sys.h.reg(1), sys.h.reg(2)]).toEqual([-1n, -1n])
  })

  for (const [what, insn] of [['an 8-byte store', 0xf9000001 /* str x1, [x0] */], ['a pair of 4-byte stores', 0x29000801 /* stp w1, w2, [x0] */]] as const) {
    it(`${what} across the boundary: faults, the demo's bytes untouched (and the demo runs on)`, async () => {
      const { sys, first } = await run(`straddle-${what.split(' ')[2]}`, insn)
      expect(sys.machine.bus.dump(sys.vm1.gpaToPa(0x5000_0000), 16)).toEqual(first)
      expect(lines(sys.vm1)).toContain('tick 1')
    })
  }
})

describe('guest-physical addresses up to the top of the IPA space, and beyond', () => {
  for (const [what, words, addr] of [
    ['4 GiB', [0xd2c00020 /* mov x0, #1 << 32 */], 1n << 32n],
    ['2^40 - 4096 + 0x123 (the last page of a 40-bit IPA space)', [0xd2c01fe0 /* mov x0, #0xff << 32 */, 0xf2bfffe0 /* movk x0, #0xffff, lsl 16 */, 0xf29e2460 /* movk x0, #0xf123 */], (1n << 40n) - 4096n + 0x123n],
  ] as const) {
    it(`a load at ${what}: a stage-2 fault reported with the full address`, async () => {
      const sys = await boot(`high-${addr}`, [...words, 0x39400001 /* ldrb w1, [x0] */, B_SELF])
      tick(sys)
      expectFault(sys, { pc: BASE + BigInt(4 * words.length), addr, cause: 'illegal load' })
    })
  }

  it('a load at 2^40 and a call to 2^63 (no IPA: the A53 has 40 bits): the guest\'s own address size faults at stage 1, nothing reaches EL2', async () => {
    const esr = (x: bigint): [number, number] => [Number(x >> 26n) & 0x3f, Number(x & 0x3fn)]
    const load = await boot('beyond-load', image([
      0xd2c02000, // mov x0, #1 << 40
      0x39400001, // ldrb w1, [x0]           its handler: x2 = ESR, x3 = FAR, on past it
      B_SELF,
    ], PAST))
    tick(load)
    expect(load.probe.state).toBe('running')
    expect(errors(load)).toEqual([])
    expect(esr(load.h.reg(2))).toEqual([EC.DABT_CUR, 0x00]) // DFSC: address size fault, level 0
    expect(load.h.reg(3)).toBe(1n << 40n)
    expect(load.h.reg(4)).toBe(BASE + 0x18n) // ELR + 4: past the load
    const call = await boot('beyond-call', image([
      0xd2f00000, // mov x0, #1 << 63
      0xd63f0000, // blr x0                  its handler: x2 = ESR, x3 = FAR, back to x30
      B_SELF,
    ], BACK))
    tick(call)
    expect(call.probe.state).toBe('running')
    expect(errors(call)).toEqual([])
    expect(esr(call.h.reg(2))).toEqual([EC.IABT_CUR, 0x00])
    expect(BigInt.asUintN(64, call.h.reg(3))).toBe(1n << 63n)
    expect(call.h.pc).toBe(BASE + 0x18n) // back at the spin
  })
})

describe('stage 1 does not get a guest past its stage 2', () => {
  /**
   * MAIR, TCR (T0SZ 25, 4 KiB, EPD1, IPS 40 bits), TTBR0 = base + 0x1000, VBAR, the MMU on; then
   * a store through VA 0x80001000, a load at VA 0x10 and one at VA 0xc0000010
   */
  const CODE = [
    0xd29fe001, // mov x1, #0xff00
    0xd518a201, // msr mair_el1, x1
    0xd286a321, // mov x1, #0x3519
    0xf2a01001, // movk x1, #0x80, lsl #16
    0xf2c00041, // movk x1, #0x2, lsl #32
    0xd5182041, // msr tcr_el1, x1
    0x91400521, // add x1, x9, #0x1000
    0xd5182001, // msr ttbr0_el1, x1
    0xd5033fdf, // isb
    0xd28307a1, // mov x1, #0x183d
    0xf2a018a1, // movk x1, #0xc5, lsl #16
    0xd5181001, // msr sctlr_el1, x1        M, C, I
    0xd5033fdf, // isb
    0xd2b00000, // mov x0, #0x80000000
    0xf2820000, // movk x0, #0x1000
    0xd297dde1, // mov x1, #0xbeef
    0xf2bbd5a1, // movk x1, #0xdead, lsl #16
    0xb9000001, // str w1, [x0]             VA 0x80001000
    0xd2800200, // mov x0, #0x10
    0xf9400005, // ldr x5, [x0]             VA 0x10
    0xd2b80000, // mov x0, #0xc0000000
    0xf9400801, // ldr x1, [x0, #16]        VA 0xc0000010
    B_SELF,
  ]
  /** byte offset of the last load: after image()'s four words */
  const LAST_LOAD = 4 * (4 + 21)

  it('a stage-1 map onto IPAs outside the VM: the stage-2 fault names the IPA, not the VA; an alias of its own RAM reaches its own page only', async () => {
    const sys = await boot('stage1', image(CODE, PAST))
    // L1 at base + 0x1000: [0] VA 0..1 GiB → output 2^40 (beyond the IPA size), [1] identity
    // (its code), [2] → L2 at + 0x2000: VA 0x80000000 → IPA 0x50000000 (its RAM again), [3] VA
    // 0xc0000000 → IPA 0xc0000000 (nothing of its own)
    const L1 = 0x5000_1000, L2 = 0x5000_2000
    const block = (oa: bigint): bigint => oa | 0x705n // Normal, read/write, AF, inner shareable
    const desc = new BigUint64Array(1024)
    desc[0] = block(1n << 40n)
    desc[1] = block(0x4000_0000n)
    desc[2] = BigInt(L2) | 3n
    desc[3] = block(0xc000_0000n)
    desc[512] = block(0x5000_0000n) // L2[0]: a 2 MiB block
    sys.machine.bus.load(sys.probe.gpaToPa(L1), new Uint8Array(desc.buffer))
    const demoPage = sys.machine.bus.dump(sys.vm1.gpaToPa(0x5000_1000), 16).slice()
    tick(sys)
    expectFault(sys, { pc: BASE + BigInt(LAST_LOAD), addr: 0xc000_0010n, cause: 'illegal load' })
    // the alias: its own page at IPA 0x50001000 holds the word; the demo's page at the same IPA does not
    expect(sys.machine.bus.read(sys.probe.gpaToPa(0x5000_1000), 4) >>> 0).toBe(0xdeadbeef)
    expect(sys.machine.bus.dump(sys.vm1.gpaToPa(0x5000_1000), 16)).toEqual(demoPage)
    // VA 0x10 → 2^40: no IPA at all, the guest's own address size fault (level 1)
    expect(Number(sys.h.reg(2) >> 26n) & 0x3f).toBe(EC.DABT_CUR)
    expect(Number(sys.h.reg(2) & 0x3fn)).toBe(0x01)
    expect(sys.h.reg(3)).toBe(0x10n)
  })

  it('TTBR0 at an IPA outside the VM: the table walk is the stage-2 fault, at that page', async () => {
    const sys = await boot('ttbr', [
      0xd2afe001, // mov x1, #0x7f000000
      0xd5182001, // msr ttbr0_el1, x1
      0xd5033fdf, // isb
      0xd28307a1, // mov x1, #0x183d
      0xf2a018a1, // movk x1, #0xc5, lsl #16
      0xd5181001, // msr sctlr_el1, x1       the next fetch walks from 0x7f000000
      0xd5033fdf, // isb
      B_SELF,
    ])
    tick(sys)
    const f = sys.probe.fault!
    // Bao's report: HPFAR_EL2's page (the table's) with FAR_EL2's offset; the fetch that walked
    expect(f.cause).toBe('illegal instruction fetch')
    expect(f.pc).toBe(BASE + 0x18n)
    expect(f.addr & ~0xfffn).toBe(0x7f00_0000n)
    expectFault(sys, { pc: f.pc, addr: f.addr, cause: f.cause })
  })
})

describe('the hypervisor\'s own services do not reach outside the caller', () => {
  it('PSCI CPU_ON with an entry outside the caller\'s RAM (another VM\'s guest address, its own device window, beyond 2^53): INVALID_ADDRESS, nothing started', async () => {
    const sys = await boot('cpu-on', [B_SELF], { cpus: 2, at: 0x4c00_0000, devs: [{ pa: '0x090c0000', va: '0x090c0000', size: '0x1000' }] })
    sys.machine.sched.run({ cycles: 1 * MS })
    const v = sys.probe.vcpus[0]!
    const call = (entry: bigint): bigint => {
      sys.h.setReg(0, BigInt(PSCI.CPU_ON64))
      sys.h.setReg(1, 1n)
      sys.h.setReg(2, entry)
      sys.h.setReg(3, 0n)
      serveCall(sys.hv, v, sys.h, SMC)
      return sys.h.reg(0)
    }
    for (const entry of [0x5000_0000n /* the demo's entry, not the probe's */, 0x090c_0000n, 0x0800_0000n /* its vGIC */, 1n << 60n]) {
      expect(call(entry), hex(entry)).toBe(-9n)
      expect(sys.probe.vcpus[1]!.state).toBe('stopped')
    }
    expect(call(0x4c00_0000n)).toBe(0n) // its own RAM: started
    expect(sys.probe.vcpus[1]!.state).toBe('running')
    expect((sys.hv.arch as A64Hyp).isRam(sys.probe, 0x4fff_fff8n)).toBe(true)
    expect((sys.hv.arch as A64Hyp).isRam(sys.probe, 0x5000_0000n)).toBe(false)
  })
})

describe('a VM\'s virtual CPU interface is its own (GICv3: the ICV_ registers over the pCPU\'s ICH_ ones)', () => {
  /** ICV_AP0R0_EL1 and ICV_AP1R0_EL1 (IHI 0069 §12.3.1-2): the guest's active priorities, group 0 and 1 */
  const AP0R0 = (12 << 7) | (8 << 3) | 4, AP1R0 = (12 << 7) | (9 << 3) // CRn 12, CRm 8 / 9, op2 4 / 0 (op0 3, op1 0)
  const msr = (reg: number, rt: number): number => (0xd5180000 | (reg << 5) | rt) >>> 0
  const mrs = (reg: number, rt: number): number => (0xd5380000 | (reg << 5) | rt) >>> 0
  const writer = (file: string): string => {
    writeFileSync(file, new Uint8Array(new Uint32Array([
      0xd2b00001, // mov x1, #0x80000000
      msr(AP0R0, 1), msr(AP1R0, 1), B_SELF,
    ]).buffer))
    return file
  }
  const gicv3 = (vms: unknown[], features: string[] = []): unknown => ({ board: 'qemu-virt-aarch64-gicv3', features, vms })
  const vm = (name: string, path: string, extra: Record<string, unknown> = {}): Record<string, unknown> =>
    ({ name, image: { path, baseAddr: '0x50000000' }, cpuNum: 1, cpuAffinity: '0x1', regions: [{ base: '0x50000000', size: '16M' }], ...extra })

  it('active priorities a VM leaves on its pCPU are not the next VM\'s there', async () => {
    const readerImg = join(dir, 'v3-reader.bin')
    writeFileSync(readerImg, new Uint8Array(new Uint32Array([mrs(AP0R0, 5), mrs(AP1R0, 6), B_SELF]).buffer))
    const wb = await Workbench.open({ config: join(dir, 'v3-ap.json'), configData: gicv3([vm('a', writer(join(dir, 'v3-writer.bin')))]) })
    wb.machine.sched.run({ cycles: 1 * MS })
    const a = wb.hypervisor!.vms[0]!
    expect(wb.vm('a').regs().x.slice(1, 2)).toEqual([0x8000_0000n])
    wb.hv.destroy('a')
    wb.hv.create({ name: 'b', image: { path: readerImg, baseAddr: '0x50000000' }, cpuNum: 1, cpuAffinity: '0x1', regions: [{ base: '0x50000000', size: '16M' }] })
    const b = wb.hypervisor!.vms.find((v) => v.name === 'b')!
    expect(b.vcpus[0]!.pcpu).toBe(a.vcpus[0]!.pcpu)
    wb.machine.sched.run({ cycles: 1 * MS })
    expect(wb.vm('b').regs().x.slice(5, 7)).toEqual([0n, 0n])
  })

  it('nor do they cross a VM-stack switch: a child sees none of its parent\'s, and its own go when it leaves', async () => {
    const childImg = join(dir, 'v3-child.bin')
    writeFileSync(childImg, new Uint8Array(new Uint32Array([
      mrs(AP0R0, 1), //            x1 = what it finds (its exit code)
      0xd2a80003, // mov x3, #0x40000000
      msr(AP0R0, 3), msr(AP1R0, 3),
      0xd28000a0, // mov x0, #5
      0xf2a00060, // movk x0, #3, lsl #16        VM-stack exit(x1)
      0xd4000002, // hvc #0
      B_SELF,
    ]).buffer))
    const wb = await Workbench.open({ config: join(dir, 'v3-stack.json'), configData: gicv3([vm('parent', writer(join(dir, 'v3-parent.bin')))], ['dynamic-vm']) })
    wb.machine.sched.run({ cycles: 1 * MS })
    const parent = wb.hypervisor!.vms[0]!
    const id = wb.hv.child.create(parent.id, {
      name: 'child', type: 'enclave', entry: '0x58000000', cpuNum: 1, image: { path: childImg, baseAddr: '0x58000000' }, regions: [{ base: '0x58000000', size: '64K' }],
    } as never, { at: 0x5080_0000 })
    expect(wb.hv.child.invoke(parent.id, id, 0)).toEqual({ error: 0n, value: 0n })
    wb.machine.sched.run({ predicate: () => parent.vcpus[0]!.state === 'running', cycles: 1 * MS })
    expect(wb.vm('parent').regs().x.slice(0, 2)).toEqual([0n, 0n]) // exited, having found no active priority
    const icc = (wb.hypervisor!.arch as unknown as { port: { icc: { readSysreg(cpu: number, name: string): bigint } } }).port.icc
    const pcpu = parent.vcpus[0]!.pcpu
    expect([icc.readSysreg(pcpu, 'ICH_AP0R0_EL2'), icc.readSysreg(pcpu, 'ICH_AP1R0_EL2')]).toEqual([0x8000_0000n, 0x8000_0000n])
  })
})
