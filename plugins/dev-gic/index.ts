/**
 * Device plugin: the Arm Generic Interrupt Controller, types 'gicv2' (gicv2.ts: distributor, CPU
 * interface and the virtualization frames GICH/GICV in one window, gicv2-virt.ts) and 'gicv3'
 * (gicv3.ts: distributor and redistributors in one window, the CPU interface as ICC_* system
 * registers, icc.ts, and the virtualization ones ICH_* and ICV_*, ich.ts); both share gic.ts's state
 * machine and vgic.ts's list registers. Params: `irqs` (default 288, as QEMU virt), `giccOffset`
 * (gicv2, default 0x10000), `gichOffset` and `gicvOffset` (gicv2, defaults 0x30000 and 0x40000),
 * `gicrOffset` (gicv3, default 0xa0000), `maintenanceIrq` (default PPI 25).
 * A CPU plugin reaches the GIC through lookup.ts: `findGic(bus)`, `ppiLine(bus, cpu, n)`,
 * `gicCpuInterface(bus)`.
 */
// Plugin manifests carry no TS-only syntax: see the note in dev-ns16550/index.ts.
import { definePlugin } from '../../core/plugins.ts'
import { Gicv2 } from './gicv2.ts'
import { Gicv3 } from './gicv3.ts'

export * from './gic.ts'
export * from './gic-state.ts'
export * from './gicv2.ts'
export * from './gicv3.ts'
export * from './icc.ts'
export * from './ich.ts'
export * from './lookup.ts'
export * from './list-registers.ts'
export * from './vgic.ts'
export * from './vgic-state.ts'
export * from './gicv2-virt.ts'

export default definePlugin({
  name: 'dev-gic',
  kind: 'device',
  version: '1.0.0',
  setup(ctx) {
    ctx.devices.register('gicv2', (dctx) => new Gicv2(dctx))
    ctx.devices.register('gicv3', (dctx) => new Gicv3(dctx))
  },
})
