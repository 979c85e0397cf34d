/**
 * Where the worker's log lines end up on the main thread: the host's pino logger if it gave one
 * (each line logged again at its level, its fields kept, its time as `workerTime`), else stdout
 * as `phantom agent` writes it (JSON, or the short form on a terminal).
 */
import type { Logger } from '../agent/log.js';
import { prettyLine } from '../agent/log.js';

const LEVELS: Readonly<Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'>> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

export function lineSink(logger: Logger | undefined, pretty: boolean | undefined): (line: string) => void {
  if (!logger) {
    const tty = pretty ?? process.stdout.isTTY === true;
    return (line) => void process.stdout.write(tty ? prettyLine(line) : line);
  }
  return (line) => {
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return void logger.info({ line }, 'agent worker');
    }
    const { level, time, msg, pid: _pid, hostname: _host, ...fields } = o;
    logger[LEVELS[level as number] ?? 'info']({ ...fields, workerTime: time }, typeof msg === 'string' ? msg : '');
  };
}
