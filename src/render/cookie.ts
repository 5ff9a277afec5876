/**
 * Human output of decode-cookie: each 32-bit layout drawn as a row of boxed bits with the
 * bit numbers above, a letter under each field and a legend naming the fields.
 *
 *    31      27 26  24 23                                              0
 *   ┌──────────┬──────┬────────────────────────────────────────────────┐
 *   │ 1 0 1 0 0│ 0 1 1│ 0 0 1 0 0 1 0 0 0 0 1 0 0 1 1 1 0 0 1 1 0 0 1 1│
 *   └──────────┴──────┴────────────────────────────────────────────────┘
 *    A          B      C
 */
import type { BitField, CookieReport, CookieTimeModel } from "../model/cookie.js";

const WIDTH = 100;

function hex(v: number, digits = 8): string {
  return `0x${(v >>> 0).toString(16).padStart(digits, "0")}`;
}

function wrap(text: string, indent: string, width = WIDTH): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const word of text.split(/\s+/)) {
    if (line.length > indent.length && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent;
    }
    line += line.length > indent.length ? ` ${word}` : word;
  }
  if (line.length > indent.length) lines.push(line);
  return lines;
}

function fieldValue(f: BitField): string {
  const bits = f.msb - f.lsb + 1;
  return bits >= 8 ? `${f.value} (${hex(f.value, Math.ceil(bits / 4))})` : String(f.value);
}

/** Draws the 32 bits of `value` split into `fields` (msb first), with a lettered legend. */
export function drawBits(value: number, fields: readonly BitField[], indent = "  "): string[] {
  const v = value >>> 0;
  const widths = fields.map((f) => 2 * (f.msb - f.lsb + 1) + 1);
  const numbers = fields
    .map((f, i) => {
      const w = widths[i] as number;
      if (f.msb === f.lsb)
        return String(f.msb)
          .padStart(Math.ceil((w + 1) / 2))
          .padEnd(w);
      const lsb = String(f.lsb);
      return ` ${String(f.msb).padEnd(w - 2 - lsb.length)}${lsb} `;
    })
    .join(" ");
  const cells = fields
    .map((f) => {
      const bits: string[] = [];
      for (let b = f.msb; b >= f.lsb; b--) bits.push(String((v >>> b) & 1));
      return ` ${bits.join(" ")} `;
    })
    .join("│");
  const rule = (l: string, m: string, r: string) =>
    `${l}${widths.map((w) => "─".repeat(w)).join(m)}${r}`;
  const letters = fields
    .map((_, i) => String.fromCharCode(65 + i).padEnd(widths[i] as number))
    .join(" ");
  const out = [
    `${indent} ${numbers}`.trimEnd(),
    `${indent}${rule("┌", "┬", "┐")}`,
    `${indent}│${cells}│`,
    `${indent}${rule("└", "┴", "┘")}`,
    `${indent}  ${letters.trimEnd()}`,
  ];
  const nameWidth = Math.max(...fields.map((f) => f.name.length));
  const bitsWidth = Math.max(...fields.map((f) => `bits ${f.msb}-${f.lsb}`.length));
  const valueWidth = Math.max(...fields.map((f) => fieldValue(f).length));
  fields.forEach((f, i) => {
    const bits = f.msb === f.lsb ? `bit ${f.msb}` : `bits ${f.msb}-${f.lsb}`;
    out.push(
      `${indent}${String.fromCharCode(65 + i)}  ${f.name.padEnd(nameWidth)}  ${bits.padEnd(bitsWidth)}  = ${fieldValue(f).padEnd(valueWidth)}  ${f.meaning}`,
    );
  });
  return out;
}

function timeLine(t: CookieTimeModel): string {
  return `counter ${t.count} (${t.detail})`;
}

function sequenceSection(seq: NonNullable<CookieReport["sequence"]>): string[] {
  const out: string[] = [];
  const origin =
    seq.source === "ack"
      ? `the final ACK's ack ${seq.ack} − 1`
      : seq.source === "encode"
        ? "encoded"
        : "the SYN-ACK's sequence number";
  out.push(`Cookie ${seq.hex} = ${seq.cookie} (${origin})`);
  if (seq.encoded) {
    out.push(
      `  made by secure_tcp_syn_cookie with MSS index ${seq.encoded.mssIndex} (${seq.encoded.mss}) at ${timeLine(seq.encoded.count)}`,
    );
  }
  out.push("");
  out.push("Classic layout: pure bit slicing (textbook SYN cookies, not Linux)");
  out.push(...drawBits(seq.cookie, seq.classic.fields));
  out.push(...wrap(seq.classic.note, "  "));
  out.push("");
  out.push("Linux layout (net/ipv4/syncookies.c, net/ipv6/syncookies.c)");
  out.push(...wrap(seq.linux.formula, "  "));
  out.push(...wrap(seq.linux.note, "  "));
  const v = seq.linux.verification;
  if (!v) {
    out.push(...wrap(`To verify it here, add: ${seq.linux.needs.join(", ")}`, "  "));
    return out;
  }
  const ep = (e: { address: string; port: number }) =>
    v.family === "ipv6" ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
  out.push("");
  out.push(
    `  ${v.family}: client ${ep(v.client)} → server ${ep(v.server)}, ISN ${hex(v.isn)} (${v.isn}), ${v.hostEndian}-endian host`,
  );
  out.push(`  ${timeLine(v.count)}`);
  out.push(
    `  H0 = ${hex(v.h0)}; cookie − (H0 + ISN) = ${hex(v.stripped)}, which now has the layout:`,
  );
  out.push(...drawBits(v.stripped, v.fields));
  out.push(...wrap(`→ ${v.verdict}`, "  "));
  return out;
}

function timestampSection(ts: NonNullable<CookieReport["timestamp"]>): string[] {
  const out: string[] = [];
  const off = ts.tsOffsetSource === "flag" ? ` − offset ${ts.tsOffset} = ${hex(ts.ts)}` : "";
  out.push(
    `TCP timestamp cookie: TSval ${hex(ts.tsval)} = ${ts.tsval}${off} (cookie_init_timestamp)`,
  );
  out.push(...drawBits(ts.ts, ts.fields));
  const ws = ts.wscale === null ? "none (0xF)" : String(ts.wscale);
  out.push(`  → window scale ${ws}, SACK ${ts.sack ? "yes" : "no"}, ECN ${ts.ecn ? "yes" : "no"}`);
  out.push(...wrap(ts.note, "  "));
  return out;
}

function kernelSection(k: NonNullable<CookieReport["kernel"]>): string[] {
  const out: string[] = [];
  const v = k.family === "ipv4" ? "ipv4" : "ipv6";
  const ep = (e: { address: string; port: number }) =>
    k.family === "ipv6" ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
  out.push(
    `Asked the running kernel ${k.kernelRelease} (bpf_tcp_raw_gen/check_syncookie_${v} via BPF_PROG_TEST_RUN)`,
  );
  out.push(
    k.count
      ? `  ${timeLine(k.count)}`
      : `  jiffies_64 ${k.jiffies64} (CONFIG_HZ unknown, so no counter)`,
  );
  const synMss = k.generated.synMss === null ? "no MSS option" : `MSS option ${k.generated.synMss}`;
  out.push(
    ...wrap(
      `SYN ${ep(k.client)} → ${ep(k.server)}, ISN ${hex(k.isn)}, ${synMss}: the kernel would answer now with cookie ${k.generated.hex} (${k.generated.cookie}), MSS ${k.generated.mss} (index ${k.generated.mssIndex})`,
      "  ",
    ),
  );
  out.push(
    ...wrap(
      `same SYN by MSS index: ${k.perIndex.map((p) => `${p.mssIndex}:${p.hex} (${p.mss})`).join("  ")}`,
      "  ",
    ),
  );
  if (k.check) {
    out.push(
      ...wrap(
        `cookie ${k.check.hex} (ACK seq ${hex((k.isn + 1) >>> 0)}, ack ${hex(k.check.ack)}): ${k.check.verdict}`,
        "  ",
      ),
    );
  }
  return out;
}

/** The whole human report, sections separated by a blank line. */
export function renderCookieReport(report: CookieReport): string {
  const sections: string[][] = [];
  if (report.sequence) sections.push(sequenceSection(report.sequence));
  if (report.timestamp) sections.push(timestampSection(report.timestamp));
  if (report.kernel) sections.push(kernelSection(report.kernel));
  return sections.map((s) => s.join("\n")).join("\n\n");
}
