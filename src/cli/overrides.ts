/** `key=value` flags into protocol overrides; the config's own validation names bad fields. */
import { ClusterError } from '../errors.js';

export function parseOverrides(items: readonly string[], flag: string): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {};
  for (const item of items) {
    const m = /^([A-Za-z][A-Za-z0-9]*)=(.+)$/.exec(item);
    if (!m) throw new ClusterError('ERR_ARGUMENT', `${flag} ${JSON.stringify(item)}: expected key=value, e.g. ${flag} suspicionMult=5`);
    const [, key, raw] = m as unknown as [string, string, string];
    if (raw === 'true' || raw === 'false') out[key] = raw === 'true';
    else if (Number.isFinite(Number(raw))) out[key] = Number(raw);
    else throw new ClusterError('ERR_ARGUMENT', `${flag} ${key}: ${JSON.stringify(raw)} is not a number or true/false`);
  }
  return out;
}
