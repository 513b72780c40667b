/**
 * A machine for the AArch64 tests without a board plugin: RAM at QEMU virt's 0x4000_0000, a
 * stand-in for the PL011's data register at 0x0900_0000 that records the bytes written, the
 * harts, and PSCI over HVC (SYSTEM_OFF ends the run, as it ends QEMU).
 */
import { MemoryBus } from '../../../core/bus.ts'
import { loadImage } from '../../../core/loader/image.ts'
import { Scheduler } from '../../../core/scheduler.ts'
import { A64Cpu } from '../cpu.ts'
import { Psci } from '../psci.ts'

export const RAM_BASE = 0x4000_0000
export const UART_BASE = 0x0900_0000

export interface TestMachine {
  bus: MemoryBus
  sched: Scheduler
  cpus: A64Cpu[]
  cpu: A64Cpu
  power: { off: boolean; code: number }
  /** the UART's output so far */
  out(): string
  /** run until poweroff, all harts idle, or `cycles` */
  run(cycles?: number): string
}

export function testMachine(opts: { ramBytes?: number; cpus?: number; el2?: boolean; lse?: boolean } = {}): TestMachine {
  const ramBytes = opts.ramBytes ?? 0x100_0000
  const bus = new MemoryBus(ramBytes)
  bus.addRam(RAM_BASE, ramBytes)
  const bytes: number[] = []
  bus.addMmio(UART_BASE, 0x1000, 'uart', {
    // UARTFR (0x18) reads 0: transmit FIFO never full
    read: () => 0,
    write: (off, _size, v) => { if (off === 0) bytes.push(v & 0xff) },
  })
  const sched = new Scheduler(1000)
  const n = opts.cpus ?? 1
  const host = { bus, sched, cpuHz: 1_000_000_000, timebaseHz: 62_500_000, cpus: n }
  const harts = Array.from({ length: n }, (_, i) => new A64Cpu(host, i, { el2: opts.el2, lse: opts.lse }))
  for (const h of harts) sched.add(h)
  const power = { off: false, code: 0 }
  const psci = new Psci(harts, {
    poweroff(code) { power.off = true; power.code = code; for (const h of harts) h.halt(); sched.stop() },
    reset() { power.off = true; power.code = -1; for (const h of harts) h.halt(); sched.stop() },
  })
  for (const h of harts) h.firmware = psci
  const out = (): string => Buffer.from(bytes).toString('latin1')
  return {
    bus, sched, cpus: harts, cpu: harts[0]!, power, out,
    run(cycles = 50_000_000) { sched.run({ cycles }); return out() },
  }
}

/** Boot an ELF as QEMU's -kernel does: hart 0 at the entry in EL1h, the others powered off. */
export function bootElf(path: string, opts: { cpus?: number; lse?: boolean } = {}): TestMachine {
  const m = testMachine(opts)
  const img = loadImage(m.bus, path, { elfMachine: 183 })
  for (const h of m.cpus) {
    h.reset(img.entry)
    if (h.id !== 0) { h.off = true; h.idle = true }
  }
  return m
}

/**
 * Put instruction words at RAM_BASE and run them on hart 0 from there: `steps` instructions
 * (default: all of them). Registers and memory are the caller's to set up before (`setup`).
 */
export function runWords(words: number[], setup?: (m: TestMachine) => void, steps = words.length, opts: { lse?: boolean } = {}): TestMachine {
  const m = testMachine(opts)
  words.forEach((w, i) => m.bus.write32(RAM_BASE + 4 * i, w >>> 0))
  m.cpu.reset(BigInt(RAM_BASE))
  setup?.(m)
  m.cpu.run(steps)
  return m
}
