/** Device plugin: the ARM PL011 UART (type 'pl011'). Params: `serial` (port name, default the instance name), `rxTrigger` ('qemu' or 'ifls', see pl011.ts). */
// Plugin manifests carry no TS-only syntax: the plugin host imports them with a cache-busting
// query (`index.ts?v=…`), which some loaders (vite under vitest) then parse as plain JavaScript.
import { definePlugin } from '../../core/plugins.ts'
import { Pl011 } from './pl011.ts'

export * from './pl011.ts'

export default definePlugin({
  name: 'dev-pl011',
  kind: 'device',
  version: '1.0.0',
  setup(ctx) {
    // serial/pl011.yaml; named as QEMU virt names it, so a VM's tree reads like QEMU's
    const dt = { name: 'pl011', compatible: ['arm,pl011', 'arm,primecell'], clockNames: ['uartclk', 'apb_pclk'] }
    ctx.devices.register('pl011', (dctx) => new Pl011(dctx), { dt })
  },
})
