/*
 * configs/aarch64/two-vms.json as a CROSSCON config: two demo VMs on qemu-virt-aarch64, two vCPUs
 * each on their own pCPUs (0-1 and 2-3), both at guest address 0x50000000, each with the virtual
 * timer's PPI 27 (an interrupt-only dev_region) and the vGIC at the board's GICv2 addresses;
 * vm1 notifies vm2 over a 64 KiB shared-memory object (SPI 20, INTID 52).
 *
 * Not expressible here: vm2's console. two-vms.json gives it an emulated PL011 at 0x09000000
 * ("emulate"), a baobab device with no CROSSCON equivalent (a dev_region is always
 * pass-through), so this config leaves it out.
 *
 *   baobab config import configs/bao/aarch64/two-vms.c -o two-vms.json
 */
#include <config.h>

VM_IMAGE(vm1_image, "../../../guests/images/aarch64-vm/demo-0x50000000.bin");
VM_IMAGE(vm2_image, "../../../guests/images/aarch64-vm/demo-0x50000000.bin");

struct vm_config vm1 = {
    .image = {
        .base_addr = 0x50000000,
        .load_addr = VM_IMAGE_OFFSET(vm1_image),
        .size = VM_IMAGE_SIZE(vm1_image)
    },

    .entry = 0x50000000,
    .cpu_affinity = 0x3,

    .platform = {
        .cpu_num = 2,

        .region_num = 1,
        .regions = (struct mem_region[]) {
            {
                .base = 0x50000000,
                .size = 0x4000000
            }
        },

        .dev_num = 2,
        .devs = (struct dev_region[]) {
            {
                /* PL011 UART0 */
                .pa = 0x9000000,
                .va = 0x9000000,
                .size = 0x1000,
                .interrupt_num = 1,
                .interrupts = (irqid_t[]) {33}
            },
            {
                /* virtual timer */
                .interrupt_num = 1,
                .interrupts = (irqid_t[]) {27}
            },
        },

        .ipc_num = 1,
        .ipcs = (struct ipc[]) {
            {
                .base = 0xf0000000,
                .size = 0x10000,
                .shmem_id = 0,
                .interrupt_num = 1,
                .interrupts = (irqid_t[]) {52}
            }
        },

        .arch = {
            .gic = {
                .gicd_addr = 0x8000000,
                .gicc_addr = 0x8010000,
            }
        }
    },
};

struct vm_config vm2 = {
    .image = {
        .base_addr = 0x50000000,
        .load_addr = VM_IMAGE_OFFSET(vm2_image),
        .size = VM_IMAGE_SIZE(vm2_image)
    },

    .entry = 0x50000000,
    .cpu_affinity = 0xc,

    .platform = {
        .cpu_num = 2,

        .region_num = 1,
        .regions = (struct mem_region[]) {
            {
                .base = 0x50000000,
                .size = 0x4000000
            }
        },

        /* two-vms.json's emulated PL011 at 0x09000000 (INTID 33) has no dev_region form */
        .dev_num = 1,
        .devs = (struct dev_region[]) {
            {
                /* virtual timer */
                .interrupt_num = 1,
                .interrupts = (irqid_t[]) {27}
            },
        },

        .ipc_num = 1,
        .ipcs = (struct ipc[]) {
            {
                .base = 0xf0000000,
                .size = 0x10000,
                .shmem_id = 0,
                .interrupt_num = 1,
                .interrupts = (irqid_t[]) {52}
            }
        },

        .arch = {
            .gic = {
                .gicd_addr = 0x8000000,
                .gicc_addr = 0x8010000,
            }
        }
    },
};

struct config config = {

    CONFIG_HEADER

    .shmemlist_size = 1,
    .shmemlist = (struct shmem[]) {
        [0] = { .size = 0x10000, },
    },

    .vmlist_size = 2,
    .vmlist = {
        &vm1,
        &vm2,
    }
};
