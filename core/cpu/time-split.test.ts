import { describe, expect, it } from 'vitest'
import { split } from './time-split.ts'

const roles = { interpreter: ['execute.ts:exec', 'hart.ts:run'], translator: ['wasm-tier.ts:translatePage'] }
const frame = (functionName: string, url = '') => ({ functionName, url })

/** root → run → exec → {wasm, translatePage → Module, loadSlow}; root → GC, idle */
function profile(ext: string) {
  const nodes = [
    { id: 1, callFrame: frame('(root)'), children: [2, 8, 9] },
    { id: 2, callFrame: frame('run', `file:///p/hart.${ext}`), children: [3] },
    { id: 3, callFrame: frame('exec', `file:///p/execute.${ext}`), children: [4, 5, 7] },
    { id: 4, callFrame: frame('wasm-function[1]', 'wasm://wasm/1a2b'), children: [] },
    { id: 5, callFrame: frame('translatePage', `file:///p/wasm-tier.${ext}`), children: [6] },
    { id: 6, callFrame: frame('Module'), children: [] },
    { id: 7, callFrame: frame('loadSlow', `file:///p/memory.${ext}`), children: [] },
    { id: 8, callFrame: frame('(garbage collector)'), children: [] },
    { id: 9, callFrame: frame('(idle)'), children: [] },
  ]
  // each sample 1 ms: wasm ×5, exec ×2, Module ×2, translatePage ×1, loadSlow ×1, GC ×1, idle ×10
  const samples = [4, 4, 4, 4, 4, 3, 3, 6, 6, 5, 7, 8, ...Array(10).fill(9)]
  return { nodes, samples, timeDeltas: samples.map(() => 1000) }
}

describe('the --stats time split', () => {
  for (const ext of ['ts', 'js']) {
    it(`puts each sample in its bin, idle left out (${ext} files)`, () => {
      const s = split(profile(ext), roles)
      expect(s.totalMs).toBe(12)
      expect(s.translated).toBe(5)
      expect(s.interpreter).toBe(2)
      expect(s.translating).toBe(3) // V8 compiling under the translator counts as translating
      expect(s.gc).toBe(1)
      expect(s.other).toBe(1) // a slow path called from the loop is not the interpreter
    })
  }
})
