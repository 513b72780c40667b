// Type into vm1's console and wait until the guest has echoed every key back.
//
//   node bin/baobab.js script scripts/type-and-wait.js --config configs/two-vms.json
//
// The demo guest prints "echo ready" once it takes input, then "echo: <c>" for each byte.
const TEXT = 'baobab'
const con = vm('vm1').console

if (!con.waitFor('echo ready', { ms: 200 })) throw new Error('vm1 never said "echo ready"')

// one regular expression for the whole echo, so a fast guest cannot echo past a per-key wait
const quote = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const echo = new RegExp([...TEXT].map((c) => `echo: ${quote(c)}\\n`).join(''))

const t0 = stats().virtualMs
con.write(TEXT)
if (!con.waitFor(echo, { ms: 100 })) {
  throw new Error(`no echo of "${TEXT}"; vm1 printed:\n${con.read().split('\n').slice(-8).join('\n')}`)
}
console.log(`typed "${TEXT}" into vm1; echoed after ${(stats().virtualMs - t0).toFixed(3)} ms of virtual time`)
