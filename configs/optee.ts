// A real OP-TEE as the per-VM TEE (README "Checking against a real OP-TEE"): CROSSCON's RISC-V
// OP-TEE OS 3.20 (crosscon/optee_os, branch crosscon, PLATFORM=virt), built by you, as the
// type-1 TEE VM, with our optee-check program as its GPOS. The shape is CROSSCON's single-vTEE
// demo config (riscv64-ws/configs/qemu-virt-riscv64-single-vTEE): OP-TEE at 0xb0000000 in a
// 15 MiB region with the UART page, the GPOS at 0x91600000 in 0x91200000 + 0x7d00000 and a second
// region above the shared memory, a 64 KiB UART window and its interrupt 10, and shared memory 0
// (2 MiB, the address OP-TEE is built with) at 0x98f00000 in both. The UART is one device in all
// VMs, as on CROSSCON, so each prints on it.
//
// With a second OP-TEE (the same tree built with -DOPTEE2 for 0xb2000000 and shared memory at
// 0x99100000) it is the dual-vTEE demo's shape instead (riscv64-ws/configs/qemu-virt-riscv64-dual-vTEE):
// that OP-TEE is the GPOS's type-2 child, shared memory 1 at 0x99100000 in both, the GPOS's second
// region moved above it.
//
// The OP-TEE images are not part of baobab: name them with BAOBAB_OPTEE_IMAGE (and optionally
// BAOBAB_OPTEE2_IMAGE), each a core/tee.bin.
//   BAOBAB_OPTEE_IMAGE=/path/to/out/core/tee.bin baobab run configs/optee.ts --until 'gpos: done'
import { defineConfig, type VmInput } from '../core/hypervisor/define-config.ts'

const image = process.env.BAOBAB_OPTEE_IMAGE
const image2 = process.env.BAOBAB_OPTEE2_IMAGE
if (!image) throw new Error('set BAOBAB_OPTEE_IMAGE to an OP-TEE tee.bin (README "Checking against a real OP-TEE")')

const shm0 = { base: 0x98f0_0000, size: '2M', shmemId: 0 }
const shm1 = { base: 0x9910_0000, size: '2M', shmemId: 1 }
const uartPage = { pa: 0x1000_0000, va: 0x1000_0000, size: 0x1000, shared: true }

/** an OP-TEE VM as CROSSCON's demos place one: image and entry at `base`, a 15 MiB region, its shared memory, the UART page */
const opteeVm = (name: string, type: 'tee-parent' | 'tee-child', path: string, base: number, ipc: typeof shm0): VmInput => ({
  name,
  type,
  image: { path, baseAddr: base },
  entry: base,
  cpuNum: 1,
  regions: [{ base, size: 0xf0_0000 }],
  ipcs: [ipc],
  devs: [uartPage],
})

const optee2: VmInput[] = image2 ? [opteeVm('optee2', 'tee-child', image2, 0xb200_0000, shm1)] : []

export default defineConfig({
  board: 'qemu-virt-riscv64',
  features: ['tee'],
  shmem: image2 ? [{ size: '2M' }, { size: '2M' }] : [{ size: '2M' }],
  vms: [
    {
      ...opteeVm('optee', 'tee-parent', image, 0xb000_0000, shm0),
      children: [
        {
          name: 'gpos',
          type: 'gpos',
          image: { path: '../guests/images/riscv64-vm/optee-check-0x91600000.bin', baseAddr: 0x9160_0000 },
          entry: 0x9160_0000,
          cpuNum: 1,
          regions: [
            { base: 0x9120_0000, size: 0x7d0_0000 },
            image2 ? { base: 0x9930_0000, size: 0x16d0_0000 } : { base: 0x9910_0000, size: 0x16f0_0000 },
          ],
          ipcs: image2 ? [shm0, shm1] : [shm0],
          devs: [{ pa: 0x1000_0000, va: 0x1000_0000, size: 0x1_0000, interrupts: [10], shared: true }],
          children: optee2,
        },
      ],
    },
  ],
})
