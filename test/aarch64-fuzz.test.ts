/**
 * Random A64 words on Armv8 (DESIGN "Bad input"; the RISC-V counterparts are test/hyp-fuzz.test.ts
 * and test/hyp-isolation.test.ts): 10^6 random 32-bit words executed by a VM at EL1 under the
 * hypervisor, and more with the VM's MMU off (the same bare: test/aarch64-fuzz-bare.test.ts). The
 * host never throws and every run ends; an undefined encoding is the guest's own UNDEFINED exception, as on hardware; HVC and
 * SMC are answered; a guest never touches a host page outside its map (a bus observer sees every
 * access of its pCPU, its stage-1 walks included), and what leaves its map is a stage-2 fault that
 * stops that VM alone, reported; the demo VM on the other pCPU prints what it always prints and
 * echoes typed bytes throughout. The guest is plugins/arch-aarch64/test/images/hyp/fuzz.S, a tiny
 * runtime whose exception vectors count and go on with the next word; the test writes the words
 * and the register files they start with into its memory (test/aarch64-fuzz-util.ts). Fixed
 * seeds: every run is the same run.
 */
import { describe, expect, it } from 'vitest'
import type { HvVmConfig } from '../core/hypervisor/config.ts'
import type { A64Cpu } from '../plugins/arch-aarch64/cpu.ts'
import {
  BASE, bootData, callWords, counts, demoWatch, drive, expectPlausible, FUZZ_FLAT, hostRanges, hypGicActive, MODE_WORDS, O,
  randomWords, registerFiles, setup, twoVms, vmMem, watchAccesses, watchTraps, xorshift32,
} from './aarch64-fuzz-util.ts'
import { vmNamed } from './hyp-util.ts'

// ---- random words ----

describe('random A64 words executed by a VM', () => {
  const N = 1_000_000
  /** the words whose every access the bus observer checks (it sends all of them down the slow path: a quarter of the speed) */
  const OBSERVED = 100_000

  it('10^6 at EL1 under the hypervisor: UNDEFINED and aborts are the guest\'s own, HVC and SMC are answered, nothing else reaches EL2; the demo runs on', async () => {
    const sys = await bootData(twoVms())
    const m = sys.machine
    const fuzz = vmNamed(sys, 'fuzz'), demo = vmNamed(sys, 'demo')
    const mem = vmMem(m, () => fuzz)
    const rnd = xorshift32(0x5eed_a64)
    const { words, slots } = randomWords(rnd, N)
    setup(mem, MODE_WORDS, N)
    mem.write(BASE + O.REGS, registerFiles(rnd))
    mem.write(BASE + O.AREA, slots)
    const acc = watchAccesses(m, fuzz.vcpus[0]!.pcpu, hostRanges(() => fuzz), hypGicActive(sys))
    const traps = watchTraps(m.cpus[fuzz.vcpus[0]!.pcpu] as unknown as A64Cpu)
    const watch = demoWatch(demo, () => counts(mem).cur > 0 && !counts(mem).done)
    drive(sys, watch, () => {
      if (counts(mem).cur >= OBSERVED) acc.stop()
      return counts(mem).done
    }, 300)
    const c = counts(mem)
    expectPlausible(c, N, words)
    expect(fuzz.state).toBe('running')
    expect(fuzz.console.text()).toBe('fuzz start\nfuzz done\n')
    // at EL2: physical IRQs (the watchdog's PPI 27, the vGIC's maintenance), and every HVC and SMC
    // a word made (x0 random: an error code back); no stage-2 abort, no other class
    const w = callWords(words)
    expect([...traps.keys()].sort()).toEqual(['ec 16', 'ec 17', 'irq'])
    expect(Math.abs(traps.get('ec 16')! - w.hvc)).toBeLessThanOrEqual(2)
    expect(Math.abs(traps.get('ec 17')! - w.smc)).toBeLessThanOrEqual(2)
    expect(fuzz.hypercalls).toBe(traps.get('ec 16'))
    expect(sys.hv.log.lines.filter((l) => l.level !== 'INFO')).toEqual([])
    expect(acc.outside).toEqual([])
    expect(acc.seen()).toBeGreaterThan(10 * OBSERVED)
    watch.check(20)
  })

  it('with its MMU off (half of them loads and stores, half the pointers at its device windows): each access outside its map is a stage-2 fault that stops it alone, reported; restarted, it goes on; the demo runs on', async () => {
    const WORDS = 20_000, FAULTS = 300
    const sys = await bootData(twoVms(FUZZ_FLAT))
    const m = sys.machine
    let fuzz = vmNamed(sys, 'fuzz')
    const demo = vmNamed(sys, 'demo')
    const config: HvVmConfig = structuredClone(fuzz.config)
    const mem = vmMem(m, () => fuzz)
    const rnd = xorshift32(0xf1a7_5eed)
    const regs = registerFiles(rnd, 0.5)
    const { words, slots } = randomWords(rnd, WORDS, 0.5)
    const load = (from: number): void => {
      setup(mem, MODE_WORDS, WORDS, from)
      mem.write(BASE + O.REGS, regs)
      mem.write(BASE + O.AREA, slots)
    }
    load(0)
    const pcpu = fuzz.vcpus[0]!.pcpu
    const acc = watchAccesses(m, pcpu, hostRanges(() => fuzz), hypGicActive(sys))
    const faults: string[] = []
    const errors: string[] = []
    sys.hv.log.onLine((l) => { if (l.level === 'ERROR') errors.push(l.text) })
    let done = 0
    const watch = demoWatch(demo, () => faults.length > 0 && done < WORDS)
    const isAccess = (w: number): boolean => ((w >>> 25) & 5) === 4 || (w >>> 22) === 0x354 // loads and stores, or a system instruction (DC)
    while (faults.length < FAULTS) {
      drive(sys, watch, () => fuzz.state !== 'running' || counts(mem).done, 50)
      if (fuzz.state === 'running') break // the words ran out first
      // stopped at the fault, reported; nothing else of it runs
      expect(fuzz.state).toBe('faulted')
      const f = fuzz.fault!
      const c = counts(mem)
      faults.push(f.cause)
      expect(f).toMatchObject({ vm: fuzz.id, vmName: 'fuzz', vcpu: 0 })
      expect(errors.at(-1)).toBe(`VM ${fuzz.id} (fuzz) vCPU 0 ${f.cause} at 0x${f.addr.toString(16)} (pc 0x${f.pc.toString(16)}). Disabling.`)
      expect(m.cpus[pcpu]!.halted).toBe(true)
      // outside its map (or a fetch from a window it may not execute), by the word the runtime entered or one it branched to
      const e = f.addr < 2n ** 53n ? fuzz.stage2.lookup(Number(f.addr)) : undefined
      if (f.cause === 'illegal instruction fetch') {
        expect(f.addr).toBe(f.pc)
        expect(e === undefined || e.kind !== 'ram').toBe(true)
      } else {
        expect(e === undefined || e.kind === 'emulated').toBe(true) // an exclusive or atomic access to an emulated window faults too
        const inSlots = f.pc >= BigInt(BASE + O.AREA) && f.pc < BigInt(BASE + O.AREA + 8 * WORDS)
        expect(inSlots).toBe(true)
        const at = Number(f.pc - BigInt(BASE + O.AREA)) / 8
        expect(isAccess(words[Math.floor(at)]!), `word 0x${words[Math.floor(at)]!.toString(16)} at ${f.pc.toString(16)}`).toBe(true)
      }
      done = c.cur
      // a fresh VM from the same config, at the next word
      sys.hv.destroyVm(fuzz)
      fuzz = sys.hv.createVmAtRuntime(structuredClone(config))
      expect(fuzz.vcpus[0]!.pcpu).toBe(pcpu)
      load(done)
    }
    acc.stop()
    expect(faults.length).toBe(FAULTS)
    expect(new Set(faults)).toEqual(new Set(['illegal load', 'illegal store', 'illegal instruction fetch']))
    expect(errors.length).toBe(FAULTS) // one report each, of the fuzz VM only
    expect(acc.outside).toEqual([])
    expect(demo.state).toBe('running')
    watch.check(5)
  })
})
