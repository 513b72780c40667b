#!/bin/sh
# Rebuild bench/tee/gpos-loop.bin (the TEE round-trip benchmark's GPOS, at 0x91600000) from
# gpos-loop.S. Needs the GNU RISC-V bare-metal toolchain (Debian: gcc-riscv64-unknown-elf).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
T=${CROSS:-riscv64-unknown-elf-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$here/gpos-loop.S" "$tmp/"
(cd "$tmp" && ${T}gcc -march=rv64imac -mabi=lp64 -nostdlib -static -Wl,--build-id=none -Wl,-Ttext=0x91600000 -o gpos-loop.elf gpos-loop.S)
${T}objcopy -O binary "$tmp/gpos-loop.elf" "$here/gpos-loop.bin"
