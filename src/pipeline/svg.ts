/**
 * Tiny static SVG charts for the run report (no library, no script): grouped bar charts,
 * histograms and line charts. Output is a standalone `<svg>` string that can be inlined into HTML.
 */

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1'];

/** Escape text for XML. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface BarGroup {
  label: string;
  /** Value per series name; missing series are left out of the group. */
  values: Record<string, number>;
}

export interface BarChartOptions {
  title: string;
  /** Upper end of the y axis (default: max value, at least 1e-9). */
  yMax?: number;
  /** Format tick and bar labels (default: 2 decimals). */
  format?: (value: number) => string;
  /** Horizontal reference lines, e.g. a majority baseline. */
  lines?: { label: string; value: number }[];
  width?: number;
  height?: number;
}

/** Grouped bar chart: one group per x label, one bar per series, values printed on the bars. */
export function barChart(groups: readonly BarGroup[], options: BarChartOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? 300;
  const format = options.format ?? ((v: number) => v.toFixed(2));
  const series = [...new Set(groups.flatMap((g) => Object.keys(g.values)))];
  const all = groups.flatMap((g) => Object.values(g.values)).concat((options.lines ?? []).map((l) => l.value));
  const yMax = options.yMax ?? Math.max(1e-9, ...all);
  const left = 48;
  const right = 12;
  const top = 34;
  const bottom = 46;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const y = (v: number) => top + plotH - (Math.min(v, yMax) / yMax) * plotH;
  const parts: string[] = [];
  parts.push(`<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 4}" y="${y(v) + 4}" text-anchor="end" font-size="10">${escapeXml(format(v))}</text>`);
  }
  const groupW = plotW / Math.max(1, groups.length);
  const barW = Math.max(2, (groupW * 0.8) / Math.max(1, series.length));
  groups.forEach((group, gi) => {
    const x0 = left + gi * groupW + groupW * 0.1;
    series.forEach((name, si) => {
      const value = group.values[name];
      if (value === undefined) return;
      const x = x0 + si * barW;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y(value).toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${(top + plotH - y(value)).toFixed(1)}" fill="${PALETTE[si % PALETTE.length]}"><title>${escapeXml(`${group.label} ${name}: ${format(value)}`)}</title></rect>`,
      );
      parts.push(
        `<text x="${(x + barW / 2).toFixed(1)}" y="${(y(value) - 3).toFixed(1)}" text-anchor="middle" font-size="9">${escapeXml(format(value))}</text>`,
      );
    });
    parts.push(
      `<text x="${(left + gi * groupW + groupW / 2).toFixed(1)}" y="${top + plotH + 14}" text-anchor="middle" font-size="11">${escapeXml(group.label)}</text>`,
    );
  });
  // Reference lines are drawn across the plot and named in the legend (no label on the plot to collide with bar labels).
  (options.lines ?? []).forEach((line, li) => {
    parts.push(
      `<line x1="${left}" x2="${width - right}" y1="${y(line.value)}" y2="${y(line.value)}" stroke="#333" stroke-dasharray="5,4"><title>${escapeXml(`${line.label} ${format(line.value)}`)}</title></line>`,
    );
    const x = left + series.length * 150 + li * 260;
    parts.push(`<line x1="${x}" x2="${x + 22}" y1="${height - 11}" y2="${height - 11}" stroke="#333" stroke-dasharray="5,4"/>`);
    parts.push(`<text x="${x + 26}" y="${height - 7}" font-size="11">${escapeXml(`${line.label}: ${format(line.value)}`)}</text>`);
  });
  series.forEach((name, si) => {
    const x = left + si * 150;
    parts.push(`<rect x="${x}" y="${height - 16}" width="10" height="10" fill="${PALETTE[si % PALETTE.length]}"/>`);
    parts.push(`<text x="${x + 14}" y="${height - 7}" font-size="11">${escapeXml(name)}</text>`);
  });
  return svg(width, height, parts);
}

/** Bin edges and counts of `values` into `bins` equal-width bins over [min, max]. */
export function binValues(values: readonly number[], bins: number, range?: [number, number]): { edges: number[]; counts: number[] } {
  const lo = range?.[0] ?? (values.length ? Math.min(...values) : 0);
  let hi = range?.[1] ?? (values.length ? Math.max(...values) : 1);
  if (hi <= lo) hi = lo + 1;
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)))]!++;
  return { edges, counts };
}

/** Overlaid histograms of several series (e.g. SFT completion, DPO chosen, DPO rejected lengths) on shared bins. */
export function histogram(
  series: Record<string, readonly number[]>,
  options: { title: string; xLabel: string; bins?: number; width?: number; height?: number },
): string {
  const width = options.width ?? 640;
  const height = options.height ?? 260;
  const bins = options.bins ?? 20;
  const allValues = Object.values(series).flat();
  const range: [number, number] = allValues.length ? [Math.min(...allValues), Math.max(...allValues)] : [0, 1];
  const binned = Object.entries(series).map(([name, values]) => ({ name, ...binValues(values, bins, range) }));
  const yMax = Math.max(1, ...binned.flatMap((b) => b.counts));
  const left = 40;
  const right = 12;
  const top = 30;
  const bottom = 50;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const parts: string[] = [];
  parts.push(`<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const v = Math.round((yMax * i) / 4);
    const yy = top + plotH - (v / yMax) * plotH;
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${yy}" y2="${yy}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 4}" y="${yy + 4}" text-anchor="end" font-size="10">${v}</text>`);
  }
  const binW = plotW / bins;
  binned.forEach((b, si) => {
    b.counts.forEach((count, i) => {
      if (count === 0) return;
      const h = (count / yMax) * plotH;
      parts.push(
        `<rect x="${(left + i * binW).toFixed(1)}" y="${(top + plotH - h).toFixed(1)}" width="${(binW - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${PALETTE[si % PALETTE.length]}" fill-opacity="0.55"><title>${escapeXml(`${b.name} [${b.edges[i]!.toFixed(0)}, ${b.edges[i + 1]!.toFixed(0)}): ${count}`)}</title></rect>`,
      );
    });
  });
  for (const i of [0, Math.floor(bins / 2), bins]) {
    parts.push(
      `<text x="${(left + i * binW).toFixed(1)}" y="${top + plotH + 13}" text-anchor="middle" font-size="10">${(range[0] + ((range[1] - range[0]) * i) / bins).toFixed(0)}</text>`,
    );
  }
  parts.push(
    `<text x="${left + plotW / 2}" y="${top + plotH + 27}" text-anchor="middle" font-size="11">${escapeXml(options.xLabel)}</text>`,
  );
  binned.forEach((b, si) => {
    const x = left + si * 170;
    parts.push(`<rect x="${x}" y="${height - 14}" width="10" height="10" fill="${PALETTE[si % PALETTE.length]}" fill-opacity="0.55"/>`);
    parts.push(`<text x="${x + 14}" y="${height - 5}" font-size="11">${escapeXml(`${b.name} (n=${series[b.name]!.length})`)}</text>`);
  });
  return svg(width, height, parts);
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  /** Format of y tick labels and point titles (default: 4 significant digits). */
  format?: (value: number) => string;
  /** Draw y = 0 as a dashed line (a reward margin's sign matters). */
  zeroLine?: boolean;
  /** One marker with a <title> per point up to this many points (default 200). */
  maxMarkers?: number;
  width?: number;
  height?: number;
}

/**
 * A line chart of y over x (e.g. a training loss over optimiser steps): linear axes spanning the
 * data (y padded when flat), one polyline, and a marker per point whose <title> gives x and y.
 */
export function lineChart(xAll: readonly number[], yAll: readonly number[], name: string, options: LineChartOptions): string {
  // A NaN or infinite value (a diverged step) has no place on the axis: it is left out and counted in the title.
  const finite = xAll.map((_, i) => i).filter((i) => Number.isFinite(xAll[i]) && Number.isFinite(yAll[i]));
  const x = finite.map((i) => xAll[i]!);
  const y = finite.map((i) => yAll[i]!);
  const dropped = xAll.length - finite.length;
  const title = dropped ? `${options.title} (${dropped} non-finite values left out)` : options.title;
  const width = options.width ?? 640;
  const height = options.height ?? 260;
  const format = options.format ?? ((v: number) => v.toPrecision(4));
  const left = 56;
  const right = 14;
  const top = 30;
  const bottom = 40;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const values = options.zeroLine ? [...y, 0] : [...y];
  let yLo = values.length ? Math.min(...values) : 0;
  let yHi = values.length ? Math.max(...values) : 1;
  if (yHi - yLo < 1e-12) [yLo, yHi] = [yLo - 0.5, yHi + 0.5];
  const xLo = x.length ? Math.min(...x) : 0;
  const xHi = x.length && Math.max(...x) > xLo ? Math.max(...x) : xLo + 1;
  const px = (v: number) => left + ((v - xLo) / (xHi - xLo)) * plotW;
  const py = (v: number) => top + plotH - ((v - yLo) / (yHi - yLo)) * plotH;
  const parts: string[] = [];
  parts.push(`<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const v = yLo + ((yHi - yLo) * i) / 4;
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${py(v).toFixed(2)}" y2="${py(v).toFixed(2)}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 4}" y="${(py(v) + 4).toFixed(2)}" text-anchor="end" font-size="10">${escapeXml(format(v))}</text>`);
  }
  for (const v of [xLo, (xLo + xHi) / 2, xHi]) {
    parts.push(
      `<text x="${px(v).toFixed(2)}" y="${top + plotH + 14}" text-anchor="middle" font-size="10">${escapeXml(String(Math.round(v)))}</text>`,
    );
  }
  parts.push(`<text x="${left + plotW / 2}" y="${height - 6}" text-anchor="middle" font-size="11">${escapeXml(options.xLabel)}</text>`);
  if (options.zeroLine) {
    parts.push(
      `<line x1="${left}" x2="${width - right}" y1="${py(0).toFixed(2)}" y2="${py(0).toFixed(2)}" stroke="#333" stroke-dasharray="5,4"/>`,
    );
  }
  const points = x.map((xi, i) => `${px(xi).toFixed(2)},${py(y[i]!).toFixed(2)}`);
  parts.push(
    `<polyline fill="none" stroke="${PALETTE[0]}" stroke-width="1.5" points="${points.join(' ')}"><title>${escapeXml(name)}</title></polyline>`,
  );
  if (x.length <= (options.maxMarkers ?? 200)) {
    x.forEach((xi, i) => {
      parts.push(
        `<circle cx="${px(xi).toFixed(2)}" cy="${py(y[i]!).toFixed(2)}" r="2.5" fill="${PALETTE[0]}"><title>${escapeXml(`${options.xLabel} ${xi}: ${name} ${format(y[i]!)}`)}</title></circle>`,
      );
    });
  }
  return svg(width, height, parts);
}

function svg(width: number, height: number, parts: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">${parts.join('')}</svg>`;
}
