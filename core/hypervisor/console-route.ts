/**
 * Passed-through consoles. A console is any board device that opened a serial port (the machine
 * records which did); a VM owns it when one of its passed-through device windows covers it. What
 * the device prints goes to the VM whose vCPU wrote it (several VMs may share one, `shared: true`),
 * or, when none of its owners is running (output drained by a timer), to the first owner; typed
 * input goes to the first owner. Owners are looked up as VMs come and go (boot, re-applied
 * configs, VMs created from the REPL), so one route per device serves them all.
 */
import type { Hypervisor } from './hypervisor.ts'
import type { Vm } from './vm.ts'

interface Route {
  base: number
  size: number
  serial: string
  /** the owners, in VM order; recomputed when a VM is built or destroyed */
  owners: Vm[]
  /** the VM whose console input goes to the device */
  input: Vm | undefined
}

export class PassThroughConsoles {
  private readonly routes: Route[] = []

  constructor(private readonly hv: Hypervisor) {
    const m = hv.machine
    for (const [name, serial] of m.consoles) {
      const d = m.devices.get(name)
      if (!d) continue
      const route: Route = { base: d.desc.base, size: d.desc.size, serial, owners: [], input: undefined }
      this.routes.push(route)
      m.serial(serial).onOutput((b) => {
        const running = m.sched.running ? hv.vmOnCpu(m.sched.running.id) : undefined
        const vm = running && route.owners.includes(running) ? running : route.owners[0]
        vm?.console.put(b)
      })
    }
  }

  /** VMs were built or destroyed: who owns each console now */
  update(): void {
    for (const r of this.routes) {
      r.owners = this.hv.vms.filter((vm) => this.owns(vm, r))
      const first = r.owners[0]
      if (first && first !== r.input) {
        const serial = this.hv.machine.serial(r.serial)
        first.console.setInputSink((b) => serial.send(new Uint8Array([b])))
      }
      r.input = first
    }
  }

  private owns(vm: Vm, r: Route): boolean {
    return vm.config.devs.some((dev) => !dev.emulate && dev.pa !== undefined && dev.pa >= r.base && dev.pa < r.base + r.size)
  }
}
