/** The alive message's `born` (issue 18): round trip, and refused when it is not a valid incarnation at or below `inc`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCodec } from '../../src/wire/codec.js';
import * as M from '../../src/core/messages.js';
import { checkMessage } from '../../src/wire/validate.js';

test('an alive with born round-trips; without born it keeps the old shape and size', () => {
  const codec = createCodec();
  const withBorn = M.alive('n1', '127.0.0.1:7946', 5, ['zone', 'a'], 3);
  const without = M.alive('n1', '127.0.0.1:7946', 5, ['zone', 'a']);
  const r = codec.decode(codec.encode([withBorn, without]));
  assert.ok(r.ok);
  assert.deepEqual(r.value, [withBorn, without]);
  assert.equal(codec.sizeOf(withBorn), codec.sizeOf(without) + 1, 'one byte for a small born');
});

test('born above inc, negative or not an integer is refused as bad-shape', () => {
  for (const born of [6, -1, 1.5, 'x']) {
    const r = checkMessage({ type: 5, name: 'n1', addr: '127.0.0.1:7946', inc: 5, tags: [], born });
    assert.deepEqual(r, { ok: false, reason: 'bad-shape' }, `born ${String(born)}`);
  }
});
