/** Device plugin: the 16550A UART (type 'ns16550'). Params: `regShift` (stride 1 << regShift), `regIoWidth` (the one access size decoded), `serial` (port name, default the instance name). */
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
    // Linux's 8250 binding (serial/8250.yaml): reg-shift and reg-io-width as the params say
    ctx.devices.register('ns16550', (dctx) => new Ns16550(dctx), {
      dt: {
        name: 'serial',
        compatible: ['ns16550a'],
        props: (p) => ({
          ...(typeof p.regShift === 'number' && p.regShift > 0 ? { 'reg-shift': p.regShift } : {}),
          ...(typeof p.regIoWidth === 'number' && p.regIoWidth > 0 ? { 'reg-io-width': p.regIoWidth } : {}),
        }),
      },
    })
  },
})
