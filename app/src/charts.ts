// Line charts as inline SVG, no chart library: the page draws a few hundred points at most.

export interface Point {
  /** Block number (x). */
  x: number;
  /** Value (y). */
  y: number;
}

export interface Line {
  name: string;
  points: Point[];
  color: string;
}

/** The y range of `lines` with a margin, never empty. */
export function yRange(lines: Line[]): [number, number] {
  const ys = lines.flatMap((l) => l.points.map((p) => p.y)).filter(Number.isFinite);
  if (ys.length === 0) return [0, 1];
  let lo = Math.min(...ys);
  let hi = Math.max(...ys);
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.01 || 1;
    lo -= pad;
    hi += pad;
  }
  const pad = (hi - lo) * 0.08;
  return [lo - pad, hi + pad];
}

/** An SVG path ("M x y L x y ...") of `points` scaled into `width` x `height`. */
export function pathOf(points: Point[], x0: number, x1: number, y0: number, y1: number, width: number, height: number): string {
  const sx = (x: number) => (x1 === x0 ? width / 2 : ((x - x0) / (x1 - x0)) * width);
  const sy = (y: number) => height - ((y - y0) / (y1 - y0)) * height;
  return points
    .filter((p) => Number.isFinite(p.y))
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)} ${sy(p.y).toFixed(1)}`)
    .join(' ');
}

/** An axis label with enough decimals to tell the two ends of `span` apart. */
export function label(v: number, span: number): string {
  const places = span > 0 ? Math.min(12, Math.max(0, Math.ceil(-Math.log10(span)) + 2)) : 2;
  return v.toLocaleString('en-US', { minimumFractionDigits: places, maximumFractionDigits: places });
}

/** A chart with axes labels and a legend, as an SVG element's markup. */
export function chartSvg(title: string, lines: Line[], width = 560, height = 180): string {
  const xs = lines.flatMap((l) => l.points.map((p) => p.x));
  const pad = { l: 64, r: 8, t: 22, b: 22 };
  const w = width - pad.l - pad.r;
  const h = height - pad.t - pad.b;
  if (xs.length === 0) {
    return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${title}"><text x="8" y="16" class="chart-title">${title}</text><text x="${width / 2}" y="${height / 2}" text-anchor="middle" class="chart-empty">no history yet</text></svg>`;
  }
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const [y0, y1] = yRange(lines);
  const paths = lines
    .map((l) => `<path d="${pathOf(l.points, x0, x1, y0, y1, w, h)}" stroke="${l.color}" fill="none" stroke-width="1.6"/>`)
    .join('');
  const legend = lines
    .map((l, i) => `<text x="${width - pad.r - (lines.length - i) * 90}" y="14" fill="${l.color}" class="chart-legend">— ${l.name}</text>`)
    .join('');
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${title}">
<text x="8" y="14" class="chart-title">${title}</text>${legend}
<g transform="translate(${pad.l},${pad.t})">
<line x1="0" y1="${h}" x2="${w}" y2="${h}" class="axis"/><line x1="0" y1="0" x2="0" y2="${h}" class="axis"/>
<text x="-6" y="8" text-anchor="end" class="tick">${label(y1, y1 - y0)}</text>
<text x="-6" y="${h}" text-anchor="end" class="tick">${label(y0, y1 - y0)}</text>
<text x="0" y="${h + 16}" class="tick">#${x0}</text>
<text x="${w}" y="${h + 16}" text-anchor="end" class="tick">#${x1}</text>
${paths}</g></svg>`;
}
