/**
 * What an architecture contributes to `baobab config import`: the cross compiler that builds a
 * CROSSCON config for it and the meaning of its `struct arch_platform` in a VM (reference §2.2).
 * The rest of the layout is the core's (../blob-layout.ts) with the arch's `ArchDesc.configBlob`.
 */
import type { BoardDesc } from '../../board.ts'

export interface ImportArch {
  /** the architecture's name (`ArchDesc.name`, a board's `arch`) */
  readonly name: string
  /** the board `--arch` alone (or a guessed architecture) stands for */
  readonly defaultBoard: string
  /** gcc drivers to look for on PATH, in order: the first found compiles */
  readonly compilers: readonly string[]
  /** the Debian package that installs `compilers[0]` (named when none is found) */
  readonly debianPackage: string
  /** flags this architecture's gcc needs besides the importer's own */
  readonly cflags: readonly string[]
  /** designators only this architecture's `.arch` block has (`plic_base`, `gic`): a file naming one is for it */
  readonly archFields: readonly string[]
  /**
   * One VM's `platform.arch` block (`ArchDesc.configBlob.archPlatformBytes` bytes) as the VM
   * fields the architecture adds to baobab's config (`ArchDesc.vmOptions`); `ignored` is told
   * about every non-zero field that has no such meaning for a VM (a board fact CROSSCON ignores).
   */
  vmFields(block: DataView, board: BoardDesc, ignored: (field: string, why: string) => void): Record<string, unknown>
}
