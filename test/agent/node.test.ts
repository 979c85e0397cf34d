/**
 * One wiring (issue 17): the production agent and the simulator build their nodes with the one
 * composition root, agent/node.ts; neither assembles the parts by hand, so what runs under the
 * seeded simulator is what runs in production.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const HAND_WIRING = /new Driver\(|new WireRouter\(|createMemberGuard\(|new Observer\(|createSecureCodec\(|new KeyService\(/;

test('the agent and the Simulation build their nodes with createNode, not by hand', () => {
  for (const file of ['src/agent/agent.ts', 'src/sim/simulation.ts']) {
    const src = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
    assert.match(src, /createNode\(/, `${file} calls the composition root`);
    assert.doesNotMatch(src, HAND_WIRING, `${file} wires a part by hand`);
  }
});
