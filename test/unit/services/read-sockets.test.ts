import { afterEach, describe, expect, it, vi } from "vitest";
import { SynqError } from "../../../src/errors.js";
import { readSockets } from "../../../src/services/read-sockets.js";
import { SockDiagUnavailable } from "../../../src/sources/sock-diag.js";

// Which reader runs is the decision under test: both readers are replaced by recorders.
const withNetns = vi.hoisted(() => vi.fn());
const readSocketsWithSs = vi.hoisted(() => vi.fn());
vi.mock("../../../src/sources/enter-netns.js", () => ({ withNetns }));
vi.mock("../../../src/services/read-sockets-ss.js", () => ({ readSocketsWithSs }));

const here = { name: "", path: null };
const viaSs = { listeners: [], synRecv: [{ local: { address: "ss" }, count: 1 }] };
const emptyDump = { listeners: [], synRecv: [] };

describe("readSockets: sock_diag first, ss where sock_diag cannot be used", () => {
  afterEach(() => {
    vi.clearAllMocks();
    delete process.env.SYNQ_SOCKETS;
  });

  it("reads over sock_diag when it works, without running ss", async () => {
    withNetns.mockReturnValue(emptyDump);
    expect(await readSockets(here)).toEqual({ listeners: [], synRecv: [] });
    expect(readSocketsWithSs).not.toHaveBeenCalled();
  });

  it("falls back to ss when the kernel or platform has no sock_diag", async () => {
    withNetns.mockImplementation(() => {
      throw new SockDiagUnavailable("no tcp_diag");
    });
    readSocketsWithSs.mockResolvedValue(viaSs);
    expect(await readSockets(here)).toBe(viaSs);
  });

  it("does not hide other failures behind ss (a refused namespace stays an error)", async () => {
    const refused = new SynqError("permission", "entering network namespace x was refused");
    withNetns.mockImplementation(() => {
      throw refused;
    });
    await expect(readSockets({ name: "x", path: "/run/netns/x" })).rejects.toBe(refused);
    expect(readSocketsWithSs).not.toHaveBeenCalled();
  });

  it("reads with ss only when SYNQ_SOCKETS=ss asks for it", async () => {
    process.env.SYNQ_SOCKETS = "ss";
    readSocketsWithSs.mockResolvedValue(viaSs);
    expect(await readSockets(here)).toBe(viaSs);
    expect(withNetns).not.toHaveBeenCalled();
  });
});
