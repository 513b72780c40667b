/* The child the host demo creates: its config blob (`baobab config pack aarch64-vm/child/child.json
 * --no-images`, built by the Makefile) and its raw image. Paths are relative to guests/, where
 * the Makefile runs the assembler. */
  .section .rodata.vmstack, "a"
  .balign 4096
  .globl child_blob, child_blob_end
child_blob:
  .incbin "build/aarch64-vm/child/child.blob"
child_blob_end:
  .balign 8
  .globl child_image, child_image_end
child_image:
  .incbin "images/aarch64-vm/vmstack-child-0x58000000.bin"
child_image_end:
