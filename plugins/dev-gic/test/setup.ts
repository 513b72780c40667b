/** Builds a GIC on a bus with recorded hart lines, as a board would. */
import { MemoryBus } from '../../../core/bus.ts'
import type { Device, DeviceContext } from '../../../core/device.ts'
import type { IrqLine } from '../../../core/irq.ts'
import { Scheduler } from '../../../core/scheduler.ts'

export type Rec = IrqLine & { level: boolean; levels: boolean[] }

export function recorder(): Rec {
  const r: Rec = { level: false, levels: [], set(l) { r.levels.push(l); r.level = l } }
  return r
}

export function board<D extends Device>(make: (ctx: DeviceContext) => D, opts: { base: number; size: number; cpus: number; params?: Record<string, unknown> }) {
  const bus = new MemoryBus(0)
  const lines = new Map<string, Rec>()
  const line = (h: number, l: string): Rec => lines.get(`${h}:${l}`) ?? lines.set(`${h}:${l}`, recorder()).get(`${h}:${l}`)!
  const ctx: DeviceContext = {
    name: 'gic0', base: opts.base, size: opts.size, params: opts.params ?? {}, irqs: [], cpus: opts.cpus,
    cpuLine: line, sched: new Scheduler(), timebaseHz: 62_500_000, cpuHz: 1_000_000_000,
    serial: () => { throw new Error('no serial') }, machine: { poweroff() {}, reset() {} },
  }
  const dev = make(ctx)
  bus.addMmio(opts.base, opts.size, 'gic0', dev)
  return {
    bus, dev, ctx,
    irq: (h: number) => line(h, 'irq'),
    fiq: (h: number) => line(h, 'fiq'),
    /** a 32-bit access from CPU `cpu` (-1: the host) */
    rd: (pa: number, cpu = -1) => bus.read(pa, 4, cpu),
    wr: (pa: number, v: number, cpu = -1) => bus.write(pa, 4, v, cpu),
  }
}
