/**
 * Writes metric families as Prometheus text 0.0.4 or OpenMetrics 1.0.0, in chunks: a scrape of
 * 10,000 listeners is megabytes of text, and writing it a chunk at a time keeps the process from
 * holding it whole (or the tens of thousands of series objects a registry would make of it).
 *
 * The two formats differ only where the specs do: OpenMetrics names a counter's family without
 * `_total` (its samples keep it), has no blank line between families, escapes `"` in HELP too,
 * and ends with `# EOF`.
 */
import type { ExpositionFormat } from "./exposition-format.js";

export type MetricType = "counter" | "gauge";

/** A family's metadata. A counter's name ends in `_total`. */
export interface FamilyHead {
  name: string;
  type: MetricType;
  help: string;
}

/** A gauge's head. */
export const gauge = (name: string, help: string): FamilyHead => ({ name, type: "gauge", help });

/** A counter's head. */
export const counter = (name: string, help: string): FamilyHead => ({
  name,
  type: "counter",
  help,
});

/** Label name → value, in the order they are written. */
export type Labels = Readonly<Record<string, string>>;

/** About the size of each chunk, in UTF-16 code units. */
export const CHUNK_SIZE = 64 * 1024;

/** A label value as both formats write it: `\`, `"` and newline escaped. */
export function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/[\\"\n]/g, escapeChar) : value;
}

function escapeChar(c: string): string {
  return c === "\n" ? "\\n" : `\\${c}`;
}

function escapeHelp(help: string, format: ExpositionFormat): string {
  const special = format === "openmetrics" ? /[\\"\n]/g : /[\\\n]/g;
  return help.replace(special, escapeChar);
}

/** `{a="1",b="2"}`, or "" without labels. */
export function labelSet(labels: Labels): string {
  let out = "";
  for (const name in labels) {
    out += `${out === "" ? "{" : ","}${name}="${escapeLabelValue(labels[name] as string)}"`;
  }
  return out === "" ? "" : `${out}}`;
}

/** A sample value: integers and decimals as JavaScript prints them, NaN and ±Inf as spelled. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

/**
 * Collects an exposition's text; `full` says when a chunk is ready for `take()`. A family's
 * samples follow its head, so everything written between two `family()` calls is its samples.
 */
export class ExpositionWriter {
  private pending = "";
  private families = 0;

  constructor(readonly format: ExpositionFormat) {}

  /** Starts a family: HELP and TYPE. */
  family(head: FamilyHead): void {
    const name =
      head.type === "counter" && this.format === "openmetrics"
        ? head.name.replace(/_total$/, "")
        : head.name;
    if (this.families++ > 0 && this.format === "prometheus") this.pending += "\n";
    this.pending += `# HELP ${name} ${escapeHelp(head.help, this.format)}\n# TYPE ${name} ${head.type}\n`;
  }

  /** One sample of the current family; `labels` is a labelSet() (written as given). */
  sample(name: string, labels: string, value: number): void {
    this.pending += `${name}${labels} ${formatValue(value)}\n`;
  }

  /** A family of one unlabelled sample. */
  single(head: FamilyHead, value: number): void {
    this.family(head);
    this.sample(head.name, "", value);
  }

  /** Whether a chunk's worth is pending. */
  get full(): boolean {
    return this.pending.length >= CHUNK_SIZE;
  }

  /** What was written since the last take. */
  take(): string {
    const chunk = this.pending;
    this.pending = "";
    return chunk;
  }

  /** The rest, with OpenMetrics' `# EOF`. */
  end(): string {
    if (this.format === "openmetrics") this.pending += "# EOF\n";
    return this.take();
  }
}

/** Chunks as a renderer fills the writer: whenever one is full, and at its end. */
export type Renderer = (w: ExpositionWriter) => Generator<string, void, undefined>;

/** A whole exposition as one string (for a file, or a test). */
export function renderToString(format: ExpositionFormat, ...renderers: Renderer[]): string {
  const w = new ExpositionWriter(format);
  let out = "";
  for (const render of renderers) for (const chunk of render(w)) out += chunk;
  return out + w.end();
}

/** Every chunk of an exposition, `# EOF` included, as the renderers fill it. */
export function* exposition(
  format: ExpositionFormat,
  ...renderers: Renderer[]
): Generator<string, void, undefined> {
  const w = new ExpositionWriter(format);
  for (const render of renderers) yield* render(w);
  yield w.end();
}
