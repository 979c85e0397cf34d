/**
 * The agent's pino logger: JSON lines by default (one object per line, for log shippers and for
 * following a cluster from its logs), or a short human line when stdout is a terminal. The pretty
 * form is a few lines of our own rather than pino-pretty: one less dependency, and pino still
 * does the level filtering and serialisation.
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import type { LogLevel } from './agent-config.js';

export type { Logger } from 'pino';

import { LEVEL_VALUES, prettyLine } from './log-line.js';
export { LEVEL_VALUES, prettyLine } from './log-line.js';

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Pretty lines instead of JSON; default: when stdout is a TTY. */
  readonly pretty?: boolean;
  /** Where lines go; default stdout. */
  readonly write?: (line: string) => void;
  /** Added to every line (the agent's name), so interleaved logs of many agents stay apart. */
  readonly agent?: string;
  /** Also hears every JSON line (before prettifying): `phantom monitor`'s log stream. */
  readonly tap?: (jsonLine: string) => void;
  /**
   * The lowest level number written to `write` (default: all the logger lets through). With a
   * tap that wants more than the operator's level, the logger runs lower and this keeps the
   * operator's output as asked.
   */
  readonly outputLevel?: () => number;
}

/** The pino level number of a JSON line (pino writes it first), or undefined. */
export function levelOfLine(jsonLine: string): number | undefined {
  const m = /^\{"level":(\d+)/.exec(jsonLine);
  return m ? Number(m[1]) : undefined;
}

/** The level name of a number of LEVEL_VALUES (the next louder one for numbers between). */
export function levelName(n: number): LogLevel {
  const names = (Object.keys(LEVEL_VALUES) as LogLevel[]).sort((a, b) => LEVEL_VALUES[a] - LEVEL_VALUES[b]);
  return names.find((k) => LEVEL_VALUES[k] >= n) ?? 'silent';
}

/** Build the logger the observer uses. */
export function createLogger(opts: LoggerOptions): Logger {
  const pretty = opts.pretty ?? process.stdout.isTTY === true;
  const sink = opts.write ?? ((line: string) => void process.stdout.write(line));
  const out = pretty ? (line: string) => sink(prettyLine(line)) : sink;
  const tap = opts.tap;
  const min = opts.outputLevel;
  const gated = min ? (line: string) => void ((levelOfLine(line) ?? Infinity) >= min() && out(line)) : out;
  const dest: DestinationStream = {
    write: tap
      ? (line: string) => {
          tap(line);
          gated(line);
        }
      : gated,
  };
  return pino({ level: opts.level, base: opts.agent ? { agent: opts.agent } : {} }, dest);
}
