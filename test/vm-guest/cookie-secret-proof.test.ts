// Runs inside the harness's VMs (test/vm): bit-for-bit proof that synq's SYN-cookie codec is
// the kernel's. Reads the running kernel's syncookie_secret out of /proc/kcore (Debian builds
// with CONFIG_KALLSYMS_ALL, so /proc/kallsyms has its address), computes cookies for crafted
// SYNs with synq's own code, and compares them with what the kernel itself returns for the same
// SYNs through bpf_tcp_raw_gen_syncookie_ipv4/ipv6 in the same minute. Reading the secret is
// test code only.
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { release } from "node:os";
import { describe, expect, it } from "vitest";
import { makeCookieTuple, parseCookieEndpoint } from "../../src/cookie/endpoint.js";
import { askKernel } from "../../src/cookie/kernel-oracle.js";
import { secureTcpSynCookie } from "../../src/cookie/linux.js";
import { secretFromBytes } from "../../src/cookie/secret.js";
import { SynqError } from "../../src/errors.js";
import { atLeast, parseKernelRelease } from "../../src/kernel/version.js";

if (process.env.SYNQ_VM_KERNEL === undefined) {
  throw new Error("test/vm-guest runs only inside the VM harness: npm run test:vm");
}

/** Address of a kernel data symbol from /proc/kallsyms (root, CONFIG_KALLSYMS_ALL). */
function kallsyms(name: string): bigint {
  for (const line of readFileSync("/proc/kallsyms", "utf8").split("\n")) {
    const [addr, , sym] = line.split(/\s+/);
    if (sym === name && addr) {
      const a = BigInt(`0x${addr}`);
      if (a === 0n) throw new Error(`${name} has address 0: kptr_restrict hides it`);
      return a;
    }
  }
  throw new Error(`${name} is not in /proc/kallsyms`);
}

/** `len` bytes of kernel memory at virtual address `vaddr`, through /proc/kcore's ELF segments. */
function readKernelMemory(vaddr: bigint, len: number): Buffer {
  const fd = openSync("/proc/kcore", "r");
  try {
    const ehdr = Buffer.alloc(64);
    readSync(fd, ehdr, 0, 64, 0);
    if (ehdr.readUInt32BE(0) !== 0x7f454c46) throw new Error("/proc/kcore is not ELF");
    const phoff = ehdr.readBigUInt64LE(0x20);
    const phentsize = ehdr.readUInt16LE(0x36);
    const phnum = ehdr.readUInt16LE(0x38);
    const phdrs = Buffer.alloc(phentsize * phnum);
    readSync(fd, phdrs, 0, phdrs.length, phoff);
    for (let i = 0; i < phnum; i++) {
      const p = phdrs.subarray(i * phentsize);
      if (p.readUInt32LE(0) !== 1) continue; // PT_LOAD
      const offset = p.readBigUInt64LE(8);
      const start = p.readBigUInt64LE(16);
      const size = p.readBigUInt64LE(40);
      if (vaddr >= start && vaddr + BigInt(len) <= start + size) {
        const out = Buffer.alloc(len);
        readSync(fd, out, 0, len, offset + (vaddr - start));
        return out;
      }
    }
    throw new Error(`0x${vaddr.toString(16)} is in no /proc/kcore segment`);
  } finally {
    closeSync(fd);
  }
}

/** Crafted SYNs: both families, several ports, ISNs and MSS options (one per msstab slot). */
const SYNS = [
  { client: "10.1.2.3:40000", server: "10.9.8.7:80", isn: 0x11223344, mss: 1460 },
  { client: "192.0.2.77:1", server: "198.51.100.1:65535", isn: 0, mss: 536 },
  { client: "203.0.113.9:51515", server: "127.0.0.1:443", isn: 0xfffffffe, mss: 1300 },
  { client: "[2001:db8::1]:40000", server: "[2001:db8::2]:443", isn: 0xdeadbeef, mss: 1440 },
  { client: "[fe80::1234]:8080", server: "[::1]:22", isn: 7, mss: 8940 },
];

const HZ_CANDIDATES = [100, 250, 300, 1000];
const version = parseKernelRelease(release());
const hasOracle = version !== null && atLeast(version, [6, 0, 0]);

if (hasOracle) {
  describe(`synq's cookie codec equals kernel ${release()}'s`, () => {
    it("computes every cookie the kernel generates, with the kernel's own secret", () => {
      const asked = SYNS.map((s) => {
        const tuple = makeCookieTuple(
          parseCookieEndpoint(s.client, "--client"),
          parseCookieEndpoint(s.server, "--server"),
        );
        return {
          tuple,
          isn: s.isn,
          answer: askKernel({ tuple, isn: s.isn, cookie: null, synMss: s.mss }),
        };
      });
      // The secrets are filled on first use (net_get_random_once): read them after the kernel made cookies.
      const secret4 = secretFromBytes(readKernelMemory(kallsyms("syncookie_secret"), 32));
      const secret6 = secretFromBytes(readKernelMemory(kallsyms("syncookie6_secret"), 32));

      // tcp_cookie_time() = jiffies_64 / (60 * HZ): find the HZ under which every cookie matches.
      const matchingHz = HZ_CANDIDATES.filter((hz) =>
        asked.every(({ tuple, isn, answer }) => {
          const count = Number(answer.jiffies64 / BigInt(60 * hz));
          const secret = tuple.family === "ipv4" ? secret4 : secret6;
          return answer.perIndex.every(
            (g) => secureTcpSynCookie({ tuple, isn, secret }, count, g.mssIndex) === g.cookie,
          );
        }),
      );
      expect(matchingHz).toEqual([250]); // Debian's amd64 kernels: CONFIG_HZ_250

      let compared = 0;
      for (const { tuple, isn, answer } of asked) {
        const count = Number(answer.jiffies64 / BigInt(60 * 250));
        const secret = tuple.family === "ipv4" ? secret4 : secret6;
        for (const g of [answer.generated, ...answer.perIndex]) {
          expect(secureTcpSynCookie({ tuple, isn, secret }, count, g.mssIndex)).toBe(g.cookie);
          compared++;
        }
      }
      expect(compared).toBe(SYNS.length * 5);
    });
  });
} else {
  describe(`kernel ${release()} has no cookie helpers`, () => {
    it("is refused by --kernel with a one-line reason naming Linux 6.0", () => {
      const tuple = makeCookieTuple(
        parseCookieEndpoint("10.0.0.1:1", "--client"),
        parseCookieEndpoint("10.0.0.2:2", "--server"),
      );
      let caught: unknown;
      try {
        askKernel({ tuple, isn: 1, cookie: null, synMss: 1460 });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(SynqError);
      expect((caught as SynqError).message).toMatch(/Linux 6\.0/);
    });
  });
}
