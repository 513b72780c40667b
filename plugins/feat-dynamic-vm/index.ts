/**
 * Feature plugin: CROSSCON's dynamic VMs (VM-stack). A running VM creates a child from a config
 * blob in its own memory, invokes it on its own pCPU, gets values back when it yields or exits,
 * and destroys it, every resource returned. One hypercall interface on every architecture:
 * class 3 of the `hypercall` service, numbered as CROSSCON's enclave interface (see dynamic-vm.ts).
 * Everything it adds goes through its ctx, so unloading it removes the calls and hooks exactly.
 */
import { SERVICE_HYPERCALL } from '../../core/hypervisor/calls.ts'
import { perHypervisor } from '../../core/hypervisor/hooks.ts'
import { definePlugin } from '../../core/plugins.ts'
import { DynamicVms, VMSTACK_CLASS, type DynamicVmsState } from './dynamic-vm.ts'

export default definePlugin({
  name: 'feat-dynamic-vm',
  kind: 'feature',
  version: '1.0.0',
  setup(ctx) {
    const vms = perHypervisor('dynamic-vm', (hv) => new DynamicVms(hv))
    ctx.calls.register({
      service: SERVICE_HYPERCALL,
      fns: [VMSTACK_CLASS << 16, (VMSTACK_CLASS << 16) | 0xffff],
      handler: (c) => vms(c.hv).call(c.vcpu, c.fn & 0xffff, c.args),
    })
    // a child's fault goes to its parent; an interrupt for a stacked parent pre-empts its child
    ctx.hooks.on('fault', (hv, v, f) => vms(hv).childFault(v, f.pc, f.addr, f.cause))
    ctx.hooks.on('stackedInterrupt', (hv, v) => vms(hv).preempt(v))
    ctx.hooks.on('vmDestroyed', (hv, vm) => vms(hv).vmDestroyed(vm))
    ctx.states.register('dynamic-vm', {
      snapshot: (hv) => vms(hv).snapshot(),
      restore: (hv, s) => vms(hv).restore(s as DynamicVmsState),
    })
  },
})
