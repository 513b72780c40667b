// Destroy vm2 and create it again from a VM config object, ten times; each new vm2 must greet.
//
//   node bin/baobab.js script scripts/create-destroy-loop.js --config configs/two-vms.json
//
// The VM config has the fields of a config file's vms[] entry. Its image path is relative to the
// config file the machine was booted from (configs/), as it would be inside that file.
const VM2 = {
  name: 'vm2',
  image: { path: '../guests/images/riscv64-vm/demo-0x84200000.bin', baseAddr: '0x84200000' },
  cpuNum: 1,
  cpuAffinity: '0x2',
  regions: [{ base: '0x84200000', size: '64M' }],
}
const ROUNDS = 10
const GREETING = 'hello from vm2'

// waitFor runs virtual time until the text shows up (false after `ms` of virtual time)
if (!vm('vm2').console.waitFor(GREETING, { ms: 100 })) throw new Error('vm2 did not boot')

for (let round = 1; round <= ROUNDS; round++) {
  hv.destroy('vm2')
  const info = hv.create(VM2)
  if (!vm(info.id).console.waitFor(GREETING, { ms: 100 })) {
    throw new Error(`round ${round}: the new vm2 (VM ${info.id}) did not greet`)
  }
  console.log(`round ${round}: vm2 is VM ${info.id} on pCPU ${info.pcpus.join(',')}, greeted`)
}

const left = hv.vms().map((v) => `${v.name} (${v.state})`).join(', ')
console.log(`after ${ROUNDS} rounds: ${left}; virtual time ${stats().virtualMs.toFixed(1)} ms`)
