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

/** What a CPU gets from the machine it sits in. */
export interface CpuHost {
  bus: MemoryBus
  sched: Scheduler
  cpuHz: number
  timebaseHz: number
  /** CPUs on the board (for mhartid ranges, IPIs) */
  cpus: number
}

export interface Cpu extends Runnable {
  /** power-on reset; the CPU starts at `pc` in its most privileged mode */
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
   * Drive the CPU's own interrupt output `output` (by the architecture's name for it, e.g. the
   * generic timer's CNTVIRQ) into `line`; throws for a name the CPU does not have. Boards wire
   * these through `cpuIrqs`.
   */
  connect?(output: string, line: IrqLine): void
  /** stop for good (powered off, or a fault the machine cannot handle); `idle`/`halted` follow */
  halt(): void
  /** forget cached translations (after the bus's map changed, or its observers came or went) */
  flushTlb(): void
  /**
   * Let `cycles` of virtual time pass on this CPU with no instruction retired (a cache miss's
   * latency, charged by a model that observes the bus): taken from the CPU's next windows.
   */
  stall(cycles: number): void
  /** plain state for sessions and determinism checks (registers/CSRs live in the arena) */
  snapshot(): unknown
  /** takes back what `snapshot` gave; refuses (throws StateError) what `checkState` refuses */
  restore(state: unknown): void
  /**
   * Throws StateError (core/state-check.ts) for a saved state `restore` would refuse; `stateArea`
   * is the arena's state area as the session would restore it (the CPU's registers and CSRs).
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
   * Sessions: the arch's per-VM and per-vCPU state that is not in the CPUs (virtual interrupt
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

/**
 * One thread a GDB stub shows (feature gdb): a CPU of a bare machine (`vcpu` null), or a vCPU
 * whose pCPU is `cpu`. `live`: the thread's context is on `cpu` now; when false (a vCPU stacked
 * under a VM-stack child, or one whose pCPU runs another VM's vCPU) its registers and its
 * translation are those of its saved context (`Vcpu.arch`), as `ArchHyp.regs` reads them.
 */
export interface GdbThread {
  cpu: Cpu
  vcpu: Vcpu | null
  live: boolean
}

/** The register file a GDB stub offers: its target description and the remote register numbers in it. */
export interface GdbRegisterLayout {
  /** target description documents by annex (`qXfer:features:read:<annex>`); `target.xml` is the one GDB asks for first */
  xml: Readonly<Record<string, string>>
  /** bytes of each register, indexed by its remote register number (the `regnum` the XML gives it) */
  sizes: readonly number[]
  /** registers 0 .. gCount-1, in order, make a `g` packet; GDB reads the others one at a time (`p`) */
  gCount: number
  /** the pc's register number (stop replies carry its value) */
  pc: number
}

/**
 * What a GDB stub needs from an architecture: the registers GDB is shown and how to reach them
 * (live on a CPU, or in a vCPU's saved context), the debugger's view of memory through the
 * thread's own translation, and a way to hold a CPU while the debugger has it stopped. Register
 * values are in the target's byte order.
 */
export interface ArchGdb {
  /**
   * The register layout for a bare machine's CPUs (`guest` false: every register the CPU has, as
   * firmware sees it) or for a VM's vCPUs (`guest` true: what the guest itself can see — its
   * supervisor registers as it reads them, not the hypervisor's own).
   */
  layout(guest: boolean): GdbRegisterLayout
  /** register `n` of the layout for `t` (guest layout when `t.vcpu`); null when it cannot be read now */
  readRegister(t: GdbThread, n: number): Uint8Array | null
  /** write register `n`; false when the register is read-only, unknown or `value` has the wrong size */
  writeRegister(t: GdbThread, n: number, value: Uint8Array): boolean
  /**
   * The physical address behind virtual address `va` as `t` would reach it now: stage 1 under
   * its current translation registers, then, for a vCPU, its VM's stage-2 map. No side effects: no fault raised, no accessed/dirty bit set, no TLB filled; page
   * permissions are not checked (a debugger may read code and write read-only data). Null when
   * nothing is mapped there, or only an emulated device (whose accesses the debugger must not
   * trigger).
   */
  translate(t: GdbThread, va: bigint): number | null
  /**
   * Hold a CPU (or let it go again) without powering it off: parked, it reads as waiting for an
   * interrupt (`idle`), so the scheduler skips it and runs the rest of the machine; unparked, it
   * goes on where it was — still waiting in its WFI if it was and nothing it waits for came
   * meanwhile. An interrupt that arrives while it is parked stays pending (the stub parks the CPU
   * again if the interrupt wakes it).
   */
  park(cpu: Cpu, parked: boolean): void
  /**
   * Take an interrupt that is pending and enabled now, as the CPU does before its next
   * instruction (into the guest's handler, or to the hypervisor): a stub that runs a CPU one
   * instruction at a time calls it before looking at the pc, so a breakpoint on a handler's first
   * instruction is seen. Absent: interrupts are taken inside `run`, with the next instruction.
   */
  takeInterrupt?(cpu: Cpu): void
}

export interface ArchDesc {
  /** e.g. 'riscv64' */
  name: string
  /** ELF e_machine this arch runs (EM_RISCV = 243, EM_AARCH64 = 183) */
  elfMachine: number
  createCpu(host: CpuHost, id: number): Cpu
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
   * Bare mode: start the CPUs for `image` as the architecture's usual bare boot does (QEMU's
   * for the board). Without it every CPU starts at the entry with the first two argument
   * registers = CPU id, 0 (RISC-V's `-bios none`).
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
  /** registers, memory translation and CPU holding for a GDB stub (feature gdb); absent: no GDB support */
  gdb?: ArchGdb
  /** which of its functions are the interpreter and the translator, for `--stats`' time split (core/cpu/time-split.ts) */
  profile?: ProfileRoles
}
