/**
 * The one interface through which the kernel talks to a CPU architecture (Bao's arch hooks, typed).
 */
import type { ProfileRoles } from './cpu/time-split.ts'
import type { MemoryBus } from './bus.ts'
import type { IrqLine } from './irq.ts'
import type { Runnable, Scheduler } from './scheduler.ts'
import type { Hypervisor } from './hypervisor/hypervisor.ts'
import type { Vcpu, Vm } from './hypervisor/vm.ts'
import type { LoadedImage } from './loader/image.ts'
import type { ArchVmOptions } from './hypervisor/config-schema.ts'
import type { HvVmConfig } from './hypervisor/config-types.ts'
import type { Machine } from './machine.ts'
import type { BoardDesc } from './board.ts'
import type { BlobArch } from './hypervisor/blob-layout.ts'

/** A guest window an architecture puts in a VM (`ArchDesc.vmWindows`); `what` names it in config errors. */
export interface ArchWindow { base: number; size: number; what: string }

/** What a hart gets from the machine it sits in. */
export interface HartHost {
  bus: MemoryBus
  sched: Scheduler
  cpuHz: number
  timebaseHz: number
  /** total harts on the board (for mhartid ranges, IPIs) */
  harts: number
}

export interface Hart extends Runnable {
  /** power-on reset; the hart starts at `pc` in its most privileged mode */
  reset(pc: bigint): void
  /** set an integer argument register (a0.. / x0..) before start */
  setArg(index: number, value: bigint): void
  readonly pc: bigint
  /** integer register by architectural number */
  reg(n: number): bigint
  setReg(n: number, v: bigint): void
  /** instructions retired since reset */
  readonly instret: number
  /** architectural interrupt input by name */
  irq(line: string): IrqLine
  /**
   * Drive the hart's own interrupt output `output` (by the architecture's name for it, e.g. the
   * generic timer's CNTVIRQ) into `line`; throws for a name the hart does not have. Boards wire
   * these through `cpuIrqs`.
   */
  connect?(output: string, line: IrqLine): void
  /** stop for good (powered off, or a fault the machine cannot handle); `idle`/`halted` follow */
  halt(): void
  /** forget cached translations (after the bus's map changed, or its observers came or went) */
  flushTlb(): void
  /**
   * Let `cycles` of virtual time pass on this hart with no instruction retired (a cache miss's
   * latency, charged by a model that observes the bus): taken from the hart's next windows.
   */
  stall(cycles: number): void
  /** plain state for sessions and determinism checks (registers/CSRs live in the arena) */
  snapshot(): unknown
  /** takes back what `snapshot` gave; refuses (throws StateError) what `checkState` refuses */
  restore(state: unknown): void
  /**
   * Throws StateError (core/state-check.ts) for a saved state `restore` would refuse; `stateArea`
   * is the arena's state area as the session would restore it (the hart's registers and CSRs).
   */
  checkState?(state: unknown, stateArea: Uint8Array): void
}

/**
 * What an architecture does for the hypervisor core (Bao's arch hooks: vm_arch_init,
 * vcpu_arch_reset, interrupt injection …). The core stays free of registers and CSRs.
 */
export interface ArchHyp {
  /** set up the VM's architectural state: virtual interrupt controller, vCPU contexts */
  createVm(vm: Vm): void
  /** run `vcpu` on its pCPU from `pc` with argument registers `args` (a0/x0 …) */
  startVcpu(vcpu: Vcpu, pc: bigint, args: bigint[]): void
  /** the argument registers a VM's boot vCPU starts with, given where its device tree is (0: none) */
  bootArgs(vcpu: Vcpu, dtbAddr: number): bigint[]
  /** stop `vcpu`; its pCPU idles */
  stopVcpu(vcpu: Vcpu): void
  /** hold a running vCPU where it is (state kept), or let it go on */
  pauseVcpu(vcpu: Vcpu, paused: boolean): void
  /**
   * Make a firmware/hypervisor call as if `vcpu` had, through the arch's default conduit with its
   * own numbering (RISC-V: `ecall` with a7 = `service`, a6 = `fn`, a0.. = `args`). Returns the
   * caller's result registers afterwards (a0, a1, … / x0, x1, …).
   */
  callAs(vcpu: Vcpu, service: number | string, fn: number, args: bigint[]): bigint[]
  /** VM stack: save `from`'s guest context (if any) and put `to`'s on pCPU `pcpu` */
  switchVcpu(pcpu: number, from: Vcpu | undefined, to: Vcpu): void
  /** write a call's results into a vCPU's result registers (a0, a1, … / x0, x1, …), live or saved */
  setResults(vcpu: Vcpu, values: readonly bigint[]): void
  /** the first `n` argument registers of a vCPU (a0.. / x0..), live or saved (TEE calls copy them between VMs) */
  argRegs(vcpu: Vcpu, n: number): bigint[]
  /**
   * Mask (or unmask again) a vCPU's virtual external interrupts while it serves another VM's
   * call (reference §3.3: a TEE runs with external interrupts off); live or saved.
   */
  maskExternalIrqs(vcpu: Vcpu, masked: boolean): void
  /** a vCPU's general registers by architectural number, and its pc */
  regs(vcpu: Vcpu): { pc: bigint; x: bigint[] }
  /** a physical interrupt now belongs to `vm`: route it there */
  assignIrq(vm: Vm, irq: number): void
  /** drive a virtual interrupt line of `vm`'s interrupt controller (emulated devices) */
  setVirq(vm: Vm, irq: number, level: boolean): void
  /** make virtual interrupt `irq` pending once (IPC events) */
  injectVirq(vm: Vm, irq: number): void
  /** the device tree the VM's boot vCPU gets, or null */
  buildDtb(vm: Vm): Uint8Array | null
  /**
   * Sessions: the arch's per-VM and per-vCPU state that is not in the harts (virtual interrupt
   * controllers, console input queues, firmware timers) as plain JSON; `restore` re-arms any
   * timed events from it (tagged, see Scheduler.restoreEvents).
   */
  snapshot?(): unknown
  restore?(state: unknown): void
  /** Throws StateError for a saved state `restore` would refuse (before anything is restored). */
  check?(state: unknown): void
}

/**
 * A bare program's channel to the host, polled between quanta (RISC-V: HTIF `tohost`): console
 * bytes, and the exit code with which the program powers the machine off.
 */
export interface HostInterface {
  poll(out: (byte: number) => void): void
  /** the code the program exited with through this channel, once it has */
  readonly exitCode: number | null
}

export interface ArchDesc {
  /** e.g. 'riscv64' */
  name: string
  /** ELF e_machine this arch runs (EM_RISCV = 243, EM_AARCH64 = 183) */
  elfMachine: number
  createHart(host: HartHost, id: number): Hart
  /** the hypervisor glue for this architecture */
  hypervisor?(hv: Hypervisor): ArchHyp
  /**
   * CROSSCON's binary config (reference §2.2) for this architecture: its `struct arch_platform`
   * size, the one arch-dependent part of the layout. Absent: no binary config (`config pack`,
   * VM create by hypercall refuse).
   */
  configBlob?: BlobArch
  /** VM config fields this architecture adds, with their schemas (kept in `HvVmConfig.archOptions`) */
  vmOptions?: ArchVmOptions
  /**
   * Guest windows the architecture puts in every VM on `board` (RISC-V: the vPLIC at the board's
   * PLIC): a config's regions, devices and IPC windows must leave them free. `archOptions` is
   * the VM's own `vmOptions` fields, parsed (an arch whose windows a VM may place, as Arm's vGIC
   * at `arch.gic.gicdAddr`, reads them; absent when asked for the board's defaults).
   */
  vmWindows?(board: BoardDesc, archOptions?: Record<string, unknown>): ArchWindow[]
  /**
   * Bare mode: start the harts for `image` as the architecture's usual bare boot does (QEMU's
   * for the board). Without it every hart starts at the entry with the first two argument
   * registers = hart id, 0 (RISC-V's `-bios none`).
   */
  bareBoot?(machine: Machine, image: LoadedImage): void
  /**
   * Bare mode: where a raw image (not an ELF) loads and starts. Without it, the board's
   * `resetPc` (QEMU's `-bios`: firmware at the flash or RAM base); an arch may tell a kernel image
   * by its header (Arm's Linux `Image` loads at RAM + text_offset, as QEMU's `-kernel`).
   */
  rawImageBase?(bytes: Uint8Array, board: BoardDesc): number
  /**
   * Rules the architecture adds for one VM's config (its own `vmOptions` fields against the rest
   * of the VM): each broken one as the field under the VM and the rule, so `config check` refuses
   * what booting the VM would.
   */
  checkVm?(vm: HvVmConfig): { field: string; rule: string }[]
  /** bare mode: the host channel `image` uses, if it has one */
  hostInterface?(machine: Machine, image: LoadedImage): HostInterface | null
  /** one instruction at `pc`; returns text and length in bytes */
  disassemble?(bytes: Uint8Array, pc: bigint): { text: string; length: number }
  /** which of its functions are the interpreter and the translator, for `--stats`' time split (core/cpu/time-split.ts) */
  profile?: ProfileRoles
}
