/**
 * A parsed CROSSCON blob (../blob-parse.ts) as baobab's JSON config (DESIGN "The config
 * format"): the same fields in camelCase, with what the blob cannot hold filled from elsewhere —
 *
 * - VM names: the C name of the `struct vm_config` (a symbol of the linked ELF), else the
 *   VM_IMAGE's name, else `vm<pre-order index>`; made unique with `-<index>`.
 * - image paths: from the VM_IMAGE record (image-record.ts), resolved against the folder of the
 *   file that declares it and written relative to the output's folder (absolute stays absolute),
 *   as the demo configs reference their images.
 * - `board`, `features`: given by the caller (not in CROSSCON's structs); a TEE-typed VM adds
 *   `tee` (CROSSCON's sdTZ serves those VMs).
 * - a device's `shared`: true when another VM passes the same pages through — CROSSCON lets
 *   several VMs map one MMIO window unchecked (reference §2.3), baobab wants it said.
 * - the architecture's `platform.arch` block: its ImportArch decides (Arm: `arch.gic`).
 *
 * Numbers come out as the demo configs write them: addresses and masks as hex strings, sizes as
 * "64M"/"4K" when whole, counts and interrupt ids as numbers; fields at their default are left out.
 */
import { existsSync, statSync } from 'node:fs'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import type { BoardDesc } from '../../board.ts'
import { hex } from '../../bus.ts'
import { CONFIG, PAGE_SIZE, PLATFORM_DESC, SHMEM, SIZEOF, VM_CONFIG, vmConfigBytes, type BlobArch } from '../blob-layout.ts'
import type { BlobDev, BlobVm, ParsedBlob } from '../blob-parse.ts'
import { VM_TYPES } from '../config-schema.ts'
import { readImageRecord, type ImageRecord } from './image-record.ts'
import type { ImportArch } from './import-arch.ts'
import { ImportError } from './import-error.ts'
import { objectNameAt, vmConfigOffsets, type LinkedBlob } from './linked-blob.ts'

export interface ToJsonInput {
  /** the C file, as the user named it (messages) */
  file: string
  /** the folder the compiler ran in: record files are relative to it */
  cwd: string
  /** the output file's folder (absolute): image paths are written relative to it */
  outDir: string
  board: BoardDesc
  /** what the config's `board` says (a name, or a board plugin's path relative to outDir) */
  boardRef: string
  features: readonly string[]
  arch: ImportArch
  blobArch: BlobArch
  blob: LinkedBlob
  parsed: ParsedBlob
}

export interface ToJsonResult {
  config: Record<string, unknown>
  /** fields set in the C file that CROSSCON ignores for a VM and baobab does not import */
  warnings: string[]
}


/** a size as the demo configs write one: "64M", "4K", else hex */
export function sizeString(n: number): string {
  for (const [unit, bytes] of [['G', 2 ** 30], ['M', 2 ** 20], ['K', 2 ** 10]] as const) {
    if (n > 0 && n % bytes === 0) return `${n / bytes}${unit}`
  }
  return hex(n)
}

/** `path` relative to `dir`, with forward slashes */
function relativePath(dir: string, path: string): string {
  const r = relative(dir, path)
  return sep === '/' ? r : r.split(sep).join('/')
}

export function blobToConfig(input: ToJsonInput): ToJsonResult {
  const { file, parsed, blob, blobArch } = input
  const bytes = blob.bytes
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const offsets = vmConfigOffsets(bytes)
  const vmSize = vmConfigBytes(blobArch)
  const warnings: string[] = []
  const missing: string[] = []
  const names = new Set<string>()
  let index = 0

  /** the VM's `image` from its VM_IMAGE record (`stored`: where load_addr/size point) */
  const imageOf = (vm: BlobVm, stored: { offset: number; size: number } | undefined, rec: ImageRecord | undefined, who: string): Record<string, unknown> | undefined => {
    if (!stored) {
      if (!vm.image) return undefined
      throw new ImportError('unmappable', `${file}: VM ${who} sets .image but stores no image: declare it with VM_IMAGE(name, "path") and set .load_addr = VM_IMAGE_OFFSET(name), .size = VM_IMAGE_SIZE(name) (or .image = VM_IMAGE_BUILTIN(name, base))`)
    }
    if (!rec) {
      throw new ImportError('unmappable', `${file}: the image of VM ${who} (load_addr ${hex(stored.offset)}, size ${stored.size}) was not declared with VM_IMAGE: baobab needs the image's file`)
    }
    const abs = imagePath(rec)
    if (!existsSync(abs) || !statSync(abs).isFile()) missing.push(`${rec.file}:${rec.line}: VM_IMAGE(${rec.name}, "${rec.path}"): no such file ${abs}`)
    const image: Record<string, unknown> = {
      path: isAbsolute(rec.path) ? abs : relativePath(input.outDir, abs),
      baseAddr: hex(vm.image?.baseAddr ?? 0),
    }
    if (vm.image?.inplace) image.inplace = true
    return image
  }

  const imagePath = (rec: ImageRecord): string => resolve(dirname(resolve(input.cwd, rec.file)), rec.path)

  const convert = (vm: BlobVm): Record<string, unknown> => {
    const i = index++
    const at = offsets[i]!
    const stored = parsed.images.get(i)
    const rec = stored && readImageRecord(bytes, stored.offset, stored.size)
    let name = objectNameAt(blob.symbols, at, vmSize) ?? rec?.name ?? `vm${i}`
    if (names.has(name)) name = `${name}-${i}`
    names.add(name)

    const out: Record<string, unknown> = { name }
    if (vm.type !== 0) out.type = VM_TYPES[vm.type]
    out.image = imageOf(vm, stored, rec, name)
    out.entry = hex(vm.entry)
    out.cpuNum = vm.cpuNum
    if (vm.cpuAffinity) out.cpuAffinity = hex(vm.cpuAffinity)
    if (vm.colors) out.colors = hex(vm.colors)
    out.regions = vm.regions.map((r) => ({
      base: hex(r.base), size: sizeString(r.size),
      colors: r.colors ? hex(r.colors) : undefined,
      phys: r.placePhys ? hex(r.phys ?? 0) : undefined,
    }))
    if (vm.devs.length) out.devs = vm.devs.map(devJson)
    if (vm.ipcs.length) {
      out.ipcs = vm.ipcs.map((c) => ({
        base: hex(c.base), size: sizeString(c.size), shmemId: c.shmemId,
        interrupts: c.interrupts.length ? c.interrupts : undefined,
      }))
    }
    if (vm.children.length) out.children = vm.children.map(convert)

    // platform.console and platform.cache describe a board (reference §2.2): CROSSCON ignores them in a VM
    const p = at + VM_CONFIG.platform
    const ignored = (field: string, why: string): void => { warnings.push(`${file}: VM ${name}: ${field} ${why}; not imported`) }
    const consoleBase = dv.getBigUint64(p + PLATFORM_DESC.console_base, true)
    if (consoleBase) ignored('platform.console.base', `is ${hex(consoleBase)}: a board fact CROSSCON ignores for a VM`)
    if (bytes.subarray(p + PLATFORM_DESC.cache, p + PLATFORM_DESC.arch).some((b) => b !== 0)) ignored('platform.cache', 'is set: a board fact CROSSCON ignores for a VM')
    const block = new DataView(bytes.buffer, bytes.byteOffset + p + PLATFORM_DESC.arch, blobArch.archPlatformBytes)
    Object.assign(out, input.arch.vmFields(block, input.board, ignored))
    return out
  }

  const vms = parsed.config.vms.map(convert)
  if (missing.length) throw new ImportError('missing-image', missing.join('\n'))
  markShared(vms, parsed.config.vms)

  // shmem (§2.2): cpu_masters is the hypervisor's run-time state
  const shmemArr = parsed.config.shmem.length ? Number(dv.getBigUint64(CONFIG.shmemlist, true)) : 0
  parsed.config.shmem.forEach((_, i) => {
    const at = shmemArr + SIZEOF.shmem * i + SHMEM.cpu_masters
    if (dv.getBigUint64(at, true)) warnings.push(`${file}: shmemlist[${i}].cpu_masters is set: the hypervisor's run-time state; not imported`)
  })

  const teeTyped = (list: BlobVm[]): boolean => list.some((v) => v.type === 1 || v.type === 2 || teeTyped(v.children))
  const features = [...input.features]
  if (teeTyped(parsed.config.vms) && !features.includes('tee')) features.push('tee')
  const config: Record<string, unknown> = { board: input.boardRef }
  if (features.length) config.features = features
  if (parsed.config.hypColors) config.hypColors = hex(parsed.config.hypColors)
  if (parsed.config.shmem.length) {
    config.shmem = parsed.config.shmem.map((s) => ({
      size: sizeString(s.size), colors: s.colors ? hex(s.colors) : undefined, phys: s.placePhys ? hex(s.phys ?? 0) : undefined,
    }))
  }
  config.vms = vms
  return { config, warnings }
}

function devJson(d: BlobDev): Record<string, unknown> {
  // a size-0 entry only grants its interrupts: pa/va only when the file gives them
  const grant = d.size === 0
  return {
    pa: !grant || d.pa ? hex(d.pa) : undefined,
    va: !grant || d.va ? hex(d.va) : undefined,
    size: grant ? 0 : hex(d.size),
    interrupts: d.interrupts.length ? d.interrupts : undefined,
    id: d.id ? d.id : undefined,
  }
}

/**
 * `shared: true` on every pass-through window whose pages another VM's window covers too
 * (reference §2.3: CROSSCON maps one MMIO window into several VMs without a check).
 */
function markShared(json: Record<string, unknown>[], vms: BlobVm[]): void {
  const wins: { vm: number; lo: number; hi: number; dev: Record<string, unknown> }[] = []
  let n = 0
  const walk = (j: Record<string, unknown>[], v: BlobVm[]): void => {
    v.forEach((vm, k) => {
      const id = n++
      const devs = (j[k]!.devs ?? []) as Record<string, unknown>[]
      vm.devs.forEach((d, i) => {
        if (d.size === 0) return
        const lo = d.pa - (d.pa % PAGE_SIZE)
        wins.push({ vm: id, lo, hi: Math.ceil((d.pa + d.size) / PAGE_SIZE) * PAGE_SIZE, dev: devs[i]! })
      })
      walk((j[k]!.children ?? []) as Record<string, unknown>[], vm.children)
    })
  }
  walk(json, vms)
  for (const a of wins) {
    if (wins.some((b) => b.vm !== a.vm && a.lo < b.hi && b.lo < a.hi)) a.dev.shared = true
  }
}
