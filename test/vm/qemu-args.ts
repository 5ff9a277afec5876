import { type Accel, cpuModel } from "./accel.js";

/** A host directory the guest sees read-write at `guestPath`. */
export interface WritableShare {
  hostPath: string;
  guestPath: string;
}

/** Everything that decides how qemu is started for one run. */
export interface QemuConfig {
  accel: Accel;
  memoryMiB: number;
  cpus: number;
  vmlinuz: string;
  initramfs: string;
  consoleLog: string;
  exchangeDir: string;
  writableShares: readonly WritableShare[];
  /** Unix sockets, listened on by the host, that receive the guest command's output. */
  stdoutSocket: string;
  stderrSocket: string;
}

/** The 9p tag under which the n-th writable share is exported. */
export const writableShareTag = (index: number): string => `synqrw${index}`;

// qemu option values are comma-separated; a literal comma is written twice.
const escapeOption = (value: string): string => value.replaceAll(",", ",,");

function virtfs(path: string, tag: string, readonly: boolean): string[] {
  const options = [
    `local`,
    `path=${escapeOption(path)}`,
    `mount_tag=${tag}`,
    `security_model=none`,
  ];
  if (readonly) options.push("readonly=on");
  // The host root spans several filesystems; remap keeps inode numbers unique in the guest.
  options.push("multidevs=remap");
  return ["-virtfs", options.join(",")];
}

function serialPort(id: string, socket: string): string[] {
  return [
    "-chardev",
    `socket,id=${id},path=${escapeOption(socket)}`,
    "-device",
    `virtserialport,bus=vser.0,chardev=${id},name=synq.${id}`,
  ];
}

/** The kernel command line: kernel messages stay on the serial log, quiet, and a panic ends qemu. */
export const kernelCommandLine = "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init";

/**
 * Single-threaded TCG by default: with one host thread per vCPU, a vCPU can still run an
 * int3 that another vCPU's text_poke_bp() has already removed (static keys at boot, kprobes
 * and BPF trampolines at run time), and the guest oopses ("Oops: int3" seen on 6.12).
 * Benchmarks that need the vCPUs to run in parallel (a flood beside its tracer) ask for
 * SYNQ_VM_TCG_THREADS=multi.
 */
export function tcgThreads(env: NodeJS.ProcessEnv = process.env): "single" | "multi" {
  return env.SYNQ_VM_TCG_THREADS === "multi" ? "multi" : "single";
}

/** qemu-system-x86_64 arguments that boot the kernel with the host root and the exchange share. */
export function qemuArgs(config: QemuConfig): string[] {
  return [
    "-nodefaults",
    "-no-user-config",
    "-no-reboot",
    "-display",
    "none",
    "-machine",
    "pc",
    "-accel",
    config.accel === "kvm" ? "kvm" : `tcg,thread=${tcgThreads()}`,
    "-cpu",
    cpuModel(config.accel),
    "-smp",
    String(config.cpus),
    "-m",
    String(config.memoryMiB),
    "-kernel",
    config.vmlinuz,
    "-initrd",
    config.initramfs,
    "-append",
    [kernelCommandLine, process.env.SYNQ_VM_APPEND ?? ""].join(" ").trim(),
    "-serial",
    `file:${config.consoleLog}`,
    "-device",
    "virtio-serial-pci,id=vser",
    ...serialPort("stdout", config.stdoutSocket),
    ...serialPort("stderr", config.stderrSocket),
    ...virtfs("/", "host", true),
    ...virtfs(config.exchangeDir, "synqvm", false),
    ...config.writableShares.flatMap((share, index) =>
      virtfs(share.hostPath, writableShareTag(index), false),
    ),
  ];
}
