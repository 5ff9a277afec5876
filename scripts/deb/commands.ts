// The commands as their own classes describe them (summary, description, flags, examples), read
// through oclif's Config as `synq --help` reads them: the one source the man page and the shell
// completions are generated from.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Config } from "@oclif/core";

/** One flag of a command, as help shows it. */
export interface FlagDoc {
  name: string;
  char?: string;
  summary: string;
  /** An option flag (--name VALUE) rather than a boolean. */
  takesValue: boolean;
  /** The values an option flag accepts, when the command lists them. */
  options?: string[];
  multiple: boolean;
  /** A boolean that also has --no-NAME. */
  allowNo: boolean;
  default?: string;
}

/** One command, as help shows it. */
export interface CommandDoc {
  id: string;
  summary: string;
  /** Paragraphs of the description beyond the summary. */
  description: string[];
  args: { name: string; description: string; required: boolean }[];
  flags: FlagDoc[];
  examples: { description?: string; command: string }[];
}

/** Everything the generators need: the program, its version and its commands. */
export interface CliDoc {
  bin: string;
  version: string;
  description: string;
  commands: CommandDoc[];
}

type CachedFlag = {
  name: string;
  char?: string;
  summary?: string;
  description?: string;
  type: "boolean" | "option";
  options?: readonly string[];
  multiple?: boolean;
  allowNo?: boolean;
  default?: unknown;
  hidden?: boolean;
};

/** The examples' `<%= config.bin %> <%= command.id %>` placeholders, filled in as help does. */
export function fillExample(text: string, bin: string, id: string): string {
  return text.replaceAll(/<%=\s*config\.bin\s*%>/g, bin).replaceAll(/<%=\s*command\.id\s*%>/g, id);
}

/** Loads the commands from the built package at `root` (package.json's oclif.commands: dist/). */
export async function loadCliDoc(root: string): Promise<CliDoc> {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    version: string;
    description: string;
    oclif: { bin: string };
  };
  const config = await Config.load({ root, userPlugins: false, devPlugins: false });
  const bin = pkg.oclif.bin;
  const commands = config.commands
    .filter((c) => !c.hidden)
    .map((c): CommandDoc => {
      const summary = c.summary ?? "";
      const paragraphs = (c.description ?? "")
        .split(/\n\s*\n/)
        .map((p) => p.trim())
        .filter((p) => p !== "" && p !== summary);
      const flags = Object.values(c.flags as Record<string, CachedFlag>)
        .filter((f) => !f.hidden)
        .map(
          (f): FlagDoc => ({
            name: f.name,
            ...(f.char ? { char: f.char } : {}),
            summary: f.summary ?? f.description ?? "",
            takesValue: f.type === "option",
            ...(f.options ? { options: [...f.options] } : {}),
            multiple: f.multiple === true,
            allowNo: f.allowNo === true,
            ...(f.type === "option" && typeof f.default === "string" ? { default: f.default } : {}),
          }),
        )
        .sort((a, b) => a.name.localeCompare(b.name));
      const args = Object.values(
        c.args as Record<string, { name: string; description?: string; required?: boolean }>,
      ).map((a) => ({ name: a.name, description: a.description ?? "", required: !!a.required }));
      const examples = (c.examples ?? []).map((e) =>
        typeof e === "string"
          ? { command: fillExample(e, bin, c.id) }
          : { description: e.description, command: fillExample(e.command, bin, c.id) },
      );
      return { id: c.id, summary, description: paragraphs, args, flags, examples };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
  return { bin, version: pkg.version, description: pkg.description, commands };
}
