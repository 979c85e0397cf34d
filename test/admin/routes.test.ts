/**
 * The admin API's one route table (src/admin/routes.ts): docs/AGENT.md's endpoint table lists
 * exactly its routes, the dashboard calls only routes of it, and matching and building paths
 * agree with each other (a param survives the round trip, whatever it holds).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { matchRoute, routePath, ROUTES, type RouteName } from '../../src/admin/routes.js';

const ROOT = new URL('../../', import.meta.url);
const tableRoutes = (): string[] =>
  Object.values(ROUTES)
    .map((r) => `${r.method} ${r.path}`)
    .sort();

test("docs/AGENT.md's endpoint table lists exactly the routes of the table", () => {
  const doc = readFileSync(new URL('docs/AGENT.md', ROOT), 'utf8');
  // Rows like "| `GET /v1/members[?status=...]` | ...": the method and the path up to "[" or "?".
  const documented = [...doc.matchAll(/^\| `(GET|POST) (\/[^`[?\s]*)/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
  // GET / is the dashboard page, served before the token check and outside the table.
  assert.deepEqual(documented, [...tableRoutes(), 'GET /'].sort());
});

test('every path the dashboard fetches is a GET route of the table', () => {
  const js = readFileSync(new URL('src/admin/dashboard/dashboard.js', ROOT), 'utf8');
  const paths = [...js.matchAll(/'(\/v1\/[^'?]*)/g)].map((m) => m[1]!);
  assert.ok(paths.length >= 5, `found ${paths.length} paths in dashboard.js; the pattern no longer finds its calls`);
  for (const p of paths) {
    // '/v1/members/' + encodeURIComponent(name): the literal ends where the param starts.
    const path = p.endsWith('/') ? `${p}x` : p;
    const m = matchRoute('GET', path);
    assert.equal(m.kind, 'route', `${p} is not a GET route`);
  }
});

test('matchRoute: params decoded, trailing slash ignored, 405 names the methods, bad encoding and unknown paths told apart', () => {
  assert.deepEqual(matchRoute('GET', '/v1/members/db%2F7'), { kind: 'route', name: 'member', params: { name: 'db/7' } });
  assert.deepEqual(matchRoute('GET', '/v1/self/'), { kind: 'route', name: 'self', params: {} });
  assert.deepEqual(matchRoute('POST', '/v1/keys'), { kind: 'route', name: 'keysChange', params: {} });
  assert.deepEqual(matchRoute('GET', '/v1/keys'), { kind: 'route', name: 'keysList', params: {} });
  assert.deepEqual(matchRoute('DELETE', '/v1/keys'), { kind: 'method', allowed: ['GET', 'POST'] });
  assert.deepEqual(matchRoute('POST', '/v1/self'), { kind: 'method', allowed: ['GET'] });
  assert.deepEqual(matchRoute('GET', '/v1/lookup/%E0%A4%A'), { kind: 'encoding', param: 'key' });
  assert.deepEqual(matchRoute('GET', '/v1/lookup/a/b'), { kind: 'none' }, 'a raw / splits the param');
  assert.deepEqual(matchRoute('GET', '/v1/members//'), { kind: 'route', name: 'members', params: {} }, 'an empty param is no param');
  assert.deepEqual(matchRoute('GET', '/v2/members'), { kind: 'none' });
});

test('routePath and matchRoute agree: every route, and params and queries holding URL syntax', () => {
  for (const name of Object.keys(ROUTES) as RouteName[]) {
    const params = ROUTES[name].path.includes(':') ? { [ROUTES[name].path.split(':')[1]!]: 'p' } : {};
    const m = matchRoute(ROUTES[name].method, routePath(name, params as never));
    assert.deepEqual(m, { kind: 'route', name, params }, name);
  }
  for (const key of ['user:42', 'a/b', 'q?x=1&y=2', '%41', 'ü ñ', '#frag']) {
    const path = routePath('lookupKey', { key }, { n: 3, near: undefined });
    const url = new URL(path, 'http://admin');
    assert.deepEqual(matchRoute('GET', url.pathname), { kind: 'route', name: 'lookupKey', params: { key } }, key);
    assert.deepEqual([...url.searchParams], [['n', '3']], 'undefined query values are left out');
  }
  const members = new URL(routePath('members', {}, { name: 'db-.*', tag: ['role=db', 'zone=eu|us'] }), 'http://admin');
  assert.equal(members.pathname, '/v1/members');
  assert.deepEqual(members.searchParams.getAll('tag'), ['role=db', 'zone=eu|us']);
  assert.equal(members.searchParams.get('name'), 'db-.*');
});
