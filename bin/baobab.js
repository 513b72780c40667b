#!/usr/bin/env node
// Entry point: the precompiled CLI (dist/, bin/build.js) when it is current, else the TypeScript
// sources through the tsx loader. Both behave the same; the build only starts faster.
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { currentDist } from './build.js'

// The event loop ran dry while the command still awaited something: a promise that never settles
// (a script's `await`, a plugin module's top-level await). Node would exit 13 with nothing said.
let finished = false
process.on('beforeExit', () => {
  if (finished) return
  process.stderr.write('baobab: the command never finished: it awaits a promise that never settles, with nothing left to run (in a script or plugin?)\n')
  process.exit(2)
})
// the reader went away (`baobab run … | head`): stop quietly with 0, as a Unix filter does, not
// with Node's unhandled-error trace
for (const s of [process.stdout, process.stderr]) {
  s.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(0)
    throw e
  })
}
const argv = process.argv.slice(2)
// `bench` loads TypeScript at run time (its hot-reload figure imports a copy of the sources), and
// BAOBAB_SOURCES=1 asks for the sources outright
const dist = process.env.BAOBAB_SOURCES === '1' || argv.find((a) => !a.startsWith('-')) === 'bench' ? undefined : currentDist()
let main
if (dist === undefined) {
  const { register } = await import('tsx/esm/api')
  register()
  ;({ main } = await import('./cli.ts'))
} else {
  // stack traces name the .ts files, as under tsx (the maps cost start-up time, so only when asked)
  if (process.env.BAOBAB_DEBUG) process.setSourceMapsEnabled(true)
  ;({ main } = await import(pathToFileURL(join(dist, 'bin', 'cli.js')).href))
}
process.exitCode = await main(argv)
finished = true
