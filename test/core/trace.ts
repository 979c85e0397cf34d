/** Helpers for step traces of the core: feed inputs at chosen times, read what comes out. */
import { Swim } from '../../src/core/swim.js';
import * as M from '../../src/core/messages.js';
import type { Note, Output } from '../../src/core/io.js';
import { lan, type ProtocolConfig } from '../../src/config.js';
import { SeededRandom } from '../../src/runtime/random.js';
import { createCodec } from '../../src/wire/codec.js';

export const codec = createCodec();
export type Send = Extract<Output, { type: 'send' }>;

/** A core named `name` at `${name}-addr`, with a fixed seed. */
export function make(name: string, now = 0, config: ProtocolConfig = lan, seed = 42): Swim {
  return new Swim({ name, address: `${name}-addr`, config }, { random: new SeededRandom(seed), sizeOf: codec.sizeOf }, now);
}
export const sends = (outs: readonly Output[]): Send[] => outs.filter((o): o is Send => o.type === 'send');
export const events = (outs: readonly Output[]): string[] => outs.flatMap((o) => (o.type === 'event' ? [`${o.event.type}:${o.event.member.name}`] : []));
export const notes = (outs: readonly Output[], kind: Note['kind']): Note[] => outs.flatMap((o) => (o.type === 'note' && o.note.kind === kind ? [o.note] : []));
/** Sends whose first message is of this type, as `to` and the message. */
export function firsts<T extends M.Message['type']>(outs: readonly Output[], type: T): { to: string; m: Extract<M.Message, { type: T }> }[] {
  return sends(outs).flatMap((s) => (s.messages[0]!.type === type ? [{ to: s.to, m: s.messages[0] as Extract<M.Message, { type: T }> }] : []));
}

/** Teach `core` about members (alive, incarnation 0, at `${name}-addr`) from a stranger's packet. */
export function learn(core: Swim, ...names: string[]): Output[] {
  return core.step({ type: 'packet', from: 'x', messages: names.map((n) => M.alive(n, `${n}-addr`, 0, [])) }, 0);
}

/** Tick at each deadline up to and including `until`, collecting outputs with the time they came out. */
export function runTo(core: Swim, until: number): (Output & { at: number })[] {
  const all: (Output & { at: number })[] = [];
  for (let t = core.nextDeadline(); t <= until; t = core.nextDeadline()) for (const o of core.step({ type: 'tick' }, t)) all.push({ ...o, at: t });
  return all;
}

/** Deliver one packet from `from` at `now`. */
export function deliver(core: Swim, from: string, now: number, ...messages: M.Message[]): Output[] {
  return core.step({ type: 'packet', from, messages }, now);
}

/**
 * Like runTo, but the members at `answering` addresses are up: every ping sent to one is acked
 * at once (1 ms later), so probes of them succeed and nobody is suspected.
 */
export function runAnswered(core: Swim, until: number, answering: readonly string[]): (Output & { at: number })[] {
  const all: (Output & { at: number })[] = [];
  for (let t = core.nextDeadline(); t <= until; t = core.nextDeadline()) {
    for (const o of core.step({ type: 'tick' }, t)) {
      all.push({ ...o, at: t });
      if (o.type !== 'send' || !answering.includes(o.to) || o.messages[0]!.type !== M.MsgType.Ping) continue;
      const ping = o.messages[0] as M.Ping;
      for (const r of core.step({ type: 'packet', from: o.to, messages: [M.ack(ping.seq, ping.target, 0)] }, t + 1)) all.push({ ...r, at: t + 1 });
    }
  }
  return all;
}

/** Tick at each deadline until one gives an output that `pred` accepts (at most until `until`); returns that output and its time. */
export function runUntilOutput(core: Swim, pred: (o: Output) => boolean, until = 1_000_000): Output & { at: number } {
  for (let t = core.nextDeadline(); t <= until; t = core.nextDeadline()) {
    const hit = core.step({ type: 'tick' }, t).find(pred);
    if (hit) return { ...hit, at: t };
  }
  throw new Error(`no such output by ${until}`);
}
