/**
 * What `phantom monitor` and the dashboard follow (`GET /v1/events`): the agent's log lines and
 * its membership events, as one stream of `{ kind, data }` items. A kind is a stable string:
 * `log` (data: the pino JSON line, parsed) and `member` (data: { type, member, previous }).
 * Other parts of the agent publish their own kinds here (user events as `user`, queries as
 * `query`), and every subscriber gets them without a change to the stream.
 */
import { TypedEmitter } from '../runtime/emitter.js';

export interface MonitorItem {
  readonly kind: string;
  /** For `log`: the pino level number, so subscribers can filter without parsing. */
  readonly level?: number;
  readonly data: unknown;
}

export type MonitorListener = (item: MonitorItem) => void;

/** Fan-out to the subscribers; a listener that throws is dropped, never the publisher's problem. */
export class MonitorHub {
  private readonly emitter = new TypedEmitter<{ item: MonitorItem }>((_err, _type, _item, off) => off());

  subscribe(fn: MonitorListener): () => void {
    return this.emitter.on('item', fn);
  }

  get size(): number {
    return this.emitter.listenerCount('item');
  }

  publish(item: MonitorItem): void {
    this.emitter.emit('item', item);
  }
}
