/**
 * The dissemination panel: for each join, failure and leave, the share of agents that know of it
 * against the time since it began (the epidemic S-curve of gossip). A kind with few items gets
 * one line each; one with many (every join of a big cluster) gets its min–max band and median
 * line, so a 1,000-agent chart stays a few kilobytes.
 */
import type { NewsCurve, NewsKind } from '../recorder.js';
import { axes, esc, legend, linear, maxOr, n1, pathOf, type Frame } from './svg.js';

/** Colour of each kind of news, shared with the other panels. */
export const NEWS_COLOUR: Readonly<Record<NewsKind, string>> = { join: '#2f6fdb', failure: '#d64545', leave: '#1f9d55' };

/** Above this many items of one kind, draw the band and median instead of each line. */
const MAX_LINES = 12;
/** Points per resampled curve. */
const GRID = 160;

/** Share of the population that knew at `t` ms (learned is ascending). */
export function shareAt(c: NewsCurve, t: number): number {
  if (c.population <= 0) return 0;
  let lo = 0;
  let hi = c.learnedMs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (c.learnedMs[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(1, lo / c.population);
}

/** The time (ms since it began) by which everyone in the population knew, or null. */
export function fullAtMs(c: NewsCurve): number | null {
  return c.population > 0 && c.learnedMs.length >= c.population ? (c.learnedMs[c.population - 1] ?? null) : null;
}

/** The panel's height for these curves (fixed). */
export function disseminationHeight(): number {
  return 300;
}

/** The panel's SVG group. */
export function disseminationPanel(f: Frame, news: readonly NewsCurve[]): string {
  const kinds: NewsKind[] = ['join', 'failure', 'leave'];
  const last = maxOr(
    news.map((c) => c.learnedMs[c.learnedMs.length - 1] ?? 0),
    1000,
  );
  const xMaxS = niceSeconds((last * 1.05) / 1000);
  const sx = linear([0, xMaxS * 1000], [f.left, f.right]);
  const sy = linear([0, 1], [f.bottom, f.top]);
  const grid = Array.from({ length: GRID + 1 }, (_, i) => (i / GRID) * xMaxS * 1000);
  const out: string[] = [
    `<g id="dissemination">`,
    axes(f, {
      title: 'Dissemination: share of agents that know of each join, failure and leave',
      xLabel: 'seconds since the news began',
      yLabel: 'agents that know',
      xMax: xMaxS,
      yMax: 1,
      yFormat: (v) => `${Math.round(v * 100)}%`,
      xFormat: fmtS,
    }),
  ];
  const entries: { label: string; colour: string; dash?: boolean }[] = [];
  for (const kind of kinds) {
    const items = news.filter((c) => c.kind === kind && c.population > 0);
    if (items.length === 0) continue;
    const colour = NEWS_COLOUR[kind];
    const fulls = items.map(fullAtMs);
    const done = fulls.filter((v): v is number => v !== null);
    const worst = done.length === items.length ? `, all by ${fmtS(Math.max(...done) / 1000)} s` : `, ${items.length - done.length} never reached all`;
    entries.push({ label: `${kind} ×${items.length}${items.length > MAX_LINES ? ': median, range' : ''}`, colour });
    out.push(
      `<g class="kind" data-kind="${kind}" data-items="${items.length}" data-reached-all="${done.length}"><desc>${esc(`${items.length} ${kind}(s)${worst}`)}</desc>`,
    );
    if (items.length <= MAX_LINES) {
      for (const c of items) {
        const pts = stepPoints(c, xMaxS * 1000).map(([t, s]) => [sx(t), sy(s)] as const);
        out.push(
          `<path class="series" data-kind="${kind}" data-subject="${esc(c.subject)}" d="${pathOf(pts)}" fill="none" stroke="${colour}" stroke-width="1.8" stroke-opacity="0.85"><title>${esc(`${kind} of ${c.subject}: ${c.learnedMs.length}/${c.population} knew`)}</title></path>`,
        );
      }
    } else {
      const lo: [number, number][] = [];
      const hi: [number, number][] = [];
      const med: [number, number][] = [];
      for (const t of grid) {
        const shares = items.map((c) => shareAt(c, t)).sort((a, b) => a - b);
        lo.push([sx(t), sy(shares[0]!)]);
        hi.push([sx(t), sy(shares[shares.length - 1]!)]);
        med.push([sx(t), sy(shares[Math.floor(shares.length / 2)]!)]);
      }
      const band = `${pathOf(hi)} ${pathOf([...lo].reverse()).replace(/^M/, 'L')} Z`;
      out.push(
        `<path class="band" data-kind="${kind}" data-stat="min-max" d="${band}" fill="${colour}" fill-opacity="0.18" stroke="none"/>`,
        `<path class="series" data-kind="${kind}" data-stat="median" d="${pathOf(med)}" fill="none" stroke="${colour}" stroke-width="2.2"/>`,
      );
    }
    out.push('</g>');
  }
  if (entries.length === 0) out.push(`<text class="note" x="${n1(f.left + 10)}" y="${n1(f.top + 20)}">no joins, failures or leaves were seen</text>`);
  out.push(legend(f, entries), '</g>');
  return out.join('\n');
}

/** The exact step curve of one item, from 0 to `endMs` (ms, share). */
function stepPoints(c: NewsCurve, endMs: number): [number, number][] {
  const pts: [number, number][] = [[0, 0]];
  let known = 0;
  // Thin very long curves to at most ~GRID steps: the shape is what matters at chart size.
  const stride = Math.max(1, Math.ceil(c.learnedMs.length / GRID));
  for (let i = 0; i < c.learnedMs.length; i += stride) {
    const t = c.learnedMs[Math.min(c.learnedMs.length - 1, i + stride - 1)]!;
    pts.push([t, known / c.population]);
    known = Math.min(c.learnedMs.length, i + stride);
    pts.push([t, known / c.population]);
  }
  pts.push([endMs, known / c.population]);
  return pts;
}

/** A round axis end in seconds. */
function niceSeconds(s: number): number {
  for (const m of [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600]) if (s <= m) return m;
  return Math.ceil(s / 60) * 60;
}

/** Seconds as a short tick label. */
export function fmtS(v: number): string {
  return v >= 10 || Number.isInteger(v)
    ? String(Math.round(v * 10) / 10)
    : v
        .toFixed(v < 1 ? 2 : 1)
        .replace(/0+$/, '')
        .replace(/\.$/, '');
}
