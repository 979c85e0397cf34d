/**
 * bench/FUZZ.md holds two runs' reports: `npm run fuzz` (garbage) before the marker and
 * `npm run fuzz:mutate` (mutated captured packets) from the marker on. Each run rewrites its
 * own part and keeps the other.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const MARK = '<!-- npm run fuzz:mutate writes from here on -->';
const file = new URL('../FUZZ.md', import.meta.url);

export function writeFuzzSection(part: 'garbage' | 'mutation', text: string): void {
  const md = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const at = md.indexOf(MARK);
  const garbage = at >= 0 ? md.slice(0, at) : md;
  const mutation = at >= 0 ? md.slice(at + MARK.length) : '';
  const [g, m] = part === 'garbage' ? [text, mutation] : [garbage, text];
  writeFileSync(file, `${g.trimEnd()}\n\n${MARK}\n${m.trim()}\n`);
}
