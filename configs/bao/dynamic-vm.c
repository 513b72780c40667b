/*
 * configs/dynamic-vm.json as a CROSSCON config: one VM-stack host on qemu-virt-riscv64 that
 * creates, invokes and destroys child VMs at run time from config blobs in its own memory
 * (reference §2.5, §4). Only the host is here: its children are described by the blobs the guest
 * builds.
 *
 * The feature that serves those calls is not part of CROSSCON's structs (its build always has
 * sdSGX): name it when importing.
 *
 *   baobab config import configs/bao/dynamic-vm.c --feature dynamic-vm -o dynamic-vm.json
 */
#include <config.h>

VM_IMAGE(host_image, "../../guests/images/riscv64-vm/vmstack-host-0x80200000.bin");

struct vm_config host = {
    /* newer Bao's shorthand for .base_addr/.load_addr/.size */
    .image = VM_IMAGE_BUILTIN(host_image, 0x80200000),

    .entry = 0x80200000,

    .platform = {
        .cpu_num = 1,

        .region_num = 1,
        .regions = (struct mem_region[]) {
            {
                .base = 0x80200000,
                .size = 0x800000
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

struct config config = {

    CONFIG_HEADER

    .vmlist_size = 1,
    .vmlist = {
        &host,
    }
};
