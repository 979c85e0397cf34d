/**
 * A few SVG building blocks written by hand (no dependency): linear scales, "nice" axis ticks,
 * a plot frame with gridlines and labels, and escaping. Output is plain strings so the charts
 * can be embedded in Markdown and HTML and checked as text in tests.
 */

/** Escape text for SVG/XML content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Round for coordinates: 1 decimal keeps files small and lines smooth. */
export function n1(x: number): string {
  return (Math.round(x * 10) / 10).toString();
}

/** A linear map from a data domain to pixels. */
export interface Scale {
  (v: number): number;
  readonly domain: readonly [number, number];
}

export function linear(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  const f = ((v: number) => r0 + ((v - d0) / span) * (r1 - r0)) as Scale;
  Object.defineProperty(f, 'domain', { value: domain });
  return f;
}

/** A log10 map from [min, max] (both > 0) to pixels; values at or below min sit at the bottom. */
export function log10Scale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [l0, l1] = [Math.log10(domain[0]), Math.log10(domain[1])];
  const inner = linear([l0, l1], range);
  const f = ((v: number) => inner(Math.log10(Math.max(domain[0], v)))) as Scale;
  Object.defineProperty(f, 'domain', { value: domain });
  return f;
}

/** A round axis step (1, 2 or 5 × 10^k) giving about `count` ticks up to `max`; 1 when max <= 0. */
export function niceStep(max: number, count = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
}

/** About `count` round tick values covering [0, max] (steps of niceStep). */
export function ticks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0];
  const step = niceStep(max, count);
  const out: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

/** The max of a list, or `fallback` when it is empty or all non-positive. */
export function maxOr(values: Iterable<number>, fallback: number): number {
  let m = -Infinity;
  for (const v of values) if (Number.isFinite(v) && v > m) m = v;
  return m > 0 ? m : fallback;
}

/** Where a panel sits in the document and its inner plot area. */
export interface Frame {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/** A frame at (x, y) of the given size with margins for axis labels and a title. */
export function frame(x: number, y: number, width: number, height: number): Frame {
  return { x, y, width, height, left: x + 64, right: x + width - 200, top: y + 34, bottom: y + height - 40 };
}

/** Title, gridlines, tick labels and axis captions of one panel. */
export function axes(
  f: Frame,
  o: {
    title: string;
    xLabel: string;
    yLabel: string;
    xMax: number;
    yMax: number;
    yLogMin?: number;
    yFormat?: (v: number) => string;
    xFormat?: (v: number) => string;
  },
): string {
  const sx = linear([0, o.xMax], [f.left, f.right]);
  const sy = o.yLogMin !== undefined ? log10Scale([o.yLogMin, o.yMax], [f.bottom, f.top]) : linear([0, o.yMax], [f.bottom, f.top]);
  const fy = o.yFormat ?? String;
  const fx = o.xFormat ?? String;
  const parts = [`<text class="title" x="${n1(f.left)}" y="${n1(f.y + 18)}">${esc(o.title)}</text>`];
  const yTicks = o.yLogMin !== undefined ? decades(o.yLogMin, o.yMax) : ticks(o.yMax);
  for (const v of yTicks) {
    if (v > o.yMax * 1.0001) continue;
    const y = n1(sy(v));
    parts.push(
      `<line class="grid" x1="${n1(f.left)}" x2="${n1(f.right)}" y1="${y}" y2="${y}"/>`,
      `<text class="tick" x="${n1(f.left - 6)}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(fy(v))}</text>`,
    );
  }
  for (const v of ticks(o.xMax, 8)) {
    if (v > o.xMax * 1.0001) continue;
    const x = n1(sx(v));
    parts.push(
      `<line class="tickmark" x1="${x}" x2="${x}" y1="${n1(f.bottom)}" y2="${n1(f.bottom + 4)}"/>`,
      `<text class="tick" x="${x}" y="${n1(f.bottom + 16)}" text-anchor="middle">${esc(fx(v))}</text>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${n1(f.left)}" x2="${n1(f.right)}" y1="${n1(f.bottom)}" y2="${n1(f.bottom)}"/>`,
    `<line class="axis" x1="${n1(f.left)}" x2="${n1(f.left)}" y1="${n1(f.top)}" y2="${n1(f.bottom)}"/>`,
    `<text class="label" x="${n1((f.left + f.right) / 2)}" y="${n1(f.bottom + 33)}" text-anchor="middle">${esc(o.xLabel)}</text>`,
    `<text class="label" transform="translate(${n1(f.x + 16)} ${n1((f.top + f.bottom) / 2)}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`,
  );
  return parts.join('\n');
}

/** Powers of ten from min to max (both > 0), for a log axis. */
export function decades(min: number, max: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    const v = 10 ** e;
    if (v >= min * 0.9999 && v <= max * 1.0001) out.push(Number(v.toPrecision(1)));
  }
  return out;
}

/** A legend at the right of a frame: one swatch and label per entry. */
export function legend(f: Frame, entries: readonly { label: string; colour: string; dash?: boolean }[]): string {
  return entries
    .map((e, i) => {
      const y = f.top + 8 + i * 18;
      const dash = e.dash ? ' stroke-dasharray="4 3"' : '';
      return `<line x1="${n1(f.right + 14)}" x2="${n1(f.right + 34)}" y1="${n1(y)}" y2="${n1(y)}" stroke="${e.colour}" stroke-width="2.5"${dash}/><text class="tick" x="${n1(f.right + 40)}" y="${n1(y)}" dominant-baseline="middle">${esc(e.label)}</text>`;
    })
    .join('\n');
}

/** An SVG path through the points (already in pixels). */
export function pathOf(points: readonly (readonly [number, number])[]): string {
  return points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${n1(x)} ${n1(y)}`).join(' ');
}

/** Shared style of every chart document. */
export const STYLE = `<style>
  text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; fill: #1d2430; }
  .title { font-size: 14px; font-weight: 600; }
  .tick { font-size: 11px; fill: #5b6575; }
  .label { font-size: 12px; fill: #3b4555; }
  .note { font-size: 11px; fill: #5b6575; }
  .grid { stroke: #e6e9ef; }
  .axis, .tickmark { stroke: #8a93a3; }
</style>`;
