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

const CLAIM_BASE = 0x200004
const CONTEXT_STRIDE = 0x1000

export class VPlic implements MmioHandler {
  readonly plic: Device
  /** sources backed by a physical interrupt, and what completes them there */
  private readonly hw = new Map<number, () => void>()
  /** sources raised by `inject`, lowered when claimed */
  private readonly edge = new Set<number>()

  constructor(factory: DeviceFactory, ctx: DeviceContext) {
    this.plic = factory(ctx)
  }

  private input(n: number): IrqLine {
    return this.plic.irqInput!(n)
  }

  private static isClaim(off: number): boolean {
    return off >= CLAIM_BASE && (off - CLAIM_BASE) % CONTEXT_STRIDE === 0
  }

  read(off: number, size: number): number {
    const v = this.plic.read(off, size)
    if (VPlic.isClaim(off) && this.edge.has(v)) {
      this.edge.delete(v)
      this.input(v).set(false)
    }
    return v
  }

  write(off: number, size: number, value: number): void {
    if (VPlic.isClaim(off)) {
      // lower a HW-backed source before the complete, or the gateway would re-pend it at once
      const done = this.hw.get(value)
      if (done) {
        this.hw.delete(value)
        this.input(value).set(false)
        this.plic.write(off, size, value)
        done()
        return
      }
    }
    this.plic.write(off, size, value)
  }

  /** a physical interrupt for this VM; `complete` ends it on the physical PLIC */
  hwRaise(n: number, complete: () => void): void {
    this.hw.set(n, complete)
    this.input(n).set(true)
  }

  level(n: number, level: boolean): void {
    this.input(n).set(level)
  }

  inject(n: number): void {
    this.edge.add(n)
    this.input(n).set(true)
  }

  snapshot(): unknown {
    return { plic: this.plic.snapshot(), edge: [...this.edge] }
  }
}
