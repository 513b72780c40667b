/**
 * Random HVC and SMC calls on Armv8 (DESIGN "Bad input"; the RISC-V counterpart is
 * test/hyp-fuzz.test.ts): 10^5 calls from a guest with random x0..x7, x0 biased towards the
 * function ids that reach real handlers — Bao's hypercalls and the VM-stack over HVC
 * (hyp/conduits.ts), PSCI (hyp/vpsci.ts) and OP-TEE's owners over SMC — made by a GPOS VM with
 * its trusted OS, dynamic VMs and an IPC, the demo VM beside it. Each call's x0 is the SMCCC /
 * Bao / PSCI / OP-TEE answer worked out from the specifications; registers the calls must keep
 * come back; the calls that stop or reboot the caller stop or reboot it alone. The guest is
 * plugins/arch-aarch64/test/images/hyp/fuzz.S (CALLS), the records are the test's.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { HvVmConfig } from '../core/hypervisor/config.ts'
import { HC_E_INVAL_ARGS, HC_E_INVAL_ID } from '../core/hypervisor/hypervisor.ts'
import { VMSTACK_FN } from '../core/hypervisor/vmstack.ts'
import { PSCI } from '../plugins/arch-aarch64/psci.ts'
import {
  BASE, bootData, counts, demoWatch, drive, type GuestMem, hostRanges, hypGicActive, IMAGES, MODE_CALLS, O, setup, sum, twoVms,
  u64s, vmMem, watchAccesses, xorshift32,
} from './aarch64-fuzz-util.ts'
import { hasLine, vmNamed } from './hyp-util.ts'

// ---- random HVC and SMC calls ----

const HVC = 0, SMC = 1
/** Bao's hypercalls over HVC: IPC notify (SMCCC form and bare), the VM-stack class 3, CROSSCON's bare sdSGX ids (PSCI over HVC is one) */
const BAO_IDS = [0x86000001, 1, ...Object.values(VMSTACK_FN).map((f) => (3 << 16) | f), 0, 2, 4, 8, 0x84000000, 0x86000008]
/** PSCI over SMC (vpsci.ts) that leaves the caller running, and ids it does not serve */
const PSCI_IDS = [PSCI.VERSION, PSCI.CPU_SUSPEND, PSCI.CPU_SUSPEND64, PSCI.CPU_ON, PSCI.CPU_ON64, PSCI.AFFINITY_INFO, PSCI.AFFINITY_INFO64,
  PSCI.MIGRATE_INFO_TYPE, PSCI.FEATURES, 0x84000005, 0x84000007, 0x8400000b, 0x84000012, 0xc4000012]
/** PSCI calls that stop or restart the caller */
const STOPS = [PSCI.CPU_OFF, PSCI.SYSTEM_OFF, PSCI.SYSTEM_RESET]
/** OP-TEE's ids (TEE #1 at owners 0x32/0x3F/0x3E, TEE #2 at 0x12/0x1F/0x1E) */
const TEE_IDS = [0xbf00ff01, 0x32000004, 0xb2000000, 0xb2000009, 0xbe000000, 0xbe000005, 0x9f00ff01, 0x12000004, 0x9e000005]
const UID0 = 0x384fb3e0n

interface CallRecord { conduit: number; x: bigint[] }

/**
 * `n` call records: half HVC, half SMC; x0 a known id half of the time (Bao's, PSCI's, OP-TEE's,
 * a random function of a TEE owner), else random 32- or 64-bit; x1..x7 random, small (-1..3) or
 * a pointer into the caller's scratch MiB. A call that would stop the caller is made with
 * probability `stops` and drawn again otherwise.
 */
function callRecords(rnd: () => number, n: number, stops = 0): { records: CallRecord[]; bytes: Uint8Array; skipped: number } {
  const records: CallRecord[] = []
  const out = new BigUint64Array(16 * n)
  let skipped = 0
  const pick = <T>(a: readonly T[]): T => a[rnd() % a.length]!
  const r64 = (): bigint => (BigInt(rnd()) << 32n) | BigInt(rnd())
  while (records.length < n) {
    const conduit = rnd() & 1
    let x0: bigint
    if (rnd() & 1) {
      const k = rnd() % 4
      x0 = BigInt(conduit === HVC ? pick(BAO_IDS)
        : k < 2 ? pick([...PSCI_IDS, ...STOPS])
        : k === 2 ? pick(TEE_IDS)
        : ((((0x32 + (rnd() % 14)) | (rnd() & 0x80)) << 24) | (rnd() & 0xffff)) >>> 0)
    } else x0 = rnd() & 1 ? BigInt(rnd()) : r64()
    if (conduit === SMC && (STOPS as number[]).includes(Number(x0 & 0xffffffffn)) && rnd() / 2 ** 32 >= stops) { skipped++; continue }
    const x = [x0]
    for (let k = 1; k < 8; k++) {
      const mode = rnd() & 3
      x.push(mode < 2 ? r64() : mode === 2 ? BigInt.asUintN(64, BigInt((rnd() % 5) - 1)) : BigInt(BASE + O.SCRATCH + (rnd() % 0x10_0000)))
    }
    const i = records.length
    records.push({ conduit, x })
    x.forEach((v, k) => { out[16 * i + k] = v })
    out[16 * i + 8] = BigInt(conduit)
  }
  return { records, bytes: new Uint8Array(out.buffer), skipped }
}

const stopsCaller = (r: CallRecord): boolean => r.conduit === SMC && (STOPS as number[]).includes(Number(r.x[0]! & 0xffffffffn))

/** the PSCI functions FEATURES reports (vpsci.ts) */
const PSCI_FEATURES = new Set<number>([PSCI.VERSION, PSCI.CPU_OFF, PSCI.CPU_SUSPEND, PSCI.CPU_SUSPEND64, PSCI.CPU_ON, PSCI.CPU_ON64,
  PSCI.AFFINITY_INFO, PSCI.AFFINITY_INFO64, PSCI.FEATURES, PSCI.MIGRATE_INFO_TYPE, PSCI.SYSTEM_OFF, PSCI.SYSTEM_RESET])

/** the caller: one running vCPU; with its OP-TEE (the toy of guest.S) or none; its IPCs */
interface Caller { tee: boolean; ipcs: number }

/**
 * What x0 must hold after call `r` from a one-vCPU VM, worked out from the specifications, not
 * from the handlers: a class for the histogram and the value. HVC: Bao's hypercall `class << 16 |
 * id` (x0[23:0]) — class 0 id 1 IPC notify, class 3 the VM-stack and so class 0's other ids
 * (CROSSCON reads x0 & 0xFFFF, reference §3.2: bare create takes its blob from x2), anything else invalid id; SMC:
 * the SMCCC owner x0[29:24] — 4 PSCI (DEN 0022), 0x32-0x3F the GPOS's OP-TEE #1, 0x12-0x1F its
 * OP-TEE #2 (it has none), any other NOT_SUPPORTED.
 */
function expected(r: CallRecord, me: Caller): { what: string; x0: bigint } {
  const [x0, x1, x2] = r.x as [bigint, bigint, bigint]
  const low = Number(x0 & 0xffffffffn)
  if (r.conduit === HVC) {
    const fn = low & 0xffffff, cls = fn >>> 16, id = fn & 0xffff
    if (cls === 3 || (cls === 0 && id !== 1)) {
      // no child exists (no blob is ever valid): create's blob is not one, every id is unknown; info answers
      if (id === VMSTACK_FN.INFO) return { what: 'vmstack info', x0: 0n }
      if (id === VMSTACK_FN.CREATE) return { what: 'vmstack create', x0: BigInt(HC_E_INVAL_ARGS) }
      return { what: 'vmstack other', x0: BigInt(HC_E_INVAL_ID) }
    }
    if (fn === 1) return x1 < BigInt(me.ipcs) ? { what: 'ipc notify', x0: 0n } : { what: 'ipc bad', x0: BigInt(HC_E_INVAL_ARGS) }
    return { what: 'hvc unknown', x0: BigInt(HC_E_INVAL_ID) }
  }
  const owner = (low >>> 24) & 0x3f
  const u = (v: bigint): bigint => BigInt.asUintN(64, v)
  if (owner === 4) {
    switch (low) {
      case PSCI.VERSION: return { what: 'psci version', x0: 0x10001n }
      case PSCI.MIGRATE_INFO_TYPE: return { what: 'psci migrate-info', x0: 2n }
      case PSCI.FEATURES: return { what: 'psci features', x0: PSCI_FEATURES.has(Number(x1 & 0xffffffffn)) ? 0n : u(-1n) }
      case PSCI.CPU_SUSPEND: case PSCI.CPU_SUSPEND64: return { what: 'psci suspend', x0: 0n }
      // its only vCPU (Aff0 0) is on: ALREADY_ON; any other target: INVALID_PARAMETERS
      case PSCI.CPU_ON: case PSCI.CPU_ON64: return { what: 'psci cpu-on', x0: (x1 & 0xffffffn) === 0n ? u(-4n) : u(-2n) }
      case PSCI.AFFINITY_INFO: case PSCI.AFFINITY_INFO64:
        return { what: 'psci affinity', x0: (x1 & 0xffffffn) === 0n && x2 === 0n ? 0n : u(-2n) }
    }
    return { what: 'psci unknown', x0: u(-1n) }
  }
  if (owner >= 0x32 && owner <= 0x3f) {
    if (!me.tee) return { what: 'tee none', x0: u(-1n) }
    // the toy OP-TEE answers in its x1..x6: the UID, OK (or the RPC for 0xffff0003), UNKNOWN_FUNCTION
    if (low === 0xbf00ff01) return { what: 'tee uid', x0: UID0 }
    if (low === 0x32000004) return { what: 'tee std', x0: x1 === 0xffff0003n ? 0xffff0004n : 0n }
    return { what: 'tee unknown', x0: 0xffffffffn }
  }
  if (owner >= 0x12 && owner <= 0x1f) return { what: 'tee2 none', x0: u(-1n) }
  return { what: 'smc none', x0: u(-1n) }
}

/** every call made: its x0 against `expected` (the first few that differ listed), and a histogram of what they were */
function results(mem: GuestMem, records: CallRecord[], me: Caller, made: (i: number) => boolean): { hist: Map<string, number>; bad: string[] } {
  const res = u64s(mem.read(BASE + O.RESULTS, 64 * records.length))
  const hist = new Map<string, number>()
  const bad: string[] = []
  records.forEach((r, i) => {
    if (!made(i)) return
    const e = expected(r, me)
    hist.set(e.what, (hist.get(e.what) ?? 0) + 1)
    // the OP-TEE's standard call: x1 + x2, and the request's x6 and function id, came back in x1..x3 too
    const more = e.what === 'tee std' && e.x0 === 0n ? [BigInt.asUintN(64, r.x[1]! + r.x[2]!), r.x[6]!, r.x[0]!] : []
    const got = res.slice(8 * i, 8 * i + 1 + more.length)
    if ((got[0] !== BigInt.asUintN(64, e.x0) || more.some((v, k) => got[k + 1] !== v)) && bad.length < 10) {
      bad.push(`call ${i} ${r.conduit === HVC ? 'hvc' : 'smc'} x0..x7 ${r.x.map((v) => v.toString(16)).join(' ')}: ${e.what}, x0 ${e.x0.toString(16)} ${more.map((v) => v.toString(16)).join(' ')}; got ${got.map((v) => v.toString(16)).join(' ')}`)
    }
  })
  return { hist, bad }
}

describe('random HVC and SMC calls from a VM', () => {
  it('10^5 from a GPOS with its OP-TEE, dynamic VMs and an IPC: each gets an SMCCC / Bao / PSCI / OP-TEE answer in x0, x9..x17 come back, both VMs run on; the demo too', async () => {
    const N = 100_000
    const data = twoVms()
    data.features = ['tee', 'dynamic-vm']
    data.shmem = [{ size: '64K' }]
    const { cpuAffinity: _, ...fuzzVm } = data.vms[0]!
    data.vms[0] = {
      name: 'optee', type: 'tee-parent', image: { path: join(IMAGES, 'optee.bin'), baseAddr: '0x60000000' }, cpuNum: 1, cpuAffinity: '0x1',
      regions: [{ base: '0x60000000', size: '1M' }], devs: [{ va: '0x09000000', size: '0x1000', emulate: 'pl011' }],
      children: [{ ...fuzzVm, type: 'gpos', entry: '0x50000000', ipcs: [{ base: '0xf0000000', size: '64K', shmemId: 0, interrupts: [52] }] }],
    }
    const sys = await bootData(data)
    const m = sys.machine
    const fuzz = vmNamed(sys, 'fuzz'), demo = vmNamed(sys, 'demo'), optee = vmNamed(sys, 'optee')
    const mem = vmMem(m, () => fuzz)
    const { records, bytes, skipped } = callRecords(xorshift32(0xca11_5eed), N)
    setup(mem, MODE_CALLS, N)
    mem.write(BASE + O.AREA, bytes)
    const both = [hostRanges(() => fuzz), hostRanges(() => optee)]
    const acc = watchAccesses(m, fuzz.vcpus[0]!.pcpu, () => [...both[0]!(), ...both[1]!()], hypGicActive(sys))
    const watch = demoWatch(demo, () => counts(mem).cur > 0 && !counts(mem).done)
    drive(sys, watch, () => counts(mem).done && hasLine(demo, 'echo: c'), 100)
    acc.stop()
    const c = counts(mem)
    expect(c.done).toBe(true)
    expect(c.clobbered).toBe(0)
    expect(skipped).toBeGreaterThan(0)
    const { hist, bad } = results(mem, records, { tee: true, ipcs: 1 }, () => true)
    expect(bad).toEqual([])
    // every handler was reached, most of them hundreds of times
    expect([...hist.keys()].sort()).toEqual(['hvc unknown', 'ipc bad', 'ipc notify', 'psci affinity', 'psci cpu-on', 'psci features', 'psci migrate-info', 'psci suspend',
      'psci unknown', 'psci version', 'smc none', 'tee std', 'tee uid', 'tee unknown', 'tee2 none', 'vmstack create', 'vmstack info', 'vmstack other'])
    expect(Math.min(...hist.values())).toBeGreaterThan(50)
    expect(fuzz.state).toBe('running')
    expect(optee.state).toBe('running')
    expect(fuzz.console.text()).toBe('fuzz start\nfuzz done\n')
    expect(sys.hv.log.lines.filter((l) => l.level === 'ERROR')).toEqual([])
    expect(acc.outside).toEqual([])
    watch.check(1)
  })

  it('with the calls that stop or restart the caller (CPU_OFF, SYSTEM_OFF, SYSTEM_RESET): each stops it, with its log line, or reboots it; restarted, it goes on; the demo runs on', async () => {
    const N = 20_000
    const data = twoVms()
    data.features = ['dynamic-vm']
    const sys = await bootData(data)
    const m = sys.machine
    let fuzz = vmNamed(sys, 'fuzz')
    const demo = vmNamed(sys, 'demo')
    const config: HvVmConfig = structuredClone(fuzz.config)
    const mem = vmMem(m, () => fuzz)
    const { records, bytes } = callRecords(xorshift32(0x570b_5eed), N, 1 / 20)
    const fnOf = (i: number): number => Number(records[i]!.x[0]! & 0xffffffffn)
    setup(mem, MODE_CALLS, N)
    mem.write(BASE + O.AREA, bytes)
    const log: string[] = []
    sys.hv.log.onLine((l) => { if (l.level !== 'INFO' || / (shut down|rebooting)$/.test(l.text)) log.push(`${l.level} ${l.text}`) })
    const watch = demoWatch(demo, () => counts(mem).cur > 0 && !counts(mem).done)
    const stopped: { call: number; fn: number }[] = []
    const hist = new Map<string, number>()
    const bad: string[] = []
    /** the answers of calls [from, to) of this VM (a call that stopped or rebooted it has none) */
    const check = (from: number, to: number): void => {
      const r = results(mem, records, { tee: false, ipcs: 0 }, (i) => i >= from && i < to && !stopsCaller(records[i]!))
      for (const [k, n] of r.hist) hist.set(k, (hist.get(k) ?? 0) + n)
      bad.push(...r.bad)
    }
    let from = 0
    for (let guard = 0; guard < 200 && !counts(mem).done; guard++) {
      const off = (): boolean => fuzz.vcpus[0]!.state !== 'running' && fnOf(counts(mem).cur - 1) !== PSCI.SYSTEM_RESET
      drive(sys, watch, () => counts(mem).done || fuzz.state !== 'running' || off(), 20)
      if (counts(mem).done) break
      const at = counts(mem).cur - 1 // the call it made last
      if (fuzz.state === 'stopped') {
        expect(fnOf(at)).toBe(PSCI.SYSTEM_OFF)
        expect(log.at(-1)).toBe(`INFO VM ${fuzz.id} (fuzz) shut down`)
      } else {
        expect(fuzz.state).toBe('running')
        expect(fnOf(at)).toBe(PSCI.CPU_OFF) // its only vCPU is off; the VM is there (AFFINITY_INFO would say OFF)
        expect(fuzz.vcpus[0]!.state).toBe('stopped')
      }
      expect(m.cpus[fuzz.vcpus[0]!.pcpu]!.halted).toBe(true)
      stopped.push({ call: at, fn: fnOf(at) })
      check(from, at)
      // a fresh VM from the same config, at the next call
      sys.hv.destroyVm(fuzz)
      fuzz = sys.hv.createVmAtRuntime(structuredClone(config))
      setup(mem, MODE_CALLS, N, at + 1)
      mem.write(BASE + O.AREA, bytes)
      from = at + 1
    }
    expect(counts(mem).done).toBe(true)
    drive(sys, watch, () => hasLine(demo, 'echo: a'), 100)
    check(from, N)
    expect(bad).toEqual([])
    // every stopping call made: CPU_OFF and SYSTEM_OFF stopped it, SYSTEM_RESET rebooted it in
    // place (the image again, the rest of its RAM as it was: the runtime went on with the next call)
    const stops = records.map((r, i) => (stopsCaller(r) ? i : -1)).filter((i) => i >= 0)
    const resets = stops.filter((i) => fnOf(i) === PSCI.SYSTEM_RESET)
    expect(stopped.map((s) => s.call)).toEqual(stops.filter((i) => fnOf(i) !== PSCI.SYSTEM_RESET))
    expect(stopped.length).toBeGreaterThan(3)
    expect(resets.length).toBeGreaterThan(3)
    expect(log.filter((l) => / rebooting$/.test(l)).length).toBe(resets.length)
    expect(sum([...hist.values()])).toBe(N - stops.length)
    expect(log.filter((l) => !l.startsWith('INFO'))).toEqual([])
    watch.check(1)
  })
})
