#!/usr/bin/env bash
# Builds the single executable's libbpf.so.1 (scripts/release.mjs): Debian's libbpf.a with
# libelf.a and libz.a linked in, so a host needs only glibc (>= 2.17; nothing newer than
# GLIBC_2.28 is referenced, so Debian 11's 2.31 will do). Usage: release-libbpf.sh OUT.
#
# Debian's static libraries are built as position-independent executables' code, not for
# shared objects. Three things make them link into one anyway:
# - libbpf's exported API is bound within the library (-Bsymbolic) and everything else is
#   hidden (the version script; libelf's and zlib's symbols with --exclude-libs), so their
#   PC-relative references never go through the PLT/GOT;
# - libbpf's one reference to a libc variable (stderr, in its default print function) is
#   renamed to a pointer set from stderr when the library loads;
# - libelf's elf_error.o, whose error variable uses the initial-exec TLS model, is replaced
#   by an equivalent with a general-dynamic TLS variable (its messages become generic).
# fstat() is called through __fxstat@GLIBC_2.2.5: glibc 2.33+ headers bind it to a
# fstat@GLIBC_2.33 that older glibc lacks.
set -euo pipefail
out=$(realpath -m "$1")
lib=/usr/lib/x86_64-linux-gnu
for f in libbpf.a libelf.a libz.a; do
  if [[ ! -f $lib/$f ]]; then
    echo "release-libbpf: $lib/$f is missing; apt-get install libbpf-dev libelf-dev zlib1g-dev" >&2
    exit 1
  fi
done
command -v clang >/dev/null || { echo "release-libbpf: clang is missing; apt-get install clang" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir bpf elf
(cd bpf && ar x "$lib/libbpf.a" && for o in *.o; do objcopy --redefine-sym stderr=synq_stderr "$o"; done)
(cd elf && ar x "$lib/libelf.a" && rm elf_error.o)
# Sorted member lists and ar's deterministic mode (D): the archives' bytes, and so the
# library's, do not depend on directory order or time.
(cd bpf && ar rcsD ../libbpf-pic.a $(ls *.o | LC_ALL=C sort))
(cd elf && ar rcsD ../libelf-pic.a $(ls *.o | LC_ALL=C sort))

cat >shim.c <<'C'
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>

#define HIDDEN __attribute__((visibility("hidden")))

HIDDEN FILE *synq_stderr;
__attribute__((constructor)) static void synq_stderr_init(void) { synq_stderr = stderr; }

static __thread int global_error;
HIDDEN int elf_errno(void) { int e = global_error; global_error = 0; return e; }
HIDDEN void __libelf_seterrno(int value) { global_error = value; }
HIDDEN const char *elf_errmsg(int error) {
  int e = error == -1 ? global_error : error;
  if (e == 0) return error == 0 ? NULL : "no error";
  return "libelf error";
}

extern int __fxstat(int ver, int fd, struct stat *buf);
__asm__(".symver __fxstat,__fxstat@GLIBC_2.2.5");
HIDDEN int fstat(int fd, struct stat *buf) { return __fxstat(1, fd, buf); }
C
cat >libbpf.map <<'MAP'
{ global: bpf_*; btf_*; btf__*; libbpf_*; ring_buffer__*; ring__*; user_ring_buffer__*; perf_buffer__*; bpf_linker__*; local: *; };
MAP
clang -O2 -fPIC -c shim.c -o shim.o
clang -shared -o libbpf.so.1 -Wl,-soname,libbpf.so.1 -Wl,-Bsymbolic -Wl,--build-id=sha1 \
  -Wl,--version-script,libbpf.map shim.o \
  -Wl,--whole-archive libbpf-pic.a -Wl,--no-whole-archive libelf-pic.a "$lib/libz.a" \
  -Wl,--exclude-libs,libelf-pic.a:libz.a
strip --strip-unneeded libbpf.so.1
if objdump -T libbpf.so.1 | grep -E 'GLIBC_2\.(29|3[0-9])' >&2; then
  echo "release-libbpf: the library references glibc symbols newer than 2.28" >&2
  exit 1
fi
if objdump -p libbpf.so.1 | grep -E 'NEEDED +lib(elf|z)\.' >&2; then
  echo "release-libbpf: the library still needs libelf or zlib" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
cp libbpf.so.1 "$out"
