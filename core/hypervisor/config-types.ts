/**
 * The hypervisor config after validation (config.ts fills defaults and resolves paths), and the
 * vocabulary its checks share: config.ts walks the VMs into `Node`s, config-rules.ts checks them.
 * Types only, so both import them without importing each other.
 */
import type { ArchWindow } from '../arch.ts'
import type { BoardDesc } from '../board.ts'
import type { ArchVmOptions, VmType, VmTypeName } from './config-schema.ts'

/** what `archWindows` may be: one list for every VM, or a list per VM from its parsed arch options */
export type ArchWindows = ArchWindow[] | ((archOptions: Record<string, unknown>) => ArchWindow[])

export interface HvImage {
  /** absolute path of the image file; its bytes are not loaded here */
  path: string
  baseAddr: number
  inplace: boolean
  /** bytes in the file (`image.size`) */
  size: number
  kind: 'elf' | 'raw'
}

export interface HvRegion {
  /** guest-physical base */
  base: number
  size: number
  colors: number
  placePhys: boolean
  /**
   * host-physical base when placed; otherwise the boot's memory plan (memory-plan.ts) decides
   * where the region's pages come from, and this is only its guest base
   */
  phys: number
  /**
   * the host pieces behind the region when it is not one host range (a VM-stack child's region
   * 0, the parent's pages as they were): `offset` from `base`, in order, covering `size`
   */
  backing?: { offset: number; size: number; pa: number }[]
}

export interface HvDev {
  /** host-physical MMIO base; undefined for an emulated device */
  pa: number | undefined
  va: number
  /** 0 = the entry only grants its interrupts */
  size: number
  interrupts: number[]
  id: number
  shared: boolean
  /** device type of the VM's own emulated instance */
  emulate: string | undefined
}

export interface HvIpc {
  base: number
  size: number
  shmemId: number
  interrupts: number[]
}

export interface HvShmem {
  size: number
  colors: number
  placePhys: boolean
  /** host-physical base when placed; otherwise the hypervisor allocates it */
  phys: number | undefined
}

export interface HvVmConfig {
  name: string
  type: VmType
  typeName: VmTypeName
  /** absent only for children whose image their parent provides */
  image: HvImage | undefined
  entry: number
  cpuNum: number
  cpuAffinity: number
  colors: number
  regions: HvRegion[]
  devs: HvDev[]
  ipcs: HvIpc[]
  children: HvVmConfig[]
  dtb: boolean
  bootargs: string | undefined
  /** the fields the board's architecture adds (`ArchDesc.vmOptions`), as validated */
  archOptions: Record<string, unknown>
}

export interface HvConfig {
  board: string
  features: string[]
  hypColors: number
  shmem: HvShmem[]
  /** root VMs; VM-stack children hang off their parent */
  vms: HvVmConfig[]
}

// ---- what the checks share ----

export interface Ctx {
  baseDir: string
  board: BoardDesc | undefined
  deviceTypes?: ReadonlySet<string>
  elfMachine?: number
  file?: string
  archOptions?: ArchVmOptions
  /** the windows the board's architecture puts in every VM (ArchDesc.vmWindows): fixed, or per VM from its arch options */
  archWindows?: ArchWindows
  /** the rules the board's architecture adds for a VM (ArchDesc.checkVm) */
  archCheck?: (vm: HvVmConfig) => { field: string; rule: string }[]
}

/** A VM with where it sits in the config. */
export interface Node {
  vm: HvVmConfig
  path: string
  parent: Node | undefined
  /** image file bytes, kept only for the checks */
  bytes: Uint8Array | undefined
}

/** A half-open address window [lo, hi) and the config path that owns it. */
export interface Win {
  lo: number
  hi: number
  path: string
}

/** Reports a broken rule at a config path. */
export type Err = (path: string, rule: string) => void
