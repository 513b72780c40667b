/**
 * The per-VM TEE against a real OP-TEE (issue 11, README "Checking against a real OP-TEE"):
 * CROSSCON's RISC-V OP-TEE OS 3.20, unmodified, as the type-1 TEE VM of configs/optee.ts and
 * guests/riscv64-vm/optee-check as its GPOS (and, with BAOBAB_OPTEE2_IMAGE, the -DOPTEE2 build
 * as the GPOS's type-2 child TEE). OP-TEE boots, its ENTRY_DONE starts the GPOS, and the GPOS's
 * calls are answered by OP-TEE itself: the fast calls (CALLS_UID must be OP-TEE's UID), and
 * standard calls with the RPCs OP-TEE makes — its invoke-tests pseudo TA with a value and a
 * 4 KiB memref, and a TA it does not have. A session saved while OP-TEE serves a call resumes to
 * the same run, and the API's teeCall reaches OP-TEE as the GPOS would.
 *
 * OP-TEE is not part of baobab: the tests run when BAOBAB_OPTEE_IMAGE names its core/tee.bin,
 * and are skipped, saying why, when it does not.
 */
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Workbench } from '../core/api.ts'

const image = process.env.BAOBAB_OPTEE_IMAGE
const image2 = process.env.BAOBAB_OPTEE2_IMAGE
const missing = !image ? 'BAOBAB_OPTEE_IMAGE is not set'
  : !existsSync(image) ? `BAOBAB_OPTEE_IMAGE=${image} does not exist`
  : image2 && !existsSync(image2) ? `BAOBAB_OPTEE2_IMAGE=${image2} does not exist` : null
if (missing) console.log(`test/tee-optee.test.ts skipped: ${missing} (README "Checking against a real OP-TEE" says how to build one)`)
const skipped = missing ? ` (skipped: ${missing})` : ''

const config = join(import.meta.dirname, '..', 'configs', 'optee.ts')
const UID = [0x384fb3e0n, 0xe7f811e3n, 0xaf630002n, 0xa5d5c51bn]

/** what optee-check must have printed about TEE n, and OP-TEE's lines on its console */
function checkTee(n: number, out: string[], tee: string[], shm: string): void {
  for (const l of [
    // OPTEE_MSG_UID: OP-TEE's own answer, through its CALL_DONE (TEE a1..a4 → GPOS a0..a3)
    `gpos: TEE ${n} CALLS_UID -> a0 0x384fb3e0 a1 0xe7f811e3 a2 0xaf630002 a3 0xa5d5c51b`,
    `gpos: TEE ${n} UID 384fb3e0-e7f8-11e3-af63-0002a5d5c51b`,
    `gpos: TEE ${n} CALLS_REVISION -> a0 0x2 a1 0x0 a2 0x0 a3 0x0`,
    `gpos: TEE ${n} OS UUID 486178e0-e7f8-11e3-bc5e-0002a5d5c51b`,
    `gpos: TEE ${n} GET_SHM_CONFIG -> a0 0x0 a1 ${shm} a2 0x200000 a3 0x1`,
    `gpos: TEE ${n} open invoke-tests PTA -> ok, 0 RPCs`,
    `gpos: TEE ${n} PTA params value: a = 42`,
    `gpos: TEE ${n} PTA params memref 4096 bytes -> ok, 0 RPCs`,
    `gpos: TEE ${n} close invoke-tests PTA -> ok, 0 RPCs`,
  ]) expect(out).toContain(l)
  const line = (start: string): string => out.find((l) => l.startsWith(`gpos: TEE ${n} ${start}`)) ?? ''
  // GET_OS_REVISION 3.20; capabilities with OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM
  expect(line('GET_OS_REVISION')).toMatch(/-> a0 0x3 a1 0x14 /)
  expect(BigInt(/-> a0 0x0 a1 (0x[0-9a-f]+)/.exec(line('EXCHANGE_CAPABILITIES'))![1]!) & 1n).toBe(1n)
  // OP-TEE read the 4 KiB the GPOS put in the shared buffer: their sum came back in byte 0
  const m = /first byte (0x[0-9a-f]+), the bytes' sum mod 256 (0x[0-9a-f]+)/.exec(line('PTA params memref:'))!
  expect(m[1]).toBe(m[2])
  // a TA OP-TEE does not have: it asks the GPOS (RPCs) and the GPOS has no such file
  expect(line('open TA bab0bab0')).toMatch(/-> 0xffff0008 \(origin 3\), \d+ RPCs$/)
  expect(tee).toContain('I/TC: Primary CPU initialized')
  expect(tee).toContain('I/TC: pseudo TA "invoke_tests.pta" says "Hello world !"')
}

describe('a real OP-TEE as the per-VM TEE', () => {
  it.skipIf(missing !== null)(`boots, starts its GPOS and answers its fast and standard calls${skipped}`, async () => {
    const wb = await Workbench.open({ config })
    const gpos = wb.vm('gpos')
    expect(gpos.console.waitFor('gpos: done', { ms: 5000 })).toBe(true)
    // OP-TEE ends its lines with \r\n
    const lines = (vm: string): string[] => wb.vm(vm).console.read().split(/\r?\n/)
    const out = lines('gpos')
    checkTee(1, out, lines('optee'), '0x98f00000')
    if (image2) checkTee(2, out, lines('optee2'), '0x99100000')
    else expect(out).toContain('gpos: TEE 2 CALLS_UID -> a0 0xffffffffffffffff a1 0x0 a2 0x0 a3 0x0')
    const hv = wb.hypervisor!
    expect(hv.vms.map((v) => v.state)).not.toContain('faulted')
    expect(hv.log.lines.filter((l) => l.level === 'ERROR')).toEqual([])
    // the API's call, made as the GPOS would make it, is OP-TEE's to answer too
    expect(gpos.teeCall(0xbf00ff01)).toEqual(UID)
    if (image2) expect(gpos.teeCall(0x9f00ff01)).toEqual(UID)
    // OP-TEE's error paths: an unknown fast call (CALL_DONE, a1 = OPTEE_SMC_RETURN_UNKNOWN_FUNCTION);
    // CALL_WITH_ARG outside its shared memory (its thread ends in CALL_DONE, a1 = EBADADDR 4);
    // RETURN_FROM_RPC for a thread that waits for none: OP-TEE's RISC-V loop makes the error
    // ERESUME (3) its return id, which is SUSPEND_DONE, and that hands TEE a0 = 3 to the GPOS
    expect(gpos.teeCall(0xb200ff77)[0]).toBe(0xffffffffn)
    expect(gpos.teeCall(0x32000004, 0n, 0x1000n)[0]).toBe(4n)
    expect(gpos.teeCall(0x32000003, 0n, 0n, 5n)[0]).toBe(3n)
    expect(gpos.teeCall(0xbf00ff01)).toEqual(UID)
  })

  it.skipIf(missing !== null)(`a session saved while OP-TEE serves a standard call resumes to the same run${skipped}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baobab-optee-'))
    const a = await Workbench.open({ config })
    const hv = a.hypervisor!
    expect(a.vm('gpos').console.waitFor('open invoke-tests PTA', { ms: 5000 })).toBe(true)
    a.run({ ms: 100, until: () => hv.onCpu[0]?.vm.name === 'optee' })
    expect(hv.onCpu[0]!.vm.name).toBe('optee')
    await a.session.save('mid-call', { dir })
    const b = await a.session.load('mid-call', { dir })
    for (const wb of [a, b]) expect(wb.vm('gpos').console.waitFor('gpos: done', { ms: 5000 })).toBe(true)
    for (const name of hv.vms.map((v) => v.name)) expect(b.vm(name).console.read()).toBe(a.vm(name).console.read())
    expect(b.stats().instructions).toBe(a.stats().instructions)
  })
})
