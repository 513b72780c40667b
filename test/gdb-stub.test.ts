/**
 * Feature gdb: the GDB Remote Serial Protocol stub (plugins/feat-gdb) and the architectures'
 * register layouts and translations behind it (ArchDesc.gdb). Protocol-level tests talk to the
 * stub over TCP with a client of their own (test/gdb-client.ts); the end-to-end tests run
 * `baobab run <config> --gdb PORT` and Debian's gdb-multiarch against it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Workbench } from '../core/api.ts'
import { parseElf, symbolByName } from '../core/loader/elf.ts'
import { createReplSession } from '../core/repl/sandbox.ts'
import { closeGdbServer, startGdbServer, type GdbServer } from '../plugins/feat-gdb/index.ts'
import { CONTEXT_CSRS } from '../plugins/arch-riscv64/gdb.ts'
import { CTX_ST } from '../plugins/arch-aarch64/gdb.ts'
import { saveContext as rvSave } from '../plugins/arch-riscv64/hyp/context.ts'
import { saveContext as a64Save } from '../plugins/arch-aarch64/hyp/context.ts'
import type { RiscvHart } from '../plugins/arch-riscv64/hart.ts'
import type { A64Cpu } from '../plugins/arch-aarch64/cpu.ts'
import { ST } from '../plugins/arch-aarch64/state.ts'
import { fromLeHex, framed, leHex, RspClient } from './gdb-client.ts'

const root = resolve(import.meta.dirname, '..')
const RV_ELF = join(root, 'guests/images/riscv64-vm/demo-0x80200000.elf')
const A64_ELF = join(root, 'guests/images/aarch64-vm/demo-0x50000000.elf')
const RV_BIN = join(root, 'guests/images/riscv64-vm/demo-0x80200000.bin')
const sym = (elf: string, name: string): bigint => symbolByName(parseElf(new Uint8Array(readFileSync(elf))), name)!.value
/** whether hex address `at` lies within function `name` of `elf` (GDB breaks after the prologue) */
function inside(elf: string, name: string, at: string | undefined): boolean {
  const f = symbolByName(parseElf(new Uint8Array(readFileSync(elf))), name)!
  return at !== undefined && BigInt('0x' + at) >= f.value && BigInt('0x' + at) < f.value + f.size
}

/** two VMs running the same demo image at the same guest addresses; vm1 has the UART (a config of our own: the shipped demo may change) */
const TWO_VMS = {
  board: 'qemu-virt-riscv64',
  vms: ['vm1', 'vm2'].map((name, i) => ({
    name,
    image: { path: '../guests/images/riscv64-vm/demo-0x80200000.bin', baseAddr: '0x80200000' },
    cpuNum: 1,
    cpuAffinity: i === 0 ? '0x1' : '0x2',
    regions: [{ base: '0x80200000', size: '64M' }],
    devs: i === 0 ? [{ pa: '0x10000000', va: '0x10000000', size: '0x1000', interrupts: [10] }] : [],
  })),
}

const open: { wb: Workbench; servers: GdbServer[]; clients: RspClient[] }[] = []

async function setup(opts: { vm?: string; wait?: boolean; others?: 'run' | 'stop'; config?: string; configData?: unknown } = {}) {
  const wb = await Workbench.open({ config: opts.config ?? join(root, 'configs/two-vms.json'), configData: opts.config ? opts.configData : (opts.configData ?? TWO_VMS) })
  const server = await startGdbServer(wb.machine, wb.hypervisor, { port: 0, vm: opts.vm ?? 'vm1', wait: opts.wait ?? true, others: opts.others })
  const client = await RspClient.connect(server.port)
  const entry = { wb, servers: [server], clients: [client] }
  open.push(entry)
  return { wb, server, client, hv: wb.hypervisor! }
}

afterEach(async () => {
  for (const o of open.splice(0)) {
    for (const c of o.clients) await c.close()
    for (const s of o.servers) await closeGdbServer(o.wb.machine, s)
  }
})

/** the pc of a stop reply (register 0x20 expedited on both architectures) */
const stopPc = (reply: string): bigint => fromLeHex(/(?:^|;)20:([0-9a-f]+);/.exec(reply)![1]!)

describe('gdb stub: the protocol', () => {
  it('frames replies with correct checksums, acknowledges each packet, and asks again for a bad one', async () => {
    const { client } = await setup()
    const sup = await client.request('qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386')
    expect(sup).toMatch(/PacketSize=[0-9a-f]+/)
    expect(sup).toContain('qXfer:features:read+')
    expect(sup).toContain('QStartNoAckMode+')
    expect(client.acks).toBe(1)
    // a wrong checksum: '-' and nothing else; the next good packet is answered as usual
    client.raw('$qC#00')
    expect(await client.pending(100)).toBe(false)
    expect(client.nacks).toBe(1)
    // line noise before a packet is skipped
    client.raw('xyz\r\n' + framed('qC'))
    expect(await client.next()).toBe('QC1')
    // '-' from us: the stub sends its last packet again
    client.raw('-')
    expect(await client.next()).toBe('QC1')
    expect(client.badReplies).toBe(0)
  })

  it('no-ack mode: after QStartNoAckMode the stub sends no more acknowledgements', async () => {
    const { client } = await setup()
    expect(await client.request('QStartNoAckMode')).toBe('OK')
    const acks = client.acks
    client.noAck = true
    expect(await client.request('qAttached')).toBe('1')
    expect(await client.request('?')).toMatch(/^T05thread:1;/)
    expect(client.acks).toBe(acks)
  })

  it('answers what it does not know with an empty reply, and bad requests with E, never failing', async () => {
    const { client } = await setup()
    expect(await client.request('qWhatever')).toBe('')
    expect(await client.request('vMustReplyEmpty')).toBe('')
    expect(await client.request('!')).toBe('')
    expect(await client.request('Z9,80200000,4')).toBe('')
    for (const bad of ['m zz,4', 'm80200000', 'm1,2,3', 'pzz', 'p9999', 'P20=12', 'Pzz=00', 'Hgq', 'Hg99', 'T99', 'M80200000,4:zz', 'X80200000,8:ab',
      'Z0,xyz,4', 'Z2,80200000,0', 'vCont;q', 'vCont;c:99', 'vCont;r1000,2000', 'vCont;', 'qXfer:features:read:nope.xml:0,10', 'qXfer:features:read:target.xml:zz', 'G00', 'qRcmd,zz', 'qThreadExtraInfo,77']) {
      expect(await client.request(bad), bad).toMatch(/^E[0-9a-f]{2}$/)
    }
    // a packet longer than any accepted is dropped as bad; the stub still answers afterwards
    client.raw('$' + 'q'.repeat(0x9000) + '#00')
    expect(await client.request('qC')).toBe('QC1')
    expect(client.badReplies).toBe(0)
  })

  it('threads: one per vCPU of the chosen VM, with Hg/Hc, T, qC and what info threads shows', async () => {
    const { client } = await setup({ config: join(root, 'configs/smp-vm.json'), vm: 'smp' })
    const list = await client.request('qfThreadInfo')
    expect(list).toMatch(/^m1(,[0-9a-f]+)+$/)
    expect(await client.request('qsThreadInfo')).toBe('l')
    const ids = list.slice(1).split(',')
    for (const id of ids) expect(await client.request(`T${id}`)).toBe('OK')
    expect(await client.request(`Hg${ids[1]}`)).toBe('OK')
    expect(await client.request('Hc-1')).toBe('OK')
    expect(await client.request('Hg0')).toBe('OK')
    const extra = Buffer.from(await client.request('qThreadExtraInfo,2'), 'hex').toString()
    expect(extra).toMatch(/vCPU 1 on pCPU \d/)
    expect(await client.request('qAttached')).toBe('1')
    // vCont: t keeps a thread stopped while another steps; t alone resumes nothing
    expect(await client.request('vCont?')).toBe('vCont;c;C;s;S;t')
    expect(await client.request('vCont;t')).toBe('OK')
    const pc2 = await client.request('Hg2').then(() => client.request('p20'))
    expect(await client.request('vCont;s:1;t')).toMatch(/^T05thread:1;/)
    expect(await client.request('p20')).toBe(pc2)
  })

  it('serves the target description (chunked reads agree with one read)', async () => {
    const { client } = await setup()
    const whole = await client.request('qXfer:features:read:target.xml:0,3fff')
    expect(whole[0]).toBe('l')
    for (const f of ['org.gnu.gdb.riscv.cpu', 'org.gnu.gdb.riscv.fpu', 'org.gnu.gdb.riscv.csr', 'org.gnu.gdb.riscv.virtual']) expect(whole).toContain(f)
    // a guest sees its own S-level CSRs, not the hypervisor's
    expect(whole).toContain('name="satp"')
    expect(whole).not.toContain('name="hgatp"')
    expect(whole).not.toContain('name="mstatus"')
    let doc = ''
    for (let off = 0; ; off += 100) {
      const part = await client.request(`qXfer:features:read:target.xml:${off.toString(16)},64`)
      doc += part.slice(1)
      if (part[0] === 'l') break
      expect(part[0]).toBe('m')
    }
    expect(doc).toBe(whole.slice(1))
  })

  it('registers: g/G/p/P on a vCPU held before its first instruction', async () => {
    const { client, hv } = await setup()
    const g = await client.request('g')
    expect(g).toHaveLength(33 * 16)
    expect(fromLeHex(g.slice(32 * 16))).toBe(0x80200000n) // pc at the entry
    expect(fromLeHex(g.slice(10 * 16, 11 * 16))).toBe(0n) // a0 = hart id 0
    expect(fromLeHex(await client.request('p20'))).toBe(0x80200000n)
    expect(await client.request(`P5=${leHex(0x1234n, 8)}`)).toBe('OK') // t0
    expect(hv.arch.regs(hv.vms[0]!.vcpus[0]!).x[5]).toBe(0x1234n)
    // G with what g gave back (x0 among it) changes nothing
    const g2 = await client.request('g')
    expect(await client.request(`G${g2}`)).toBe('OK')
    expect(await client.request('g')).toBe(g2)
    // an FP register and fcsr (in the fpu feature, past the g packet)
    expect(await client.request(`P21=${leHex(0x400921fb54442d18n, 8)}`)).toBe('OK')
    expect(fromLeHex(await client.request('p21'))).toBe(0x400921fb54442d18n)
    expect(await client.request('p43')).toHaveLength(8) // fcsr, 32 bits
  })

  it('memory through the guest translation: reads match the image, writes land, unmapped addresses answer E', async () => {
    const { client, wb } = await setup()
    const image = readFileSync(join(root, 'guests/images/riscv64-vm/demo-0x80200000.bin'))
    expect(await client.request('m80200000,40')).toBe(image.subarray(0, 0x40).toString('hex'))
    // outside vm1's 64 MiB region, and where nothing is mapped at all
    expect(await client.request('m84200000,4')).toMatch(/^E/)
    expect(await client.request('m0,4')).toMatch(/^E/)
    expect(await client.request('mffffffffffffff00,8')).toMatch(/^E/)
    // a read running off the end of the region stops there
    expect(await client.request('m841ffffc,8')).toBe('00000000')
    // M and X (binary, with escapes) writes
    const at = 0x80300000
    expect(await client.request(`M${at.toString(16)},4:deadbeef`)).toBe('OK')
    expect(Buffer.from(wb.vm('vm1').mem.read(at, 4)).toString('hex')).toBe('deadbeef')
    // 7d 23 23 24 escaped as GDB sends them: } ] } 03 } 03 } 04
    expect(await client.request(`X${(at + 4).toString(16)},4:}]}\x03}\x03}\x04`)).toBe('OK')
    expect(Buffer.from(wb.vm('vm1').mem.read(at + 4, 4)).toString('hex')).toBe('7d232324')
    expect(await client.request('X80300000,0:')).toBe('OK')
    // a write that would run off the region changes nothing
    expect(await client.request('M841ffffe,4:11223344')).toMatch(/^E/)
    expect(Buffer.from(wb.vm('vm1').mem.read(0x841ffffe, 2)).toString('hex')).toBe('0000')
    // a device (the passed-through UART) is never touched
    expect(await client.request('m10000000,1')).toMatch(/^E/)
  })

  it('memory through a guest page table: Sv39 under its satp, then its stage-2 map, no A/D bit set', async () => {
    const { client, wb } = await setup()
    const mem = wb.vm('vm1').mem
    const pte = (ppn: number, flags: number): number[] => { const v = BigInt(ppn) * 1024n + BigInt(flags); return [...Array(8)].map((_, i) => Number((v >> BigInt(8 * i)) & 0xffn)) }
    const V = 1, R = 2, W = 4, X = 8, A = 64, D = 128
    const top = 0x81000000, mid = 0x81001000, leafTable = 0x81002000
    mem.write(top + 8 * 1, pte(0x80000, V | R | W | X | A | D)) // VA 0x40000000: a gigapage at GPA 0x80000000
    mem.write(top + 8 * 0, pte(mid >>> 12, V)) // VA 0x0..: tables down to 4 KiB pages
    mem.write(mid + 8 * 0, pte(leafTable >>> 12, V))
    mem.write(leafTable + 8 * 1, pte(0x80201, V | R)) // VA 0x1000 → GPA 0x80201000, accessed bit clear
    const xml = (await client.request('qXfer:features:read:target.xml:0,3fff')).slice(1)
    const satp = Number(/name="satp" bitsize="64" regnum="(\d+)"/.exec(xml)![1]!).toString(16)
    expect(await client.request(`P${satp}=${leHex((8n << 60n) | BigInt(top >>> 12), 8)}`)).toBe('OK')
    expect(fromLeHex(await client.request(`p${satp}`))).toBe((8n << 60n) | BigInt(top >>> 12))
    const image = readFileSync(RV_BIN)
    expect(await client.request('m40200000,10')).toBe(image.subarray(0, 0x10).toString('hex'))
    expect(await client.request('m1000,10')).toBe(image.subarray(0x1000, 0x1010).toString('hex'))
    // the walk left the PTE as it was (no A bit)
    expect(Buffer.from(mem.read(leafTable + 8, 8)).toString('hex')).toBe(Buffer.from(pte(0x80201, V | R)).toString('hex'))
    // unmapped (root entry 2 invalid), not canonical, and a page the table does not map
    expect(await client.request('m80000000,4')).toMatch(/^E/)
    expect(await client.request('m8000000000001000,4')).toMatch(/^E/)
    expect(await client.request('m2000,4')).toMatch(/^E/)
    // a write through the mapping lands in the guest-physical page behind it
    expect(await client.request('M1008,2:abcd')).toBe('OK')
    expect(Buffer.from(mem.read(0x80201008, 2)).toString('hex')).toBe('abcd')
  })

  it('a breakpoint of the debugged VM is not hit by the other VM at the same address; continue stops vm1 there', async () => {
    const { client, wb } = await setup()
    const trap = sym(RV_ELF, 'trap_c')
    expect(await client.request(`Z0,${trap.toString(16)},2`)).toBe('OK')
    // vm1 is held (waiting for the debugger); vm2 runs the same image through trap_c on every tick
    wb.run(40)
    expect(wb.vm('vm2').console.read()).toContain('tick 3')
    expect(wb.vm('vm1').console.read()).toBe('')
    expect(await client.pending(50)).toBe(false)
    // now vm1 runs and stops at its own first trap
    client.send('vCont;c')
    const stop = await client.next(20_000)
    expect(stop).toMatch(/^T05thread:1;.*swbreak:;/)
    expect(stopPc(stop)).toBe(trap)
    expect(wb.vm('vm1').console.read()).toContain('console: uart')
    // stopped, vm1 runs nothing however long the machine runs
    const vm1Before = wb.stats().cpus[0]!.instret
    wb.run(20)
    expect(wb.stats().cpus[0]!.instret).toBe(vm1Before)
    // resuming from the breakpoint passes it, and the next trap stops again
    client.send('vCont;c')
    expect(stopPc(await client.next(20_000))).toBe(trap)
    expect(await client.request(`z0,${trap.toString(16)},2`)).toBe('OK')
    // a hardware breakpoint (Z1) is the same check, reported as such
    expect(await client.request(`Z1,${trap.toString(16)},2`)).toBe('OK')
    client.send('vCont;c')
    const hw = await client.next(20_000)
    expect(hw).toMatch(/hwbreak:;/)
    expect(stopPc(hw)).toBe(trap)
  })

  it("a breakpoint on the trap vector is hit as an interrupt enters it", async () => {
    const { client } = await setup()
    const vector = sym(RV_ELF, 'trap_entry')
    expect(await client.request(`Z0,${vector.toString(16)},2`)).toBe('OK')
    client.send('vCont;c')
    const stop = await client.next(20_000)
    expect(stopPc(stop)).toBe(vector)
    // scause (guest view of vscause): an interrupt, the supervisor timer
    const xml = (await client.request('qXfer:features:read:target.xml:0,3fff')).slice(1)
    const scause = Number(/name="scause" bitsize="64" regnum="(\d+)"/.exec(xml)![1]!)
    expect(fromLeHex(await client.request(`p${scause.toString(16)}`))).toBe((1n << 63n) | 5n)
  })

  it('single step: one instruction of the selected vCPU, answered at once; measures the round trip', async () => {
    const { client } = await setup()
    let pc = 0x80200000n
    const n = 200
    const t0 = performance.now()
    for (let i = 0; i < n; i++) {
      const r = await client.request('vCont;s:1;c')
      expect(r).toMatch(/^T05thread:1;/)
      const next = stopPc(r)
      expect(next).not.toBe(pc)
      pc = next
    }
    const ms = (performance.now() - t0) / n
    console.log(`gdb stub: single step round trip over TCP (vCont;s + stop reply): ${ms.toFixed(3)} ms`)
    expect(ms).toBeLessThan(50)
    // the legacy s packet steps the Hc thread
    expect(await client.request('Hc1')).toBe('OK')
    expect(stopPc(await client.request('s'))).not.toBe(pc)
  })

  it('watchpoints: a write to a watched variable stops with the watch reason and its address', async () => {
    const { client } = await setup()
    const ticks = sym(RV_ELF, 'ticks'), trap = sym(RV_ELF, 'trap_c')
    // past the boot's clearing of .bss (a write to `ticks` too): to the first trap
    expect(await client.request(`Z0,${trap.toString(16)},2`)).toBe('OK')
    client.send('vCont;c')
    expect(stopPc(await client.next(20_000))).toBe(trap)
    expect(await client.request(`z0,${trap.toString(16)},2`)).toBe('OK')
    expect(await client.request(`Z2,${ticks.toString(16)},4`)).toBe('OK')
    client.send('vCont;c')
    const stop = await client.next(20_000)
    expect(stop).toMatch(new RegExp(`^T05thread:1;.*watch:${ticks.toString(16)};`))
    // the store has happened: ticks went from 0 to 1
    expect(fromLeHex(await client.request(`m${ticks.toString(16)},4`))).toBe(1n)
    expect(await client.request(`z2,${ticks.toString(16)},4`)).toBe('OK')
    // a read watchpoint on the same variable (the tick handler reads it back)
    expect(await client.request(`Z3,${ticks.toString(16)},4`)).toBe('OK')
    client.send('vCont;c')
    expect(await client.next(20_000)).toMatch(new RegExp(`rwatch:${ticks.toString(16)};`))
  })

  it('Ctrl-C stops a running target (SIGINT); a target that ends while running gets W', async () => {
    const { client, hv } = await setup()
    client.send('vCont;c')
    await new Promise((r) => setTimeout(r, 100))
    client.raw('\x03')
    expect(await client.next(20_000)).toMatch(/^T02thread:1;/)
    client.send('c')
    await new Promise((r) => setTimeout(r, 50))
    hv.shutdownVm(hv.vms[0]!)
    expect(await client.next(20_000)).toBe('W00')
    expect(await client.request('?')).toBe('W00')
  })

  it('a faulting VM is reported as killed by SIGSEGV', async () => {
    const { client, hv } = await setup()
    // send vm1 where nothing is mapped: its next fetch is a guest-page fault
    expect(await client.request(`P20=${leHex(0x40000000n, 8)}`)).toBe('OK')
    client.send('vCont;c')
    expect(await client.next(20_000)).toBe('X0b')
    expect(hv.vms[0]!.state).toBe('faulted')
  })

  it('detach lets the VM run on; a second debugger is refused while one is attached; k shuts the VM down', async () => {
    const { client, server, wb, hv } = await setup()
    const other = await RspClient.connect(server.port)
    await new Promise((r) => setTimeout(r, 50))
    expect(other.closed).toBe(true)
    expect(await client.request('D')).toBe('OK')
    await new Promise((r) => setTimeout(r, 50))
    expect(client.closed).toBe(true)
    wb.run(30)
    expect(wb.vm('vm1').console.read()).toContain('tick 1')
    // attach again: vm1 stops where it is; kill
    const again = await RspClient.connect(server.port)
    open.at(-1)!.clients.push(again)
    expect(await again.request('?')).toMatch(/^T05/)
    again.send('k')
    await new Promise((r) => setTimeout(r, 50))
    expect(hv.vms[0]!.state).toBe('stopped')
    expect(hv.vms[1]!.state).toBe('running')
  })

  it("with others 'stop', the other VMs stop while the debugged one is stopped; monitor others switches it", async () => {
    const { client, wb } = await setup({ others: 'stop' })
    wb.run(20)
    // vm1 waits for the debugger, and vm2 with it: neither has run an instruction
    expect(wb.stats().cpus.map((c) => c.instret)).toEqual([0, 0])
    const out = Buffer.from(await client.request(`qRcmd,${Buffer.from('others run').toString('hex')}`), 'hex').toString()
    expect(out).toMatch(/run on/)
    wb.run(20)
    expect(wb.vm('vm2').console.read()).toContain('tick 1')
    expect(wb.stats().cpus[0]!.instret).toBe(0)
    const info = Buffer.from(await client.request(`qRcmd,${Buffer.from('info').toString('hex')}`), 'hex').toString()
    expect(info).toMatch(/thread 1: vm1 vCPU 0 .*held/)
    expect(Buffer.from(await client.request(`qRcmd,${Buffer.from('help').toString('hex')}`), 'hex').toString()).toContain('others stop')
  })

  it('a vCPU stacked under its VM-stack child reads its saved context, and waits while held', async () => {
    const CHILD = {
      name: 'child', type: 'enclave', entry: '0x90000000', cpuNum: 1,
      image: { path: '../../../guests/images/riscv64-vm/vmstack-child-0x90000000.bin', baseAddr: '0x90000000' },
      regions: [{ base: '0x90000000', size: '256K' }, { base: '0x90100000', size: '64K' }],
    }
    const wb = await Workbench.open({ config: join(root, 'test/fixtures/configs/dynamic-vm-idle.json') })
    wb.run(5)
    const hv = wb.hypervisor!
    const parent = hv.vms[0]!
    const server = await startGdbServer(wb.machine, hv, { port: 0, vm: parent.name })
    const client = await RspClient.connect(server.port)
    open.push({ wb, servers: [server], clients: [client] })
    const id = wb.hv.child.create(parent.id, CHILD as never)
    wb.hv.child.invoke(parent.id, id, 3)
    // the child is on the parent's pCPU now; the parent's registers are in its saved context
    expect(hv.onCpu[parent.vcpus[0]!.pcpu]!.vm.id).toBe(id)
    const saved = hv.arch.regs(parent.vcpus[0]!)
    const g = await client.request('g')
    for (let i = 1; i < 32; i++) expect(fromLeHex(g.slice(16 * i, 16 * i + 16)), `x${i}`).toBe(BigInt.asUintN(64, saved.x[i]!))
    expect(fromLeHex(g.slice(32 * 16))).toBe(saved.pc)
    expect(Buffer.from(await client.request('qThreadExtraInfo,1'), 'hex').toString()).toMatch(/stacked, off its pCPU \(.+ runs there\)/)
    // memory through the saved translation
    expect(await client.request('m80200000,4')).toBe(Buffer.from(wb.vm(parent.id).mem.read(0x80200000, 4)).toString('hex'))
    // the child runs (the debugger holds only the parent) and yields; the parent, back, stays held
    wb.run(5)
    expect(wb.vm(id).console.read()).toContain('child: invoked with arg 3')
    expect(hv.onCpu[parent.vcpus[0]!.pcpu]).toBe(parent.vcpus[0])
    const pc = hv.arch.regs(parent.vcpus[0]!).pc
    wb.run(5)
    expect(hv.arch.regs(parent.vcpus[0]!).pc).toBe(pc)
  })

  it('the REPL: gdb.listen / gdb.list / gdb.close with the feature in the config', async () => {
    const data = { ...TWO_VMS, features: ['gdb'] }
    const wb = await Workbench.open({ config: join(root, 'configs/two-vms.json'), configData: data })
    const repl = createReplSession(wb)
    const r = await repl.evaluate("(await gdb.listen(0, 'vm2')).port")
    expect(r.error).toBe(false)
    const port = Number(r.output)
    const client = await RspClient.connect(port)
    expect(await client.request('?')).toMatch(/^T05thread:1;/)
    expect((await repl.evaluate('gdb.list()')).output).toContain('vm2')
    // a session is not saved while the debugger holds a VM stopped
    expect((await repl.evaluate("await session.save('gdb-held', {})")).output).toMatch(/GDB stub on port \d+ holds VM vm2/)
    await client.close()
    expect((await repl.evaluate('await gdb.close()')).output).toBe('1')
    expect((await repl.evaluate("await gdb.listen(-1)")).error).toBe(true)
    expect((await repl.evaluate("await gdb.listen(0, 'nope')")).output).toMatch(/no VM/)
  })

  it('a bare machine: the CPUs are the threads, with M-mode CSRs; stepping and breakpoints work', async () => {
    const { bootBare } = await import('../core/bare.ts')
    const img = join(root, 'guests/images/riscv64/isa-int.elf')
    const bm = await bootBare({ board: 'qemu-virt-riscv64', image: img, cpus: 2 })
    const server = await startGdbServer(bm.machine, null, { port: 0, wait: true })
    const client = await RspClient.connect(server.port)
    open.push({ wb: { machine: bm.machine } as Workbench, servers: [server], clients: [client] })
    expect(await client.request('qfThreadInfo')).toBe('m1,2')
    const xml = (await client.request('qXfer:features:read:target.xml:0,3fff')).slice(1)
    expect(xml).toContain('name="mstatus"')
    expect(xml).toContain('name="hgatp"')
    const mhartid = /name="mhartid" bitsize="64" regnum="(\d+)"/.exec(xml)![1]!
    expect(await client.request('Hg2')).toBe('OK')
    expect(fromLeHex(await client.request(`p${Number(mhartid).toString(16)}`))).toBe(1n)
    expect(await client.request('Hg1')).toBe('OK')
    const entry = parseElf(new Uint8Array(readFileSync(img))).entry
    expect(fromLeHex(await client.request('p20'))).toBe(entry)
    const s = await client.request('vCont;s:1')
    expect(s).toMatch(/^T05thread:1;/)
    expect(stopPc(s)).not.toBe(entry)
    // machine mode: virtual = physical
    expect(await client.request(`m${entry.toString(16)},4`)).toBe(Buffer.from(bm.machine.bus.dump(Number(entry), 4)).toString('hex'))
    // runs to its end: W with the poweroff code
    client.send('vCont;c')
    expect(await client.next(30_000)).toBe('W00')
  })
})

describe('gdb stub: the architectures', () => {
  it("RISC-V: the saved context's CSR order is the one the stub reads", async () => {
    const wb = await Workbench.open({ config: join(root, 'configs/two-vms.json'), configData: TWO_VMS })
    const h = wb.machine.cpus[0] as unknown as RiscvHart
    CONTEXT_CSRS.forEach((n, i) => { h.c[2 * n] = 0x1000 + i; h.c[2 * n + 1] = 0x2000 + i })
    const ctx = rvSave(h)
    CONTEXT_CSRS.forEach((_, i) => expect([ctx.csr[2 * i], ctx.csr[2 * i + 1]]).toEqual([0x1000 + i, 0x2000 + i]))
  })

  it("AArch64: the saved context's PSTATE order is the one the stub reads", async () => {
    const wb = await Workbench.open({ config: join(root, 'configs/aarch64/two-vms.json') })
    const h = wb.machine.cpus[0] as unknown as A64Cpu
    h.st[ST.NZCV] = 0x60000000; h.st[ST.EL] = 1; h.st[ST.SPSEL] = 1; h.st[ST.DAIF] = 0x3c0; h.st[ST.IL] = 0
    h.pcLo = 0x50001234; h.pcHi = 0
    const ctx = a64Save(h)
    expect([ctx.st[CTX_ST.PC_LO], ctx.st[CTX_ST.NZCV], ctx.st[CTX_ST.EL], ctx.st[CTX_ST.SPSEL], ctx.st[CTX_ST.DAIF], ctx.st[CTX_ST.IL]])
      .toEqual([0x50001234, 0x60000000, 1, 1, 0x3c0, 0])
  })

  it('AArch64: memory through a guest translation table of its own (TTBR0/TCR/SCTLR written by the debugger)', async () => {
    const { client, wb } = await setup({ config: join(root, 'configs/aarch64/two-vms.json') })
    const xml = (await client.request('qXfer:features:read:target.xml:0,3fff')).slice(1)
    const reg = (n: string): string => Number(new RegExp(`name="${n}" bitsize="64" regnum="(\\d+)"`).exec(xml)![1]!).toString(16)
    // a level-1 block: VA 0..1 GiB → IPA 0x40000000 (T0SZ = 25: 39-bit VAs start at level 1)
    const table = 0x51000000
    const block = 0x40000000n | (1n << 10n) | 1n // AF, block
    wb.vm('vm1').mem.write(table, [...Array(8)].map((_, i) => Number((block >> BigInt(8 * i)) & 0xffn)))
    expect(await client.request(`P${reg('tcr_el1')}=${leHex(25n | (1n << 23n), 8)}`)).toBe('OK')
    expect(await client.request(`P${reg('ttbr0_el1')}=${leHex(BigInt(table), 8)}`)).toBe('OK')
    const sctlr = fromLeHex(await client.request(`p${reg('sctlr_el1')}`))
    expect(await client.request(`P${reg('sctlr_el1')}=${leHex(sctlr | 1n, 8)}`)).toBe('OK')
    const image = readFileSync(join(root, 'guests/images/aarch64-vm/demo-0x50000000.bin'))
    expect(await client.request('m10000000,10')).toBe(image.subarray(0, 0x10).toString('hex'))
    // past the block's 1 GiB, and in the upper half (EPD1: no walks there)
    expect(await client.request('m40000000,4')).toMatch(/^E/)
    expect(await client.request('mffffff8000000000,4')).toMatch(/^E/)
  })

  it('AArch64: the core and fpu features, registers, memory through stage 1 and a breakpoint', async () => {
    const { client, wb } = await setup({ config: join(root, 'configs/aarch64/two-vms.json') })
    const xml = (await client.request('qXfer:features:read:target.xml:0,3fff')).slice(1)
    for (const f of ['org.gnu.gdb.aarch64.core', 'org.gnu.gdb.aarch64.fpu', 'name="cpsr"', 'name="v31"', 'name="fpcr"', 'name="ttbr0_el1"']) expect(xml).toContain(f)
    expect(xml).not.toContain('name="hcr_el2"')
    const g = await client.request('g')
    expect(g).toHaveLength(33 * 16 + 8)
    expect(fromLeHex(g.slice(32 * 16, 33 * 16))).toBe(0x50000000n)
    const irq = sym(A64_ELF, 'irq_c')
    expect(await client.request(`Z0,${irq.toString(16)},4`)).toBe('OK')
    client.send('vCont;c')
    const stop = await client.next(30_000)
    expect(stopPc(stop)).toBe(irq)
    // by now the guest has turned its MMU on: its SCTLR_EL1.M, and reads through its tables
    const sctlrNum = Number(/name="sctlr_el1" bitsize="64" regnum="(\d+)"/.exec(xml)![1]!)
    expect(Number(fromLeHex(await client.request(`p${sctlrNum.toString(16)}`)) & 1n)).toBe(1)
    expect(await client.request(`m${irq.toString(16)},4`)).toBe(Buffer.from(wb.vm('vm1').mem.read(Number(irq), 4)).toString('hex'))
    expect((await client.request('p22')).length).toBe(32) // v0: 128 bits
    expect(await client.request('m0,4')).toMatch(/^E/)
  })
})

// ---- end to end: baobab run --gdb with Debian's gdb-multiarch ----

function which(cmd: string): string | null {
  try { return execFileSync('which', [cmd], { encoding: 'utf8' }).trim() || null } catch { return null }
}
const GDB = which('gdb-multiarch')

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port
      s.close(() => res(p))
    })
  })
}

/** `baobab run <config> --gdb PORT`, resolved once the stub listens */
async function runWithGdb(config: string, port: number): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn(process.execPath, [join(root, 'bin', 'baobab.js'), 'run', config, '--gdb', String(port), '--deterministic', '--timeout', '120'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { out += d.toString() })
  const end = Date.now() + 30_000
  while (!out.includes(`127.0.0.1:${port}`)) {
    if (Date.now() > end || child.exitCode !== null) throw new Error(`baobab did not start its stub:\n${out}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  return { child, out: () => out }
}

function gdbBatch(script: string[]): Promise<string> {
  return new Promise((res) => {
    const g = spawn(GDB!, ['-nx', '-batch', ...script.flatMap((l) => ['-ex', l])], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    g.stdout.on('data', (d: Buffer) => { out += d.toString() })
    g.stderr.on('data', (d: Buffer) => { out += d.toString() })
    g.on('exit', () => res(out))
  })
}

const STEPS = 100

describe.skipIf(!GDB)('gdb stub: end to end with gdb-multiarch', () => {
  if (!GDB) console.log('skipped: gdb-multiarch is not installed (Debian package gdb-multiarch)')
  const kids: ChildProcess[] = []
  afterEach(() => { for (const k of kids.splice(0)) k.kill() })

  it('RISC-V demo (configs/two-vms.json): break at a symbol, continue, step, print a variable, continue', async () => {
    const port = await freePort()
    const run = await runWithGdb('configs/two-vms.json', port)
    kids.push(run.child)
    const out = await gdbBatch([
      'set pagination off', 'set confirm off',
      `file ${RV_ELF}`,
      `target remote :${port}`,
      'info threads',
      'break trap_c',
      'continue',
      'stepi',
      'print (unsigned int)ticks',
      'continue',
      'print (unsigned int)ticks',
      'info registers pc sstatus priv',
      'python import time; t0 = time.perf_counter()',
      `stepi ${STEPS}`,
      `python print("STEPI_MS %.3f" % ((time.perf_counter() - t0) * 1000 / ${STEPS}))`,
      'detach',
    ])
    expect(out).toMatch(/Thread 1 \(vm1 vCPU 0 on pCPU 0/)
    expect(inside(RV_ELF, 'trap_c', /Breakpoint 1, 0x([0-9a-f]+) in trap_c \(\)/.exec(out)?.[1])).toBe(true)
    expect(out).toContain('$1 = 0')
    expect(out).toContain('$2 = 1')
    expect(out).toMatch(/priv\s+0x1\s+prv:1 \[Supervisor\]/)
    expect(out).toContain('[Inferior 1 (Remote target) detached]')
    const ms = Number(/STEPI_MS ([\d.]+)/.exec(out)![1])
    console.log(`gdb-multiarch stepi over TCP, RISC-V: ${ms.toFixed(3)} ms per stepi`)
    // the other VM ran while vm1 was stopped, and vm1 runs on after the detach
    await new Promise((r) => setTimeout(r, 300))
    expect(run.out()).toMatch(/\[vm2\] tick 3/)
    expect(run.out()).toMatch(/gdb: debugger detached/)
  })

  it('AArch64 demo (configs/aarch64/two-vms.json): the same with two vCPUs', async () => {
    const port = await freePort()
    const run = await runWithGdb('configs/aarch64/two-vms.json', port)
    kids.push(run.child)
    const out = await gdbBatch([
      'set pagination off', 'set confirm off',
      `file ${A64_ELF}`,
      `target remote :${port}`,
      'break irq_c',
      'continue',
      'info threads',
      'stepi',
      'print (unsigned int)ticks',
      'continue',
      'print (unsigned int)ticks',
      'info registers cpsr',
      'python import time; t0 = time.perf_counter()',
      `stepi ${STEPS}`,
      `python print("STEPI_MS %.3f" % ((time.perf_counter() - t0) * 1000 / ${STEPS}))`,
      'detach',
    ])
    expect(inside(A64_ELF, 'irq_c', /hit Breakpoint 1, 0x([0-9a-f]+) in irq_c \(\)/.exec(out)?.[1])).toBe(true)
    expect(out).toMatch(/Thread 2 \(vm1 vCPU 1 on pCPU 1/)
    expect(out).toContain('$1 = 0')
    expect(out).toContain('$2 = 1')
    expect(out).toMatch(/cpsr\s+0x[0-9a-f]+\s+\[ .*EL=1/)
    expect(out).toContain('[Inferior 1 (Remote target) detached]')
    const ms = Number(/STEPI_MS ([\d.]+)/.exec(out)![1])
    console.log(`gdb-multiarch stepi over TCP, AArch64: ${ms.toFixed(3)} ms per stepi`)
  })
})
