/**
 * Which copy of the project's modules this process runs. Started from the precompiled build
 * (bin/build.js), it runs dist/<id>/**.js, compiled one per source file, and has no TypeScript
 * loader; under tsx or vitest it runs the .ts files themselves. A plugin imported at run time must
 * share the instances the rest of the process has (core's classes and state), so whoever imports
 * one asks here rather than naming the .ts file (core/plugin-import.ts).
 */
import { existsSync } from 'node:fs'
import { extname, isAbsolute, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

declare global {
  interface ImportMeta {
    /** set by the build (bin/build.js) to its folder; absent when running the sources */
    baobabDist?: string
  }
}

/** The build's folder when this process runs the build, else undefined. */
export const RUNNING_BUILD = import.meta.baobabDist
const ROOT = join(fileURLToPath(import.meta.url), '..', '..')

/** Whether `file` is TypeScript, which Node imports only through a loader. */
const isTypeScript = (file: string): boolean => ['.ts', '.tsx', '.mts', '.cts'].includes(extname(file))

/**
 * The URL of the build's copy of project source `file` (an absolute path), or undefined when this
 * process runs the sources or the build does not hold the file (a test, a user's plugin).
 */
export function builtUrl(file: string): string | undefined {
  if (RUNNING_BUILD === undefined || !isTypeScript(file)) return undefined
  const rel = relative(ROOT, file)
  if (rel.startsWith('..') || isAbsolute(rel)) return undefined
  const built = join(RUNNING_BUILD, rel.slice(0, -extname(rel).length) + '.js')
  return existsSync(built) ? pathToFileURL(built).href : undefined
}

/**
 * The URL under which this process has (or would have) the module at `file`: the build's copy of a
 * project module when running the build, else the file's own URL; undefined for a TypeScript file
 * this process cannot import by itself (running the build, outside it: bundle that one instead).
 */
export function moduleUrl(file: string): string | undefined {
  if (RUNNING_BUILD === undefined) return pathToFileURL(file).href
  return builtUrl(file) ?? (isTypeScript(file) ? undefined : pathToFileURL(file).href)
}
