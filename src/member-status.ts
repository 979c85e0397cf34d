/**
 * A member's state in operators' words, as the CLI, the admin API and the logs show it: the
 * protocol's `dead` is shown as `failed` (Serf's word). Its own module, so that a client
 * command gets the list without loading the agent.
 */
import type { MemberState } from './core/types.js';

/** Every status, in the order the CLI lists them (`phantom members --status`, `?status=`). */
export const MEMBER_STATUSES = ['alive', 'suspect', 'failed', 'left'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

/** Protocol state word -> operator word. */
export function statusOf(state: MemberState): MemberStatus {
  return state === 'dead' ? 'failed' : state;
}
