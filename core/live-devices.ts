/**
 * Live device instances: every device a plugin's factory made for a running machine (board
 * devices, a VM's emulated devices, the PLIC model inside a vPLIC), with the context it was made
 * with and a way to put a replacement where it is reached (a bus region, a stage-2 entry, a
 * field of a wrapper). Hot reload (PluginHost.reload) uses it to swap instances made by an old
 * version of a plugin for instances of the new one, handing over state with snapshot/restore.
 *
 * A replacement is a two-step transaction: `prepare` makes the new instance with the same
 * DeviceContext and restores the old one's state into it, without touching what the machine
 * reaches; `commit` swaps it in and retires the old one. Between the two nothing runs, so the
 * guest sees one device whose implementation changed between two instructions.
 */
import type { Device, DeviceContext, DeviceFactory, SerialPort } from './device.ts'

export interface LiveDevice {
  /** the device type, as registered by a device plugin */
  readonly type: string
  /** the factory that made the current instance */
  factory: DeviceFactory
  /** what it was made with; a replacement gets the same context (irqs, CPU lines, serial ports) */
  readonly ctx: DeviceContext
  device: Device
  /** who holds it (the machine for board devices, a VM for its own): `untrack(owner)` drops them */
  readonly owner: object
  /** put `next` where the current instance is reached */
  readonly swap: (next: Device) => void
}

/**
 * An MMIO handler that wraps devices made by a factory (the vPLIC around a PLIC model) lists
 * them, so whoever tracks live devices can find and replace them without knowing the wrapper.
 */
export interface DeviceHolder {
  heldDevices(): Omit<LiveDevice, 'owner'>[]
}

export function isDeviceHolder(h: unknown): h is DeviceHolder {
  return typeof h === 'object' && h !== null && typeof (h as Partial<DeviceHolder>).heldDevices === 'function'
}

export class LiveDevices {
  private readonly entries: LiveDevice[] = []

  track(e: LiveDevice): LiveDevice {
    this.entries.push(e)
    return e
  }

  /** Forget every instance `owner` holds (a destroyed VM). */
  untrack(owner: object): void {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i]!.owner === owner) this.entries.splice(i, 1)
  }

  ofType(type: string): LiveDevice[] {
    return this.entries.filter((e) => e.type === type)
  }

  /** The instances `factory` made (what a reload of its plugin must replace). */
  madeBy(factory: DeviceFactory): LiveDevice[] {
    return this.entries.filter((e) => e.factory === factory)
  }

  all(): readonly LiveDevice[] {
    return this.entries
  }

  /** Replace one instance with one `factory` makes, state handed over (see `prepare`). */
  replace(entry: LiveDevice, factory: DeviceFactory): void {
    commit(prepare(entry, factory))
  }
}

/** A new instance ready to take an old one's place. */
export interface Replacement {
  entry: LiveDevice
  factory: DeviceFactory
  next: Device
  ports: StagedPort[]
}

/**
 * Make the replacement of `entry` with `factory` and give it the current state. The machine still
 * reaches the old instance; serial receivers the new one registers wait for `commit`. Throws
 * what the factory or `restore` throws, after disposing of the half-made instance.
 */
export function prepare(entry: LiveDevice, factory: DeviceFactory): Replacement {
  const ports: StagedPort[] = []
  const ctx: DeviceContext = {
    ...entry.ctx,
    serial: (name) => {
      const p = new StagedPort(entry.ctx.serial(name))
      ports.push(p)
      return p
    },
  }
  const next = factory(ctx)
  try {
    next.restore(structuredClone(entry.device.snapshot()))
  } catch (e) {
    next.dispose?.()
    throw e
  }
  return { entry, factory, next, ports }
}

/** Swap the prepared instance in; the old one stops receiving input and cancels its events. */
export function commit(r: Replacement): void {
  const old = r.entry.device
  r.entry.swap(r.next)
  r.entry.device = r.next
  r.entry.factory = r.factory
  for (const p of r.ports) p.commit()
  old.dispose?.()
}

/**
 * Give up prepared replacements: dispose of the new instances, then let each old one drive its
 * outputs again (a new instance may have moved an interrupt line while it was being made).
 */
export function abandon(rs: Replacement[], failed?: LiveDevice): void {
  for (const r of rs) r.next.dispose?.()
  for (const e of [...rs.map((r) => r.entry), ...(failed ? [failed] : [])]) e.device.restore(structuredClone(e.device.snapshot()))
}

/**
 * A serial port as a device being prepared sees it: output goes through, but the receiver it
 * registers takes over the port only on commit (until then the old instance keeps receiving).
 */
class StagedPort implements SerialPort {
  private pending: ((byte: number) => void) | null = null
  private live = false

  constructor(private readonly port: SerialPort) {}

  get name(): string {
    return this.port.name
  }

  emit(byte: number): void {
    this.port.emit(byte)
  }

  onReceive(fn: (byte: number) => void): void {
    if (this.live) this.port.onReceive(fn)
    else this.pending = fn
  }

  commit(): void {
    this.live = true
    if (this.pending) this.port.onReceive(this.pending)
    this.pending = null
  }
}
