/**
 * The detection timeline: one row per killed agent, from its kill to the first live agent
 * suspecting it, the first marking it dead, and all live agents marking it dead (the measures of
 * docs/ARCHITECTURE.md). A stage that never happened is drawn to the end of the run and labelled "never".
 */
import type { Detection } from '../measures.js';
import { axes, esc, legend, linear, maxOr, n1, type Frame } from './svg.js';
import { fmtS } from './dissemination.js';

const ROW = 26;
const COLOURS = { wait: '#c3cad6', suspect: '#e0a100', dead: '#d64545' } as const;

/** The panel's height for `count` victims. */
export function detectionHeight(count: number): number {
  return 90 + Math.max(1, count) * ROW;
}

/** The panel's SVG group; `endMs` is the run's virtual duration (for stages that never came). */
export function detectionPanel(f: Frame, detections: readonly Detection[], endMs: number): string {
  const horizon = (d: Detection): number => Math.max(0, endMs - d.killedAtMs);
  const last = maxOr(
    detections.map((d) => d.allDeadMs ?? horizon(d)),
    1000,
  );
  const xMaxS = Math.max(1, Math.ceil((last * 1.08) / 1000));
  const sx = linear([0, xMaxS * 1000], [f.left, f.right]);
  const out: string[] = [
    `<g id="detection">`,
    axes(f, {
      title: 'Detection of each killed agent: first suspect, first dead, all dead',
      xLabel: 'seconds since the kill',
      yLabel: 'killed agent',
      xMax: xMaxS,
      yMax: 1,
      yFormat: () => '',
      xFormat: fmtS,
    }),
  ];
  if (detections.length === 0) out.push(`<text class="note" x="${n1(f.left + 10)}" y="${n1(f.top + 20)}">no agent was killed (use --kill N)</text>`);
  detections.forEach((d, i) => {
    const y = f.top + 14 + i * ROW;
    const end = d.allDeadMs ?? horizon(d);
    const seg = (from: number | null, to: number | null, colour: string, cls: string): string =>
      from === null
        ? ''
        : `<line class="${cls}" x1="${n1(sx(from))}" x2="${n1(sx(to ?? end))}" y1="${n1(y)}" y2="${n1(y)}" stroke="${colour}" stroke-width="8" stroke-linecap="butt"/>`;
    const mark = (v: number | null, shape: string): string => (v === null ? '' : shape.replace(/X/g, n1(sx(v))));
    const ms = (v: number | null): string => (v === null ? '' : String(Math.round(v)));
    const label = `suspect ${when(d.firstSuspectMs)} · dead ${when(d.firstDeadMs)} · all dead ${when(d.allDeadMs)}`;
    out.push(
      `<g class="victim" data-node="${esc(d.node)}" data-killed-at-ms="${Math.round(d.killedAtMs)}" data-first-suspect-ms="${ms(d.firstSuspectMs)}" data-first-dead-ms="${ms(d.firstDeadMs)}" data-all-dead-ms="${ms(d.allDeadMs)}">`,
      `<title>${esc(`${d.node} killed at ${fmtS(d.killedAtMs / 1000)} s: ${label}`)}</title>`,
      `<text class="tick" x="${n1(f.left - 6)}" y="${n1(y)}" text-anchor="end" dominant-baseline="middle">${esc(d.node)}</text>`,
      seg(0, d.firstSuspectMs, COLOURS.wait, 'stage-wait'),
      seg(d.firstSuspectMs, d.firstDeadMs, COLOURS.suspect, 'stage-suspect'),
      seg(d.firstDeadMs, d.allDeadMs, COLOURS.dead, 'stage-dead'),
      mark(d.firstSuspectMs, `<circle cx="X" cy="${n1(y)}" r="5" fill="${COLOURS.suspect}" stroke="#fff"/>`),
      mark(d.firstDeadMs, `<rect x="X" y="${n1(y - 5)}" width="7" height="7" transform="rotate(45 X ${n1(y)})" fill="${COLOURS.dead}" stroke="#fff"/>`),
      mark(d.allDeadMs, `<line x1="X" x2="X" y1="${n1(y - 8)}" y2="${n1(y + 8)}" stroke="#7a1f1f" stroke-width="2.5"/>`),
      `<text class="note" x="${n1(f.left + 4)}" y="${n1(y - 8)}">${esc(label)}</text>`,
      '</g>',
    );
  });
  out.push(
    legend(f, [
      { label: 'not yet suspected', colour: COLOURS.wait },
      { label: 'suspected', colour: COLOURS.suspect },
      { label: 'dead at some agents', colour: COLOURS.dead },
    ]),
    '</g>',
  );
  return out.join('\n');
}

function when(v: number | null): string {
  return v === null ? 'never' : `${fmtS(v / 1000)} s`;
}
