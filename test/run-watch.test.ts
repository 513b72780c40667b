/**
 * `baobab run <config> --watch`: headless hot reload. Editing the config while it runs restarts
 * only the VM whose definition changed, reported as a `[hyp] hot reload:` line.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '..')

describe('run --watch', () => {
  it('re-applies an edited config: only the changed VM restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baobab-watch-'))
    const cfg = JSON.parse(readFileSync(join(root, 'configs', 'two-vms.json'), 'utf8'))
    for (const vm of cfg.vms) vm.image.path = resolve(root, 'configs', vm.image.path)
    const file = join(dir, 'two-vms.json')
    writeFileSync(file, JSON.stringify(cfg, null, 2))
    const child = spawn(process.execPath, [join(root, 'bin', 'baobab.js'), 'run', file, '--watch', '--timeout', '30',
      '--until', 'hot reload: config-applied'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      // once both VMs are up, shrink vm2's region: a changed definition
      if (!edited && out.includes('[vm2] tick 1')) {
        edited = true
        cfg.vms[1].regions[0].size = '32M'
        writeFileSync(file, JSON.stringify(cfg, null, 2))
      }
    })
    let edited = false
    const code = await new Promise<number | null>((res) => child.on('exit', res))
    expect(out).toMatch(/^\[hyp\] hot reload: config-applied .* restarted vm2; unchanged vm1$/m)
    expect(code).toBe(0)
    // vm1 greeted once; vm2 twice (boot, then the restart)
    expect(out.match(/^\[vm1\] hello from vm1 hart 0$/gm)).toHaveLength(1)
  }, 60_000)
})
