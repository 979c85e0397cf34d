/** Log fields for events; the emitter itself is runtime/emitter.ts (re-exported here for the agent's modules). */
export { TypedEmitter, type Listener } from '../runtime/emitter.js';

/** Log fields that name an event: its type, and for a membership event the member and its state. */
export function eventFields(type: PropertyKey, payload: unknown): Record<string, unknown> {
  const fields: Record<string, unknown> = { event: String(type) };
  const m = (payload as { member?: { name?: unknown; state?: unknown; incarnation?: unknown } } | null)?.member;
  if (m && typeof m.name === 'string') Object.assign(fields, { member: m.name, state: m.state, incarnation: m.incarnation });
  else if (Array.isArray(payload)) fields.items = payload.length;
  return fields;
}
