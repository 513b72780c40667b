/** Device plugin: the NXP LPUART with 32-bit registers, as on i.MX8QM (type 'lpuart'). Params: `serial` (port name, default the instance name), `fifoDepth` (entries per FIFO, 4–128, default 64). */
// Plugin manifests carry no TS-only syntax: the plugin host imports them with a cache-busting
// query (`index.ts?v=…`), which some loaders (vite under vitest) then parse as plain JavaScript.
import { definePlugin } from '../../core/plugins.ts'
import { Lpuart } from './lpuart.ts'

export * from './lpuart.ts'

export default definePlugin({
  name: 'dev-lpuart',
  kind: 'device',
  version: '1.0.0',
  setup(ctx) {
    // serial/fsl-lpuart.yaml, as imx8-ss-dma.dtsi writes it
    ctx.devices.register('lpuart', (dctx) => new Lpuart(dctx), { dt: { name: 'serial', compatible: ['fsl,imx8qm-lpuart'], clockNames: ['ipg'] } })
  },
})
