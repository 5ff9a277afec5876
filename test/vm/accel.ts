import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";

/** qemu's accelerator: hardware KVM where it works, else TCG emulation. */
export type Accel = "kvm" | "tcg";

/** The -cpu model: $SYNQ_VM_CPU, else the host's own under KVM, else what TCG emulates. */
export const cpuModel = (accel: Accel): string =>
  process.env.SYNQ_VM_CPU || (accel === "kvm" ? "host" : "max");

// /dev/kvm can open and still fail to run Linux (broken nested virtualisation: qemu aborts
// on MSR writes, or firmware runs but the kernel hangs once in long mode). So boot the
// kernel for real without a root filesystem: reaching its "no root" panic proves KVM works.
async function kvmBootsLinux(vmlinuz: string): Promise<boolean> {
  try {
    accessSync("/dev/kvm", constants.R_OK | constants.W_OK);
  } catch {
    return false;
  }
  const args = [
    "-accel",
    "kvm",
    "-cpu",
    cpuModel("kvm"),
    "-machine",
    "pc",
    "-m",
    "256",
    "-nodefaults",
  ];
  args.push("-display", "none", "-no-reboot", "-serial", "stdio", "-kernel", vmlinuz);
  args.push("-append", "console=ttyS0 panic=-1");
  const qemu = spawn("qemu-system-x86_64", args, { stdio: ["ignore", "pipe", "ignore"] });
  return new Promise((resolve) => {
    let output = "";
    const finish = (works: boolean): void => {
      clearTimeout(timer);
      qemu.kill("SIGKILL");
      resolve(works);
    };
    const timer = setTimeout(() => finish(false), 15_000);
    qemu.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Kernel panic")) finish(true);
    });
    qemu.once("error", () => finish(false));
    qemu.once("exit", () => finish(output.includes("Kernel panic")));
  });
}

let chosen: Promise<Accel> | undefined;

/** $SYNQ_VM_ACCEL (kvm or tcg) if set, else KVM when it boots `vmlinuz`, else TCG. */
export function chooseAccel(vmlinuz: string): Promise<Accel> {
  const forced = process.env.SYNQ_VM_ACCEL;
  if (forced !== undefined && forced !== "") {
    if (forced !== "kvm" && forced !== "tcg")
      throw new Error(`SYNQ_VM_ACCEL must be kvm or tcg, not "${forced}".`);
    return Promise.resolve(forced);
  }
  chosen ??= kvmBootsLinux(vmlinuz).then((works) => (works ? "kvm" : "tcg"));
  return chosen;
}
