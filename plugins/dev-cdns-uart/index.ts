/** Device plugin: the Cadence UART of Zynq / Zynq UltraScale+ (type 'cdns-uart'). Params: `serial` (port name, default the instance name). */
// Plugin manifests carry no TS-only syntax: the plugin host imports them with a cache-busting
// query (`index.ts?v=…`), which some loaders (vite under vitest) then parse as plain JavaScript.
import { definePlugin } from '../../core/plugins.ts'
import { CdnsUart } from './cdns-uart.ts'

export * from './cdns-uart.ts'

export default definePlugin({
  name: 'dev-cdns-uart',
  kind: 'device',
  version: '1.0.0',
  setup(ctx) {
    // serial/cdns,uart.yaml, as zynqmp.dtsi writes it
    const dt = { name: 'serial', compatible: ['xlnx,xuartps', 'cdns,uart-r1p8'], clockNames: ['uart_clk', 'pclk'] }
    ctx.devices.register('cdns-uart', (dctx) => new CdnsUart(dctx), { dt })
  },
})
