/**
 * A hand-written SVG of convergence curves: for each event (join, failure, leave) the fraction
 * of agents that know of it over time, one step line per system. No dependency: the chart is a
 * few paths and text elements, drawn with the simulator's SVG kit (src/sim/charts/svg.ts).
 */
import { esc, n1 as fmt, niceStep } from '../../src/sim/charts/svg.js';

/** One step curve: sorted times (ms after the event) at which one more agent knew. */
export interface Series {
  label: string;
  color: string;
  times: readonly number[];
  /** Agents that could know; the curve reaches times.length / total. */
  total: number;
}

/** One chart panel (one event). */
export interface Panel {
  title: string;
  series: readonly Series[];
}

const W = 360;
const H = 240;
const M = { left: 46, right: 22, top: 28, bottom: 40 };

export { niceStep } from '../../src/sim/charts/svg.js';

/**
 * Path of a step curve in plot coordinates: flat at the previous fraction until each time, then
 * up by 1/total; it goes on flat to `xMax` so a curve that ends early is visibly done.
 */
export function stepPath(times: readonly number[], total: number, xMax: number, x: (ms: number) => number, y: (f: number) => number): string {
  let d = `M${fmt(x(0))},${fmt(y(0))}`;
  let k = 0;
  for (const t of times) {
    const tx = x(Math.max(0, t));
    d += ` H${fmt(tx)}`;
    k++;
    d += ` V${fmt(y(k / Math.max(1, total)))}`;
  }
  d += ` H${fmt(x(xMax))}`;
  return d;
}

function panel(p: Panel, ox: number): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const last = Math.max(1, ...p.series.flatMap((s) => s.times));
  const step = niceStep(last);
  const xMax = Math.ceil((last * 1.05) / step) * step;
  const x = (ms: number): number => ox + M.left + (Math.min(ms, xMax) / xMax) * pw;
  const y = (f: number): number => M.top + ph - f * ph;
  const parts: string[] = [];
  parts.push(`<text x="${fmt(ox + M.left + pw / 2)}" y="16" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`);
  for (let v = 0; v <= xMax + 1e-9; v += step) {
    parts.push(`<line x1="${fmt(x(v))}" y1="${fmt(M.top)}" x2="${fmt(x(v))}" y2="${fmt(M.top + ph)}" stroke="#eee"/>`);
    parts.push(`<text x="${fmt(x(v))}" y="${fmt(M.top + ph + 14)}" text-anchor="middle" font-size="10">${fmt(v)}</text>`);
  }
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line x1="${fmt(x(0))}" y1="${fmt(y(f))}" x2="${fmt(x(xMax))}" y2="${fmt(y(f))}" stroke="#eee"/>`);
    parts.push(`<text x="${fmt(x(0) - 4)}" y="${fmt(y(f) + 3)}" text-anchor="end" font-size="10">${f}</text>`);
  }
  parts.push(`<rect x="${fmt(x(0))}" y="${fmt(M.top)}" width="${fmt(pw)}" height="${fmt(ph)}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${fmt(ox + M.left + pw)}" y="${fmt(H - 8)}" text-anchor="end" font-size="10">ms after the event</text>`);
  p.series.forEach((s, i) => {
    parts.push(`<path d="${stepPath(s.times, s.total, xMax, x, y)}" fill="none" stroke="${esc(s.color)}" stroke-width="2"/>`);
    // Legend under the plot, left of the axis label: inside the plot it would cover a curve.
    const lx = ox + M.left + i * 48;
    const ly = H - 8;
    parts.push(`<line x1="${fmt(lx)}" y1="${fmt(ly - 4)}" x2="${fmt(lx + 14)}" y2="${fmt(ly - 4)}" stroke="${esc(s.color)}" stroke-width="2"/>`);
    parts.push(`<text x="${fmt(lx + 18)}" y="${fmt(ly)}" font-size="10">${esc(s.label)}</text>`);
  });
  return parts.join('\n');
}

/** The whole SVG document: panels side by side, a caption underneath. */
export function convergenceSvg(panels: readonly Panel[], caption: string): string {
  const width = W * panels.length;
  const height = H + 20;
  const body = panels.map((p, i) => panel(p, i * W)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
${body}
<text x="8" y="${height - 6}" font-size="10" fill="#555">${esc(caption)}</text>
</svg>
`;
}
