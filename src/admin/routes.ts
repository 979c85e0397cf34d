/**
 * The admin API's routes: the one list. The server dispatches by it (server.ts has one handler
 * per name, and the compiler refuses a name without one), the `phantom` commands build their
 * requests from it (client.ts, adminCall), and a test holds docs/AGENT.md's endpoint table and
 * the dashboard's calls to it. What each route answers is in docs/AGENT.md.
 *
 * A path is literal segments and `:param` segments; a param matches one non-empty segment (a
 * `/` inside a value must be sent encoded) and reaches the handler decoded. GET / (the
 * dashboard page) is not here: it is served before the token check (dashboard/serve.ts).
 */

export type Method = 'GET' | 'POST';

export interface Route {
  readonly method: Method;
  readonly path: string;
}

export const ROUTES = {
  metrics: { method: 'GET', path: '/metrics' },
  members: { method: 'GET', path: '/v1/members' },
  member: { method: 'GET', path: '/v1/members/:name' },
  self: { method: 'GET', path: '/v1/self' },
  info: { method: 'GET', path: '/v1/info' },
  stats: { method: 'GET', path: '/v1/stats' },
  health: { method: 'GET', path: '/v1/health' },
  events: { method: 'GET', path: '/v1/events' },
  lookup: { method: 'GET', path: '/v1/lookup' },
  lookupKey: { method: 'GET', path: '/v1/lookup/:key' },
  coordinates: { method: 'GET', path: '/v1/coordinates' },
  ring: { method: 'GET', path: '/v1/ring' },
  join: { method: 'POST', path: '/v1/join' },
  leave: { method: 'POST', path: '/v1/leave' },
  tags: { method: 'POST', path: '/v1/tags' },
  forceLeave: { method: 'POST', path: '/v1/force-leave' },
  event: { method: 'POST', path: '/v1/event' },
  query: { method: 'POST', path: '/v1/query' },
  keysList: { method: 'GET', path: '/v1/keys' },
  keysChange: { method: 'POST', path: '/v1/keys' },
} as const satisfies Record<string, Route>;

export type RouteName = keyof typeof ROUTES;

/** Params of the route named `N`, by the names of its `:param` segments. */
export type RouteParams<N extends RouteName> = ParamsOf<(typeof ROUTES)[N]['path']>;
type ParamsOf<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name]: string } & ParamsOf<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : Record<never, never>;

/** What a request's method and path come to. */
export type RouteMatch =
  | { readonly kind: 'route'; readonly name: RouteName; readonly params: Readonly<Record<string, string>> }
  /** The path is a route's, the method is not: answer 405 naming the methods it takes. */
  | { readonly kind: 'method'; readonly allowed: readonly Method[] }
  /** A `:param` segment is not valid URL encoding. */
  | { readonly kind: 'encoding'; readonly param: string }
  | { readonly kind: 'none' };

const NAMES = Object.keys(ROUTES) as RouteName[];
const SPLIT = new Map(NAMES.map((n) => [n, ROUTES[n].path.split('/')] as const));

/** Match a request; `path` is the URL's pathname (a trailing `/` is ignored). */
export function matchRoute(method: string, path: string): RouteMatch {
  const parts = (path.replace(/\/+$/, '') || '/').split('/');
  const allowed: Method[] = [];
  for (const name of NAMES) {
    const pattern = SPLIT.get(name)!;
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    let badParam: string | undefined;
    for (let i = 0; i < pattern.length && ok; i++) {
      const want = pattern[i]!;
      const got = parts[i]!;
      if (!want.startsWith(':')) ok = want === got;
      else if (got === '') ok = false;
      else {
        try {
          params[want.slice(1)] = decodeURIComponent(got);
        } catch {
          badParam = want.slice(1);
        }
      }
    }
    if (!ok) continue;
    if (ROUTES[name].method !== method) {
      allowed.push(ROUTES[name].method);
      continue;
    }
    if (badParam !== undefined) return { kind: 'encoding', param: badParam };
    return { kind: 'route', name, params };
  }
  return allowed.length > 0 ? { kind: 'method', allowed } : { kind: 'none' };
}

/**
 * The request path of route `name`: params encoded into their segments, then the query string
 * (entries whose value is undefined are left out; an array value repeats the key).
 */
export function routePath<N extends RouteName>(
  name: N,
  params: RouteParams<N>,
  query: Readonly<Record<string, string | number | boolean | readonly string[] | undefined>> = {},
): string {
  const values = params as Readonly<Record<string, string>>;
  const path = ROUTES[name].path
    .split('/')
    .map((s) => (s.startsWith(':') ? encodeURIComponent(values[s.slice(1)]!) : s))
    .join('/');
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? (v as readonly string[]) : [String(v)]) search.append(k, one);
  }
  const q = search.toString();
  return q === '' ? path : `${path}?${q}`;
}
