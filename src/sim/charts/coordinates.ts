/**
 * The coordinates panel (runs with zones): median relative error of the RTT the agents'
 * network coordinates estimate, over all pairs, within zones and between zones, over virtual
 * time (log scale), with the 15% line the estimates should get under.
 */
import type { CoordinateAccuracy } from '../zones.js';
import { axes, esc, legend, linear, log10Scale, maxOr, n1, pathOf, type Frame } from './svg.js';
import { fmtS } from './dissemination.js';

const SERIES = [
  { key: 'median', label: 'all pairs', colour: '#1d6fd6' },
  { key: 'intra', label: 'within a zone', colour: '#d6841d' },
  { key: 'inter', label: 'between zones', colour: '#2e9e5b' },
] as const;
const TARGET = 0.15;

export function coordinatesHeight(): number {
  return 280;
}

export function coordinatesPanel(f: Frame, samples: readonly CoordinateAccuracy[], endMs: number): string {
  const xMaxS = Math.max(1, Math.ceil(endMs / 1000));
  // Log scale: pairs 1 ms apart start at errors of 1000% and more, pairs between zones end near 5%.
  const finite = samples.flatMap((a) => [a.median, a.intra, a.inter]).filter((v) => Number.isFinite(v) && v > 0);
  const yMin = 10 ** Math.min(-1, Math.floor(Math.log10(Math.min(TARGET, ...finite))));
  const yMax = 10 ** Math.max(0, Math.ceil(Math.log10(maxOr(finite, 1))));
  const sx = linear([0, xMaxS * 1000], [f.left, f.right]);
  const sy = log10Scale([yMin, yMax], [f.bottom, f.top]);
  const clamp = (v: number): number => sy(Math.min(yMax, Math.max(yMin, Number.isFinite(v) ? v : yMax)));
  const last = samples[samples.length - 1];
  const out: string[] = [
    `<g id="coordinates" data-samples="${samples.length}"${last ? ` data-final-median="${last.median.toFixed(4)}"` : ''}>`,
    axes(f, {
      title: 'Network coordinates: median relative error of the estimated RTT (log scale)',
      xLabel: 'virtual time (s)',
      yLabel: 'relative error',
      xMax: xMaxS,
      yMax,
      yLogMin: yMin,
      xFormat: fmtS,
      yFormat: (v) => `${Number((v * 100).toPrecision(2))}%`,
    }),
    `<line class="target" x1="${n1(f.left)}" x2="${n1(f.right)}" y1="${n1(sy(TARGET))}" y2="${n1(sy(TARGET))}" stroke="#c0392b" stroke-dasharray="6 4"/>`,
  ];
  for (const s of SERIES) {
    const pts = samples.map((a) => [sx(a.atMs), clamp(a[s.key])] as const);
    const final = last ? `, last ${(last[s.key] * 100).toFixed(1)}%` : '';
    out.push(
      `<path class="series" data-series="coordinate-error-${s.key}" data-points="${pts.length}" d="${pathOf(pts)}" fill="none" stroke="${s.colour}" stroke-width="2"><title>${esc(`${s.label}${final}`)}</title></path>`,
    );
  }
  out.push(
    legend(f, [
      ...SERIES.map((s) => ({ label: `${s.label}${last ? ` (last ${(last[s.key] * 100).toFixed(1)}%)` : ''}`, colour: s.colour })),
      { label: 'target 15%', colour: '#c0392b', dash: true },
    ]),
    '</g>',
  );
  return out.join('\n');
}
