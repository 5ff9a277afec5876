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

# <linux/types.h> pulls in <asm/types.h>, which Debian keeps under the multiarch directory.
arch_include=""
for dir in "/usr/include/$(uname -m)-linux-gnu" /usr/include/x86_64-linux-gnu; do
	if [ -d "$dir/asm" ]; then
		arch_include=$dir
		break
	fi
done
if [ -z "$arch_include" ]; then
	echo "bpf/build.sh: no <asm/types.h> found; install it: apt-get install linux-libc-dev" >&2
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
		-I"$arch_include" -I. \
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
