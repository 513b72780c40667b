/**
 * Per-VM TEEs on Armv8 (plugins/feat-tee over hyp/conduits.ts' SMC, reference §3.3), end to end
 * with assembly guests (test/images/hyp/guest.S): OPTEE, a trusted OS as CROSSCON's OP-TEE port
 * behaves (ENTRY_DONE by SMC, then each return SMC comes back holding the GPOS's request in
 * x0..x6: CALLS_UID, a toy CALL_WITH_ARG answering x1 + x2, UNKNOWN_FUNCTION otherwise, each
 * with CALL_DONE; x5 = how many requests it has served), built again with -DOPTEE2 for OP-TEE #2
 * (owner 0x12, returns 0x9E…); and GPOS, its client, which prints each call's x0..x4, then idles.
 * Configs (test/configs/tee.json, dual-tee.json, per-vm-tee.json) are CROSSCON's shapes.
 * The RISC-V counterparts are test/tee-routing.test.ts and test/tee-demos.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readFileSync } from 'node:fs'
import { Workbench } from '../../../core/api.ts'
import type { Vcpu, Vm } from '../../../core/hypervisor/vm.ts'
import { restoreMachine, snapshotMachine } from '../../../core/session/snapshot.ts'
import type { A64Cpu } from '../cpu.ts'
import { GUEST_HCR, type A64Hyp } from '../hyp/a64-hyp.ts'
import { SR } from '../sysreg-defs.ts'

const here = dirname(fileURLToPath(import.meta.url))
const cfg = (name: string): string => join(here, 'configs', `${name}.json`)

/** `SMC #0` (Arm ARM C6.2.305) */
const SMC0 = 0xd4000003
const ENTRY_DONE = 0xbe000000n, CALL_DONE = 0xbe000005n

const hex = (n: bigint): string => BigInt.asUintN(64, n).toString(16).padStart(16, '0')
const regs = (...r: bigint[]): string => r.map(hex).join(' ')
const UID = 'uid 384fb3e0 e7f811e3 af630002 a5d5c51b'

/** what the GPOS prints with one type-1 TEE (tee.json, each pair of per-vm-tee.json) */
const WITH_TEE1 = [
  'hello from gpos',
  UID, // OPTEE_SMC_CALLS_UID (0xBF00FF01): the OP-TEE UID words in x0..x3
  `std ${regs(0n, 42n, 0x66n, 0x32000004n, 2n)}`, // CALL_WITH_ARG: OK, 40 + 2, its x6, the id it saw, its 2nd request
  'uid2 ffffffff 00000000 00000000 00000000', // owner 0x12 with no child TEE: x0 = -1
  `std2 ${regs(-1n, 7n, 8n, 0n, 0x55n)}`, // ... and the GPOS's other registers as they were
  `rpc ${regs(0xffff0004n, 0xffff0005n, 0x66n, 0x32000004n, 0x55n)}`, // foreign-interrupt RPC: x0..x3 only, x4 stays
  `unknown ${regs(0xffffffffn, 0n, 0n, 0n, 4n)}`, // OPTEE_SMC_RETURN_UNKNOWN_FUNCTION from the TEE
  `no-owner ${regs(-1n, 0n, 0n, 0n, 0x55n)}`, // SMCCC owner 5: nothing serves it
  `fault ${regs(7n, 99n, 0n, 0n, 0x55n)}`, // the TEE faulted serving it: 7, the rest the GPOS's own
  `disabled ${regs(7n, 0n, 0n, 0n, 0x55n)}`, // the TEE is disabled
  `std2 ${regs(-1n, 1n, 2n, 0n, 0x55n)}`,
  'done',
  '',
]

/** with OP-TEE #2 as the GPOS's child (dual-tee.json): its own answers and its own count */
const WITH_TEE2 = WITH_TEE1.map((l, i) =>
  i === 3 ? UID.replace('uid', 'uid2')
  : i === 4 ? `std2 ${regs(0n, 15n, 0x99n, 0x12000004n, 2n)}`
  : i === 10 ? `std2 ${regs(0n, 3n, 0x99n, 0x12000004n, 3n)}` // TEE 2 answers on after TEE 1 was disabled
  : l)

const open = (name: string, configData?: unknown): Promise<Workbench> =>
  Workbench.open({ config: cfg(name), ...(configData ? { configData } : {}) })

function vmOf(wb: Workbench, name: string): Vm {
  const vm = wb.hypervisor!.vms.find((v) => v.name === name)
  if (!vm) throw new Error(`no VM ${name}`)
  return vm
}
const vcpuOf = (wb: Workbench, name: string): Vcpu => vmOf(wb, name).vcpus[0]!
const hyp = (wb: Workbench): A64Hyp => wb.hypervisor!.arch as A64Hyp

/** run until every GPOS has printed its last line */
function runToEnd(wb: Workbench): void {
  const gposes = wb.hypervisor!.vms.filter((v) => v.config.type === 0)
  wb.run({ ms: 50, until: () => gposes.every((v) => v.console.text().endsWith('done\n')) })
}

/** one instruction per hart at a time until `cond` holds (run() checks its condition once a quantum) */
function stepUntil(wb: Workbench, cond: () => boolean, max = 100_000): void {
  for (let i = 0; i < max && !cond(); i++) wb.step()
  expect(cond()).toBe(true)
}

/** every vCPU switch on the pCPUs: `from>to` and the x0 the leaving vCPU held (the call or return that switched) */
function watchVcpuSwitches(wb: Workbench): string[] {
  const h = hyp(wb), seen: string[] = []
  const sw = h.switchVcpu.bind(h)
  h.switchVcpu = (pcpu, from, to) => {
    seen.push(`${from?.vm.name ?? '-'}>${to.vm.name} ${from ? h.regs(from).x[0]!.toString(16) : ''}`)
    sw(pcpu, from, to)
  }
  return seen
}

/** the instruction word at `pc - 4` in `vm`'s memory */
function before(wb: Workbench, vm: string, pc: bigint): number {
  return new DataView(wb.vm(vm).mem.read(Number(pc) - 4, 4).buffer).getUint32(0, true)
}

interface TeeSwitch { tee: string; masked: boolean; teePc: bigint; teeX: bigint[]; gposPc: bigint; hartUnchanged: boolean; hcr: number }

/** every entry into a TEE and return from it, as the feature's maskExternalIrqs calls: both sides' registers then, and whether the hart changed */
function watchTeeSwitches(wb: Workbench): TeeSwitch[] {
  const h = hyp(wb), seen: TeeSwitch[] = []
  const mask = h.maskExternalIrqs.bind(h)
  h.maskExternalIrqs = (v, masked) => {
    const hart = wb.machine.cpus[v.pcpu] as unknown as A64Cpu
    const sys = hart.sys.slice(), st = hart.st.slice()
    mask(v, masked)
    const gpos = wb.hypervisor!.vms.find((g) => g.config.type === 0 && g.vcpus[0]!.pcpu === v.pcpu)!
    const t = h.regs(v)
    seen.push({
      tee: v.vm.name, masked, teePc: t.pc, teeX: t.x.slice(0, 7), gposPc: h.regs(gpos.vcpus[0]!).pc,
      hartUnchanged: hart.sys.every((w, i) => w === sys[i]) && hart.st.every((w, i) => w === st[i]),
      hcr: hart.sys[SR.HCR_EL2 * 2]!,
    })
  }
  return seen
}

/** shared read-only runs */
const done = new Map<string, Promise<Workbench>>()
function finished(name: string): Promise<Workbench> {
  if (!done.has(name)) done.set(name, open(name).then((wb) => { runToEnd(wb); return wb }))
  return done.get(name)!
}

describe('per-VM TEE on Arm: a type-1 TEE and its GPOS (tee.json)', () => {
  it('the TEE boots first; its ENTRY_DONE (SMC 0xBE000000) starts the GPOS, inactive until then', async () => {
    const wb = await open('tee')
    const tee = vcpuOf(wb, 'optee'), gpos = vcpuOf(wb, 'gpos')
    expect([tee.state, gpos.state]).toEqual(['running', 'inactive'])
    expect(wb.hypervisor!.onCpu[tee.pcpu]).toBe(tee)
    expect(gpos.pcpu).toBe(tee.pcpu) // the GPOS runs on its TEE's CPU
    const h = hyp(wb), starts: { vm: string; teeOut: string; gposOut: string; teeX0: bigint; teePc: bigint }[] = []
    const start = h.startVcpu.bind(h)
    h.startVcpu = (v, pc, args) => {
      const t = h.regs(tee)
      starts.push({ vm: v.vm.name, teeOut: wb.vm('optee').console.read(), gposOut: wb.vm('gpos').console.read(), teeX0: t.x[0]!, teePc: t.pc })
      start(v, pc, args)
    }
    runToEnd(wb)
    expect(starts.map((s) => s.vm)).toEqual(['gpos'])
    const s = starts[0]!
    expect([s.teeOut, s.gposOut]).toEqual(['hello from optee\n', ''])
    expect(s.teeX0).toBe(ENTRY_DONE)
    expect(before(wb, 'optee', s.teePc)).toBe(SMC0) // the TEE was left just past its ENTRY_DONE SMC
    expect(wb.hv.vms().map((v) => [v.name, v.type, v.parent, v.children])).toEqual([['optee', 'tee-parent', null, [2]], ['gpos', 'gpos', 1, []]])
  })

  it('the GPOS prints its TEE\'s answers: the OP-TEE UID, the std call\'s x1 + x2 with CALL_DONE\'s x1..x6 in x0..x5, the RPC\'s x1..x4 in x0..x3', async () => {
    const wb = await finished('tee')
    expect(wb.vm('gpos').console.read().split('\n').slice(0, 3)).toEqual(WITH_TEE1.slice(0, 3))
    expect(wb.vm('gpos').console.read().split('\n')[5]).toBe(WITH_TEE1[5])
    expect(wb.vm('optee').console.read()).toBe('hello from optee\n')
  })

  it('OP-TEE #2 (owner 0x12) with no child TEE gives x0 = -1, and so does an owner nobody serves; the other registers stay the GPOS\'s', async () => {
    const out = (await finished('tee')).vm('gpos').console.read().split('\n')
    expect(out.slice(3, 5)).toEqual(WITH_TEE1.slice(3, 5))
    expect(out[7]).toBe(WITH_TEE1[7])
  })

  it('a TEE that faults while serving is disabled: the call gets 7, later calls 7; the GPOS runs on', async () => {
    const wb = await finished('tee')
    expect(wb.vm('gpos').console.read().split('\n')).toEqual(WITH_TEE1)
    const tee = vmOf(wb, 'optee')
    expect(tee.state).toBe('faulted')
    expect(tee.fault).toMatchObject({ vmName: 'optee', addr: 0x7f000000n, cause: 'illegal load' })
    expect(wb.hv.log()).toContain('CROSSCONHYP ERROR: VM 1 performed illegal access. Disabling.')
    expect(vmOf(wb, 'gpos').state).toBe('running')
  })

  it('each call resumes the TEE just past its last return SMC holding the GPOS\'s x0..x6, and the GPOS just past its own SMC', async () => {
    const wb = await open('tee')
    const seen = watchTeeSwitches(wb)
    runToEnd(wb)
    const entries = seen.filter((s) => s.masked)
    // uid, std, rpc, unknown, fault: the calls routed to TEE 1 (the one after the fault is refused)
    expect(entries.map((s) => s.teeX[0])).toEqual([0xbf00ff01n, 0x32000004n, 0x32000004n, 0x3200abcdn, 0x32000004n])
    expect(entries[1]!.teeX).toEqual([0x32000004n, 40n, 2n, 0n, 0x55n, 0n, 0x66n])
    for (const s of entries) {
      expect(before(wb, 'optee', s.teePc)).toBe(SMC0)
      expect(before(wb, 'gpos', s.gposPc)).toBe(SMC0)
    }
    // every answer but the faulted call's is CALL_DONE, made by an SMC the TEE resumes past
    const answers = seen.filter((s) => !s.masked).slice(0, 4)
    expect(answers.map((s) => s.teeX[0])).toEqual([CALL_DONE, CALL_DONE, CALL_DONE, CALL_DONE])
    for (const s of answers) expect(before(wb, 'optee', s.teePc)).toBe(SMC0)
  })

  it('the feature masks a TEE\'s external interrupts on each entry and unmasks them on each return, which on Arm changes nothing (reference §3.3)', async () => {
    const wb = await open('tee')
    const seen = watchTeeSwitches(wb)
    runToEnd(wb)
    expect(seen.map((s) => `${s.tee} ${s.masked}`)).toEqual(Array.from({ length: 5 }, () => ['optee true', 'optee false']).flat())
    // CROSSCON's Arm TEE switch leaves HCR_EL2.IMO/FMO set: physical IRQs still come to EL2 while the TEE runs
    for (const s of seen) expect([s.hartUnchanged, s.hcr]).toEqual([true, GUEST_HCR])
  })

  it('without the feature the TEE\'s ENTRY_DONE is not supported (x0 = -1) and its GPOS never starts', async () => {
    const data = { ...JSON.parse(readFileSync(cfg('tee'), 'utf8')), features: [] }
    const wb = await open('tee', data)
    wb.run(5)
    expect(wb.vm('optee').console.read()).toBe('hello from optee\n')
    expect(wb.vm('gpos').console.read()).toBe('')
    expect(vcpuOf(wb, 'gpos').state).toBe('inactive')
    // each of its return SMCs came back to it as -1, which it served as a request: its count grew
    expect(wb.vm('optee').regs().x[28]! > 1n).toBe(true)
  })
})

describe('per-VM TEE on Arm: OP-TEE #2 as the GPOS\'s child (dual-tee.json)', () => {
  it('ENTRY_DONE starts the GPOS, then its type-2 TEE, whose ENTRY_DONE (0x9E000000) hands the CPU back before the GPOS ran; each call switches to the TEE its owner names', async () => {
    const wb = await open('dual-tee')
    const h = hyp(wb), starts: { vm: string; gposOut: string }[] = []
    const start = h.startVcpu.bind(h)
    h.startVcpu = (v, pc, args) => { starts.push({ vm: v.vm.name, gposOut: wb.vm('gpos').console.read() }); start(v, pc, args) }
    const switches = watchVcpuSwitches(wb)
    runToEnd(wb)
    expect(starts).toEqual([{ vm: 'gpos', gposOut: '' }, { vm: 'optee2', gposOut: '' }])
    expect(wb.vm('optee2').console.read()).toBe('hello from optee2\n')
    const dtb = vmOf(wb, 'gpos').dtbAddr.toString(16)
    expect(switches).toEqual([
      'optee>gpos be000000', // TEE 1's ENTRY_DONE: the GPOS starts ...
      `gpos>optee2 ${dtb}`, // ... and under it at once its TEE 2 (the GPOS still holds its boot x0, the DTB)
      'optee2>gpos 9e000000', // TEE 2's ENTRY_DONE: back to the GPOS, which now runs
      'gpos>optee bf00ff01', 'optee>gpos be000005', // uid: OP-TEE #1, CALL_DONE
      'gpos>optee 32000004', 'optee>gpos be000005', // std
      'gpos>optee2 9f00ff01', 'optee2>gpos 9e000005', // uid2: OP-TEE #2, its CALL_DONE
      'gpos>optee2 12000004', 'optee2>gpos 9e000005', // std2
      'gpos>optee 32000004', 'optee>gpos be000005', // rpc
      'gpos>optee 3200abcd', 'optee>gpos be000005', // unknown (no-owner: no switch)
      'gpos>optee 32000004', 'optee>gpos 32000004', // fault: TEE 1 stopped at its load, still holding the request
      'gpos>optee2 12000004', 'optee2>gpos 9e000005', // std2 after it (disabled: no switch)
    ])
    expect(wb.vm('gpos').console.read().split('\n')).toEqual(WITH_TEE2)
    expect(wb.hv.vms().map((v) => [v.name, v.type, v.parent, v.children, v.state])).toEqual([
      ['optee', 'tee-parent', null, [2], 'faulted'], ['gpos', 'gpos', 1, [3], 'running'], ['optee2', 'tee-child', 2, [], 'running'],
    ])
  })

  it('the API\'s teeCall reaches the GPOS\'s TEE over the same conduit and gives the GPOS its registers back', async () => {
    // teeCall reads the answer when the GPOS is back and its run() stops: a GPOS idle at its prompt
    // (core/api.ts: a GPOS still running would have overwritten x0..x3 by the end of the quantum)
    const wb = await open('dual-tee')
    runToEnd(wb)
    const g = wb.vm('gpos')
    const mine = g.regs()
    expect(g.teeCall(0x9f00ff01)).toEqual([0x384fb3e0n, 0xe7f811e3n, 0xaf630002n, 0xa5d5c51bn])
    expect(g.teeCall(0x12000004, 5, 6)).toEqual([0n, 11n, 0n, 0x12000004n])
    expect(g.teeCall(0xbf00ff01)[0]).toBe(7n) // OP-TEE #1 was disabled by the GPOS's own fault call
    expect(g.regs()).toEqual(mine)
    expect(g.console.read().split('\n')).toEqual(WITH_TEE2)
  })

  it('is the same on a second run, byte for byte and instruction for instruction', async () => {
    const a = await finished('dual-tee'), b = await open('dual-tee')
    runToEnd(b)
    for (const vm of ['optee', 'gpos', 'optee2']) expect(b.vm(vm).console.read()).toBe(a.vm(vm).console.read())
    expect(b.stats().instructions).toBe(a.stats().instructions)
    expect(b.machine.sched.now).toBe(a.machine.sched.now)
    expect(b.hv.log()).toEqual(a.hv.log())
  })

  it('a session snapshot taken while TEE 2 serves a call restores into a fresh machine that goes on exactly as the original', async () => {
    const a = await open('dual-tee')
    const tee2 = vcpuOf(a, 'optee2'), gpos = vcpuOf(a, 'gpos')
    // mid-call: uid2 printed, the GPOS stacked under TEE 2 serving std2
    stepUntil(a, () => a.vm('gpos').console.read().includes('uid2') && a.hypervisor!.onCpu[tee2.pcpu] === tee2)
    expect([tee2.state, gpos.state]).toEqual(['running', 'stacked'])
    const snap = snapshotMachine(a)
    const at = a.vm('gpos').console.read().length
    runToEnd(a)
    const b = await open('dual-tee')
    expect(restoreMachine(b, snap).warnings).toEqual([])
    expect([vcpuOf(b, 'optee2').state, vcpuOf(b, 'gpos').state]).toEqual(['running', 'stacked'])
    runToEnd(b)
    expect(b.vm('gpos').console.read().slice(at)).toBe(a.vm('gpos').console.read().slice(at))
    expect(b.vm('gpos').console.read().split('\n').slice(4)).toEqual(WITH_TEE2.slice(4))
    expect(b.machine.sched.now).toBe(a.machine.sched.now)
  })
})

describe('per-VM TEE on Arm: two pairs, one per CPU (per-vm-tee.json)', () => {
  it('each GPOS reaches its own TEE (each TEE counts only its GPOS\'s requests) and each TEE is disabled on its own fault', async () => {
    const wb = await finished('per-vm-tee')
    expect(wb.hv.vms().map((v) => [v.name, v.pcpus])).toEqual([['optee-a', [0]], ['optee-b', [1]], ['gpos-a', [0]], ['gpos-b', [1]]])
    expect(wb.vm('gpos-a').console.read().split('\n')).toEqual(WITH_TEE1)
    expect(wb.vm('gpos-b').console.read().split('\n')).toEqual(WITH_TEE1)
    for (const t of ['optee-a', 'optee-b']) expect(vmOf(wb, t).fault).toMatchObject({ vmName: t, addr: 0x7f000000n, cause: 'illegal load' })
    expect(wb.hv.log().filter((l) => l.includes('Disabling'))).toEqual([
      'CROSSCONHYP ERROR: VM 1 performed illegal access. Disabling.',
      'CROSSCONHYP ERROR: VM 2 performed illegal access. Disabling.',
    ])
  })
})
