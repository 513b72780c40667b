/**
 * Every board of CROSSCON's list against the facts file itself: reference/platforms.json (beside
 * the repository in ../shared, as README.md's "How it is built" points to it). For each board
 * the file describes: CPUs and clusters, the RAM the hypervisor's pools get, the interrupt
 * controller's frames, the console UART (driver, address, interrupt, register stride), the
 * generic timer's frequency and PPIs, the caches and the colours §5.1's maths makes of them.
 * Where a board departs from the file on purpose, the test names the departure (and the board's
 * data file says why).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { BoardDesc } from '../core/board.ts'
import { colourGeometry } from '../core/hypervisor/colours.ts'
import { cva6 } from '../plugins/board-cva6/cva6.ts'
import { hikey960 } from '../plugins/board-hikey960/hikey960.ts'
import { imx8mq } from '../plugins/board-imx8mq/imx8mq.ts'
import { imx8qm } from '../plugins/board-imx8qm/imx8qm.ts'
import { rpi4 } from '../plugins/board-rpi4/rpi4.ts'
import { tx2 } from '../plugins/board-tx2/tx2.ts'
import { ultra96 } from '../plugins/board-ultra96/ultra96.ts'
import { zcu102 } from '../plugins/board-zcu102/zcu102.ts'
import { zcu104 } from '../plugins/board-zcu104/zcu104.ts'

// the facts file (reference/platforms.json of the project's shared notes), copied into the
// repository so a clean clone checks against it too
const FACTS = join(import.meta.dirname, 'fixtures', 'platforms.json')

interface Cache { sizeBytes: number | null; ways: number; lineBytes: number; indexing?: string }
interface Platform {
  name: string
  cpus: number
  cpusHardware?: number
  clusters: number[] | null
  memory: { base: string; size: string }[]
  console: { type: string; base: string; irq: number | null; regStride?: number }
  irqc: { type: string; gicd?: string; gicc?: string; gich?: string; gicv?: string; gicr?: string; base?: string; maintenanceIrq?: number }
  armPpis?: { virtTimer: number; physTimerNS: number }
  timerFreqHz: number | null
  llc: Cache | null
  l1d?: Cache
  l1i?: Cache
  colors: { colorNum: number; colorSizePages: number } | null
}

const facts: Platform[] = JSON.parse(readFileSync(FACTS, 'utf8'))

/** [base, end) ranges, sorted, touching ones merged */
function merged(ranges: { base: number; size: number }[]): [number, number][] {
  const out: [number, number][] = []
  for (const r of [...ranges].sort((a, b) => a.base - b.base)) {
    const last = out[out.length - 1]
    if (last && r.base <= last[1]) last[1] = Math.max(last[1], r.base + r.size)
    else out.push([r.base, r.base + r.size])
  }
  return out
}

/** The RAM the pools get before any VM: the board's RAM less what firmware keeps (the hypervisor's own image is the hypervisor's, so it stays). */
function pools(b: BoardDesc): [number, number][] {
  let ram = merged(b.memory)
  for (const r of b.reserved ?? []) {
    if (r.hypervisor) continue
    ram = ram.flatMap(([lo, hi]) => [[lo, Math.min(hi, r.base)], [Math.max(lo, r.base + r.size), hi]] as [number, number][]).filter(([lo, hi]) => hi > lo)
  }
  return ram
}

/** The device driver each console `type` of the facts file is (CROSSCON's driver names). */
const UART_TYPES: [RegExp, string][] = [
  [/BCM2711 aux mini-UART/, 'bcm2835-aux-uart'], [/^8250/, 'ns16550'], [/^cadence-uart/, 'cdns-uart'],
  [/^nxp-lpuart/, 'lpuart'], [/^imx-uart/, 'imx-uart'], [/^pl011/, 'pl011'],
]

/** Where a board's RAM departs from CROSSCON's regions on purpose (the data files say why). */
const DEPARTURES: Record<string, (regions: { base: number; size: number }[]) => { base: number; size: number }[]> = {
  // one region over the peripheral window: the RAM stops where the peripherals start, and the
  // VideoCore's gpu_mem is kept out
  rpi4: () => [{ base: 0x8_0000, size: 0x3b40_0000 - 0x8_0000 }, { base: 0x4000_0000, size: 0xfc00_0000 - 0x4000_0000 }],
  // 0xbfffffff is a byte short of the 3 GiB it means
  imx8mq: ([r]) => [{ base: r!.base, size: r!.size + 1 }],
}

const BOARDS: BoardDesc[] = [rpi4, zcu102, zcu104, ultra96, imx8qm, imx8mq, tx2, hikey960, cva6]

describe(`every CROSSCON board against reference/platforms.json (${FACTS})`, () => {
  it('describes every board the file has besides the two QEMU ones (which have their own boards)', () => {
    expect(facts.map((p) => p.name).filter((n) => !n.startsWith('qemu-')).sort()).toEqual(BOARDS.map((b) => b.name).sort())
  })

  for (const b of BOARDS) {
    const p = (): Platform => facts.find((f) => f.name === b.name)!
    describe(b.name, () => {
      it('has its CPUs and clusters (the hardware count where the description has fewer)', () => {
        expect(b.cpus).toBe(p().cpusHardware ?? p().cpus)
        if (p().clusters) expect(b.clusters ?? [b.cpus]).toEqual(p().clusters)
      })

      it("gives the hypervisor's pools CROSSCON's RAM regions", () => {
        const regions = p().memory.map((m) => ({ base: Number(m.base), size: Number(m.size) }))
        expect(pools(b)).toEqual(merged(DEPARTURES[b.name]?.(regions) ?? regions))
      })

      it("has the interrupt controller's frames where CROSSCON has them", () => {
        const irqc = p().irqc
        const dev = b.devices.find((d) => ['gicv2', 'gicv3', 'plic'].includes(d.type))!
        const at = (key: string): number => dev.base + (dev.params?.[key] as number)
        expect(dev.type).toBe(irqc.type)
        if (irqc.type === 'gicv2') expect([dev.base, at('giccOffset'), at('gichOffset'), at('gicvOffset')]).toEqual([irqc.gicd, irqc.gicc, irqc.gich, irqc.gicv].map(Number))
        if (irqc.type === 'gicv3') expect([dev.base, at('gicrOffset')]).toEqual([irqc.gicd, irqc.gicr].map(Number))
        if (irqc.type === 'plic') expect(dev.base).toBe(Number(irqc.base))
        if (irqc.maintenanceIrq !== undefined) expect(dev.params?.maintenanceIrq ?? 25).toBe(irqc.maintenanceIrq)
      })

      it('has the console UART of its driver at its address, on its interrupt, with its register stride', () => {
        const c = p().console
        const dev = b.devices.find((d) => d.name === b.console)!
        expect(dev.type).toBe(UART_TYPES.find(([re]) => re.test(c.type))?.[1])
        expect(dev.base).toBe(Number(c.base))
        if (c.irq !== null) expect(dev.irqs).toEqual([{ to: b.devices.find((d) => d.type.startsWith('gic'))!.name, input: c.irq }])
        // a 4-byte stride on an 8250 is the 16550's regShift 2 (the AUX mini UART's stride is the device's own)
        if (c.regStride === 4 && dev.type === 'ns16550') expect(dev.params?.regShift).toBe(2)
      })

      it("has the generic timer's frequency and PPIs", () => {
        if (p().timerFreqHz !== null) expect(b.timebaseHz).toBe(p().timerFreqHz)
        const ppis = p().armPpis
        if (ppis) {
          expect(b.cpuIrqs?.find((w) => w.output === 'CNTVIRQ')?.input).toBe(ppis.virtTimer)
          expect(b.cpuIrqs?.find((w) => w.output === 'CNTPNSIRQ')?.input).toBe(ppis.physTimerNS)
        }
      })

      it("has CROSSCON's cache geometry, and the colours §5.1 makes of it are the file's", () => {
        const { llc, l1d, l1i, colors } = p()
        const level = (c: Cache | undefined | null) => (c && c.sizeBytes !== null ? { sizeBytes: c.sizeBytes, ways: c.ways, lineBytes: c.lineBytes, ...(c.indexing ? { indexing: c.indexing } : {}) } : undefined)
        expect([b.caches?.llc, b.caches?.l1d, b.caches?.l1i]).toEqual([level(llc), level(l1d), level(l1i)])
        const g = colourGeometry(b.caches)
        expect([g.colorNum, g.colorSize]).toEqual(colors ? [colors.colorNum, colors.colorSizePages] : [1, 1])
      })
    })
  }
})
