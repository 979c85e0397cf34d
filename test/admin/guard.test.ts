/**
 * The admin API's request guard: which Host, Origin, Sec-Fetch-Site and Content-Type pass, as
 * pure functions and through a real server (missing Host, 415 after 405, same-origin POST with
 * the token); and a non-loopback admin address without a token refused by config and server.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { createAgent, type Agent } from '../../src/agent/agent.js';
import { resolveAgentConfig } from '../../src/agent/agent-config.js';
import { startAdminServer, type AdminServer } from '../../src/admin/server.js';
import { checkContentType, checkHostAndOrigin, isLoopbackHost } from '../../src/admin/request-guard.js';
import { adminDepsFor } from '../../src/cli/agent-admin.js';
import { ClusterError } from '../../src/errors.js';
import { testConfig } from '../agent/helpers.js';

const opts = { boundHost: '127.0.0.1', port: 7947 };
const code = (headers: Record<string, string>, o: Parameters<typeof checkHostAndOrigin>[1] = opts): string => checkHostAndOrigin(headers, o)?.code ?? 'ok';

test('Host: loopback names on our port pass; other names, ports and a missing Host do not', () => {
  for (const host of ['127.0.0.1:7947', '127.9.9.9:7947', 'localhost:7947', 'LocalHost:7947', '[::1]:7947', '[::ffff:127.0.0.1]:7947'])
    assert.equal(code({ host }), 'ok', host);
  for (const host of [
    'evil.example:7947',
    'evil.example',
    '127.0.0.1:7948',
    '127.0.0.1',
    'localhost.:7947',
    '10.0.0.5:7947',
    '127.0.0.1.nip.io:7947',
    '',
    '[::1]:x',
  ])
    assert.equal(code({ host }), 'ERR_FORBIDDEN_HOST', host);
  assert.equal(code({}), 'ERR_FORBIDDEN_HOST');
  assert.ok(isLoopbackHost('127.0.0.1') && isLoopbackHost('::1') && isLoopbackHost('localhost') && !isLoopbackHost('0.0.0.0') && !isLoopbackHost('128.0.0.1'));
});

test('Host: the bound address, any IP literal on a wildcard bind, and allowed names', () => {
  assert.equal(code({ host: '10.0.0.5:7947' }, { boundHost: '10.0.0.5', port: 7947 }), 'ok');
  assert.equal(code({ host: '10.0.0.6:7947' }, { boundHost: '10.0.0.5', port: 7947 }), 'ERR_FORBIDDEN_HOST');
  assert.equal(code({ host: '10.0.0.6:7947' }, { boundHost: '0.0.0.0', port: 7947 }), 'ok');
  assert.equal(code({ host: 'db-1.internal:7947' }, { boundHost: '0.0.0.0', port: 7947 }), 'ERR_FORBIDDEN_HOST', 'a name is what rebinding uses');
  const allowed = { ...opts, allowedHosts: ['db-1.internal', 'localhost:8000'] };
  assert.equal(code({ host: 'db-1.internal:7947' }, allowed), 'ok');
  assert.equal(code({ host: 'DB-1.internal:7947' }, allowed), 'ok');
  assert.equal(code({ host: 'db-1.internal:7948' }, allowed), 'ERR_FORBIDDEN_HOST');
  assert.equal(code({ host: 'localhost:8000' }, allowed), 'ok', 'a tunnel to another local port');
  assert.equal(code({ host: 'other.internal:7947' }, allowed), 'ERR_FORBIDDEN_HOST');
});

test('Origin and Sec-Fetch-Site: same-origin passes, every other site is refused', () => {
  const host = '127.0.0.1:7947';
  assert.equal(code({ host, origin: 'http://127.0.0.1:7947' }), 'ok');
  assert.equal(code({ host, origin: 'HTTP://127.0.0.1:7947' }), 'ok');
  assert.equal(code({ host, 'sec-fetch-site': 'same-origin' }), 'ok');
  assert.equal(code({ host, 'sec-fetch-site': 'none' }), 'ok', 'typed in the address bar');
  assert.equal(code({ host: 'example.com' }, { ...opts, port: 80, allowedHosts: ['example.com'] }), 'ok');
  assert.equal(code({ host: 'example.com', origin: 'http://example.com' }, { ...opts, port: 80, allowedHosts: ['example.com'] }), 'ok');
  for (const origin of [
    'http://evil.example',
    'http://localhost:7947',
    'http://127.0.0.1:8000',
    'https://127.0.0.1:7947:1',
    'null',
    'file://',
    'chrome-extension://abc',
    'http://127.0.0.1:7947@evil.example',
  ]) {
    assert.equal(code({ host, origin }), 'ERR_FORBIDDEN_ORIGIN', origin);
  }
  for (const site of ['cross-site', 'same-site']) assert.equal(code({ host, 'sec-fetch-site': site }), 'ERR_FORBIDDEN_ORIGIN', site);
});

test('Content-Type: mutating methods need application/json', () => {
  assert.equal(checkContentType('GET', {}), undefined);
  assert.equal(checkContentType('POST', { 'content-type': 'application/json' }), undefined);
  assert.equal(checkContentType('POST', { 'content-type': 'Application/JSON; charset=utf-8' }), undefined);
  for (const t of [undefined, 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx']) {
    const r = checkContentType('POST', t === undefined ? {} : { 'content-type': t });
    assert.equal(r?.status, 415, String(t));
  }
  assert.equal(checkContentType('DELETE', {})?.code, 'ERR_CONTENT_TYPE');
});

test('a non-loopback admin address needs an explicit token: config and server refuse it', async () => {
  assert.throws(
    () => resolveAgentConfig({ admin: '0.0.0.0:7947' }),
    (e: unknown) => e instanceof ClusterError && e.code === 'ERR_CONFIG' && /admin "0\.0\.0\.0:7947"/.test(e.message) && /adminToken/.test(e.message),
  );
  assert.throws(() => resolveAgentConfig({ admin: '10.1.2.3:7947', adminToken: 'short' }), /adminToken: use at least 16/);
  assert.throws(() => resolveAgentConfig({ adminToken: 'has spaces in it, sixteen+' }), /adminToken: use printable ASCII/);
  assert.equal(resolveAgentConfig({ admin: '0.0.0.0:7947', adminToken: 'a-long-enough-token' }).admin, '0.0.0.0:7947');
  assert.equal(resolveAgentConfig({ admin: 'localhost:7947' }).adminToken, undefined);
  assert.deepEqual(resolveAgentConfig({ adminAllowedHosts: 'a.example, b.example:8000' }).adminAllowedHosts, ['a.example', 'b.example:8000']);
  assert.throws(() => resolveAgentConfig({ adminAllowedHosts: ['bad host'] }), /adminAllowedHosts "bad host"/);
  await assert.rejects(
    startAdminServer('0.0.0.0:0', {} as Parameters<typeof startAdminServer>[1]),
    (e: unknown) => e instanceof ClusterError && e.code === 'ERR_CONFIG' && /needs a token/.test(e.message),
  );
});

describeServer();

/** Through a real server: the order of the checks, and what the guard lets through. */
function describeServer(): void {
  const TOKEN = 'guard-test-token-0123456789';
  let agent: Agent;
  let server: AdminServer;
  let port: number;
  before(async () => {
    agent = await createAgent(testConfig('g'));
    server = await startAdminServer(
      '127.0.0.1:0',
      adminDepsFor(agent, async () => undefined),
      { token: TOKEN },
    );
    port = Number(server.address.split(':').pop());
  });
  after(async () => {
    await server.close();
    await agent.shutdown();
  });

  /** A raw request: node:http lets us set (or leave out) Host, which fetch does not. */
  const raw = (
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string,
    setHost = true,
  ): Promise<{ status: number; code: string | undefined }> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path, headers, setHost }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => void (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, code: (JSON.parse(text || '{}') as { error?: { code?: string } }).error?.code }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const auth = { authorization: `Bearer ${TOKEN}` };

  test('server: missing Host 400, rebinding Host 403; wrong method 405 before 415; JSON POST from the same origin with the token passes', {
    timeout: 10_000,
  }, async () => {
    // node:http itself answers 400 to HTTP/1.1 without Host; the guard refuses it too (pure test above).
    assert.equal((await raw('GET', '/v1/self', auth, undefined, false)).status, 400);
    assert.deepEqual(
      await raw('GET', '/', { host: `evil.example:${port}` }),
      { status: 403, code: 'ERR_FORBIDDEN_HOST' },
      'not even the page for a rebinding name',
    );
    assert.deepEqual(await raw('POST', '/v1/self', { ...auth, 'content-type': 'text/plain' }), { status: 405, code: 'ERR_METHOD' });
    assert.deepEqual(await raw('POST', '/v1/tags', { ...auth, 'content-type': 'text/plain' }, '{"set":{"x":"1"}}'), { status: 415, code: 'ERR_CONTENT_TYPE' });
    assert.deepEqual(await raw('POST', '/v1/leave', auth), { status: 415, code: 'ERR_CONTENT_TYPE' }, 'a body-less POST too');
    assert.deepEqual(agent.self().tags, {});
    const ok = await raw(
      'POST',
      '/v1/tags',
      { ...auth, 'content-type': 'application/json', origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' },
      '{"set":{"x":"1"}}',
    );
    assert.equal(ok.status, 200);
    assert.deepEqual(agent.self().tags, { x: '1' });
    assert.equal((await raw('GET', '/v1/self', { ...auth, host: `localhost:${port}` })).status, 200);
  });
}
