// The part of blessed-contrib (no published types) the dashboard uses: line charts.
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
