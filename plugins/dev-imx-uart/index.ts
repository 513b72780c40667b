/** Device plugin: the i.MX UART as on i.MX8MQ (type 'imx-uart'). Params: `serial` (port name, default the instance name), `firmwareInit` (enabled as the boot loader leaves it, default true). */
// Plugin manifests carry no TS-only syntax: the plugin host imports them with a cache-busting
// query (`index.ts?v=…`), which some loaders (vite under vitest) then parse as plain JavaScript.
import { definePlugin } from '../../core/plugins.ts'
import { ImxUart } from './imx-uart.ts'

export * from './imx-uart.ts'

export default definePlugin({
  name: 'dev-imx-uart',
  kind: 'device',
  version: '1.0.0',
  setup(ctx) {
    // serial/fsl-imx-uart.yaml, as imx8mq.dtsi writes it
    const dt = { name: 'serial', compatible: ['fsl,imx8mq-uart', 'fsl,imx6q-uart'], clockNames: ['ipg', 'per'] }
    ctx.devices.register('imx-uart', (dctx) => new ImxUart(dctx), { dt })
  },
})
