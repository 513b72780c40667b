/** Device plugin: the SiFive UART of Rocket/Chipyard SoCs and the FU540 (type 'sifive-uart'). Params: `serial` (port name, default the instance name), `divReset` (div's reset value, default 0). */
// Plugin manifests carry no TS-only syntax: the plugin host imports them with a cache-busting
// query (`index.ts?v=…`), which some loaders (vite under vitest) then parse as plain JavaScript.
import { definePlugin } from '../../core/plugins.ts'
import { SifiveUart } from './sifive-uart.ts'

export * from './sifive-uart.ts'

export default definePlugin({
  name: 'dev-sifive-uart',
  kind: 'device',
  version: '1.0.0',
  setup(ctx) {
    // serial/sifive-serial.yaml
    ctx.devices.register('sifive-uart', (dctx) => new SifiveUart(dctx), { dt: { name: 'serial', compatible: ['sifive,uart0'] } })
  },
})
