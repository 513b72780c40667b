/**
 * A real third-party Arm guest, unmodified: Debian's U-Boot for QEMU's Arm `virt` (u-boot-qemu,
 * qemu_arm64/u-boot.bin) run bare as `qemu-system-aarch64 -M virt -cpu cortex-a53 -bios
 * u-boot.bin` runs it — from flash, its device tree at the start of RAM — to its `=>` prompt,
 * answering `version` typed on the PL011. It takes what the board has: no flash driver or network
 * (the device tree names neither), so its environment is the default one.
 *
 * As in uboot.test.ts, input is fed in virtual time, so transcript and instruction counts are
 * the same on every run.
 */
import { existsSync } from 'node:fs'
import { ubootSession, type UbootSession } from './uboot-session.ts'
import { describe, expect, it } from 'vitest'
import { bootBare } from '../core/bare.ts'

const UBOOT = '/usr/lib/u-boot/qemu_arm64/u-boot.bin'
const present = existsSync(UBOOT)
if (!present) console.log(`uboot-aarch64.test.ts: skipped, ${UBOOT} is absent (apt-get install u-boot-qemu)`)

const STEP_LIMIT = 400_000_000

async function session(): Promise<UbootSession> {
  const { machine: m } = await bootBare({ board: 'qemu-virt-aarch64', image: UBOOT })
  const uart = m.serial('uart0')
  return ubootSession(m, { onOutput: (fn) => { uart.onOutput(fn) }, send: (s) => uart.send(s) }, STEP_LIMIT)
}

describe.skipIf(!present)('U-Boot (Debian u-boot-qemu, qemu_arm64) bare on qemu-virt-aarch64', () => {
  it('boots from flash to its prompt, answers `version`, and does so identically twice', async () => {
    const a = await session()
    expect(a.transcript).toMatch(/\r\nU-Boot 20\d\d\.\d\d[^\r\n]*\r\n/)
    expect(a.transcript).toContain('In:    pl011@9000000')
    expect(a.transcript).toMatch(/Hit any key to stop autoboot: +2 [\s\S]*=> $/)
    expect(a.reply).toMatch(/^version\r\nU-Boot 20\d\d\.\d\d[^\r\n]*\r\n\r\n.*gcc.*\r\nGNU ld .*\r\n=> $/)
    const b = await session()
    expect(b.transcript).toBe(a.transcript)
    expect([b.atPrompt, b.atReply]).toEqual([a.atPrompt, a.atReply])
  }, 180_000)
})
