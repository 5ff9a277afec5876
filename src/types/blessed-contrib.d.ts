// The part of blessed-contrib (no published types) the dashboard uses: line charts. Imported
// from their own file: blessed-contrib's index loads every widget, and with them packages
// (maps, pictures, markdown) the dashboard never uses and the executable would carry.
declare module "blessed-contrib" {
  import type { Widgets } from "blessed";

  export interface LineData {
    title: string;
    x: string[];
    y: number[];
    style?: { line?: string };
  }

  export interface LineOptions extends Widgets.BoxOptions {
    showLegend?: boolean;
    legend?: { width?: number };
    wholeNumbersOnly?: boolean;
    minY?: number;
    xLabelPadding?: number;
    xPadding?: number;
    numYLabels?: number;
    showNthLabel?: number;
    style?: { line?: string; text?: string; baseline?: string } & Widgets.Types.TStyle;
  }

  export interface Line extends Widgets.BoxElement {
    setData(data: LineData[]): void;
  }

  const contrib: { line(options: LineOptions): Line };
  export default contrib;
}

declare module "blessed-contrib/lib/widget/charts/line.js" {
  import type { Line, LineOptions } from "blessed-contrib";

  const line: (options: LineOptions) => Line;
  export default line;
}
