/** A simulation report as a person reads it. */
import type { Report } from './measures.js';

const ms = (v: number | null): string => (v === null ? 'never' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

export function formatReport(r: Report): string {
  const lines = [
    `nodes ${r.nodes}  seed ${r.seed}  profile ${r.profile}  virtual ${ms(r.durationMs)}  wall ${ms(r.wallMs)}  heap ${r.heapMB} MB`,
    `join convergence      ${ms(r.joinConvergenceMs)}`,
  ];
  for (const d of r.detection) {
    lines.push(`detection ${d.node.padEnd(10)}  first suspect ${ms(d.firstSuspectMs)}  first dead ${ms(d.firstDeadMs)}  all dead ${ms(d.allDeadMs)}`);
  }
  lines.push(
    `false positives       ${r.falsePositives}${r.falsePositives > 0 ? ` (${r.falsePositiveEvents.length} verdicts)` : ''}`,
    `load per agent        ${r.msgsPerNodePerSec} msgs/s, ${r.bytesPerNodePerSec} bytes/s, ${r.packetsPerNodePerSec} packets/s`,
    `agreement             ${r.agreement ? 'yes' : `no (${r.distinctChecksums} checksums)`} among ${r.liveAgents} live agents`,
    `protocol              probes failed ${r.counters.probesFailed}, suspicions ${r.counters.suspicionsStarted} (expired ${r.counters.suspicionsExpired}), refutations ${r.counters.refutations}`,
    `trace                 ${r.traceHash}`,
  );
  const drops = Object.entries(r.drops);
  if (drops.length > 0) lines.push(`drops                 ${drops.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  return lines.join('\n');
}
