import { z } from 'zod'
import type { ArchDesc } from '../../core/arch.ts'
import { RiscvHart } from './hart.ts'
import { RiscvHyp } from './hyp/riscv-hyp.ts'
import { disassemble } from './disasm.ts'
import { htif } from './htif.ts'
import { warmUp } from './warm-up.ts'
import { configBlob } from './config-blob.ts'
import { gdb } from './gdb.ts'

/** EM_RISCV */
const EM_RISCV = 243

export const riscv64: ArchDesc = {
  name: 'riscv64',
  elfMachine: EM_RISCV,
  createCpu: (host, id) => { warmUp(); return new RiscvHart(host, id) },
  hypervisor: (hv) => new RiscvHyp(hv),
  // the vPLIC is emulated in every VM at the board's PLIC address (reference §2.2: plic_base is ignored)
  vmWindows: (board) => board.devices.filter((d) => d.type === 'plic').map((d) => ({ base: d.base, size: d.size, what: `the vPLIC (${d.name})` })),
  disassemble,
  gdb,
  hostInterface: htif,
  configBlob,
  // the execute loop is inlined into the hart's run loop, and slow paths into both
  profile: { interpreter: ['execute.ts:exec', 'hart.ts:run', 'memory.ts:fetchPage', 'memory.ts:decodeSlot', 'decode.ts:decode32', 'decode.ts:decode16'], translator: ['wasm-tier.ts:translatePage'] },
  vmOptions: {
    /** baobab: offer Sstc (henvcfg.STCE) and say so in the device tree (`/chosen/baobab,sstc`) */
    sstc: z.boolean().optional(),
  },
}
