/**
 * Type feedback for the execute loop before any guest runs. V8 optimises `exec` (execute.ts)
 * with what it has seen; a case it has not seen yet then deoptimises it, and with the
 * translation tier on, `exec` runs so little that it stays unoptimised for a long time after —
 * measured on the suite's workloads, 5 to 17 such deoptimisations per run and interpreted code
 * (cold code, window ends) at a tenth of its speed. So the first hart made runs this program
 * once on a scratch bus of its own: every integer operation, loads and stores of every width
 * (hits, misaligned, TLB misses), every branch taken and not, calls and returns, compressed
 * forms — a few thousand instructions. What it costs (~10 ms on this 2-core machine) is
 * mostly V8 compiling `exec` for the first time, which the first guest would pay anyway; its
 * translation is left out (the translator's own first compile would add as much again to every
 * start, also to runs that never get hot). Nothing of it reaches a real machine.
 */
import { MemoryBus } from '../../core/bus.ts'
import { Scheduler } from '../../core/scheduler.ts'
import { RiscvHart } from './hart.ts'
import { decodeSlot } from './memory.ts'
import { HOT } from './wasm-tier.ts'

const BASE = 0x80000000

/** the program, as assembled (riscv64-unknown-elf-as -march=rv64imac_zifencei): 32-bit words and 16-bit compressed parcels */
const PROGRAM = [
  0x00001417, // auipc s0,0x1
  0x00000297, // auipc t0,0x0
  0x00001537, // lui a0,0x1
  0x2345051b, // addiw a0,a0,564 # 1234 <_start-0x7fffedcc>
  0xff900593, // addi a1,zero,-7
  0x00300613, // addi a2,zero,3
  0x00000693, // addi a3,zero,0
  // stores beside the code on the code page: every width takes the store slow path (store TLBs never map code pages)
  0x7ca28823, // sb a0,2000(t0)
  0x7ca29923, // sh a0,2002(t0)
  0x7ca2aa23, // sw a0,2004(t0)
  0x7ca2bc23, // sd a0,2008(t0)
  // a TLB flush, then loads of both widths that cannot be misaligned miss it (the other widths miss misaligned, below)
  0x12000073, // sfence.vma
  0x7d028703, // lb a4,2000(t0)
  0x00e44703, // lbu a4,14(s0)
  0x00b50733, // add a4,a0,a1
  0x40b50733, // sub a4,a0,a1
  0x00c51733, // sll a4,a0,a2
  0x00a5a733, // slt a4,a1,a0
  0x00a5b733, // sltu a4,a1,a0
  0x00a62733, // slt a4,a2,a0
  0x00a63733, // sltu a4,a2,a0
  0x00962713, // slti a4,a2,9
  0x00963713, // sltiu a4,a2,9
  0x00b54733, // xor a4,a0,a1
  0x00c55733, // srl a4,a0,a2
  0x40c5d733, // sra a4,a1,a2
  0x00b56733, // or a4,a0,a1
  0x00b57733, // and a4,a0,a1
  // lui again inside the loop: the one above runs once, in the first call, before V8 gives `exec`
  // a feedback vector, and a case without feedback deoptimises the loop at its first real use
  0x12345737, // lui a4,0x12345
  0x00552713, // slti a4,a0,5
  0x00553713, // sltiu a4,a0,5
  0x00554713, // xori a4,a0,5
  0x00556713, // ori a4,a0,5
  0x00557713, // andi a4,a0,5
  0x00351713, // slli a4,a0,0x3
  0x00355713, // srli a4,a0,0x3
  0x4035d713, // srai a4,a1,0x3
  0x02851713, // slli a4,a0,0x28
  0x0285d713, // srli a4,a1,0x28
  0x4285d713, // srai a4,a1,0x28
  0x0055071b, // addiw a4,a0,5
  0x0035171b, // slliw a4,a0,0x3
  0x0035571b, // srliw a4,a0,0x3
  0x4035d71b, // sraiw a4,a1,0x3
  0x00b5073b, // addw a4,a0,a1
  0x40b5073b, // subw a4,a0,a1
  0x00c5173b, // sllw a4,a0,a2
  0x00c5573b, // srlw a4,a0,a2
  0x40c5d73b, // sraw a4,a1,a2
  0x02b50733, // mul a4,a0,a1
  0x02b51733, // mulh a4,a0,a1
  0x02b52733, // mulhsu a4,a0,a1
  0x02b53733, // mulhu a4,a0,a1
  0x02b54733, // div a4,a0,a1
  0x02b55733, // divu a4,a0,a1
  0x02b56733, // rem a4,a0,a1
  0x02b57733, // remu a4,a0,a1
  0x02d54733, // div a4,a0,a3
  0x02b5073b, // mulw a4,a0,a1
  0x02b5473b, // divw a4,a0,a1
  0x02b5573b, // divuw a4,a0,a1
  0x02b5673b, // remw a4,a0,a1
  0x02b5773b, // remuw a4,a0,a1
  0x00a43023, // sd a0,0(s0) # 80001000 <func+0xe6c>
  0x00a42423, // sw a0,8(s0)
  0x00a41623, // sh a0,12(s0)
  0x00a40723, // sb a0,14(s0)
  0x00043703, // ld a4,0(s0)
  0x00842703, // lw a4,8(s0)
  0x00846703, // lwu a4,8(s0)
  0x00c41703, // lh a4,12(s0)
  0x00c45703, // lhu a4,12(s0)
  0x00e40703, // lb a4,14(s0)
  0x00e44703, // lbu a4,14(s0)
  0x00143703, // ld a4,1(s0)
  0x00a431a3, // sd a0,3(s0)
  0x7fc42703, // lw a4,2044(s0)
  0x00d41703, // lh a4,13(s0)
  0x00d45703, // lhu a4,13(s0)
  0x00942703, // lw a4,9(s0)
  0x00946703, // lwu a4,9(s0)
  0x00a50263, // beq a0,a0,+4 (taken: the fence is a block start)
  0x0ff0000f, // fence iorw,iorw
  0x00b50263, // beq a0,a1,+4 (not taken: so is the fence.i)
  0x0000100f, // fence.i
  0x00b51263, // bne a0,a1,8000012c <loop+0x110>
  0x00a51263, // bne a0,a0,80000130 <loop+0x114>
  0x00a5c263, // blt a1,a0,80000134 <loop+0x118>
  0x00b54263, // blt a0,a1,80000138 <loop+0x11c>
  0x00b55263, // bge a0,a1,8000013c <loop+0x120>
  0x00a5d263, // bge a1,a0,80000140 <loop+0x124>
  0x00b56263, // bltu a0,a1,80000144 <loop+0x128>
  0x00a5e263, // bltu a1,a0,80000148 <loop+0x12c>
  0x00a5f263, // bgeu a1,a0,8000014c <loop+0x130>
  0x00b57263, // bgeu a0,a1,80000150 <loop+0x134>
  0x00a64263, // blt a2,a0,80000154 <loop+0x138>
  0x00c54263, // blt a0,a2,80000158 <loop+0x13c>
  0x00c55263, // bge a0,a2,8000015c <loop+0x140>
  0x00a65263, // bge a2,a0,80000160 <loop+0x144>
  0x00a66263, // bltu a2,a0,80000164 <loop+0x148>
  0x00c56263, // bltu a0,a2,80000168 <loop+0x14c>
  0x00c57263, // bgeu a0,a2,8000016c <loop+0x150>
  0x00a67263, // bgeu a2,a0,80000170 <loop+0x154>
  0x024000ef, // jal ra,80000194 <func>
  0x00000317, // auipc t1,0x0
  0x02030313, // addi t1,t1,32 # 80000194 <func>
  0x000300e7, // jalr ra,0(t1)
  0x0505, // c.addi a0,1
  0x87aa, // c.mv a5,a0
  0x97aa, // c.add a5,a0
  0x478d, // c.li a5,3
  0xe808, // c.sd a0,16(s0)
  0x681c, // c.ld a5,16(s0)
  0xc289, // c.beqz a3,8000018e <loop+0x172>
  0xe289, // c.bnez a3,80000190 <loop+0x174>
  0xe61ff06f, // jal zero,8000001c <loop>
  0x00008067, // jalr zero,0(ra)
]

const FENCE = 0x0ff0000f, FENCE_I = 0x0000100f
/** the loop's back edge (`jal zero,loop` above), and where it goes instead: the third page's last halfword (the second is data) */
const LOOP_JUMP = 0xe61ff06f, LOOP = 0x1c, PAGE_END = 3 * 4096 - 2

/** `jal zero, off` (J-type: imm[20|10:1|11|19:12]) */
const jal0 = (off: number): number =>
  ((((off >> 20) & 1) << 31) | (((off >> 1) & 0x3ff) << 21) | (((off >> 11) & 1) << 20) | (((off >> 12) & 0xff) << 12) | 0x6f) >>> 0

let warmed = false

/** Once per process, before the first hart is made. */
export function warmUp(): void {
  if (warmed) return
  warmed = true
  runWarmUp()
}

/** The program on a scratch bus and hart of its own; returns the hart (tests check it never trapped). */
export function runWarmUp(): RiscvHart {
  const bus = new MemoryBus(4 * 4096)
  bus.addRam(BASE, 4 * 4096)
  const bytes: number[] = []
  let fenceAt = -1, fenceIAt = -1, loopJump = -1
  for (const w of PROGRAM) {
    if (w === FENCE) fenceAt = bytes.length
    if (w === FENCE_I) fenceIAt = bytes.length
    if (w === LOOP_JUMP) loopJump = bytes.length
    bytes.push(w & 255, (w >>> 8) & 255)
    if ((w & 3) === 3) bytes.push((w >>> 16) & 255, w >>> 24)
  }
  bus.load(BASE, Uint8Array.from(bytes))
  // The way back to the loop goes by the end of the third page: a c.nop in its last halfword, then
  // the jump back at the start of the fourth; later (below) a jump across the page boundary
  // itself, an instruction whose halves are on two pages (memory.ts decodeAt), which compressed
  // code has at a page end about every other time.
  const word = (at: number, w: number): void => bus.load(BASE + at, Uint8Array.of(w & 255, (w >>> 8) & 255, (w >>> 16) & 255, w >>> 24))
  word(loopJump, jal0(PAGE_END - loopJump))
  bus.load(BASE + PAGE_END, Uint8Array.of(0x01, 0x00)) // c.nop
  word(PAGE_END + 2, jal0(LOOP - PAGE_END - 2))
  const h = new RiscvHart({ bus, sched: new Scheduler(), cpuHz: 100_000_000, timebaseHz: 10_000_000, cpus: 1 }, 0)
  h.reset(BigInt(BASE))
  // Stand-ins for translated blocks at the two fences (each does what its fence does here:
  // nothing, one instruction), so that the loop's way into translated code has its feedback too;
  // real blocks are WebAssembly, and compiling one here would cost every start what the
  // translator's first compile costs. Two different functions: with one, V8 would bind the call
  // to it and deoptimise at the first real block. They are never in the code table: nothing
  // translated here reads the jump cache.
  const pageOff = bus.ramOffset(BASE)
  const page = pageOff >>> 12
  const dec = h.code.page(page)
  decodeSlot(h, dec, pageOff, fenceAt)
  decodeSlot(h, dec, pageOff, fenceIAt)
  h.code.setEntry(page, fenceAt, (_base, lo, hi, el) => { h.next[0] = (lo + 4) | 0; h.next[1] = hi; return (el + 1) | 0 })
  h.code.setEntry(page, fenceIAt, function fenceI(_base, lo, hi, el) { h.next[1] = hi; h.next[0] = (lo + 4) | 0; return (1 + el) | 0 })
  // many short calls: V8 gives a function its feedback vector only after a few, so what runs only
  // in the first calls has none — and a site without feedback deoptimises the optimised loop the
  // first time a real guest reaches it. Two such paths are taken again once the vector exists:
  // decoding a slot met for the first time (the page's slots are forgotten), and a slot getting
  // hot (every slot one visit short; `rehearsal` makes translatePage mark the slot, not compile).
  h.rehearsal = true
  // (bus.load does not tell the code cache: the decoded slots are dropped here; the fences' stay)
  const forget = (p: number): void => {
    const d = h.code.page(p)
    for (let o = 0; o < 4096; o += 2) if (p !== page || (o !== fenceAt && o !== fenceIAt)) { d[o] = 0; d[o + 1] = 0 }
  }
  for (let i = 0; i < 40; i++) {
    if (i === 10) {
      for (const p of [0, 2, 3]) forget(page + p) // (not the data page: a decoded page takes stores the slow way)
      h.code.heat[page]!.fill(HOT - 1)
    }
    if (i === 20) { word(PAGE_END, jal0(LOOP - PAGE_END)); forget(page + 2) }
    h.run(97)
  }
  return h
}
