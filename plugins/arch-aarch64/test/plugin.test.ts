/**
 * The plugin as the kernel loads it: `arch-aarch64` registers the `aarch64` architecture
 * (EM_AARCH64), whose harts boot bare as QEMU's -kernel does once the arch's bare hook ran.
 */
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { bootBare } from '../../../core/bare.ts'
import { PluginHost } from '../../../core/plugins.ts'
import type { A64Cpu } from '../cpu.ts'

describe('arch-aarch64', () => {
  it('registers the aarch64 architecture through the plugin host', async () => {
    const host = new PluginHost()
    await host.load('arch-aarch64')
    const arch = host.archs.get('aarch64')!
    expect(arch.elfMachine).toBe(183)
    expect(arch.disassemble!(new Uint8Array([0xc0, 0x03, 0x5f, 0xd6]), 0n)).toEqual({ text: 'ret', length: 4 })
  })

  it('boots an image bare on qemu-virt-aarch64 as QEMU -kernel does: the boot CPU at EL1, the others parked for PSCI', async () => {
    const bm = await bootBare({ board: 'qemu-virt-aarch64', image: fileURLToPath(new URL('./images/branch.elf', import.meta.url)), cpus: 2 })
    const harts = bm.machine.cpus as A64Cpu[]
    expect(harts[0]!.el).toBe(1)
    expect([harts[0]!.off, harts[1]!.off]).toEqual([false, true])
    expect(harts[0]!.reg(0)).toBe(0n) // no device tree for a bare ELF
    let out = ''
    bm.machine.serial('uart0').onOutput((b) => { out += String.fromCharCode(b) })
    bm.machine.sched.run({ cycles: 10_000_000 })
    expect(bm.machine.power.off).toBe(true) // PSCI SYSTEM_OFF over HVC
    expect(out).toContain('cbz/tbz')
  })
})
