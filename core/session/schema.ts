/**
 * The shape of `session.json` (one lowdb JSON document per session), checked on every load so
 * a damaged or foreign file is refused with the field that is wrong, before anything restores.
 * Every field the core restores has its type and range here; device, CPU and arch-glue states
 * stay opaque (their owners check them: `Device.checkState`, `Cpu.checkState`, `ArchHyp.check`).
 * The `machine` part as a whole is covered by a checksum, which catches damage, not edits.
 */
import { z } from 'zod'
import { formatPath } from '../hypervisor/config-error.ts'

export const SESSION_VERSION = 1

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 (64 hex digits)')
/** ids, counters, cycle numbers: integers a double holds exactly */
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER, 'must be at most 2^53-1')
/** physical and guest-physical addresses and sizes: below 2^53 (the bus's address space) */
const addr = count
const hex64 = z.string().regex(/^0x[0-9a-f]{1,16}$/, 'must be a 64-bit hex string')
const byte = z.number().int().min(0).max(255)
const text = (max: number) => z.string().max(max)
const vcpuRef = z.tuple([count, count])

const fileEntry = z.object({ sha256, bytes: count }).strict()

const savedEvent = z.object({ time: count, seq: count, tag: text(256).nullable() }).strict()

const vmSnapshot = z.object({
  id: count,
  name: text(256),
  state: z.enum(['running', 'stopped', 'faulted']),
  fault: z.object({ vm: count, vmName: text(256), vcpu: count, pc: hex64, addr: hex64, cause: text(4096) }).strict().nullable(),
  hypercalls: count,
  vcpus: z.array(z.object({
    id: count,
    state: z.enum(['stopped', 'running', 'inactive', 'stacked']),
    exits: count,
    stackParent: vcpuRef.nullable(),
  }).strict()).max(1024),
  console: z.object({
    output: z.string().max(64 << 20).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
    dropped: count,
    pendingInput: z.array(byte).max(1 << 20),
  }).strict(),
}).strict()

/** A VM definition as the hypervisor keeps it (HvVmConfig, normalised), for VMs made at run time. */
type VmDef = z.infer<typeof vmDefShape> & { children: VmDef[] }
const vmDefShape = z.object({
  name: text(256),
  type: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]),
  typeName: z.enum(['gpos', 'tee-parent', 'tee-child', 'enclave']),
  image: z.object({ path: z.string().min(1).max(4096), baseAddr: addr, inplace: z.boolean(), size: count, kind: z.enum(['elf', 'raw']) }).strict().optional(),
  entry: addr,
  cpuNum: z.number().int().min(1).max(1024),
  cpuAffinity: count,
  colors: count,
  regions: z.array(z.object({
    base: addr, size: count, colors: count, placePhys: z.boolean(), phys: addr,
    backing: z.array(z.object({ offset: count, size: count, pa: addr }).strict()).max(1 << 20).optional(),
  }).strict()).max(256),
  devs: z.array(z.object({
    pa: addr.optional(), va: addr, size: count, interrupts: z.array(count).max(1024), id: count, shared: z.boolean(), emulate: text(64).optional(),
  }).strict()).max(256),
  ipcs: z.array(z.object({ base: addr, size: count, shmemId: count, interrupts: z.array(count).max(1024) }).strict()).max(256),
  dtb: z.boolean(),
  bootargs: text(4096).optional(),
  archOptions: z.record(z.unknown()),
}).strict()
const vmDef: z.ZodType<VmDef> = vmDefShape.extend({ children: z.lazy(() => z.array(vmDef).max(256)) }).strict() as z.ZodType<VmDef>

/** Sessions saved before the core said "CPU" named the per-CPU states `harts`: read as `cpus`. */
const legacyCpuKey = (v: unknown): unknown => {
  if (typeof v !== 'object' || v === null || !('harts' in v) || 'cpus' in v) return v
  const { CPUs, ...rest } = v as Record<string, unknown>
  return { ...rest, cpus: CPUs }
}

const machine = z.preprocess(legacyCpuKey, z.object({
  format: count,
  board: text(256),
  arch: text(64),
  cpus: z.array(z.record(z.unknown())).max(1024),
  sched: z.object({
    now: count,
    instructions: count,
    seq: count,
    /** instructions per CPU turn: 1 (stepping, breakpoints) up to the default 10000 and a little beyond */
    quantum: z.number().int().min(1).max(1_000_000),
    events: z.array(savedEvent).max(4096),
  }).strict().superRefine((s, ctx) => {
    s.events.forEach((e, i) => {
      if (e.time < s.now) ctx.addIssue({ code: 'custom', path: ['events', i, 'time'], message: `is before the saved time now (${s.now})` })
      if (e.seq >= s.seq) ctx.addIssue({ code: 'custom', path: ['events', i, 'seq'], message: `is not below the next sequence number (${s.seq})` })
    })
  }),
  power: z.object({ off: z.boolean(), code: z.number().int().min(-0x80000000).max(0xffffffff) }).strict(),
  devices: z.record(z.unknown()),
  hypervisor: z.object({
    vms: z.array(vmSnapshot).max(1024),
    stacks: z.array(z.object({ current: vcpuRef.nullable(), stacked: z.array(vcpuRef).max(1024) }).strict()).max(1024),
    emulated: z.record(z.unknown()),
    log: z.array(z.object({ level: z.enum(['INFO', 'WARNING', 'ERROR']), text: text(4096), time: count }).strict()).max(1 << 20),
    arch: z.unknown(),
    /** VMs created at run time: their normalised definitions (checked again when they are rebuilt) */
    created: z.array(z.object({ id: count, config: vmDef, pcpus: z.array(count).max(1024) }).strict()).max(1024).optional(),
    nextVmId: count.optional(),
    features: z.record(z.unknown()).optional(),
  }).strict().nullable(),
  /** how many pages ram.bin holds (at most 2^24: 64 GiB of RAM) */
  ramPages: count.max(1 << 24, 'must be at most 2^24 pages'),
}).strict())

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
    images: z.array(z.object({ path: z.string().min(1), sha256 }).strict()).max(1024),
    cpus: z.number().int().min(1).max(1024).optional(),
    /**
     * the config as it was read (JSON, or a module's default export as plain data): a resume
     * validates and boots this, never the file at `path` (which may be code); absent in sessions
     * of JSON configs saved before, whose file is then read as JSON
     */
    data: z.unknown().optional(),
  }).strict(),
  /** a board by name: never a path (a user's board plugin file is code, and a session is data) */
  board: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be a board name, not a path'),
  plugins: z.array(z.object({ name: z.string(), kind: z.string(), version: z.string() }).strict()),
  replHistory: z.array(z.string().max(1 << 16)).max(1 << 16),
  /** how virtual time ran (core/api.ts ClockMode); sessions saved before the modes existed ran deterministic */
  clock: z.enum(['deterministic', 'realtime']).optional(),
  /** summary for listings */
  virtualMs: z.number().nonnegative().max(Number.MAX_SAFE_INTEGER),
  instructions: count,
  files: z.object({ 'ram.bin.gz': fileEntry, 'state.bin.gz': fileEntry }).strict(),
  /** sha256 of JSON.stringify(machine): a damaged number in valid JSON is caught too */
  machineSha256: sha256,
  machine,
}).strict()

export type SessionDoc = z.infer<typeof sessionDoc>

/** The first problem zod found, as "field a.b[2].c: message". */
export function firstIssue(e: z.ZodError): string {
  const i = e.issues[0]!
  const msg = i.code === 'invalid_type' && i.received === 'undefined' ? 'missing' : i.message
  return i.path.length ? `field ${formatPath(i.path)}: ${msg}` : msg
}
