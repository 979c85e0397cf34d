/**
 * Rows moved by state transfers in a join, by kind (issue 16): whole tables (join answers,
 * catch-ups, periodic rounds), windowed catch-up answers (only the peer's newest rows) and
 * filtered ones (the rows missing from the asker's name filter), with the filters' bytes.
 *   node --import tsx bench/sim/rows.ts 600 large   (10 s spread through 3 seeds; `burst`: 1 s through one)
 * Prints one JSON object: rows per agent by kind, and when every table was complete.
 */
import { Simulation } from '../../src/sim/index.js';
import { createCodec } from '../../src/wire/codec.js';
import { MsgType, PushPullFlag, type PushPull } from '../../src/core/messages.js';

const [nArg = '300', kind = 'large', secsArg = '20'] = process.argv.slice(2);
const n = Number(nArg);
const codec = createCodec();
const rows = { join: 0, whole: 0, window: 0, filtered: 0, pushes: 0 };
let filterBytes = 0;
let stateBytes = 0;
/** First byte of a push-pull record (its shape is the 8th of the fixed table, messages.ts). */
const PUSH_PULL_RECORD = 0x40 + 7;
/** First byte of a `have` record (the 19th shape; older trees have none, and send none). */
const HAVE_RECORD = 0x40 + 18;
const sim = new Simulation({
  nodes: n,
  seed: 1,
  onSend: (_from, _to, bytes) => {
    // A push-pull packet starts with the push-pull record, or with a cookie echo before it.
    if (!bytes.includes(PUSH_PULL_RECORD) && !bytes.includes(HAVE_RECORD)) return;
    const r = codec.decode(bytes);
    if (!r.ok) return;
    for (const m of r.value) {
      if (m.type === MsgType.Have) filterBytes += codec.sizeOf(m);
      if (m.type !== MsgType.PushPull) continue;
      stateBytes += codec.sizeOf(m);
      const p = m as PushPull;
      if (p.flags & PushPullFlag.join) rows.join += p.entries.length;
      else if (!(p.flags & PushPullFlag.reply)) rows.pushes += p.entries.length;
      else if (p.flags & PushPullFlag.recent) rows.window += p.entries.length;
      else if (p.flags & PushPullFlag.have) rows.filtered += p.entries.length;
      else rows.whole += p.entries.length;
    }
  },
});
if (kind === 'large') sim.joinAll({ seeds: [0, 1, 2], spreadMs: 10_000 });
else sim.joinAll({ spreadMs: 1000 });
let convergedAt: number | null = null;
for (let t = 0; t < Number(secsArg) * 10 && convergedAt === null; t++) {
  sim.run(100);
  if (sim.checkConverged()) convergedAt = sim.now;
}
const perAgent = (x: number): number => Math.round(x / n);
const cpu = process.cpuUsage();
process.stdout.write(
  `${JSON.stringify({ n, kind, convergedAt, rowsPerAgent: { joinPushes: perAgent(rows.join), otherPushes: perAgent(rows.pushes), wholeTableReplies: perAgent(rows.whole), windowReplies: perAgent(rows.window), filteredReplies: perAgent(rows.filtered), total: perAgent(rows.join + rows.pushes + rows.whole + rows.window + rows.filtered) }, kbPerAgent: { stateTransfers: Math.round(stateBytes / n / 1024), filters: Math.round(filterBytes / n / 1024) }, cpuMs: Math.round((cpu.user + cpu.system) / 1000) })}\n`,
);
