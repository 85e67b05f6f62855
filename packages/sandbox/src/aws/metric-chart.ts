import { PNG } from "pngjs";

/** One line of a chart: points in time order. */
export interface ChartSeries {
  readonly points: readonly { at: number; value: number }[];
}

export interface ChartOptions {
  readonly width: number;
  readonly height: number;
  readonly start: number;
  readonly end: number;
  /** Horizontal annotations (alarm thresholds). */
  readonly thresholds: readonly number[];
}

type Rgb = readonly [number, number, number];
const PALETTE: readonly Rgb[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [148, 103, 189],
];
const AXIS: Rgb = [120, 120, 120];
const GRID: Rgb = [230, 230, 230];
const THRESHOLD: Rgb = [214, 39, 40];
const MARGIN = { left: 40, right: 12, top: 12, bottom: 28 } as const;

/**
 * Draws a plain line chart as a PNG, the way GetMetricWidgetImage answers: white background, axes, a light
 * grid, one line per series and a dashed red line per threshold. No text (the sandbox has no fonts).
 */
export function renderLineChart(series: readonly ChartSeries[], options: ChartOptions): Uint8Array {
  const png = new PNG({ width: options.width, height: options.height });
  png.data.fill(255);
  const plot = {
    x0: MARGIN.left,
    y0: MARGIN.top,
    x1: options.width - MARGIN.right,
    y1: options.height - MARGIN.bottom,
  };
  const values = [...series.flatMap((s) => s.points.map((p) => p.value)), ...options.thresholds];
  let low = Math.min(0, ...values);
  let high = Math.max(1, ...values);
  if (high === low) high = low + 1;
  const pad = (high - low) * 0.1;
  high += pad;
  if (low < 0) low -= pad;
  const span = Math.max(1, options.end - options.start);
  const x = (at: number) => plot.x0 + ((at - options.start) / span) * (plot.x1 - plot.x0);
  const y = (value: number) => plot.y1 - ((value - low) / (high - low)) * (plot.y1 - plot.y0);

  const set = (px: number, py: number, color: Rgb) => {
    const ix = Math.round(px);
    const iy = Math.round(py);
    if (ix < 0 || iy < 0 || ix >= options.width || iy >= options.height) return;
    const at = (iy * options.width + ix) * 4;
    png.data[at] = color[0];
    png.data[at + 1] = color[1];
    png.data[at + 2] = color[2];
    png.data[at + 3] = 255;
  };
  const line = (ax: number, ay: number, bx: number, by: number, color: Rgb, thick = 1, dash = 0) => {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(bx - ax), Math.abs(by - ay))));
    for (let i = 0; i <= steps; i++) {
      if (dash > 0 && Math.floor(i / dash) % 2 === 1) continue;
      const px = ax + ((bx - ax) * i) / steps;
      const py = ay + ((by - ay) * i) / steps;
      for (let t = 0; t < thick; t++) set(px, py + t, color);
    }
  };

  for (let i = 1; i <= 4; i++) {
    const gy = plot.y0 + ((plot.y1 - plot.y0) * i) / 5;
    line(plot.x0, gy, plot.x1, gy, GRID);
  }
  line(plot.x0, plot.y0, plot.x0, plot.y1, AXIS);
  line(plot.x0, plot.y1, plot.x1, plot.y1, AXIS);
  for (const threshold of options.thresholds)
    line(plot.x0, y(threshold), plot.x1, y(threshold), THRESHOLD, 1, 6);
  series.forEach((s, index) => {
    const color = PALETTE[index % PALETTE.length] ?? AXIS;
    const points = [...s.points].sort((a, b) => a.at - b.at);
    points.forEach((p, i) => {
      const previous = points[i - 1];
      if (previous) line(x(previous.at), y(previous.value), x(p.at), y(p.value), color, 2);
      else line(x(p.at) - 1, y(p.value), x(p.at) + 1, y(p.value), color, 2);
    });
  });
  return new Uint8Array(PNG.sync.write(png));
}
