/** Device plugin: the BCM2711/BCM2835 AUX block's mini UART (type 'bcm2835-aux-uart'). Params: `serial` (port name, default the instance name), `firmwareInit` (AUX_ENABLES bit 0 set at power-on, default true). */
// Plugin manifests carry no TS-only syntax: the plugin host imports them with a cache-busting
// query (`index.ts?v=…`), which some loaders (vite under vitest) then parse as plain JavaScript.
import { definePlugin } from '../../core/plugins.ts'
import { Bcm2835AuxUart } from './bcm2835-aux-uart.ts'

export * from './bcm2835-aux-uart.ts'

export default definePlugin({
  name: 'dev-bcm2835-aux-uart',
  kind: 'device',
  version: '1.0.0',
  setup(ctx) {
    // serial/brcm,bcm2835-aux-uart.yaml: the mini UART's registers only, 0x40 bytes from +0x40
    // of the AUX block the board places (bcm2711.dtsi uart1: <0x7e215040 0x40>)
    const dt = { name: 'serial', compatible: ['brcm,bcm2835-aux-uart'], reg: { offset: 0x40, size: 0x40 } }
    ctx.devices.register('bcm2835-aux-uart', (dctx) => new Bcm2835AuxUart(dctx), { dt })
  },
})
