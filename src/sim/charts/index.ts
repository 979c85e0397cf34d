/**
 * Charts of a simulation run (`phantom simulate --report FILE.svg|.html`), as one hand-written
 * SVG document of three panels: dissemination, detection, load. Pure: series in, text out.
 * Elements carry ids and data-* attributes (`#dissemination`, `.victim[data-node]`,
 * `[data-series="msgs-per-agent-per-sec"]`) so tests and scripts can read the chart as text.
 */
import type { SimSeries } from '../recorder.js';
import { detectionHeight, detectionPanel } from './detection.js';
import { disseminationHeight, disseminationPanel } from './dissemination.js';
import { loadHeight, loadPanel } from './load.js';
import { coordinatesHeight, coordinatesPanel } from './coordinates.js';
import { STYLE, esc, frame } from './svg.js';

export { shareAt, fullAtMs } from './dissemination.js';

const WIDTH = 960;
const HEADER = 44;
const GAP = 12;

/** The whole chart as a standalone SVG document. */
export function renderChartSvg(s: SimSeries): string {
  const h1 = disseminationHeight();
  const h2 = detectionHeight(s.detection.length);
  const h3 = loadHeight();
  const y1 = HEADER;
  const y2 = y1 + h1 + GAP;
  const y3 = y2 + h2 + GAP;
  const coords = s.coordinates && s.coordinates.length > 0 ? s.coordinates : undefined;
  const y4 = y3 + h3 + GAP;
  const height = (coords ? y4 + coordinatesHeight() : y3 + h3) + 8;
  const title = `phantom simulate: ${s.nodes} agents, seed ${s.seed}, profile ${s.profile}, ${Math.round(s.durationMs / 1000)} s virtual`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" data-nodes="${s.nodes}" data-seed="${s.seed}">`,
    `<title>${esc(title)}</title>`,
    STYLE,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text class="title" x="20" y="26" style="font-size:16px">${esc(title)}</text>`,
    disseminationPanel(frame(0, y1, WIDTH, h1), s.news),
    detectionPanel(frame(0, y2, WIDTH, h2), s.detection, s.durationMs),
    loadPanel(frame(0, y3, WIDTH, h3), s.load, s.detection, s.news, s.durationMs),
    ...(coords ? [coordinatesPanel(frame(0, y4, WIDTH, coordinatesHeight()), coords, s.durationMs)] : []),
    '</svg>',
    '',
  ].join('\n');
}

/** An HTML page with the text report above the chart (no script, no external resource). */
export function renderChartHtml(s: SimSeries, textReport: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${esc(`phantom simulate: ${s.nodes} agents, seed ${s.seed}`)}</title>`,
    '<style>body{font:14px system-ui,sans-serif;margin:20px;color:#1d2430}pre{background:#f5f7fa;padding:12px;border-radius:6px}</style>',
    '</head><body>',
    `<pre>${esc(textReport)}</pre>`,
    renderChartSvg(s),
    '</body></html>',
    '',
  ].join('\n');
}

/** The chart format a file name asks for (.svg, .html, .htm), or undefined for any other. */
export function chartFormatOf(file: string): 'svg' | 'html' | undefined {
  const lower = file.toLowerCase();
  if (lower.endsWith('.svg')) return 'svg';
  if (lower.endsWith('.html') || lower.endsWith('.htm')) return 'html';
  return undefined;
}

/** The chart in the format `file`'s extension asks for; undefined for an unknown extension. */
export function renderChartFor(file: string, s: SimSeries, textReport: string): string | undefined {
  const format = chartFormatOf(file);
  return format === 'svg' ? renderChartSvg(s) : format === 'html' ? renderChartHtml(s, textReport) : undefined;
}
