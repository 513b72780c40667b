/**
 * A compact A64 disassembler for traces and the REPL: the instructions this hart executes, in
 * GNU objdump's style (binutils 2.40, `aarch64-linux-gnu-objdump -d`) with its common aliases
 * (mov, cmp, cmn, tst, neg, mvn, lsl/lsr/asr, ubfx/sbfx/bfi/bfxil/uxtb/sxtw…, cset/csetm/cinc/cneg,
 * mul/mneg/smull/umull, ret, nop and the other hints, system register names). Differences from
 * objdump, on purpose: one space after the mnemonic instead of a tab, branch targets as `0x…`
 * without `<symbol>`, no `// #…` comments. Anything else prints as objdump prints what it cannot
 * decode: `.inst 0x…`. Reuses the decoder's DecodeBitMasks and the system-register table.
 */
import { decodeBitMasks } from './decode.ts'
import { BY_KEY } from './sysreg-defs.ts'
import { iccSysregAt } from '../dev-gic/lookup.ts'

const COND = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv']
const SHIFT = ['lsl', 'lsr', 'asr', 'ror']
const EXTEND = ['uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx']

const bits = (x: number, hi: number, lo: number): number => (x >>> lo) & ((1 << (hi - lo + 1)) - 1)
const sext = (x: number, width: number): number => (x << (32 - width)) >> (32 - width)
const hex = (n: number | bigint): string => '0x' + n.toString(16)
const imm = (n: number | bigint): string => '#' + hex(n)
const simm = (n: number): string => (n < 0 ? '#-' + hex(-n) : imm(n))

/** register n of width sf (1 = X, 0 = W); 31 is the zero register, or SP where `sp` */
function r(n: number, sf: number, sp = false): string {
  if (n === 31) return sp ? (sf ? 'sp' : 'wsp') : sf ? 'xzr' : 'wzr'
  return (sf ? 'x' : 'w') + n
}

export function disassemble(bytes: Uint8Array, pc: bigint): { text: string; length: number } {
  const w = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0
  return { text: disasmWord(w, pc), length: 4 }
}

export function disasmWord(insn: number, pc: bigint): string {
  const op0 = bits(insn, 28, 25)
  const t = (op0 & 0b1110) === 0b1000 ? dpImm(insn, pc)
    : (op0 & 0b1110) === 0b1010 ? branchSys(insn, pc)
      : (op0 & 0b0101) === 0b0100 ? loadStore(insn, pc)
        : (op0 & 0b0111) === 0b0101 ? dpReg(insn)
          : null
  return t ?? `.inst 0x${(insn >>> 0).toString(16).padStart(8, '0')}`
}

const target = (pc: bigint, off: number): string => hex(BigInt.asUintN(64, pc + BigInt(off)))

function dpImm(insn: number, pc: bigint): string | null {
  const sf = insn >>> 31, rd = insn & 31, rn = bits(insn, 9, 5)
  switch (bits(insn, 25, 23)) {
    case 0: case 1: {
      const v = sext(bits(insn, 23, 5), 19) * 4 + bits(insn, 30, 29)
      if (sf === 0) return `adr ${r(rd, 1)}, ${target(pc, v)}`
      return `adrp ${r(rd, 1)}, ${hex(BigInt.asUintN(64, (pc & ~0xfffn) + BigInt(v) * 4096n))}`
    }
    case 2: {
      const sub = bits(insn, 30, 30), s = bits(insn, 29, 29), sh = bits(insn, 22, 22), i12 = bits(insn, 21, 10)
      const shs = sh ? ', lsl #12' : ''
      if (s && rd === 31) return `${sub ? 'cmp' : 'cmn'} ${r(rn, sf, true)}, ${imm(i12)}${shs}`
      if (!s && !sub && i12 === 0 && sh === 0 && (rd === 31 || rn === 31)) return `mov ${r(rd, sf, true)}, ${r(rn, sf, true)}`
      return `${sub ? 'sub' : 'add'}${s ? 's' : ''} ${r(rd, sf, !s)}, ${r(rn, sf, true)}, ${imm(i12)}${shs}`
    }
    case 4: {
      const opc = bits(insn, 30, 29), m = [0, 0]
      if (!decodeBitMasks(bits(insn, 22, 22), bits(insn, 15, 10), bits(insn, 21, 16), sf === 1, m)) return null
      const v = sf ? (BigInt(m[1]! >>> 0) << 32n) | BigInt(m[0]! >>> 0) : BigInt(m[0]! >>> 0)
      if (opc === 3 && rd === 31) return `tst ${r(rn, sf)}, ${imm(v)}`
      if (opc === 1 && rn === 31) return `mov ${r(rd, sf, true)}, ${imm(v)}`
      return `${['and', 'orr', 'eor', 'ands'][opc]} ${r(rd, sf, opc !== 3)}, ${r(rn, sf)}, ${imm(v)}`
    }
    case 5: {
      const opc = bits(insn, 30, 29), hw = bits(insn, 22, 21), i16 = bits(insn, 20, 5)
      if (opc === 1) return null
      if (opc === 3) return `movk ${r(rd, sf)}, ${imm(i16)}${hw ? `, lsl #${hw * 16}` : ''}`
      const size = sf ? 64 : 32
      let v = BigInt(i16) << BigInt(hw * 16)
      if (opc === 0) v = BigInt.asUintN(size, ~v)
      // objdump shows the mov alias unless a MOVZ of 0 with a shift, or a MOVN that MOVZ could do
      const wide = opc === 2 ? !(i16 === 0 && hw !== 0) : !(i16 === 0 && hw !== 0) && !(sf === 0 && i16 === 0xffff)
      if (wide) return `mov ${r(rd, sf)}, ${imm(v)}`
      return `${opc === 0 ? 'movn' : 'movz'} ${r(rd, sf)}, ${imm(i16)}${hw ? `, lsl #${hw * 16}` : ''}`
    }
    case 6: return bitfield(insn)
    case 7: {
      const rm = bits(insn, 20, 16), lsb = bits(insn, 15, 10)
      if (rn === rm) return `ror ${r(rd, sf)}, ${r(rn, sf)}, #${lsb}`
      return `extr ${r(rd, sf)}, ${r(rn, sf)}, ${r(rm, sf)}, #${lsb}`
    }
  }
  return null
}

/** SBFM/BFM/UBFM with objdump's preferred aliases (C6.2.* "Alias conditions") */
function bitfield(insn: number): string | null {
  const sf = insn >>> 31, opc = bits(insn, 30, 29), rd = insn & 31, rn = bits(insn, 9, 5)
  const immr = bits(insn, 21, 16), imms = bits(insn, 15, 10), size = sf ? 64 : 32
  const d = r(rd, sf), n = r(rn, sf)
  if (opc === 0) {
    if (imms === size - 1) return `asr ${d}, ${n}, #${immr}`
    if (immr === 0 && (imms === 7 || imms === 15 || imms === 31)) return `sxt${imms === 7 ? 'b' : imms === 15 ? 'h' : 'w'} ${d}, ${r(rn, 0)}`
    if (imms < immr) return `sbfiz ${d}, ${n}, #${size - immr}, #${imms + 1}`
    return `sbfx ${d}, ${n}, #${immr}, #${imms - immr + 1}`
  }
  if (opc === 1) {
    if (imms < immr) return rn === 31 ? `bfc ${d}, #${size - immr}, #${imms + 1}` : `bfi ${d}, ${n}, #${size - immr}, #${imms + 1}`
    return `bfxil ${d}, ${n}, #${immr}, #${imms - immr + 1}`
  }
  if (opc === 2) {
    if (imms !== size - 1 && imms + 1 === immr) return `lsl ${d}, ${n}, #${size - 1 - imms}`
    if (imms === size - 1) return `lsr ${d}, ${n}, #${immr}`
    if (immr === 0 && sf === 0 && (imms === 7 || imms === 15)) return `uxt${imms === 7 ? 'b' : 'h'} ${d}, ${n}`
    if (imms < immr) return `ubfiz ${d}, ${n}, #${size - immr}, #${imms + 1}`
    return `ubfx ${d}, ${n}, #${immr}, #${imms - immr + 1}`
  }
  return null
}

function branchSys(insn: number, pc: bigint): string | null {
  const top = insn >>> 29
  if ((top & 3) === 0) return `${top === 4 ? 'bl' : 'b'} ${target(pc, sext(insn & 0x3ffffff, 26) * 4)}`
  if ((top & 3) === 1) {
    const rt = insn & 31
    if (bits(insn, 25, 25) === 0) return `${bits(insn, 24, 24) ? 'cbnz' : 'cbz'} ${r(rt, insn >>> 31)}, ${target(pc, sext(bits(insn, 23, 5), 19) * 4)}`
    const bit = ((insn >>> 31) << 5) | bits(insn, 23, 19)
    return `${bits(insn, 24, 24) ? 'tbnz' : 'tbz'} ${r(rt, bit >= 32 ? 1 : 0)}, #${bit}, ${target(pc, sext(bits(insn, 18, 5), 14) * 4)}`
  }
  if (top === 2 && bits(insn, 25, 24) === 0 && bits(insn, 4, 4) === 0) return `b.${COND[insn & 15]} ${target(pc, sext(bits(insn, 23, 5), 19) * 4)}`
  if (top !== 6) return null
  if (bits(insn, 25, 24) === 0) {
    const opc = bits(insn, 23, 21), ll = insn & 3, i16 = bits(insn, 20, 5)
    const name = opc === 0 ? [null, 'svc', 'hvc', 'smc'][ll] : opc === 1 && ll === 0 ? 'brk' : opc === 2 && ll === 0 ? 'hlt' : null
    return name ? `${name} ${imm(i16)}` : null
  }
  if (bits(insn, 25, 22) === 0b0100) return system(insn)
  if (bits(insn, 25, 25) === 1) {
    const opc = bits(insn, 24, 21), rn = bits(insn, 9, 5)
    if (bits(insn, 20, 16) !== 31 || bits(insn, 15, 10) !== 0 || (insn & 31) !== 0) return null
    if (opc === 0) return `br ${r(rn, 1)}`
    if (opc === 1) return `blr ${r(rn, 1)}`
    if (opc === 2) return rn === 30 ? 'ret' : `ret ${r(rn, 1)}`
    if (opc === 4 && rn === 31) return 'eret'
  }
  return null
}

const HINTS = ['nop', 'yield', 'wfe', 'wfi', 'sev', 'sevl']
const BARRIER_OPT = ['#0x0', 'oshld', 'oshst', 'osh', '#0x4', 'nshld', 'nshst', 'nsh', '#0x8', 'ishld', 'ishst', 'ish', '#0xc', 'ld', 'st', 'sy']
/** SYS aliases: op1, CRn, CRm, op2 → name */
const SYS_OPS: Record<string, string> = {
  '0,7,1,0': 'ic ialluis', '0,7,5,0': 'ic iallu', '3,7,5,1': 'ic ivau', '3,7,4,1': 'dc zva', '0,7,6,1': 'dc ivac',
  '0,7,6,2': 'dc isw', '3,7,10,1': 'dc cvac', '0,7,10,2': 'dc csw', '3,7,11,1': 'dc cvau', '3,7,14,1': 'dc civac',
  '0,7,14,2': 'dc cisw', '0,7,8,0': 'at s1e1r', '0,7,8,1': 'at s1e1w', '0,7,8,2': 'at s1e0r', '0,7,8,3': 'at s1e0w',
  '4,7,8,0': 'at s1e2r', '4,7,8,1': 'at s1e2w', '0,8,3,0': 'tlbi vmalle1is', '0,8,7,0': 'tlbi vmalle1', '0,8,7,1': 'tlbi vae1',
  '0,8,7,2': 'tlbi aside1', '0,8,7,3': 'tlbi vaae1', '0,8,7,5': 'tlbi vale1', '0,8,7,7': 'tlbi vaale1', '0,8,3,1': 'tlbi vae1is',
  '0,8,3,2': 'tlbi aside1is', '0,8,3,3': 'tlbi vaae1is', '0,8,3,5': 'tlbi vale1is', '0,8,3,7': 'tlbi vaale1is',
  '4,8,7,0': 'tlbi alle2', '4,8,3,0': 'tlbi alle2is', '4,8,7,4': 'tlbi alle1', '4,8,3,4': 'tlbi alle1is',
}

function sysregName(insn: number): string {
  const key = bits(insn, 20, 5)
  const def = BY_KEY.get(key)
  if (def) return def.name === 'SPSEL' ? 'spsel' : def.name === 'CURRENTEL' ? 'currentel' : def.name.toLowerCase()
  const icc = iccSysregAt(bits(insn, 20, 19), bits(insn, 18, 16), bits(insn, 15, 12), bits(insn, 11, 8), bits(insn, 7, 5))
  if (icc) return icc.name.toLowerCase()
  return `s${bits(insn, 20, 19)}_${bits(insn, 18, 16)}_c${bits(insn, 15, 12)}_c${bits(insn, 11, 8)}_${bits(insn, 7, 5)}`
}

function system(insn: number): string | null {
  const l = bits(insn, 21, 21), op0 = bits(insn, 20, 19), op1 = bits(insn, 18, 16), crn = bits(insn, 15, 12)
  const crm = bits(insn, 11, 8), op2 = bits(insn, 7, 5), rt = insn & 31
  if (op0 === 0 && l === 0) {
    if (crn === 2 && op1 === 3 && rt === 31) { const h = (crm << 3) | op2; return HINTS[h] ?? `hint #${hex(h)}` }
    if (crn === 3 && op1 === 3 && rt === 31) {
      if (op2 === 2) return crm === 15 ? 'clrex' : `clrex #${crm}`
      if (op2 === 4) return `dsb ${BARRIER_OPT[crm]}`
      if (op2 === 5) return `dmb ${BARRIER_OPT[crm]}`
      if (op2 === 6) return crm === 15 ? 'isb' : `isb #${hex(crm)}`
    }
    if (crn === 4 && rt === 31) {
      const field = op1 === 0 && op2 === 5 ? 'spsel' : op1 === 3 && op2 === 6 ? 'daifset' : op1 === 3 && op2 === 7 ? 'daifclr' : null
      if (field) return `msr ${field}, ${imm(crm)}`
    }
    return null
  }
  if (op0 === 1) {
    const name = SYS_OPS[`${op1},${crn},${crm},${op2}`]
    // the operations without an address take no register (objdump prints none when Rt is 31)
    if (l === 0 && name) return rt === 31 && /^(ic iall|tlbi (vmall|all))/.test(name) ? name : `${name}, ${r(rt, 1)}`
    return `${l ? 'sysl' : 'sys'} #${op1}, C${crn}, C${crm}, #${op2}${l ? '' : `, ${r(rt, 1)}`}`
  }
  return l ? `mrs ${r(rt, 1)}, ${sysregName(insn)}` : `msr ${sysregName(insn)}, ${r(rt, 1)}`
}

function mem(rn: number, off: number, mode: 'off' | 'pre' | 'post'): string {
  const base = r(rn, 1, true)
  // objdump writes memory offsets in decimal
  if (mode === 'post') return `[${base}], #${off}`
  if (off === 0) return `[${base}]`
  return `[${base}, #${off}]${mode === 'pre' ? '!' : ''}`
}

const LDST_NAME = [['strb', 'strh', 'str', 'str'], ['ldrb', 'ldrh', 'ldr', 'ldr'], ['ldrsb', 'ldrsh', 'ldrsw', 'prfm'], ['ldrsb', 'ldrsh', null, null]]

function loadStore(insn: number, pc: bigint): string | null {
  if (bits(insn, 26, 26) === 1) return null // SIMD & FP
  const rt = insn & 31, rn = bits(insn, 9, 5), b2924 = bits(insn, 29, 24), size = insn >>> 30
  if (b2924 === 0b001000) return exclusive(insn)
  if ((b2924 & 0b111011) === 0b011000) {
    const opc = insn >>> 30, to = target(pc, sext(bits(insn, 23, 5), 19) * 4)
    if (opc === 3) return `prfm ${prfop(rt)}, ${to}`
    return `${opc === 2 ? 'ldrsw' : 'ldr'} ${r(rt, opc === 0 ? 0 : 1)}, ${to}`
  }
  if ((b2924 & 0b111000) === 0b101000) {
    const opc = insn >>> 30, mode = bits(insn, 25, 23), l = bits(insn, 22, 22), rt2 = bits(insn, 14, 10)
    const sf = opc === 2 ? 1 : opc === 1 ? 1 : 0
    const off = sext(bits(insn, 21, 15), 7) << (opc === 2 ? 3 : 2)
    const name = (mode === 0 ? (l ? 'ldnp' : 'stnp') : l ? (opc === 1 ? 'ldpsw' : 'ldp') : 'stp')
    return `${name} ${r(rt, sf)}, ${r(rt2, sf)}, ${mem(rn, off, mode === 1 ? 'post' : mode === 3 ? 'pre' : 'off')}`
  }
  if ((b2924 & 0b111010) !== 0b111000) return null
  const opc = bits(insn, 23, 22)
  if (bits(insn, 24, 24) === 0 && bits(insn, 21, 21) === 1 && bits(insn, 11, 10) === 0) return lse(insn)
  const name = LDST_NAME[opc]![size]
  if (!name) return null
  const sf = opc === 2 || (opc !== 3 && size === 3) ? 1 : 0
  const reg = name === 'prfm' ? prfop(rt) : r(rt, sf)
  if (bits(insn, 24, 24) === 1) return `${name} ${reg}, ${mem(rn, bits(insn, 21, 10) << size, 'off')}`
  if (bits(insn, 21, 21) === 0) {
    const off = sext(bits(insn, 20, 12), 9), form = bits(insn, 11, 10)
    if (form === 0) return `${name.replace(/^(ld|st)r/, '$1ur').replace('prfm', 'prfum')} ${reg}, ${mem(rn, off, 'off')}`
    if (form === 2) return `${name.replace(/^(ld|st)r/, '$1tr')} ${reg}, ${mem(rn, off, 'off')}`
    return `${name} ${reg}, ${mem(rn, off, form === 1 ? 'post' : 'pre')}`
  }
  if (bits(insn, 11, 10) !== 2) return null
  const option = bits(insn, 15, 13), s = bits(insn, 12, 12), rm = bits(insn, 20, 16)
  const ext = option === 3 ? (s ? `, lsl #${size}` : '') : `, ${EXTEND[option]}${s ? ` #${size}` : ''}`
  return `${name} ${reg}, [${r(rn, 1, true)}, ${r(rm, option & 1)}${ext}]`
}

function prfop(rt: number): string {
  const type = ['pld', 'pli', 'pst'][rt >> 3]
  return type && (rt & 6) !== 6 ? `${type}l${((rt >> 1) & 3) + 1}${rt & 1 ? 'strm' : 'keep'}` : `#${hex(rt)}`
}

function exclusive(insn: number): string | null {
  const size = insn >>> 30, o2 = bits(insn, 23, 23), l = bits(insn, 22, 22), o1 = bits(insn, 21, 21)
  const rs = bits(insn, 20, 16), o0 = bits(insn, 15, 15), rt2 = bits(insn, 14, 10), rn = bits(insn, 9, 5), rt = insn & 31
  const sfx = ['b', 'h', '', ''][size]!, sf = size === 3 ? 1 : 0, base = `[${r(rn, 1, true)}]`
  if (o1 === 1 && o2 === 1) return `cas${l ? 'a' : ''}${o0 ? 'l' : ''}${sfx} ${r(rs, sf)}, ${r(rt, sf)}, ${base}`
  if (o1 === 1 && size < 2) return `casp${l ? 'a' : ''}${o0 ? 'l' : ''} ${r(rs, size)}, ${r(rs + 1, size)}, ${r(rt, size)}, ${r(rt + 1, size)}, ${base}`
  if (o2 === 1) return o0 ? `${l ? 'ldar' : 'stlr'}${sfx} ${r(rt, sf)}, ${base}` : null
  if (o1 === 1) {
    const psf = size & 1
    return l ? `ld${o0 ? 'a' : ''}xp ${r(rt, psf)}, ${r(rt2, psf)}, ${base}` : `st${o0 ? 'l' : ''}xp ${r(rs, 0)}, ${r(rt, psf)}, ${r(rt2, psf)}, ${base}`
  }
  return l ? `ld${o0 ? 'a' : ''}xr${sfx} ${r(rt, sf)}, ${base}` : `st${o0 ? 'l' : ''}xr${sfx} ${r(rs, 0)}, ${r(rt, sf)}, ${base}`
}

const LSE = ['add', 'clr', 'eor', 'set', 'smax', 'smin', 'umax', 'umin']

function lse(insn: number): string | null {
  const size = insn >>> 30, a = bits(insn, 23, 23), rl = bits(insn, 22, 22), rs = bits(insn, 20, 16)
  const o3 = bits(insn, 15, 15), opc = bits(insn, 14, 12), rn = bits(insn, 9, 5), rt = insn & 31
  const sfx = ['b', 'h', '', ''][size]!, sf = size === 3 ? 1 : 0, ord = `${a ? 'a' : ''}${rl ? 'l' : ''}`
  if (o3 === 1) return opc === 0 ? `swp${ord}${sfx} ${r(rs, sf)}, ${r(rt, sf)}, [${r(rn, 1, true)}]` : null
  if (rt === 31 && a === 0) return `st${LSE[opc]}${rl ? 'l' : ''}${sfx} ${r(rs, sf)}, [${r(rn, 1, true)}]`
  return `ld${LSE[opc]}${ord}${sfx} ${r(rs, sf)}, ${r(rt, sf)}, [${r(rn, 1, true)}]`
}

function shifted(rm: number, sf: number, shift: number, amt: number): string {
  return amt === 0 && shift === 0 ? r(rm, sf) : `${r(rm, sf)}, ${SHIFT[shift]} #${amt}`
}

function dpReg(insn: number): string | null {
  const sf = insn >>> 31, rd = insn & 31, rn = bits(insn, 9, 5), rm = bits(insn, 20, 16)
  const op0 = bits(insn, 30, 30), op1 = bits(insn, 28, 28), op2 = bits(insn, 24, 21), op3 = bits(insn, 15, 10)
  if (op1 === 0) {
    const shift = bits(insn, 23, 22), amt = bits(insn, 15, 10)
    if ((op2 & 8) === 0) {
      const opc = bits(insn, 30, 29), n = bits(insn, 21, 21)
      const name = [['and', 'bic'], ['orr', 'orn'], ['eor', 'eon'], ['ands', 'bics']][opc]![n]!
      const o2 = shifted(rm, sf, shift, amt)
      if (opc === 1 && rn === 31 && amt === 0 && shift === 0) return n ? `mvn ${r(rd, sf)}, ${r(rm, sf)}` : `mov ${r(rd, sf)}, ${r(rm, sf)}`
      if (opc === 1 && n === 1 && rn === 31) return `mvn ${r(rd, sf)}, ${o2}`
      if (opc === 3 && n === 0 && rd === 31) return `tst ${r(rn, sf)}, ${o2}`
      return `${name} ${r(rd, sf)}, ${r(rn, sf)}, ${o2}`
    }
    const sub = bits(insn, 30, 30), s = bits(insn, 29, 29)
    const name = `${sub ? 'sub' : 'add'}${s ? 's' : ''}`
    if ((op2 & 1) === 0) {
      const o2 = shifted(rm, sf, shift, amt)
      if (s && rd === 31) return `${sub ? 'cmp' : 'cmn'} ${r(rn, sf)}, ${o2}`
      if (sub && rn === 31) return `${s ? 'negs' : 'neg'} ${r(rd, sf)}, ${o2}`
      return `${name} ${r(rd, sf)}, ${r(rn, sf)}, ${o2}`
    }
    const option = bits(insn, 15, 13), a3 = bits(insn, 12, 10)
    const lslOk = (rd === 31 && !s) || rn === 31
    const ext = (option === (sf ? 3 : 2)) && lslOk ? (a3 ? `lsl #${a3}` : '') : `${EXTEND[option]}${a3 ? ` #${a3}` : ''}`
    const o2 = `${r(rm, (option & 3) === 3 ? 1 : 0)}${ext ? ', ' + ext : ''}`
    if (s && rd === 31) return `${sub ? 'cmp' : 'cmn'} ${r(rn, sf, true)}, ${o2}`
    return `${name} ${r(rd, sf, !s)}, ${r(rn, sf, true)}, ${o2}`
  }
  switch (op2) {
    case 0: {
      const sub = bits(insn, 30, 30), s = bits(insn, 29, 29)
      if (sub && rn === 31) return `${s ? 'ngcs' : 'ngc'} ${r(rd, sf)}, ${r(rm, sf)}`
      return `${sub ? 'sbc' : 'adc'}${s ? 's' : ''} ${r(rd, sf)}, ${r(rn, sf)}, ${r(rm, sf)}`
    }
    case 2: {
      const name = op0 ? 'ccmp' : 'ccmn', cond = COND[bits(insn, 15, 12)]
      const b = bits(insn, 11, 11) ? imm(rm) : r(rm, sf)
      return `${name} ${r(rn, sf)}, ${b}, ${imm(insn & 15)}, ${cond}`
    }
    case 4: {
      const o2 = bits(insn, 11, 10), c = bits(insn, 15, 12), v = (op0 << 1) | o2
      const name = ['csel', 'csinc', 'csinv', 'csneg'][v]!
      if (v !== 0 && rm === rn && c < 14) {
        const inv = COND[c ^ 1]
        if (rn === 31 && v === 1) return `cset ${r(rd, sf)}, ${inv}`
        if (rn === 31 && v === 2) return `csetm ${r(rd, sf)}, ${inv}`
        return `${['', 'cinc', 'cinv', 'cneg'][v]} ${r(rd, sf)}, ${r(rn, sf)}, ${inv}`
      }
      return `${name} ${r(rd, sf)}, ${r(rn, sf)}, ${r(rm, sf)}, ${COND[c]}`
    }
    case 6: {
      if (op0 === 0) {
        const names: Record<number, string> = { 2: 'udiv', 3: 'sdiv', 8: 'lsl', 9: 'lsr', 10: 'asr', 11: 'ror' }
        if (names[op3]) return `${names[op3]} ${r(rd, sf)}, ${r(rn, sf)}, ${r(rm, sf)}`
        if (op3 >= 16 && op3 <= 23) return `crc32${op3 & 4 ? 'c' : ''}${'bhwx'[op3 & 3]} ${r(rd, 0)}, ${r(rn, 0)}, ${r(rm, (op3 & 3) === 3 ? 1 : 0)}`
        return null
      }
      const names = ['rbit', 'rev16', sf ? 'rev32' : 'rev', 'rev', 'clz', 'cls']
      return op3 < 6 ? `${names[op3]} ${r(rd, sf)}, ${r(rn, sf)}` : null
    }
  }
  if ((op2 & 8) !== 0) {
    const op31 = bits(insn, 23, 21), o0 = bits(insn, 15, 15), ra = bits(insn, 14, 10)
    if (op31 === 0) {
      if (ra === 31) return `${o0 ? 'mneg' : 'mul'} ${r(rd, sf)}, ${r(rn, sf)}, ${r(rm, sf)}`
      return `${o0 ? 'msub' : 'madd'} ${r(rd, sf)}, ${r(rn, sf)}, ${r(rm, sf)}, ${r(ra, sf)}`
    }
    if (op31 === 1 || op31 === 5) {
      const u = op31 === 5 ? 'u' : 's'
      if (ra === 31) return `${u}${o0 ? 'mnegl' : 'mull'} ${r(rd, 1)}, ${r(rn, 0)}, ${r(rm, 0)}`
      return `${u}${o0 ? 'msubl' : 'maddl'} ${r(rd, 1)}, ${r(rn, 0)}, ${r(rm, 0)}, ${r(ra, 1)}`
    }
    if (op31 === 2 || op31 === 6) return `${op31 === 6 ? 'u' : 's'}mulh ${r(rd, 1)}, ${r(rn, 1)}, ${r(rm, 1)}`
  }
  return null
}
