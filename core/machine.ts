/**
 * A machine: one board instantiated — bus, scheduler, CPUs and devices, wired as the board says.
 */
import type { ArchDesc, Cpu } from './arch.ts'
import type { BoardDesc, BoardDevice } from './board.ts'
import { MemoryBus, type MmioRegion } from './bus.ts'
import type { Device, DeviceContext, MachineControl, SerialPort } from './device.ts'
import { NO_IRQ, type IrqLine } from './irq.ts'
import { LiveDevices } from './live-devices.ts'
import type { PluginHost } from './plugins.ts'
import { Scheduler } from './scheduler.ts'

export class Serial implements SerialPort {
  private receiver: ((b: number) => void) | null = null
  private listeners: ((b: number) => void)[] = []
  private pendingInput: number[] = []
  constructor(readonly name: string) {}
  emit(byte: number): void {
    for (const l of this.listeners) l(byte)
  }
  onReceive(fn: (byte: number) => void): void {
    this.receiver = fn
    const q = this.pendingInput
    this.pendingInput = []
    for (const b of q) fn(b)
  }
  /** outside → device */
  send(bytes: string | Uint8Array): void {
    const arr = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes
    for (const b of arr) this.receiver ? this.receiver(b) : this.pendingInput.push(b)
  }
  /** subscribe to what the device emits */
  onOutput(fn: (b: number) => void): () => void {
    this.listeners.push(fn)
    return () => { this.listeners = this.listeners.filter((l) => l !== fn) }
  }
}

export interface PowerState {
  off: boolean
  code: number
}

export class Machine implements MachineControl {
  readonly bus: MemoryBus
  readonly sched: Scheduler
  readonly cpus: Cpu[] = []
  readonly devices = new Map<string, { desc: BoardDevice; device: Device; region: MmioRegion }>()
  readonly serials = new Map<string, Serial>()
  /** board devices that opened a serial port (consoles), by instance name → port name */
  readonly consoles = new Map<string, string>()
  readonly power: PowerState = { off: false, code: 0 }
  /** every device instance made by a plugin's factory (board devices here; the hypervisor adds its own), for hot reload */
  readonly live = new LiveDevices()

  constructor(readonly board: BoardDesc, readonly arch: ArchDesc, plugins: PluginHost, opts: { cpus?: number } = {}) {
    const ram = board.memory.reduce((s, m) => s + m.size, 0) + (board.flash?.size ?? 0)
    this.bus = new MemoryBus(ram)
    this.sched = new Scheduler()
    // flash first: in the arena (RAM past the arena's cap lives in sparse pages, which code is not fetched from)
    if (board.flash) this.bus.addRam(board.flash.base, board.flash.size)
    for (const m of board.memory) this.bus.addRam(m.base, m.size)
    const cpus = opts.cpus ?? board.cpus
    const host = { bus: this.bus, sched: this.sched, cpuHz: board.cpuHz, timebaseHz: board.timebaseHz, cpus }
    for (let i = 0; i < cpus; i++) {
      const h = arch.createCpu(host, i)
      this.cpus.push(h)
      this.sched.add(h)
    }
    // entries a TLB filled while nobody observed the bus would hide accesses from a new observer
    this.bus.onObservedChange(() => { for (const h of this.cpus) h.flushTlb() })
    // interrupt controllers first, so other devices can be wired to their inputs
    const order = [...board.devices].sort((a, b) => Number(isTarget(board, b)) - Number(isTarget(board, a)))
    for (const d of order) {
      const factory = plugins.devices.get(d.type)
      if (!factory) throw new Error(`board ${board.name}: device ${d.name} has type '${d.type}', which no loaded plugin provides`)
      const irqs: IrqLine[] = (d.irqs ?? []).map((w) => this.wire(w))
      const ctx: DeviceContext = {
        name: d.name, base: d.base, size: d.size, params: d.params ?? {}, irqs,
        cpus,
        cpuLine: (h, line) => (this.cpus[h] ? this.cpus[h]!.irq(line) : NO_IRQ),
        sched: this.sched, timebaseHz: board.timebaseHz, cpuHz: board.cpuHz,
        // a device that opens a serial port is a console (the hypervisor routes it to its VMs)
        serial: (name) => { this.consoles.set(d.name, name); return this.serial(name) },
        machine: this,
      }
      const device = factory(ctx)
      const region = this.bus.addMmio(d.base, d.size, d.name, device)
      const entry = { desc: d, device, region }
      this.devices.set(d.name, entry)
      this.live.track({
        type: d.type, factory, ctx, device, owner: this,
        swap: (next) => { this.bus.replaceMmioHandler(region, next); entry.device = next },
      })
    }
    for (const w of board.cpuIrqs ?? []) {
      const target = this.devices.get(w.to)
      if (!target?.device.cpuIrqInput) throw new Error(`board ${board.name}: cpu output ${w.output} wired to '${w.to}', which has no per-CPU inputs`)
      for (const h of this.cpus) {
        if (!h.connect) throw new Error(`board ${board.name}: cpu output ${w.output} wired, but  CPUs have no outputs`)
        // looked up at every edge, so an interrupt controller replaced by hot reload keeps its inputs
        h.connect(w.output, { set: (level) => this.devices.get(w.to)!.device.cpuIrqInput!(h.id, w.input).set(level) })
      }
    }
    plugins.attach(this.live)
    plugins.attachBus(this.bus, board)
  }

  private wire(w: NonNullable<BoardDevice['irqs']>[number]): IrqLine {
    if ('cpu' in w) return this.cpus[w.cpu] ? this.cpus[w.cpu]!.irq(w.line) : NO_IRQ
    const target = this.devices.get(w.to)
    if (!target?.device.irqInput) throw new Error(`board ${this.board.name}: irq wired to '${w.to}', which is not an interrupt controller`)
    target.device.irqInput(w.input)
    // looked up at every edge, so an interrupt controller replaced by hot reload keeps its inputs
    return { set: (level) => this.devices.get(w.to)!.device.irqInput!(w.input).set(level) }
  }

  serial(name: string): Serial {
    let s = this.serials.get(name)
    if (!s) {
      s = new Serial(name)
      this.serials.set(name, s)
    }
    return s
  }

  poweroff(code: number): void {
    this.power.off = true
    this.power.code = code
    for (const h of this.cpus) h.halt()
    this.sched.stop()
  }

  reset(): void {
    // a board-level reset request: reported as a poweroff with the conventional reset code
    this.poweroff(-1)
  }
}

function isTarget(board: BoardDesc, d: BoardDevice): boolean {
  return board.devices.some((o) => (o.irqs ?? []).some((w) => 'to' in w && w.to === d.name)) || (board.cpuIrqs ?? []).some((w) => w.to === d.name)
}
