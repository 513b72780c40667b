/**
 * Type feedback for the A64 execute loop before any guest runs (the RISC-V hart's warm-up.ts has
 * the long story): V8 optimises `exec` with the feedback it has seen, and a case the loop meets
 * later without feedback deoptimises it; the loop is big, so V8 waits long before optimising it
 * again — measured on bench/a64-loop, three such deoptimisations left it unoptimised for the rest
 * of the run, at a fraction of its speed. So the first hart made runs this program on a scratch
 * bus of its own: every ALU form and width, moves, bitfields, conditional selects, the 1-, 2- and
 * 3-source ops, every branch, loads and stores of every size and addressing mode (TLB hits and
 * misses, misaligned, the code page), pairs, V-register loads and stores, an FP and a SIMD op,
 * system registers, exclusives, LDTR, SVC into a vector that ERETs, TLBI; operands of both signs
 * (each round negates them: `x >>> 0` sites that saw only small values deoptimise on "lost
 * precision") — and, once V8 has made the feedback vector, decoding slots met for the first time. Nothing of it reaches a machine.
 */
import { MemoryBus } from '../../core/bus.ts'
import { Scheduler } from '../../core/scheduler.ts'
import { A64Cpu } from './cpu.ts'

const BASE = 0x4000_0000
/** where the program's vector table's "current EL, SPx, synchronous" entry is: VBAR (0x800) + 0x200 */
const SYNC_VECTOR = 0xa00
/** its literal (`ldr x3, lit`) */
const LIT = 0x2c0
const ERET = 0xd69f03e0

/** the program, as assembled (aarch64-linux-gnu-as -march=armv8-a+crc, linked at 0x40000000): vectors at +0x800, data at +0x1000 */
const PROGRAM = [
  0x10004009, // adr x9, vectors
  0xd518c009, // msr vbar_el1, x9
  0xb000000a, // adrp x10, data
  0xd104012d, // sub x13, x9, #0x100
  0xd2a00604, // mov x4, #0x300000
  0xd5181044, // msr cpacr_el1, x4
  0xd2824680, // mov x0, #0x1234
  0xf2aacf00, // movk x0, #0x5678, lsl #16
  0x928000c1, // mov x1, #0xfffffffffffffff9
  0xd2800062, // mov x2, #0x3
  0xd2800005, // mov x5, #0x0
  0x9108014c, // add x12, x10, #0x200
  0x9100019f, // mov sp, x12
  0x8b010003, // add x3, x0, x1
  0x0b010003, // add w3, w0, w1
  0xab010003, // adds x3, x0, x1
  0x2b010003, // adds w3, w0, w1
  0x9a010003, // adc x3, x0, x1
  0x1a010003, // adc w3, w0, w1
  0xba010003, // adcs x3, x0, x1
  0x3a010003, // adcs w3, w0, w1
  0x8a010003, // and x3, x0, x1
  0x0a010003, // and w3, w0, w1
  0xea010003, // ands x3, x0, x1
  0x6a010003, // ands w3, w0, w1
  0xaa010003, // orr x3, x0, x1
  0x2a010003, // orr w3, w0, w1
  0xca010003, // eor x3, x0, x1
  0x4a010003, // eor w3, w0, w1
  0x91001403, // add x3, x0, #0x5
  0x8b010c03, // add x3, x0, x1, lsl #3
  0x8b21c003, // add x3, x0, w1, sxtw
  0x8a210003, // bic x3, x0, x1
  0xcb010003, // sub x3, x0, x1
  0xf1000403, // subs x3, x0, #0x1
  0xfa411004, // ccmp x0, x1, #0x4, ne
  0x7a410000, // ccmp w0, w1, #0x0, eq
  0xd2a00843, // mov x3, #0x420000
  0x92800023, // mov x3, #0xfffffffffffffffe
  0xf2e00023, // movk x3, #0x1, lsl #48
  0xf2c00043, // movk x3, #0x2, lsl #32
  0xf2a00063, // movk x3, #0x3, lsl #16
  0xf2800083, // movk x3, #0x4
  0x72a000a3, // movk w3, #0x5, lsl #16
  0x10fffc23, // adr x3, loop
  0x90000003, // adrp x3, _start
  0xd3442c03, // ubfx x3, x0, #4, #8
  0x93442c03, // sbfx x3, x0, #4, #8
  0xb37c1c03, // bfi x3, x0, #4, #8
  0x93c11403, // extr x3, x0, x1, #5
  0x9a810003, // csel x3, x0, x1, eq
  0x9a811403, // csinc x3, x0, x1, ne
  0xda810003, // csinv x3, x0, x1, eq
  0xda811403, // csneg x3, x0, x1, ne
  0x9ac22003, // lsl x3, x0, x2
  0x9ac20803, // udiv x3, x0, x2
  0x1ac20c03, // sdiv w3, w0, w2
  0xdac01003, // clz x3, x0
  0xdac00c03, // rev x3, x0
  0x9b010803, // madd x3, x0, x1, x2
  0x9b210803, // smaddl x3, w0, w1, x2
  0x9bc17c03, // umulh x3, x0, x1
  0x1ac14003, // crc32b w3, w0, w1
  0x54000020, // b.eq loop+0xcc
  0x54000021, // b.ne loop+0xd0
  0xb4000020, // cbz x0, loop+0xd4
  0xb5000020, // cbnz x0, loop+0xd8
  0x36080020, // tbz w0, #1, loop+0xdc
  0x37100020, // tbnz w0, #2, loop+0xe0
  0xb6400020, // tbz x0, #40, loop+0xe4
  0xb7f80021, // tbnz x1, #63, loop+0xe8
  0x94000067, // bl func
  0x10000ccb, // adr x11, func
  0xd63f0160, // blr x11
  0x1000004b, // adr x11, loop+0xfc
  0xd61f0160, // br x11
  0x39400143, // ldrb w3, [x10]
  0x39800543, // ldrsb x3, [x10, #1]
  0x39c00543, // ldrsb w3, [x10, #1]
  0x79400543, // ldrh w3, [x10, #2]
  0x79800543, // ldrsh x3, [x10, #2]
  0x79c00543, // ldrsh w3, [x10, #2]
  0xb9400543, // ldr w3, [x10, #4]
  0xb9800543, // ldrsw x3, [x10, #4]
  0xf9400543, // ldr x3, [x10, #8]
  0x39004140, // strb w0, [x10, #16]
  0x79002540, // strh w0, [x10, #18]
  0xb9001540, // str w0, [x10, #20]
  0xf9000d40, // str x0, [x10, #24]
  0xf8408d43, // ldr x3, [x10, #8]!
  0xf85f8543, // ldr x3, [x10], #-8
  0xf8627943, // ldr x3, [x10, x2, lsl #3]
  0x58000a83, // ldr x3, lit
  0xa9401143, // ldp x3, x4, [x10]
  0x29401143, // ldp w3, w4, [x10]
  0x69401143, // ldpsw x3, x4, [x10]
  0xa9020540, // stp x0, x1, [x10, #32]
  0x29060540, // stp w0, w1, [x10, #48]
  0xf9800140, // prfm pldl1keep, [x10]
  0xf81f0fe0, // str x0, [sp, #-16]!
  0xf84107e3, // ldr x3, [sp], #16
  0xa9bf07e0, // stp x0, x1, [sp, #-16]!
  0xa8c113e3, // ldp x3, x4, [sp], #16
  0xb9400be3, // ldr w3, [sp, #8]
  0x390023e3, // strb w3, [sp, #8]
  0xd503201f, // nop
  0x3dc00140, // ldr q0, [x10]
  0x3d801140, // str q0, [x10, #64]
  0xad400540, // ldp q0, q1, [x10]
  0xad020540, // stp q0, q1, [x10, #64]
  0xfd400141, // ldr d1, [x10]
  0xbd006141, // str s1, [x10, #96]
  0x1e612802, // fadd d2, d0, d1
  0x4ea18402, // add v2.4s, v0.4s, v1.4s
  0xd53bd043, // mrs x3, tpidr_el0
  0xd51bd043, // msr tpidr_el0, x3
  0xc85f7d43, // ldxr x3, [x10]
  0xc8047d43, // stxr w4, x3, [x10]
  0xf8400943, // ldtr x3, [x10]
  0xd4000001, // svc #0x0
  0xd508871f, // tlbi vmalle1
  0x39400143, // ldrb w3, [x10]
  0xd508871f, // tlbi vmalle1
  0x39800143, // ldrsb x3, [x10]
  0xd508871f, // tlbi vmalle1
  0x39c00143, // ldrsb w3, [x10]
  0xd508871f, // tlbi vmalle1
  0x79400143, // ldrh w3, [x10]
  0xd508871f, // tlbi vmalle1
  0x79800143, // ldrsh x3, [x10]
  0xd508871f, // tlbi vmalle1
  0x79c00143, // ldrsh w3, [x10]
  0xd508871f, // tlbi vmalle1
  0xb9400143, // ldr w3, [x10]
  0xd508871f, // tlbi vmalle1
  0xb9800143, // ldrsw x3, [x10]
  0xd508871f, // tlbi vmalle1
  0xf9400543, // ldr x3, [x10, #8]
  0xd508871f, // tlbi vmalle1
  0xa9401143, // ldp x3, x4, [x10]
  0xd508871f, // tlbi vmalle1
  0x29401143, // ldp w3, w4, [x10]
  0xd508871f, // tlbi vmalle1
  0x69401143, // ldpsw x3, x4, [x10]
  0xd508871f, // tlbi vmalle1
  0x39002543, // strb w3, [x10, #9]
  0xd508871f, // tlbi vmalle1
  0x79001543, // strh w3, [x10, #10]
  0xd508871f, // tlbi vmalle1
  0xb9000d43, // str w3, [x10, #12]
  0xd508871f, // tlbi vmalle1
  0xf9000543, // str x3, [x10, #8]
  0xd508871f, // tlbi vmalle1
  0xa9021143, // stp x3, x4, [x10, #32]
  0xd508871f, // tlbi vmalle1
  0x29011143, // stp w3, w4, [x10, #8]
  0xd508871f, // tlbi vmalle1
  0x3dc00540, // ldr q0, [x10, #16]
  0xd508871f, // tlbi vmalle1
  0x3d800540, // str q0, [x10, #16]
  0xd508871f, // tlbi vmalle1
  0xad400540, // ldp q0, q1, [x10]
  0xd508871f, // tlbi vmalle1
  0xad020540, // stp q0, q1, [x10, #64]
  0xd508871f, // tlbi vmalle1
  0xfd400141, // ldr d1, [x10]
  0xd508871f, // tlbi vmalle1
  0xfd003141, // str d1, [x10, #96]
  0xf8401143, // ldur x3, [x10, #1]
  0xf90001a0, // str x0, [x13]
  0x910004a5, // add x5, x5, #0x1
  0xcb0003e0, // neg x0, x0
  0xcb0103e1, // neg x1, x1
  0x17ffff60, // b loop
  0xd65f03c0, // ret (func)
]

let warmed = false

/** Once per process, before the first hart is made. */
export function warmUp(): void {
  if (warmed) return
  warmed = true
  runWarmUp()
}

/** The program on a scratch bus and hart of its own; returns the hart (tests check it never went astray). */
export function runWarmUp(): A64Cpu {
  const bus = new MemoryBus(3 * 4096)
  bus.addRam(BASE, 3 * 4096)
  const word = (at: number, w: number): void => bus.load(BASE + at, Uint8Array.of(w & 255, (w >>> 8) & 255, (w >>> 16) & 255, w >>> 24))
  PROGRAM.forEach((w, i) => word(4 * i, w))
  word(LIT, 0x55667788)
  word(LIT + 4, 0x11223344)
  word(SYNC_VECTOR, ERET)
  const h = new A64Cpu({ bus, sched: new Scheduler(), cpuHz: 100_000_000, timebaseHz: 62_500_000, cpus: 1 }, 0)
  h.reset(BigInt(BASE))
  const page = bus.ramOffset(BASE) >>> 12
  // many short calls: V8 gives a function its feedback vector only after a few; the slots are
  // forgotten once it has, so that decoding a slot met for the first time gets feedback too
  for (let i = 0; i < 60; i++) {
    if (i === 10) h.code.page(page).fill(0)
    h.run(97)
  }
  return h
}
