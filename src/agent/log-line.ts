/**
 * One pino JSON line as a short human line, `12:00:01.234 INFO  msg key=value ...`: for the
 * agent's terminal output and for `phantom monitor`. Apart from log.ts so that the monitor
 * command does not load pino.
 */
/** pino's level numbers by name; `silent` logs nothing. */
export const LEVEL_VALUES: Readonly<Record<'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent', number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
};

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const SKIP = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'agent']);

/** Turn one pino JSON line into `12:00:01.234 INFO  msg key=value ...`. */
export function prettyLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const t = typeof o.time === 'number' ? new Date(o.time).toISOString().slice(11, 23) : '';
  const parts = [t, LEVEL_NAMES[o.level as number] ?? String(o.level), String(o.msg ?? '')];
  for (const [k, v] of Object.entries(o)) if (!SKIP.has(k)) parts.push(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return `${parts.join(' ')}\n`;
}
