/**
 * Which URL this process imports one of the project's modules under. Started from the precompiled
 * build (bin/build.js), the process runs dist/**.js, compiled one per source file, and has no
 * TypeScript loader; under tsx or vitest it runs the .ts files themselves. A plugin imported at
 * run time must share the instances the rest of the process has (core's classes and state), so
 * whoever imports one asks here rather than naming the .ts file.
 */
import { existsSync } from 'node:fs'
import { extname, relative, isAbsolute, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

declare global {
  interface ImportMeta {
    /** set by the build (bin/build.js) to its dist/ folder; absent when running the sources */
    baobabDist?: string
  }
}

const DIST = import.meta.baobabDist
const ROOT = join(fileURLToPath(import.meta.url), '..', '..')

/**
 * The URL to import `file` (an absolute path) by, or undefined when this process cannot import it
 * by itself: a TypeScript file that is not in the build, run from the build. (Bundle that one with
 * esbuild instead, as core/plugin-import.ts does.)
 */
export function moduleUrl(file: string): string | undefined {
  const ext = extname(file)
  if (DIST === undefined || (ext !== '.ts' && ext !== '.tsx')) return pathToFileURL(file).href
  const rel = relative(ROOT, file)
  if (rel.startsWith('..') || isAbsolute(rel)) return undefined
  const built = join(DIST, rel.slice(0, -ext.length) + '.js')
  return existsSync(built) ? pathToFileURL(built).href : undefined
}
