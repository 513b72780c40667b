/**
 * Importing a plugin afresh, for hot reload. ES modules are cached by URL, and a plugin's files
 * import each other by relative URL: re-importing `index.ts?v=2` would still run the cached
 * `./ns16550.ts`. So the plugin's own files — what its entry reaches inside the plugin's folder —
 * are bundled by esbuild (which tsx already carries) into one new module, imported under a new
 * name. Imports that leave the folder (core/, other plugins, packages) stay imports of the
 * modules already loaded, so the kernel's classes and state keep their identity: by the URL
 * core/module-url.ts gives, which is the precompiled copy when the process runs the build.
 * Run from the build there is no TypeScript loader, so a plugin the build does not hold (a
 * user's, .ts or a .js one that imports .ts) is imported this way from the start.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Plugin as EsbuildPlugin } from 'esbuild'
import { builtUrl, moduleUrl, RUNNING_BUILD } from './module-url.ts'

export interface FreshModule {
  /** the module namespace of the new copy */
  mod: unknown
  /** absolute paths of the plugin's files that went into it (what a watcher should watch) */
  files: string[]
}

/** Files inside `root` (not in a node_modules below it) belong to the plugin and are bundled. */
function inside(root: string, file: string): boolean {
  const rel = relative(root, file)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('node_modules')
}

const OUTSIDE = Symbol('resolving outside the plugin')

/** Bundle the plugin whose entry is `entry`: its folder's files inline, the rest left as imports. */
async function bundle(entry: string): Promise<{ code: string; files: string[] }> {
  const esbuild = await import('esbuild')
  const root = dirname(entry)
  const keepOutside: EsbuildPlugin = {
    name: 'baobab-keep-outside',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'entry-point' || args.pluginData === OUTSIDE) return undefined
        const r = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: OUTSIDE })
        if (r.errors.length) return { errors: r.errors }
        // node: built-ins and anything esbuild already treats as external
        if (r.external || !isAbsolute(r.path)) return { path: r.path, external: true }
        if (inside(root, r.path)) return { path: r.path }
        // the module the rest of the process already has: same URL, same instance; a .ts file
        // this process cannot import (run from the build, outside it) goes into the bundle
        const url = moduleUrl(r.path)
        return url === undefined ? { path: r.path } : { path: url, external: true }
      })
    },
  }
  const out = await esbuild.build({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    metafile: true,
    sourcemap: 'inline',
    logLevel: 'silent',
    plugins: [keepOutside],
  })
  const files = Object.keys(out.metafile.inputs).map((f) => resolve(root, f)).filter((f) => f === entry || inside(root, f))
  return { code: out.outputFiles[0]!.text, files: [...new Set([entry, ...files])] }
}

let seq = 0
/**
 * Entries imported afresh at least once in this process. The ES module cache is per process, so
 * this is too: once a plugin has been reloaded, its plain URL names stale code for every host.
 */
const refreshed = new Set<string>()

/**
 * Import the plugin at `entry` for loading: the plain URL the first time (cheap, and what tsx or
 * vite already cache; the precompiled copy when running the build), a fresh bundle when `again`
 * (this host loaded it before), when any host in the process has reloaded it since, or when
 * running a build that does not hold it.
 */
export async function importPlugin(entry: string, again: boolean): Promise<unknown> {
  const url = RUNNING_BUILD === undefined ? pathToFileURL(entry).href : builtUrl(entry)
  if (again || refreshed.has(entry) || url === undefined) return (await importFresh(entry)).mod
  return import(url)
}

/**
 * Import a new copy of the plugin at `entry`. Throws esbuild's message on a syntax error, and
 * whatever evaluating the module throws.
 */
export async function importFresh(entry: string): Promise<FreshModule> {
  const { code, files } = await bundle(entry)
  const dir = join(tmpdir(), 'baobab-reload')
  mkdirSync(dir, { recursive: true })
  const base = entry.split(sep).slice(-2).join('-').replace(/[^A-Za-z0-9._-]/g, '_')
  const file = join(dir, `${base}.${process.pid}.${++seq}.${Date.now().toString(36)}.mjs`)
  writeFileSync(file, code)
  refreshed.add(entry)
  try {
    return { mod: await import(pathToFileURL(file).href), files }
  } finally {
    rmSync(file, { force: true })
  }
}

/** The plugin's own files (what `importFresh` would bundle), without importing anything. */
export async function pluginFiles(entry: string): Promise<string[]> {
  return (await bundle(entry)).files
}

/** esbuild's error text, first lines only (file:line:col: message). */
export function importErrorMessage(e: unknown): string {
  const errors = (e as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors
  if (Array.isArray(errors) && errors.length) {
    return errors.slice(0, 3).map((x) => (x.location ? `${x.location.file}:${x.location.line}:${x.location.column}: ${x.text}` : x.text)).join('; ')
  }
  return ((e as Error)?.message ?? String(e)).split('\n')[0]!
}
