/**
 * The out-of-line half of the SIMD & FP unit: the execute loop's Op.FPSIMD case calls
 * `execFpSimd` with the encoding group the decoder found (fp-decode.ts) and the instruction.
 * FP/SIMD is a slow path here, as the F/D extension is on the RISC-V hart; only V-register loads
 * and stores have a fast path in the loop itself.
 *
 * Order of checks, as in the pseudocode: an instruction decodes fully (an unallocated encoding is
 * UNDEFINED) before CheckFPAdvSIMDEnabled64 may trap it (EC 0x07). The group routines decode and
 * execute in one go, so while SIMD & FP is disabled — rare: an OS enabling it lazily — the
 * routine runs on the live state and everything it may have written (V, X, NZCV, FPSR) is put back.
 */
import { aes, sha2, sha3 } from './crypto.ts'
import { undefinedInstruction } from './exceptions.ts'
import { G } from './fp-decode.ts'
import { DONE, ldstMulti, ldstSingle, UNDEF } from './fp-ldst.ts'
import { fpCcmp, fpCmp, fpCsel, fpDp1, fpDp2, fpDp3, fpFixed, fpImm, fpInt } from './fp.ts'
import type { A64Cpu } from './cpu.ts'
import { acrossFp, elemFp, pairFp, threeSameFp, twoMiscFp } from './simd-fp.ts'
import { threeSameInt } from './simd-int.ts'
import { twoMiscInt } from './simd-misc.ts'
import { copy, ext, modImm, permute, tbl } from './simd-perm.ts'
import { shiftImm } from './simd-shift.ts'
import { acrossInt, elemInt, pairInt, threeDiff } from './simd-wide.ts'
import { SR } from './sysreg-defs.ts'
import { ST } from './state.ts'
import { fpAccess, fpTrapTarget } from './vreg.ts'

/** Execute one SIMD & FP instruction: true when done (the loop advances pc), false after an exception. */
export function execFpSimd(h: A64Cpu, group: number, insn: number): boolean {
  if (group === G.LDST_MULTI || group === G.LDST_SINGLE) {
    const r = group === G.LDST_MULTI ? ldstMulti(h, insn) : ldstSingle(h, insn)
    return r === UNDEF ? undefinedInstruction(h) : r === DONE
  }
  if (fpTrapTarget(h) >= 0) {
    const v = h.v.slice(), x = h.x.slice(), nzcv = h.st[ST.NZCV]!, fpsr = h.sys[SR.FPSR * 2]!
    const allocated = dataProcessing(h, group, insn)
    h.v.set(v); h.x.set(x); h.st[ST.NZCV] = nzcv; h.sys[SR.FPSR * 2] = fpsr
    return allocated ? fpAccess(h) : undefinedInstruction(h)
  }
  return dataProcessing(h, group, insn) || undefinedInstruction(h)
}

function dataProcessing(h: A64Cpu, group: number, insn: number): boolean {
  const opc5 = (insn >>> 12) & 31 // two-register misc, across lanes and pairwise opcodes
  switch (group) {
    case G.FP_FIXED: return fpFixed(h, insn)
    case G.FP_INT: return fpInt(h, insn)
    case G.FP_DP1: return fpDp1(h, insn)
    case G.FP_CMP: return fpCmp(h, insn)
    case G.FP_IMM: return fpImm(h, insn)
    case G.FP_CCMP: return fpCcmp(h, insn)
    case G.FP_DP2: return fpDp2(h, insn)
    case G.FP_CSEL: return fpCsel(h, insn)
    case G.FP_DP3: return fpDp3(h, insn)
    case G.SAME: case G.S_SAME: {
      const scalar = group === G.S_SAME
      return ((insn >>> 11) & 31) >= 0x18 ? threeSameFp(h, insn, scalar) : threeSameInt(h, insn, scalar)
    }
    case G.DIFF: case G.S_DIFF: return threeDiff(h, insn, group === G.S_DIFF)
    case G.MISC: case G.S_MISC: {
      const scalar = group === G.S_MISC
      const fp = opc5 >= 0x0c && (opc5 < 0x12 || opc5 > 0x14)
      return fp ? twoMiscFp(h, insn, scalar) : twoMiscInt(h, insn, scalar)
    }
    case G.ACROSS: return opc5 === 0x0c || opc5 === 0x0f ? acrossFp(h, insn) : acrossInt(h, insn)
    case G.S_PAIR: return opc5 === 0x1b ? pairInt(h, insn) : pairFp(h, insn)
    case G.ELEM: case G.S_ELEM: {
      const scalar = group === G.S_ELEM, op = (insn >>> 12) & 15
      return op === 1 || op === 5 || op === 9 ? elemFp(h, insn, scalar) : elemInt(h, insn, scalar)
    }
    case G.COPY: case G.S_COPY: return copy(h, insn, group === G.S_COPY)
    case G.MODIMM: return modImm(h, insn)
    case G.SHIFT: case G.S_SHIFT: return shiftImm(h, insn, group === G.S_SHIFT)
    case G.TBL: return tbl(h, insn)
    case G.PERM: return permute(h, insn)
    case G.EXT: return ext(h, insn)
    case G.AES: return aes(h, insn)
    case G.SHA3: return sha3(h, insn)
    case G.SHA2: return sha2(h, insn)
    default: return false
  }
}
