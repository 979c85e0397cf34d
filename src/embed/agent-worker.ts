/**
 * The agent's worker thread (`Cluster.start({ isolate: 'worker' })`): the same agent as
 * `phantom agent`, on an event loop the host's own work cannot block. It answers probes while the
 * main thread sorts, compacts or collects garbage; it watches the main thread (host-watch.ts)
 * and sets the health tag while it is busy; it serves the admin API, so `phantom members` and
 * Prometheus keep answering too. The main thread hears every membership event in batches and
 * answers lookups and picks from its own mirror.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { adminDepsFor } from '../admin/agent-deps.js';
import { startAdminServer, type AdminServer } from '../admin/server.js';
import { createAgent } from '../agent/agent.js';
import { resolveAgentConfig } from '../agent/agent-config.js';
import { createLogger } from '../agent/log.js';
import { clusterHealth } from '../cluster-health.js';
import { MEMBER_EVENT_TYPES, type MemberEvent } from '../core/types.js';
import type { IncomingQueryEvent } from '../agent/agent.js';
import { ClusterError } from '../errors.js';
import { HostWatch } from './host-watch.js';
import type { Call, FromWorker, ToWorker, WireError, WorkerInit, WorkerStats } from './messages.js';
import { HealthTagOverlay } from './tag-overlay.js';

/**
 * How often awareness and state are compared with what the main thread last heard (ms). Reading
 * them costs a stats() (a checksum over the table), so not much more often; a change of the
 * main thread's verdict or of the agent's state is sent at once anyway.
 */
const STATUS_EVERY_MS = 1000;
/** Coordinates move a little with every probe; the main thread's copy may lag this much. */
const COORDINATES_EVERY_MS = 2000;

const port = parentPort!;
const init = workerData as WorkerInit;
const post = (m: FromWorker): void => port.postMessage(m);
const wire = (e: unknown): WireError => ({ code: e instanceof ClusterError ? e.code : 'ERR_INTERNAL', message: e instanceof Error ? e.message : String(e) });

async function main(): Promise<void> {
  const config = resolveAgentConfig(init.agent);
  // Lines go to the main thread, which writes them or hands them to the host's logger.
  const log = createLogger({ level: config.logLevel, agent: config.name, pretty: false, write: (line) => post({ t: 'log', line }) });
  const agent = await createAgent(config, { logger: log, ...(init.snapshotIntervalMs !== undefined ? { snapshotIntervalMs: init.snapshotIntervalMs } : {}) });
  const tags = new HealthTagOverlay(init.healthTag, agent.self().tags, (t) => agent.setTags(t));
  const counter = new Int32Array(init.beat);
  const watch = new HostWatch(init.busyAfterMs, Atomics.load(counter, 0), performance.now());
  let admin: AdminServer | undefined;
  let stopping: Promise<void> | undefined;

  let batch: MemberEvent[] = [];
  const flush = (): void => {
    const events = batch;
    batch = [];
    post({ t: 'events', events });
  };
  for (const type of MEMBER_EVENT_TYPES) {
    agent.on(type, (e) => {
      if (batch.length === 0) queueMicrotask(flush);
      batch.push(e);
    });
  }

  // After the batch of membership events of the same step, so the main thread's order holds.
  agent.on('event', (event) => queueMicrotask(() => post({ t: 'user-event', event })));

  // Queries: asked here for the main thread, and handed to its handlers to answer.
  const answers = new Map<number, (payload: Uint8Array | undefined) => void>();
  let nextKey = 1;
  const queryOffs = new Map<string, () => void>();
  const handOver = (q: IncomingQueryEvent): Promise<Uint8Array | undefined> =>
    new Promise((resolve) => {
      const key = nextKey++;
      answers.set(key, resolve);
      post({ t: 'query-in', key, query: q });
    });

  let told = { state: '', awareness: -1, busy: false };
  const status = (): void => {
    const s = agent.stats();
    const busy = watch.stats().busy;
    if (s.state === told.state && s.awareness === told.awareness && busy === told.busy) return;
    told = { state: s.state, awareness: s.awareness, busy };
    post({ t: 'status', state: s.state, awareness: s.awareness, mainThreadBusy: busy });
  };
  const statusTimer = setInterval(status, STATUS_EVERY_MS);
  const coordinatesTimer = setInterval(() => {
    const coordinates = agent.members().flatMap((m) => (m.coordinate ? [[m.name, m.coordinate] as const] : []));
    if (coordinates.length > 0) post({ t: 'coordinates', coordinates });
  }, COORDINATES_EVERY_MS);

  const watchTimer = setInterval(() => {
    const verdict = watch.sample(Atomics.load(counter, 0), performance.now());
    if (verdict === undefined) return;
    const busy = verdict === 'busy';
    if (busy) log.warn({ busyAfterMs: init.busyAfterMs, tag: `${init.healthTag}=busy` }, 'main thread busy: asking others to route around this member');
    else log.info({ longestStallMs: watch.stats().longestStallMs }, 'main thread runs again: taking requests');
    try {
      if (agent.stats().state === 'running') tags.setBusy(busy);
    } catch (e) {
      log.error({ err: e }, 'cannot set the health tag');
    }
    status();
  }, init.beatMs);

  /** Stop everything in this thread; the main thread ends the worker after the reply. */
  const stop = (leave: boolean): Promise<void> =>
    (stopping ??= (async () => {
      clearInterval(watchTimer);
      clearInterval(coordinatesTimer);
      if (leave) await agent.leave();
      await agent.shutdown();
      clearInterval(statusTimer);
      status();
      await admin?.close();
    })());

  const run = async (call: Call): Promise<unknown> => {
    switch (call.op) {
      case 'setTags':
        return tags.setUser(call.tags);
      case 'event':
        return agent.event(call.name, call.payload, { coalesce: call.coalesce });
      case 'query': {
        const r = call.request;
        const opts = { nodes: r.nodes, tags: Object.fromEntries(r.tags.map((t) => [t.key, t.pattern])), ack: r.ack, relay: r.relay, timeoutMs: r.timeoutMs };
        const stream = agent.query(r.name, r.payload, opts);
        void (async () => {
          for await (const answer of stream) post({ t: 'query-answer', qid: call.qid, answer });
          post({ t: 'query-done', qid: call.qid, timeoutMs: (await stream.done).timeoutMs });
        })();
        return undefined;
      }
      case 'on-query':
        queryOffs.get(call.name)?.();
        queryOffs.delete(call.name);
        if (call.on) queryOffs.set(call.name, agent.onQuery(call.name, handOver));
        return undefined;
      case 'query-respond': {
        const resolve = answers.get(call.key);
        answers.delete(call.key);
        resolve?.(call.payload);
        return undefined;
      }
      case 'stats':
        return { agent: agent.stats(), mainThread: watch.stats() } satisfies WorkerStats;
      case 'join':
        return agent.join(call.seeds);
      case 'leave':
        return stop(true);
      case 'shutdown':
        return stop(false);
    }
  };
  port.on('message', (m: ToWorker) => {
    run(m.call).then(
      (value) => post({ t: 'reply', id: m.id, ok: true, value }),
      (e: unknown) => post({ t: 'reply', id: m.id, ok: false, error: wire(e) }),
    );
  });

  if (init.admin !== null) {
    admin = await startAdminServer(
      init.admin,
      adminDepsFor(agent, {
        leave: async () => {
          await agent.leave();
          status();
          // Answer the request first; the main thread hears `left` and ends this worker.
          setTimeout(() => void stop(false), 50);
        },
        health: () => clusterHealth(agent.health(), agent.members(), agent.stats().awareness, init.policy),
        setTags: (t) => tags.setUser(t),
        mainThread: () => watch.stats(),
        info: () => ({ isolate: 'worker', mainThread: watch.stats() }),
        ...(init.shards !== undefined ? { shards: init.shards } : {}),
      }),
      { token: init.adminToken },
    ).catch(async (e: unknown) => {
      await stop(false);
      throw e;
    });
    log.info({ admin: admin.address, token: init.adminToken !== undefined }, 'admin API listening');
  }
  post({
    t: 'ready',
    name: agent.name,
    address: agent.address,
    admin: admin?.address,
    members: agent.members(),
    timeOrigin: performance.timeOrigin,
    awareness: agent.stats().awareness,
  });
  status();
}

main().catch((e: unknown) => {
  post({ t: 'fatal', error: wire(e) });
  port.close();
});
