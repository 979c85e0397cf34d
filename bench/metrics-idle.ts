/**
 * What prom-client's default metrics cost an idle agent: CPU seconds per minute of one idle lan
 * agent (no peers) over --seconds, with no default metrics, or with them at an event-loop
 * monitoring precision of --precision ms. One process per setting; run them side by side:
 *
 *   for p in none 10 50; do node --import tsx bench/metrics-idle.ts --precision $p & done; wait
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createAgent } from '../src/agent/agent.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const precision = opt('precision', 'none');
const seconds = Number(opt('seconds', '20'));
const agent = await createAgent({ name: 'idle', bind: '127.0.0.1:0', admin: null, logLevel: 'silent' });
if (precision !== 'none') collectDefaultMetrics({ register: new Registry(), eventLoopMonitoringPrecision: Number(precision) });
const c0 = process.cpuUsage();
setTimeout(() => {
  const c = process.cpuUsage(c0);
  process.stdout.write(`precision ${precision}: ${(((c.user + c.system) / 1e6 / seconds) * 60).toFixed(3)} CPU s per idle minute\n`);
  void agent.shutdown().then(() => process.exit(0));
}, seconds * 1000);
