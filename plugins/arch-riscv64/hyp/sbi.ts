/**
 * The SBI the hypervisor offers its VS-mode guests (SBI v2.0): BASE, TIME, IPI, RFENCE, HSM,
 * SRST, DBCN and the legacy console, registered as call routes by the arch plugin; CROSSCON's
 * own extensions (Bao's hypercalls, OP-TEE calls) are bound to the arch-neutral services that
 * the core and features serve. Every call is answered with an SBI error code or its defined
 * effect; nothing a guest passes can throw out of here.
 */
import type { Hypervisor } from '../../../core/hypervisor/hypervisor.ts'
import type { Vcpu } from '../../../core/hypervisor/vm.ts'
import type { RiscvHart } from '../hart.ts'
import type { RiscvHyp } from './riscv-hyp.ts'
import { hex, trace, TRACE_SBI } from '../trace.ts'
import { SERVICE_HYPERCALL, SERVICE_TEE, type Call, type CallResults, type CallRoute } from '../../../core/hypervisor/calls.ts'
import { setPair } from '../../../core/cpu/int64.ts'

export const EID = {
  LEGACY_PUTCHAR: 0x01, LEGACY_GETCHAR: 0x02, BASE: 0x10, TIME: 0x54494d45, IPI: 0x735049,
  RFENCE: 0x52464e43, HSM: 0x48534d, SRST: 0x53525354, DBCN: 0x4442434e, BAO: 0x08000ba0, TEE: 0x544545,
} as const

/** the conduit RISC-V calls arrive through */
export const ECALL = 'ecall'

/**
 * CROSSCON's SBI extensions for its arch-neutral services (reference §3.1, §3.3): Bao's
 * hypercalls (a6 = class << 16 | function) and OP-TEE calls (a6 = the SMCCC function id).
 */
const NAMED: ReadonlyMap<number, string> = new Map([[EID.BAO, SERVICE_HYPERCALL], [EID.TEE, SERVICE_TEE]])
/** the extension id of a named service (the API makes a call "as the guest would") */
export const EID_OF: ReadonlyMap<string, number> = new Map([...NAMED].map(([eid, name]) => [name, eid]))

export const SBI_SUCCESS = 0, SBI_ERR_FAILED = -1, SBI_ERR_NOT_SUPPORTED = -2, SBI_ERR_INVALID_PARAM = -3
export const SBI_ERR_DENIED = -4, SBI_ERR_INVALID_ADDRESS = -5, SBI_ERR_ALREADY_AVAILABLE = -6
export const SBI_ERR_ALREADY_STARTED = -7, SBI_ERR_ALREADY_STOPPED = -8

/** an implementation id outside the registered ones (SBI §4.9): "BA0BAB" */
export const BAOBAB_IMPL_ID = 0xba0bab

const reg = (h: RiscvHart, n: number): bigint => (BigInt(h.x[2 * n + 1]!) << 32n) | BigInt(h.x[2 * n]! >>> 0)
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v)
const pair = (lo: number, hi: number): bigint => (BigInt(hi) << 32n) | BigInt(lo >>> 0)

/** result register n (x/a registers) ← v */
const setReg = (h: RiscvHart, n: number, v: bigint): void => setPair(h.x, 2 * n, v)

/**
 * A call as its ecall left the registers (SBI §3): a0..a5 kept as words (their values at the
 * ecall, whatever a handler does to the registers), made BigInts only when a handler reads
 * `args`. Many never do (BASE, HSM stop, a legacy getchar): their VM exit then allocates this
 * object and the results alone.
 */
class EcallCall implements Call {
  readonly conduit = ECALL
  private list: bigint[] | null = null
  // a0..a5 as (low, high) words, in the object itself (one allocation per exit, not two)
  private readonly l0: number; private readonly h0: number
  private readonly l1: number; private readonly h1: number
  private readonly l2: number; private readonly h2: number
  private readonly l3: number; private readonly h3: number
  private readonly l4: number; private readonly h4: number
  private readonly l5: number; private readonly h5: number

  constructor(readonly hv: Hypervisor, readonly vcpu: Vcpu, readonly service: number | string, readonly fn: number, x: Int32Array) {
    this.l0 = x[20]!; this.h0 = x[21]!
    this.l1 = x[22]!; this.h1 = x[23]!
    this.l2 = x[24]!; this.h2 = x[25]!
    this.l3 = x[26]!; this.h3 = x[27]!
    this.l4 = x[28]!; this.h4 = x[29]!
    this.l5 = x[30]!; this.h5 = x[31]!
  }

  /** argument `i`'s low word */
  lo(i: number): number {
    return i === 0 ? this.l0 : i === 1 ? this.l1 : i === 2 ? this.l2 : i === 3 ? this.l3 : i === 4 ? this.l4 : this.l5
  }

  /** argument `i`'s high word */
  hi(i: number): number {
    return i === 0 ? this.h0 : i === 1 ? this.h1 : i === 2 ? this.h2 : i === 3 ? this.h3 : i === 4 ? this.h4 : this.h5
  }

  get args(): readonly bigint[] {
    return this.list ??= [pair(this.l0, this.h0), pair(this.l1, this.h1), pair(this.l2, this.h2),
      pair(this.l3, this.h3), pair(this.l4, this.h4), pair(this.l5, this.h5)]
  }
}

/** argument `i`'s low and high words (signed), straight from an ecall's registers or from `args` */
function argLo(c: Call, i: number): number {
  return c instanceof EcallCall ? c.lo(i) : Number(BigInt.asIntN(32, c.args[i]!))
}
function argHi(c: Call, i: number): number {
  return c instanceof EcallCall ? c.hi(i) : Number(BigInt.asIntN(32, c.args[i]! >> 32n))
}
/** argument `i` as an unsigned 64-bit BigInt (one BigInt made, not six) */
function argU64(c: Call, i: number): bigint {
  return (BigInt(argHi(c, i) >>> 0) << 32n) | BigInt(argLo(c, i) >>> 0)
}

/** Handle the ecall at pc; the caller advances pc. */
export function handleSbi(hyp: RiscvHyp, vcpu: Vcpu, h: RiscvHart): void {
  if (!TRACE_SBI) return sbiCall(hyp, vcpu, h)
  const call = `${vcpu.vm.name} vcpu ${vcpu.id} sbi eid ${hex(reg(h, 17))} fid ${hex(reg(h, 16))} (${[10, 11, 12].map((n) => hex(reg(h, n))).join(', ')})`
  sbiCall(hyp, vcpu, h)
  trace(`${call} -> a0 ${hex(reg(h, 10))} a1 ${hex(reg(h, 11))}`)
}

/** SBI §3: a7 = EID, a6 = FID, a0..a5 arguments; the route's results go to a0, a1, … */
function sbiCall(hyp: RiscvHyp, vcpu: Vcpu, h: RiscvHart): void {
  const eid = h.x[34]! >>> 0, fid = h.x[32]! >>> 0 // a7, a6: the low 32 bits
  const r = hyp.hv.dispatch(new EcallCall(hyp.hv, vcpu, NAMED.get(eid) ?? eid, fid, h.x))
  if (r === null) return // the call switched vCPUs: results went into their registers already
  if (r !== undefined) {
    for (let i = 0; i < r.length; i++) setReg(h, 10 + i, r[i]!)
    return
  }
  hyp.unsupported(vcpu.vm, eid)
  // legacy extensions (EIDs 0x00-0x0F, SBI v2.0 ch. 5) answer in a0 only: a1 is preserved
  if (eid <= 0x0f) return setReg(h, 10, BigInt(SBI_ERR_NOT_SUPPORTED))
  setReg(h, 10, BigInt(SBI_ERR_NOT_SUPPORTED))
  setReg(h, 11, 0n)
}

/** SBI_SUCCESS and the SBI error codes as BigInts, by -code (no BigInt made per call) */
const CODES: readonly bigint[] = [0n, -1n, -2n, -3n, -4n, -5n, -6n, -7n, -8n]
const ret = (error: number, value = 0n): bigint[] => [CODES[-error] ?? BigInt(error), value]
const hypOf = (c: Call): RiscvHyp => c.hv.arch as RiscvHyp

/** The SBI extensions the hypervisor implements itself, as routes the arch plugin registers. */
export const SBI_ROUTES: CallRoute[] = [
  // legacy console (SBI v2.0 ch. 5): a0 only
  { conduit: ECALL, service: EID.LEGACY_PUTCHAR, handler: (c) => { c.vcpu.vm.console.put(argLo(c, 0) & 0xff); return [0n] } },
  {
    conduit: ECALL, service: EID.LEGACY_GETCHAR, handler: (c) => {
      const b = hypOf(c).sbiInput(c.vcpu.vm).shift()
      return [b === undefined ? -1n : BigInt(b)]
    },
  },
  { conduit: ECALL, service: EID.BASE, handler: base },
  {
    conduit: ECALL, service: EID.TIME, handler: (c) => {
      if (c.fn !== 0) return ret(SBI_ERR_NOT_SUPPORTED)
      hypOf(c).setTimer(c.vcpu, argU64(c, 0))
      return ret(SBI_SUCCESS)
    },
  },
  {
    conduit: ECALL, service: EID.IPI, handler: (c) => {
      if (c.fn !== 0) return ret(SBI_ERR_NOT_SUPPORTED)
      const targets = hartMask(c)
      if (!targets) return ret(SBI_ERR_INVALID_PARAM)
      for (const t of targets) hypOf(c).sendIpi(t)
      return ret(SBI_SUCCESS)
    },
  },
  {
    conduit: ECALL, service: EID.RFENCE, handler: (c) => {
      if (c.fn > 6) return ret(SBI_ERR_NOT_SUPPORTED)
      if (c.fn >= 3) return ret(SBI_ERR_NOT_SUPPORTED) // hfence.*: the guest has no H extension
      const targets = hartMask(c)
      if (!targets) return ret(SBI_ERR_INVALID_PARAM)
      for (const t of targets) hypOf(c).remoteFence(t)
      return ret(SBI_SUCCESS)
    },
  },
  { conduit: ECALL, service: EID.HSM, handler: hsm },
  {
    conduit: ECALL, service: EID.SRST, handler: (c) => {
      if (c.fn !== 0) return ret(SBI_ERR_NOT_SUPPORTED)
      const type = u64(c.args[0]!), reason = u64(c.args[1]!)
      if (type > 2n && type < 0xf0000000n) return ret(SBI_ERR_INVALID_PARAM)
      if (reason > 1n && reason < 0xe0000000n) return ret(SBI_ERR_INVALID_PARAM)
      if (type > 2n) return ret(SBI_ERR_NOT_SUPPORTED)
      // the results first: a reset stops the vCPU, whose registers then stay as they are
      hypOf(c).setResults(c.vcpu, ret(SBI_SUCCESS))
      hypOf(c).systemReset(c.vcpu, Number(type))
      return null
    },
  },
  { conduit: ECALL, service: EID.DBCN, handler: dbcn },
]

const SPEC_VERSION = 2n << 24n // v2.0
const IMPL_ID = BigInt(BAOBAB_IMPL_ID)

function base(c: Call): CallResults {
  switch (c.fn) {
    case 0: return ret(SBI_SUCCESS, SPEC_VERSION)
    case 1: return ret(SBI_SUCCESS, IMPL_ID)
    case 2: return ret(SBI_SUCCESS, 1n)
    case 3: { // probe_extension
      const eid = u64(c.args[0]!)
      const served = eid < 2n ** 32n && c.hv.serves(ECALL, NAMED.get(Number(eid)) ?? Number(eid))
      return ret(SBI_SUCCESS, served ? 1n : 0n)
    }
    case 4: case 5: case 6: return ret(SBI_SUCCESS, 0n)
  }
  return ret(SBI_ERR_NOT_SUPPORTED)
}

/**
 * SBI §3: hart_mask (a0) / hart_mask_base (a1) → virtual harts of the caller's VM, or null if
 * invalid. In words: an IPI or a remote fence is a frequent exit of an SMP guest.
 */
function hartMask(c: Call): Vcpu[] | null {
  const vcpus = c.vcpu.vm.vcpus
  const mLo = argLo(c, 0), mHi = argHi(c, 0), bLo = argLo(c, 1), bHi = argHi(c, 1)
  if (bLo === -1 && bHi === -1) return [...vcpus]
  if (mLo === 0 && mHi === 0) return []
  if (bHi !== 0) return null // every id named is >= 2^32
  const b = bLo >>> 0
  const out: Vcpu[] = []
  for (let i = 0; i < 64; i++) {
    if (((i < 32 ? mLo >>> i : mHi >>> (i - 32)) & 1) === 0) continue
    const id = b + i
    if (id >= vcpus.length) return null
    out.push(vcpus[id]!)
  }
  return out
}

/** the caller VM's vCPU whose id argument `i` holds, if there is one */
function vcpuArg(c: Call, i: number): Vcpu | undefined {
  const vcpus = c.vcpu.vm.vcpus, id = argLo(c, i) >>> 0
  return argHi(c, i) === 0 && id < vcpus.length ? vcpus[id] : undefined
}

function hsm(c: Call): CallResults {
  const hyp = hypOf(c)
  const vcpu = c.vcpu
  switch (c.fn) {
    case 0: { // hart_start(hartid, start_addr, opaque)
      const t = vcpuArg(c, 0)
      if (!t) return ret(SBI_ERR_INVALID_PARAM)
      if (t.state === 'running') return ret(SBI_ERR_ALREADY_AVAILABLE)
      const a = c.args
      if (!hyp.isRam(vcpu.vm, a[1]!)) return ret(SBI_ERR_INVALID_ADDRESS)
      hyp.startVcpu(t, a[1]!, [u64(a[0]!), a[2]!])
      return ret(SBI_SUCCESS)
    }
    case 1: // hart_stop: does not return
      hyp.setResults(vcpu, ret(SBI_SUCCESS))
      hyp.stopVcpu(vcpu)
      return null
    case 2: {
      const t = vcpuArg(c, 0)
      if (!t) return ret(SBI_ERR_INVALID_PARAM)
      return ret(SBI_SUCCESS, t.state === 'running' ? 0n : 1n)
    }
    case 3: { // hart_suspend(type, resume_addr, opaque): retentive only
      const type = argLo(c, 0) >>> 0
      if (type === 0) {
        hyp.suspend(vcpu)
        return ret(SBI_SUCCESS)
      }
      if (type === 0x80000000) return ret(SBI_ERR_NOT_SUPPORTED)
      return ret(SBI_ERR_INVALID_PARAM)
    }
  }
  return ret(SBI_ERR_NOT_SUPPORTED)
}

/** the most one DBCN call moves (1 MiB) */
const DBCN_MAX = 1 << 20

/**
 * SBI ch. 12: write (fn 0) or read (fn 1) a0 = num_bytes at a1 | a2 << 64, or write the byte
 * a0 (fn 2). In words: a guest polling its console makes one read per idle loop.
 */
function dbcn(c: Call): CallResults {
  const hyp = hypOf(c)
  const vm = c.vcpu.vm
  if (c.fn === 2) { // console_write_byte
    vm.console.put(argLo(c, 0) & 0xff)
    return ret(SBI_SUCCESS)
  }
  if (c.fn !== 0 && c.fn !== 1) return ret(SBI_ERR_NOT_SUPPORTED)
  const nLo = argLo(c, 0) >>> 0, nHi = argHi(c, 0)
  if (nLo === 0 && nHi === 0) return ret(SBI_SUCCESS, 0n)
  // the range must lie below 2^53 (a2 = 0, a1 < 2^53) and hold at most DBCN_MAX bytes
  const aLo = argLo(c, 1) >>> 0, aHi = argHi(c, 1) >>> 0
  if (nHi !== 0 || nLo > DBCN_MAX || argLo(c, 2) !== 0 || argHi(c, 2) !== 0 || aHi >= 0x200000) return ret(SBI_ERR_INVALID_PARAM)
  const n = nLo, addr = aHi * 4294967296 + aLo
  if (addr > 2 ** 53 - n) return ret(SBI_ERR_INVALID_PARAM)
  const bytes = hyp.guestRange(vm, addr, n)
  if (!bytes) return ret(SBI_ERR_INVALID_PARAM)
  if (c.fn === 0) {
    for (const b of hyp.readGuest(bytes)) vm.console.put(b)
    return ret(SBI_SUCCESS, BigInt(n))
  }
  const input = hyp.sbiInput(vm)
  // a guest polling its console reads nothing most times: that exit copies nothing
  if (input.length === 0) return ret(SBI_SUCCESS, 0n)
  const take = input.splice(0, n)
  hyp.writeGuest(bytes, Uint8Array.from(take))
  return ret(SBI_SUCCESS, BigInt(take.length))
}
