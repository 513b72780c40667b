#!/usr/bin/env node
// Entry point: register the TypeScript loader, then hand over to the CLI.
import { register } from 'tsx/esm/api'

register()
// The event loop ran dry while the command still awaited something: a promise that never settles
// (a script's `await`, a plugin module's top-level await). Node would exit 13 with nothing said.
let finished = false
process.on('beforeExit', () => {
  if (finished) return
  process.stderr.write('baobab: the command never finished: it awaits a promise that never settles, with nothing left to run (in a script or plugin?)\n')
  process.exit(2)
})
const { main } = await import('./cli.ts')
process.exitCode = await main(process.argv.slice(2))
finished = true
