/**
 * 10^6 random A64 words executed bare (the RISC-V counterpart is test/hyp-fuzz.test.ts; the same
 * under the hypervisor is test/aarch64-fuzz.test.ts): the runtime of
 * plugins/arch-aarch64/test/images/hyp/fuzz.S booted as QEMU virt's -kernel boots it, at EL1 with
 * no EL2, takes every random word's exception itself and goes on with the next. The host never
 * throws and the run ends; an undefined encoding is the guest's UNDEFINED exception, as on
 * hardware; HVC reaches QEMU's PSCI firmware (random x0: NOT_SUPPORTED) and SMC, with no firmware
 * behind it, is UNDEFINED; no access of the CPU, its stage-1 walks included, leaves the runtime's
 * own stage-1 map. Fixed seed: every run is the same run.
 */
import { describe, expect, it } from 'vitest'
import { Workbench } from '../core/api.ts'
import {
  BASE, bareMem, counts, expectPlausible, FUZZ, GICC, GICD, MODE_WORDS, MS, O, RAM, randomWords, registerFiles, setup, UART,
  watchAccesses, xorshift32,
} from './aarch64-fuzz-util.ts'

describe('10^6 random A64 words, bare', () => {
  const N = 1_000_000
  /** the words whose every access the bus observer checks (it sends all of them down the slow path: a quarter of the speed) */
  const OBSERVED = 100_000

  it('at EL1 (QEMU virt -kernel): each ends in the guest\'s own exception or falls through; nothing outside its map is touched', async () => {
    const wb = await Workbench.open({ bare: FUZZ, board: 'qemu-virt-aarch64' })
    const m = wb.machine
    const mem = bareMem(m)
    const rnd = xorshift32(0xa64_f00d)
    const { words, slots } = randomWords(rnd, N)
    setup(mem, MODE_WORDS, N)
    mem.write(BASE + O.REGS, registerFiles(rnd))
    mem.write(BASE + O.AREA, slots)
    // the runtime's own map: its RAM, the GICD page, GICC's two, the UART page
    const map = [{ base: BASE, size: RAM }, { base: GICD, size: 0x1000 }, { base: GICC, size: 0x2000 }, { base: UART, size: 0x1000 }]
    const acc = watchAccesses(m, 0, () => map)
    let out = ''
    m.serial('uart0').onOutput((b) => { out += String.fromCharCode(b) })
    for (let i = 0; i < 300 && !counts(mem).done; i++) {
      expect(m.sched.run({ cycles: 1 * MS })).toBe('limit')
      if (counts(mem).cur >= OBSERVED) acc.stop()
    }
    const c = counts(mem)
    expectPlausible(c, N, words)
    // HVC is QEMU's PSCI firmware (x0 random: NOT_SUPPORTED), SMC has no firmware: UNDEFINED
    expect(out).toBe('fuzz start\nfuzz done\n')
    expect(acc.outside).toEqual([])
    expect(acc.seen()).toBeGreaterThan(10 * OBSERVED)
    expect(m.power.off).toBe(false)
    expect(m.cpus.slice(1).every((h) => h.halted)).toBe(true) // no random word started another CPU
  })
})
