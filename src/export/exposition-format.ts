/**
 * Which exposition format a scrape gets: Prometheus text 0.0.4, or OpenMetrics 1.0.0 when the
 * Accept header prefers it (Prometheus asks for OpenMetrics first, text/plain at q=0.5).
 */

export type ExpositionFormat = "prometheus" | "openmetrics";

/** The Content-Type of each format. */
export const CONTENT_TYPES: Record<ExpositionFormat, string> = {
  prometheus: "text/plain; version=0.0.4; charset=utf-8",
  openmetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8",
};

interface MediaRange {
  type: string;
  params: Map<string, string>;
  q: number;
}

function mediaRanges(accept: string): MediaRange[] {
  return accept.split(",").flatMap((part) => {
    const [type, ...rest] = part.split(";").map((s) => s.trim());
    if (!type) return [];
    const params = new Map<string, string>();
    for (const p of rest) {
      const eq = p.indexOf("=");
      if (eq > 0)
        params.set(
          p.slice(0, eq).trim().toLowerCase(),
          p
            .slice(eq + 1)
            .trim()
            .replace(/^"|"$/g, ""),
        );
    }
    const q = params.has("q") ? Number(params.get("q")) : 1;
    return [{ type: type.toLowerCase(), params, q: Number.isFinite(q) ? q : 0 }];
  });
}

/**
 * OpenMetrics when the Accept header gives `application/openmetrics-text` (version 1.0.0 or
 * none) at least the weight of anything the text format satisfies; the text format otherwise,
 * also with no Accept header at all.
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (!accept) return "prometheus";
  let openMetrics = 0;
  let text = 0;
  for (const r of mediaRanges(accept)) {
    if (r.type === "application/openmetrics-text") {
      const version = r.params.get("version");
      if (version === undefined || version === "1.0.0") openMetrics = Math.max(openMetrics, r.q);
    } else if (r.type === "text/plain" || r.type === "text/*" || r.type === "*/*") {
      text = Math.max(text, r.q);
    }
  }
  return openMetrics > 0 && openMetrics >= text ? "openmetrics" : "prometheus";
}
