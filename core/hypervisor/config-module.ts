/**
 * Loading a `.ts`/`.js`/`.mjs` config: the user's code, run where it cannot hurt the process.
 *
 * Importing it in the main thread let a config that loops forever hang `run --timeout`, one that
 * awaits a promise that never settles end the process with Node's silent exit 13, and a throwing
 * getter or Proxy in the export escape later from deep inside zod. So:
 *
 * - esbuild (which tsx carries) bundles the config and every local file it imports into one ES
 *   module. A syntax error comes back as file:line:column; a `.js` file is ESM or CommonJS by its
 *   syntax, whatever package.json says; and each load reads every file afresh, so hot reload sees
 *   an edit to a file the config imports, not only to the config (the `?mtime=` import URL this
 *   replaces only renewed the config itself). Packages stay imports (absolute URLs).
 * - A worker thread evaluates the bundle under a time limit and is terminated when it expires; a
 *   worker that exits without an answer awaited a promise that never settles.
 * - In the worker, plainConfig (config-data.ts) copies the default export into plain data with
 *   the field path of anything it cannot copy; the copy comes back by structured clone. Nothing
 *   of the user's code runs in the main thread.
 *
 * JSON configs never come here: they cost no worker.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { Loader, Message, Plugin as EsbuildPlugin } from 'esbuild'
import { ConfigError, ConfigErrors } from './config-error.ts'

/** How long a config module may take to load when the command gives no --timeout. */
export const DEFAULT_LOAD_TIMEOUT_S = 10

const CONFIG_DATA = fileURLToPath(new URL('./config-data.ts', import.meta.url))
const LOADERS: Readonly<Record<string, Loader>> = {
  '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.jsx': 'jsx', '.json': 'json',
}

/** The worker's whole program: import the bundle, post what it made of the export. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const said = (e) => { try { return String(e instanceof Error ? e.message : e).split('\\n')[0] } catch { return 'an unprintable value' } }
import(workerData.url).then(
  (m) => parentPort.postMessage({ kind: 'done', result: m.result }),
  (e) => parentPort.postMessage({ kind: 'threw', message: said(e) }))
`

/** What the worker sends back. */
type Answer =
  | { kind: 'done'; result: { missing: true } | { data: unknown } | { errors: { path: string; rule: string }[] } }
  | { kind: 'threw'; message: string }
  | { kind: 'unsettled' }
  | { kind: 'exited'; code: number }

/**
 * The config module's default export as plain data. Every failure is a ConfigErrors naming
 * `file` (and the field path where there is one); `timeoutS` bounds bundling and evaluation.
 */
export async function importConfigModule(abs: string, file: string, timeoutS = DEFAULT_LOAD_TIMEOUT_S): Promise<unknown> {
  const fail = (errors: { path: string; rule: string }[]): never => {
    throw new ConfigErrors(errors.map((e) => new ConfigError(e.path, e.rule, file)), file)
  }
  let timer: NodeJS.Timeout | undefined
  let worker: Worker | undefined
  let bundleFile: string | undefined
  if (!(timeoutS > 0)) timeoutS = DEFAULT_LOAD_TIMEOUT_S
  // setTimeout takes at most 2^31-1 ms; a longer limit is no limit
  const ms = Math.min(timeoutS * 1000, 2 ** 31 - 1)
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConfigErrors([new ConfigError('', `did not finish loading within ${timeoutS} s (an endless loop, or a wait that never ends?); --timeout sets the limit`, file)], file)), ms)
  })
  try {
    const code = await Promise.race([bundle(abs).catch((e: unknown) => fail([{ path: '', rule: syntaxMessage(e, dirname(abs)) }])), expired])
    bundleFile = writeBundle(abs, code)
    const w = (worker = new Worker(WORKER, { eval: true, workerData: { url: pathToFileURL(bundleFile).href }, resourceLimits: { maxOldGenerationSizeMb: 1024 } }))
    const answer = await Promise.race([answerOf(w), expired])
    if (answer.kind === 'unsettled') return fail([{ path: '', rule: 'never finished loading: it awaits a promise that never settles (top-level await)' }])
    if (answer.kind === 'exited') return fail([{ path: '', rule: `called process.exit(${answer.code}) while loading` }])
    if (answer.kind === 'threw') return fail([{ path: '', rule: `threw while loading: ${answer.message}` }])
    const r = answer.result
    if ('missing' in r) return fail([{ path: '', rule: 'has no default export (write `export default defineConfig({ ... })`)' }])
    if ('errors' in r) return fail(r.errors)
    return r.data
  } finally {
    clearTimeout(timer)
    // whatever the config left running (timers, sockets) ends with it
    await worker?.terminate()
    if (bundleFile) rmSync(bundleFile, { force: true })
  }
}

/** The worker's answer; an exit or crash before it, in words. */
function answerOf(w: Worker): Promise<Answer> {
  return new Promise((done) => {
    w.once('message', (m: Answer) => done(m))
    w.once('error', (e: Error & { code?: string }) => {
      done({ kind: 'threw', message: e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'ran out of memory (the limit is 1 GiB)' : (e.message ?? String(e)).split('\n')[0]! })
    })
    // no message and no error: process.exit() in the config (it ends only the worker), or the
    // event loop ran dry (exit code 0) while the module still awaited something
    w.once('exit', (code) => done(code === 0 ? { kind: 'unsettled' } : { kind: 'exited', code }))
  })
}

let seq = 0
function writeBundle(abs: string, code: string): string {
  const dir = join(tmpdir(), 'baobab-config')
  mkdirSync(dir, { recursive: true })
  const name = abs.split(sep).slice(-1)[0]!.replace(/[^A-Za-z0-9._-]/g, '_')
  const out = join(dir, `${name}.${process.pid}.${++seq}.${Date.now().toString(36)}.mjs`)
  writeFileSync(out, code)
  return out
}

const isPackage = (file: string): boolean => file.split(sep).includes('node_modules')

/** The config, the files it imports and the plain-data walk, as one ES module exporting `result`. */
async function bundle(abs: string): Promise<string> {
  const esbuild = await import('esbuild')
  const dir = dirname(abs)
  const OUTSIDE = Symbol('resolved by us')
  const local: EsbuildPlugin = {
    name: 'baobab-config',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === OUTSIDE || args.namespace !== 'file') return undefined
        const r = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: OUTSIDE })
        if (r.errors.length) return { errors: r.errors }
        if (r.external || !isAbsolute(r.path)) return { path: r.path, external: true }
        // packages stay imports, by absolute URL, since the bundle lives in a temporary folder
        return isPackage(r.path) ? { path: pathToFileURL(r.path).href, external: true } : { path: r.path }
      })
      // `import.meta.url` in a config names its own file, not the bundle
      build.onLoad({ filter: /.*/ }, (args) => {
        const loader = LOADERS[extname(args.path).toLowerCase()]
        if (!loader || loader === 'json') return undefined
        const text = readFileSync(args.path, 'utf8')
        if (!text.includes('import.meta')) return undefined
        const url = pathToFileURL(args.path).href
        return {
          loader,
          contents: text
            .replace(/\bimport\.meta\.url\b/g, JSON.stringify(url))
            .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(args.path))
            .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(dirname(args.path))),
        }
      })
    },
  }
  const entry = [
    `import * as config from ${JSON.stringify(abs)}`,
    `import { plainConfig } from ${JSON.stringify(CONFIG_DATA)}`,
    'const raw = config.default',
    'const r = raw === undefined ? { missing: true } : plainConfig(raw)',
    "export const result = 'errors' in r ? { errors: r.errors.map((e) => ({ path: e.path, rule: e.rule })) } : r",
  ].join('\n')
  const out = await esbuild.build({
    stdin: { contents: entry, resolveDir: dir, sourcefile: 'baobab-config-entry.ts', loader: 'ts' },
    absWorkingDir: dir,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    // a CommonJS file's require() of a package or built-in, in an ES module
    banner: { js: `import { createRequire as __baobabRequire } from 'node:module'; const require = __baobabRequire(${JSON.stringify(pathToFileURL(abs).href)});` },
    plugins: [local],
  })
  return out.outputFiles[0]!.text
}

/** esbuild's errors as `file:line:column: message` (column counted from 1), at most three. */
function syntaxMessage(e: unknown, dir: string): string {
  const errors = (e as { errors?: Message[] }).errors
  if (!Array.isArray(errors) || !errors.length) return `cannot import: ${((e as Error)?.message ?? String(e)).split('\n')[0]}`
  const where = (m: Message): string => {
    const l = m.location
    if (!l) return ''
    const f = resolve(dir, l.file)
    const rel = relative(process.cwd(), f)
    return `${rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : f}:${l.line}:${l.column + 1}: `
  }
  const more = errors.length > 3 ? ` (and ${errors.length - 3} more)` : ''
  return `cannot import: ${errors.slice(0, 3).map((m) => `${where(m)}${m.text}`).join('; ')}${more}`
}
