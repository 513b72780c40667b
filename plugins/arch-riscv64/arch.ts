import type { ArchDesc } from '../../core/arch.ts'
import { RiscvHart } from './hart.ts'

/** EM_RISCV */
const EM_RISCV = 243

export const riscv64: ArchDesc = {
  name: 'riscv64',
  elfMachine: EM_RISCV,
  createHart: (host, id) => new RiscvHart(host, id),
}
