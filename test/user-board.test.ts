/**
 * A user's own board: a plugin file named by path (`--board path`, or `"board": "path"` in a
 * config, relative to the config) is loaded and its board used — 20 lines of data, no subclass.
 */
import { spawnSync } from 'node:child_process'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Workbench } from '../core/api.ts'

const root = resolve(import.meta.dirname, '..')
const cli = (args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'baobab.js'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 })

describe('a board plugin given by path', () => {
  it('runs a bare image on it (its 500 MHz clock shows in virtual time)', () => {
    const r = cli(['run', '--bare', 'bench/rv64-loop/prog_50.elf', '--board', 'test/fixtures/boards/my-soc.ts', '--stats'])
    expect(r.status).toBe(0)
    expect(r.stdout).toBe('checksum=d3970d7a23647eba\n')
    expect(r.stderr).toMatch(/^instructions: 1932260$/m)
    expect(r.stderr).toMatch(/^virtual time: 3\.8\d\d ms$/m) // ~1.93 M cycles (to the end of the last window) at 500 MHz
  })

  it('boots a config whose board is a path relative to the config; the guest ticks on its 1 MHz timebase', async () => {
    const wb = await Workbench.open({ config: 'test/fixtures/configs/my-soc.json' })
    expect(wb.board.name).toBe('my-soc')
    expect(wb.hypervisor!.config.board).toBe('my-soc')
    expect(wb.vm('vm1').console.waitFor('tick 2', { ms: 100 })).toBe(true)
  })

  it('a path that is not there is one clear line and exit 2', () => {
    const r = cli(['run', '--bare', 'bench/rv64-loop/prog_50.elf', '--board', './no-such-board.ts'])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/^baobab: plugin \.\/no-such-board\.ts: no file .*no-such-board\.ts\n$/)
  })
})
