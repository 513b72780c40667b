/**
 * Shared by the UART models' tests (not a test file itself): a device on a bus with a recorded
 * interrupt line and serial port, and the same device type made by the hypervisor as a VM's
 * `"emulate"` device.
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bootConfig } from '../../../core/boot.ts'
import { MemoryBus } from '../../../core/bus.ts'
import type { Device, DeviceContext } from '../../../core/device.ts'
import type { Stage2Entry } from '../../../core/hypervisor/stage2.ts'
import type { IrqLine } from '../../../core/irq.ts'
import { Serial } from '../../../core/machine.ts'
import { PluginHost } from '../../../core/plugins.ts'
import { Scheduler } from '../../../core/scheduler.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

export interface Recorder extends IrqLine {
  levels: boolean[]
  level: boolean
}

export function recorder(): Recorder {
  const r: Recorder = { levels: [], level: false, set(l: boolean) { r.levels.push(l); r.level = l } }
  return r
}

/**
 * `make` given a DeviceContext named uart0 with `params`, mapped at `base`; accesses are 32-bit
 * unless a width is given. `out` collects what the device emitted, `port.send` types input.
 */
export function onBus<D extends Device>(make: (ctx: DeviceContext) => D, params: Record<string, unknown> = {}, base = 0x1000_0000, size = 0x1000) {
  const bus = new MemoryBus(0)
  const irq = recorder()
  const serials = new Map<string, Serial>()
  const serial = (n: string): Serial => serials.get(n) ?? serials.set(n, new Serial(n)).get(n)!
  const ctx: DeviceContext = {
    name: 'uart0', base, size, params, irqs: [irq], cpus: 1,
    cpuLine: () => recorder(), sched: new Scheduler(), timebaseHz: 10_000_000, cpuHz: 1_000_000_000,
    serial, machine: { poweroff() {}, reset() {} },
  }
  const dev = make(ctx)
  bus.addMmio(base, size, 'uart0', dev)
  const port = serial(typeof params.serial === 'string' ? params.serial : 'uart0')
  const out: number[] = []
  port.onOutput((b) => out.push(b))
  const rd = (off: number, width: 1 | 2 | 4 = 4): number => (width === 4 ? bus.read32(base + off) : width === 2 ? bus.read16(base + off) : bus.read8(base + off))
  const wr = (off: number, v: number, width: 1 | 2 | 4 = 4): void => {
    if (width === 4) bus.write32(base + off, v)
    else if (width === 2) bus.write16(base + off, v)
    else bus.write8(base + off, v)
  }
  const text = (): string => String.fromCharCode(...out)
  return { bus, dev, irq, port, out, text, rd, wr, ctx }
}

/**
 * A one-VM system on QEMU virt (Armv8) whose VM has its own instance of device `type` (from
 * plugin `plugin`) at 0x9000000, wired to its virtual interrupt 33, exactly as a config's
 * `{ "va": "0x09000000", "size": "0x1000", "emulate": type, "interrupts": [33] }` makes it. The
 * guest never runs: the test plays the guest through the VM's stage-2 entry for the device.
 * (Armv8, because the RISC-V hypervisor hands a VM's typed input to its SBI console unless the
 * VM has a UART of type 'ns16550': plugins/arch-riscv64/hyp/riscv-hyp.ts `isUart`.)
 */
export async function emulatedInVm(plugin: string, type: string) {
  const plugins = new PluginHost()
  await plugins.load(plugin)
  const data = {
    board: 'qemu-virt-aarch64',
    vms: [{
      name: 'vm1',
      image: { path: 'guests/images/aarch64-vm/demo-0x50000000.bin', baseAddr: '0x50000000' },
      cpuNum: 1,
      regions: [{ base: '0x50000000', size: '64M' }],
      devs: [{ va: '0x09000000', size: '0x1000', emulate: type, interrupts: [33] }],
    }],
  }
  const sys = await bootConfig(join(root, 'emulate-test.json'), plugins, { data })
  const vm = sys.hv.vms[0]!
  const entry = vm.stage2.entries.find((e: Stage2Entry) => e.kind === 'emulated' && e.gpa === 0x900_0000)
  if (!entry?.handler) throw new Error(`no emulated ${type} in the VM's stage-2 map`)
  const virqs: [number, boolean][] = []
  const arch = sys.hv.arch as { setVirq(vm: unknown, irq: number, level: boolean): void }
  const setVirq = arch.setVirq.bind(arch)
  arch.setVirq = (v, irq, level) => { virqs.push([irq, level]); setVirq(v, irq, level) }
  return {
    sys, vm, entry, virqs,
    // through the entry each time: a hot reload swaps its handler in place
    rd: (off: number): number => entry.handler!.read(off, 4, 0),
    wr: (off: number, v: number): void => entry.handler!.write(off, 4, v, 0),
  }
}
