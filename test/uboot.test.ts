/**
 * A real third-party guest, unmodified: Debian's U-Boot for QEMU virt in S-mode
 * (u-boot-qemu, qemu-riscv64_smode/u-boot.bin) boots as a VM (configs/uboot.json) to its `=>`
 * prompt and answers `version` typed on its console (the passed-through UART).
 *
 * Input is fed in virtual time: the scheduler stops at the quantum boundary where the console
 * shows what we wait for, and the bytes go in there. Autoboot is stopped with a key when its
 * countdown appears (letting it run out would cost two seconds of virtual time). So the whole
 * transcript and the instruction counts are the same on every run; the test checks that too.
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ubootSession, vmConsole, type UbootSession } from './uboot-session.ts'
import { describe, expect, it } from 'vitest'
import { bootConfig } from '../core/boot.ts'

const UBOOT = '/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin'
const config = join(dirname(fileURLToPath(import.meta.url)), '..', 'configs', 'uboot.json')
const present = existsSync(UBOOT)
if (!present) console.log(`uboot.test.ts: skipped, ${UBOOT} is absent (apt-get install u-boot-qemu)`)

/** cycles (= instructions) of virtual time allowed for each step; boot to the countdown takes ~7 M */
const STEP_LIMIT = 300_000_000

async function session(): Promise<UbootSession> {
  const { machine: m, hv } = await bootConfig(config)
  return ubootSession(m, vmConsole(hv.vms.find((v) => v.name === 'uboot')!), STEP_LIMIT)
}

describe.skipIf(!present)('U-Boot (Debian u-boot-qemu, S-mode) as a VM', () => {
  it('boots to its prompt, answers `version`, and does so identically twice', async () => {
    const a = await session()
    // the banner, U-Boot's view of the VM (device tree memory, UART), the stopped countdown
    expect(a.transcript).toMatch(/\r\nU-Boot 20\d\d\.\d\d[^\r\n]*\r\n/)
    expect(a.transcript).toContain('DRAM:  128 MiB')
    expect(a.transcript).toContain('In:    serial@10000000')
    expect(a.transcript).toMatch(/Hit any key to stop autoboot: +2 [\s\S]*=> $/)
    // the command echoed, then the version lines, then the prompt again
    expect(a.reply).toMatch(/^version\r\nU-Boot 20\d\d\.\d\d[^\r\n]*\r\n\r\n.*gcc.*\r\nGNU ld .*\r\n=> $/)
    const b = await session()
    expect(b.transcript).toBe(a.transcript)
    expect(b.atPrompt).toBe(a.atPrompt)
    expect(b.atReply).toBe(a.atReply)
  }, 120_000)
})
