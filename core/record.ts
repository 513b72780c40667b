/**
 * Record and replay (`--record FILE`, `--replay FILE`): a run in deterministic mode is a pure
 * function of its config, images and input, so writing down the input — each console's bytes
 * and the REPL's hypercalls, with the virtual time they went in — is enough to run it again
 * byte for byte. One JSON object per line: a header naming the config and the sha256 of it and
 * of every image, then the events in order, then the virtual time the run ended.
 *
 * A recording is data: it is validated line by line (zod), names API calls only from a fixed
 * list, and replays only on the config and images it was made from.
 */
import { createHash } from 'node:crypto'
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs'
import { z } from 'zod'

export const RECORDING_FORMAT = 'baobab-recording'
export const RECORDING_VERSION = 1

/** The API calls a recording may hold (the REPL's hypercalls): replayed through the same API. */
export const RECORDED_CALLS = [
  'hv.hypercall', 'hv.create', 'hv.destroy', 'hv.pause', 'hv.resume',
  'hv.child.create', 'hv.child.invoke', 'hv.child.destroy', 'vm.teeCall',
] as const
export type RecordedCall = (typeof RECORDED_CALLS)[number]

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 in hex')
const time = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)

const header = z.object({
  format: z.literal(RECORDING_FORMAT),
  version: z.literal(RECORDING_VERSION),
  config: z.string().min(1).max(4096),
  configSha256: hex64,
  images: z.array(z.object({ path: z.string().max(4096), sha256: hex64 }).strict()).max(1024),
  board: z.string().max(256),
  /** virtual time the recording starts at */
  start: time,
}).strict()

/** a JSON-able argument; BigInts travel as { bigint: "<decimal>" } */
const arg: z.ZodType<unknown> = z.lazy(() => z.union([
  z.number(), z.string().max(1 << 16), z.boolean(), z.null(),
  z.object({ bigint: z.string().regex(/^-?[0-9]{1,40}$/) }).strict(),
  z.array(arg).max(1024), z.record(arg),
]))

const inputEvent = z.object({ t: time, vm: z.string().min(1).max(256), input: z.string().max(1 << 20) }).strict()
const callEvent = z.object({ t: time, call: z.enum(RECORDED_CALLS), args: z.array(arg).max(16) }).strict()
const endEvent = z.object({ t: time, end: z.literal(true) }).strict()
/** the schema for an event line, by the key that says what it is (a clearer error than a union's) */
const eventKind = (o: unknown): z.ZodTypeAny | null => {
  if (typeof o !== 'object' || o === null) return null
  return 'vm' in o ? inputEvent : 'call' in o ? callEvent : 'end' in o ? endEvent : null
}

export type RecordingHeader = z.infer<typeof header>
export type InputEvent = { t: number; vm: string; input: Uint8Array }
export type CallEvent = { t: number; call: RecordedCall; args: unknown[] }
export interface Recording {
  header: RecordingHeader
  events: (InputEvent | CallEvent)[]
  /** virtual time the recorded run ended at */
  end: number
}

export class RecordingError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`${file}: ${reason}`)
  }
}

/** BigInts into { bigint } objects, for JSON */
export function encodeArgs(args: readonly unknown[]): unknown[] {
  const enc = (v: unknown): unknown => {
    if (typeof v === 'bigint') return { bigint: v.toString() }
    if (Array.isArray(v)) return v.map(enc)
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, enc(x)]))
    return v
  }
  return args.map(enc)
}

export function decodeArgs(args: readonly unknown[]): unknown[] {
  const dec = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(dec)
    if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>
      if (Object.keys(o).length === 1 && typeof o.bigint === 'string') return BigInt(o.bigint)
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, dec(x)]))
    }
    return v
  }
  return args.map(dec)
}

/** The hashes a recording (or a replay's check) takes of the config and its images. */
export function sourceHashes(config: string, images: readonly string[]): Pick<RecordingHeader, 'configSha256' | 'images'> {
  return {
    configSha256: sha256(readFileSync(config)),
    images: images.map((p) => ({ path: p, sha256: sha256(readFileSync(p)) })),
  }
}

/** Writes a recording as the run goes (each line at once: a crash keeps what came before). */
export class Recorder {
  private fd: number

  constructor(readonly file: string, h: RecordingHeader) {
    try {
      this.fd = openSync(file, 'w')
    } catch (e) {
      throw new RecordingError(file, `cannot write: ${(e as Error).message}`)
    }
    this.line(h)
  }

  input(t: number, vm: string, bytes: Uint8Array): void {
    this.line({ t, vm, input: Buffer.from(bytes).toString('base64') })
  }

  call(t: number, call: RecordedCall, args: readonly unknown[]): void {
    this.line({ t, call, args: encodeArgs(args) })
  }

  end(t: number): void {
    if (this.fd < 0) return
    this.line({ t, end: true })
    closeSync(this.fd)
    this.fd = -1
  }

  private line(o: unknown): void {
    if (this.fd >= 0) writeSync(this.fd, JSON.stringify(o) + '\n')
  }
}

/** Read and check a recording: every line against its schema, times in order, one end. */
export function readRecording(file: string): Recording {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new RecordingError(file, `cannot read: ${(e as Error).message}`)
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '')
  if (!lines.length) throw new RecordingError(file, 'empty: not a recording')
  const parse = (i: number): unknown => {
    try {
      return JSON.parse(lines[i]!) as unknown
    } catch (e) {
      throw new RecordingError(file, `line ${i + 1}: not JSON (${(e as Error).message})`)
    }
  }
  const issue = (i: number, e: z.ZodError): RecordingError => {
    const f = e.issues[0]!
    return new RecordingError(file, `line ${i + 1}: ${f.path.length ? `${f.path.join('.')}: ` : ''}${f.message}`)
  }
  const h = header.safeParse(parse(0))
  if (!h.success) throw issue(0, h.error)
  const events: (InputEvent | CallEvent)[] = []
  let last = h.data.start
  let end: number | null = null
  for (let i = 1; i < lines.length; i++) {
    const o = parse(i)
    const kind = eventKind(o)
    if (!kind) throw new RecordingError(file, `line ${i + 1}: an event is { t, vm, input }, { t, call, args } or { t, end: true }`)
    const r = kind.safeParse(o)
    if (!r.success) throw issue(i, r.error)
    const e = r.data as z.infer<typeof inputEvent> | z.infer<typeof callEvent> | z.infer<typeof endEvent>
    if (end !== null) throw new RecordingError(file, `line ${i + 1}: after the end line`)
    if (e.t < last) throw new RecordingError(file, `line ${i + 1}: t ${e.t} is before the line above's ${last}`)
    last = e.t
    if ('end' in e) end = e.t
    else if ('vm' in e) events.push({ t: e.t, vm: e.vm, input: new Uint8Array(Buffer.from(e.input, 'base64')) })
    else events.push({ t: e.t, call: e.call, args: decodeArgs(e.args) })
  }
  if (end === null) throw new RecordingError(file, 'no end line: the recorded run did not finish (it can only be replayed up to where it stopped if you add one)')
  return { header: h.data, events, end }
}
