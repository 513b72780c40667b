/**
 * The SBI the hypervisor offers its VS-mode guests (SBI v2.0): BASE, TIME, IPI, RFENCE, HSM,
 * SRST, DBCN and the legacy console, plus Bao's hypercall extension. Every call is answered
 * with an SBI error code or its defined effect; nothing a guest passes can throw out of here.
 */
import type { Vcpu } from '../../../core/hypervisor/vm.ts'
import type { RiscvHart } from '../hart.ts'
import type { RiscvHyp } from './riscv-hyp.ts'
import { hex, trace, TRACE_SBI } from '../trace.ts'

export const EID = {
  LEGACY_PUTCHAR: 0x01, LEGACY_GETCHAR: 0x02, BASE: 0x10, TIME: 0x54494d45, IPI: 0x735049,
  RFENCE: 0x52464e43, HSM: 0x48534d, SRST: 0x53525354, DBCN: 0x4442434e, BAO: 0x08000ba0,
} as const

export const SBI_SUCCESS = 0, SBI_ERR_FAILED = -1, SBI_ERR_NOT_SUPPORTED = -2, SBI_ERR_INVALID_PARAM = -3
export const SBI_ERR_DENIED = -4, SBI_ERR_INVALID_ADDRESS = -5, SBI_ERR_ALREADY_AVAILABLE = -6
export const SBI_ERR_ALREADY_STARTED = -7, SBI_ERR_ALREADY_STOPPED = -8

/** an implementation id outside the registered ones (SBI §4.9): "BA0BAB" */
export const BAOBAB_IMPL_ID = 0xba0bab
const SUPPORTED: number[] = [EID.LEGACY_PUTCHAR, EID.LEGACY_GETCHAR, EID.BASE, EID.TIME, EID.IPI, EID.RFENCE, EID.HSM, EID.SRST, EID.DBCN, EID.BAO]

const reg = (h: RiscvHart, n: number): bigint => (BigInt(h.x[2 * n + 1]!) << 32n) | BigInt(h.x[2 * n]! >>> 0)
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v)

function setReg(h: RiscvHart, n: number, v: bigint): void {
  h.x[2 * n] = Number(BigInt.asIntN(32, v))
  h.x[2 * n + 1] = Number(BigInt.asIntN(32, v >> 32n))
}

/** Handle the ecall at pc; the caller advances pc. `legacy` calls return only a0. */
export function handleSbi(hyp: RiscvHyp, vcpu: Vcpu, h: RiscvHart): void {
  if (!TRACE_SBI) return sbiCall(hyp, vcpu, h)
  const call = `${vcpu.vm.name} vcpu ${vcpu.id} sbi eid ${hex(reg(h, 17))} fid ${hex(reg(h, 16))} (${[10, 11, 12].map((n) => hex(reg(h, n))).join(', ')})`
  sbiCall(hyp, vcpu, h)
  trace(`${call} -> a0 ${hex(reg(h, 10))} a1 ${hex(reg(h, 11))}`)
}

function sbiCall(hyp: RiscvHyp, vcpu: Vcpu, h: RiscvHart): void {
  const eid = Number(u64(reg(h, 17)) & 0xffffffffn)
  const fid = Number(u64(reg(h, 16)) & 0xffffffffn)
  const a = [10, 11, 12, 13, 14, 15].map((n) => reg(h, n))
  const ret = (error: number, value: bigint = 0n): void => {
    setReg(h, 10, BigInt(error))
    setReg(h, 11, value)
  }
  const vm = vcpu.vm
  switch (eid) {
    case EID.LEGACY_PUTCHAR:
      vm.console.put(Number(a[0]! & 0xffn))
      setReg(h, 10, 0n)
      return
    case EID.LEGACY_GETCHAR: {
      const b = hyp.sbiInput(vm).shift()
      setReg(h, 10, b === undefined ? -1n : BigInt(b))
      return
    }
    case EID.BASE:
      switch (fid) {
        case 0: return ret(SBI_SUCCESS, 2n << 24n) // v2.0
        case 1: return ret(SBI_SUCCESS, BigInt(BAOBAB_IMPL_ID))
        case 2: return ret(SBI_SUCCESS, 1n)
        case 3: return ret(SBI_SUCCESS, SUPPORTED.includes(Number(u64(a[0]!) & 0xffffffffn)) && u64(a[0]!) < 2n ** 32n ? 1n : 0n)
        case 4: case 5: case 6: return ret(SBI_SUCCESS, 0n)
      }
      return ret(SBI_ERR_NOT_SUPPORTED)
    case EID.TIME:
      if (fid !== 0) return ret(SBI_ERR_NOT_SUPPORTED)
      hyp.setTimer(vcpu, u64(a[0]!))
      return ret(SBI_SUCCESS)
    case EID.IPI: {
      if (fid !== 0) return ret(SBI_ERR_NOT_SUPPORTED)
      const targets = hartMask(vcpu, a[0]!, a[1]!)
      if (!targets) return ret(SBI_ERR_INVALID_PARAM)
      for (const t of targets) hyp.sendIpi(t)
      return ret(SBI_SUCCESS)
    }
    case EID.RFENCE: {
      if (fid > 6) return ret(SBI_ERR_NOT_SUPPORTED)
      if (fid >= 3) return ret(SBI_ERR_NOT_SUPPORTED) // hfence.*: the guest has no H extension
      const targets = hartMask(vcpu, a[0]!, a[1]!)
      if (!targets) return ret(SBI_ERR_INVALID_PARAM)
      for (const t of targets) hyp.remoteFence(t)
      return ret(SBI_SUCCESS)
    }
    case EID.HSM: return hsm(hyp, vcpu, h, fid, a, ret)
    case EID.SRST: {
      if (fid !== 0) return ret(SBI_ERR_NOT_SUPPORTED)
      const type = u64(a[0]!), reason = u64(a[1]!)
      if (type > 2n && type < 0xf0000000n) return ret(SBI_ERR_INVALID_PARAM)
      if (reason > 1n && reason < 0xe0000000n) return ret(SBI_ERR_INVALID_PARAM)
      if (type > 2n) return ret(SBI_ERR_NOT_SUPPORTED)
      ret(SBI_SUCCESS)
      hyp.systemReset(vcpu, Number(type))
      return
    }
    case EID.DBCN: return dbcn(hyp, vcpu, fid, a, ret)
    case EID.BAO: {
      // a6 = (class << 16) | function; class 0 is Bao's own (1 = IPC notify)
      const cls = fid >>> 16, fn = fid & 0xffff
      const r = hyp.hypercall(vcpu, cls, fn, a)
      if (r.switched) return // results went into the vCPUs' registers already
      return ret(r.error, r.value)
    }
  }
  hyp.unsupported(vm, eid)
  // legacy extensions (EIDs 0x00-0x0F, SBI v2.0 ch. 5) answer in a0 only: a1 is preserved
  if (eid <= 0x0f) return setReg(h, 10, BigInt(SBI_ERR_NOT_SUPPORTED))
  ret(SBI_ERR_NOT_SUPPORTED)
}

/** SBI §3: hart_mask / hart_mask_base → virtual harts of the caller's VM, or null if invalid */
function hartMask(vcpu: Vcpu, mask: bigint, base: bigint): Vcpu[] | null {
  const vcpus = vcpu.vm.vcpus
  if (u64(base) === u64(-1n)) return [...vcpus]
  const b = u64(base)
  const m = u64(mask)
  const out: Vcpu[] = []
  for (let i = 0n; i < 64n; i++) {
    if (!((m >> i) & 1n)) continue
    const id = b + i
    if (id >= BigInt(vcpus.length)) return null
    out.push(vcpus[Number(id)]!)
  }
  return out
}

function hsm(hyp: RiscvHyp, vcpu: Vcpu, h: RiscvHart, fid: number, a: bigint[], ret: (e: number, v?: bigint) => void): void {
  const vcpus = vcpu.vm.vcpus
  const target = (v: bigint): Vcpu | undefined => (u64(v) < BigInt(vcpus.length) ? vcpus[Number(u64(v))] : undefined)
  switch (fid) {
    case 0: { // hart_start(hartid, start_addr, opaque)
      const t = target(a[0]!)
      if (!t) return ret(SBI_ERR_INVALID_PARAM)
      if (t.state === 'running') return ret(SBI_ERR_ALREADY_AVAILABLE)
      if (!hyp.isRam(vcpu.vm, a[1]!)) return ret(SBI_ERR_INVALID_ADDRESS)
      hyp.startVcpu(t, a[1]!, [u64(a[0]!), a[2]!])
      return ret(SBI_SUCCESS)
    }
    case 1: // hart_stop: does not return
      ret(SBI_SUCCESS)
      hyp.stopVcpu(vcpu)
      return
    case 2: {
      const t = target(a[0]!)
      if (!t) return ret(SBI_ERR_INVALID_PARAM)
      return ret(SBI_SUCCESS, t.state === 'running' ? 0n : 1n)
    }
    case 3: { // hart_suspend(type, resume_addr, opaque): retentive only
      const type = u64(a[0]!) & 0xffffffffn
      if (type === 0n) {
        ret(SBI_SUCCESS)
        hyp.suspend(h)
        return
      }
      if (type === 0x80000000n) return ret(SBI_ERR_NOT_SUPPORTED)
      return ret(SBI_ERR_INVALID_PARAM)
    }
  }
  ret(SBI_ERR_NOT_SUPPORTED)
}

function dbcn(hyp: RiscvHyp, vcpu: Vcpu, fid: number, a: bigint[], ret: (e: number, v?: bigint) => void): void {
  const vm = vcpu.vm
  if (fid === 2) { // console_write_byte
    vm.console.put(Number(a[0]! & 0xffn))
    return ret(SBI_SUCCESS)
  }
  if (fid !== 0 && fid !== 1) return ret(SBI_ERR_NOT_SUPPORTED)
  const n = u64(a[0]!)
  const addr = u64(a[1]!) | (u64(a[2]!) << 64n)
  if (n === 0n) return ret(SBI_SUCCESS, 0n)
  if (n > 1n << 20n || addr + n > 2n ** 53n) return ret(SBI_ERR_INVALID_PARAM)
  const bytes = hyp.guestRange(vm, Number(addr), Number(n))
  if (!bytes) return ret(SBI_ERR_INVALID_PARAM)
  if (fid === 0) {
    for (const b of hyp.readGuest(bytes)) vm.console.put(b)
    return ret(SBI_SUCCESS, n)
  }
  const input = hyp.sbiInput(vm)
  const take = input.splice(0, Number(n))
  hyp.writeGuest(bytes, Uint8Array.from(take))
  return ret(SBI_SUCCESS, BigInt(take.length))
}
