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
import { describe, expect, it } from 'vitest'
import { bootBare } from '../core/bare.ts'

const UBOOT = '/usr/lib/u-boot/qemu_arm64/u-boot.bin'
const present = existsSync(UBOOT)
if (!present) console.log(`uboot-aarch64.test.ts: skipped, ${UBOOT} is absent (apt-get install u-boot-qemu)`)

const STEP_LIMIT = 400_000_000

async function session(): Promise<{ transcript: string; atPrompt: number; atReply: number; reply: string }> {
  const { machine: m } = await bootBare({ board: 'qemu-virt-aarch64', image: UBOOT })
  const uart = m.serial('uart0')
  let text = ''
  uart.onOutput((b) => { text += String.fromCharCode(b) })
  const runUntil = (what: string, done: () => boolean): void => {
    const r = m.sched.run({ predicate: done, cycles: STEP_LIMIT })
    expect(r, `no ${what} within ${STEP_LIMIT} instructions; console:\n${text}`).toBe('predicate')
  }
  runUntil('autoboot countdown', () => text.includes('Hit any key to stop autoboot'))
  uart.send(' ')
  runUntil('prompt', () => text.endsWith('=> '))
  const atPrompt = m.sched.instructions
  const from = text.length
  uart.send('version\r')
  runUntil('version reply', () => { const r = text.slice(from); return r.includes('U-Boot 20') && r.endsWith('=> ') })
  return { transcript: text, atPrompt, atReply: m.sched.instructions, reply: text.slice(from) }
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
