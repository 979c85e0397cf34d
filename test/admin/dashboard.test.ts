/**
 * The dashboard in a real browser: Debian's headless Chromium driven by playwright-core (which
 * never downloads a browser of its own here). Three agents on loopback, the admin API of one of
 * them with a bearer token: the page asks for the token, shows three alive rows and the ring,
 * sees a crashed agent turn failed, and explains why on click. Every wait is bounded and waits
 * on a condition, never a fixed sleep. Skips, saying why, where Chromium cannot be had.
 *
 * The screenshot goes to $DASHBOARD_SCREENSHOT (bench/dashboard.png is made that way) or to the
 * test's temp dir, so a test run leaves the work tree clean.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { createAgent, type Agent } from '../../src/agent/agent.js';
import { startAdminServer, type AdminServer } from '../../src/admin/server.js';
import { adminDepsFor } from '../../src/cli/agent-admin.js';
import { testConfig, waitForState } from '../agent/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TOKEN = 'dashboard-test-token-0123456789';
const WAIT_MS = 30_000;

/** Chromium's path, installing it with the project's script if missing; or why it cannot be had. */
async function findChromium(): Promise<{ path: string } | { skip: string }> {
  if (!existsSync(CHROMIUM)) {
    const script = new URL('../../scripts/ensure-chromium.sh', import.meta.url).pathname;
    try {
      await promisify(execFile)('bash', [script], { timeout: 240_000 });
    } catch (e) {
      return { skip: `scripts/ensure-chromium.sh failed: ${(e as Error).message.split('\n')[0]}` };
    }
  }
  if (!existsSync(CHROMIUM)) return { skip: `${CHROMIUM} is missing and could not be installed with apt-get (see scripts/ensure-chromium.sh)` };
  try {
    await import('playwright-core');
  } catch {
    return { skip: 'playwright-core is not installed (npm ci installs it as a devDependency)' };
  }
  return { path: CHROMIUM };
}

const cleanup: (() => Promise<void>)[] = [];

test('GET / serves the page with its CSP before the token check; every /v1 path still needs the token', { timeout: 20_000 }, async () => {
  const agent = await createAgent(testConfig('solo'));
  cleanup.push(() => agent.shutdown());
  const server = await startAdminServer(
    '127.0.0.1:0',
    adminDepsFor(agent, async () => undefined),
    { token: TOKEN },
  );
  cleanup.push(() => server.close());
  const base = `http://${server.address}`;
  for (const path of ['/', '/index.html', '/?x=1']) {
    const r = await fetch(base + path);
    assert.equal(r.status, 200, path);
    assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
    const csp = r.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'/);
    assert.match(csp, /connect-src 'self'/);
    const html = await r.text();
    assert.match(html, /<table id="members">/);
    assert.doesNotMatch(html, /DASHBOARD_SCRIPT/, 'the script is inlined');
  }
  assert.equal((await fetch(`${base}/`, { method: 'HEAD' })).status, 200);
  assert.equal((await fetch(`${base}/`, { method: 'POST' })).status, 401, 'only GET/HEAD of the page skip the token');
  assert.equal((await fetch(`${base}/v1/stats`)).status, 401);
  assert.equal((await fetch(`${base}/v1/stats`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
});
after(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
});

test('dashboard: three alive rows, a crash turns failed, history on click, token asked', { timeout: 300_000 }, async (t) => {
  const chromium = await findChromium();
  if ('skip' in chromium) {
    process.stdout.write(`# dashboard browser test skipped: ${chromium.skip}\n`);
    t.skip(chromium.skip);
    return;
  }
  const agents: Agent[] = [];
  cleanup.push(async () => void (await Promise.all(agents.map((a) => a.shutdown()))));
  for (const [n, tags] of [
    ['a', { zone: 'eu-1', role: 'db' }],
    ['b', { zone: 'eu-2', weight: '2' }],
    ['c', { zone: 'eu-1' }],
  ] as const) {
    agents.push(await createAgent(testConfig(n, { tags })));
  }
  const [a, b, c] = agents as [Agent, Agent, Agent];
  await b.join([a.address]);
  await c.join([a.address]);
  for (const o of agents) for (const s of agents) await waitForState(o, s.name, 'alive', 10_000);

  const server: AdminServer = await startAdminServer(
    '127.0.0.1:0',
    adminDepsFor(a, async () => undefined),
    { token: TOKEN },
  );
  cleanup.push(() => server.close());
  const base = `http://${server.address}`;
  // The page itself needs no token (it is static); the data does.
  assert.equal((await fetch(`${base}/`)).status, 200);
  assert.equal((await fetch(`${base}/v1/members`)).status, 401);

  const { chromium: browserType } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'phantom-chromium-'));
  cleanup.push(async () => rmSync(profile, { recursive: true, force: true }));
  const context = await browserType.launchPersistentContext(profile, {
    executablePath: chromium.path,
    headless: true,
    args: FLAGS,
    timeout: 60_000,
    viewport: { width: 1280, height: 860 },
  });
  cleanup.push(() => context.close());
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(WAIT_MS);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/401/.test(m.text())) pageErrors.push(m.text());
  });

  await page.goto(`${base}/`, { timeout: WAIT_MS });
  await page.waitForSelector('#auth.show');
  await page.fill('#auth-token', TOKEN);
  await page.click('#auth-form button');

  for (const n of ['a', 'b', 'c']) await page.waitForSelector(`#members tr[data-name="${n}"][data-status="alive"]`);
  assert.equal(await page.locator('#members tbody tr').count(), 3);
  await page.waitForSelector('#ring-legend tr[data-member="c"]');
  assert.ok((await page.locator('#ring svg path').count()) >= 3, 'one ring arc per member');
  assert.match((await page.textContent('#ring-source')) ?? '', /v1\/ring/);
  assert.match((await page.textContent('#agent-name')) ?? '', /^a$/);
  assert.match((await page.textContent('#members tr[data-name="b"]')) ?? '', /weight=2/);
  assert.match((await page.textContent('#packets-in')) ?? '', /^\d+/);

  // Crash c: no leave, its socket just goes away.
  await c.shutdown();
  await page.waitForSelector('#members tr[data-name="c"][data-status="failed"]', { timeout: 60_000 });
  assert.equal(await page.locator('#members tr[data-status="alive"]').count(), 2);
  await page.waitForSelector('#ring-legend tr[data-member="c"]', { state: 'detached' });
  // The change came by the event stream (GET /v1/events), not by polling every second.
  await page.waitForFunction("/^live/.test(document.getElementById('conn').textContent)");
  let memberLoads = 0;
  const countLoads = (r: { url(): string }): void => void (new URL(r.url()).pathname === '/v1/members' && memberLoads++);
  page.on('request', countLoads);
  await new Promise((r) => setTimeout(r, 3000)); // a quiet cluster: a page that polled every second would load 3 times
  page.off('request', countLoads);
  assert.ok(memberLoads <= 2, `the members were loaded ${memberLoads} times in 3 s of quiet`);

  await page.click('#members tr[data-name="c"]');
  await page.waitForSelector('#history li[data-kind="suspicion-started"]');
  assert.match((await page.textContent('#history-body')) ?? '', /failed/);
  assert.deepEqual(pageErrors, [], 'no script errors on the page');

  const shot = resolve(process.env.DASHBOARD_SCREENSHOT ?? join(profile, '..', 'phantom-dashboard.png'));
  mkdirSync(dirname(shot), { recursive: true });
  await page.screenshot({ path: shot, fullPage: true });
  t.diagnostic(`screenshot: ${shot}`);

  // An agent without a ring (older or embedded): shares come from the weight tags; the token
  // comes from the URL fragment this time, and is wiped from the address bar.
  const { ring: _ring, ...noRing } = adminDepsFor(a, async () => undefined);
  const bare = await startAdminServer('127.0.0.1:0', noRing, { token: TOKEN });
  cleanup.push(() => bare.close());
  const second = await context.newPage();
  second.setDefaultTimeout(WAIT_MS);
  await second.goto(`http://${bare.address}/#token=${encodeURIComponent(TOKEN)}`, { timeout: WAIT_MS });
  await second.waitForSelector('#ring-legend tr[data-member="b"]');
  assert.match((await second.textContent('#ring-source')) ?? '', /weight tags/);
  assert.match((await second.textContent('#ring-legend tr[data-member="b"]')) ?? '', /66\.7%/, 'b has weight 2 of 3');
  assert.equal(new URL(second.url()).hash, '', 'the token left the address bar');
  assert.equal(await second.locator('#auth.show').count(), 0, 'no token prompt');
});
