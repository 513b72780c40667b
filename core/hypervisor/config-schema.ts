/**
 * The shape of a config (DESIGN "The config format"): field names are CROSSCON/Bao's
 * `struct config` / `struct vm_config` (reference §2.2) in camelCase, with the per-VM `platform`
 * fields lifted into the VM. This file checks only structure — types, required fields, unknown
 * fields, number syntax — and turns numbers written as hex strings or sizes into exact integers.
 * Rules that relate fields to each other or to the board live in config.ts.
 *
 * Why zod for this part: strict objects report every unknown field with its path, the schema
 * doubles as the TypeScript input type `defineConfig` checks against, and the issue list maps
 * one-to-one onto `ConfigError { path, rule }`. The cross-field rules (overlaps, CPU and
 * interrupt ownership, image fit) are plain code instead of zod refinements: they need the
 * board, the loaded plugins and the file system, and each must name the *other* field it clashes
 * with, which reads more clearly as a loop over VMs than as a refinement chain.
 */
import { z } from 'zod'
import { ConfigError, formatPath } from './config-error.ts'

/** A number as a config may write it: `0x80200000`, `"0x80200000"`, `"64M"`, `4096`, `"4K"`. */
export type NumLike = number | string

export const VM_TYPES = ['gpos', 'tee-parent', 'tee-child', 'enclave'] as const
/** CROSSCON's `vm_config.type`: 0 GPOS, 1 trusted OS parent of its GPOS, 2 TEE child, 3 enclave */
export type VmTypeName = (typeof VM_TYPES)[number]
export type VmType = 0 | 1 | 2 | 3

export interface ImageInput {
  /** the image file (ELF or raw binary), relative to the config file */
  path: string
  /** guest-physical address the image appears at (`image.base_addr`) */
  baseAddr: NumLike
  /** map the image where it lies instead of copying it (`image.inplace`) */
  inplace?: boolean
}

export interface RegionInput {
  base: NumLike
  size: NumLike
  colors?: NumLike
  /** back the region with exactly `phys..phys+size` (`place_phys`) */
  placePhys?: boolean
  phys?: NumLike
}

export interface DevInput {
  /** host-physical MMIO base; optional when `emulate` is set or `size` is 0 */
  pa?: NumLike
  /** guest-physical address the window appears at */
  va?: NumLike
  /** bytes; 0 = the entry only grants its interrupts */
  size: NumLike
  /** PLIC sources (RISC-V) / INTIDs (Arm) assigned to the VM */
  interrupts?: NumLike[]
  /** SMMU stream id (`dev_region.id`) */
  id?: NumLike
  /** baobab: allow the same physical device in several VMs (every entry must say so) */
  shared?: boolean
  /** baobab: a device type; the VM gets its own emulated instance at `va` */
  emulate?: string
}

export interface IpcInput {
  base: NumLike
  size: NumLike
  shmemId: NumLike
  interrupts?: NumLike[]
}

export interface ShmemInput {
  size: NumLike
  colors?: NumLike
  placePhys?: boolean
  phys?: NumLike
}

export interface VmInput {
  name: string
  type?: VmTypeName | VmType
  /** required for root VMs */
  image?: ImageInput
  /** first pc of every vCPU; defaults to the image's entry */
  entry?: NumLike
  cpuNum: NumLike
  cpuAffinity?: NumLike
  colors?: NumLike
  regions: RegionInput[]
  devs?: DevInput[]
  ipcs?: IpcInput[]
  /** static VM-stack children, created at boot on this VM's CPUs */
  children?: VmInput[]
  /** baobab: generate a device tree and pass its address in a1 (default true) */
  dtb?: boolean
  /** baobab: `/chosen/bootargs` of the generated device tree */
  bootargs?: string
  /** fields the board's architecture adds (`ArchDesc.vmOptions`; RISC-V: `sstc`) */
  [archOption: string]: unknown
}

export interface ConfigInput {
  board: string
  features?: string[]
  hypColors?: NumLike
  shmem?: ShmemInput[]
  vms: VmInput[]
}

// ---- numbers ----

const UNITS: Readonly<Record<string, bigint>> = { k: 1n << 10n, m: 1n << 20n, g: 1n << 30n, t: 1n << 40n }
const MAX = BigInt(Number.MAX_SAFE_INTEGER)
const NUMBER_FORMS = 'a number, hex string ("0x1000") or size ("4K", "64M", "1G")'

/** A config number as an exact integer, or the rule it breaks (a string starting with a verb). */
export function parseNumber(v: unknown): number | { error: string } {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || !Number.isInteger(v)) return { error: `must be an integer (got ${v})` }
    if (v < 0) return { error: `must not be negative (got ${v})` }
    if (!Number.isSafeInteger(v)) return { error: `is beyond 2^53 and not exact (${v}); write it as a hex string if it must be this large` }
    return v
  }
  if (typeof v !== 'string') return { error: `must be ${NUMBER_FORMS} (got ${describe(v)})` }
  const s = v.trim()
  let n: bigint
  if (/^0x[0-9a-f]+(_[0-9a-f]+)*$/i.test(s)) n = BigInt(s.replace(/_/g, ''))
  else if (/^[0-9]+(_[0-9]+)*$/.test(s)) n = BigInt(s.replace(/_/g, ''))
  else {
    const m = /^([0-9]+)(?:\.([0-9]+))?\s*([kmgt])(?:ib)?$/i.exec(s)
    if (!m) return { error: `must be ${NUMBER_FORMS} (got "${v}")` }
    const unit = UNITS[m[3]!.toLowerCase()]!
    const frac = m[2] ?? ''
    const scaled = BigInt(m[1]! + frac) * unit
    const div = 10n ** BigInt(frac.length)
    if (scaled % div !== 0n) return { error: `"${v}" is not a whole number of bytes` }
    n = scaled / div
  }
  if (n > MAX) return { error: `"${v}" is beyond 2^53` }
  return Number(n)
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' ? 'an object' : typeof v === 'boolean' ? String(v) : typeof v
}

/** A field whose raw value `parse` turns into `Out` or rejects with a rule. */
function field<In, Out>(parse: (v: unknown) => Out | { error: string }) {
  return z.custom<In>().transform((v, ctx): Out => {
    const r = v === undefined ? { error: 'required' } : parse(v)
    if (typeof r === 'object' && r !== null && 'error' in r) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: r.error })
      return z.NEVER
    }
    return r as Out
  })
}

const num = (min = 0) =>
  field<NumLike, number>((v) => {
    const n = parseNumber(v)
    return typeof n === 'number' && n < min ? { error: `must be at least ${min} (got ${n})` } : n
  })

const vmType = field<VmTypeName | VmType, VmType>((v) => {
  if (typeof v === 'string' && (VM_TYPES as readonly string[]).includes(v)) return VM_TYPES.indexOf(v as VmTypeName) as VmType
  if (v === 0 || v === 1 || v === 2 || v === 3) return v
  return { error: `must be one of ${VM_TYPES.map((t, i) => `'${t}' (${i})`).join(', ')} (got ${JSON.stringify(v) ?? describe(v)})` }
})

// ---- the schema ----

const str = () => z.string().min(1, 'must not be empty')
const irqs = () => z.array(num()).optional()

const imageShape = { path: str(), baseAddr: num(), inplace: z.boolean().optional() }
const regionShape = { base: num(), size: num(), colors: num().optional(), placePhys: z.boolean().optional(), phys: num().optional() }
const devShape = {
  pa: num().optional(), va: num().optional(), size: num(), interrupts: irqs(), id: num().optional(),
  shared: z.boolean().optional(), emulate: str().optional(),
}
const ipcShape = { base: num(), size: num(), shmemId: num(), interrupts: irqs() }
const shmemShape = { size: num(), colors: num().optional(), placePhys: z.boolean().optional(), phys: num().optional() }

const region = z.object(regionShape).strict()
const dev = z.object(devShape).strict()
const ipc = z.object(ipcShape).strict()
const shmem = z.object(shmemShape).strict()
const image = z.object(imageShape).strict()

export type ParsedRegion = z.output<typeof region>
export type ParsedDev = z.output<typeof dev>
export type ParsedIpc = z.output<typeof ipc>
export type ParsedShmem = z.output<typeof shmem>
export type ParsedImage = z.output<typeof image>

/** A VM after the structural pass: numbers parsed, nothing defaulted or cross-checked yet. */
export interface ParsedVm {
  name: string
  type?: VmType
  image?: ParsedImage
  entry?: number
  cpuNum: number
  cpuAffinity?: number
  colors?: number
  regions: ParsedRegion[]
  devs?: ParsedDev[]
  ipcs?: ParsedIpc[]
  children?: ParsedVm[]
  dtb?: boolean
  bootargs?: string
  /** the architecture's own fields (`ArchDesc.vmOptions`), as parsed */
  [archOption: string]: unknown
}

const vmShape = {
  name: str(),
  type: vmType.optional(),
  image: image.optional(),
  entry: num().optional(),
  cpuNum: num(1),
  cpuAffinity: num().optional(),
  colors: num().optional(),
  regions: z.array(region).min(1, 'needs at least one region'),
  devs: z.array(dev).optional(),
  ipcs: z.array(ipc).optional(),
  dtb: z.boolean().optional(),
  bootargs: z.string().optional(),
}

/** VM fields an architecture adds to the VM config (RISC-V: `sstc`), each with its schema */
export type ArchVmOptions = Readonly<Record<string, z.ZodTypeAny>>

function configShapeFor(archOptions: ArchVmOptions) {
  const vm: z.ZodType<ParsedVm, z.ZodTypeDef, VmInput> = z.object({ ...vmShape, ...archOptions, children: z.array(z.lazy(() => vm)).optional() }).strict()
  return {
    board: str(),
    features: z.array(str()).optional(),
    hypColors: num().optional(),
    shmem: z.array(shmem).optional(),
    vms: z.array(vm).min(1, 'needs at least one VM'),
  }
}
const NO_OPTIONS: ArchVmOptions = {}
const configShape = configShapeFor(NO_OPTIONS)
export const configSchema = z.object(configShape).strict()
export type ParsedConfig = z.output<typeof configSchema>
/** schemas per set of arch options (one per architecture in practice) */
const schemas = new WeakMap<ArchVmOptions, typeof configSchema>([[NO_OPTIONS, configSchema]])

/** Which object a path points into, for "did you mean" on unknown fields. */
const FIELDS: Readonly<Record<string, readonly string[]>> = {
  '': Object.keys(configShape), image: Object.keys(imageShape),
  regions: Object.keys(regionShape), devs: Object.keys(devShape), ipcs: Object.keys(ipcShape), shmem: Object.keys(shmemShape),
}

/** The structural pass: the parsed config, or one ConfigError per problem. `archOptions`: the board's arch's VM fields. */
export function parseStructure(raw: unknown, file?: string, archOptions: ArchVmOptions = NO_OPTIONS): { config: ParsedConfig } | { errors: ConfigError[] } {
  let schema = schemas.get(archOptions)
  if (!schema) schemas.set(archOptions, (schema = z.object(configShapeFor(archOptions)).strict()))
  const r = schema.safeParse(raw)
  if (r.success) return { config: r.data }
  const vmFields = Object.keys(vmShape)
  vmFields.splice(vmFields.indexOf('ipcs') + 1, 0, 'children')
  vmFields.push(...Object.keys(archOptions))
  return { errors: r.error.issues.flatMap((i) => issueToErrors(i, vmFields, file)) }
}

function issueToErrors(issue: z.ZodIssue, vmFields: readonly string[], file?: string): ConfigError[] {
  const path = formatPath(issue.path)
  switch (issue.code) {
    case z.ZodIssueCode.unrecognized_keys: {
      const owner = [...issue.path].reverse().find((p): p is string => typeof p === 'string') ?? ''
      const known = owner === 'vms' || owner === 'children' ? vmFields : FIELDS[owner] ?? []
      return issue.keys.map((k) => new ConfigError(formatPath([...issue.path, k]), unknownField(k, known), file))
    }
    case z.ZodIssueCode.invalid_type:
      if (issue.received === 'undefined') return [new ConfigError(path, 'required', file)]
      return [new ConfigError(path, `must be ${article(issue.expected)} (got ${issue.received})`, file)]
    default:
      return [new ConfigError(path, issue.message, file)]
  }
}

function article(t: string): string {
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`
}

function unknownField(key: string, known: readonly string[]): string {
  const squash = (s: string) => s.toLowerCase().replace(/[_-]/g, '')
  const near = known.find((k) => squash(k) === squash(key)) ?? known.find((k) => key.length > 3 && distance(k, key) <= 2)
  return near ? `unknown field (did you mean '${near}'?)` : `unknown field (allowed: ${known.join(', ')})`
}

/** Levenshtein distance, for short field names only. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = cur
  }
  return prev[b.length]!
}
