/** What reaches the operator's terminal: names and tags from the cluster are escaped, never raw. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printable, terminalJson } from '../../src/cli/escape.js';
import { formatTable } from '../../src/cli/client.js';

const hostile = ['db\u001b[2J-1', 'a\u009b31mb', 'x\u202eevil', 'line\nbreak', 'bell\u0007', 'zw\u200bsp', 'lone\ud800'];

test('table cells escape control, C1, bidi and zero-width characters, and keep ordinary text', () => {
  const out = formatTable(
    ['NAME', 'TAGS'],
    hostile.map((h) => [h, `zone=${h}`]),
  );
  assert.doesNotMatch(out, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b\u202e\ud800]/u, 'no raw control character but the line ends');
  assert.equal(out.split('\n').length, hostile.length + 2, 'one line per row: a newline in a name cannot add a row');
  assert.match(out, /db\\u001b\[2J-1/);
  assert.equal(printable('db-1 zone=eu-1 ✓ Zürich'), 'db-1 zone=eu-1 ✓ Zürich');
});

test('JSON for the terminal is the same value, with nothing a terminal acts on left raw', () => {
  for (const h of hostile) {
    const text = terminalJson({ name: h });
    assert.doesNotMatch(text, /[\u0000-\u001f\u007f-\u009f\u200b\u202e]/u);
    assert.deepEqual(JSON.parse(text), { name: h });
  }
});
