/**
 * The line charts (blessed-contrib): the selected listener's accept queue against its backlog
 * and peak, its SYN-RECV against the SYN limit, and its namespace's drop and cookie rates.
 */
import type { Widgets } from "blessed";
import type { LineData } from "blessed-contrib";
import type { Frame, Series } from "../frame-model.js";

/** Line colours, one per series of a chart, in order. */
export const SERIES_COLOURS = ["yellow", "cyan", "magenta", "red", "green"] as const;

/** Which chart: the listener's accept queue, its SYN queue, its namespace's counters. */
export type ChartName = "queue" | "syn" | "counters";

/** A chart's title, naming what it shows. */
export function chartLabel(frame: Frame, chart: ChartName): string {
  const c = frame.charts;
  if (chart === "counters")
    return ` netns ${c.netns === null ? "-" : c.netns || "(current)"} per s `;
  const who = c.listener ?? "-";
  return chart === "queue" ? ` ${who} accept queue ` : ` ${who} SYN-RECV `;
}

/**
 * blessed-contrib line data for a chart's series: x labels in seconds before the newest point;
 * a series with no value at all (the peak without a tracer) is left out, a missing point drawn
 * as 0. Charts need two points; before that each series is a flat line at its one value.
 */
export function lineData(series: readonly Series[], step: number, colours = true): LineData[] {
  const kept = series.filter((s) => s.values.some((v) => v !== null));
  const n = Math.max(2, ...kept.map((s) => s.values.length));
  const x = Array.from({ length: n }, (_, i) => `${-(n - 1 - i) * step}s`);
  return kept.map((s) => {
    const vals = s.values.map((v) => v ?? 0);
    const y = vals.length >= 2 ? vals : Array.from({ length: n }, () => vals[0] ?? 0);
    const padded = y.length < n ? [...Array.from({ length: n - y.length }, () => 0), ...y] : y;
    return {
      title: s.title,
      x,
      y: padded,
      ...(colours
        ? { style: { line: SERIES_COLOURS[series.indexOf(s) % SERIES_COLOURS.length] as string } }
        : {}),
    };
  });
}

/** The legend the label carries when the chart is too narrow for blessed-contrib's own. */
export function legendText(series: readonly Series[], colours: boolean): string {
  return series
    .filter((s) => s.values.some((v) => v !== null))
    .map((s) => {
      const last = s.values.at(-1);
      const text = `${s.title} ${last === null || last === undefined ? "-" : Number.isInteger(last) ? last : last.toFixed(1)}`;
      const colour = SERIES_COLOURS[series.indexOf(s) % SERIES_COLOURS.length];
      return colours ? `{${colour}-fg}${text}{/${colour}-fg}` : text;
    })
    .join("  ");
}

/** Draws `series` into a line chart, or says there is nothing yet. */
export function drawChart(
  chart: Widgets.BoxElement & { setData(d: LineData[]): void },
  series: readonly Series[],
  step: number,
  colours: boolean,
): void {
  const data = lineData(series, step, colours);
  chart.setData(data.length ? data : [{ title: "", x: ["0s", "0s"], y: [0, 0] }]);
}
