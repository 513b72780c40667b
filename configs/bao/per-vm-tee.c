/*
 * configs/per-vm-tee.json as a CROSSCON config: two OP-TEE/GPOS pairs on qemu-virt-riscv64, one
 * per hart. Each trusted OS is the root VM (type 1, "TEE parent") and its GPOS is its VM-stack
 * child (type 0) on the same hart; each pair shares its own 2 MiB object at 0x98f00000. The
 * second pair uses the first one's guest addresses, its memory placed at fixed host addresses
 * (place_phys). Both pairs run the same two images.
 *
 * VM names are C names: optee_a, gpos_a, ... where per-vm-tee.json says optee-a, gpos-a.
 *
 *   baobab config import configs/bao/per-vm-tee.c -o per-vm-tee.json
 */
#include <config.h>

VM_IMAGE(optee_image, "../../guests/images/riscv64-vm/tee-os-0xb0000000.bin");
VM_IMAGE(gpos_image, "../../guests/images/riscv64-vm/tee-client-0x91600000.bin");

struct vm_config gpos_a = {
    .image = {
        .base_addr = 0x91600000,
        .load_addr = VM_IMAGE_OFFSET(gpos_image),
        .size = VM_IMAGE_SIZE(gpos_image)
    },

    .entry = 0x91600000,

    .type = 0,

    .platform = {
        .cpu_num = 1,

        .region_num = 1,
        .regions = (struct mem_region[]) {
            {
                .base = 0x91200000,
                .size = 0x7d00000
            },
        },

        .ipc_num = 1,
        .ipcs = (struct ipc[]) {
            {
                .base = 0x98f00000,
                .size = 0x200000,
                .shmem_id = 0,
            }
        },

        .dev_num = 1,
        .devs = (struct dev_region[]) {
            {
                /* UART0 */
                .pa = 0x10000000,
                .va = 0x10000000,
                .size = 0x1000,
                .interrupt_num = 1,
                .interrupts = (irqid_t[]) {10}
            },
        },

        .arch = {
            .plic_base = 0xc000000,
        }
    },
};

struct vm_config optee_a = {
    .image = {
        .base_addr = 0xb0000000,
        .load_addr = VM_IMAGE_OFFSET(optee_image),
        .size = VM_IMAGE_SIZE(optee_image)
    },

    .entry = 0xb0000000,
    .cpu_affinity = 0x1,

    .type = 1,

    .children_num = 1,
    .children = (struct vm_config*[]) { &gpos_a },

    .platform = {
        .cpu_num = 1,

        .region_num = 1,
        .regions = (struct mem_region[]) {
            {
                .base = 0xb0000000,
                .size = 0xf00000
            },
        },

        .ipc_num = 1,
        .ipcs = (struct ipc[]) {
            {
                .base = 0x98f00000,
                .size = 0x200000,
                .shmem_id = 0,
            }
        },

        .arch = {
            .plic_base = 0xc000000,
        }
    },
};

struct vm_config gpos_b = {
    .image = {
        .base_addr = 0x91600000,
        .load_addr = VM_IMAGE_OFFSET(gpos_image),
        .size = VM_IMAGE_SIZE(gpos_image)
    },

    .entry = 0x91600000,

    .type = 0,

    .platform = {
        .cpu_num = 1,

        .region_num = 1,
        .regions = (struct mem_region[]) {
            {
                .base = 0x91200000,
                .size = 0x7d00000,
                .place_phys = true,
                .phys = 0xa1200000
            },
        },

        .ipc_num = 1,
        .ipcs = (struct ipc[]) {
            {
                .base = 0x98f00000,
                .size = 0x200000,
                .shmem_id = 1,
            }
        },

        .dev_num = 1,
        .devs = (struct dev_region[]) {
            {
                /* UART1 */
                .pa = 0x10001000,
                .va = 0x10001000,
                .size = 0x1000,
                .interrupt_num = 1,
                .interrupts = (irqid_t[]) {12}
            },
        },

        .arch = {
            .plic_base = 0xc000000,
        }
    },
};

struct vm_config optee_b = {
    .image = {
        .base_addr = 0xb0000000,
        .load_addr = VM_IMAGE_OFFSET(optee_image),
        .size = VM_IMAGE_SIZE(optee_image)
    },

    .entry = 0xb0000000,
    .cpu_affinity = 0x2,

    .type = 1,

    .children_num = 1,
    .children = (struct vm_config*[]) { &gpos_b },

    .platform = {
        .cpu_num = 1,

        .region_num = 1,
        .regions = (struct mem_region[]) {
            {
                .base = 0xb0000000,
                .size = 0xf00000,
                .place_phys = true,
                .phys = 0xb1000000
            },
        },

        .ipc_num = 1,
        .ipcs = (struct ipc[]) {
            {
                .base = 0x98f00000,
                .size = 0x200000,
                .shmem_id = 1,
            }
        },

        .arch = {
            .plic_base = 0xc000000,
        }
    },
};

struct config config = {

    CONFIG_HEADER

    .shmemlist_size = 2,
    .shmemlist = (struct shmem[]) {
        [0] = { .size = 0x200000, },
        [1] = { .size = 0x200000, },
    },

    .vmlist_size = 2,
    .vmlist = {
        &optee_a,
        &optee_b,
    }
};
