/**
 * Feature plugin: CROSSCON's dynamic VMs (VM-stack). A running VM creates a child from a config
 * blob in its own memory, invokes it on its own pCPU, gets values back when it yields or exits,
 * and destroys it, every resource returned. One hypercall interface on every architecture:
 * class 3, numbered as CROSSCON's enclave interface (see dynamic-vm.ts).
 */
import { definePlugin } from '../../core/plugins.ts'
import { DynamicVms, VMSTACK_CLASS } from './dynamic-vm.ts'

export default definePlugin({
  name: 'feat-dynamic-vm',
  kind: 'feature',
  version: '1.0.0',
  setup(ctx) {
    ctx.hypercalls.register(VMSTACK_CLASS, (hv) => new DynamicVms(hv))
  },
})
