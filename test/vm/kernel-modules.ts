import { basename } from "node:path";

/** A module's canonical name from its path: "kernel/net/9p/9pnet_virtio.ko.xz" → "9pnet_virtio". */
export function moduleName(path: string): string {
  return basename(path)
    .replace(/\.ko(\.(xz|zst|gz))?$/, "")
    .replaceAll("-", "_");
}

/** modules.dep as a map from module name to its path and the paths of all it depends on. */
export type ModuleDeps = Map<string, { path: string; deps: string[] }>;

/** Parses modules.dep ("path: dep-path dep-path…" per line), as written by depmod. */
export function parseModulesDep(text: string): ModuleDeps {
  const modules: ModuleDeps = new Map();
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const path = line.slice(0, colon).trim();
    const deps = line
      .slice(colon + 1)
      .split(/\s+/)
      .filter((dep) => dep !== "");
    modules.set(moduleName(path), { path, deps });
  }
  return modules;
}

/** Names of the modules compiled into the kernel, from modules.builtin. */
export function parseModulesBuiltin(text: string): Set<string> {
  return new Set(
    text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map(moduleName),
  );
}

/**
 * The module files to insmod, dependencies first, so that every wanted module is present.
 * Wanted modules that are built in need nothing; a wanted module that is neither built in
 * nor in modules.dep is an error, since the VM could not boot without it.
 */
export function moduleLoadOrder(
  wanted: readonly string[],
  deps: ModuleDeps,
  builtin: Set<string>,
): string[] {
  const order: string[] = [];
  const visit = (path: string, chain: string[]): void => {
    if (order.includes(path)) return;
    const name = moduleName(path);
    if (chain.includes(name))
      throw new Error(`modules.dep has a dependency cycle: ${[...chain, name].join(" → ")}`);
    const entry = deps.get(name);
    if (entry === undefined)
      throw new Error(`modules.dep lists ${path} as a dependency but has no entry for it`);
    // depmod lists the full transitive closure; recursing keeps dependencies before users.
    for (const dep of entry.deps) visit(dep, [...chain, name]);
    order.push(entry.path);
  };
  for (const raw of wanted) {
    const name = raw.replaceAll("-", "_");
    if (builtin.has(name)) continue;
    const entry = deps.get(name);
    if (entry === undefined)
      throw new Error(`kernel has module ${name} neither built in nor in modules.dep`);
    visit(entry.path, []);
  }
  return order;
}
