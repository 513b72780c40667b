import type { ArchDesc } from '../../core/arch.ts'
import { disassemble } from './disasm.ts'
import { A64Cpu } from './cpu.ts'
import { warmUp } from './warm-up.ts'
import { bareBoot, rawImageBase } from './bare-boot.ts'
import { A64Hyp } from './hyp/a64-hyp.ts'
import { A64_VM_OPTIONS, checkA64Vm, vgicWindows } from './hyp/options.ts'
import { configBlob } from './config-blob.ts'
import { gdb } from './gdb.ts'

/** EM_AARCH64 */
const EM_AARCH64 = 183

export const aarch64: ArchDesc = {
  name: 'aarch64',
  elfMachine: EM_AARCH64,
  createCpu: (host, id) => { warmUp(); return new A64Cpu(host, id) },
  disassemble,
  gdb,
  bareBoot,
  rawImageBase,
  configBlob,
  hypervisor: (hv) => new A64Hyp(hv),
  // CROSSCON's per-VM `arch` block (reference §2.2): where the VM's vGIC sits
  vmOptions: A64_VM_OPTIONS,
  // every VM gets the vGIC distributor and the GICV frame, at its own addresses (hyp/options.ts)
  vmWindows: (board, archOptions) => vgicWindows(board, archOptions),
  checkVm: checkA64Vm,
  profile: { interpreter: ['execute.ts:exec', 'hart.ts:run', 'memory.ts:fetchPage', 'memory.ts:decodeAt', 'decode.ts:decode'], translator: [] },
}
