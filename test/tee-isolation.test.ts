/**
 * Per-VM TEE isolation, driven by the guests (issue 11 "Must show"): not stage-2 tables but a
 * GPOS and a TEE trying. guests/riscv64-vm/tee-client picks its mode by its VM's name:
 *   "-reads-0x<addr>": after using its TEE, the GPOS loads from <addr> — its own TEE's memory, or
 *     another pair's TEE's — and is stopped at that load and reported, while the other pair runs
 *     on exactly as it runs alone;
 *   "-peeks-0x<addr>": its TEE's counter TA reads another pair's TEE memory: that TEE is disabled,
 *     its GPOS gets 7, the other pair runs on;
 *   "-sealed": the key store makes its key inside the TEE; after the GPOS used it, the key's
 *     bytes are in the TEE's memory and nowhere in the GPOS's (RAM and shared buffer).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Workbench } from '../core/api.ts'
import type { Vm } from '../core/hypervisor/vm.ts'
import { parseElf, symbolByName } from '../core/loader/elf.ts'
import type { RiscvHart } from '../plugins/arch-riscv64/hart.ts'

const root = join(import.meta.dirname, '..')
const config = (n: string): string => join(root, 'configs', `${n}.json`)
const TEE_OS_ELF = join(root, 'guests', 'images', 'riscv64-vm', 'tee-os-0xb0000000.elf')

/** optee-a's memory (its guest address, the same in both pairs) and optee-b's (its region's placed host address) in per-vm-tee.json */
const TEE_A = 0xb000_0000
const TEE_B = 0xb100_0000

/** per-vm-tee.json with gpos-a renamed (its mode) */
async function pairsWith(gposA: string): Promise<Workbench> {
  const data = JSON.parse(readFileSync(config('per-vm-tee'), 'utf8'))
  data.vms[0].children[0].name = gposA
  return Workbench.open({ config: config('per-vm-tee'), configData: data })
}

function vmOf(wb: Workbench, name: string): Vm {
  const vm = wb.hypervisor!.vms.find((v) => v.name === name)
  if (!vm) throw new Error(`no VM ${name}`)
  return vm
}

/** gpos-b's whole console when both pairs run undisturbed: what it must print in every test */
let alone: string | undefined
async function gposBAlone(): Promise<string> {
  if (alone === undefined) {
    const wb = await Workbench.open({ config: config('per-vm-tee') })
    expect(wb.vm('gpos-b').console.waitFor('gpos-b: done', { ms: 2000 })).toBe(true)
    alone = wb.vm('gpos-b').console.read()
  }
  return alone
}

describe('a GPOS that reads TEE memory is stopped and reported; the other pair runs on', () => {
  for (const [what, addr] of [['its own TEE\'s memory', TEE_A], ['the other pair\'s TEE memory', TEE_B]] as const) {
    it(`gpos-a loads from ${what} (0x${addr.toString(16)})`, async () => {
      const name = `gpos-a-reads-0x${addr.toString(16)}`
      const wb = await pairsWith(name)
      const hv = wb.hypervisor!
      expect(wb.vm('gpos-b').console.waitFor('gpos-b: done', { ms: 2000 })).toBe(true)
      wb.run(20)
      const gpos = vmOf(wb, name)
      // it used its TEE first, then its own load of TEE memory stopped it: the load never completed
      const lines = gpos.console.text().trimEnd().split('\n')
      expect(lines).toContain(`${name}: TEE 1 counter TA: inc 40 -> counter 42 (call 3)`)
      expect(lines.at(-1)).toBe(`${name}: reading 0x${addr.toString(16)}`)
      expect(gpos.console.text()).not.toContain('isolation broken')
      expect(gpos.state).toBe('faulted')
      expect(gpos.fault).toMatchObject({ vm: gpos.id, vmName: name, vcpu: 0, addr: BigInt(addr), cause: 'illegal load' })
      const errors = hv.log.lines.filter((l) => l.level === 'ERROR').map((l) => l.text)
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatch(new RegExp(`^VM ${gpos.id} \\(${name}\\) vCPU 0 illegal load at 0x${addr.toString(16)} `))
      // no register of its hart holds the word it tried to read
      // (optee-a's pages come from the pools; optee-b's region is placed at TEE_B)
      const host = addr === TEE_A ? vmOf(wb, 'optee-a').gpaToPa(TEE_A) : addr
      const word = new DataView(wb.machine.bus.dump(host, 4).buffer).getInt32(0, true)
      expect(word).not.toBe(0) // OP-TEE's first instruction, not an empty page
      const hart = wb.machine.cpus[gpos.vcpus[0]!.pcpu] as unknown as RiscvHart
      expect(Array.from({ length: 32 }, (_, i) => hart.x[2 * i])).not.toContain(word)
      // every other VM runs on; the other pair printed exactly what it prints alone
      expect(hv.vms.filter((v) => v !== gpos).map((v) => [v.name, v.state])).toEqual([['optee-a', 'running'], ['optee-b', 'running'], ['gpos-b', 'running']])
      expect(wb.vm('gpos-b').console.read()).toBe(await gposBAlone())
      // its TEE was not harmed: it still answers (as the GPOS would call it, from the API)
      expect(wb.vm('gpos-b').teeCall(0xbf00ff01)[0]).toBe(0x384fb3e0n)
    })
  }
})

describe('TEE A never sees TEE B\'s memory', () => {
  it('optee-a\'s TA reading optee-b\'s memory disables optee-a alone; gpos-a gets 7, pair B runs on', async () => {
    const name = `gpos-a-peeks-0x${TEE_B.toString(16)}`
    const wb = await pairsWith(name)
    const hv = wb.hypervisor!
    expect(wb.vm(name).console.waitFor(`${name}: done`, { ms: 2000 })).toBe(true)
    expect(wb.vm('gpos-b').console.waitFor('gpos-b: done', { ms: 2000 })).toBe(true)
    const teeA = vmOf(wb, 'optee-a'), teeB = vmOf(wb, 'optee-b')
    const before = wb.machine.bus.dump(TEE_B, 64)
    expect(teeA.state).toBe('faulted')
    expect(teeA.fault).toMatchObject({ vmName: 'optee-a', addr: BigInt(TEE_B), cause: 'illegal load' })
    expect(hv.log.lines.map((l) => l.text)).toContain(`VM ${teeA.id} performed illegal access. Disabling.`)
    const lines = wb.vm(name).console.read().split('\n')
    expect(lines).toContain(`${name}: TEE 1 counter TA: peek at 0x${TEE_B.toString(16)} -> 0xffff000e (origin comms, a0 = 7)`)
    expect(lines).toContain(`${name}: TEE 1 CALLS_UID after the fault -> a0 = 7`)
    expect(wb.vm(name).console.read()).not.toContain('isolation broken')
    // optee-b and its GPOS: untouched, exactly as alone
    expect([teeB.state, vmOf(wb, 'gpos-b').state, vmOf(wb, name).state]).toEqual(['running', 'running', 'running'])
    expect(wb.vm('gpos-b').console.read()).toBe(await gposBAlone())
    expect(wb.machine.bus.dump(TEE_B, 64)).toEqual(before)
  })
})

/** tee-os's key store MAC (guests/riscv64-vm/tee-os/ta_keystore.c): HMAC's shape over 64-bit FNV-1a */
function keystoreMac(key: Uint8Array, msg: string): bigint {
  const M = (1n << 64n) - 1n
  const fnv = (h: bigint, bytes: Iterable<number>): bigint => {
    for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & M
    return h
  }
  const pad = (p: number): bigint => fnv(0xcbf29ce484222325n, Array.from({ length: 64 }, (_, i) => (i < key.length ? key[i]! : 0) ^ p))
  const inner = fnv(pad(0x36), Buffer.from(msg))
  return fnv(pad(0x5c), Array.from({ length: 8 }, (_, i) => Number((inner >> BigInt(56 - 8 * i)) & 0xffn)))
}

describe('the key store\'s secret never appears in GPOS memory', () => {
  it('a key made in the TEE and used by the GPOS is in the TEE\'s RAM and nowhere in the GPOS\'s RAM or shared buffer', async () => {
    const data = JSON.parse(readFileSync(config('tee'), 'utf8'))
    data.vms[0].children[0].name = 'gpos-sealed'
    const wb = await Workbench.open({ config: config('tee'), configData: data })
    const bus = wb.machine.bus
    expect(wb.vm('gpos-sealed').console.waitFor('gpos-sealed: done', { ms: 2000 })).toBe(true)
    const out = wb.vm('gpos-sealed').console.read()
    expect(out).toContain('gpos-sealed: TEE 1 keystore TA: generate a 32-byte key in the TEE -> ok')
    expect(out).toContain('gpos-sealed: TEE 1 keystore TA: read the key -> 0xffff0001 (origin ta)')

    // the key, where tee-os keeps it (its symbols `key`, `key_len`)
    const elf = parseElf(readFileSync(TEE_OS_ELF))
    const tee = vmOf(wb, 'optee'), gpos = vmOf(wb, 'gpos-sealed')
    const at = (sym: string): number => tee.gpaToPa(Number(symbolByName(elf, sym)!.value))
    const len = Number(new DataView(bus.dump(at('key_len'), 8).buffer).getBigUint64(0, true))
    expect(len).toBe(32)
    const key = bus.dump(at('key'), len)
    expect(key.some((b) => b !== 0)).toBe(true)
    // it is the key in use: the GPOS's checksum is the MAC under it
    const mac = /checksum "attack at dawn" -> ok, checksum ([0-9a-f]{16})/.exec(out)![1]!
    expect(keystoreMac(key, 'attack at dawn').toString(16).padStart(16, '0')).toBe(mac)

    // every 8-byte piece of it, searched in all the memory the GPOS can reach
    const pieces = [0, 8, 16, 24].map((o) => Buffer.from(key.subarray(o, o + 8)))
    const found = (vm: Vm): string[] => {
      const hits: string[] = []
      for (const e of vm.stage2.entries) {
        if (e.kind !== 'ram' && e.kind !== 'ipc') continue
        const CHUNK = 1 << 24
        for (let off = 0; off < e.size; off += CHUNK) {
          const n = Math.min(CHUNK + 7, e.size - off)
          const mem = Buffer.from(bus.dump(e.pa + off, n))
          for (const p of pieces) if (mem.indexOf(p) >= 0) hits.push(`${e.kind} 0x${(e.gpa + off).toString(16)}`)
        }
      }
      return hits
    }
    expect(gpos.stage2.entries.filter((e) => e.kind === 'ram' || e.kind === 'ipc').length).toBeGreaterThan(1)
    expect(found(gpos)).toEqual([])
    // the search finds it where it is
    expect(found(tee).length).toBeGreaterThan(0)
  })
})
