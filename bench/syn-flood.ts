/**
 * A SYN flood generator for bench/tracer-overhead.ts, run inside the bench's namespace:
 * builds `count` SYNs from spoofed sources (192.0.2.0/24, routed back into lo, so their
 * SYN-ACKs die there) first, then sends them through one raw socket and prints how long the
 * sending took. On loopback each sendto() runs the receive path (tc, TCP, the tracer) to
 * completion before it returns, so the rate measures the kernel's per-SYN cost.
 * Usage: ip netns exec NS node --import tsx bench/syn-flood.ts '{"dst":…,"dport":…,"count":…}'
 */
import { buildSyn, sendRaw } from "../test/helpers/raw-syn.js";

interface FloodSpec {
  dst: string;
  dport: number;
  count: number;
}

const spec = JSON.parse(process.argv[2] ?? "{}") as FloodSpec;
const packets: Buffer[] = [];
for (let i = 0; i < spec.count; i++) {
  const src = `192.0.2.${1 + (i % 250)}`;
  packets.push(buildSyn(src, 1024 + (Math.floor(i / 250) % 60000), spec.dst, spec.dport, i));
}
const start = process.hrtime.bigint();
sendRaw(spec.dst, packets);
const ns = Number(process.hrtime.bigint() - start);
process.stdout.write(
  `${JSON.stringify({ sent: spec.count, ns, perSecond: spec.count / (ns / 1e9) })}\n`,
);
