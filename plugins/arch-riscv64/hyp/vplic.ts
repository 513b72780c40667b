/**
 * The vPLIC (reference §8): a PLIC per VM at the board's PLIC address, emulated by the
 * hypervisor. Context 2k+1 drives vCPU k's VSEIP (even, M-mode, contexts go nowhere). Sources
 * are driven three ways: a passed-through device's physical interrupt (held until the guest
 * completes it, then completed on the physical PLIC), an emulated device's line (level), and
 * an injected event (IPC: pending until the guest claims it).
 */
import type { MmioHandler } from '../../../core/bus.ts'
import type { Device, DeviceContext, DeviceFactory } from '../../../core/device.ts'
import type { IrqLine } from '../../../core/irq.ts'
import type { DeviceHolder, LiveDevice } from '../../../core/live-devices.ts'
import { checkState, StateError } from '../../../core/state-check.ts'
import { z } from 'zod'

const CLAIM_BASE = 0x200004
const CONTEXT_STRIDE = 0x1000

export interface VPlicState {
  plic: unknown
  edge: number[]
  /** [source, physical context] of the physical interrupts held for the guest */
  hw: [number, number][]
}

const source = z.number().int().min(1, 'must be a PLIC source id (1..1023)').max(1023, 'must be a PLIC source id (1..1023)')
const savedState = z.object({
  plic: z.unknown(),
  edge: z.array(source).max(1024),
  hw: z.array(z.tuple([source, z.number().int().min(0).max(15871)])).max(1024),
}).strict()

export class VPlic implements MmioHandler, DeviceHolder {
  /** the PLIC model; hot reload of its plugin replaces it in place (`heldDevices`) */
  plic: Device
  /** sources backed by a physical interrupt, and what completes them there */
  private readonly hw = new Map<number, () => void>()
  /** the physical PLIC context each `hw` source was claimed in (sessions rebuild `hw` from it) */
  private readonly hwCtx = new Map<number, number>()
  /** sources raised by `inject`, lowered when claimed */
  private readonly edge = new Set<number>()

  constructor(private readonly factory: DeviceFactory, private readonly ctx: DeviceContext) {
    this.plic = factory(ctx)
  }

  heldDevices(): Omit<LiveDevice, 'owner'>[] {
    return [{ type: 'plic', factory: this.factory, ctx: this.ctx, device: this.plic, swap: (next) => { this.plic = next } }]
  }

  private input(n: number): IrqLine {
    return this.plic.irqInput!(n)
  }

  private static isClaim(off: number): boolean {
    return off >= CLAIM_BASE && (off - CLAIM_BASE) % CONTEXT_STRIDE === 0
  }

  read(off: number, size: number, cpu?: number): number {
    const v = this.plic.read(off, size, cpu)
    if (VPlic.isClaim(off) && this.edge.has(v)) {
      this.edge.delete(v)
      this.input(v).set(false)
    }
    return v
  }

  write(off: number, size: number, value: number, cpu?: number): void {
    if (VPlic.isClaim(off)) {
      // lower a HW-backed source before the complete, or the gateway would re-pend it at once
      const done = this.hw.get(value)
      if (done) {
        this.hw.delete(value)
        this.hwCtx.delete(value)
        this.input(value).set(false)
        this.plic.write(off, size, value, cpu)
        done()
        return
      }
    }
    this.plic.write(off, size, value, cpu)
  }

  /** a physical interrupt for this VM, claimed in physical context `ctx`; `complete` ends it there */
  hwRaise(n: number, complete: () => void, ctx = -1): void {
    this.hw.set(n, complete)
    this.hwCtx.set(n, ctx)
    this.input(n).set(true)
  }

  level(n: number, level: boolean): void {
    this.input(n).set(level)
  }

  inject(n: number): void {
    this.edge.add(n)
    this.input(n).set(true)
  }

  snapshot(): VPlicState {
    return { plic: this.plic.snapshot(), edge: [...this.edge], hw: [...this.hwCtx] }
  }

  /**
   * Throws StateError for a state `restore` refuses: sources are PLIC source ids (1..1023), and
   * a held physical interrupt names a context whose claim register lies inside the physical PLIC
   * (`physSize`: its window), since completing it writes there.
   */
  checkState(state: unknown, physSize: number): void {
    const s = checkState(savedState, state)
    s.hw.forEach(([, ctx], i) => {
      if (CLAIM_BASE + CONTEXT_STRIDE * ctx + 4 > physSize) throw new StateError(`hw[${i}][1]`, `context ${ctx} is not a context of the physical PLIC`)
    })
    try {
      this.plic.checkState?.(s.plic)
    } catch (e) {
      throw e instanceof StateError ? e.within('plic') : e
    }
  }

  /** `completer(n, ctx)` rebuilds what completes physical source n claimed in context ctx. */
  restore(state: unknown, completer: (n: number, ctx: number) => () => void): void {
    const s = state as Partial<VPlicState>
    this.edge.clear()
    for (const n of s.edge ?? []) this.edge.add(n)
    this.hw.clear()
    this.hwCtx.clear()
    for (const [n, ctx] of s.hw ?? []) {
      this.hw.set(n, completer(n, ctx))
      this.hwCtx.set(n, ctx)
    }
    this.plic.restore(s.plic)
  }
}
