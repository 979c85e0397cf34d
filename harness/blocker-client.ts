/**
 * The parent side of harness/blocking-member.ts: spawn it with a Cluster config, read its
 * JSON status lines (`{"blocker": ...}`), wait for one, send it commands (`block MS`, `leave`).
 * Used by the worker test and by bench:isolate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { waitUntil, ROOT } from './procs.js';

export interface Blocker {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  until(pred: () => boolean, ms: number, what: string): Promise<void>;
  send(line: string): void;
}

/** `entry`: node arguments that run the blocking member (tsx + source, or the compiled file). */
export function spawnBlocker(entry: readonly string[], config: unknown): Blocker {
  const child = spawn(process.execPath, [...entry, JSON.stringify(config)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const waiters = new Set<() => void>();
  const lines: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    try {
      const o = JSON.parse(l) as Record<string, unknown>;
      if (typeof o.blocker === 'string') lines.push(o);
    } catch {
      return;
    }
    for (const w of [...waiters]) w();
  });
  return {
    child,
    lines,
    until: (pred, ms, what) => waitUntil(waiters, pred, ms, () => `${what} not seen within ${ms} ms`),
    send: (line) => void child.stdin!.write(`${line}\n`),
  };
}
