// Call hv.hypercall 10,000 times and report calls per second (wall clock), then stats().
//
//   node bin/baobab.js script scripts/hammer-hypercall.js --config configs/two-vms.json
//
// The call is SBI base (EID 0x10) get_spec_version (FID 0), made as vCPU 0 of vm2 would make it:
// it goes through the same SBI dispatch as the guest's own ecall.
const N = 10_000
const SBI_BASE = 0x10

let last
const t0 = Date.now()
for (let i = 0; i < N; i++) last = hv.hypercall('vm2', 0, SBI_BASE, 0)
const ms = Math.max(1, Date.now() - t0)

if (last.error !== 0n) throw new Error(`get_spec_version returned error ${last.error}`)
console.log(`${N} hypercalls in ${ms} ms: ${Math.round((N / ms) * 1000)} calls/s`)
console.log(`SBI spec version ${last.value >> 24n}.${last.value & 0xffffffn}`)
console.log(stats())
