import { Args, Flags } from "@oclif/core";
import { SynqCommand } from "../base-command.js";
import type { CookieReport } from "../model/cookie.js";

/** `synq decode-cookie`: decode and verify SYN cookies exactly as Linux makes them. */
export default class DecodeCookie extends SynqCommand {
  static override summary =
    "Decode a SYN cookie (sequence number or TSval) and verify it as Linux does";

  static override description = [
    "Shows the classic bit layout of a SYN-ACK sequence number and explains the Linux layout, where the minute counter and the MSS index are hidden under SipHash. Given the 4-tuple, the client's ISN and the kernel's secret it redoes check_tcp_syn_cookie: counter, age, MSS, valid or not.",
    "--tsval decodes the window scale, SACK and ECN bits Linux keeps in a cookie SYN-ACK's timestamp (readable on the wire only with net.ipv4.tcp_timestamps=2, or with a known --ts-offset).",
    "--kernel asks the running kernel, with its own secret, through a BPF program run on crafted packets (root, Linux 6.0+).",
  ].join("\n\n");

  static override examples = [
    {
      description: "Decode a SYN-ACK's sequence number",
      command: "<%= config.bin %> <%= command.id %> 19892476",
    },
    {
      description: "Read wscale/SACK/ECN from a cookie SYN-ACK's TSval",
      command: "<%= config.bin %> <%= command.id %> --tsval 1596666",
    },
    {
      description: "Verify with the kernel's secret (64 hex digits, memory order) at counter 1000",
      command:
        "<%= config.bin %> <%= command.id %> 0xa3242733 --client 10.0.0.1:40000 --server 10.0.0.2:80 --isn 0x11223344 --count 1000 --secret 000102030405060708090a0b0c0d0e0f08090a0b0c0d0e0f0001020304050607",
    },
    {
      description: "Make a cookie (round-trips with the decoder)",
      command:
        "<%= config.bin %> <%= command.id %> --encode --mss 1460 --client 10.0.0.1:40000 --server 10.0.0.2:80 --isn 0x11223344 --count 1000 --secret 000102030405060708090a0b0c0d0e0f08090a0b0c0d0e0f0001020304050607",
    },
    {
      description:
        "As root: is the final ACK a valid cookie here, and what would this kernel send?",
      command:
        "<%= config.bin %> <%= command.id %> --kernel --ack 19892477 --client 10.0.0.1:40000 --server 10.0.0.2:80 --isn 706844876 --mss 1460",
    },
  ];

  static override enableJsonFlag = true;

  static override args = {
    seq: Args.string({
      description: "the SYN-ACK's sequence number (the cookie), decimal or 0x-hex",
      required: false,
    }),
  };

  static override flags = {
    ack: Flags.string({
      summary: "the client's final ACK's ack number instead (cookie = ack − 1)",
    }),
    tsval: Flags.string({
      summary: "a cookie SYN-ACK's TSval (or the ACK's TSecr): decode wscale/SACK/ECN",
    }),
    "ts-offset": Flags.string({
      summary: "the TSval offset to remove, if known (0 with tcp_timestamps=2)",
    }),
    client: Flags.string({
      summary: "the SYN's source, e.g. 10.0.0.1:40000 or [2001:db8::1]:40000",
    }),
    server: Flags.string({ summary: "the listener the SYN went to, e.g. 10.0.0.2:80" }),
    isn: Flags.string({ summary: "the client's ISN: the SYN's seq (or the final ACK's seq − 1)" }),
    secret: Flags.string({
      summary:
        "syncookie_secret[2] as 64 hex digits: secret[0] then secret[1], kernel memory order",
    }),
    count: Flags.string({
      summary: "tcp_cookie_time() (jiffies_64 / (60·HZ)) to check at; default: this kernel's, now",
    }),
    encode: Flags.boolean({
      summary: "make a cookie instead (needs --client/--server/--isn/--secret)",
    }),
    "mss-index": Flags.string({ summary: "with --encode: the msstab index 0-3 to encode" }),
    mss: Flags.string({
      summary: "the SYN's MSS option (for --encode and --kernel), rounded down to msstab",
    }),
    kernel: Flags.boolean({ summary: "ask the running kernel via BPF (root, Linux 6.0+)" }),
    "host-endian": Flags.string({
      summary: "byte order of the host that made the cookie: little (default) or big",
    }),
  };

  /** Parses, builds the report, prints it unless --json; returns the JSON payload. */
  async run(): Promise<CookieReport> {
    const { args, flags } = await this.parse(DecodeCookie);
    // Loaded on demand, so `synq --help` and other commands start without them.
    const [{ parseCookieRequest }, { buildCookieReport }] = await Promise.all([
      import("../cookie/request.js"),
      import("../cookie/report.js"),
    ]);
    const request = parseCookieRequest({
      seq: args.seq,
      ack: flags.ack,
      tsval: flags.tsval,
      tsOffset: flags["ts-offset"],
      client: flags.client,
      server: flags.server,
      isn: flags.isn,
      secret: flags.secret,
      count: flags.count,
      encode: flags.encode,
      mssIndex: flags["mss-index"],
      mss: flags.mss,
      kernel: flags.kernel,
      hostEndian: flags["host-endian"],
    });
    const report = await buildCookieReport(request);
    if (this.jsonEnabled()) {
      const { CookieReportSchema } = await import("../model/cookie.js");
      return CookieReportSchema.parse(report);
    }
    const { renderCookieReport } = await import("../render/cookie.js");
    this.log(renderCookieReport(report));
    return report;
  }
}
