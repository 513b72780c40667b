/** Sessions saved before the PLIC declared its registers as data still restore. */
import { describe, expect, it } from 'vitest'
import type { DeviceContext } from '../../../core/device.ts'
import { Scheduler } from '../../../core/scheduler.ts'
import { Plic } from '../plic.ts'

function plic(): { plic: Plic; lines: Map<string, boolean> } {
  const lines = new Map<string, boolean>()
  const ctx: DeviceContext = {
    name: 'plic0', base: 0, size: 0x60_0000, params: { sources: 40 }, irqs: [], cpus: 2,
    cpuLine: (h, l) => ({ set: (v) => { lines.set(`${h}:${l}`, v) } }),
    sched: new Scheduler(), timebaseHz: 10_000_000, cpuHz: 1_000_000_000,
    serial: () => { throw new Error('no serial') }, machine: { poweroff() {}, reset() {} },
  }
  return { plic: new Plic(ctx), lines }
}

describe('plic legacy state', () => {
  it('restores the flat { priority, enable, threshold, level, claimed } shape', () => {
    const { plic: p, lines } = plic()
    const priority = Array.from({ length: 40 }, (_, s) => (s === 33 ? 5 : s === 3 ? 2 : 0))
    // 2 words per context, context-major; context 3 (hart 1, S-mode) enables sources 3 and 33
    const enable = [0, 0, 0, 0, 0, 0, 1 << 3, 1 << 1]
    p.restore(JSON.parse(JSON.stringify({ priority, enable, threshold: [0, 0, 0, 1], level: [1 << 3, 1 << 1], claimed: [0, 0] })))
    expect(lines.get('1:seip')).toBe(true)
    expect([p.read(0x2000 + 0x80 * 3 + 4, 4), p.read(4 * 33, 4), p.read(0x203000, 4)]).toEqual([2, 5, 1])
    expect(p.read(0x203004, 4)).toBe(33)
    expect(p.read(0x203004, 4)).toBe(3)
    expect(p.read(0x203004, 4)).toBe(0)
  })
})
