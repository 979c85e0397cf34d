/**
 * Serves the dashboard page at `/` of the admin API: dashboard.html with dashboard.js inlined,
 * one self-contained response (no CDN, no build step). The page is the same static text for
 * everyone and holds no cluster data, so it is served before the bearer-token check: the
 * script then asks for the token and sends it on every /v1 call, which stay protected. It is
 * served after the Host and Origin checks (request-guard.ts): a rebinding name gets nothing.
 *
 * A Content-Security-Policy pins the one inline script by its hash and allows fetches to this
 * origin only, so a member name or tag crafted as markup could not run even if it slipped
 * into the page (the script sets all cluster text with textContent anyway).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

const PLACEHOLDER = '/*DASHBOARD_SCRIPT*/';

interface Page {
  readonly html: string;
  readonly csp: string;
}

let page: Page | undefined;

/** The page and its CSP, read once from the files beside this module. */
export function dashboardPage(): Page {
  if (page) return page;
  const html = readFileSync(new URL('./dashboard.html', import.meta.url), 'utf8');
  // A closing script tag inside the script would end it early; the file is ours, so this guards edits.
  const script = readFileSync(new URL('./dashboard.js', import.meta.url), 'utf8').replace(/<\/script/gi, '<\\/script');
  if (!html.includes(PLACEHOLDER)) throw new Error('dashboard.html lost its script placeholder');
  const hash = createHash('sha256').update(script, 'utf8').digest('base64');
  const csp = [
    "default-src 'none'",
    `script-src 'sha256-${hash}'`,
    "style-src 'unsafe-inline'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  page = { html: html.replace(PLACEHOLDER, () => script), csp };
  return page;
}

/**
 * Answers GET or HEAD of `/` (or `/index.html`) with the page and returns true; returns false
 * for every other request, which the API handles as before.
 */
export function serveDashboard(req: IncomingMessage, res: ServerResponse): boolean {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') return false;
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/' && path !== '/index.html') return false;
  const { html, csp } = dashboardPage();
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'content-security-policy': csp,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.end(method === 'HEAD' ? undefined : html);
  return true;
}
