/**
 * Shell-style patterns for namespace labels (`cust-*`, `pid:*`, `web-[0-9]`): `*` any run of
 * characters, `?` one character, `[...]` one of a class (`[!...]` or `[^...]` none of it,
 * `a-z` ranges, a `]` first is literal). One label, no path semantics: `*` matches a leading
 * dot and anything else. No backslash escapes (labels may contain `\`); `[*]` is a literal `*`.
 * Written here because node 20's path.matchesGlob is experimental and warns on stderr.
 */

/** Whether a `--netns` value is a pattern rather than a name or a path (`/…`, never one). */
export function isNetnsPattern(spec: string): boolean {
  return !spec.startsWith("/") && /[*?[]/.test(spec);
}

/** Inside a RegExp class, with the `u` flag: these four are escaped, the rest is literal. */
function classChar(c: string): string {
  return /[\\\]^-]/.test(c) ? `\\${c}` : c;
}

/**
 * The class starting at `chars[open]` (a `[`) as RegExp source and the index after its `]`,
 * or null when it never closes (the `[` is then literal, as fnmatch(3) has it).
 */
function translateClass(chars: string[], open: number): { source: string; next: number } | null {
  let i = open + 1;
  const negated = chars[i] === "!" || chars[i] === "^";
  if (negated) i++;
  let body = "";
  for (let first = true; i < chars.length; first = false) {
    const c = chars[i] as string;
    if (c === "]" && !first) return { source: `[${negated ? "^" : ""}${body}]`, next: i + 1 };
    const to = chars[i + 2];
    if (chars[i + 1] === "-" && to !== undefined && to !== "]") {
      // A reversed range matches nothing (RegExp would refuse it).
      if ((c.codePointAt(0) as number) <= (to.codePointAt(0) as number))
        body += `${classChar(c)}-${classChar(to)}`;
      i += 3;
    } else {
      body += classChar(c);
      i++;
    }
  }
  return null;
}

/** The RegExp for a pattern, matching whole labels. */
export function netnsGlob(pattern: string): RegExp {
  const chars = [...pattern];
  let source = "";
  for (let i = 0; i < chars.length; ) {
    const c = chars[i] as string;
    const cls = c === "[" ? translateClass(chars, i) : null;
    if (cls) {
      source += cls.source;
      i = cls.next;
      continue;
    }
    if (c === "*") source += ".*";
    else if (c === "?") source += ".";
    else source += c.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
    i++;
  }
  return new RegExp(`^${source}$`, "su");
}
