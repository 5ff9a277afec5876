import { describe, expect, it } from "vitest";
import { requestLifetime, SYSCTLS } from "../../../src/kernel/sysctl-catalog.js";

describe("requestLifetime: how long an unanswered request socket lives", () => {
  it.each([
    [0, 1],
    [5, 63], // the default: 1 + 2 + 4 + 8 + 16 + 32
    [6, 127],
    [7, 247], // the 8th timeout is capped at TCP_RTO_MAX, 120 s
    [20, 1807],
  ])("%i SYN-ACK retries → %i s", (retries, seconds) => {
    expect(requestLifetime(retries)).toBe(seconds);
  });

  it("is what the tcp_synack_retries line says", () => {
    const spec = SYSCTLS.find((s) => s.key === "net.ipv4.tcp_synack_retries");
    expect(spec?.describe(20)).toBe("20 SYN-ACK retries: unanswered requests live ~1807 s");
  });
});
