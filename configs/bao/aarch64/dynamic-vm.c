/*
 * configs/aarch64/dynamic-vm.json as a CROSSCON config: one VM-stack host on qemu-virt-aarch64
 * that creates, invokes and destroys child VMs over HVC from config blobs in its own memory
 * (reference §2.5, §4). It has both PL011s — uart1 (no interrupt) is the one it hands to its
 * children — the virtual timer's PPI 27, and the vGIC at the board's GICv2 addresses.
 *
 * The feature that serves those calls is not part of CROSSCON's structs (its build always has
 * sdSGX): name it when importing.
 *
 *   baobab config import configs/bao/aarch64/dynamic-vm.c --feature dynamic-vm -o dynamic-vm.json
 */
#include <config.h>

VM_IMAGE(host_image, "../../../guests/images/aarch64-vm/vmstack-host-0x50000000.bin");

struct vm_config host = {
    .image = {
        .base_addr = 0x50000000,
        .load_addr = VM_IMAGE_OFFSET(host_image),
        .size = VM_IMAGE_SIZE(host_image),
    },

    .entry = 0x50000000,

    .platform = {
        .cpu_num = 1,

        .region_num = 1,
        .regions = (struct mem_region[]) {
            {
                .base = 0x50000000,
                .size = 0x800000,
            }
        },

        .dev_num = 3,
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
                /* PL011 UART1, lent to the children */
                .pa = 0x90c0000,
                .va = 0x90c0000,
                .size = 0x1000,
            },
            {
                /* virtual timer */
                .interrupt_num = 1,
                .interrupts = (irqid_t[]) {27}
            },
        },

        .arch = {
            .gic = {
                .gicd_addr = 0x8000000,
                .gicc_addr = 0x8010000,
            }
        }
    }
};

struct config config = {

    CONFIG_HEADER

    .vmlist_size = 1,
    .vmlist = {
        &host
    }
};
