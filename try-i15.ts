import { Simulation } from './src/sim/index.js';
const [n, loss, relay] = process.argv.slice(2).map(Number);
const sim = new Simulation({ nodes: n!, seed: 2, loss: loss! });
sim.joinAll(); console.log('conv', sim.runUntilConverged(120000));
sim.answerQueries((obs) => new TextEncoder().encode(obs));
const t0 = performance.now();
for (let k = 0; k < 3; k++) {
  const acks = new Set<string>(); const resp = new Set<string>(); let done = -1; const start = sim.now; let last = 0;
  sim.agent(k).query({ name: 'who', payload: new Uint8Array(0), nodes: [], tags: [], ack: true, relay: relay!, timeoutMs: 0 }, {
    answer: (kind, from) => { (kind === 'ack' ? acks : resp).add(from); last = sim.now - start; },
    done: (t) => { done = t; },
  });
  sim.run(20000);
  console.log({ acks: acks.size, responses: resp.size, timeout: done, lastAnswerMs: Math.round(last) });
}
console.log('wall', performance.now() - t0);
