/** Durations as people write them: 500, "500ms", "60s", "2m", "1h". Numbers are milliseconds. */
import { ClusterError } from '../errors.js';

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(v: number | string, field: string): number {
  if (typeof v === 'number') {
    if (Number.isFinite(v) && v >= 0) return v;
  } else if (typeof v === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(v);
    if (m) return Number(m[1]) * units[m[2] ?? 'ms']!;
  }
  throw new ClusterError('ERR_ARGUMENT', `${field}: ${JSON.stringify(v)} is not a duration (use e.g. 500ms, 60s, 2m, or a number of ms)`);
}
