import { describe, expect, it } from 'vitest'
import { MemoryBus } from '../../../core/bus.ts'
import type { DeviceContext } from '../../../core/device.ts'
import { Scheduler } from '../../../core/scheduler.ts'
import { SifiveTest } from '../sifive-test.ts'

const BASE = 0x10_0000

function setup() {
  const calls: string[] = []
  const ctx: DeviceContext = {
    name: 'test0', base: BASE, size: 0x1000, params: {}, irqs: [], cpus: 1, cpuLine: () => ({ set() {} }),
    sched: new Scheduler(), timebaseHz: 10_000_000, cpuHz: 1_000_000_000,
    serial: () => { throw new Error('no serial') },
    machine: { poweroff: (code) => calls.push(`poweroff ${code}`), reset: () => calls.push('reset') },
  }
  const dev = new SifiveTest(ctx)
  const bus = new MemoryBus(0)
  bus.addMmio(BASE, 0x1000, 'test0', dev)
  return { bus, dev, calls }
}

describe('sifive-test finisher', () => {
  it('powers off with code 0 on pass', () => {
    const { bus, calls } = setup()
    bus.write32(BASE, 0x5555)
    expect(calls).toEqual(['poweroff 0'])
  })

  it('powers off with the high half as exit code on fail', () => {
    const { bus, calls } = setup()
    bus.write32(BASE, (42 << 16) | 0x3333)
    bus.write32(BASE, 0xffff_3333)
    expect(calls).toEqual(['poweroff 42', 'poweroff 65535'])
  })

  it('asks the machine to reset on 0x7777', () => {
    const { bus, calls } = setup()
    bus.write32(BASE, 0x7777)
    expect(calls).toEqual(['reset'])
  })

  it('ignores other values and reads 0', () => {
    const { bus, dev, calls } = setup()
    bus.write32(BASE, 0x1234)
    bus.write32(BASE + 4, 0x5555)
    expect(calls).toEqual([])
    expect([bus.read32(BASE), bus.read32(BASE + 4)]).toEqual([0, 0])
    dev.restore(JSON.parse(JSON.stringify(dev.snapshot())))
  })
})
