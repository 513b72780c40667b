/**
 * Compiling a CROSSCON config (a C file) the way CROSSCON's `configs/configs.mk` does (reference
 * §2.1): the architecture's cross gcc, then a link **at address 0** with a script like its
 * `configs/linker.ld` — `.config` (struct config and every compound literal) first,
 * `_config_end` page aligned, then each `.vm_image*` section page aligned, `_images_end` — so
 * every pointer in the result is already an offset from the blob's start. The linked ELF is the
 * result; nothing but the compiler driver (and the assembler and linker it runs) is executed,
 * and its files live in a private temporary folder removed afterwards.
 */
import { spawnSync } from 'node:child_process'
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { PAGE_SIZE } from '../blob-layout.ts'
import type { ImportArch } from './import-arch.ts'
import { ImportError } from './import-error.ts'

/** the ASSERT's text when the file defines no `config` (the linker prints it) */
const NO_CONFIG = 'baobab: no struct config config'

/**
 * configs/linker.ld, with the input sections a C compiler puts initialised data in named (its
 * `.config` keeps only `.config` and COMMON and relies on the linker's orphan placement for the
 * rest): .data/.rodata/.bss and RISC-V's small-data twins all belong to the header.
 */
const LINKER_SCRIPT = `
SECTIONS
{
    . = 0x0;
    .config : {
        KEEP(*(.config))
        *(.data .data.* .rodata .rodata.* .sdata .sdata.* .srodata .srodata.*)
        *(.bss .bss.* .sbss .sbss.* COMMON)
    }
    _config_end = ALIGN(${PAGE_SIZE});
    .vm_images _config_end : SUBALIGN(${PAGE_SIZE}) {
        KEEP(*(.vm_image*))
    }
    _images_end = ALIGN(${PAGE_SIZE});
    /DISCARD/ : { *(.comment) *(.note .note.*) *(.eh_frame .eh_frame_hdr) }
}
ASSERT(DEFINED(config), "${NO_CONFIG}")
`

/** what the importer asks of every gcc: a freestanding LP64 object, no libraries, no PIE, pointers as plain absolute words */
const CFLAGS = [
  '-std=gnu11', '-ffreestanding', '-nostdlib', '-static', '-fno-pie', '-no-pie', '-fno-common',
  '-fno-asynchronous-unwind-tables', '-fdiagnostics-color=never',
  // a scalar where a pointer belongs (`.interrupts = 10`) would be an address in the blob
  '-Werror=int-conversion', '-Werror=incompatible-pointer-types',
]

/** longest a compile may take */
const TIMEOUT_MS = 60_000

export interface CompileOptions {
  /** the folder holding baobab's <config.h> */
  includeDir: string
  /** the PATH searched for the compiler (default: this process's) */
  searchPath?: string
  /** the compiler runs here; the file's path is taken relative to it (default: process.cwd()) */
  cwd?: string
}

export interface Compiled {
  /** the linked ELF, every section at its blob offset */
  elf: Uint8Array
  /** the compiler that built it (its path) */
  compiler: string
  /** what gcc said while succeeding (warnings), one entry per line */
  warnings: string[]
}

/** The first of `names` that is an executable file in a folder of `searchPath`. */
export function findCompiler(names: readonly string[], searchPath: string): string | undefined {
  const dirs = searchPath.split(delimiter).filter((d) => d !== '')
  for (const name of names) {
    for (const dir of dirs) {
      const p = join(dir, name)
      try {
        if (!statSync(p).isFile()) continue
        accessSync(p, constants.X_OK)
        return p
      } catch {
        // not here
      }
    }
  }
  return undefined
}

/** Compile and link `file` for `arch` (reference §2.1); throws ImportError 'no-compiler' or 'compile'. */
export function compileConfig(file: string, arch: ImportArch, opts: CompileOptions): Compiled {
  const searchPath = opts.searchPath ?? process.env.PATH ?? ''
  const compiler = findCompiler(arch.compilers, searchPath)
  if (!compiler) {
    throw new ImportError('no-compiler', `no C compiler for ${arch.name} found on PATH (looked for ${arch.compilers.join(', ')}): install the Debian package ${arch.debianPackage} (apt-get install ${arch.debianPackage})`)
  }
  const dir = mkdtempSync(join(tmpdir(), 'baobab-import-'))
  try {
    const script = join(dir, 'config.ld')
    const elf = join(dir, 'config.elf')
    writeFileSync(script, LINKER_SCRIPT)
    const args = [
      ...CFLAGS, ...arch.cflags, '-I', opts.includeDir,
      `-Wl,-T,${script}`, '-Wl,--build-id=none', '-Wl,-e,0',
      '-o', elf, '-x', 'c', file,
    ]
    // TMPDIR: gcc's own intermediate files go to the private folder too; LC_ALL: messages in English
    const r = spawnSync(compiler, args, {
      cwd: opts.cwd ?? process.cwd(), encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 16 << 20,
      env: { ...process.env, TMPDIR: dir, LC_ALL: 'C' },
    })
    if (r.error) {
      const code = (r.error as NodeJS.ErrnoException).code
      if (code === 'ETIMEDOUT') throw new ImportError('compile', `${file}: ${compiler} did not finish in ${TIMEOUT_MS / 1000} s`)
      throw new ImportError('no-compiler', `${file}: cannot run ${compiler}: ${r.error.message}`)
    }
    const said = diagnostics(r.stderr, dir)
    if (r.status !== 0 || r.signal) {
      const how = r.signal ? `was killed by ${r.signal}` : 'reports errors'
      throw new ImportError('compile', [`${file}: ${compiler} ${how}:`, ...said, ...hints(r.stderr, file)].join('\n'))
    }
    return { elf: new Uint8Array(readFileSync(elf)), compiler, warnings: said }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** gcc's stderr as lines, the private folder's name cut out (it is gone when the user reads them). */
function diagnostics(stderr: string, dir: string): string[] {
  return stderr.split('\n').map((l) => l.split(`${dir}/`).join('')).filter((l) => l.trim() !== '')
}

/** What the linker's messages mean in a config's terms. */
function hints(stderr: string, file: string): string[] {
  const out: string[] = []
  const images = new Set<string>()
  // VM_IMAGE declares the symbols: without it the compiler finds them undeclared (or, declared
  // by hand, the linker finds them undefined)
  for (const m of stderr.matchAll(/(?:undefined reference to `|')_(\w+?)_vm_(?:beg|size)'(?: undeclared)?/g)) images.add(m[1]!)
  for (const name of images) out.push(`${file}: image '${name}' is used (VM_IMAGE_OFFSET, VM_IMAGE_SIZE or VM_IMAGE_BUILTIN) but never declared: add VM_IMAGE(${name}, "path/to/image.bin")`)
  if (stderr.includes(NO_CONFIG)) out.push(`${file}: defines no \`struct config config\` (CROSSCON's config must have that name)`)
  return out
}
