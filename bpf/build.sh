#!/usr/bin/env bash
# Rebuilds every bpf/*.bpf.c into the committed bpf/*.bpf.o (npm run build:bpf).
#
# The objects are committed (users need libbpf.so.1, not clang), and CI rebuilds them
# from a clean clone and fails if the bytes differ. So the output must not depend on
# where the tree lives: DWARF (which records the build directory) is stripped, while
# .BTF/.BTF.ext, which libbpf and the verifier use, are kept and checked below.
# The bytes still depend on the toolchain: clang/llvm 14, libbpf-dev 1.1 and
# linux-libc-dev headers as shipped by Debian 12.
#
# One object per bpf/*.bpf.c. A tracer made of parts (acceptq.bpf.c) includes them as
# *.bpf.h files, the way bcc's libbpf-tools do, and stays one compilation unit: clang alone
# makes the object, with the same flags as before. Compiling the parts apart and linking them
# with `bpftool gen object` would put bpftool's version into the bytes too, and the parts
# would need extern declarations for every shared map and rodata global; nothing gained.
#
# Needs: clang, llvm (llvm-strip, llvm-readelf), libbpf-dev, linux-libc-dev.
set -euo pipefail

cd "$(dirname "$0")"

CLANG=${CLANG:-clang}
LLVM_STRIP=${LLVM_STRIP:-llvm-strip}
LLVM_READELF=${LLVM_READELF:-llvm-readelf}

for tool in "$CLANG" "$LLVM_STRIP" "$LLVM_READELF"; do
	if ! command -v "$tool" >/dev/null; then
		echo "bpf/build.sh: $tool not found; install it: apt-get install clang llvm libbpf-dev" >&2
		exit 1
	fi
done
if [ ! -f /usr/include/bpf/bpf_helpers.h ]; then
	echo "bpf/build.sh: <bpf/bpf_helpers.h> not found; install it: apt-get install libbpf-dev" >&2
	exit 1
fi

# The target architecture. The kprobe/kretprobe programs of acceptq.bpf.c read arguments
# and return values through bpf_tracing.h's PT_REGS_*, which lay out struct pt_regs for
# __TARGET_ARCH_$ARCH from that architecture's <asm/ptrace.h>: built for x86, they read
# x86-64 registers. fentry/fexit, raw_tp, tc and cgroup programs do not depend on it.
# x86 is the one built and committed, and the one check:bpf compares. For another
# architecture: SYNQ_BPF_ARCH=arm64 npm run build:bpf (names are libbpf's: x86, arm64, arm,
# s390, powerpc, riscv), with that architecture's kernel headers installed (Debian:
# linux-libc-dev:arm64 or, to cross-build, linux-libc-dev-arm64-cross). It overwrites
# bpf/*.bpf.o, so such an object is for installing on that architecture, never committed;
# only the kprobe programs' register offsets differ. acceptq's READ_UINT also assumes a
# little-endian kernel.
ARCH=${SYNQ_BPF_ARCH:-x86}
case "$ARCH" in
x86) triplets="x86_64-linux-gnu" ;;
arm64) triplets="aarch64-linux-gnu" ;;
arm) triplets="arm-linux-gnueabihf" ;;
s390) triplets="s390x-linux-gnu" ;;
powerpc) triplets="powerpc64le-linux-gnu" ;;
riscv) triplets="riscv64-linux-gnu" ;;
*)
	echo "bpf/build.sh: SYNQ_BPF_ARCH=$ARCH: not one of x86, arm64, arm, s390, powerpc, riscv (libbpf's __TARGET_ARCH_* names this script knows a Debian multiarch directory for)" >&2
	exit 1
	;;
esac

# <linux/types.h> pulls in <asm/types.h> (and bpf_tracing.h <asm/ptrace.h>), which Debian
# keeps under the target's multiarch directory, or under /usr/<triplet>/include when they
# come from a cross package.
arch_include=""
for triplet in $triplets; do
	for dir in "/usr/include/$triplet" "/usr/$triplet/include"; do
		if [ -z "$arch_include" ] && [ -d "$dir/asm" ]; then
			arch_include=$dir
		fi
	done
done
if [ -z "$arch_include" ]; then
	echo "bpf/build.sh: no <asm/types.h> for $ARCH found (looked in /usr/include/<triplet> and /usr/<triplet>/include for $triplets); install that architecture's kernel headers (Debian, e.g. for arm64: linux-libc-dev:arm64 or linux-libc-dev-arm64-cross)" >&2
	exit 1
fi

built=0
for src in *.bpf.c; do
	[ -e "$src" ] || continue
	obj=${src%.c}.o
	tmp=$obj.tmp
	# Relative source name and a prefix map: no absolute build path reaches the object.
	"$CLANG" -target bpf -O2 -g -Wall -Werror \
		-fdebug-prefix-map="$PWD"=. -fno-ident \
		-D__TARGET_ARCH_"$ARCH" -I"$arch_include" -I. \
		-c "$src" -o "$tmp"
	"$LLVM_STRIP" --strip-debug "$tmp"
	sections=$("$LLVM_READELF" -S --wide "$tmp")
	for want in .BTF .BTF.ext; do
		if ! grep -qE "[[:space:]]${want//./\\.}[[:space:]]" <<<"$sections"; then
			echo "bpf/build.sh: $obj lost its $want section while stripping" >&2
			rm -f "$tmp"
			exit 1
		fi
	done
	if grep -qaF "$PWD" "$tmp"; then
		echo "bpf/build.sh: $obj contains the build path $PWD; it would not be reproducible" >&2
		rm -f "$tmp"
		exit 1
	fi
	mv "$tmp" "$obj"
	echo "built bpf/$obj ($(wc -c <"$obj") bytes, sha256 $(sha256sum "$obj" | cut -c1-16))"
	built=$((built + 1))
done

if [ "$built" -eq 0 ]; then
	echo "bpf/build.sh: no bpf/*.bpf.c to build" >&2
	exit 1
fi
