/** Test helpers for real agents on loopback: fast settings, and waiting on events, never sleeping. */
import type { Agent } from '../../src/agent/agent.js';
import type { AgentConfigInput } from '../../src/agent/agent-config.js';
import type { MemberState } from '../../src/core/types.js';

/** The local profile, sped up so a failure is detected in about a second. */
export const FAST: Readonly<Record<string, number>> = Object.freeze({
  probeIntervalMs: 200,
  probeTimeoutMs: 80,
  suspicionMult: 2,
  gossipIntervalMs: 50,
  pushPullIntervalMs: 2000,
  joinTimeoutMs: 200,
  joinAttempts: 3,
  // Flap damping's probation, scaled like the rest: a restarted member is back in 2 s.
  readmitAfterMs: 2000,
  reconnectIntervalMs: 1000,
  leaveTimeoutMs: 500,
});

/** Config for a test agent on 127.0.0.1 with a free port. */
export function testConfig(name: string, extra: AgentConfigInput = {}): AgentConfigInput {
  return { name, bind: '127.0.0.1:0', profile: 'local', protocol: FAST, admin: null, logLevel: 'silent', ...extra };
}

/** Resolve when `observer` holds `subject` in `state`; reject after `ms` with what it holds. */
export function waitForState(observer: Agent, subject: string, state: MemberState, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const holds = (): boolean => observer.member(subject)?.state === state;
    if (holds()) return resolve();
    const offs = (['join', 'update', 'suspect', 'alive', 'failed', 'left'] as const).map((t) => observer.on(t, () => check()));
    const timer = setTimeout(() => {
      offs.forEach((o) => o());
      reject(new Error(`${observer.name} did not see ${subject} ${state} within ${ms} ms (it sees ${observer.member(subject)?.state ?? 'nothing'})`));
    }, ms);
    const check = (): void => {
      if (!holds()) return;
      clearTimeout(timer);
      offs.forEach((o) => o());
      resolve();
    };
  });
}

/**
 * Resolve once `pred()` holds, checked every `everyMs`; reject after `ms` naming `what`. For
 * conditions no event announces (a counter moving); membership changes use waitForState.
 */
export function eventually(pred: () => boolean, ms: number, what: string, everyMs = 20): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const check = (): void => {
      if (pred()) return resolve();
      if (performance.now() - started > ms) return reject(new Error(`${what}: not within ${ms} ms`));
      setTimeout(check, everyMs);
    };
    check();
  });
}
