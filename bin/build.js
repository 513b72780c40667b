#!/usr/bin/env node
/**
 * The precompiled build, for a fast start. Run from the TypeScript sources, every start registers
 * the tsx loader (~150 ms) and then routes each of ~150 imports through its loader thread; the
 * build is plain JavaScript that Node loads by itself. bin/baobab.js runs it while it is current
 * and the sources otherwise; `npm install` builds it (the `prepare` script), `npm run build`
 * rebuilds it.
 *
 * Every .ts/.tsx module of bin/, core/, tui/, plugins/ and experiments/ (tests left out) is compiled one file
 * to one file by esbuild (tsx's own compiler), and keeps its source's identity: `import.meta.url`
 * is the .ts file's URL (so paths to configs/, sessions/ and plugins/ are the same), relative
 * imports name the compiled siblings, and `import.meta.baobabDist` names the build's folder, so
 * code that imports the project's modules at run time (plugins, hot reload: core/module-url.ts)
 * imports these copies and not a second set. A few packages are bundled (vendor()).
 *
 * A build is a new folder dist/<id>/, named by dist/current.json once it is complete, so a build
 * never changes files a running baobab may still import; the one before it is kept, older ones
 * are removed. <id>/stamp.json records each input's size and mtime: the build is used only while
 * every one is unchanged.
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const FOLDERS = ['bin', 'core', 'tui', 'plugins', 'experiments']
/** besides the sources, what decides the output */
const INPUTS = ['bin/build.js', 'tsconfig.json', 'package-lock.json']
/**
 * Packages bundled into dist/<id>/vendor/<name>.js: yargs (the command line: 30-odd files that
 * cost more to find than to run), Ink and React (the terminal UI: CommonJS among them, which Node
 * scans for its exports on every start). Only bin/ and tui/ import them, so nothing at run time
 * meets a second copy.
 */
const VENDORED = ['yargs', 'ink', 'react', 'react/jsx-runtime']
const ESBUILD = { bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' }
const IMPORT_META = { 'import.meta.url': '__baobabUrl', 'import.meta.filename': '__baobabFile', 'import.meta.dirname': '__baobabDir' }

/** The modules to compile, relative to the root: .ts/.tsx, no tests. */
export function sources(root = ROOT) {
  const out = []
  const walk = (dir) => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = join(dir, e.name)
      if (e.isDirectory()) {
        if (e.name !== 'test' && e.name !== 'node_modules') walk(rel)
      } else if (/\.tsx?$/.test(e.name) && !/\.(test|d)\.tsx?$/.test(e.name)) {
        out.push(rel)
      }
    }
  }
  for (const f of FOLDERS) walk(f)
  return out.sort()
}

/** Compile the sources into a new dist/<id>/ and make it current. Returns the number of modules. */
export async function build(root = ROOT) {
  const esbuild = await import('esbuild')
  const files = sources(root)
  const distRoot = join(root, 'dist')
  const id = `${Date.now().toString(36)}-${process.pid}`
  const out = join(distRoot, id)
  // taken before compiling: a file edited meanwhile makes the build stale, not wrong
  const stamp = { root, files: {} }
  for (const f of [...files, ...INPUTS]) {
    let st
    try { st = statSync(join(root, f)) } catch { continue }
    stamp.files[f.split(sep).join('/')] = [st.size, st.mtimeMs]
  }
  mkdirSync(out, { recursive: true })
  try {
    await vendor(esbuild, root, out)
    const shared = await compile(esbuild, root, out, files.map((f) => join(root, f)))
    await bundlePlugins(esbuild, root, out, files.map((f) => join(root, f)), shared)
  } catch (e) {
    rmSync(out, { recursive: true, force: true })
    throw e
  }
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n')
  writeFileSync(join(out, 'stamp.json'), JSON.stringify(stamp))
  // current.json names the new build in one rename: a reader sees the old one or the new one
  const previous = currentBuild(root)
  const tmp = join(distRoot, `current.json.${id}`)
  writeFileSync(tmp, JSON.stringify({ build: id }))
  renameSync(tmp, join(distRoot, 'current.json'))
  for (const e of readdirSync(distRoot)) {
    if (e !== id && e !== previous && e !== 'current.json') rmSync(join(distRoot, e), { recursive: true, force: true })
  }
  return files.length
}

/**
 * Every project module of `files` (absolute paths), one output file each, into `out`. Returns the
 * plugin files that a module outside their plugin's folder imports (bundlePlugins shares them).
 */
async function compile(esbuild, root, out, files) {
  const built = new Set(files)
  const shared = new Set()
  const output = (path) => path.replace(/\.tsx?$/, '.js')
  await esbuild.build({
    ...ESBUILD,
    absWorkingDir: root,
    entryPoints: files,
    outbase: root,
    outdir: out,
    sourcemap: 'linked',
    sourcesContent: false,
    define: { ...IMPORT_META, 'import.meta.baobabDist': JSON.stringify(out) },
    plugins: [{
      name: 'baobab-one-per-file',
      setup(b) {
        // every import stays an import
        b.onResolve({ filter: /.*/ }, (a) => {
          if (a.kind === 'entry-point') return undefined
          if (VENDORED.includes(a.path)) {
            const from = dirname(join(out, relative(root, a.importer)))
            return { path: `./${relative(from, join(out, 'vendor', `${a.path}.js`)).split(sep).join('/')}`.replace(/^\.\/\.\./, '..'), external: true }
          }
          if (!/^\.\.?\//.test(a.path)) return { path: a.path, external: true }
          // a project module: its compiled sibling; outside the build (bench/), the source, which
          // only a process that runs the sources imports
          const target = join(a.resolveDir, a.path)
          if (pluginFolder(root, target) !== undefined && pluginFolder(root, target) !== pluginFolder(root, a.importer)) shared.add(target)
          return built.has(target) ? { path: output(a.path), external: true } : { path: pathToFileURL(target).href, external: true }
        })
        b.onLoad({ filter: /\.tsx?$/ }, async (a) => ({ contents: await contents(a.path), loader: a.path.endsWith('.tsx') ? 'tsx' : 'ts' }))
      },
    }],
  })
  return shared
}

/** plugins/<name> of a file in a plugin's folder, else undefined */
function pluginFolder(root, file) {
  const rel = relative(root, file).split(sep)
  return rel[0] === 'plugins' && rel.length > 2 ? rel[1] : undefined
}

/**
 * Every plugin's index, with its folder's files bundled into it. Each module Node loads costs its
 * file's reads, a resolve and a compile, and a plugin's own files are imported by its index alone.
 * The cut is the one hot reload makes (core/plugin-import.ts): the folder's files inline, every
 * import that leaves the folder stays an import of the compiled sibling — so core's modules, which
 * plugins and a reloaded plugin import by URL, keep one instance — and so does an import of a file
 * some other folder imports too (`shared`: uart-common's, a board another board extends), which
 * would otherwise exist twice. The per-file outputs stay beside the bundle for those imports.
 * (Bundling bin/cli.ts the same way was slower: a bundle hoists the imports of the code it inlines
 * behind `import()` to its top, so `--help` loaded what only `run` needs.)
 */
async function bundlePlugins(esbuild, root, out, files, shared) {
  const built = new Set(files)
  const output = (path) => path.replace(/\.tsx?$/, '.js')
  const entries = files.filter((f) => { const rel = relative(root, f).split(sep); return rel.length === 3 && rel[0] === 'plugins' && /^index\.tsx?$/.test(rel[2]) })
  await Promise.all(entries.map((entry) => {
    const folder = dirname(entry)
    const outFile = join(out, output(relative(root, entry)))
    const fromOut = (target) => {
      const r = relative(dirname(outFile), target).split(sep).join('/')
      return r.startsWith('.') ? r : `./${r}`
    }
    return esbuild.build({
      ...ESBUILD,
      absWorkingDir: root,
      entryPoints: [entry],
      outfile: outFile,
      allowOverwrite: true,
      sourcemap: 'linked',
      sourcesContent: false,
      define: { ...IMPORT_META, 'import.meta.baobabDist': JSON.stringify(out) },
      plugins: [{
        name: 'baobab-folder',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (a) => {
            if (a.kind === 'entry-point') return undefined
            if (VENDORED.includes(a.path)) return { path: fromOut(join(out, 'vendor', `${a.path}.js`)), external: true }
            if (!/^\.\.?\//.test(a.path)) return { path: a.path, external: true }
            const target = join(a.resolveDir, a.path)
            if (!built.has(target)) return { path: pathToFileURL(target).href, external: true }
            const rel = relative(folder, target)
            if (!rel.startsWith('..') && !rel.split(sep).includes('node_modules') && !shared.has(target)) return { path: target }
            return { path: fromOut(join(out, output(relative(root, target)))), external: true }
          })
          b.onLoad({ filter: /\.tsx?$/ }, async (a) => ({ contents: await contents(a.path), loader: a.path.endsWith('.tsx') ? 'tsx' : 'ts' }))
        },
      }],
    })
  }))
}

/**
 * The VENDORED packages, bundled, with the code they share in common chunks (so React is one
 * instance). vendor/<name>.js exports what Node's own import of the package gives (for CommonJS,
 * the names Node finds in it). A dynamic import inside a package stays an import of its file
 * (Ink's devtools, loaded only with DEV=true). CommonJS code gets a real `require` for Node's
 * built-ins (esbuild's stand-in reads `require` from the banner); ES modules keep theirs undefined.
 */
async function vendor(esbuild, root, out) {
  const entries = {}
  for (const spec of VENDORED) {
    const names = Object.keys(await import(spec)).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n))
    entries[spec] = `export { ${names.join(', ')} } from '${spec}'`
  }
  const types = new Map()
  await esbuild.build({
    ...ESBUILD,
    absWorkingDir: root,
    entryPoints: Object.fromEntries(VENDORED.map((spec) => [spec, `vendor:${spec}`])),
    outdir: join(out, 'vendor'),
    splitting: true,
    chunkNames: 'chunk-[hash]',
    define: IMPORT_META,
    banner: { js: "import { createRequire as __baobabCreateRequire } from 'node:module'; const require = __baobabCreateRequire(import.meta.url);" },
    plugins: [{
      name: 'baobab-vendor',
      setup(b) {
        b.onResolve({ filter: /^vendor:/ }, (a) => ({ path: a.path.slice('vendor:'.length), namespace: 'vendor' }))
        b.onLoad({ filter: /.*/, namespace: 'vendor' }, (a) => ({ contents: entries[a.path], resolveDir: root, loader: 'js' }))
        b.onResolve({ filter: /.*/ }, async (a) => {
          if (a.kind !== 'dynamic-import' || a.pluginData === 'vendor') return undefined
          const r = await b.resolve(a.path, { kind: a.kind, resolveDir: a.resolveDir, importer: a.importer, pluginData: 'vendor' })
          return r.errors.length || r.external ? r : { path: pathToFileURL(r.path).href, external: true }
        })
        b.onLoad({ filter: /\.[cm]?js$/ }, async (a) => ({ contents: await contents(a.path, { esm: isEsm(a.path, types) }), loader: 'js' }))
      },
    }],
  })
}

/**
 * The code esbuild compiles for `file`: `import.meta.url`, `.filename` and `.dirname` are replaced
 * (IMPORT_META) with constants declared here, naming the original file. Declared on the first
 * line, so the source map's lines stay the source's. In an ES module of a package, `require` is
 * declared undefined, as it is in the module the package wrote (some test `typeof require`).
 */
async function contents(file, { esm = false } = {}) {
  let text = await readFile(file, 'utf8')
  if (esm && /\brequire\b/.test(text)) text = `const require = void 0; ${text}`
  if (text.includes('import.meta')) {
    text = `const __baobabUrl = ${JSON.stringify(pathToFileURL(file).href)}, __baobabFile = ${JSON.stringify(file)}, __baobabDir = ${JSON.stringify(dirname(file))}; ${text}`
  }
  return text
}

/** Whether Node loads `file` as an ES module: .mjs, or .js under a package.json saying "type": "module". */
function isEsm(file, cache) {
  if (file.endsWith('.mjs')) return true
  if (file.endsWith('.cjs')) return false
  for (let dir = dirname(file); dirname(dir) !== dir; dir = dirname(dir)) {
    if (!cache.has(dir)) {
      let type
      try { type = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).type ?? 'commonjs' } catch { type = undefined }
      cache.set(dir, type)
    }
    if (cache.get(dir) !== undefined) return cache.get(dir) === 'module'
  }
  return false
}

/** The id of the current build (a folder of dist/), or undefined. */
function currentBuild(root) {
  try {
    return JSON.parse(readFileSync(join(root, 'dist', 'current.json'), 'utf8')).build
  } catch {
    return undefined
  }
}

/**
 * The folder of the current build when it was made from the sources as they are — its stamp's
 * root is this folder and every input it lists has its recorded size and mtime — else undefined.
 * (A new source file matters only once a listed one imports it, and that one then changed; a new
 * plugin folder is not in the build and is imported from its source: core/module-url.ts.)
 */
export function currentDist(root = ROOT) {
  const id = currentBuild(root)
  if (typeof id !== 'string' || !/^[a-z0-9-]+$/.test(id)) return undefined
  const dir = join(root, 'dist', id)
  let stamp
  try {
    stamp = JSON.parse(readFileSync(join(dir, 'stamp.json'), 'utf8'))
  } catch {
    return undefined
  }
  if (stamp.root !== root) return undefined
  for (const [f, [size, mtime]] of Object.entries(stamp.files)) {
    let st
    try { st = statSync(join(root, f)) } catch { return undefined }
    if (st.size !== size || st.mtimeMs !== mtime) return undefined
  }
  return dir
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now()
  try {
    const n = await build()
    process.stdout.write(`baobab: compiled ${n} modules into dist/ in ${Math.round(performance.now() - t0)} ms\n`)
  } catch (e) {
    // no build, or the previous one (still checked against the sources): bin/baobab.js runs the
    // sources. With --optional (npm install's `prepare`) that is no reason to fail.
    process.stderr.write(`baobab: build failed, so baobab runs the sources through tsx: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exitCode = process.argv.includes('--optional') ? 0 : 1
  }
}
