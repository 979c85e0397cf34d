/**
 * `GET /v1/events`: the agent's monitor items (src/agent/monitor.ts) as Server-Sent Events, for
 * `phantom monitor` and the dashboard. Bounded twice: at most `maxStreams` streams at once (one
 * more is refused, ERR_TOO_MANY_STREAMS), and a consumer that does not read keeps at most
 * `bufferBytes` queued; past that its items are dropped, and once it catches up it is told how
 * many (`event: dropped`, data `{"count": N}`) rather than the agent's memory growing.
 *
 * Frames: `event: <kind>` and `data: <one line of JSON>`; a comment line every heartbeatMs keeps
 * proxies from closing an idle stream and lets the server notice a consumer that went away.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MonitorItem, MonitorListener } from '../agent/monitor.js';
import { LEVEL_VALUES } from '../agent/log-line.js';

export interface StreamLimits {
  /** Streams served at once. */
  readonly maxStreams: number;
  /** Bytes a slow consumer may have queued before items are dropped for it. */
  readonly bufferBytes: number;
  /** Milliseconds between keep-alive comments. */
  readonly heartbeatMs: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = { maxStreams: 8, bufferBytes: 256 * 1024, heartbeatMs: 15_000 };

/** pino's level numbers by name; `silent` lets no log line through (member events only). */
export const LOG_LEVEL_NUMBERS: Readonly<Record<string, number>> = LEVEL_VALUES;

export class EventStreams {
  private open = 0;

  constructor(private readonly limits: StreamLimits = DEFAULT_STREAM_LIMITS) {}

  get count(): number {
    return this.open;
  }

  /** Serve one stream until the client goes away; false (nothing written) when at the limit. */
  serve(req: IncomingMessage, res: ServerResponse, subscribe: (fn: MonitorListener) => () => void, minLevel: number): boolean {
    if (this.open >= this.limits.maxStreams) return false;
    this.open++;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    let dropped = 0;
    const send = (frame: string): void => {
      if (res.writableLength + frame.length > this.limits.bufferBytes) {
        dropped++;
        return;
      }
      if (dropped > 0) {
        res.write(`event: dropped\ndata: {"count":${dropped}}\n\n`);
        dropped = 0;
      }
      res.write(frame);
    };
    res.write(`retry: 2000\n: phantom events, limit ${this.limits.bufferBytes} bytes queued\n\n`);
    const off = subscribe((item: MonitorItem) => {
      if (item.kind === 'log' && (item.level ?? 30) < minLevel) return;
      send(`event: ${item.kind}\ndata: ${JSON.stringify(item.data)}\n\n`);
    });
    const beat = setInterval(() => send(': keep-alive\n\n'), this.limits.heartbeatMs);
    beat.unref();
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      off();
      clearInterval(beat);
      this.open--;
    };
    req.on('close', close);
    res.on('close', close);
    return true;
  }
}
