/**
 * The example scripts in scripts/ run through the CLI exactly as their headers say
 * (`node bin/baobab.js script scripts/<name>.js --config configs/two-vms.json`), and the
 * `script` and `repl` commands keep their documented exit codes and output.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..')
const CONFIG = 'configs/two-vms.json'
const tmp = mkdtempSync(join(tmpdir(), 'baobab-scripts-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

interface Run {
  status: number | null
  stdout: string
  stderr: string
}

/** `node bin/baobab.js ...args` in the project root, with `input` on stdin (a pipe, not a terminal). */
function baobab(args: string[], input = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'baobab.js'), ...args], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, BAOBAB_SESSIONS: join(tmp, 'sessions') },
    })
    let stdout = ''
    let stderr = ''
    p.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
    p.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    const timer = setTimeout(() => p.kill('SIGKILL'), 90_000)
    p.on('error', (e) => { clearTimeout(timer); reject(e) })
    p.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }) })
    p.stdin.end(input)
  })
}

const show = (r: Run): string => `exit ${r.status}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`

function script(name: string, code: string): string {
  const file = join(tmp, name)
  writeFileSync(file, code)
  return file
}

describe('scripts/', () => {
  it('create-destroy-loop.js re-creates vm2 ten times and it greets each time', async () => {
    const r = await baobab(['script', 'scripts/create-destroy-loop.js', '--config', CONFIG])
    expect(r.status, show(r)).toBe(0)
    const rounds = r.stdout.split('\n').filter((l) => /^round \d+: vm2 is VM \d+ on pCPU 1, greeted$/.test(l))
    expect(rounds).toHaveLength(10)
    expect(r.stdout).toContain('after 10 rounds: vm1 (running), vm2 (running)')
  })

  it('type-and-wait.js types into vm1 and sees the echo', async () => {
    const r = await baobab(['script', 'scripts/type-and-wait.js', '--config', CONFIG])
    expect(r.status, show(r)).toBe(0)
    expect(r.stdout).toMatch(/^typed "baobab" into vm1; echoed after [\d.]+ ms of virtual time$/m)
  })

  it('hammer-hypercall.js makes 10,000 hypercalls and prints calls/s and stats()', async () => {
    const r = await baobab(['script', 'scripts/hammer-hypercall.js', '--config', CONFIG])
    expect(r.status, show(r)).toBe(0)
    expect(r.stdout).toMatch(/^10000 hypercalls in \d+ ms: \d+ calls\/s$/m)
    expect(r.stdout).toContain('SBI spec version 2.0')
    expect(r.stdout).toMatch(/virtualMs: [\d.]+,\n\s+instructions: \d+/)
  })
})

describe('baobab script', () => {
  it('exits 0 when the script completes, with top-level await', async () => {
    const r = await baobab(['script', script('ok.js', 'await sleep(1)\nconsole.log(hv.vms().length)\n'), '--config', CONFIG])
    expect(r.status, show(r)).toBe(0)
    expect(r.stdout).toBe('2\n')
  })

  it('exits 1 with the error on stderr, one line, when it throws', async () => {
    const r = await baobab(['script', script('throws.js', "console.log('before')\nhv.destroy('nope')\n"), '--config', CONFIG])
    expect(r.status, show(r)).toBe(1)
    expect(r.stdout).toBe('before\n')
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^baobab: .*throws\.js: Error: no VM "nope"/)])
  })

  it('exits with the number it returns', async () => {
    const r = await baobab(['script', script('returns.js', 'if (hv.vms().length === 2) return 7\n'), '--config', CONFIG])
    expect(r.status, show(r)).toBe(7)
  })

  it('keeps the sandbox: no require without --unsafe-repl', async () => {
    const code = "const fs = require('fs'); console.log(typeof fs.readFileSync)\n"
    const safe = await baobab(['script', script('req.js', code), '--config', CONFIG])
    expect(safe.status).toBe(1)
    expect(safe.stderr).toContain('ReferenceError: require is not defined')
    const unsafe = await baobab(['script', script('req.js', code), '--config', CONFIG, '--unsafe-repl'])
    expect(unsafe.status, show(unsafe)).toBe(0)
    expect(unsafe.stdout).toBe('function\n')
  })

  it('refuses a missing file with exit 2', async () => {
    const r = await baobab(['script', join(tmp, 'missing.js'), '--config', CONFIG])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/^baobab: no such file: /)
  })
})

describe('baobab repl, not on a terminal', () => {
  it('prints each result on its own line, takes multi-line entries and exits 0 at end of input', async () => {
    const input = ['run(20)', 'vm(1).console.read().split("\\n")[0]', 'const names = hv.vms().map((v) =>', '  v.name)', 'names', 'nope()', 'console.log("x"); 1n', ''].join('\n')
    const r = await baobab(['repl', CONFIG], input)
    expect(r.status, show(r)).toBe(0)
    expect(r.stdout.split('\n')).toEqual([
      "'limit'",
      "'hello from vm1 hart 0'",
      'undefined',
      "[ 'vm1', 'vm2' ]",
      'ReferenceError: nope is not defined',
      'x',
      '1n',
      '',
    ])
  })

  it('runs .load FILE and .save FILE', async () => {
    const lib = script('lib.js', 'function double(x) { return 2 * x }\n')
    const saved = join(tmp, 'saved.js')
    const r = await baobab(['repl', CONFIG], `.load ${lib}\ndouble(21)\n.save ${saved}\n.exit\nnever()\n`)
    expect(r.status, show(r)).toBe(0)
    expect(r.stdout).toBe(`undefined\n42\nsaved 2 entries to ${saved}\n`)
  })
})
