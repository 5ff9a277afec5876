import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { guestCommandScript, shellQuote } from "./guest-command.js";

describe("guestCommandScript", () => {
  it("runs the argv unchanged, in the directory, with the environment", () => {
    const awkward = ["it's", "$HOME", "a b", "", "*"];
    const script = guestCommandScript(
      ["sh", "-c", 'printf "%s|" "$@" "$PWD" "$GREETING"', "sh", ...awkward],
      "/",
      {
        GREETING: "hello 'world'",
      },
    );
    expect(execFileSync("sh", ["-c", script], { encoding: "utf8" })).toBe(
      `${awkward.join("|")}|/|hello 'world'|`,
    );
  });

  it("refuses an empty command and bad variable names", () => {
    expect(() => guestCommandScript([], "/", {})).toThrow(/No command/);
    expect(() => guestCommandScript(["true"], "/", { "A-B": "1" })).toThrow(
      /Not an environment variable/,
    );
  });
});

describe("shellQuote", () => {
  it("leaves plain words alone", () => {
    expect(shellQuote("test/vm-guest")).toBe("test/vm-guest");
  });
});
