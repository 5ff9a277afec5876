/**
 * Reading BTF (the kernel's own type information, /sys/kernel/btf/vmlinux, and a BPF object's)
 * through libbpf's btf__* API: enum values, functions, tracepoint prototypes and the variables
 * of a data section. Layouts follow uapi linux/btf.h:
 *
 *   struct btf_type { u32 name_off; u32 info; u32 size_or_type; }  followed by, per kind,
 *   ENUM: vlen × { u32 name_off; s32 val }   ENUM64: vlen × { u32 name_off; u32 lo; u32 hi }
 *   FUNC_PROTO: vlen × { u32 name_off; u32 type }   DATASEC: vlen × { u32 type; u32 offset; u32 size }
 *   info: bits 0-15 vlen, bits 24-28 kind.
 */
import { type BpfObject, type BpfPointer, ffi, libbpf, libbpfError } from "./libbpf.js";

/** BTF kinds (uapi linux/btf.h). */
export const BTF_KIND = {
  PTR: 2,
  STRUCT: 4,
  ENUM: 6,
  TYPEDEF: 8,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  ENUM64: 19,
} as const;

const HEADER = 12;

/** One BTF type record: its kind, vlen, name, size/type and the bytes of what follows. */
interface BtfType {
  kind: number;
  vlen: number;
  name: string;
  sizeOrType: number;
  /** Header plus the kind's trailing records. */
  view: DataView;
}

function trailerSize(kind: number, vlen: number): number {
  switch (kind) {
    case BTF_KIND.ENUM:
    case BTF_KIND.FUNC_PROTO:
      return vlen * 8;
    case BTF_KIND.ENUM64:
    case BTF_KIND.STRUCT:
    case BTF_KIND.DATASEC:
      return vlen * 12;
    default:
      return 0;
  }
}

/** A BTF handle; `close()` frees it when synq loaded it (vmlinux), idempotent. */
export class Btf {
  private btf: BpfPointer | null;
  private readonly owned: boolean;

  private constructor(btf: BpfPointer, owned: boolean) {
    this.btf = btf;
    this.owned = owned;
  }

  /** The running kernel's BTF (btf__load_vmlinux_btf); null when the kernel has none. */
  static vmlinux(): Btf | null {
    const btf = libbpf().btf__load_vmlinux_btf();
    if (!btf || libbpf().libbpf_get_error(btf)) return null;
    return new Btf(btf, true);
  }

  /** A loaded or opened object's BTF (owned by the object). */
  static ofObject(obj: BpfObject): Btf {
    return new Btf(obj.btf(), false);
  }

  private get pointer(): BpfPointer {
    if (this.btf === null) throw new Error("Btf used after close()");
    return this.btf;
  }

  /** The id of the type named `name` of `kind`, or null. */
  findId(name: string, kind: number): number | null {
    const id = libbpf().btf__find_by_name_kind(this.pointer, name, kind);
    return id > 0 ? id : null;
  }

  private type(id: number): BtfType {
    const ptr = libbpf().btf__type_by_id(this.pointer, id);
    if (!ptr) throw libbpfError(`reading BTF type ${id}`, -2);
    const head = new DataView(ffi().view(ptr, HEADER));
    const info = head.getUint32(4, true);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const view = new DataView(ffi().view(ptr, HEADER + trailerSize(kind, vlen)));
    return {
      kind,
      vlen,
      name: this.name(head.getUint32(0, true)),
      sizeOrType: head.getUint32(8, true),
      view,
    };
  }

  private name(offset: number): string {
    return libbpf().btf__name_by_offset(this.pointer, offset) ?? "";
  }

  /** The value of `member` in the enum named `enumName` (ENUM or ENUM64), or null. */
  enumValue(enumName: string, member: string): number | null {
    for (const kind of [BTF_KIND.ENUM, BTF_KIND.ENUM64]) {
      const id = this.findId(enumName, kind);
      if (id === null) continue;
      const t = this.type(id);
      const stride = kind === BTF_KIND.ENUM ? 8 : 12;
      for (let i = 0; i < t.vlen; i++) {
        const at = HEADER + i * stride;
        if (this.name(t.view.getUint32(at, true)) !== member) continue;
        return kind === BTF_KIND.ENUM
          ? t.view.getInt32(at + 4, true)
          : t.view.getUint32(at + 4, true) + t.view.getUint32(at + 8, true) * 2 ** 32;
      }
    }
    return null;
  }

  /** Whether a function of that name exists (an fentry/fexit target). */
  hasFunc(name: string): boolean {
    return this.findId(name, BTF_KIND.FUNC) !== null;
  }

  /** The parameter count of a kernel function (FUNC → FUNC_PROTO), or null if it has none. */
  funcParamCount(name: string): number | null {
    const id = this.findId(name, BTF_KIND.FUNC);
    if (id === null) return null;
    const proto = this.type(this.type(id).sizeOrType);
    return proto.kind === BTF_KIND.FUNC_PROTO ? proto.vlen : null;
  }

  /**
   * The parameter count of a tracepoint as raw_tp programs see it, from its
   * `btf_trace_<name>` typedef (a pointer to a prototype whose first parameter is the
   * context): null when the kernel has no such tracepoint.
   */
  tracepointArgCount(tracepoint: string): number | null {
    const id = this.findId(`btf_trace_${tracepoint}`, BTF_KIND.TYPEDEF);
    if (id === null) return null;
    const ptr = this.type(this.type(id).sizeOrType);
    if (ptr.kind !== BTF_KIND.PTR) return null;
    const proto = this.type(ptr.sizeOrType);
    return proto.kind === BTF_KIND.FUNC_PROTO ? proto.vlen - 1 : null;
  }

  /** The variables of a data section (".rodata"): name, offset and size, section order. */
  datasecVars(section: string): { name: string; offset: number; size: number }[] {
    const id = this.findId(section, BTF_KIND.DATASEC);
    if (id === null) return [];
    const t = this.type(id);
    const vars: { name: string; offset: number; size: number }[] = [];
    for (let i = 0; i < t.vlen; i++) {
      const at = HEADER + i * 12;
      vars.push({
        name: this.type(t.view.getUint32(at, true)).name,
        offset: t.view.getUint32(at + 4, true),
        size: t.view.getUint32(at + 8, true),
      });
    }
    return vars;
  }

  /** btf__free() for BTF synq loaded; safe to call twice. */
  close(): void {
    if (this.btf === null) return;
    const btf = this.btf;
    this.btf = null;
    if (this.owned) libbpf().btf__free(btf);
  }
}
