/**
 * The public API's VM-stack helpers (`hv.child.*`): create, invoke and destroy a child on behalf
 * of a running VM, exactly as its guest would through the hypercalls — and `disasm`.
 */
import { describe, expect, it } from 'vitest'
import { Workbench } from '../core/api.ts'

const CONFIG = 'test/fixtures/configs/dynamic-vm-idle.json'
const CHILD = {
  name: 'child',
  type: 'enclave',
  image: { path: '../../../guests/images/riscv64-vm/vmstack-child-0x90000000.bin', baseAddr: '0x90000000' },
  entry: '0x90000000',
  cpuNum: 1,
  regions: [{ base: '0x90000000', size: '256K' }, { base: '0x90100000', size: '64K' }],
}

describe('hv.child: VM-stack on behalf of a VM', () => {
  it('creates a child from a config object, invokes it (the child yields a value), destroys it, and the parent gets everything back', async () => {
    const wb = await Workbench.open({ config: CONFIG })
    wb.run(5)
    const hv = wb.hypervisor!
    const parent = hv.vms[0]!
    const mapBefore = JSON.stringify(parent.stage2.entries.map((e) => [e.gpa, e.size, e.pa, e.kind]))
    const freeBefore = JSON.stringify(hv.phys.ranges())
    const id = wb.hv.child.create(parent.id, CHILD as never)
    expect(wb.hv.vms().find((v) => v.id === id)).toMatchObject({ parent: parent.id, state: 'running' })
    expect(wb.hv.vms().find((v) => v.id === parent.id)!.children).toContain(id)
    wb.hv.child.invoke(parent.id, id, 3)
    wb.run(2)
    // the child printed on its own console and yielded: the parent's invoke returned reason 2 (yielded)
    expect(wb.vm(id).console.read()).toContain('child: invoked with arg 3')
    expect(wb.vm(parent.id).regs().x[10]).toBe(2n)
    expect(wb.hv.child.destroy(parent.id, id).error).toBe(0n)
    expect(JSON.stringify(parent.stage2.entries.map((e) => [e.gpa, e.size, e.pa, e.kind]))).toBe(mapBefore)
    expect(JSON.stringify(hv.phys.ranges())).toBe(freeBefore)
  })

  it('a child cannot be destroyed around its parent (hv.destroy refuses it)', async () => {
    const wb = await Workbench.open({ config: CONFIG })
    const id = wb.hv.child.create(1, CHILD as never)
    expect(() => wb.hv.destroy(id)).toThrow(/child of/)
  })

  it('disassembles guest memory', async () => {
    const wb = await Workbench.open({ config: CONFIG })
    const lines = wb.vm(1).disasm(0x80200000, 3)
    expect(lines).toHaveLength(3)
    expect(lines[0]).toMatch(/^80200000: \S+/)
  })
})

describe('a parent going away takes its children with it', () => {
  it('destroying a parent from the REPL destroys its live child and returns the child\'s extra memory to the pool', async () => {
    const wb = await Workbench.open({ config: CONFIG })
    const hv = wb.hypervisor!
    const freeBefore = hv.phys.freeBytes
    const parentBytes = hv.ownedPieces(hv.vms.find((v) => v.id === 1)!).reduce((n, p) => n + p.size, 0)
    const id = wb.hv.child.create(1, CHILD as never)
    expect(hv.phys.freeBytes).toBeLessThan(freeBefore) // region 1 came from the pool
    wb.hv.destroy(1)
    expect(wb.hv.vms().map((v) => v.id)).not.toContain(id)
    // the child's extra region and the parent's own pages are back
    expect(parentBytes).toBeGreaterThan(0)
    expect(hv.phys.freeBytes).toBe(freeBefore + parentBytes)
  })
})
