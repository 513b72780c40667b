/** Device plugin: the 16550A UART (type 'ns16550'). Params: `regShift` (stride 1 << regShift), `serial` (port name, default the instance name). */
// Plugin manifests carry no TS-only syntax: the plugin host imports them with a cache-busting
// query (`index.ts?v=…`), which some loaders (vite under vitest) then parse as plain JavaScript.
import { definePlugin } from '../../core/plugins.ts'
import { Ns16550 } from './ns16550.ts'

export * from './ns16550.ts'

export default definePlugin({
  name: 'dev-ns16550',
  kind: 'device',
  version: '1.0.0',
  setup(ctx) {
    ctx.devices.register('ns16550', (dctx) => new Ns16550(dctx))
  },
})
