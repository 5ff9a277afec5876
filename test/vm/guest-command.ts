/** Quotes one word for POSIX sh. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The script the guest runs in its chroot: set the environment, cd, exec the command. */
export function guestCommandScript(
  command: readonly string[],
  cwd: string,
  env: Record<string, string>,
): string {
  if (command.length === 0) throw new Error("No command given to run in the VM.");
  const exports = Object.entries(env).map(([key, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      throw new Error(`Not an environment variable name: "${key}".`);
    return `export ${key}=${shellQuote(value)}\n`;
  });
  return [
    ...exports,
    `cd ${shellQuote(cwd)} || exit 126\n`,
    `exec ${command.map(shellQuote).join(" ")}\n`,
  ].join("");
}

/** config.sh, sourced by the guest's /init before it builds the root. */
export function guestConfigScript(fields: {
  uname: string;
  hostModulesDir: string;
  hostBootDir: string;
  writableShares: readonly { tag: string; guestPath: string }[];
}): string {
  for (const share of fields.writableShares) {
    if (/\s/.test(share.guestPath))
      throw new Error(
        `A writable share's guest path may not contain spaces: "${share.guestPath}".`,
      );
  }
  const shares = fields.writableShares.map((share) => `${share.tag}:${share.guestPath}`).join(" ");
  return [
    `GUEST_UNAME=${shellQuote(fields.uname)}`,
    `HOST_MODULES_DIR=${shellQuote(fields.hostModulesDir)}`,
    `HOST_BOOT_DIR=${shellQuote(fields.hostBootDir)}`,
    `WRITABLE_SHARES=${shellQuote(shares)}`,
    "",
  ].join("\n");
}
