/**
 * Per-VM TEEs (plugins/feat-tee, reference §3.3) with the smallest guests that exercise the
 * routing: test/fixtures/tee/ holds a trusted OS that answers every call with its request's
 * registers rearranged (so each register's path is visible) and a GPOS that calls OP-TEE #1
 * (its parent TEE), OP-TEE #2 (its child TEE), makes TEE 1 fault, calls it again, and calls an
 * owner nobody serves. The full-size trusted OS and client are guests/riscv64-vm/tee-*.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Workbench } from '../core/api.ts'
import { ConfigErrors, validateConfig } from '../core/hypervisor/config.ts'
import { qemuVirtRiscv64 } from '../plugins/board-qemu-virt-riscv64/qemu-virt-riscv64.ts'

const FIX = join(import.meta.dirname, 'fixtures', 'tee')
const PAIR = join(FIX, 'pair.json')

const hex = (n: bigint): string => BigInt.asUintN(64, n).toString(16).padStart(16, '0')
const line = (...r: bigint[]): string => r.map(hex).join(' ') + ' '

async function runPair(): Promise<Workbench> {
  const wb = await Workbench.open({ config: PAIR })
  wb.run({ ms: 50, until: () => wb.hv.vms().find((v) => v.name === 'gpos')!.state !== 'running' })
  return wb
}

describe('per-VM TEE routing (feat-tee), end to end with real guests', () => {
  it('boots TEE 1, then the GPOS and its TEE 2; each call reaches the right TEE and its CALL_DONE registers come back', async () => {
    const wb = await runPair()
    const out = wb.vm('gpos').console.read().split('\n')
    // OP-TEE #1 (owner 0x32): GPOS a0..a5 <- TEE a1..a6; the TEE saw the id in a6 and a0
    expect(out[0]).toBe(line(42n, 0x32000004n, 0x32000004n, 0x1234n, 0n))
    // OP-TEE #2 (owner 0x12): the GPOS's own child TEE
    expect(out[1]).toBe(line(8n, 0x12000004n, 0x12000004n, 0x1234n, 0n))
    expect(wb.vm('tee1').console.read()).toBe('T')
    expect(wb.vm('tee2').console.read()).toBe('T')
    const vms = wb.hv.vms()
    expect(vms.map((v) => [v.name, v.parent, v.children])).toEqual([['tee1', null, [2]], ['gpos', 1, [3]], ['tee2', 2, []]])
  })

  it('a TEE that faults is disabled alone: the call gets 7, later calls to it 7, calls to the other TEE still work; nothing routes a foreign owner; the RPC return', async () => {
    const wb = await runPair()
    const out = wb.vm('gpos').console.read().split('\n')
    expect(out[2]).toBe(line(7n, 99n, 0n, 0n, 0x55n)) // TEE 1 faulted mid-call: a0 = 7, a1..: the GPOS's own
    expect(out[3]).toBe(line(7n, 1n, 0n, 0n, 0x55n)) // TEE 1 is disabled
    expect(out[4]).toBe(line(-1n, 0n, 0n, 0n, 0x55n)) // owner 0x05: nobody's
    // TEE 2 answers with the foreign-interrupt RPC (its a1 = 0xFFFF0004): only a0..a3 <- its a1..a4,
    // so the GPOS's a4 (0x55) stays, where a CALL_DONE (out[1]) gave it the TEE's a5 (0)
    expect(out[5]).toBe(line(0xffff0004n, 0x12000004n, 0x12000004n, 0x1234n, 0x55n))
    expect(wb.hv.log()).toContain('CROSSCONHYP ERROR: VM 1 performed illegal access. Disabling.')
    const vms = Object.fromEntries(wb.hv.vms().map((v) => [v.name, v.state]))
    expect(vms).toEqual({ tee1: 'faulted', gpos: 'stopped', tee2: 'running' })
  })

  it('is the same on a second run, byte for byte and instruction for instruction', async () => {
    const a = await runPair(), b = await runPair()
    expect(b.vm('gpos').console.read()).toBe(a.vm('gpos').console.read())
    expect(b.stats().instructions).toBe(a.stats().instructions)
    expect(b.hv.log()).toEqual(a.hv.log())
  })

  it('without the feature the TEE extension is not there: the TEE\'s ENTRY_DONE is "not supported" and its GPOS never starts', async () => {
    const plain = { ...(await import(PAIR, { with: { type: 'json' } })).default, features: [] }
    const wb = await Workbench.open({ config: PAIR, configData: plain })
    wb.run(5)
    expect(wb.vm('gpos').console.read()).toBe('')
    expect(wb.hv.log().some((l) => /unsupport sbi extension call \(0x544545\)/.test(l))).toBe(true)
  })
})

describe('per-VM TEE config shapes', () => {
  const vm = (name: string, type: string, base: number, extra: object = {}) => ({
    name, type, entry: base, cpuNum: 1, regions: [{ base, size: 0x100000 }], ...extra,
  })
  const check = (vms: object[]): string[] => {
    try {
      validateConfig({ board: 'qemu-virt-riscv64', vms }, { baseDir: FIX, board: qemuVirtRiscv64 })
      return []
    } catch (e) {
      if (e instanceof ConfigErrors) return e.errors.map((x) => `${x.path}: ${x.rule}`)
      throw e
    }
  }
  const root = (children: object[], extra: object = {}) => vm('tee', 'tee-parent', 0xb0000000, { image: { path: 'tee1.bin', baseAddr: 0xb0000000 }, children, ...extra })

  it('accepts CROSSCON\'s shapes: TEE -> GPOS, and TEE -> GPOS -> TEE', () => {
    expect(check([root([vm('g', 'gpos', 0x91000000)])])).toEqual([])
    expect(check([root([vm('g', 'gpos', 0x91000000, { children: [vm('t2', 'tee-child', 0xb1000000)] })])])).toEqual([])
  })

  it('refuses a TEE with no GPOS, two child TEEs, CPU counts that differ, and TEEs in the wrong place', () => {
    expect(check([root([])])).toEqual(['vms[0].children: a tee-parent needs its GPOS among its children (type gpos)'])
    expect(check([root([vm('g', 'gpos', 0x91000000, { children: [vm('a', 'tee-child', 0xb1000000), vm('b', 'tee-child', 0xb2000000)] })])]))
      .toEqual(['vms[0].children[0].children[1].type: a GPOS has at most one tee-child (children[0] is one)'])
    expect(check([root([vm('g', 'gpos', 0x91000000, { cpuNum: 2 })], { cpuNum: 2 })])).toEqual([])
    expect(check([root([vm('g', 'gpos', 0x91000000)], { cpuNum: 2 })]))
      .toEqual(["vms[0].children[0].cpuNum: a GPOS runs on its TEE's CPUs: 1 CPUs here, the TEE has 2"])
    expect(check([vm('g', 'gpos', 0x91000000, { image: { path: 'gpos.bin', baseAddr: 0x91000000 }, children: [vm('t', 'tee-parent', 0xb0000000, { children: [vm('h', 'gpos', 0x92000000)] })] })]))
      .toEqual(['vms[0].children[0].type: a tee-parent is a root VM (its GPOS is its child), not a child of vms[0]'])
    expect(check([vm('t', 'tee-child', 0xb0000000, { image: { path: 'tee1.bin', baseAddr: 0xb0000000 } })]))
      .toEqual(['vms[0].type: a tee-child is the child of a GPOS VM'])
  })
})

describe("CROSSCON's demo device windows", () => {
  it('a 64 KiB window around the 256-byte UART is accepted: the UART works, the rest reads as zero and ignores writes, logged once', async () => {
    const file = join(import.meta.dirname, '..', 'configs', 'two-vms.json')
    const data = (await import(file, { with: { type: 'json' } })).default as { vms: { devs?: { size: string }[] }[] }
    const wide = structuredClone(data)
    wide.vms[0]!.devs![0]!.size = '0x10000'
    const wb = await Workbench.open({ config: file, configData: wide })
    expect(wb.vm('vm1').console.waitFor('tick 1', { ms: 100 })).toBe(true) // the UART still prints
    const vm1 = wb.hypervisor!.vms.find((v) => v.name === 'vm1')!
    // 0x10000000 and 0x10001000 are the board's two UARTs (CROSSCON's second one); then nothing
    expect(vm1.stage2.lookup(0x10001000)!.kind).toBe('device')
    const gap = vm1.stage2.lookup(0x10002000)!
    expect(gap.kind).toBe('emulated')
    expect([gap.gpa, gap.size]).toEqual([0x10002000, 0xe000])
    gap.handler!.write(0x40, 4, 0xdeadbeef)
    expect(gap.handler!.read(0x40, 4)).toBe(0)
    expect(wb.hv.log().filter((l) => /has no device: reads as zero/.test(l))).toEqual([
      'CROSSCONHYP WARNING: VM 1 MMIO window at 0x10002000 size 0xe000 has no device: reads as zero, writes ignored',
    ])
  })

  it('a window with no device in it at all is still a config error', () => {
    const vms = [{ name: 'v', image: { path: 'gpos.bin', baseAddr: 0x91600000 }, cpuNum: 1, regions: [{ base: 0x91600000, size: 0x100000 }], devs: [{ pa: 0x3000_0000, va: 0x3000_0000, size: 0x1000 }] }]
    expect(() => validateConfig({ board: 'qemu-virt-riscv64', vms }, { baseDir: FIX, board: qemuVirtRiscv64 })).toThrow(/is not a device of board qemu-virt-riscv64/)
  })
})
