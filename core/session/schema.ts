/**
 * The shape of `session.json` (one lowdb JSON document per session), checked on every load so
 * a damaged or foreign file is refused with the field that is wrong, before anything restores.
 * Device and hart states stay opaque here (their own `restore` reads them); the `machine` part
 * as a whole is covered by a checksum.
 */
import { z } from 'zod'

export const SESSION_VERSION = 1

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 (64 hex digits)')
const count = z.number().int().nonnegative()
const vcpuRef = z.tuple([count, count])

const fileEntry = z.object({ sha256, bytes: count }).strict()

const savedEvent = z.object({ time: z.number().nonnegative(), seq: count, tag: z.string().nullable() }).strict()

const vmSnapshot = z.object({
  id: count,
  name: z.string(),
  state: z.string(),
  fault: z.object({ vm: count, vmName: z.string(), vcpu: count, pc: z.string(), addr: z.string(), cause: z.string() }).strict().nullable(),
  hypercalls: count,
  vcpus: z.array(z.object({
    id: count,
    state: z.string(),
    exits: count,
    stackParent: vcpuRef.nullable(),
  }).strict()),
  console: z.object({ output: z.string(), dropped: count, pendingInput: z.array(z.number().int().min(0).max(255)) }).strict(),
}).strict()

const machine = z.object({
  format: count,
  board: z.string(),
  arch: z.string(),
  harts: z.array(z.record(z.unknown())),
  sched: z.object({ now: z.number().nonnegative(), instructions: z.number().nonnegative(), seq: count, quantum: z.number().int().positive(), events: z.array(savedEvent) }).strict(),
  power: z.object({ off: z.boolean(), code: z.number() }).strict(),
  devices: z.record(z.unknown()),
  hypervisor: z.object({
    vms: z.array(vmSnapshot),
    stacks: z.array(z.object({ current: vcpuRef.nullable(), stacked: z.array(vcpuRef) }).strict()),
    emulated: z.record(z.unknown()),
    log: z.array(z.object({ level: z.enum(['INFO', 'WARNING', 'ERROR']), text: z.string(), time: z.number() }).strict()),
    arch: z.unknown(),
    /** VMs created at run time: their normalised definitions (re-checked when they are rebuilt) */
    created: z.array(z.object({ id: count, config: z.record(z.unknown()), pcpus: z.array(count) }).strict()).optional(),
    nextVmId: count.optional(),
    features: z.record(z.unknown()).optional(),
  }).strict().nullable(),
  /** how many pages ram.bin holds */
  ramPages: count,
}).strict()

export const sessionDoc = z.object({
  version: z.literal(SESSION_VERSION),
  /** ISO time of the save; informative only, the simulation never reads it */
  createdAt: z.string().datetime(),
  name: z.string(),
  config: z.object({
    kind: z.enum(['config', 'bare']),
    /** the config file, or in bare mode the image; absolute */
    path: z.string().min(1),
    sha256,
    /** images the config names (bare mode: none besides `path`) */
    images: z.array(z.object({ path: z.string().min(1), sha256 }).strict()),
    cpus: count.optional(),
  }).strict(),
  board: z.string(),
  plugins: z.array(z.object({ name: z.string(), kind: z.string(), version: z.string() }).strict()),
  replHistory: z.array(z.string()),
  /** summary for listings */
  virtualMs: z.number().nonnegative(),
  instructions: z.number().nonnegative(),
  files: z.object({ 'ram.bin.gz': fileEntry, 'state.bin.gz': fileEntry }).strict(),
  /** sha256 of JSON.stringify(machine): a damaged number in valid JSON is caught too */
  machineSha256: sha256,
  machine,
}).strict()

export type SessionDoc = z.infer<typeof sessionDoc>

/** The first problem zod found, as "field a.b[2].c: message". */
export function firstIssue(e: z.ZodError): string {
  const i = e.issues[0]!
  const path = i.path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${p}` : p), '')
  const msg = i.code === 'invalid_type' && i.received === 'undefined' ? 'missing' : i.message
  return path ? `field ${path}: ${msg}` : msg
}
