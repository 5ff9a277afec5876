/**
 * Where each panel goes, and the blessed elements that draw a Frame. The geometry is a pure
 * function of the terminal's size (tested at 80×24 and others); a resize re-lays everything
 * out and redraws the last frame. Widgets never fetch anything: render(frame) is their input.
 */
import type { Widgets } from "blessed";
import blessed from "blessed";
import type { Line } from "blessed-contrib";
import line from "blessed-contrib/lib/widget/charts/line.js";
import type { Frame } from "./frame-model.js";
import { type ChartName, chartLabel, drawChart, legendText } from "./widgets/charts.js";
import { dropLogLabel, dropLogLines } from "./widgets/drop-log.js";
import { findingLines } from "./widgets/findings.js";
import { headerLines } from "./widgets/header.js";
import { HELP_LINES } from "./widgets/help.js";
import { tableLabel, tableLines } from "./widgets/listener-table.js";
import { tagPalette } from "./widgets/text.js";

/** A panel's place, in terminal cells. */
export interface Box {
  top: number;
  left: number;
  width: number;
  height: number;
}

/** Every panel's place. */
export interface Layout {
  header: Box;
  table: Box;
  queue: Box;
  syn: Box;
  counters: Box;
  drops: Box;
  findings: Box;
}

/** The smallest terminal the dashboard lays out for; smaller ones are clipped. */
export const MIN_SIZE = { width: 80, height: 24 } as const;

/**
 * Header (4 rows), the table (a third of the rest), three charts side by side (a third), the
 * drop log and the findings side by side (the rest). Every panel has a border.
 */
export function layoutBoxes(width: number, height: number): Layout {
  const w = Math.max(width, MIN_SIZE.width);
  const h = Math.max(height, MIN_SIZE.height);
  const rest = h - 4;
  const tableH = Math.max(7, Math.floor(rest * 0.35));
  const chartH = Math.max(7, Math.floor(rest * 0.32));
  const bottomH = rest - tableH - chartH;
  const third = Math.floor(w / 3);
  const chartTop = 4 + tableH;
  const bottomTop = chartTop + chartH;
  const logW = Math.floor(w * 0.55);
  return {
    header: { top: 0, left: 0, width: w, height: 4 },
    table: { top: 4, left: 0, width: w, height: tableH },
    queue: { top: chartTop, left: 0, width: third, height: chartH },
    syn: { top: chartTop, left: third, width: third, height: chartH },
    counters: { top: chartTop, left: 2 * third, width: w - 2 * third, height: chartH },
    drops: { top: bottomTop, left: 0, width: logW, height: bottomH },
    findings: { top: bottomTop, left: logW, width: w - logW, height: bottomH },
  };
}

/** The dashboard on a blessed screen. */
export interface Dashboard {
  render(frame: Frame): void;
  /** Re-lays the panels out for the screen's size now and redraws the last frame. */
  relayout(): void;
}

/**
 * A chart's legend: its last row, below the x labels, which blessed-contrib leaves empty (the
 * series, each with its latest value).
 */
function legendBox(b: Box): Box {
  return { top: b.top + b.height - 2, left: b.left + 1, width: b.width - 2, height: 1 };
}

function place(el: Widgets.BoxElement, b: Box): void {
  el.top = b.top;
  el.left = b.left;
  el.width = b.width;
  el.height = b.height;
}

/**
 * Creates the panels on `screen`. With `colours` off (NO_COLOR) the elements get no colours and
 * the screen drops any colour from each cell before it is drawn (bold and inverse stay).
 */
export function createDashboard(screen: Widgets.Screen, colours: boolean): Dashboard {
  const p = tagPalette(colours);
  const border = { type: "line" as const };
  const style = colours
    ? { border: { fg: "blue" }, label: { bold: true } }
    : { label: { bold: true } };
  let layout = layoutBoxes(Number(screen.width), Number(screen.height));
  const box = (b: Box, bordered = true) =>
    blessed.box({ ...b, tags: true, ...(bordered ? { border, style } : {}), wrap: false });
  const header = box(layout.header, false);
  const table = box(layout.table);
  const drops = box(layout.drops);
  const findings = box(layout.findings);
  const help = blessed.box({
    top: "center",
    left: "center",
    width: 64,
    height: HELP_LINES.length + 2,
    tags: true,
    border,
    style,
    label: " Help (? to close) ",
    content: HELP_LINES.join("\n"),
    hidden: true,
  });
  const chartOptions = (b: Box) => ({
    ...b,
    border,
    tags: true,
    showLegend: false,
    wholeNumbersOnly: false,
    xLabelPadding: 2,
    xPadding: 2,
    numYLabels: 3,
    style: colours
      ? { text: "white", baseline: "white", border: { fg: "blue" } }
      : { text: "default", baseline: "default", line: "default" },
  });
  const charts: Record<ChartName, Line> = {
    queue: line(chartOptions(layout.queue)),
    syn: line(chartOptions(layout.syn)),
    counters: line(chartOptions(layout.counters)),
  };
  for (const el of [header, table, ...Object.values(charts), drops, findings, help])
    screen.append(el);
  if (!colours) dropColours(screen);

  let last: Frame | null = null;
  const inner = (b: Box) => ({ width: b.width - 2, height: b.height - 2 });
  const render = (frame: Frame) => {
    last = frame;
    header.setContent(headerLines(frame, layout.header.width, layout.header.height).join("\n"));
    const t = inner(layout.table);
    table.setLabel(tableLabel(frame));
    table.setContent(tableLines(frame, t.width, t.height, p).join("\n"));
    for (const name of ["queue", "syn", "counters"] as const) {
      const series = frame.charts[name];
      const chart = charts[name];
      chart.setLabel(chartLabel(frame, name));
      drawChart(chart, series, frame.charts.step, colours);
    }
    const d = inner(layout.drops);
    drops.setLabel(dropLogLabel(frame));
    drops.setContent(dropLogLines(frame, d.width, d.height, p).join("\n"));
    const f = inner(layout.findings);
    findings.setLabel(` Findings (${frame.findings.length}) `);
    findings.setContent(findingLines(frame, f.width, f.height, p).join("\n"));
    legends.forEach((l, i) => {
      const name = (["queue", "syn", "counters"] as const)[i] as ChartName;
      l.setContent(legendText(frame.charts[name], colours));
    });
    if (frame.help) help.show();
    else help.hide();
    screen.render();
  };
  const legends = (["queue", "syn", "counters"] as const).map((name) => {
    const l = blessed.box({ ...legendBox(layout[name]), tags: true });
    screen.append(l);
    return l;
  });
  help.setFront();
  return {
    render,
    relayout() {
      layout = layoutBoxes(Number(screen.width), Number(screen.height));
      place(header, layout.header);
      place(table, layout.table);
      place(drops, layout.drops);
      place(findings, layout.findings);
      (["queue", "syn", "counters"] as const).forEach((name, i) => {
        const chart = charts[name];
        // A chart sizes its canvas when attached: detach and attach it at its new size.
        screen.remove(chart);
        place(chart, layout[name]);
        screen.append(chart);
        const l = legends[i] as Widgets.BoxElement;
        place(l, legendBox(layout[name]));
        screen.remove(l);
        screen.append(l);
      });
      help.setFront();
      if (last) render(last);
    },
  };
}

/**
 * NO_COLOR: every cell's attribute loses its colours before blessed turns it into SGR (the
 * attribute packs flags << 18 | fg << 9 | bg; 0x1ff is the terminal's default colour).
 */
function dropColours(screen: Widgets.Screen): void {
  const s = screen as unknown as { codeAttr(code: number): string };
  const codeAttr = s.codeAttr.bind(screen);
  s.codeAttr = (code: number) => codeAttr((code & ~0x3ffff) | (0x1ff << 9) | 0x1ff);
}
