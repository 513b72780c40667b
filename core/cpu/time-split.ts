/**
 * Where a run's host time goes, for `--stats`: V8's sampling CPU profiler (node:inspector, the
 * same samples `node --cpu-prof` writes) runs while the machine does, and each sample is put in
 * one bin — translated code (WebAssembly), translating (the arch's translator and V8 compiling
 * what it made), the interpreter, garbage collection, or everything else (devices, the
 * hypervisor, slow paths, the CLI). Sampling costs little and needs no counters in hot paths.
 * Which functions are the interpreter and the translator the arch plugin says (ArchDesc.profile).
 */
import { Session } from 'node:inspector'

/** functions by `file:function` (file = the source file's base name), e.g. `execute.ts:exec` */
export interface ProfileRoles {
  /** frames that are the interpreter when they are the sample's innermost */
  interpreter: string[]
  /** frames under which everything is translating */
  translator: string[]
}

export interface TimeSplit {
  /** milliseconds sampled (idle time left out) */
  totalMs: number
  translated: number
  translating: number
  interpreter: number
  gc: number
  other: number
}

interface Frame { functionName: string; url: string }
interface ProfileNode { id: number; callFrame: Frame; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** `file:function` without the file's extension: the sources (.ts) and the precompiled build (.js) name the same frame */
const bare = (file: string): string => file.replace(/\.(ts|js|mjs)(?=:|$)/, '')
const name = (f: Frame): string => bare(`${f.url.slice(f.url.lastIndexOf('/') + 1)}:${f.functionName}`)

/** Start sampling every `intervalUs` µs; the returned function stops and gives the split. */
export function startTimeSplit(roles: ProfileRoles, intervalUs = 200): () => TimeSplit {
  const session = new Session()
  session.connect()
  session.post('Profiler.enable')
  session.post('Profiler.setSamplingInterval', { interval: intervalUs })
  session.post('Profiler.start')
  return () => {
    let profile: Profile | undefined
    // on the thread's own session, post() calls back before it returns
    session.post('Profiler.stop', (err, r) => { if (!err) profile = (r as { profile: Profile }).profile })
    session.disconnect()
    return profile ? split(profile, roles) : { totalMs: 0, translated: 0, translating: 0, interpreter: 0, gc: 0, other: 0 }
  }
}

/** The samples of `p` in bins (exported for tests). */
export function split(p: Profile, roles: ProfileRoles): TimeSplit {
  const byId = new Map<number, ProfileNode>()
  const parent = new Map<number, number>()
  for (const n of p.nodes) {
    byId.set(n.id, n)
    for (const c of n.children ?? []) parent.set(c, n.id)
  }
  const interp = new Set(roles.interpreter.map(bare)), trans = new Set(roles.translator.map(bare))
  const bin = new Map<number, keyof Omit<TimeSplit, 'totalMs'> | null>()
  const binOf = (id: number): keyof Omit<TimeSplit, 'totalMs'> | null => {
    let b = bin.get(id)
    if (b !== undefined) return b
    const f = byId.get(id)!.callFrame
    if (f.functionName === '(idle)' || f.functionName === '(root)') b = null
    else if (f.functionName.startsWith('wasm-function') || f.url.startsWith('wasm://')) b = 'translated'
    else if (f.functionName === '(garbage collector)') b = 'gc'
    else {
      b = interp.has(name(f)) ? 'interpreter' : 'other'
      for (let a: number | undefined = id; a !== undefined; a = parent.get(a)) {
        if (trans.has(name(byId.get(a)!.callFrame))) { b = 'translating'; break }
      }
    }
    bin.set(id, b)
    return b
  }
  const out: TimeSplit = { totalMs: 0, translated: 0, translating: 0, interpreter: 0, gc: 0, other: 0 }
  for (let i = 0; i < p.samples.length; i++) {
    const b = binOf(p.samples[i]!)
    if (b === null) continue
    const ms = (p.timeDeltas[i] ?? 0) / 1000
    out[b] += ms
    out.totalMs += ms
  }
  return out
}
