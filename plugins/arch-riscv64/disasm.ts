/**
 * RISC-V disassembler for traces and the REPL: RV64 I M A F D C, Zicsr, Zifencei, privileged and H.
 *
 * Output follows GNU objdump's *default* (alias) mode, as printed by binutils 2.40
 * (`riscv64-unknown-elf-objdump -d`): pseudo-instructions where objdump uses them (`li`, `mv`, `ret`,
 * `csrw mstatus,a0`, `fmv.d`, ...), compressed instructions printed in their expanded form
 * (`c.addi a0,1` → `add a0,a0,1`), and the few hints objdump keeps as `c.*` (`c.nop 1`, `c.slli64 a0`).
 * binutils 2.40 prints register-immediate ALU ops under the register mnemonic (`addi` → `add`,
 * `srli` → `srl`); we follow it so traces compare line for line with a toolchain dump.
 * Differences from objdump, on purpose: one space after the mnemonic instead of a tab, branch and jump
 * targets as `0x…` absolute addresses without objdump's `<symbol>` and `# …` annotations.
 * Anything not decoded is printed like objdump prints it: `.4byte 0x…` / `.2byte 0x…`.
 *
 * The decoder is a first-match table of (name, operands, match, mask) in the spirit of the ISA
 * manual's opcode maps; aliases precede the instruction they rename.
 */

const XREG = ('zero ra sp gp tp t0 t1 t2 s0 s1 a0 a1 a2 a3 a4 a5 a6 a7 ' +
  's2 s3 s4 s5 s6 s7 s8 s9 s10 s11 t3 t4 t5 t6').split(' ')
const FREG = ('ft0 ft1 ft2 ft3 ft4 ft5 ft6 ft7 fs0 fs1 fa0 fa1 fa2 fa3 fa4 fa5 fa6 fa7 ' +
  'fs2 fs3 fs4 fs5 fs6 fs7 fs8 fs9 fs10 fs11 ft8 ft9 ft10 ft11').split(' ')
// unpriv §11.2 rounding-mode field; 5 and 6 are reserved, objdump prints them as `unknown`
const RM = ['rne', 'rtz', 'rdn', 'rup', 'rmm', 'unknown', 'unknown', 'dyn']

// ---------------------------------------------------------------------------------------------
// CSR names (priv 1.12 ch. 2 tables, H §9.2, debug, AIA, Smstateen, Sstc, Sscofpmf, V, Zkr):
// the set binutils 2.40 knows, so numbers it leaves numeric stay numeric here too.

const CSR_LIST = `
001=fflags 002=frm 003=fcsr 008=vstart 009=vxsat 00a=vxrm 00f=vcsr 015=seed
100=sstatus 104=sie 105=stvec 106=scounteren 10a=senvcfg 114=sieh 140=sscratch 141=sepc
142=scause 143=stval 144=sip 14d=stimecmp 150=siselect 151=sireg 154=siph 15c=stopei 15d=stimecmph
180=satp 200=vsstatus 204=vsie 205=vstvec 214=vsieh 240=vsscratch 241=vsepc 242=vscause 243=vstval
244=vsip 24d=vstimecmp 250=vsiselect 251=vsireg 254=vsiph 25c=vstopei 25d=vstimecmph 280=vsatp
300=mstatus 301=misa 302=medeleg 303=mideleg 304=mie 305=mtvec 306=mcounteren 308=mvien 309=mvip
30a=menvcfg 310=mstatush 313=midelegh 314=mieh 318=mvienh 319=mviph 31a=menvcfgh 320=mcountinhibit
340=mscratch 341=mepc 342=mcause 343=mtval 344=mip 34a=mtinst 34b=mtval2 350=miselect 351=mireg
354=miph 35c=mtopei 5a8=scontext 600=hstatus 602=hedeleg 603=hideleg 604=hie 605=htimedelta
606=hcounteren 607=hgeie 608=hvien 609=hvictl 60a=henvcfg 613=hidelegh 615=htimedeltah 618=hvienh
61a=henvcfgh 643=htval 644=hip 645=hvip 646=hviprio1 647=hviprio2 64a=htinst 655=hviph
656=hviprio1h 657=hviprio2h 680=hgatp 6a8=hcontext 747=mseccfg 757=mseccfgh 7a0=tselect
7a1=tdata1 7a2=tdata2 7a3=tdata3 7a4=tinfo 7a5=tcontrol 7a8=mcontext 7aa=mscontext 7b0=dcsr
7b1=dpc 7b2=dscratch0 7b3=dscratch1 b00=mcycle b02=minstret b80=mcycleh b82=minstreth c00=cycle
c01=time c02=instret c20=vl c21=vtype c22=vlenb c80=cycleh c81=timeh c82=instreth da0=scountovf
db0=stopi e12=hgeip eb0=vstopi f11=mvendorid f12=marchid f13=mimpid f14=mhartid f15=mconfigptr
fb0=mtopi`

/** CSR number → name; numbered families (hpmcounterN, pmpaddrN, ...) are generated. */
const CSR_NAMES: ReadonlyMap<number, string> = (() => {
  const m = new Map<number, string>()
  for (const pair of CSR_LIST.trim().split(/\s+/)) {
    const [num, name] = pair.split('=')
    m.set(parseInt(num, 16), name)
  }
  const family = (base: number, from: number, to: number, name: (i: number) => string): void => {
    for (let i = from; i <= to; i++) m.set(base + i, name(i))
  }
  family(0xc00, 3, 31, (i) => `hpmcounter${i}`)
  family(0xc80, 3, 31, (i) => `hpmcounter${i}h`)
  family(0xb00, 3, 31, (i) => `mhpmcounter${i}`)
  family(0xb80, 3, 31, (i) => `mhpmcounter${i}h`)
  family(0x320, 3, 31, (i) => `mhpmevent${i}`)
  family(0x720, 3, 31, (i) => `mhpmevent${i}h`)
  family(0x3a0, 0, 15, (i) => `pmpcfg${i}`)
  family(0x3b0, 0, 63, (i) => `pmpaddr${i}`)
  for (const [base, prefix, suffix] of [[0x10c, 's', ''], [0x30c, 'm', ''], [0x31c, 'm', 'h'],
    [0x60c, 'h', ''], [0x61c, 'h', 'h']] as const) {
    family(base, 0, 3, (i) => `${prefix}stateen${i}${suffix}`)
  }
  return m
})()

/** Name of a CSR as objdump prints it, or its number in hex. */
export function csrName(csr: number): string {
  return CSR_NAMES.get(csr) ?? `0x${csr.toString(16)}`
}

// ---------------------------------------------------------------------------------------------
// Operand fields. Each operand code in an entry's `args` names one of these.

/** Gather scattered immediate bits: each triple moves insn[hi:lo] to imm[at+hi-lo:at]. */
function pick(insn: number, spec: readonly number[]): number {
  let v = 0
  for (let i = 0; i < spec.length; i += 3) {
    const hi = spec[i], lo = spec[i + 1], at = spec[i + 2]
    v |= ((insn >>> lo) & ((1 << (hi - lo + 1)) - 1)) << at
  }
  return v
}
const sext = (v: number, bits: number): number => (v << (32 - bits)) >> (32 - bits)
const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`
const target = (pc: bigint, off: number): string =>
  `0x${((pc + BigInt(off)) & 0xffff_ffff_ffff_ffffn).toString(16)}`

// unpriv §2.7 FENCE: predecessor/successor sets; an empty set is printed `unknown` by objdump
function fenceSet(bits: number): string {
  const s = (bits & 8 ? 'i' : '') + (bits & 4 ? 'o' : '') + (bits & 2 ? 'r' : '') + (bits & 1 ? 'w' : '')
  return s === '' ? 'unknown' : s
}

// Compressed immediate layouts, unpriv §16 (RVC) figures 16.3-16.7.
const C_IMM6 = [12, 12, 5, 6, 2, 0]
const C_ADDI16SP = [12, 12, 9, 6, 6, 4, 5, 5, 6, 4, 3, 7, 2, 2, 5]
const C_ADDI4SPN = [12, 11, 4, 10, 7, 6, 6, 6, 2, 5, 5, 3]
const C_LW = [12, 10, 3, 6, 6, 2, 5, 5, 6]
const C_LD = [12, 10, 3, 6, 5, 6]
const C_LWSP = [12, 12, 5, 6, 4, 2, 3, 2, 6]
const C_LDSP = [12, 12, 5, 6, 5, 3, 4, 2, 6]
const C_SWSP = [12, 9, 2, 8, 7, 6]
const C_SDSP = [12, 10, 3, 9, 7, 6]
const C_B = [12, 12, 8, 11, 10, 3, 6, 5, 6, 4, 3, 1, 2, 2, 5]
const C_J = [12, 12, 11, 11, 11, 4, 10, 9, 8, 8, 8, 10, 7, 7, 6, 6, 6, 7, 5, 3, 1, 2, 2, 5]

/** Render one operand code; '' means "omit" (only `m` with the dynamic rounding mode). */
function operand(code: string, insn: number, pc: bigint): string {
  const rd = (insn >>> 7) & 31, rs1 = (insn >>> 15) & 31, rs2 = (insn >>> 20) & 31
  switch (code) {
    // 32-bit formats, unpriv §2.3
    case 'd': return XREG[rd]
    case 's': return XREG[rs1]
    case 't': return XREG[rs2]
    case 'D': return FREG[rd]
    case 'S': return FREG[rs1]
    case 'T': return FREG[rs2]
    case 'R': return FREG[insn >>> 27]
    case 'j': return String(insn >> 20)
    case 'q': return String(((insn >> 25) << 5) | rd)
    case 'b': return target(pc, sext(pick(insn, [31, 31, 12, 7, 7, 11, 30, 25, 5, 11, 8, 1]), 13))
    case 'a': return target(pc, sext(pick(insn, [31, 31, 20, 19, 12, 12, 20, 20, 11, 30, 21, 1]), 21))
    case 'u': return hex(insn >>> 12)
    case '>': return hex((insn >>> 20) & 63)
    case '<': return hex(rs2)
    case 'E': return csrName(insn >>> 20)
    case 'Z': return String(rs1)
    case 'm': { const rm = (insn >>> 12) & 7; return rm === 7 ? '' : RM[rm] }
    case 'P': return fenceSet((insn >>> 24) & 15)
    case 'Q': return fenceSet((insn >>> 20) & 15)
    // 16-bit formats, unpriv §16.2
    case '1': return XREG[8 + ((insn >>> 7) & 7)]
    case '2': return XREG[8 + ((insn >>> 2) & 7)]
    case '3': return FREG[8 + ((insn >>> 2) & 7)]
    case 'V': return XREG[(insn >>> 2) & 31]
    case 'F': return FREG[(insn >>> 2) & 31]
    case '@': return 'sp'
    case 'i': return String(sext(pick(insn, C_IMM6), 6))
    case 'h': return hex(pick(insn, C_IMM6))
    case 'U': return hex(sext(pick(insn, C_IMM6), 6) & 0xfffff)
    case 'L': return String(sext(pick(insn, C_ADDI16SP), 10))
    case 'K': return String(pick(insn, C_ADDI4SPN))
    case 'w': return String(pick(insn, C_LW))
    case 'e': return String(pick(insn, C_LD))
    case 'W': return String(pick(insn, C_LWSP))
    case 'G': return String(pick(insn, C_LDSP))
    case 'H': return String(pick(insn, C_SWSP))
    case 'I': return String(pick(insn, C_SDSP))
    case 'B': return target(pc, sext(pick(insn, C_B), 9))
    case 'J': return target(pc, sext(pick(insn, C_J), 12))
  }
  throw new Error(`disasm: unknown operand code ${code}`)
}

// ---------------------------------------------------------------------------------------------
// Tables. An entry matches when (insn & mask) === match and its condition (if any) holds.

interface Entry {
  name: string // '' marks a reserved encoding, printed as unknown
  args: string
  match: number
  mask: number
  cond?: (insn: number) => boolean
}

/** Fixed fields of a 32-bit encoding, named as in the unpriv spec's base formats. */
interface Fields { op?: number; rd?: number; f3?: number; rs1?: number; rs2?: number; f7?: number;
  imm?: number; f6?: number; f5?: number; fmt?: number; aqrl?: number; fm?: number }
const FIELD: Record<keyof Fields, [shift: number, width: number]> = {
  op: [0, 7], rd: [7, 5], f3: [12, 3], rs1: [15, 5], rs2: [20, 5], f7: [25, 7], imm: [20, 12],
  f6: [26, 6], f5: [27, 5], fmt: [25, 2], aqrl: [25, 2], fm: [28, 4],
}

function entry(name: string, args: string, fields: Fields, cond?: (insn: number) => boolean): Entry {
  let match = 0, mask = 0
  for (const [k, v] of Object.entries(fields) as [keyof Fields, number][]) {
    const [shift, width] = FIELD[k]
    const m = ((2 ** width - 1) * 2 ** shift) >>> 0
    mask = (mask | m) >>> 0
    match = (match | ((v * 2 ** shift) & m)) >>> 0
  }
  return { name, args, match, mask, cond }
}

const rs1EqRs2 = (insn: number): boolean => ((insn >>> 15) & 31) === ((insn >>> 20) & 31)

function table32(): Entry[] {
  const t: Entry[] = []
  const add = (...e: Parameters<typeof entry>): void => { t.push(entry(...e)) }

  // RV64I, unpriv ch. 2 and 5; aliases from the assembly programmer's handbook (ch. 25)
  add('lui', 'd,u', { op: 0x37 })
  add('auipc', 'd,u', { op: 0x17 })
  add('j', 'a', { op: 0x6f, rd: 0 })
  add('jal', 'a', { op: 0x6f, rd: 1 })
  add('jal', 'd,a', { op: 0x6f })
  add('ret', '', { op: 0x67, f3: 0, rd: 0, rs1: 1, imm: 0 })
  add('jr', 's', { op: 0x67, f3: 0, rd: 0, imm: 0 })
  add('jr', 'j(s)', { op: 0x67, f3: 0, rd: 0 })
  add('jalr', 's', { op: 0x67, f3: 0, rd: 1, imm: 0 })
  add('jalr', 'j(s)', { op: 0x67, f3: 0, rd: 1 })
  add('jalr', 'd,s', { op: 0x67, f3: 0, imm: 0 })
  add('jalr', 'd,j(s)', { op: 0x67, f3: 0 })
  add('beqz', 's,b', { op: 0x63, f3: 0, rs2: 0 })
  add('beq', 's,t,b', { op: 0x63, f3: 0 })
  add('bnez', 's,b', { op: 0x63, f3: 1, rs2: 0 })
  add('bne', 's,t,b', { op: 0x63, f3: 1 })
  add('bltz', 's,b', { op: 0x63, f3: 4, rs2: 0 })
  add('bgtz', 't,b', { op: 0x63, f3: 4, rs1: 0 })
  add('blt', 's,t,b', { op: 0x63, f3: 4 })
  add('blez', 't,b', { op: 0x63, f3: 5, rs1: 0 })
  add('bgez', 's,b', { op: 0x63, f3: 5, rs2: 0 })
  add('bge', 's,t,b', { op: 0x63, f3: 5 })
  add('bltu', 's,t,b', { op: 0x63, f3: 6 })
  add('bgeu', 's,t,b', { op: 0x63, f3: 7 })
  for (const [name, f3] of [['lb', 0], ['lh', 1], ['lw', 2], ['ld', 3], ['lbu', 4], ['lhu', 5], ['lwu', 6]] as const) {
    add(name, 'd,j(s)', { op: 0x03, f3 })
  }
  for (const [name, f3] of [['sb', 0], ['sh', 1], ['sw', 2], ['sd', 3]] as const) add(name, 't,q(s)', { op: 0x23, f3 })
  add('nop', '', { op: 0x13, f3: 0, rd: 0, rs1: 0, imm: 0 })
  add('li', 'd,j', { op: 0x13, f3: 0, rs1: 0 })
  add('mv', 'd,s', { op: 0x13, f3: 0, imm: 0 })
  add('add', 'd,s,j', { op: 0x13, f3: 0 })
  add('slti', 'd,s,j', { op: 0x13, f3: 2 })
  add('seqz', 'd,s', { op: 0x13, f3: 3, imm: 1 })
  add('sltiu', 'd,s,j', { op: 0x13, f3: 3 })
  add('not', 'd,s', { op: 0x13, f3: 4, imm: 0xfff })
  add('xor', 'd,s,j', { op: 0x13, f3: 4 })
  add('or', 'd,s,j', { op: 0x13, f3: 6 })
  add('zext.b', 'd,s', { op: 0x13, f3: 7, imm: 0xff })
  add('and', 'd,s,j', { op: 0x13, f3: 7 })
  add('sll', 'd,s,>', { op: 0x13, f3: 1, f6: 0 })
  add('srl', 'd,s,>', { op: 0x13, f3: 5, f6: 0 })
  add('sra', 'd,s,>', { op: 0x13, f3: 5, f6: 0x10 })
  add('sext.w', 'd,s', { op: 0x1b, f3: 0, imm: 0 })
  add('addw', 'd,s,j', { op: 0x1b, f3: 0 })
  add('sllw', 'd,s,<', { op: 0x1b, f3: 1, f7: 0 })
  add('srlw', 'd,s,<', { op: 0x1b, f3: 5, f7: 0 })
  add('sraw', 'd,s,<', { op: 0x1b, f3: 5, f7: 0x20 })
  add('neg', 'd,t', { op: 0x33, f3: 0, f7: 0x20, rs1: 0 })
  add('snez', 'd,t', { op: 0x33, f3: 3, f7: 0, rs1: 0 })
  add('sltz', 'd,s', { op: 0x33, f3: 2, f7: 0, rs2: 0 })
  add('sgtz', 'd,t', { op: 0x33, f3: 2, f7: 0, rs1: 0 })
  add('negw', 'd,t', { op: 0x3b, f3: 0, f7: 0x20, rs1: 0 })
  // R-type register-register ops: OP (0x33) and OP-32 (0x3b), incl. M (unpriv ch. 7)
  const rr: [string, number, number, number][] = [
    ['add', 0x33, 0, 0], ['sub', 0x33, 0, 0x20], ['sll', 0x33, 1, 0], ['slt', 0x33, 2, 0],
    ['sltu', 0x33, 3, 0], ['xor', 0x33, 4, 0], ['srl', 0x33, 5, 0], ['sra', 0x33, 5, 0x20],
    ['or', 0x33, 6, 0], ['and', 0x33, 7, 0], ['addw', 0x3b, 0, 0], ['subw', 0x3b, 0, 0x20],
    ['sllw', 0x3b, 1, 0], ['srlw', 0x3b, 5, 0], ['sraw', 0x3b, 5, 0x20],
    ['mul', 0x33, 0, 1], ['mulh', 0x33, 1, 1], ['mulhsu', 0x33, 2, 1], ['mulhu', 0x33, 3, 1],
    ['div', 0x33, 4, 1], ['divu', 0x33, 5, 1], ['rem', 0x33, 6, 1], ['remu', 0x33, 7, 1],
    ['mulw', 0x3b, 0, 1], ['divw', 0x3b, 4, 1], ['divuw', 0x3b, 5, 1], ['remw', 0x3b, 6, 1],
    ['remuw', 0x3b, 7, 1],
  ]
  for (const [name, op, f3, f7] of rr) add(name, 'd,s,t', { op, f3, f7 })

  // MISC-MEM: unpriv §2.7 FENCE (fm=1000 with rw,rw is FENCE.TSO), ch. 3 Zifencei
  add('fence', '', { op: 0x0f, f3: 0, rd: 0, rs1: 0, imm: 0x0ff })
  add('fence.tso', '', { op: 0x0f, f3: 0, rd: 0, rs1: 0, imm: 0x833 })
  add('fence', 'P,Q', { op: 0x0f, f3: 0, rd: 0, rs1: 0, fm: 0 })
  add('fence.i', '', { op: 0x0f, f3: 1, rd: 0, rs1: 0, imm: 0 })

  // SYSTEM: priv §3.3 and ch. 9 (H), plus the retired uret/hret/sfence.vm objdump still knows
  const sys = (name: string, imm: number): void => add(name, '', { op: 0x73, f3: 0, rd: 0, rs1: 0, imm })
  sys('ecall', 0x000); sys('ebreak', 0x001); sys('uret', 0x002); sys('sret', 0x102)
  sys('hret', 0x202); sys('mret', 0x302); sys('dret', 0x7b2); sys('wfi', 0x105)
  add('sfence.vm', '', { op: 0x73, f3: 0, rd: 0, rs1: 0, imm: 0x104 })
  add('sfence.vm', 's', { op: 0x73, f3: 0, rd: 0, imm: 0x104 })
  for (const [name, f7] of [['sfence.vma', 0x09], ['hfence.vvma', 0x11], ['hfence.gvma', 0x31]] as const) {
    add(name, '', { op: 0x73, f3: 0, rd: 0, f7, rs1: 0, rs2: 0 })
    add(name, 's', { op: 0x73, f3: 0, rd: 0, f7, rs2: 0 })
    add(name, 's,t', { op: 0x73, f3: 0, rd: 0, f7 })
  }
  // H §9.6: hypervisor virtual-machine loads and stores (f7, rs2 select the access)
  const hlv: [string, number, number][] = [['hlv.b', 0x30, 0], ['hlv.bu', 0x30, 1], ['hlv.h', 0x32, 0],
    ['hlv.hu', 0x32, 1], ['hlvx.hu', 0x32, 3], ['hlv.w', 0x34, 0], ['hlv.wu', 0x34, 1],
    ['hlvx.wu', 0x34, 3], ['hlv.d', 0x36, 0]]
  for (const [name, f7, rs2] of hlv) add(name, 'd,(s)', { op: 0x73, f3: 4, f7, rs2 })
  for (const [name, f7] of [['hsv.b', 0x31], ['hsv.h', 0x33], ['hsv.w', 0x35], ['hsv.d', 0x37]] as const) {
    add(name, 't,(s)', { op: 0x73, f3: 4, rd: 0, f7 })
  }
  // Zicsr (unpriv ch. 9) with the CSR pseudo-instructions of ch. 25 table 25.3
  for (const [csr, fp] of [[0x001, 'flags'], [0x002, 'rm'], [0x003, 'csr']] as const) {
    add(`fr${fp}`, 'd', { op: 0x73, f3: 2, imm: csr, rs1: 0 })
    add(`fs${fp}`, 's', { op: 0x73, f3: 1, imm: csr, rd: 0 })
    add(`fs${fp}`, 'd,s', { op: 0x73, f3: 1, imm: csr })
    if (csr !== 3) add(`fs${fp}i`, 'd,Z', { op: 0x73, f3: 5, imm: csr })
  }
  add('rdcycle', 'd', { op: 0x73, f3: 2, imm: 0xc00, rs1: 0 })
  add('rdtime', 'd', { op: 0x73, f3: 2, imm: 0xc01, rs1: 0 })
  add('rdinstret', 'd', { op: 0x73, f3: 2, imm: 0xc02, rs1: 0 })
  add('csrr', 'd,E', { op: 0x73, f3: 2, rs1: 0 })
  for (const [op, f3] of [['w', 1], ['s', 2], ['c', 3]] as const) {
    add(`csr${op}`, 'E,s', { op: 0x73, f3, rd: 0 })
    add(`csrr${op}`, 'd,E,s', { op: 0x73, f3 })
    // binutils 2.40 prints the immediate forms without their `i` (`csrw mstatus,5`)
    add(`csr${op}`, 'E,Z', { op: 0x73, f3: f3 + 4, rd: 0 })
    add(`csrr${op}`, 'd,E,Z', { op: 0x73, f3: f3 + 4 })
  }

  // A (unpriv ch. 8): the aq/rl bits become a mnemonic suffix
  const amo: [string, number][] = [['amoadd', 0x00], ['amoswap', 0x01], ['sc', 0x03], ['amoxor', 0x04],
    ['amoor', 0x08], ['amoand', 0x0c], ['amomin', 0x10], ['amomax', 0x14], ['amominu', 0x18], ['amomaxu', 0x1c]]
  for (const [w, f3] of [['w', 2], ['d', 3]] as const) {
    for (const [aqrl, sfx] of ['', '.rl', '.aq', '.aqrl'].entries()) {
      add(`lr.${w}${sfx}`, 'd,(s)', { op: 0x2f, f3, f5: 0x02, aqrl, rs2: 0 })
      for (const [name, f5] of amo) add(`${name}.${w}${sfx}`, 'd,t,(s)', { op: 0x2f, f3, f5, aqrl })
    }
  }

  // F and D (unpriv ch. 11, 12)
  add('flw', 'D,j(s)', { op: 0x07, f3: 2 })
  add('fld', 'D,j(s)', { op: 0x07, f3: 3 })
  add('fsw', 'T,q(s)', { op: 0x27, f3: 2 })
  add('fsd', 'T,q(s)', { op: 0x27, f3: 3 })
  for (const [p, fmt] of [['s', 0], ['d', 1]] as const) {
    const ix = p === 's' ? 'w' : 'd' // fmv.x.w / fmv.x.d
    for (const [name, op] of [['fmadd', 0x43], ['fmsub', 0x47], ['fnmsub', 0x4b], ['fnmadd', 0x4f]] as const) {
      add(`${name}.${p}`, 'D,S,T,R,m', { op, fmt })
    }
    const fp = (name: string, args: string, f: Fields, cond?: (insn: number) => boolean): void =>
      add(name, args, { op: 0x53, ...f }, cond)
    fp(`fadd.${p}`, 'D,S,T,m', { f7: 0x00 | fmt })
    fp(`fsub.${p}`, 'D,S,T,m', { f7: 0x04 | fmt })
    fp(`fmul.${p}`, 'D,S,T,m', { f7: 0x08 | fmt })
    fp(`fdiv.${p}`, 'D,S,T,m', { f7: 0x0c | fmt })
    fp(`fsqrt.${p}`, 'D,S,m', { f7: 0x2c | fmt, rs2: 0 })
    for (const [name, alias, f3] of [['fsgnj', 'fmv', 0], ['fsgnjn', 'fneg', 1], ['fsgnjx', 'fabs', 2]] as const) {
      fp(`${alias}.${p}`, 'D,S', { f7: 0x10 | fmt, f3 }, rs1EqRs2)
      fp(`${name}.${p}`, 'D,S,T', { f7: 0x10 | fmt, f3 })
    }
    fp(`fmin.${p}`, 'D,S,T', { f7: 0x14 | fmt, f3: 0 })
    fp(`fmax.${p}`, 'D,S,T', { f7: 0x14 | fmt, f3: 1 })
    fp(`fle.${p}`, 'd,S,T', { f7: 0x50 | fmt, f3: 0 })
    fp(`flt.${p}`, 'd,S,T', { f7: 0x50 | fmt, f3: 1 })
    fp(`feq.${p}`, 'd,S,T', { f7: 0x50 | fmt, f3: 2 })
    for (const [i, rs2] of [['w', 0], ['wu', 1], ['l', 2], ['lu', 3]] as const) {
      fp(`fcvt.${i}.${p}`, 'd,S,m', { f7: 0x60 | fmt, rs2 })
      // int → double for 32-bit sources is exact: objdump wants rm = 000 and shows none
      if (p === 'd' && rs2 < 2) fp(`fcvt.d.${i}`, 'D,s', { f7: 0x69, rs2, f3: 0 })
      else fp(`fcvt.${p}.${i}`, 'D,s,m', { f7: 0x68 | fmt, rs2 })
    }
    fp(`fmv.x.${ix}`, 'd,S', { f7: 0x70 | fmt, rs2: 0, f3: 0 })
    fp(`fclass.${p}`, 'd,S', { f7: 0x70 | fmt, rs2: 0, f3: 1 })
    fp(`fmv.${ix}.x`, 'D,s', { f7: 0x78 | fmt, rs2: 0, f3: 0 })
  }
  add('fcvt.s.d', 'D,S,m', { op: 0x53, f7: 0x20, rs2: 1 })
  add('fcvt.d.s', 'D,S', { op: 0x53, f7: 0x21, rs2: 0, f3: 0 })
  return t
}

/** RV64C (unpriv ch. 16) in objdump's alias form; hints objdump keeps as c.* come first. */
function table16(): Entry[] {
  const t: Entry[] = []
  // quadrant (bits 1:0), funct3 (bits 15:13), then any further fixed bits
  const add = (name: string, args: string, q: number, f3: number, match = 0, mask = 0): void => {
    t.push({ name, args, match: (match | q | (f3 << 13)) >>> 0, mask: (mask | 0xe003) >>> 0 })
  }
  const RD = 0x0f80, RS2 = 0x007c, B12 = 0x1000, IMM6 = B12 | RS2
  // quadrant 0
  add('unimp', '', 0, 0, 0, 0xffff)
  add('', '', 0, 0, 0, 0x1fe0) // c.addi4spn with nzuimm = 0 is reserved
  add('add', '2,@,K', 0, 0)
  add('fld', '3,e(1)', 0, 1)
  add('lw', '2,w(1)', 0, 2)
  add('ld', '2,e(1)', 0, 3)
  add('fsd', '3,e(1)', 0, 5)
  add('sw', '2,w(1)', 0, 6)
  add('sd', '2,e(1)', 0, 7)
  // quadrant 1
  add('nop', '', 1, 0, 0, RD | IMM6)
  add('c.nop', 'i', 1, 0, 0, RD)
  add('add', 'd,d,i', 1, 0)
  add('', '', 1, 1, 0, RD)
  add('sext.w', 'd,d', 1, 1, 0, IMM6)
  add('addw', 'd,d,i', 1, 1)
  add('c.li', 'd,i', 1, 2, 0, RD)
  add('li', 'd,i', 1, 2)
  add('add', '@,@,L', 1, 3, 2 << 7, RD)
  add('', '', 1, 3, 0, IMM6) // c.lui with a zero immediate is reserved
  add('c.lui', 'd,U', 1, 3, 0, RD)
  add('lui', 'd,U', 1, 3)
  add('c.srli64', '1', 1, 4, 0, 0x0c00 | IMM6)
  add('srl', '1,1,h', 1, 4, 0, 0x0c00)
  add('c.srai64', '1', 1, 4, 0x0400, 0x0c00 | IMM6)
  add('sra', '1,1,h', 1, 4, 0x0400, 0x0c00)
  add('and', '1,1,i', 1, 4, 0x0800, 0x0c00)
  for (const [name, bits] of [['sub', 0x0c00], ['xor', 0x0c20], ['or', 0x0c40], ['and', 0x0c60],
    ['subw', 0x1c00], ['addw', 0x1c20]] as const) {
    add(name, '1,1,2', 1, 4, bits, 0x1c60)
  }
  add('j', 'J', 1, 5)
  add('beqz', '1,B', 1, 6)
  add('bnez', '1,B', 1, 7)
  // quadrant 2
  add('c.slli64', 'd', 2, 0, 0, IMM6)
  add('c.slli', 'd,h', 2, 0, 0, RD)
  add('sll', 'd,d,h', 2, 0)
  add('fld', 'D,G(@)', 2, 1)
  add('', '', 2, 2, 0, RD)
  add('lw', 'd,W(@)', 2, 2)
  add('', '', 2, 3, 0, RD)
  add('ld', 'd,G(@)', 2, 3)
  add('', '', 2, 4, 0, B12 | RD | RS2)
  add('ret', '', 2, 4, 1 << 7, B12 | RD | RS2)
  add('jr', 'd', 2, 4, 0, B12 | RS2)
  add('c.mv', 'd,V', 2, 4, 0, B12 | RD)
  add('mv', 'd,V', 2, 4, 0, B12)
  add('ebreak', '', 2, 4, B12, B12 | RD | RS2)
  add('jalr', 'd', 2, 4, B12, B12 | RS2)
  add('c.add', 'd,V', 2, 4, B12, B12 | RD)
  add('add', 'd,d,V', 2, 4, B12, B12)
  add('fsd', 'F,I(@)', 2, 5)
  add('sw', 'V,H(@)', 2, 6)
  add('sd', 'V,I(@)', 2, 7)
  return t
}

// First-match lists bucketed by the bits every entry fixes: the major opcode (32-bit) or
// quadrant + funct3 (16-bit), so a lookup scans a handful of entries.
function bucket(entries: Entry[], key: (insn: number) => number): Map<number, Entry[]> {
  const m = new Map<number, Entry[]>()
  for (const e of entries) {
    const k = key(e.match)
    const list = m.get(k)
    if (list) list.push(e)
    else m.set(k, [e])
  }
  return m
}
const key32 = (insn: number): number => insn & 0x7f
const key16 = (insn: number): number => (insn & 3) | ((insn >>> 11) & 0x1c)
const TABLE32 = bucket(table32(), key32)
const TABLE16 = bucket(table16(), key16)

function render(e: Entry, insn: number, pc: bigint): string {
  let out = ''
  for (const c of e.args) {
    if (c === ',' || c === '(' || c === ')') out += c
    else {
      const s = operand(c, insn, pc)
      out = s === '' && out.endsWith(',') ? out.slice(0, -1) : out + s
    }
  }
  return out === '' ? e.name : `${e.name} ${out}`
}

function lookup(table: Map<number, Entry[]>, key: number, insn: number): Entry | undefined {
  for (const e of table.get(key) ?? []) {
    if (((insn & e.mask) >>> 0) === e.match && (!e.cond || e.cond(insn))) return e.name === '' ? undefined : e
  }
  return undefined
}

// unpriv §1.5: bits 4:2 = 111 announce an encoding longer than 32 bits. None is defined; like a hart
// that knows only 16/32-bit instructions we consume two bytes (objdump does the same for 0xffff fill).
const isLong = (lo: number): boolean => (lo & 0x1f) === 0x1f

/**
 * Disassemble one instruction word. A word whose low two bits are not 11 is taken as a 16-bit
 * compressed instruction (upper half ignored), as is the prefix of a longer-than-32-bit encoding.
 */
export function disasmWord(insn: number, pc: bigint): string {
  if ((insn & 3) !== 3 || isLong(insn)) {
    const half = insn & 0xffff
    const e = lookup(TABLE16, key16(half), half)
    return e ? render(e, half, pc) : `.2byte ${hex(half)}`
  }
  const word = insn >>> 0
  const e = lookup(TABLE32, key32(word), word)
  return e ? render(e, word, pc) : `.4byte ${hex(word)}`
}

/** Disassemble the instruction at the start of `bytes` (little-endian), fetched from `pc`. */
export function disassemble(bytes: Uint8Array, pc: bigint): { text: string; length: number } {
  if (bytes.length < 2) return { text: '(truncated)', length: bytes.length }
  const lo = bytes[0] | (bytes[1] << 8)
  if ((lo & 3) !== 3 || isLong(lo)) return { text: disasmWord(lo, pc), length: 2 }
  if (bytes.length < 4) return { text: '(truncated)', length: bytes.length }
  return { text: disasmWord((lo | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0, pc), length: 4 }
}
