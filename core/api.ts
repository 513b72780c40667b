/**
 * The one public surface of baobab: what the REPL, the TUI, scripts and tests use. A `Workbench`
 * wraps a booted machine (a hypervisor config, or a bare image) and exposes it in the terms of
 * the DESIGN: `hv` for VMs and hypercalls, `vm(id)` for one VM's console, registers and memory,
 * `run`/`step`/`pause` for time, breakpoints and watchpoints, `stats()`.
 *
 * Everything here is synchronous except opening and the waits, which run virtual time.
 */
import { colourGeometry, pageColour } from './hypervisor/colours.ts'
import { dirname, join, resolve, sep } from 'node:path'
import { bootBare } from './bare.ts'
import type { BoardDesc } from './board.ts'
import { bootConfig } from './boot.ts'
import { archWindowsOf, validateConfig, type HvVmConfig, type VmInput } from './hypervisor/config.ts'
import type { Hypervisor } from './hypervisor/hypervisor.ts'
import { HypLog } from './hypervisor/log.ts'
import { imageBytes, packConfig } from './hypervisor/blob.ts'
import { HC_CLASS, SERVICE_HYPERCALL, SERVICE_TEE } from './hypervisor/calls.ts'
import { VMSTACK_FN } from './hypervisor/vmstack.ts'
import { defaultBoardFor } from '../plugins/defaults.ts'
import { ApiArgumentError, bool, fn as func, num, oneOf, opts as options, reg64, str, u64, vmRef } from './args.ts'
import { readFileSync, realpathSync } from 'node:fs'
import type { Vcpu, Vm } from './hypervisor/vm.ts'
import type { Machine } from './machine.ts'
import { BUILTIN_PLUGINS, PluginHost } from './plugins.ts'
import { watch, type WatchOptions, type Watcher } from './hotreload.ts'
import { reapplyConfig, type ConfigChange } from './reapply.ts'
import { RealTimeClock, type StopReason } from './scheduler.ts'
import type { RecordedCall } from './record.ts'
import { listSessions, resumeSession, saveSession, type SaveOptions, type StoreOptions } from './session/store.ts'

export interface OpenOptions {
  /** a hypervisor config file */
  config?: string
  /** the config as data (a session's): validated as the file `config` would be, which is not read */
  configData?: unknown
  /** or a bare-metal image */
  bare?: string
  board?: string
  cpus?: number
  plugins?: PluginHost
  /** seconds a .ts/.js config may take to load (core/hypervisor/config-module.ts) */
  loadTimeoutS?: number
  /** how virtual time runs (default 'deterministic') */
  clock?: ClockMode
}

/**
 * 'deterministic': virtual time from instruction counts — same inputs, same output and counts.
 * 'realtime': virtual time keeps pace with the host clock and idle machines let the host sleep
 * (core/scheduler.ts, RealTimeClock); output may come in another order, never other content.
 */
export type ClockMode = 'deterministic' | 'realtime'
export const CLOCK_MODES: readonly ClockMode[] = ['deterministic', 'realtime']

/** A VM as listed by `hv.vms()`. */
export interface VmInfo {
  id: number
  name: string
  state: string
  vcpus: number
  pcpus: number[]
  exits: number
  hypercalls: number
  parent: number | null
  children: number[]
  /** CROSSCON's VM type: 'gpos', 'tee-parent', 'tee-child', 'enclave' */
  type: string
  /** one of its vCPUs is on its pCPU now (of a VM-stack pair, the side that runs) */
  onCpu: boolean
  /** counters features keep per VM, by short name (feature llc: `llc miss`) */
  counters: Record<string, number>
}

export interface Watchpoint {
  addr: number
  len: number
  kind: 'r' | 'w' | 'rw'
}

export class ApiError extends Error {}

/** the most virtual time one `run` may be asked for (a day), and other bounds on arguments */
const MAX_MS = 86_400_000
const MAX_STEP = 10_000_000
const MAX_READ = 16 * 1024 * 1024
const MAX_DISASM = 10_000
const MAX_GPA = 2 ** 53 - 1

/** How a Workbench was opened: what a session needs to boot the same machine again. */
export interface WorkbenchOrigin {
  /** absolute path of the config (hypervisor mode) */
  config?: string
  /** absolute path of the image (bare mode) */
  bare?: string
  board: string
  cpus?: number
  /** ids of the VMs the boot created (a session cannot re-create VMs made later) */
  bootVms: number[]
}

export class Workbench {
  readonly hits: { kind: 'break' | 'watch'; pc?: bigint; addr?: number; cpu: number }[] = []
  private breakpoints = new Set<bigint>()
  private watchpoints: Watchpoint[] = []
  private unobserve: (() => void) | null = null
  private tracing = false
  private stopNext = false
  /** told of each hypercall the API makes (for `--record`; core/record.ts lists which) */
  onCall: ((call: RecordedCall, args: unknown[]) => void) | null = null
  /** host folders whose files the API may read (images); null: any (host code, --unsafe-repl) */
  private hostRoots: string[] | null = null

  private constructor(readonly machine: Machine, readonly hypervisor: Hypervisor | null, readonly plugins: PluginHost, readonly configFile: string | null,
    readonly origin: WorkbenchOrigin) {}

  /** `Workbench.open`, for modules that api.ts imports (sessions boot machines too) */
  readonly opener = (opts: OpenOptions): Promise<Workbench> => Workbench.open(opts)

  /** Boot a config (hypervisor mode) or a bare image. */
  static async open(opts: OpenOptions): Promise<Workbench> {
    const plugins = opts.plugins ?? new PluginHost()
    if (opts.config) {
      const sys = await bootConfig(opts.config, plugins, { data: opts.configData, timeoutS: opts.loadTimeoutS })
      const origin = { config: resolve(opts.config), board: sys.machine.board.name, bootVms: sys.hv.vms.map((v) => v.id) }
      return new Workbench(sys.machine, sys.hv, plugins, opts.config, origin).withClock(opts.clock)
    }
    if (opts.bare) {
      const bm = await bootBare({ board: opts.board ?? defaultBoardFor(opts.bare), image: opts.bare, cpus: opts.cpus, plugins })
      const origin = { bare: resolve(opts.bare), board: bm.machine.board.name, cpus: bm.machine.cpus.length, bootVms: [] }
      return new Workbench(bm.machine, null, plugins, null, origin).withClock(opts.clock)
    }
    throw new ApiError('open: give a config or a bare image')
  }

  get board(): BoardDesc { return this.machine.board }

  private withClock(mode: ClockMode | undefined): this {
    if (mode !== undefined) this.setClock(mode)
    return this
  }

  /** How virtual time runs now (see ClockMode). */
  get clock(): ClockMode { return this.machine.sched.realTime ? 'realtime' : 'deterministic' }

  /** Switch clock modes; real time counts host time from the next run on. */
  setClock(mode: ClockMode): void {
    oneOf('setClock(mode)', 'mode', mode, CLOCK_MODES)
    const s = this.machine.sched
    if (mode === this.clock) return
    s.realTime = mode === 'realtime' ? new RealTimeClock(this.machine.board.cpuHz / 1000) : null
  }

  /** The board's cache colours (reference §5.1): pages per colour chunk, colours, and the free pages of each colour in the pools. */
  colours(): { colorSize: number; colorNum: number; periodBytes: number; freePages: number[] } {
    const g = colourGeometry(this.machine.board.caches)
    const pool = this.hypervisor?.phys.pool
    const freePages = Array.from({ length: g.colorNum }, (_, c) => pool?.freeCount(1n << BigInt(c)) ?? 0)
    return { colorSize: g.colorSize, colorNum: g.colorNum, periodBytes: g.pagesPerPeriod * 4096, freePages }
  }

  /**
   * From now on the API reads host files only below these folders, plus the ones the user
   * opened: the config's folder, the bare image's folder and the project's guests/ (the REPL
   * sandbox calls this unless --unsafe-repl). Symbolic links are followed before the check.
   * Confinement only narrows: calling it again adds folders the command line named, and nothing
   * lifts it (a sandbox opened later with --unsafe-repl gets its own `fs` instead).
   */
  confine(extra: readonly string[] = []): void {
    const roots = [...(this.hostRoots ?? []), join(BUILTIN_PLUGINS, '..', 'guests'), ...extra]
    if (this.configFile) roots.push(dirname(resolve(this.configFile)))
    if (this.origin.bare) roots.push(dirname(this.origin.bare))
    this.hostRoots = [...new Set(roots.map((r) => { try { return realpathSync(r) } catch { return resolve(r) } }))]
  }

  /** the folders `confine` allows, or null when the API may read any host file */
  get confinedTo(): readonly string[] | null { return this.hostRoots }

  /** a VM config's image, checked before validation reads any of it */
  private checkImageInput(config: VmInput, baseDir: string, what: string): void {
    const path = (config as { image?: { path?: unknown } } | null)?.image?.path
    if (typeof path === 'string') this.checkHostFile(resolve(baseDir, path), `${what}: image`)
  }

  /** refuse a host file outside the confined folders (before anything reads it) */
  private checkHostFile(path: string | undefined, what: string): void {
    if (!path || !this.hostRoots) return
    let real: string
    try { real = realpathSync(path) } catch { throw new ApiError(`${what}: cannot read ${path}`) }
    if (!this.hostRoots.some((r) => real === r || real.startsWith(r.endsWith(sep) ? r : r + sep))) {
      throw new ApiError(`${what}: ${path} is outside the folders this REPL may read (${this.hostRoots.join(', ')}); start baobab with --unsafe-repl to lift this`)
    }
  }

  private need(): Hypervisor {
    if (!this.hypervisor) throw new ApiError('no hypervisor: this machine runs a bare image')
    return this.hypervisor
  }

  private find(id: number | string, call = 'vm(id)'): Vm {
    id = vmRef(call, id)
    const vm = this.need().vms.find((v) => v.id === id || v.name === id)
    if (!vm) throw new ApiError(`no VM ${JSON.stringify(id)} (have: ${this.need().vms.map((v) => `${v.id} ${v.name}`).join(', ')})`)
    return vm
  }

  /** VMs, hypercalls, life cycle. */
  readonly hv = {
    /** every VM with its state and counters */
    vms: (): VmInfo[] => (this.hypervisor?.vms ?? []).map((v) => ({
      id: v.id, name: v.name, state: v.state, vcpus: v.vcpus.length, pcpus: v.vcpus.map((c) => c.pcpu),
      exits: v.exits, hypercalls: v.hypercalls, parent: v.parent?.id ?? null, children: v.children.map((c) => c.id),
      type: v.config.typeName, onCpu: v.vcpus.some((c) => this.hypervisor!.onCpu[c.pcpu] === c),
      counters: this.featureCounters(v.id),
    })),
    /** create and start a VM from a VM config object (same fields as in a config's `vms[]`) on free pCPUs */
    create: (config: VmInput): VmInfo => {
      this.onCall?.('hv.create', [config])
      const hv = this.need()
      const raw = { board: this.board.name, shmem: [], vms: [config] }
      const baseDir = this.configFile ? dirname(this.configFile) : process.cwd()
      this.checkImageInput(config, baseDir, 'hv.create')
      const checked = validateConfig(raw, { baseDir, board: this.board, deviceTypes: this.plugins.devices.keys(), elfMachine: this.machine.arch.elfMachine, archOptions: this.machine.arch.vmOptions, archWindows: archWindowsOf(this.machine.arch, this.board), archCheck: this.machine.arch.checkVm })
      const vc: HvVmConfig = checked.vms[0]!
      for (const other of hv.vms) if (other.name === vc.name) throw new ApiError(`a VM named ${vc.name} exists`)
      // its pages come from the pools: any guest addresses will do, but the RAM must be there
      let vm: Vm
      try {
        vm = hv.createVmAtRuntime(vc)
      } catch (e) {
        throw new ApiError(`hv.create: ${(e as Error).message}`)
      }
      return this.hv.vms().find((v) => v.id === vm.id)!
    },
    /** stop a VM and give its pCPUs back */
    destroy: (id: number | string): void => {
      this.onCall?.('hv.destroy', [id])
      const vm = this.find(id, 'hv.destroy(id)')
      // a VM-stack child's memory belongs to its parent: only the parent's destroy hypercall returns it
      if (vm.parent) throw new ApiError(`VM ${vm.name} is a child of ${vm.parent.name}: destroy it with the destroy hypercall as its parent (hv.hypercall)`)
      this.need().destroyVm(vm)
    },
    pause: (id: number | string): void => { this.onCall?.('hv.pause', [id]); this.need().pauseVm(this.find(id, 'hv.pause(id)'), true) },
    resume: (id: number | string): void => { this.onCall?.('hv.resume', [id]); this.need().pauseVm(this.find(id, 'hv.resume(id)'), false) },
    /**
     * Issue a hypercall / firmware call as if `vcpu` of `vm` had, numbered as the architecture numbers it
     * (RISC-V: SBI extension `eid` in a7, function `fid` in a6, a0..a5 = args; Arm: SMC with x0 =
     * `fid`, args in x1..). `eid` may instead name a service every architecture has: 'hypercall'
     * (Bao's: RISC-V's Bao extension, Arm's HVC #0) or 'tee'. Returns what the guest would see in
     * its first two result registers: { error, value }.
     */
    hypercall: (vm: number | string, vcpu: number, eid: number | 'hypercall' | 'tee', fid: number, ...args: (number | bigint)[]): { error: bigint; value: bigint } => {
      const call = 'hv.hypercall(vm, vcpu, eid, fid, ...args)'
      this.onCall?.('hv.hypercall', [vm, vcpu, eid, fid, ...args])
      const v = this.find(vm, call).vcpus[num(call, 'vcpu', vcpu, 0, 1024)]
      if (!v) throw new ApiError(`VM ${vm} has no vCPU ${vcpu}`)
      this.notStacked(v)
      const named = eid === SERVICE_HYPERCALL || eid === SERVICE_TEE
      const e = named ? eid : num(call, 'eid', eid, 0, 0xffffffff), f = num(call, 'fid', fid, 0, 0xffffffff)
      if (args.length > 6) throw new ApiArgumentError(`${call}: args must be at most 6 (a0..a5), got ${args.length}`)
      const r = this.need().arch.callAs(v, e, f, args.map((a, i) => reg64(call, `args[${i}]`, a)))
      return { error: BigInt.asIntN(64, r[0] ?? 0n), value: r[1] ?? 0n }
    },
    /** the hypervisor's log lines */
    log: (): string[] => (this.hypervisor?.log.lines ?? []).map((l) => HypLog.format(l)),
    /**
     * VM-stack on behalf of a VM (feature dynamic-vm): the same hypercalls a guest makes, issued
     * as vCPU 0 of `parent`. `create` packs `config` (a VM config object, CROSSCON's layout) into
     * the parent's memory at `at` (default: the top of its first region) with the image after the
     * header, as a guest would, and returns the child's id.
     */
    child: {
      create: (parent: number | string, config: VmInput, opts: { at?: number } = {}): number => {
        const call = 'hv.child.create(parent, config, { at })'
        this.onCall?.('hv.child.create', [parent, config, opts])
        const p = this.find(parent, call)
        const at0 = options<{ at: number }>(call, opts).at
        if (at0 !== undefined) num(call, 'at', at0, 0, MAX_GPA)
        const baseDir = this.configFile ? dirname(this.configFile) : process.cwd()
        this.checkImageInput(config, baseDir, 'hv.child.create')
        const vc = validateConfig({ board: this.board.name, vms: [config] }, { baseDir, board: this.board, elfMachine: this.machine.arch.elfMachine, archOptions: this.machine.arch.vmOptions }).vms[0]!
        const arch = this.machine.arch.configBlob
        if (!arch) throw new ApiError(`CROSSCON's config blob has no layout for ${this.machine.arch.name}`)
        const blob = packConfig({ ...this.need().config, shmem: this.need().config.shmem, vms: [vc] }, { arch, images: false })
        const header = Number(new DataView(blob.buffer, blob.byteOffset).getBigUint64(40, true))
        const r0 = vc.regions[0]!
        const image = vc.image ? imageBytes(vc.image.path, vc.image.baseAddr, (f) => new Uint8Array(readFileSync(f))) : new Uint8Array()
        const top = p.config.regions[0]!.base + p.config.regions[0]!.size
        const at = opts.at ?? Math.floor((top - header - r0.size) / 4096) * 4096
        const mem = this.vm(p.id).mem
        mem.write(at, blob.subarray(0, header))
        if (vc.image) mem.write(at + header + (vc.image.baseAddr - r0.base), image)
        const r = this.vmStackCall(p.id, VMSTACK_FN.CREATE, at)
        if (r.error !== 0n) throw new ApiError(`create failed with Bao error ${r.error}`)
        return Number(r.value)
      },
      /**
       * run child `id` on the parent's pCPU with `arg` (the parent waits, as its guest would):
       * { error: 0n, value: 0n } once the child runs; what it yields or exits with goes to the
       * parent's result registers, as for a guest
       */
      invoke: (parent: number | string, id: number, arg: number | bigint = 0): { error: bigint; value: bigint } => {
        this.onCall?.('hv.child.invoke', [parent, id, arg])
        return this.vmStackCall(parent, VMSTACK_FN.INVOKE, u64('hv.child.invoke(parent, id, arg)', 'id', id), reg64('hv.child.invoke(parent, id, arg)', 'arg', arg))
      },
      destroy: (parent: number | string, id: number): { error: bigint; value: bigint } => {
        this.onCall?.('hv.child.destroy', [parent, id])
        return this.vmStackCall(parent, VMSTACK_FN.DESTROY, u64('hv.child.destroy(parent, id)', 'id', id))
      },
    },
  }

  /**
   * A vCPU stacked under a child it invoked is waiting for that child: it cannot make a call
   * (its guest could not either), and one made for it would act on the child's behalf.
   */
  private notStacked(v: Vcpu): void {
    if (v.state !== 'stacked') return
    const top = this.need().stacks[v.pcpu]?.current
    throw new ApiError(`VM ${v.vm.name} vCPU ${v.id} is waiting for its child ${top ? `${top.vm.name} (id ${top.vm.id}) ` : ''}to yield or exit: run until it has before calling as it`)
  }

  /** a VM-stack call (hypercall class 3, reference §3.2) as vCPU 0 of `vm`, through the hypervisor's routes */
  private vmStackCall(vm: number | string, fn: number, ...args: (number | bigint)[]): { error: bigint; value: bigint } {
    const v = this.find(vm, 'hv.child').vcpus[0]!
    this.notStacked(v)
    const r = this.need().call(v, 'api', SERVICE_HYPERCALL, (HC_CLASS.ENCLAVE << 16) | fn, args.map((a) => BigInt(a)))
    if (r === undefined) throw new ApiError('no feature serves VM-stack calls (add "dynamic-vm" to the config\'s features)')
    return r === null ? { error: 0n, value: 0n } : { error: BigInt.asIntN(64, r[0] ?? 0n), value: r[1] ?? 0n }
  }

  /** One VM: console, registers, memory (guest-physical, through its stage-2 map). */
  vm(id: number | string) {
    const vm = this.find(id)
    const hv = this.need()
    const bus = this.machine.bus
    const wb = this
    return {
      id: vm.id,
      name: vm.name,
      get state() { return vm.state },
      console: {
        /** everything the guest printed */
        read: (): string => vm.console.text(),
        /** type into the guest's console */
        write: (text: string): void => vm.console.send(str('console.write(text)', 'text', text)),
        /** run virtual time until the console shows `text` (after what it showed so far); false on timeout */
        waitFor: (text: string | RegExp, opts: { ms?: number } = {}): boolean => {
          const call = 'console.waitFor(text, { ms })'
          if (typeof text !== 'string' && !(text instanceof RegExp)) str(call, 'text', text)
          const ms = num(call, 'ms', options<{ ms: number }>(call, opts).ms ?? 10_000, 0, MAX_MS, false)
          const start = vm.console.total
          const hit = (): boolean => {
            const t = vm.console.since(start)
            return typeof text === 'string' ? t.includes(text) : text.test(t)
          }
          wb.run({ ms, until: hit })
          return hit()
        },
      },
      regs: (vcpu = 0) => {
        const v = vm.vcpus[num('regs(vcpu)', 'vcpu', vcpu, 0, 1024)]
        if (!v) throw new ApiError(`VM ${vm.name} has no vCPU ${vcpu}`)
        return hv.arch.regs(v)
      },
      mem: {
        read: (gpa: number, len: number): Uint8Array => {
          num('mem.read(gpa, len)', 'gpa', gpa, 0, MAX_GPA)
          const out = new Uint8Array(num('mem.read(gpa, len)', 'len', len, 0, MAX_READ))
          for (let i = 0; i < len; i++) out[i] = bus.read(this.gpa(vm, gpa + i), 1)
          return out
        },
        write: (gpa: number, data: Uint8Array | number[]): void => {
          const call = 'mem.write(gpa, data)'
          num(call, 'gpa', gpa, 0, MAX_GPA)
          if (!(data instanceof Uint8Array) && !Array.isArray(data)) throw new ApiArgumentError(`${call}: data must be a Uint8Array or an array of bytes`)
          if (data.length > MAX_READ) throw new ApiArgumentError(`${call}: data must be at most ${MAX_READ} bytes`)
          const bytes = data instanceof Uint8Array ? data : Uint8Array.from(data, (b, i) => num(call, `data[${i}]`, b, 0, 255))
          for (let i = 0; i < bytes.length; i++) bus.write(this.gpa(vm, gpa + i), 1, bytes[i]!)
        },
        /** the host-physical address behind guest-physical `gpa` (the page pools chose it), and its page's cache colour */
        pa: (gpa: number): { pa: number; colour: number } => {
          num('mem.pa(gpa)', 'gpa', gpa, 0, MAX_GPA)
          const pa = this.gpa(vm, gpa)
          return { pa, colour: pageColour(pa, colourGeometry(this.machine.board.caches)) }
        },
      },
      stats: () => ({ exits: vm.exits, hypercalls: vm.hypercalls, state: vm.state, fault: vm.fault }),
      /** `n` instructions from guest-physical `gpa`, disassembled */
      /**
       * An OP-TEE call as this GPOS would make it (feature tee, reference §3.3): function `fid`
       * with `args`, through the arch's TEE conduit. Runs virtual time until its TEE has answered
       * (at most `ms`, default 1000) and returns the result registers 0..3 (a0..a3 / x0..x3);
       * the GPOS's own registers are given back afterwards, so its guest does not notice.
       */
      teeCall: (fid: number, ...args: (number | bigint)[]): bigint[] => {
        const call = 'teeCall(fid, ...args)'
        wb.onCall?.('vm.teeCall', [vm.id, fid, ...args])
        const v = vm.vcpus[0]!
        this.notStacked(v)
        const f = num(call, 'fid', fid, 0, 0xffffffff)
        if (args.length > 5) throw new ApiArgumentError(`${call}: args must be at most 5, got ${args.length}`)
        const a = args.map((x, i) => reg64(call, `args[${i}]`, x))
        const saved = hv.arch.argRegs(v, 8)
        const r = hv.arch.callAs(v, SERVICE_TEE, f, [BigInt(f), ...a])
        if (hv.onCpu[v.pcpu] === v) return r.slice(0, 4).map((x) => BigInt.asIntN(64, x)) // answered at once
        const back = (): boolean => hv.onCpu[v.pcpu] === v || vm.state !== 'running'
        wb.run({ ms: 1000, until: back })
        if (hv.onCpu[v.pcpu] !== v) throw new ApiError(`VM ${vm.name}: its TEE did not answer within 1000 ms of virtual time`)
        const out = hv.arch.argRegs(v, 4).map((x) => BigInt.asIntN(64, x))
        hv.arch.setResults(v, saved)
        return out
      },
      disasm: (gpa: number, n = 8): string[] =>
        this.disasmAt((a) => this.gpa(vm, a), num('disasm(gpa, n)', 'gpa', gpa, 0, MAX_GPA), num('disasm(gpa, n)', 'n', n, 0, MAX_DISASM)),
    }
  }

  private gpa(vm: Vm, gpa: number): number {
    const e = vm.stage2.lookup(gpa)
    if (!e || e.kind === 'emulated') throw new ApiError(`VM ${vm.name}: nothing the API can reach at 0x${gpa.toString(16)}`)
    return e.pa + (gpa - e.gpa)
  }

  /**
   * Advance virtual time: `run(ms)` or `run({ ms, insns, until })`. Stops early at a breakpoint,
   * a watchpoint hit, `pause()` or when the machine powers off.
   */
  run(arg: number | { ms?: number; insns?: number; until?: () => boolean } = 10): StopReason {
    const call = 'run(ms) / run({ ms, insns, until })'
    const given = typeof arg === 'number' ? { ms: arg } : options<{ ms: number; insns: number; until: () => boolean }>(call, arg)
    const o = {
      ms: given.ms === undefined ? undefined : num(call, 'ms', given.ms, 0, MAX_MS, false),
      insns: given.insns === undefined ? undefined : num(call, 'insns', given.insns, 0, Number.MAX_SAFE_INTEGER),
      until: func(call, 'until', given.until),
    }
    // neither a time nor a count nor a condition: the default slice, as run() with no argument
    if (o.ms === undefined && o.insns === undefined && !o.until) o.ms = 10
    const m = this.machine
    const cycles = o.ms !== undefined ? Math.round((o.ms / 1000) * m.board.cpuHz) : undefined
    const startInsns = m.sched.instructions
    this.stopNext = false
    const slow = this.breakpoints.size > 0 || this.tracing
    m.sched.quantum = slow ? 1 : 10_000
    return m.sched.run({
      cycles: cycles ?? (o.insns === undefined ? undefined : Infinity),
      predicate: () => {
        if (this.stopNext) return true
        if (o.insns !== undefined && m.sched.instructions - startInsns >= o.insns) return true
        if (slow && this.checkBreak()) return true
        return o.until?.() ?? false
      },
    })
  }

  /** Execute `n` instructions on every running CPU (one round each), then stop. */
  step(n = 1): void {
    n = num('step(n)', 'n', n, 0, MAX_STEP)
    this.machine.sched.quantum = 1
    for (let i = 0; i < n; i++) this.machine.sched.run({ cycles: 1 })
    this.machine.sched.quantum = 10_000
  }

  /** Stop a `run` in progress at the next boundary (from a hook or another task). */
  pause(): void {
    this.stopNext = true
    this.machine.sched.stop()
  }

  private checkBreak(): boolean {
    for (const h of this.machine.cpus) {
      if (h.halted || h.idle) continue
      if (this.tracing) this.hits.push({ kind: 'break', pc: h.pc, cpu: h.id })
      if (this.breakpoints.has(h.pc)) {
        this.hits.push({ kind: 'break', pc: h.pc, cpu: h.id })
        return true
      }
    }
    return false
  }

  readonly breakpoint = {
    add: (pc: number | bigint): void => { this.breakpoints.add(u64('breakpoint.add(pc)', 'pc', pc)) },
    remove: (pc: number | bigint): void => { this.breakpoints.delete(u64('breakpoint.remove(pc)', 'pc', pc)) },
    list: (): bigint[] => [...this.breakpoints],
  }

  /** Watch host-physical memory: a hit stops `run` (accesses then take the slow path). */
  readonly watchpoint = {
    add: (addr: number, len = 4, kind: Watchpoint['kind'] = 'w'): void => {
      const call = 'watchpoint.add(addr, len, kind)'
      num(call, 'addr', addr, 0, MAX_GPA)
      num(call, 'len', len, 1, 2 ** 32)
      oneOf(call, 'kind', kind, ['r', 'w', 'rw'])
      this.watchpoints.push({ addr, len, kind })
      this.installHook()
    },
    clear: (): void => {
      this.watchpoints = []
      this.installHook()
    },
    list: (): Watchpoint[] => [...this.watchpoints],
  }

  /** One bus observer while any watchpoint is set (the machine flushes the CPUs' TLBs as it comes and goes). */
  private installHook(): void {
    if (!this.watchpoints.length) {
      this.unobserve?.()
      this.unobserve = null
    } else if (!this.unobserve) {
      this.unobserve = this.machine.bus.observe((kind, pa, size) => {
        for (const w of this.watchpoints) {
          if (!w.kind.includes(kind) || pa + size <= w.addr || pa >= w.addr + w.len) continue
          const h = this.machine.sched.running
          this.hits.push({ kind: 'watch', addr: pa, cpu: h ? h.id : -1 })
          this.pause()
        }
      })
    }
  }

  /** `n` instructions from host-physical `pa`, disassembled (the REPL's `disasm`) */
  disasm(pa: number, n = 8): string[] {
    return this.disasmAt((a) => a, num('disasm(pa, n)', 'pa', pa, 0, MAX_GPA), num('disasm(pa, n)', 'n', n, 0, MAX_DISASM))
  }

  private disasmAt(toPa: (a: number) => number, addr: number, n: number): string[] {
    const dis = this.machine.arch.disassemble
    if (!dis) throw new ApiError(`no disassembler for ${this.machine.arch.name}`)
    const out: string[] = []
    for (let i = 0, a = addr; i < n; i++) {
      const bytes = new Uint8Array(4)
      try { for (let k = 0; k < 4; k++) bytes[k] = this.machine.bus.read(toPa(a + k), 1) } catch { out.push(`${a.toString(16)}: (not readable)`); break }
      const d = dis(bytes, BigInt(a))
      out.push(`${a.toString(16)}: ${d.text}`)
      a += d.length
    }
    return out
  }

  /** Record the pc of every instruction in `hits` while on (slow). */
  trace(on: boolean): void { this.tracing = bool('trace(on)', 'on', on) }

  /** the per-VM counters features registered (ctx.counters), for one VM */
  private featureCounters(vmId: number): Record<string, number> {
    const out: Record<string, number> = {}
    for (const [name, make] of this.plugins.counters) {
      const n = make(this.machine.bus)?.(vmId)
      if (n !== undefined) out[name] = n
    }
    return out
  }

  stats() {
    const m = this.machine
    return {
      virtualMs: (m.sched.now / m.board.cpuHz) * 1000,
      instructions: m.sched.instructions,
      clock: this.clock,
      cpus: m.cpus.map((h) => ({ id: h.id, instret: h.instret, halted: h.halted, idle: h.idle, pc: h.pc })),
      vms: this.hv.vms(),
    }
  }

  /** Make a call a recording holds (core/record.ts) again, through the same API. */
  replayCall(call: RecordedCall, args: unknown[]): void {
    const a = args as never[]
    const hv = this.hv
    switch (call) {
      case 'hv.hypercall': (hv.hypercall as (...x: unknown[]) => unknown)(...a); return
      case 'hv.create': hv.create(a[0]!); return
      case 'hv.destroy': hv.destroy(a[0]!); return
      case 'hv.pause': hv.pause(a[0]!); return
      case 'hv.resume': hv.resume(a[0]!); return
      case 'hv.child.create': hv.child.create(a[0]!, a[1]!, a[2]); return
      case 'hv.child.invoke': hv.child.invoke(a[0]!, a[1]!, a[2]); return
      case 'hv.child.destroy': hv.child.destroy(a[0]!, a[1]!); return
      case 'vm.teeCall': (this.vm(a[0]!).teeCall as (...x: unknown[]) => unknown)(...a.slice(1)); return
    }
  }

  // ---- sessions (core/session/) ----

  /**
   * Saved sessions: `save(name)` writes sessions/<name>/ atomically (config and image hashes,
   * plugins, REPL history, a full machine snapshot); `load(name)` boots the saved config in a
   * NEW Workbench and restores the machine into it (this one is left as it is: the caller
   * switches over); `list()` the saved sessions. `dir` overrides the sessions folder.
   */
  readonly session = {
    save: (name: string, opts: SaveOptions = {}) => saveSession(this, name, opts),
    load: (name: string, opts: StoreOptions = {}): Promise<Workbench> => resumeSession(name, Workbench.open, opts),
    list: (opts: StoreOptions = {}) => listSessions(opts),
  }

  // ---- hot reload (core/reapply.ts, core/hotreload.ts; plugins.reload(name) is PluginHost's) ----

  /**
   * Re-read the config file and bring the VMs in line with it: only VMs whose definition changed
   * restart, new ones are created, removed ones destroyed; the others run on untouched. An
   * invalid file throws its ConfigErrors and changes nothing.
   */
  reloadConfig(): Promise<ConfigChange> {
    if (!this.configFile) throw new ApiError('reloadConfig: this machine was not booted from a config')
    return reapplyConfig(this.need(), this.configFile, this.origin.bootVms)
  }

  /** Watch the config file and every loaded plugin's files; changes reload (see core/hotreload.ts). */
  watch(opts: WatchOptions): Watcher {
    return watch(this, opts)
  }

  /** What the REPL's `help()` prints. */
  static help(): string {
    return HELP
  }
}

const HELP = `baobab API (REPL globals: hv, vm, board, plugins, run, step, pause, breakpoint, watchpoint, trace, stats, session, help)
  hv.vms()                          list VMs: id, name, state, vCPUs, pCPUs, exits, hypercalls
  hv.create(vmConfig)               create and start a VM (same fields as a config's vms[]) on free pCPUs
  hv.destroy(id) / hv.pause(id) / hv.resume(id)
  hv.hypercall(vm, vcpu, eid, fid, ...args)   call as that vCPU would (eid: RISC-V's SBI extension, Arm: SMC; or 'hypercall' | 'tee' on either); returns { error, value }
  hv.log()                          the hypervisor's log lines
  vm(id).console.read() / .write(text) / .waitFor(text, { ms })
  vm(id).regs(vcpu)                 { pc, x[0..31] }
  vm(id).mem.read(gpa, len) / .write(gpa, bytes)   guest-physical, through the VM's stage-2 map
  vm(id).mem.pa(gpa)                { pa, colour }: the host page behind a guest address, its cache colour
  vm(id).stats() / vm(id).disasm(gpa, n)      disasm(pa, n)
  hv.child.create(parent, vmConfig) / .invoke(parent, id, arg) / .destroy(parent, id)   VM-stack as that VM
  vm(id).teeCall(fid, ...args)      an OP-TEE call as that GPOS would make it; its result registers 0..3
  board                             the board description (memory map, devices, clocks, caches)
  board.colors()                    its cache colours: { colorSize, colorNum, periodBytes, freePages[colour] }
  llc.stats() / .reset() / .flush() with feature llc: per VM accesses, hits, misses, missRate, evictedByOthers;
                                    reset zeroes the counters, flush empties the cache
  plugins.list() / .load(nameOrPath) / .unload(name) / .reload(name)
  run(ms) / run({ ms, insns })      advance virtual time; step(n); pause()
  breakpoint.add(pc) / .remove(pc) / .list()
  watchpoint.add(addr, len, 'r'|'w'|'rw') / .clear() / .list()
  trace(on)                         record every pc while running (slow)
  stats()                           virtual time, instructions, per-CPU and per-VM counters
  session.save(name) / .load(name) / .list()`
