/**
 * Issue 19 §2 against real agent processes with the default admin settings (only the ports are
 * ephemeral): what a web page in a browser on the host can send (a no-cors simple POST with a
 * text/plain body, a foreign Origin, a DNS-rebinding Host) is refused and changes nothing
 * (keys, tags, membership, the process keeps running), while the phantom commands, which find
 * the agent's token themselves, work as before.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, test } from 'node:test';
import { generateKey } from '../../src/wire/keyring.js';
import { FAST_SET, phantom, startAgent, stop, type AgentProc } from '../../harness/procs.js';

const procs: AgentProc[] = [];
after(async () => {
  await Promise.all(procs.map((p) => stop(p)));
});

interface Answer {
  readonly status: number;
  readonly code: string | undefined;
}

/** Send what a browser would, headers and all (node:http lets us set Host). */
function browser(admin: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const port = Number(admin.slice(admin.lastIndexOf(':') + 1));
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { 'user-agent': 'Mozilla/5.0', ...headers }, timeout: 5000 }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => void (text += d.toString()));
      res.on('end', () => {
        let code: string | undefined;
        try {
          code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
        } catch {
          code = undefined;
        }
        resolve({ status: res.statusCode ?? 0, code });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('a web page cannot drive a default agent; the CLI still can', { timeout: 60_000 }, async () => {
  const key = generateKey();
  const attackerKey = generateKey();
  const args = ['--bind', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--profile', 'local', '--encrypt', key, ...FAST_SET.flatMap((s) => ['--set', s])];
  const [a, b] = await Promise.all([startAgent('victim', args), startAgent('other', args)]);
  procs.push(a, b);
  const port = a.admin.slice(a.admin.lastIndexOf(':') + 1);

  // What the page would do: install its key and make it primary, retag, join a member it runs,
  // make the agent leave. Each as the three kinds of request a page can make.
  const bodies: [string, string][] = [
    ['/v1/keys', JSON.stringify({ op: 'install', key: attackerKey })],
    ['/v1/keys', JSON.stringify({ op: 'use', key: attackerKey })],
    ['/v1/tags', JSON.stringify({ set: { owned: 'yes' } })],
    ['/v1/join', JSON.stringify({ addrs: [b.address] })],
    ['/v1/leave', ''],
  ];
  const refused: Answer[] = [];
  for (const [path, body] of bodies) {
    // fetch(url, {method: 'POST', mode: 'no-cors', body}) from http://evil.example.
    refused.push(
      await browser(
        a.admin,
        'POST',
        path,
        {
          host: `127.0.0.1:${port}`,
          origin: 'http://evil.example',
          'sec-fetch-site': 'cross-site',
          'sec-fetch-mode': 'no-cors',
          'content-type': 'text/plain;charset=UTF-8',
        },
        body,
      ),
    );
    // The same from a browser that sends neither Origin nor Sec-Fetch-* (older ones, some extensions).
    refused.push(await browser(a.admin, 'POST', path, { host: `127.0.0.1:${port}`, 'content-type': 'text/plain;charset=UTF-8' }, body));
    // DNS rebinding: evil.example now resolves to 127.0.0.1, so the page is "same-origin" and may send JSON.
    refused.push(
      await browser(
        a.admin,
        'POST',
        path,
        { host: `evil.example:${port}`, origin: `http://evil.example:${port}`, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' },
        body,
      ),
    );
  }
  // Rebinding also tried to read the keys.
  refused.push(await browser(a.admin, 'GET', '/v1/keys', { host: `evil.example:${port}`, 'sec-fetch-site': 'same-origin' }));

  assert.deepEqual(
    refused.map((r) => `${r.status} ${r.code}`),
    [...bodies.flatMap(() => ['403 ERR_FORBIDDEN_ORIGIN', '401 ERR_UNAUTHORIZED', '403 ERR_FORBIDDEN_HOST']), '403 ERR_FORBIDDEN_HOST'],
  );

  // Nothing changed, as the operator's commands (no token given: they find it) report.
  assert.equal(a.child.exitCode, null, 'the agent did not leave');
  const keys = phantom(['keys', 'list', '--json', '--admin', a.admin]);
  assert.equal(keys.code, 0, keys.stderr);
  assert.deepEqual(Object.keys((JSON.parse(keys.stdout) as { keys: Record<string, number> }).keys), [key]);
  const members = phantom(['members', '--json', '--admin', a.admin]);
  assert.equal(members.code, 0, members.stderr);
  assert.deepEqual(JSON.parse(members.stdout), [{ ...(JSON.parse(members.stdout) as object[])[0], name: 'victim', status: 'alive', tags: {} }]);
  assert.equal((JSON.parse(members.stdout) as unknown[]).length, 1, 'no member was joined');

  // And the commands can still change things.
  const tags = phantom(['tags', 'set', 'role=db', '--admin', a.admin]);
  assert.equal(tags.code, 0, tags.stderr);
  const after = JSON.parse(phantom(['members', '--json', '--admin', a.admin]).stdout) as { tags: Record<string, string> }[];
  assert.deepEqual(after[0]!.tags, { role: 'db' });
  const url = phantom(['dashboard', '--admin', a.admin]);
  assert.equal(url.code, 0, url.stderr);
  assert.match(url.stdout, new RegExp(`^http://127\\.0\\.0\\.1:${port}/#token=[A-Za-z0-9_-]{43}\\n$`));
});
