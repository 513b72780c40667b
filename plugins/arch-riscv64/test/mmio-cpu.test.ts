/**
 * Which CPU an MMIO handler is told (core/bus.ts MmioHandler): a device on the bus sees the hart
 * that accesses it; a device the hypervisor emulates in a VM's stage-2 map sees the vCPU's index
 * within its VM (`hart.vcpu`), the CPU the guest knows.
 */
import { describe, expect, it } from 'vitest'
import { MemoryBus, type MmioHandler } from '../../../core/bus.ts'
import { S2_R, S2_W, S2_X, Stage2Map } from '../../../core/hypervisor/stage2.ts'
import { Scheduler } from '../../../core/scheduler.ts'
import { CSR, PRV_S } from '../csr-defs.ts'
import { RiscvHart } from '../hart.ts'
import { pmpDecode } from '../pmp.ts'
import { modeChanged } from '../trap.ts'

const RAM = 0x8000_0000
const DEV = 0x1000_0000

// lui t1, 0x10000; sw zero, 4(t1); lw t0, 8(t1); j .
const PROGRAM = [0x10000337, 0x00032223, 0x00832283, 0x0000006f]

function recorder(log: string[]): MmioHandler {
  return {
    read: (off, _size, cpu) => { log.push(`r ${off} ${cpu}`); return 0 },
    write: (off, _size, _v, cpu) => { log.push(`w ${off} ${cpu}`) },
  }
}

function machine(log: string[]) {
  const bus = new MemoryBus(0x10000)
  bus.addRam(RAM, 0x10000)
  bus.addMmio(DEV, 0x1000, 'dev', recorder(log))
  PROGRAM.forEach((w, i) => bus.write32(RAM + 4 * i, w))
  const host = { bus, sched: new Scheduler(), cpuHz: 1e9, timebaseHz: 1e7, cpus: 2 }
  return { bus, harts: [new RiscvHart(host, 0), new RiscvHart(host, 1)] }
}

describe('the accessing CPU of an MMIO access', () => {
  it('is the hart id for a device on the bus', () => {
    const log: string[] = []
    const { harts } = machine(log)
    harts[1]!.run(3)
    harts[0]!.run(3)
    expect(log).toEqual(['w 4 1', 'r 8 1', 'w 4 0', 'r 8 0'])
  })

  it('is the vCPU index within the VM for a device the hypervisor emulates', () => {
    const log: string[] = []
    const { harts } = machine([])
    const h = harts[1]!
    const s2 = new Stage2Map()
    s2.map({ gpa: RAM, size: 0x10000, pa: RAM, perm: S2_R | S2_W | S2_X, kind: 'ram', name: 'ram' })
    s2.map({ gpa: DEV, size: 0x1000, pa: 0, perm: S2_R | S2_W, kind: 'emulated', name: 'vdev', handler: recorder(log) })
    // as riscv-hyp.ts leaves a pCPU running a guest: PMP open to S-mode, V=1, the VM's map
    h.c[CSR.pmpaddr0 * 2] = -1
    h.c[CSR.pmpaddr0 * 2 + 1] = 0x3fffff
    h.c[CSR.pmpcfg0 * 2] = 0x1f
    h.pmp = pmpDecode(h)
    h.stage2 = s2
    h.vcpu = 3
    h.priv = PRV_S
    h.virt = 1
    modeChanged(h)
    h.run(3)
    expect(log).toEqual(['w 4 3', 'r 8 3'])
  })
})
