/**
 * The harness of the Arm fuzz tests (test/aarch64-fuzz.test.ts, test/aarch64-fuzz-bare.test.ts,
 * test/aarch64-call-fuzz.test.ts): the layout of their guest, plugins/arch-aarch64/test/images/hyp/
 * fuzz.S, its memory as the test reads and writes it, the random words and register files it
 * runs, what it counted; a bus observer of one pCPU's accesses; the demo VM beside it, typed at
 * and checked line by line.
 */
import { join } from 'node:path'
import { expect } from 'vitest'
import { bootConfig, type BootedSystem } from '../core/boot.ts'
import type { Vm } from '../core/hypervisor/vm.ts'
import type { Machine } from '../core/machine.ts'
import { PluginHost } from '../core/plugins.ts'
import { EC, VEC_IRQ } from '../plugins/arch-aarch64/exceptions.ts'
import type { A64Cpu } from '../plugins/arch-aarch64/cpu.ts'
import type { A64Hyp } from '../plugins/arch-aarch64/hyp/a64-hyp.ts'
import { root } from './hyp-util.ts'

export const IMAGES = join(root, 'plugins', 'arch-aarch64', 'test', 'images', 'hyp')
export const FUZZ = join(IMAGES, 'fuzz.bin')
/** the same runtime with its MMU off: a word's addresses are IPAs */
export const FUZZ_FLAT = join(IMAGES, 'fuzz-flat.bin')
export const DEMO = join(root, 'guests', 'images', 'aarch64-vm', 'demo-0x50000000.bin')

/** fuzz.S's layout: offsets from its load address */
export const BASE = 0x5000_0000
export const O = { DATA: 0x20000, PARAMS: 0x30000, REGS: 0x40000, SCRATCH: 0x10_0000, AREA: 0x20_0000, RESULTS: 0x100_0000 }
export const RAM = 32 << 20
/** where each slot's `b next` goes */
export const NEXT = 0x40
export const MODE_WORDS = 1, MODE_CALLS = 2
/** the watchdog: CNTV ticks (62.5 MHz) between its interrupts, 100 µs */
export const TICK = 6250
export const GICD = 0x0800_0000, GICC = 0x0801_0000, UART = 0x0900_0000
/** cycles per ms (qemu-virt-aarch64: 1 GHz) */
export const MS = 1_000_000

/** xorshift32 (Marsaglia 2003, shifts 13, 17, 5): a fixed sequence of 32-bit words */
export function xorshift32(seed: number): () => number {
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

// ---- the guest's memory and its runtime ----

/** A guest's memory as the test sees it: bare (physical = guest address) or a VM's, through its stage 2. */
export interface GuestMem {
  write(gpa: number, bytes: Uint8Array): void
  read(gpa: number, len: number): Uint8Array
}

export function bareMem(m: Machine): GuestMem {
  return { write: (gpa, b) => m.bus.load(gpa, b), read: (gpa, len) => m.bus.dump(gpa, len).slice() }
}

export function vmMem(m: Machine, vm: () => Vm): GuestMem {
  const pages = (gpa: number, len: number, fn: (pa: number, off: number, n: number) => void): void => {
    for (let off = 0; off < len;) {
      const n = Math.min(4096 - ((gpa + off) % 4096), len - off)
      fn(vm().gpaToPa(gpa + off), off, n)
      off += n
    }
  }
  return {
    write: (gpa, b) => pages(gpa, b.length, (pa, off, n) => m.bus.load(pa, b.subarray(off, off + n))),
    read: (gpa, len) => {
      const out = new Uint8Array(len)
      pages(gpa, len, (pa, off, n) => out.set(m.bus.dump(pa, n), off))
      return out
    },
  }
}

export const u64s = (b: Uint8Array): bigint[] => Array.from(new BigUint64Array(b.slice().buffer))
export const u64Bytes = (v: bigint[]): Uint8Array => new Uint8Array(new BigUint64Array(v).buffer)

/** the runtime's parameters; `from`: the word or call to go on with (D_CUR) */
export function setup(mem: GuestMem, mode: number, count: number, from = 0): void {
  mem.write(BASE + O.PARAMS, u64Bytes([BigInt(mode), BigInt(count), BigInt(TICK)]))
  mem.write(BASE + O.DATA, u64Bytes([BigInt(from)]))
}

/** what the runtime counted (fuzz.S DATA) */
export interface Counts { cur: number; done: boolean; ticks: number; clobbered: number; vec: number[]; ec: number[] }

export function counts(mem: GuestMem): Counts {
  const d = u64s(mem.read(BASE + O.DATA, 192 + 64 * 8)).map(Number)
  return { cur: d[0]!, done: d[1] === 1, ticks: d[2]!, clobbered: d[3]!, vec: d.slice(8, 24), ec: d.slice(24, 88) }
}

export const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0)

// ---- the words ----

/**
 * 256 register files (x0..x30, SP) for the words: each register a random 64-bit value, a small
 * one (-1..3), zero or a pointer into the scratch MiB (SP: a 16-byte aligned one there, or
 * random). A fraction `devices` of the pointers go into the GICD page, GICC's two or the UART
 * page instead, so that loads, stores, pairs, exclusives, SIMD and cache operations of every size
 * reach the emulated and passed-through device windows.
 */
export function registerFiles(rnd: () => number, devices = 0): Uint8Array {
  const f = new BigUint64Array(256 * 32)
  const scratch = (align: number): bigint => BigInt(BASE + O.SCRATCH + 0x1_0000 + ((rnd() % 0xe_0000) & -align))
  const device = (): bigint => BigInt([GICD + (rnd() % 0x1000), GICC + (rnd() % 0x2000), UART + (rnd() % 0x1000)][rnd() % 3]!)
  for (let i = 0; i < f.length; i++) {
    const mode = rnd() % 5
    const sp = i % 32 === 31
    f[i] = mode < 2 ? (BigInt(rnd()) << 32n) | BigInt(rnd())
      : mode === 2 ? BigInt.asUintN(64, BigInt((rnd() % 5) - 1))
      : sp ? scratch(16)
      : mode === 3 ? (rnd() / 2 ** 32 < devices ? device() : scratch(1)) : 0n
  }
  return new Uint8Array(f.buffer)
}

/** `count` random words and their slots [word, b next]; a fraction `ldst` of them from the loads and stores (op0 = x1x0) */
export function randomWords(rnd: () => number, count: number, ldst = 0): { words: Uint32Array; slots: Uint8Array } {
  const words = new Uint32Array(count)
  const s = new Uint32Array(2 * count)
  for (let i = 0; i < count; i++) {
    const at = BASE + O.AREA + 8 * i
    const w = rnd()
    words[i] = s[2 * i] = rnd() / 2 ** 32 < ldst ? ((w | (1 << 27)) & ~(1 << 25)) >>> 0 : w
    s[2 * i + 1] = (0x14000000 | (((BASE + NEXT - (at + 4)) >> 2) & 0x3ffffff)) >>> 0
  }
  return { words, slots: new Uint8Array(s.buffer) }
}

/** the exception-generating encodings (C4.1.66): SVC, HVC, SMC, BRK #imm16 */
export function callWords(words: Uint32Array): { svc: number; hvc: number; smc: number; brk: number } {
  const n = { svc: 0, hvc: 0, smc: 0, brk: 0 }
  for (const w of words) {
    const k = (w & 0xffe0001f) >>> 0
    if (k === 0xd4000001) n.svc++
    else if (k === 0xd4000002) n.hvc++
    else if (k === 0xd4000003) n.smc++
    else if (k === 0xd4200000) n.brk++
  }
  return n
}

/**
 * What the guest saw of N words: most end in an exception of its own — UNDEFINED above all (the
 * four top-level groups op0 = 0b00xx are unallocated on an Armv8.0 CPU without SVE: a quarter of
 * all words, and more are in the other groups), then translation, permission and alignment
 * faults — at VBAR_EL1 + 0x200 (EL1, SP_EL1); SVC and BRK as often as the words hold them.
 */
export function expectPlausible(c: Counts, n: number, words: Uint32Array): void {
  expect(c.done).toBe(true)
  expect(c.cur).toBe(n)
  const sync = c.vec[4]! + c.vec[0]!
  expect(sum(c.ec)).toBe(sync + c.vec[8]! + c.vec[12]!) // every synchronous entry counted by class
  expect(c.vec[1]! + c.vec[5]! + c.vec[9]! + c.vec[13]!).toBe(c.ticks) // IRQs: the watchdog's ticks only
  expect(c.ec[EC.UNKNOWN]!).toBeGreaterThan(0.25 * n)
  expect(c.ec[EC.UNKNOWN]!).toBeLessThan(0.9 * n)
  const aborts = c.ec[EC.DABT_CUR]! + c.ec[EC.IABT_CUR]! + c.ec[EC.PC_ALIGN]! + c.ec[EC.SP_ALIGN]!
  expect(aborts).toBeGreaterThan(0.05 * n)
  expect(c.ec[EC.UNKNOWN]! + aborts).toBeGreaterThan(0.6 * n)
  const w = callWords(words)
  expect(Math.abs(c.ec[EC.SVC]! - w.svc)).toBeLessThanOrEqual(2)
  expect(Math.abs(c.ec[EC.BRK]! - w.brk)).toBeLessThanOrEqual(2)
  // nothing reaches EL1 from a lower EL or with EL2's classes
  for (const ec of [EC.IABT_LOW, EC.DABT_LOW, EC.HVC, EC.SMC]) expect(c.ec[ec], `EC ${ec}`).toBe(0)
  // the watchdog is alive: its ticks end the words that do not end (a branch to itself, WFI)
  expect(c.ticks).toBeGreaterThan(0)
}

// ---- watching a pCPU's accesses ----

export interface Range { base: number; size: number }

/**
 * Every access the bus serves for `cpu` (the CPU's loads, stores, stage-1 table walks) outside
 * `hostSide()` (the hypervisor's own, made on the pCPU's behalf), checked against `allowed()`:
 * the ones outside it, and how many were seen.
 */
export function watchAccesses(m: Machine, cpu: number, allowed: () => Range[], hostSide: () => boolean = () => false): { outside: string[]; seen: () => number; stop: () => void } {
  const outside: string[] = []
  let seen = 0
  let stop: (() => void) | null = m.bus.observe((kind, pa, size, _v, c) => {
    if (c !== cpu || hostSide()) return
    seen++
    if (!allowed().some((r) => pa >= r.base && pa + size <= r.base + r.size) && outside.length < 10) outside.push(`${kind} ${size} at 0x${pa.toString(16)}`)
  })
  return { outside, seen: () => seen, stop: () => { stop?.(); stop = null } }
}

/** the host pages behind a VM's map (its RAM, IPC and passed-through device windows), kept while the map is the same */
export function hostRanges(vm: () => Vm): () => Range[] {
  let of: Vm | null = null, n = -1, ranges: Range[] = []
  return () => {
    const v = vm()
    if (v !== of || v.stage2.entries.length !== n) {
      of = v
      n = v.stage2.entries.length
      ranges = v.stage2.entries.filter((e) => e.kind !== 'emulated').map((e) => ({ base: e.pa, size: e.size }))
    }
    return ranges
  }
}

/**
 * Whether the hypervisor's GIC drivers are running: the list registers of the GICH frame and the
 * physical CPU interface are accessed for a pCPU (banked), but by the host, not by its guest.
 */
export function hypGicActive(sys: BootedSystem): () => boolean {
  const hyp = sys.hv.arch as A64Hyp
  let depth = 0
  for (const o of [hyp.port, (hyp as unknown as { phys: object }).phys] as Record<string, unknown>[]) {
    for (const k of Object.getOwnPropertyNames(Object.getPrototypeOf(o))) {
      const f = o[k]
      if (k === 'constructor' || typeof f !== 'function') continue
      o[k] = (...a: unknown[]): unknown => {
        depth++
        try { return f.apply(o, a) } finally { depth-- }
      }
    }
  }
  return () => depth > 0
}

/** What reaches EL2 from `h` (the hypervisor's trap hook, wrapped): counts by vector and class. */
export function watchTraps(h: A64Cpu): Map<string, number> {
  const seen = new Map<string, number>()
  const hook = h.trapHook!
  h.trapHook = (hart, vec, esr, lo, hi) => {
    const k = vec === 0 ? `ec ${(esr >>> 26).toString(16)}` : vec === VEC_IRQ ? 'irq' : `vec ${vec}`
    seen.set(k, (seen.get(k) ?? 0) + 1)
    return hook(hart, vec, esr, lo, hi)
  }
  return seen
}

// ---- the demo beside the fuzz VM ----

/** the demo VM's lines (guests/aarch64-vm/demo/README.md) with one vCPU, before input */
export const DEMO_BOOT = ['hello from demo cpu 0', 'timer: cntv, intid 27', 'tick 1', 'tick 2', 'tick 3', 'echo ready']

/**
 * The demo VM, typed at: once it is ready, one byte per slice while the last one has been echoed.
 * `check()`: it printed exactly its boot lines and one echo per byte, in order, and `during` of
 * them came while `busy()` held.
 */
export function demoWatch(demo: Vm, busy: () => boolean): { slice(): void; check(during: number): void } {
  const lines: string[] = []
  let cur = '', sent = 0, whileBusy = 0
  demo.console.onOutput((b) => {
    if (b !== 10) { cur += String.fromCharCode(b); return }
    lines.push(cur)
    if (busy()) whileBusy++
    cur = ''
  })
  const echoes = (): number => lines.filter((l) => l.startsWith('echo: ')).length
  const byte = (i: number): string => String.fromCharCode(0x61 + (i % 26))
  return {
    slice: () => {
      if (lines.includes('echo ready') && echoes() === sent) demo.console.send(byte(sent++))
    },
    check: (during) => {
      expect(lines).toEqual([...DEMO_BOOT, ...Array.from({ length: echoes() }, (_, i) => `echo: ${byte(i)}`)])
      expect(sent - echoes()).toBeLessThanOrEqual(1)
      expect(whileBusy).toBeGreaterThanOrEqual(during)
      expect(demo.state).toBe('running')
    },
  }
}

/** the fuzz VM alone on pCPU 0, the demo on pCPU 1 with uart0 (its echo takes the RX interrupt) */
export function twoVms(fuzzImage = FUZZ): { board: string; vms: Record<string, unknown>[] } & Record<string, unknown> {
  return {
    board: 'qemu-virt-aarch64',
    vms: [
      {
        name: 'fuzz', image: { path: fuzzImage, baseAddr: '0x50000000' }, cpuNum: 1, cpuAffinity: '0x1',
        regions: [{ base: '0x50000000', size: '32M' }],
        devs: [{ va: '0x09000000', size: '0x1000', emulate: 'pl011' }, { size: 0, interrupts: [27] }],
      },
      {
        name: 'demo', image: { path: DEMO, baseAddr: '0x50000000' }, cpuNum: 1, cpuAffinity: '0x2',
        regions: [{ base: '0x50000000', size: '64M' }],
        devs: [{ pa: '0x09000000', va: '0x09000000', size: '0x1000', interrupts: [33] }, { size: 0, interrupts: [27] }],
      },
    ],
  }
}

/** boot a config given as data (its image paths absolute; checked as if read from a file in test/) */
export const bootData = (data: unknown): Promise<BootedSystem> => bootConfig(join(root, 'test', 'aarch64-fuzz.json'), new PluginHost(), { data })

/** run in 1 ms slices until `done`, at most `ms` of them; the demo is typed at each */
export function drive(sys: BootedSystem, demo: { slice(): void } | null, done: () => boolean, ms: number): void {
  for (let i = 0; i < ms && !done(); i++) {
    demo?.slice()
    expect(sys.machine.sched.run({ cycles: 1 * MS })).toBe('limit')
  }
}
