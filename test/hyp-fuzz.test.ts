/**
 * Fuzzing the SBI / Bao hypercall surface (DESIGN "Bad input": a bad call gets a defined answer,
 * the host never throws). Two ways:
 *  - the fuzz guest (guests/riscv64-vm/fuzz) makes 100,000 ecalls with pseudo-random EID / FID /
 *    a0..a5 from inside a VM and prints a histogram of the results;
 *  - 10^5 random register sets handed straight to the SBI handler (plugins/arch-riscv64/hyp/sbi.ts
 *    handleSbi) on booted systems, checking every result and the registers it must preserve.
 */
import { describe, expect, it } from 'vitest'
import type { BootedSystem } from '../core/boot.ts'
import type { Vcpu } from '../core/hypervisor/vm.ts'
import type { RiscvHart } from '../plugins/arch-riscv64/hart.ts'
import type { RiscvHyp } from '../plugins/arch-riscv64/hyp/riscv-hyp.ts'
import { EID, handleSbi } from '../plugins/arch-riscv64/hyp/sbi.ts'
import { boot, config, fixture, hasLine, MS, runUntil, vmNamed } from './hyp-util.ts'

const CALLS = 100_000
const KNOWN = [EID.LEGACY_PUTCHAR, EID.LEGACY_GETCHAR, EID.BASE, EID.TIME, EID.IPI, EID.RFENCE, EID.HSM, EID.SRST, EID.DBCN, EID.BAO]
const hex = (n: number): string => `0x${n.toString(16)}`

describe('the fuzz guest: 100,000 random ecalls from a VM', () => {
  it('gets a defined SBI/Bao result for every call, registers preserved, and the VM runs on', async () => {
    const sys = await boot(fixture('fuzz.json'))
    const vm = vmNamed(sys, 'fuzz')
    expect(runUntil(sys, () => hasLine(vm, `fuzz done ${CALLS}`) || vm.state !== 'running', 1000)).toBe('predicate')
    const text = vm.console.text()
    const lines = text.split('\n')
    const count = (re: RegExp): number => {
      const l = lines.find((x) => re.test(x))
      expect(l, `a line matching ${re}\n${lines.filter((x) => x.startsWith('fuzz')).join('\n')}`).toBeDefined()
      return Number(re.exec(l!)![1])
    }
    expect(lines).toContain(`fuzz done ${CALLS}`)
    expect(lines.filter((l) => l.startsWith('fuzz other') || l.startsWith('unexpected trap'))).toEqual([])

    // every call answered with 0 or an SBI error code -1..-8 (Bao's -1..-3 among them); legacy
    // getchar's only other defined answer, a typed byte, cannot occur: nothing was typed
    const results = [0, -1, -2, -3, -4, -5, -6, -7, -8].map((r) => count(new RegExp(`^fuzz result ${r} count (\\d+)$`)))
    const bytes = count(/^fuzz result getchar-byte count (\d+)$/)
    expect(count(/^fuzz result other count (\d+)$/)).toBe(0)
    expect(bytes).toBe(0)
    expect(results.reduce((a, b) => a + b, 0) + bytes).toBe(CALLS)
    expect(results[0]).toBeGreaterThan(0)
    expect(results[2]).toBeGreaterThan(CALLS / 3) // half the EIDs are random: not supported
    expect(count(/^fuzz clobbered (\d+)$/)).toBe(0)

    // the calls covered every known extension, and the host agrees with the guest's count of
    // Bao hypercalls
    const perEid = KNOWN.map((e) => count(new RegExp(`^fuzz eid ${hex(e)} calls (\\d+)$`)))
    const random = count(/^fuzz eid random calls (\d+)$/)
    expect(perEid.reduce((a, b) => a + b, 0) + random).toBe(CALLS)
    for (const n of perEid) expect(n).toBeGreaterThan(3000)
    expect(random).toBeGreaterThan(CALLS * 0.45)
    expect(vm.hypercalls).toBe(perEid[KNOWN.indexOf(EID.BAO)])
    expect(vm.exits).toBeGreaterThanOrEqual(CALLS)

    // still running; no fault, no error; the unsupported-extension warning does not flood the log
    expect(vm.state).toBe('running')
    expect(vm.vcpus[0]!.state).toBe('running')
    expect(sys.hv.log.lines.filter((l) => l.level === 'ERROR')).toEqual([])
    const warnings = sys.hv.log.lines.filter((l) => l.level === 'WARNING')
    expect(warnings.length).toBeGreaterThan(0)
    expect(warnings.length).toBeLessThanOrEqual(17)
    expect(runUntil(sys, () => false, 5)).toBe('limit')
    expect(vm.state).toBe('running')
  })
})

/** xorshift32 (Marsaglia 2003, shifts 13, 17, 5): a fixed sequence of 32-bit words */
function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    return s
  }
}

const A0 = 20 // h.x index of a0's low word; aN = x[2(10+N)], x[2(10+N)+1]

interface Stats {
  calls: number
  skipped: number
  byClass: Map<string, number>
}

/**
 * `n` random SBI calls, each from a random running vCPU of the system, straight into handleSbi.
 * With `everything`, calls that stop or suspend the caller (or the VM) are made too; then only
 * "nothing throws" is checked, and the run ends early when no vCPU is left running.
 */
function fuzzHandler(sys: BootedSystem, seed: number, n: number, everything = false): Stats {
  const rnd = xorshift32(seed)
  const hyp = sys.hv.arch as RiscvHyp
  const harts = sys.machine.cpus as unknown as RiscvHart[]
  const stats: Stats = { calls: 0, skipped: 0, byClass: new Map() }
  const regs = new Int32Array(16)
  for (let i = 0; i < n; i++) {
    const live: Vcpu[] = sys.hv.vms.flatMap((vm) => (vm.state === 'running' ? vm.vcpus.filter((v) => v.state === 'running') : []))
    if (!live.length) break
    const v = live[rnd() % live.length]!
    const h = harts[v.pcpu]!
    const ram = v.vm.config.regions[0]!
    // a7 (EID), a6 (FID), a0..a5, as 32-bit halves
    for (;;) {
      const known = (rnd() & 1) === 1
      if (known) { regs[14] = KNOWN[rnd() % KNOWN.length]!; regs[15] = 0 } else { regs[14] = rnd(); regs[15] = rnd() & 1 ? rnd() : 0 }
      if (known && (rnd() & 3)) { regs[12] = rnd() % 8; regs[13] = 0 } else { regs[12] = rnd(); regs[13] = rnd() }
      for (let k = 0; k < 6; k++) {
        const mode = rnd() & 3
        if (mode < 2) { regs[2 * k] = rnd(); regs[2 * k + 1] = rnd() } else if (mode === 2) {
          const small = (rnd() % 5) - 1 // -1..3
          regs[2 * k] = small
          regs[2 * k + 1] = small < 0 ? -1 : 0
        } else { regs[2 * k] = ram.base + (rnd() % 0x10000); regs[2 * k + 1] = 0 } // a pointer into the VM's RAM
      }
      const eid = regs[14]! >>> 0, fid = regs[12]! >>> 0, type = regs[0]! >>> 0
      const stops = (eid === EID.SRST && fid === 0 && (type <= 2 || type >= 0xf0000000)) || (eid === EID.HSM && (fid === 1 || fid === 3))
      if (everything || !stops) break
      stats.skipped++
    }
    for (let k = 0; k < 16; k++) h.x[A0 + k] = regs[k]!
    const eid = regs[14]! >>> 0, fid = regs[12]! >>> 0
    try {
      handleSbi(hyp, v, h)
    } catch (e) {
      const args = Array.from({ length: 8 }, (_, k) => `a${k}=0x${(regs[2 * k + 1]! >>> 0).toString(16)}_${(regs[2 * k]! >>> 0).toString(16)}`)
      throw new Error(`handleSbi threw on call ${i} (VM ${v.vm.name} vCPU ${v.id}, ${args.join(' ')}): ${(e as Error).stack}`)
    }
    stats.calls++
    if (everything) continue

    const legacy = eid === EID.LEGACY_PUTCHAR || eid === EID.LEGACY_GETCHAR
    // a0 (a0 and a1 for the legacy calls) is all a call may change
    for (let k = legacy ? 2 : 4; k < 16; k++) {
      if (h.x[A0 + k] !== regs[k]) throw new Error(`call ${i} (eid ${hex(eid)} fid ${hex(fid)}) changed a${k >> 1}`)
    }
    const lo = h.x[A0]!, hi = h.x[A0 + 1]!
    const a0 = hi === -1 && lo < 0 ? lo : hi === 0 && lo >= 0 ? lo : NaN
    let cls: string
    if (a0 <= 0 && a0 >= -8) cls = String(a0)
    else if (eid === EID.LEGACY_GETCHAR && a0 > 0 && a0 <= 255) cls = 'byte'
    else throw new Error(`call ${i} (eid ${hex(eid)} fid ${hex(fid)}) returned a0 = 0x${(hi >>> 0).toString(16)}_${(lo >>> 0).toString(16)}`)
    stats.byClass.set(cls, (stats.byClass.get(cls) ?? 0) + 1)
  }
  return stats
}

describe('handleSbi with 10^5 random register sets (over three booted systems)', () => {
  for (const [name, ready, input, calls] of [
    ['smp-vm.json', 'echo ready', '', 40_000], // 2 vCPUs: HSM start/status and IPIs across harts
    ['two-vms.json', 'echo ready', 'typed for the DBCN VM\r'.repeat(50), 30_000], // SBI console input: DBCN read, legacy getchar
    ['ipc.json', 'ipc: message 3 from sender', '', 30_000], // Bao IPC notify injects into the other VM
  ] as const) {
    it(`${name}, ${calls} calls: every call gets 0 or -1..-8 (or a typed byte from getchar), a2..a7 kept; nothing throws`, async () => {
      const sys = await boot(config(name))
      const last = sys.hv.vms[sys.hv.vms.length - 1]!
      expect(runUntil(sys, () => hasLine(last, ready))).toBe('predicate')
      for (const vm of sys.hv.vms) if (input) vm.console.send(input)
      const s = fuzzHandler(sys, 0x1234567 + name.length, calls)
      expect(s.calls).toBe(calls)
      expect(s.byClass.get('0')).toBeGreaterThan(0)
      expect(s.byClass.get('-2')).toBeGreaterThan(calls / 3)
      if (input) expect(s.byClass.get('byte')).toBeGreaterThan(0)
      // the machine runs on after all that (guests may be confused by junk, the host is not)
      expect(() => sys.machine.sched.run({ cycles: 5 * MS })).not.toThrow()
    })
  }

  it('including the calls that stop or suspend the caller and shut VMs down: nothing throws', async () => {
    const sys = await boot(config('ipc.json'))
    expect(runUntil(sys, () => hasLine(vmNamed(sys, 'receiver'), 'echo ready'))).toBe('predicate')
    let total = 0
    for (let round = 0; round < 20 && sys.hv.vms.some((v) => v.state === 'running'); round++) {
      total += fuzzHandler(sys, 0xbad + round, 5000, true).calls
      expect(() => sys.machine.sched.run({ cycles: 1 * MS })).not.toThrow()
    }
    expect(total).toBeGreaterThan(0)
    for (const vm of sys.hv.vms) expect(['running', 'stopped', 'faulted']).toContain(vm.state)
  })
})

describe('the legacy range (EIDs 0x00..0x0F, SBI v2.0 ch. 5)', () => {
  it('calls not implemented answer -2 in a0 and keep every other register, a1 included', async () => {
    const sys = await boot(config('two-vms.json'))
    const v = vmNamed(sys, 'vm2').vcpus[0]!
    const h = sys.machine.cpus[v.pcpu] as unknown as RiscvHart
    for (const eid of [0x00, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0f]) { // 0x08 = legacy shutdown: not offered
      const before = Array.from({ length: 8 }, (_, k) => 0x1111_0000n * BigInt(k + 1) + 0x77n)
      before.forEach((x, k) => h.setReg(10 + k, x))
      h.setReg(17, BigInt(eid))
      handleSbi(sys.hv.arch as RiscvHyp, v, h)
      const after = Array.from({ length: 8 }, (_, k) => BigInt.asIntN(64, (BigInt(h.x[2 * (10 + k) + 1]!) << 32n) | BigInt(h.x[2 * (10 + k)]! >>> 0)))
      expect(after[0], `eid ${eid}`).toBe(-2n)
      expect(after.slice(1, 7), `eid ${eid}`).toEqual(before.slice(1, 7))
    }
  })
})
