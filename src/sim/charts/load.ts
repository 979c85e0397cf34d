/**
 * The load panel: messages sent per agent per second over virtual time, one point per sample,
 * with the kills and leaves of the run marked, so a burst of gossip can be read against what
 * caused it.
 */
import type { Detection } from '../measures.js';
import type { LoadSample, NewsCurve } from '../recorder.js';
import { axes, esc, legend, linear, log10Scale, maxOr, n1, pathOf, type Frame } from './svg.js';
import { NEWS_COLOUR, fmtS } from './dissemination.js';

const LINE = '#5a3fc0';

/** The panel's height (fixed). */
export function loadHeight(): number {
  return 280;
}

/** The panel's SVG group. */
export function loadPanel(f: Frame, load: readonly LoadSample[], detections: readonly Detection[], news: readonly NewsCurve[], endMs: number): string {
  const xMaxS = Math.max(1, Math.ceil(endMs / 1000));
  const values = load.map((s) => s.msgsPerAgentPerSec);
  const positive = values.filter((v) => v > 0).sort((a, b) => a - b);
  const median = positive[Math.floor(positive.length / 2)] ?? 0;
  const peak = maxOr(values, 1);
  // The push-pull burst of a mass join can be 100x the steady rate: a log axis shows both.
  const log = median > 0 && peak > 20 * median;
  const yMin = log ? Math.max(0.01, 10 ** Math.floor(Math.log10(positive[0]!))) : undefined;
  const yMax = log ? 10 ** Math.ceil(Math.log10(peak)) : niceMax(peak * 1.1);
  const sx = linear([0, xMaxS * 1000], [f.left, f.right]);
  const sy = log && yMin !== undefined ? log10Scale([yMin, yMax], [f.bottom, f.top]) : linear([0, yMax], [f.bottom, f.top]);
  const out: string[] = [
    `<g id="load" data-scale="${log ? 'log' : 'linear'}">`,
    axes(f, {
      title: `Messages sent per agent per second${log ? ' (log scale)' : ''}`,
      xLabel: 'virtual time (s)',
      yLabel: 'messages / agent / s',
      xMax: xMaxS,
      yMax,
      ...(yMin !== undefined ? { yLogMin: yMin } : {}),
      xFormat: fmtS,
      yFormat: (v) => String(Math.round(v * 100) / 100),
    }),
  ];
  const marks: { atMs: number; label: string; colour: string }[] = [
    ...detections.map((d) => ({ atMs: d.killedAtMs, label: `kill ${d.node}`, colour: NEWS_COLOUR.failure })),
    ...news.filter((c) => c.kind === 'leave').map((c) => ({ atMs: c.startMs, label: `leave ${c.subject}`, colour: NEWS_COLOUR.leave })),
  ];
  marks.forEach((m, i) => {
    const x = n1(sx(m.atMs));
    out.push(
      `<g class="marker" data-at-ms="${Math.round(m.atMs)}"><line x1="${x}" x2="${x}" y1="${n1(f.top)}" y2="${n1(f.bottom)}" stroke="${m.colour}" stroke-dasharray="4 3" stroke-opacity="0.7"/>`,
      // Labels of close markers are staggered so they do not print over each other.
      `<text class="note" x="${n1(sx(m.atMs) + 3)}" y="${n1(f.top + 10 + (i % 4) * 12)}">${esc(m.label)}</text></g>`,
    );
  });
  const pts = load.map((s) => [sx(s.atMs), sy(s.msgsPerAgentPerSec)] as const);

  out.push(
    `<path class="series" data-series="msgs-per-agent-per-sec" data-points="${load.length}" d="${pathOf(pts)}" fill="none" stroke="${LINE}" stroke-width="2"><title>${esc(`median ${median.toFixed(2)}, peak ${peak.toFixed(2)} msgs/agent/s over ${load.length} samples`)}</title></path>`,
    legend(f, [
      { label: `msgs/agent/s, median ${median.toFixed(1)}`, colour: LINE },
      ...(detections.length > 0 ? [{ label: 'kill', colour: NEWS_COLOUR.failure, dash: true }] : []),
      ...(news.some((c) => c.kind === 'leave') ? [{ label: 'leave', colour: NEWS_COLOUR.leave, dash: true }] : []),
    ]),
    '</g>',
  );
  return out.join('\n');
}

/** A round upper bound for the y axis. */
function niceMax(v: number): number {
  const mag = 10 ** Math.floor(Math.log10(v));
  return [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((m) => m * mag).find((x) => x >= v) ?? 10 * mag;
}
