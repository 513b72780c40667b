/*
 * configs/ipc.json as a CROSSCON config: a sender and a receiver on qemu-virt-riscv64 sharing one
 * 64 KiB shared-memory object at guest address 0xf0000000; a Bao IPC notify from one raises
 * PLIC source 52 in the other.
 *
 * Not expressible here: the receiver's console. ipc.json gives it an emulated ns16550 at
 * 0x10000000 ("emulate"), a baobab device with no CROSSCON equivalent (a dev_region is always
 * pass-through), so this config leaves it out; the sender's UART is then its own, and the
 * "shared" flag ipc.json puts on it is not needed.
 *
 *   baobab config import configs/bao/ipc.c -o ipc.json
 */
#include <config.h>

VM_IMAGE(sender_image, "../../guests/images/riscv64-vm/demo-0x80200000.bin");
VM_IMAGE(receiver_image, "../../guests/images/riscv64-vm/demo-0x84200000.bin");

struct vm_config sender = {
    .image = {
        .base_addr = 0x80200000,
        .load_addr = VM_IMAGE_OFFSET(sender_image),
        .size = VM_IMAGE_SIZE(sender_image)
    },

    .entry = 0x80200000,

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

        .ipc_num = 1,
        .ipcs = (struct ipc[]) {
            {
                .base = 0xf0000000,
                .size = 0x10000,
                .shmem_id = 0,
                .interrupt_num = 1,
                .interrupts = (irqid_t[]) {52}
            },
        },

        .arch = {
            .plic_base = 0xc000000,
        }
    },
};

struct vm_config receiver = {
    .image = {
        .base_addr = 0x84200000,
        .load_addr = VM_IMAGE_OFFSET(receiver_image),
        .size = VM_IMAGE_SIZE(receiver_image)
    },

    .entry = 0x84200000,

    .platform = {
        .cpu_num = 1,

        .region_num = 1,
        .regions = (struct mem_region[]) {
            {
                .base = 0x84200000,
                .size = 0x4000000
            },
        },

        /* ipc.json's emulated ns16550 at 0x10000000 (PLIC source 10) has no dev_region form */

        .ipc_num = 1,
        .ipcs = (struct ipc[]) {
            {
                .base = 0xf0000000,
                .size = 0x10000,
                .shmem_id = 0,
                .interrupt_num = 1,
                .interrupts = (irqid_t[]) {52}
            },
        },

        .arch = {
            .plic_base = 0xc000000,
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
        &sender,
        &receiver,
    }
};
