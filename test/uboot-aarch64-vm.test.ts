/**
 * A real third-party Arm guest, unmodified, under the hypervisor: Debian's U-Boot for QEMU's Arm
 * `virt` (u-boot-qemu, qemu_arm64/u-boot.bin — the image uboot-aarch64.test.ts boots bare) as a VM
 * (configs/aarch64/uboot.json) to its `=>` prompt, answering `version` typed on its console (the
 * passed-through PL011).
 *
 * The VM is laid out as QEMU's `-bios` lays out the board: the image at guest 0x0 (its link
 * address; a RAM region stands for the flash it runs from), RAM at 0x40000000 with the device
 * tree at its start (U-Boot's qemu-arm board_fdt_blob_setup reads it there, not from x0: the
 * VM's `arch.dtbAddr`), and the environment's flash sector at 0x4000000 (CONFIG_ENV_ADDR, read
 * before relocation; blank, so the default environment).
 *
 * As in uboot.test.ts, input is fed in virtual time and autoboot is stopped with a key, so the
 * transcript and the instruction counts are the same on every run; the test checks that too.
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ubootSession, vmConsole, type UbootSession } from './uboot-session.ts'
import { describe, expect, it } from 'vitest'
import { bootConfig } from '../core/boot.ts'

const UBOOT = '/usr/lib/u-boot/qemu_arm64/u-boot.bin'
const config = join(dirname(fileURLToPath(import.meta.url)), '..', 'configs', 'aarch64', 'uboot.json')
const present = existsSync(UBOOT)
if (!present) console.log(`uboot-aarch64-vm.test.ts: skipped, ${UBOOT} is absent (apt-get install u-boot-qemu)`)

/** cycles (= instructions) of virtual time allowed for each step; boot to the countdown takes ~21 M */
const STEP_LIMIT = 400_000_000

async function session(): Promise<UbootSession> {
  const { machine: m, hv } = await bootConfig(config)
  return ubootSession(m, vmConsole(hv.vms.find((v) => v.name === 'uboot')!), STEP_LIMIT)
}

describe.skipIf(!present)('U-Boot (Debian u-boot-qemu, qemu_arm64) as a VM on qemu-virt-aarch64', () => {
  it('boots to its prompt, answers `version`, and does so identically twice', async () => {
    const a = await session()
    // the banner; U-Boot's view of the VM: its RAM (the device tree's first memory node, the
    // one bank it takes), the blank environment sector, the passed-through PL011; the stopped countdown
    expect(a.transcript).toMatch(/\r\nU-Boot 20\d\d\.\d\d[^\r\n]*\r\n/)
    expect(a.transcript).toContain('DRAM:  128 MiB')
    expect(a.transcript).toContain('Loading Environment from Flash... *** Warning - bad CRC, using default environment')
    expect(a.transcript).toContain('In:    pl011@9000000')
    expect(a.transcript).toMatch(/Hit any key to stop autoboot: +2 [\s\S]*=> $/)
    // the command echoed, then the version lines, then the prompt again
    expect(a.reply).toMatch(/^version\r\nU-Boot 20\d\d\.\d\d[^\r\n]*\r\n\r\n.*gcc.*\r\nGNU ld .*\r\n=> $/)
    const b = await session()
    expect(b.transcript).toBe(a.transcript)
    expect(b.atPrompt).toBe(a.atPrompt)
    expect(b.atReply).toBe(a.atReply)
  }, 120_000)
})
