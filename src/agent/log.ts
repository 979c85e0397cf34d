/**
 * The agent's pino logger: JSON lines by default (one object per line, for log shippers and for
 * following a cluster from its logs), or a short human line when stdout is a terminal. The pretty
 * form is a few lines of our own rather than pino-pretty: one less dependency, and pino still
 * does the level filtering and serialisation.
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import type { LogLevel } from './agent-config.js';

export type { Logger } from 'pino';

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

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Pretty lines instead of JSON; default: when stdout is a TTY. */
  readonly pretty?: boolean;
  /** Where lines go; default stdout. */
  readonly write?: (line: string) => void;
  /** Added to every line (the agent's name), so interleaved logs of many agents stay apart. */
  readonly agent?: string;
}

/** Build the logger the observer uses. */
export function createLogger(opts: LoggerOptions): Logger {
  const pretty = opts.pretty ?? process.stdout.isTTY === true;
  const sink = opts.write ?? ((line: string) => void process.stdout.write(line));
  const dest: DestinationStream = { write: pretty ? (line: string) => sink(prettyLine(line)) : sink };
  return pino({ level: opts.level, base: opts.agent ? { agent: opts.agent } : {} }, dest);
}
