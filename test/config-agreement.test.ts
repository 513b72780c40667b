/**
 * `baobab config check` refuses exactly what `baobab run` refuses: every config fixture goes
 * through both, and both accept it or both refuse it with the same lines (file, field path,
 * rule). `run` refuses in its boot (core/boot.ts: load, features, machine, Hypervisor.boot), so
 * the boot is run here in-process; anything it throws that is not a ConfigErrors — a plain Error
 * from deep inside, exit 70 on the command line — fails the test by name.
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkConfig } from '../bin/commands/config.ts'
import { bootConfig } from '../core/boot.ts'
import { ConfigErrors } from '../core/hypervisor/config.ts'
import { root } from './hyp-util.ts'

const DIR = join(root, 'test', 'fixtures', 'configs')
const FIXTURES = readdirSync(DIR).filter((f) => /\.(json|ts|js|mjs)$/.test(f)).sort()

/** what `config check` says: 'ok', or its error lines */
async function check(file: string): Promise<string[]> {
  let err = ''
  const code = await checkConfig(file, { io: { out: () => {}, err: (t) => { err += t } } })
  return code === 0 ? ['ok'] : err.trimEnd().split('\n')
}

/** what `run` says before the first instruction: 'ok', or its config error lines */
async function boot(file: string): Promise<string[]> {
  try {
    await bootConfig(file)
    return ['ok']
  } catch (e) {
    if (e instanceof ConfigErrors) return e.message.split('\n')
    return [`not a config error (${(e as Error).name}): ${(e as Error).message}`]
  }
}

describe('config check and run agree on every fixture', () => {
  it('has fixtures to compare, good and bad', () => {
    expect(FIXTURES.length).toBeGreaterThan(20)
  })

  for (const name of FIXTURES) {
    it(name, async () => {
      const file = join(DIR, name)
      const [checked, booted] = [await check(file), await boot(file)]
      expect(booted).toEqual(checked)
    })
  }
})
