/**
 * `baobab run --bare` end to end: the real CLI in a child process, as a user runs it.
 * Bad input must cost the user one line on stderr and exit code 2 — never a stack trace, never
 * half a run on stdout.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const PROG_50 = 'bench/rv64-loop/prog_50.elf'
const PROG_5000 = 'bench/rv64-loop/prog_5000.elf'
// prog_50's output; the same under `qemu-system-riscv64 -M virt -bios none -kernel prog_50.elf`
const PROG_50_CHECKSUM = 'checksum=d3970d7a23647eba\n'
// bench/rv64-loop/README.md: instructions counted in an interpreter and checked against QEMU
const PROG_50_INSNS = 1_932_260

const tmp = mkdtempSync(join(tmpdir(), 'baobab-cli-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

interface Result {
  code: number | null
  stdout: string
  stderr: string
}

function baobab(args: string[], timeoutMs = 60_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/baobab.js', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('latin1').on('data', (d: string) => { stdout += d })
    child.stderr.setEncoding('latin1').on('data', (d: string) => { stderr += d })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** Write `bytes` to a fresh file in the temp dir; returns its path. */
function tmpFile(name: string, bytes: Uint8Array | string): string {
  const p = join(tmp, name)
  writeFileSync(p, bytes)
  return p
}

/** A copy of prog_50.elf with little-endian fields overwritten. */
function patchedProg50(edit: (dv: DataView) => void): Uint8Array {
  const b = new Uint8Array(readFileSync(join(ROOT, PROG_50)))
  edit(new DataView(b.buffer, b.byteOffset, b.byteLength))
  return b
}

/** ELF64: e_phoff at 0x20, e_phentsize at 0x36, e_phnum at 0x38; p_type at +0, p_paddr at +0x18. */
function firstLoadHeader(dv: DataView): number {
  const phoff = Number(dv.getBigUint64(0x20, true))
  const phentsize = dv.getUint16(0x36, true)
  const phnum = dv.getUint16(0x38, true)
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize
    if (dv.getUint32(ph, true) === 1 /* PT_LOAD */) return ph
  }
  throw new Error('prog_50.elf has no PT_LOAD header')
}

/** Exactly one line on stderr, `baobab: …`, no stack trace, nothing on stdout, exit 2. */
function expectRefused(r: Result, mentions: RegExp): void {
  expect(r.stdout).toBe('')
  expect(r.stderr).not.toMatch(/^ {4}at /m)
  expect(r.stderr.endsWith('\n')).toBe(true)
  const lines = r.stderr.slice(0, -1).split('\n')
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(/^baobab: /)
  expect(lines[0]).toMatch(mentions)
  expect(r.code).toBe(2)
}

describe.concurrent('baobab run --bare: bad input is refused with one line and exit 2', () => {
  it('a truncated ELF (the first 100 bytes of prog_50.elf)', async () => {
    const f = tmpFile('truncated.elf', readFileSync(join(ROOT, PROG_50)).subarray(0, 100))
    expectRefused(await baobab(['run', '--bare', f]), /truncated/i)
  })

  it('an ELF for a machine no board runs (e_machine patched to x86-64)', async () => {
    const f = tmpFile('x86.elf', patchedProg50((dv) => dv.setUint16(18, 62, true)))
    expectRefused(await baobab(['run', '--bare', f]), /machine 62/)
  })

  it('an ELF for another architecture than the board named (AArch64 on qemu-virt-riscv64)', async () => {
    const f = tmpFile('aarch64.elf', patchedProg50((dv) => dv.setUint16(18, 183, true)))
    expectRefused(await baobab(['run', '--bare', f, '--board', 'qemu-virt-riscv64']), /machine 183/)
  })

  it('an ELF that does not fit RAM (PT_LOAD p_paddr patched to 0x1000)', async () => {
    const f = tmpFile('low.elf', patchedProg50((dv) => dv.setBigUint64(firstLoadHeader(dv) + 0x18, 0x1000n, true)))
    expectRefused(await baobab(['run', '--bare', f]), /does not fit RAM.*0x1000/)
  })

  it('an empty image file', async () => {
    const f = tmpFile('empty.elf', new Uint8Array(0))
    expectRefused(await baobab(['run', '--bare', f]), /empty/)
  })

  it('an unknown board', async () => {
    expectRefused(await baobab(['run', '--bare', PROG_50, '--board', 'nope']), /unknown board 'nope'/)
  })

  it('a missing file', async () => {
    const f = join(tmp, 'does-not-exist.elf')
    expectRefused(await baobab(['run', '--bare', f]), /does-not-exist\.elf/)
  })

  it('a bad --until regular expression', async () => {
    expectRefused(await baobab(['run', '--bare', PROG_50, '--until', '(']), /--until/)
  })

  it('a directory given as the image', async () => {
    expectRefused(await baobab(['run', '--bare', tmp]), /director/)
  })

  it('--cpus out of range', async () => {
    expectRefused(await baobab(['run', '--bare', PROG_50, '--cpus', '0']), /cpus/)
  })

  it('an unknown command, named in the message', async () => {
    expectRefused(await baobab(['frob']), /frob/)
  })

  it('no command at all, not on a terminal: the default demo runs headless', async () => {
    // `baobab` alone is the TUI on configs/two-vms.json; without a terminal it runs headless
    const r = await baobab([], 8_000) // it runs until killed, like QEMU
    expect(r.stdout).toMatch(/^\[vm1\] hello from vm1 hart 0$/m)
    expect(r.stdout).toMatch(/^\[hyp\] CROSSCONHYP INFO: Initializing VM 1$/m)
  })
})

describe.concurrent('baobab run --bare: images without ELF magic are raw binaries', () => {
  // core/loader/image.ts: an image is raw when it is named *.bin or lacks the ELF magic; a raw
  // image is loaded at the board's resetPc (0x80000000 on qemu-virt) and entered there.

  it('a raw program named .elf runs from the reset PC: its poweroff code is the exit code', async () => {
    // lui t0,0x100 ; lui t1,0x73 ; addiw t1,t1,0x333 ; sw t1,0(t0) ; j .
    // = SiFive test finisher at 0x100000 <- (7 << 16) | 0x3333: fail with code 7
    const words = [0x001002b7, 0x00073337, 0x3333031b, 0x0062a023, 0x0000006f]
    const bytes = new Uint8Array(new Uint32Array(words).buffer)
    const f = tmpFile('raw-exit7.elf', bytes)
    const r = await baobab(['run', '--bare', f])
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe('')
    expect(r.code).toBe(7)
  })

  it('a text file named .elf is not refused: it is entered as code at the reset PC', async () => {
    const f = tmpFile('text.elf', 'this is not an ELF file, just some text\n')
    const r = await baobab(['run', '--bare', f, '--trace', '--max-insns', '1'])
    expect(r.stdout).toBe('')
    expect(r.stderr.split('\n')[0]).toMatch(/^\[0\] 0000000080000000/)
    expect(r.code).toBe(4)
  })
})

describe.concurrent('baobab run --bare: running prog_50', () => {
  it('exits 0 and prints the checksum line', async () => {
    const r = await baobab(['run', '--bare', PROG_50])
    expect(r.stdout).toBe(PROG_50_CHECKSUM)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
  })

  it('--stats reports the known instruction count on stderr, and stdout is unchanged', async () => {
    const r = await baobab(['run', '--bare', PROG_50, '--stats'])
    expect(r.stdout).toBe(PROG_50_CHECKSUM)
    expect(r.stderr).toMatch(new RegExp(`^instructions: ${PROG_50_INSNS}$`, 'm'))
    expect(r.stderr).toMatch(/^virtual time: [\d.]+ ms$/m)
    expect(r.stderr).toMatch(/^MIPS: [\d.]+$/m)
    // where the time went: translated code against the interpreter (counts adding up), what was translated, the sampled split
    const ran = /^translated code ran: (\d+) instructions \([\d.]+%\), entered (\d+) times; the interpreter (\d+)$/m.exec(r.stderr)
    expect(ran, r.stderr).not.toBeNull()
    expect(Number(ran![1]) + Number(ran![3])).toBe(PROG_50_INSNS)
    expect(Number(ran![1])).toBeGreaterThan(PROG_50_INSNS / 2) // a loop: the tier ran most of it
    expect(r.stderr).toMatch(/^translated: \d+ instructions into \d+ regions in \d+ modules \([\d.]+ KiB of WebAssembly\), [\d.]+ ms$/m)
    expect(r.stderr).toMatch(/^host time \(sampled, \d+ ms\): translated code [\d.]+%, translating [\d.]+%, interpreter [\d.]+%, garbage collection [\d.]+%, devices\/hypervisor\/other [\d.]+%$/m)
    expect(r.code).toBe(0)
  })

  it('a reader that goes away (`| head`) ends the run quietly with 0, not an unhandled EPIPE', async () => {
    const printf = join(ROOT, 'bench', 'suite', 'images', 'printf.elf')
    const r = await new Promise<Result>((resolve, reject) => {
      const child = spawn(process.execPath, ['bin/baobab.js', 'run', '--bare', printf], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
      let stderr = ''
      child.stderr.setEncoding('latin1').on('data', (d: string) => { stderr += d })
      // as head does: read the first lines, then close the pipe while the guest still prints
      child.stdout.once('data', () => child.stdout.destroy())
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
      child.on('error', reject)
      child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout: '', stderr }) })
    })
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled/)
    expect(r.code).toBe(0)
  })

  it('--max-insns 1000 stops the run with exit 4 and says why', async () => {
    const r = await baobab(['run', '--bare', PROG_50, '--max-insns', '1000'])
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^baobab: stopped after \d+ instructions \(--max-insns\)\n$/)
    expect(r.code).toBe(4)
  })

  it('--max-insns 1000 executes exactly 1000 instructions', async () => {
    const r = await baobab(['run', '--bare', PROG_50, '--max-insns', '1000', '--stats'])
    expect(r.stderr).toMatch(/^instructions: 1000$/m)
    expect(r.code).toBe(4)
  })

  it('--max-insns above the program length lets it finish normally', async () => {
    const r = await baobab(['run', '--bare', PROG_50, '--max-insns', String(PROG_50_INSNS + 1_000_000)])
    expect(r.stdout).toBe(PROG_50_CHECKSUM)
    expect(r.code).toBe(0)
  })

  it('--until checksum exits 0 once the line is out', async () => {
    const r = await baobab(['run', '--bare', PROG_50, '--until', 'checksum=[0-9a-f]{16}'])
    expect(r.stdout).toBe(PROG_50_CHECKSUM)
    expect(r.code).toBe(0)
  })

  it('--until with a pattern that never matches ends with the guest (poweroff 0)', async () => {
    const r = await baobab(['run', '--bare', PROG_50, '--until', 'never printed'])
    expect(r.stdout).toBe(PROG_50_CHECKSUM)
    expect(r.code).toBe(0)
  })
})

describe('baobab run --bare: timeout', () => {
  it('--timeout 0.001 on prog_5000 exits 3 with one line on stderr', async () => {
    const r = await baobab(['run', '--bare', PROG_5000, '--timeout', '0.001'])
    expect(r.stderr).toBe('baobab: timeout after 0.001 s\n')
    expect(r.stdout).toBe('')
    expect(r.code).toBe(3)
  })
})

describe.concurrent('baobab run --bare: the HTIF tohost convention', () => {
  // test/fixtures/htif/: store (code << 1) | 1 into `tohost` and spin (rebuild with make.sh)
  it('tohost = (3 << 1) | 1 ends the run with exit code 3', async () => {
    const r = await baobab(['run', '--bare', 'test/fixtures/htif/fail-code3.elf'])
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('')
    expect(r.code).toBe(3)
  })

  it('tohost = 1 ends the run with exit code 0', async () => {
    const r = await baobab(['run', '--bare', 'test/fixtures/htif/pass.elf'])
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
  })
})

describe.concurrent('baobab help', () => {
  const source = (p: string): string => readFileSync(join(ROOT, p), 'utf8')
  // every command bin/cli.ts wires (`.command(fooCommand(…))` is `baobab foo`) and every option
  // `run` declares, read from the sources so a new command or option that the help forgets fails
  const commands = [...source('bin/cli.ts').matchAll(/\.command\((\w+)Command\(/g)].map((m) => m[1]!)
  const runOptions = [...source('bin/commands/run.ts').matchAll(/\.option\('([\w-]+)'/g)].map((m) => m[1]!)

  it('finds the commands and options it checks', () => {
    expect(commands).toEqual(expect.arrayContaining(['run', 'bench']))
    expect(runOptions).toEqual(expect.arrayContaining(['bare', 'board', 'cpus', 'timeout', 'until', 'max-insns', 'stats']))
  })

  it('baobab --help exits 0 and names every command', async () => {
    const r = await baobab(['--help'])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    for (const c of commands) expect(r.stdout).toMatch(new RegExp(`^\\s+baobab ${c}\\b`, 'm'))
    expect(r.stdout).toContain('--help')
  })

  it('baobab run --help exits 0 and mentions every option', async () => {
    const r = await baobab(['run', '--help'])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    for (const o of [...runOptions, 'help']) expect(r.stdout).toMatch(new RegExp(`--${o}\\b`))
  })
})
