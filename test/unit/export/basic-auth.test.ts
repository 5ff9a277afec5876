import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { BasicAuth, basicCredentials } from "../../../src/export/basic-auth.js";

const basic = (text: string) => `Basic ${Buffer.from(text).toString("base64")}`;

describe("basic authentication", () => {
  it("reads the user and password of a Basic header", () => {
    expect(basicCredentials(basic("prometheus:pa:ss"))).toEqual({
      user: "prometheus",
      password: "pa:ss",
    });
    expect(basicCredentials(`basic   ${Buffer.from("ü:é").toString("base64")}`)).toEqual({
      user: "ü",
      password: "é",
    });
    expect(basicCredentials(basic("no colon"))).toBeNull();
    expect(basicCredentials("Bearer abc")).toBeNull();
    expect(basicCredentials("Basic !!!")).toBeNull();
    expect(basicCredentials(undefined)).toBeNull();
  });

  it("lets a configured user with the right password in, and no one else", async () => {
    const auth = new BasicAuth(
      new Map([
        ["prometheus", bcrypt.hashSync("s3cret", 4)],
        ["agent", bcrypt.hashSync("other", 4)],
      ]),
    );
    expect(await auth.allows(basic("prometheus:s3cret"))).toBe(true);
    // Remembered: the same answer again, from the digest.
    expect(await auth.allows(basic("prometheus:s3cret"))).toBe(true);
    expect(await auth.allows(basic("agent:other"))).toBe(true);
    expect(await auth.allows(basic("prometheus:other"))).toBe(false);
    expect(await auth.allows(basic("agent:s3cret"))).toBe(false);
    expect(await auth.allows(basic("nobody:s3cret"))).toBe(false);
    expect(await auth.allows(basic("prometheus:"))).toBe(false);
    expect(await auth.allows(undefined)).toBe(false);
  });
});
