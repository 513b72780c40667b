/*
 * configs/two-vms.json as a CROSSCON config: two bare-metal demo guests side by side on
 * qemu-virt-riscv64, one hart each, both at guest address 0x80200000 (their pages come from the
 * hypervisor's pools). vm1 owns the UART and its PLIC source 10; vm2 has no device and prints
 * through SBI DBCN.
 *
 *   baobab config import configs/bao/two-vms.c -o two-vms.json
 */
#include <config.h>

VM_IMAGE(vm1_image, "../../guests/images/riscv64-vm/demo-0x80200000.bin");
VM_IMAGE(vm2_image, "../../guests/images/riscv64-vm/demo-0x80200000.bin");

struct vm_config vm1 = {
    .image = {
        .base_addr = 0x80200000,
        .load_addr = VM_IMAGE_OFFSET(vm1_image),
        .size = VM_IMAGE_SIZE(vm1_image)
    },

    .entry = 0x80200000,
    .cpu_affinity = 0x1,

    .platform = {
        .cpu_num = 1,

        .region_num = 1,
        .regions = (struct mem_region[]) {
            {
                .base = 0x80200000,
                .size = 0x4000000
            },
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

struct vm_config vm2 = {
    .image = {
        .base_addr = 0x80200000,
        .load_addr = VM_IMAGE_OFFSET(vm2_image),
        .size = VM_IMAGE_SIZE(vm2_image)
    },

    .entry = 0x80200000,
    .cpu_affinity = 0x2,

    .platform = {
        .cpu_num = 1,

        .region_num = 1,
        .regions = (struct mem_region[]) {
            {
                .base = 0x80200000,
                .size = 0x4000000
            },
        },

        .arch = {
            .plic_base = 0xc000000,
        }
    },
};

struct config config = {

    CONFIG_HEADER

    .vmlist_size = 2,
    .vmlist = {
        &vm1,
        &vm2,
    }
};
