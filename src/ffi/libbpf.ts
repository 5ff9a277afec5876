/**
 * koffi bindings to libbpf.so.1, named with libbpf's own names (libbpf.h, bpf.h) so one grep
 * finds both the C and the TS side. General-purpose: open/load/close an object, find its
 * programs and maps, BPF_PROG_TEST_RUN, map element access. Program-specific code (e.g.
 * src/cookie/kernel-oracle.ts) lives with its domain; add new bindings to `bind()` below.
 *
 * Conventions (libbpf ≥ 1.0): functions returning int return a negative errno on failure;
 * functions returning a pointer return NULL and set errno (read with libbpf_get_error).
 * Every failure becomes a SynqError (LibbpfError) with an errno name and a fix. libbpf's own
 * log (including the verifier's) is captured instead of printed: it is attached to load
 * errors, and echoed to stderr with SYNQ_DEBUG=1.
 *
 * Users need only libbpf.so.1 at run time (Debian/Ubuntu: libbpf1, which iproute2 already
 * depends on); compiling the .bpf.o needs clang and libbpf-dev (bpf/build.sh).
 */
import { existsSync } from "node:fs";
import type { IKoffiLib } from "koffi";
import { type ExitCodeName, SynqError } from "../errors.js";
import { bpfObjectFile, libbpfFile } from "../native-pieces.js";
import { Errno, isPermissionErrno } from "../system/errno.js";
import { errnoName, koffi } from "./koffi.js";

/** An opaque libbpf pointer (`struct bpf_object *`, `struct bpf_program *`, …). */
export type BpfPointer = unknown;

/** `struct bpf_test_run_opts` (bpf.h, libbpf 1.1 layout; `sz` makes it forward compatible). */
export interface BpfTestRunOpts {
  sz: number;
  data_in: Uint8Array | null;
  data_out: Uint8Array | null;
  data_size_in: number;
  data_size_out: number;
  ctx_in: Uint8Array | null;
  ctx_out: Uint8Array | null;
  ctx_size_in: number;
  ctx_size_out: number;
  retval: number;
  repeat: number;
  duration: number;
  flags: number;
  cpu: number;
  batch_size: number;
}

/** The libbpf functions synq calls, with libbpf's names and C signatures. */
export interface Libbpf {
  bpf_object__open_file(path: string, opts: null): BpfPointer | null;
  bpf_object__load(obj: BpfPointer): number;
  bpf_object__close(obj: BpfPointer): void;
  bpf_object__find_program_by_name(obj: BpfPointer, name: string): BpfPointer | null;
  bpf_object__find_map_by_name(obj: BpfPointer, name: string): BpfPointer | null;
  bpf_program__fd(prog: BpfPointer): number;
  bpf_program__set_autoload(prog: BpfPointer, autoload: boolean): number;
  bpf_map__fd(map: BpfPointer): number;
  bpf_map__key_size(map: BpfPointer): number;
  bpf_map__value_size(map: BpfPointer): number;
  bpf_map_lookup_elem(fd: number, key: Uint8Array, value: Uint8Array): number;
  bpf_map_update_elem(fd: number, key: Uint8Array, value: Uint8Array, flags: number): number;
  bpf_map_delete_elem(fd: number, key: Uint8Array): number;
  bpf_map_get_next_key(fd: number, key: Uint8Array | null, nextKey: Uint8Array): number;
  bpf_prog_test_run_opts(progFd: number, opts: BpfTestRunOpts): number;
  libbpf_get_error(ptr: BpfPointer | null): number;
  libbpf_strerror(err: number, buf: Uint8Array, size: number): number;
  libbpf_major_version(): number;
  libbpf_minor_version(): number;
  // Programs, maps and links (tracer: src/trace/loader.ts).
  bpf_object__next_program(obj: BpfPointer, prev: BpfPointer | null): BpfPointer | null;
  bpf_object__btf(obj: BpfPointer): BpfPointer | null;
  bpf_program__name(prog: BpfPointer): string;
  bpf_program__autoload(prog: BpfPointer): boolean;
  bpf_program__attach(prog: BpfPointer): BpfPointer | null;
  bpf_program__attach_cgroup(prog: BpfPointer, cgroupFd: number): BpfPointer | null;
  bpf_link__destroy(link: BpfPointer): number;
  bpf_map__initial_value(map: BpfPointer, size: [number]): BpfPointer | null;
  bpf_map__set_initial_value(map: BpfPointer, data: Uint8Array, size: number): number;
  bpf_map__set_max_entries(map: BpfPointer, maxEntries: number): number;
  libbpf_num_possible_cpus(): number;
  // BTF (btf.h).
  btf__load_vmlinux_btf(): BpfPointer | null;
  btf__free(btf: BpfPointer): void;
  btf__type_cnt(btf: BpfPointer): number;
  btf__find_by_name_kind(btf: BpfPointer, name: string, kind: number): number;
  btf__type_by_id(btf: BpfPointer, id: number): BpfPointer | null;
  btf__name_by_offset(btf: BpfPointer, offset: number): string | null;
  // tc (netlink): clsact qdiscs and cls_bpf filters.
  bpf_tc_hook_create(hook: BpfTcHook): number;
  bpf_tc_hook_destroy(hook: BpfTcHook): number;
  bpf_tc_attach(hook: BpfTcHook, opts: BpfTcOpts): number;
  bpf_tc_detach(hook: BpfTcHook, opts: BpfTcOpts): number;
  /** A link of a loaded program to a target (tcx: an ifindex); the link fd, or -errno. */
  bpf_link_create(progFd: number, targetFd: number, attachType: number, opts: null): number;
  // BPF ring buffers.
  ring_buffer__new(mapFd: number, sampleCb: unknown, ctx: null, opts: null): BpfPointer | null;
  ring_buffer__consume(rb: BpfPointer): number;
  ring_buffer__free(rb: BpfPointer): void;
}

/** `struct bpf_tc_hook` (libbpf.h): where a tc program goes. */
export interface BpfTcHook {
  sz: number;
  ifindex: number;
  attach_point: number;
  parent: number;
}

/** `struct bpf_tc_opts` (libbpf.h): a cls_bpf filter; handle/priority are filled in by attach. */
export interface BpfTcOpts {
  sz: number;
  prog_fd: number;
  flags: number;
  prog_id: number;
  handle: number;
  priority: number;
}

/** A `struct bpf_tc_hook` for an interface's hook (sz filled in, as libbpf's macro does). */
export function bpfTcHook(ifindex: number, attachPoint: number): BpfTcHook {
  return { sz: koffi().sizeof("bpf_tc_hook"), ifindex, attach_point: attachPoint, parent: 0 };
}

/** A `struct bpf_tc_opts` for a program's filter (sz filled in, as libbpf's macro does). */
export function bpfTcOpts(progFd: number, handle = 0, priority = 0): BpfTcOpts {
  return {
    sz: koffi().sizeof("bpf_tc_opts"),
    prog_fd: progFd,
    flags: 0,
    prog_id: 0,
    handle,
    priority,
  };
}

/** A copy of `size` bytes at a pointer libbpf returned. */
export function copyBytes(pointer: BpfPointer, size: number): Uint8Array {
  return new Uint8Array(koffi().view(pointer, size).slice(0));
}

/** enum bpf_tc_attach_point. */
export const BPF_TC_INGRESS = 1;
/** enum bpf_tc_attach_point. */
export const BPF_TC_EGRESS = 2;

/** enum bpf_attach_type: tcx ingress (Linux 6.6+). */
export const BPF_TCX_INGRESS = 46;

/** bpf_map_update_elem flags (uapi linux/bpf.h). */
export const BPF_ANY = 0;
/** Create a new element only. */
export const BPF_NOEXIST = 1;
/** Update an existing element only. */
export const BPF_EXIST = 2;

/** libbpf_print_level: warnings (incl. verifier failures) and info are kept, debug dropped. */
const LIBBPF_INFO = 1;
const LOG_LINES = 400;

const libbpfLog: string[] = [];

/** A failed libbpf call: errno, the libbpf log lines captured during it, and a fix. */
export class LibbpfError extends SynqError {
  readonly errno: number;
  readonly log: readonly string[];

  constructor(kind: ExitCodeName, message: string, fix: string, errno: number, log: string[]) {
    super(kind, message, fix);
    this.errno = errno;
    this.log = log;
  }
}

let bindings: Libbpf | null = null;

function bind(): Libbpf {
  let lib: IKoffiLib;
  const file = libbpfFile();
  const ffi = koffi();
  try {
    lib = ffi.load(file);
  } catch {
    throw new SynqError(
      "missingTool",
      "libbpf.so.1 is not installed",
      "install it (Debian/Ubuntu: apt-get install libbpf1; Fedora/RHEL: dnf install libbpf)",
    );
  }
  for (const name of ["bpf_object", "bpf_program", "bpf_map", "bpf_link", "btf", "ring_buffer"])
    koffi().opaque(name);
  koffi().struct("bpf_tc_hook", {
    sz: "size_t",
    ifindex: "int",
    attach_point: "int",
    parent: "uint32_t",
  });
  koffi().struct("bpf_tc_opts", {
    sz: "size_t",
    prog_fd: "int",
    flags: "uint32_t",
    prog_id: "uint32_t",
    handle: "uint32_t",
    priority: "uint32_t",
  });
  koffi().proto("int synq_ring_buffer_sample_fn(void *ctx, void *data, size_t size)");
  koffi().struct("bpf_test_run_opts", {
    sz: "size_t",
    data_in: "const void *",
    data_out: "void *",
    data_size_in: "uint32_t",
    data_size_out: "uint32_t",
    ctx_in: "const void *",
    ctx_out: "void *",
    ctx_size_in: "uint32_t",
    ctx_size_out: "uint32_t",
    retval: "uint32_t",
    repeat: "int",
    duration: "uint32_t",
    flags: "uint32_t",
    cpu: "uint32_t",
    batch_size: "uint32_t",
  });
  const f = (proto: string) => lib.func(proto);
  const b: Libbpf = {
    bpf_object__open_file: f(
      "bpf_object *bpf_object__open_file(const char *path, const void *opts)",
    ),
    bpf_object__load: f("int bpf_object__load(bpf_object *obj)"),
    bpf_object__close: f("void bpf_object__close(bpf_object *obj)"),
    bpf_object__find_program_by_name: f(
      "bpf_program *bpf_object__find_program_by_name(const bpf_object *obj, const char *name)",
    ),
    bpf_object__find_map_by_name: f(
      "bpf_map *bpf_object__find_map_by_name(const bpf_object *obj, const char *name)",
    ),
    bpf_program__fd: f("int bpf_program__fd(const bpf_program *prog)"),
    bpf_program__set_autoload: f("int bpf_program__set_autoload(bpf_program *prog, bool autoload)"),
    bpf_map__fd: f("int bpf_map__fd(const bpf_map *map)"),
    bpf_map__key_size: f("uint32_t bpf_map__key_size(const bpf_map *map)"),
    bpf_map__value_size: f("uint32_t bpf_map__value_size(const bpf_map *map)"),
    bpf_map_lookup_elem: f("int bpf_map_lookup_elem(int fd, const void *key, _Out_ void *value)"),
    bpf_map_update_elem: f(
      "int bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags)",
    ),
    bpf_map_delete_elem: f("int bpf_map_delete_elem(int fd, const void *key)"),
    bpf_map_get_next_key: f(
      "int bpf_map_get_next_key(int fd, const void *key, _Out_ void *next_key)",
    ),
    bpf_prog_test_run_opts: f(
      "int bpf_prog_test_run_opts(int prog_fd, _Inout_ bpf_test_run_opts *opts)",
    ),
    libbpf_get_error: f("long libbpf_get_error(const void *ptr)"),
    libbpf_strerror: f("int libbpf_strerror(int err, _Out_ uint8_t *buf, size_t size)"),
    libbpf_major_version: f("uint32_t libbpf_major_version(void)"),
    libbpf_minor_version: f("uint32_t libbpf_minor_version(void)"),
    bpf_object__next_program: f(
      "bpf_program *bpf_object__next_program(const bpf_object *obj, bpf_program *prev)",
    ),
    bpf_object__btf: f("btf *bpf_object__btf(const bpf_object *obj)"),
    bpf_program__name: f("const char *bpf_program__name(const bpf_program *prog)"),
    bpf_program__autoload: f("bool bpf_program__autoload(const bpf_program *prog)"),
    bpf_program__attach: f("bpf_link *bpf_program__attach(const bpf_program *prog)"),
    bpf_program__attach_cgroup: f(
      "bpf_link *bpf_program__attach_cgroup(const bpf_program *prog, int cgroup_fd)",
    ),
    bpf_link__destroy: f("int bpf_link__destroy(bpf_link *link)"),
    bpf_map__initial_value: f("void *bpf_map__initial_value(bpf_map *map, _Out_ size_t *psize)"),
    bpf_map__set_initial_value: f(
      "int bpf_map__set_initial_value(bpf_map *map, const void *data, size_t size)",
    ),
    bpf_map__set_max_entries: f("int bpf_map__set_max_entries(bpf_map *map, uint32_t max_entries)"),
    libbpf_num_possible_cpus: f("int libbpf_num_possible_cpus(void)"),
    btf__load_vmlinux_btf: f("btf *btf__load_vmlinux_btf(void)"),
    btf__free: f("void btf__free(btf *btf)"),
    btf__type_cnt: f("uint32_t btf__type_cnt(const btf *btf)"),
    btf__find_by_name_kind: f(
      "int btf__find_by_name_kind(const btf *btf, const char *name, uint32_t kind)",
    ),
    btf__type_by_id: f("const void *btf__type_by_id(const btf *btf, uint32_t id)"),
    btf__name_by_offset: f("const char *btf__name_by_offset(const btf *btf, uint32_t offset)"),
    bpf_tc_hook_create: f("int bpf_tc_hook_create(bpf_tc_hook *hook)"),
    bpf_tc_hook_destroy: f("int bpf_tc_hook_destroy(bpf_tc_hook *hook)"),
    bpf_tc_attach: f("int bpf_tc_attach(const bpf_tc_hook *hook, _Inout_ bpf_tc_opts *opts)"),
    bpf_tc_detach: f("int bpf_tc_detach(const bpf_tc_hook *hook, const bpf_tc_opts *opts)"),
    bpf_link_create: f(
      "int bpf_link_create(int prog_fd, int target_fd, int attach_type, const void *opts)",
    ),
    ring_buffer__new: f(
      "ring_buffer *ring_buffer__new(int map_fd, synq_ring_buffer_sample_fn *sample_cb, void *ctx, const void *opts)",
    ),
    ring_buffer__consume: f("int ring_buffer__consume(ring_buffer *rb)"),
    ring_buffer__free: f("void ring_buffer__free(ring_buffer *rb)"),
  };
  captureLibbpfLog(lib);
  return b;
}

/**
 * Routes libbpf's log (`libbpf_set_print`) into a buffer. The callback receives a va_list;
 * libc's vsnprintf formats it. Without libc, logging is simply turned off.
 */
function captureLibbpfLog(lib: IKoffiLib): void {
  const printFn = koffi().proto("int synq_libbpf_print_fn(int level, const char *fmt, void *args)");
  const setPrint = lib.func("void *libbpf_set_print(synq_libbpf_print_fn *fn)");
  let vsnprintf: ((buf: Uint8Array, size: number, fmt: string, ap: unknown) => number) | null;
  try {
    vsnprintf = koffi()
      .load("libc.so.6")
      .func("int vsnprintf(_Out_ uint8_t *buf, size_t size, const char *fmt, void *ap)");
  } catch {
    vsnprintf = null;
  }
  if (!vsnprintf) {
    setPrint(null);
    return;
  }
  const format = vsnprintf;
  // The verifier log arrives as one message, often far longer than a page: keep its end.
  const buf = new Uint8Array(1 << 20);
  const cb = koffi().register((level: number, fmt: string, ap: unknown) => {
    if (level > LIBBPF_INFO) return 0;
    const n = format(buf, buf.length, fmt, ap);
    const text = Buffer.from(buf.subarray(0, Math.max(0, Math.min(n, buf.length - 1)))).toString();
    for (const line of text.split("\n")) {
      if (line === "") continue;
      libbpfLog.push(line);
      if (process.env.SYNQ_DEBUG) process.stderr.write(`${line}\n`);
    }
    if (libbpfLog.length > LOG_LINES) libbpfLog.splice(0, libbpfLog.length - LOG_LINES);
    return 0;
  }, koffi().pointer(printFn));
  setPrint(cb);
}

/** The bound library, loaded on first use; a SynqError (missingTool) when it is absent. */
export function libbpf(): Libbpf {
  bindings ??= bind();
  return bindings;
}

/** Takes (and clears) the libbpf log lines captured so far. */
export function takeLibbpfLog(): string[] {
  return libbpfLog.splice(0, libbpfLog.length);
}

/** The libbpf version in use, e.g. "1.1". */
export function libbpfVersion(): string {
  const l = libbpf();
  return `${l.libbpf_major_version()}.${l.libbpf_minor_version()}`;
}

/** libbpf_strerror(): knows libbpf's own codes (e.g. 4007 "Kernel verifier blocks program loading"). */
export function libbpfStrerror(err: number): string {
  const buf = new Uint8Array(256);
  libbpf().libbpf_strerror(Math.abs(err), buf, buf.length);
  const end = buf.indexOf(0);
  return Buffer.from(buf.subarray(0, end < 0 ? buf.length : end)).toString();
}

/** Turns a negative errno from libbpf into a LibbpfError naming `action`. */
export function libbpfError(action: string, err: number, log: string[] = takeLibbpfLog()) {
  const errno = Math.abs(err);
  const text = `${libbpfStrerror(errno)} (${errnoName(errno)})`;
  const isRoot = process.geteuid?.() === 0;
  if (isPermissionErrno(errno) && !isRoot) {
    return new LibbpfError(
      "permission",
      `${action} failed: ${text}`,
      "BPF needs root (CAP_BPF and CAP_NET_ADMIN); rerun with sudo",
      errno,
      log,
    );
  }
  // The verifier's reason is the last lines of its log, before its statistics.
  const noise = /^(libbpf:|-- (BEGIN|END) PROG LOAD LOG --|processed \d+ insns|verification time)/;
  const verifier = log.filter((l) => !noise.test(l)).slice(-2);
  const detail = verifier.length ? `; verifier: ${verifier.join(" | ")}` : "";
  return new LibbpfError(
    "kernelUnsupported",
    `${action} failed: ${text}${detail}`,
    "rerun with SYNQ_DEBUG=1 to see libbpf's log",
    errno,
    log,
  );
}

/** The path of a compiled object shipped with synq (the package's bpf/ directory). */
export function packagedBpfObject(file: string): string {
  return bpfObjectFile(file);
}

/** A loaded (or opened) BPF object; `close()` is idempotent, call it in `finally`. */
export class BpfObject {
  private obj: BpfPointer | null;

  private constructor(obj: BpfPointer) {
    this.obj = obj;
  }

  /** bpf_object__open_file(path, NULL). */
  static open(path: string): BpfObject {
    if (!existsSync(path)) {
      throw new SynqError(
        "missingTool",
        `BPF object ${path} is missing`,
        "reinstall synq, or rebuild it from source with npm run build:bpf",
      );
    }
    const l = libbpf();
    takeLibbpfLog();
    const obj = l.bpf_object__open_file(path, null);
    const err = l.libbpf_get_error(obj);
    if (!obj || err) throw libbpfError(`opening ${path}`, err || -koffi().errno());
    return new BpfObject(obj);
  }

  /** The raw `struct bpf_object *` for bindings not wrapped here. */
  get pointer(): BpfPointer {
    if (this.obj === null) throw new Error("BpfObject used after close()");
    return this.obj;
  }

  /** bpf_object__load(): creates maps, loads (and verifies) every autoload program. */
  load(): void {
    takeLibbpfLog();
    const err = libbpf().bpf_object__load(this.pointer);
    if (err) throw libbpfError("loading the BPF program", err);
  }

  /** bpf_object__find_program_by_name() + bpf_program__fd() (after load). */
  programFd(name: string): number {
    const prog = libbpf().bpf_object__find_program_by_name(this.pointer, name);
    if (!prog) throw libbpfError(`finding BPF program ${name}`, -koffi().errno() || -2);
    const fd = libbpf().bpf_program__fd(prog);
    if (fd < 0) throw libbpfError(`getting the fd of BPF program ${name}`, fd);
    return fd;
  }

  /** bpf_object__find_map_by_name() + bpf_map__fd() (after load). */
  mapFd(name: string): number {
    const map = libbpf().bpf_object__find_map_by_name(this.pointer, name);
    if (!map) throw libbpfError(`finding BPF map ${name}`, -koffi().errno() || -2);
    const fd = libbpf().bpf_map__fd(map);
    if (fd < 0) throw libbpfError(`getting the fd of BPF map ${name}`, fd);
    return fd;
  }

  /** bpf_object__find_program_by_name(): the `struct bpf_program *`, or a LibbpfError. */
  program(name: string): BpfPointer {
    const prog = libbpf().bpf_object__find_program_by_name(this.pointer, name);
    if (!prog) throw libbpfError(`finding BPF program ${name}`, -koffi().errno() || -2);
    return prog;
  }

  /** Every program's name (bpf_object__next_program), in the object's order. */
  programNames(): string[] {
    const names: string[] = [];
    for (
      let prog = libbpf().bpf_object__next_program(this.pointer, null);
      prog;
      prog = libbpf().bpf_object__next_program(this.pointer, prog)
    ) {
      names.push(libbpf().bpf_program__name(prog));
    }
    return names;
  }

  /** bpf_program__set_autoload() (before load): only autoload programs are loaded. */
  setAutoload(name: string, autoload: boolean): void {
    const err = libbpf().bpf_program__set_autoload(this.program(name), autoload);
    if (err) throw libbpfError(`setting autoload of BPF program ${name}`, err);
  }

  /** bpf_object__find_map_by_name(): the `struct bpf_map *` (".rodata" finds the rodata map). */
  map(name: string): BpfPointer {
    const map = libbpf().bpf_object__find_map_by_name(this.pointer, name);
    if (!map) throw libbpfError(`finding BPF map ${name}`, -koffi().errno() || -2);
    return map;
  }

  /** bpf_object__btf(): the object's own BTF (owned by the object; do not free). */
  btf(): BpfPointer {
    const btf = libbpf().bpf_object__btf(this.pointer);
    if (!btf) throw libbpfError("reading the BPF object's BTF", -2);
    return btf;
  }

  /**
   * bpf_program__attach() by the program's SEC() (after load), or with `cgroupFd`
   * bpf_program__attach_cgroup(); destroy the link to detach.
   */
  attach(name: string, cgroupFd?: number): BpfLink {
    const prog = this.program(name);
    takeLibbpfLog();
    const link =
      cgroupFd === undefined
        ? libbpf().bpf_program__attach(prog)
        : libbpf().bpf_program__attach_cgroup(prog, cgroupFd);
    const err = libbpf().libbpf_get_error(link);
    if (!link || err) throw libbpfError(`attaching BPF program ${name}`, err || -koffi().errno());
    return new BpfLink(link, name);
  }

  /** bpf_object__close(): frees programs and maps; safe to call twice. */
  close(): void {
    if (this.obj === null) return;
    const obj = this.obj;
    this.obj = null;
    libbpf().bpf_object__close(obj);
  }
}

/** An attached program (`struct bpf_link *`); `destroy()` detaches it and is idempotent. */
export class BpfLink {
  private link: BpfPointer | null;
  readonly program: string;

  constructor(link: BpfPointer, program: string) {
    this.link = link;
    this.program = program;
  }

  /** bpf_link__destroy(): detaches and frees the link; safe to call twice. */
  destroy(): void {
    if (this.link === null) return;
    const link = this.link;
    this.link = null;
    libbpf().bpf_link__destroy(link);
  }
}

/** koffi itself, loaded on first use: callbacks and views of C memory need it. */
export function ffi(): ReturnType<typeof koffi> {
  return koffi();
}

/** Opens and loads `path`, runs `fn`, and always closes the object. */
export function withBpfObject<T>(path: string, fn: (obj: BpfObject) => T): T {
  const obj = BpfObject.open(path);
  try {
    obj.load();
    return fn(obj);
  } finally {
    obj.close();
  }
}

/** What one BPF_PROG_TEST_RUN returned. */
export interface TestRunResult {
  /** The program's return value (e.g. an XDP action). */
  retval: number;
  /** Average run time per repetition, ns. */
  duration: number;
  /** The packet after the program ran, when `dataOutSize` was given. */
  dataOut: Uint8Array | null;
}

/** bpf_prog_test_run_opts() on one packet (XDP, tc, …). */
export function bpfProgTestRun(
  progFd: number,
  dataIn: Uint8Array,
  options: { dataOutSize?: number; repeat?: number } = {},
): TestRunResult {
  const dataOut = options.dataOutSize ? new Uint8Array(options.dataOutSize) : null;
  const opts: BpfTestRunOpts = {
    sz: koffi().sizeof("bpf_test_run_opts"),
    data_in: dataIn,
    data_out: dataOut,
    data_size_in: dataIn.length,
    data_size_out: dataOut ? dataOut.length : 0,
    ctx_in: null,
    ctx_out: null,
    ctx_size_in: 0,
    ctx_size_out: 0,
    retval: 0,
    repeat: options.repeat ?? 1,
    duration: 0,
    flags: 0,
    cpu: 0,
    batch_size: 0,
  };
  const err = libbpf().bpf_prog_test_run_opts(progFd, opts);
  if (err) throw libbpfError("BPF_PROG_TEST_RUN", err);
  return {
    retval: opts.retval,
    duration: opts.duration,
    dataOut: dataOut ? dataOut.subarray(0, opts.data_size_out) : null,
  };
}

/** bpf_map_lookup_elem(): the value bytes, or null when the key is absent (ENOENT). */
export function bpfMapLookupElem(
  fd: number,
  key: Uint8Array,
  valueSize: number,
): Uint8Array | null {
  const value = new Uint8Array(valueSize);
  const err = libbpf().bpf_map_lookup_elem(fd, key, value);
  if (err === -Errno.ENOENT) return null;
  if (err) throw libbpfError("reading a BPF map element", err);
  return value;
}

/** bpf_map_update_elem() with BPF_ANY / BPF_NOEXIST / BPF_EXIST. */
export function bpfMapUpdateElem(
  fd: number,
  key: Uint8Array,
  value: Uint8Array,
  flags: number = BPF_ANY,
): void {
  const err = libbpf().bpf_map_update_elem(fd, key, value, flags);
  if (err) throw libbpfError("writing a BPF map element", err);
}

/** bpf_map_delete_elem(): false when the key was absent. */
export function bpfMapDeleteElem(fd: number, key: Uint8Array): boolean {
  const err = libbpf().bpf_map_delete_elem(fd, key);
  if (err === -Errno.ENOENT) return false;
  if (err) throw libbpfError("deleting a BPF map element", err);
  return true;
}
