/** One member of an initramfs archive. Paths are relative ("bin/busybox"), parents first. */
export type CpioEntry =
  | { kind: "dir"; path: string; mode?: number }
  | { kind: "file"; path: string; data: Uint8Array; mode?: number }
  | { kind: "symlink"; path: string; target: string }
  | { kind: "chardev"; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

const hex8 = (n: number): string => n.toString(16).padStart(8, "0");
const padTo4 = (length: number): Buffer => Buffer.alloc((4 - (length % 4)) % 4);

function header(fields: {
  ino: number;
  mode: number;
  nlink: number;
  size: number;
  rdevMajor: number;
  rdevMinor: number;
  nameSize: number;
}): Buffer {
  const values = [
    fields.ino,
    fields.mode,
    0, // uid
    0, // gid
    fields.nlink,
    0, // mtime: fixed so the archive is reproducible
    fields.size,
    0, // devmajor
    0, // devminor
    fields.rdevMajor,
    fields.rdevMinor,
    fields.nameSize,
    0, // check
  ];
  return Buffer.from(`070701${values.map(hex8).join("")}`, "ascii");
}

function member(
  ino: number,
  name: string,
  mode: number,
  data: Uint8Array,
  rdev = [0, 0],
): Buffer[] {
  const nameBytes = Buffer.from(`${name}\0`, "utf8");
  const head = header({
    ino,
    mode,
    nlink: mode & S_IFDIR ? 2 : 1,
    size: data.length,
    rdevMajor: rdev[0] ?? 0,
    rdevMinor: rdev[1] ?? 0,
    nameSize: nameBytes.length,
  });
  return [
    head,
    nameBytes,
    padTo4(head.length + nameBytes.length),
    Buffer.from(data),
    padTo4(data.length),
  ];
}

/** Serialises entries as a "newc" cpio archive, the format the kernel unpacks as initramfs. */
export function cpioNewc(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  entries.forEach((entry, index) => {
    const ino = index + 1;
    switch (entry.kind) {
      case "dir":
        parts.push(...member(ino, entry.path, S_IFDIR | (entry.mode ?? 0o755), new Uint8Array()));
        break;
      case "file":
        parts.push(...member(ino, entry.path, S_IFREG | (entry.mode ?? 0o644), entry.data));
        break;
      case "symlink":
        parts.push(...member(ino, entry.path, S_IFLNK | 0o777, Buffer.from(entry.target, "utf8")));
        break;
      case "chardev":
        parts.push(
          ...member(ino, entry.path, S_IFCHR | (entry.mode ?? 0o600), new Uint8Array(), [
            entry.major,
            entry.minor,
          ]),
        );
        break;
    }
  });
  parts.push(...member(0, "TRAILER!!!", 0, new Uint8Array()));
  return Buffer.concat(parts);
}
