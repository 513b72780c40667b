import type { ArchDesc } from '../../core/arch.ts'
import type { Machine } from '../../core/machine.ts'
import type { LoadedImage } from '../../core/loader/image.ts'
import { disassemble } from './disasm.ts'
import { A64Hart } from './hart.ts'
import { Psci } from './psci.ts'
import { A64Hyp } from './hyp/a64-hyp.ts'
import { A64_VM_OPTIONS, vgicWindows } from './hyp/options.ts'
import { configBlob } from './config-blob.ts'

/** EM_AARCH64 */
const EM_AARCH64 = 183

export const aarch64: ArchDesc = {
  name: 'aarch64',
  elfMachine: EM_AARCH64,
  createHart: (host, id) => new A64Hart(host, id),
  disassemble,
  bareBoot,
  configBlob,
  hypervisor: (hv) => new A64Hyp(hv),
  // CROSSCON's per-VM `arch` block (reference §2.2): where the VM's vGIC sits
  vmOptions: A64_VM_OPTIONS,
  // every VM gets the vGIC distributor and the GICV frame, at its own addresses (hyp/options.ts)
  vmWindows: (board, archOptions) => vgicWindows(board, archOptions),
  profile: { interpreter: ['execute.ts:exec', 'hart.ts:run', 'memory.ts:fetchPage', 'memory.ts:decodeAt', 'decode.ts:decode'], translator: [] },
}

/**
 * Bare mode as QEMU's `virt` boots `-kernel prog.elf` without EL2/EL3: the boot CPU at the entry
 * in EL1h; the firmware is QEMU's own PSCI over HVC, and the other CPUs wait, powered off, for
 * CPU_ON. x0 carries a device tree address only for Linux images: 0 here.
 */
function bareBoot(machine: Machine, image: LoadedImage): void {
  const harts = machine.harts as A64Hart[]
  const psci = new Psci(harts, machine)
  for (const h of harts) {
    h.reset(image.entry)
    h.firmware = psci
    if (h.id !== 0) {
      h.off = true
      h.idle = true
    }
  }
}
