// The dashboard's browser script (plain ES2020, no modules, no dependencies), inlined into
// dashboard.html by serve.ts. It follows the agent's event stream (GET /v1/events, read with
// fetch so the token goes in a header, not the URL) and reloads /v1/members, /v1/stats and
// /v1/ring (falling back to shares computed from the `weight` tags when the agent keeps no ring),
// plus /v1/members/:name for the member whose history is open, on each member event and every
// 5 s for the counters. Without a stream (an older agent, or its stream limit reached) it polls
// every second. The admin token (every agent has
// one) is taken from the URL fragment (#token=..., never sent to the server; `phantom dashboard`
// prints such a link) or from the form,
// kept in sessionStorage, and sent as `Authorization: Bearer`.

(() => {
  var POLL_MS = 1000;
  var STATS_MS = 5000;
  var STREAM_RETRY_MS = 2000;
  var streaming = false;
  var refreshTimer = null;
  var TOKEN_KEY = 'phantom-admin-token';
  var STATUS_ORDER = { alive: 0, suspect: 1, failed: 2, left: 3 };
  var SVG_NS = 'http://www.w3.org/2000/svg';

  var token = takeToken();
  var selected = null;
  var previousStats = null;
  var infoLoaded = false;

  function $(id) {
    return document.getElementById(id);
  }

  /** The token from #token=... (then removed from the address bar) or from this tab's storage. */
  function takeToken() {
    var m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
    if (m) {
      var t = decodeURIComponent(m[1]);
      try {
        sessionStorage.setItem(TOKEN_KEY, t);
      } catch (_e) {
        /* storage off: keep it in memory */
      }
      history.replaceState(null, '', location.pathname + location.search);
      return t;
    }
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch (_e) {
      return null;
    }
  }

  function AuthError() {}

  /** GET a JSON endpoint; 401 throws AuthError, other errors carry the API's message. */
  function api(path) {
    var headers = token ? { Authorization: `Bearer ${token}` } : {};
    return fetch(path, { headers: headers, cache: 'no-store' }).then((r) => {
      if (r.status === 401) throw new AuthError();
      return r.json().then((body) => {
        if (!r.ok && r.status !== 503) {
          var err = new Error(body?.error?.message || `HTTP ${r.status}`);
          err.status = r.status;
          throw err;
        }
        return body;
      });
    });
  }

  function el(tag, attrs, children) {
    var n = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === 'text') n.textContent = attrs[k];
      else if (k === 'className') n.className = attrs[k];
      else n.setAttribute(k, attrs[k]);
    }
    (children || []).forEach((c) => {
      if (c) n.appendChild(c);
    });
    return n;
  }

  function svg(tag, attrs) {
    var n = document.createElementNS(SVG_NS, tag);
    for (var k in attrs) n.setAttribute(k, attrs[k]);
    return n;
  }

  function duration(ms) {
    var s = Math.floor(ms / 1000);
    if (s < 60) return `${s} s`;
    if (s < 3600) return `${Math.floor(s / 60)} m ${s % 60} s`;
    if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} m`;
    return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
  }

  function bytes(n) {
    if (n < 1024) return `${n} B`;
    if (n < 1048576) return `${(n / 1024).toFixed(1)} KiB`;
    return `${(n / 1048576).toFixed(1)} MiB`;
  }

  /** A stable colour per member name, so a member keeps its colour on the ring across polls. */
  function colour(name) {
    var h = 2166136261;
    for (var i = 0; i < name.length; i++) {
      h ^= name.charCodeAt(i);
      h = Math.imul(h, 16777619);
    }
    return `hsl(${(h >>> 0) % 360}, 62%, 52%)`;
  }

  // ---- members ---------------------------------------------------------------------------

  function renderMembers(members, selfName) {
    var body = $('members').tBodies[0];
    var rows = members.map((m) => {
      var tags = Object.keys(m.tags || {})
        .sort()
        .map((k) => el('span', { className: 'tag', text: `${k}=${m.tags[k]}` }));
      var tr = el('tr', { 'data-name': m.name, 'data-status': m.status }, [
        el('td', {}, [el('span', { text: m.name }), m.name === selfName ? el('span', { className: 'self', text: '(this agent)' }) : null]),
        el('td', { className: 'mono', text: m.addr }),
        el('td', {}, [el('span', { className: `badge ${m.status}`, text: m.status })]),
        el('td', { className: 'num', text: String(m.incarnation) }),
        el('td', {}, tags),
        el('td', { className: 'num', text: duration(m.sinceMs) }),
      ]);
      if (m.name === selected) tr.className = 'selected';
      tr.addEventListener('click', () => {
        select(m.name);
      });
      return tr;
    });
    body.replaceChildren.apply(body, rows);
    var counts = {};
    members.forEach((m) => {
      counts[m.status] = (counts[m.status] || 0) + 1;
    });
    $('member-counts').textContent = Object.keys(counts)
      .sort((a, b) => STATUS_ORDER[a] - STATUS_ORDER[b])
      .map((s) => `${counts[s]} ${s}`)
      .join(' · ');
  }

  function select(name) {
    selected = name;
    Array.prototype.forEach.call($('members').tBodies[0].rows, (tr) => {
      tr.className = tr.getAttribute('data-name') === name ? 'selected' : '';
    });
    loadHistory();
  }

  function loadHistory() {
    if (selected === null) return Promise.resolve();
    var name = selected;
    return api(`/v1/members/${encodeURIComponent(name)}`).then(
      (m) => {
        if (name === selected) renderHistory(m);
      },
      (e) => {
        if (e instanceof AuthError) throw e;
        $('history-name').textContent = name;
        $('history-body').textContent = e.message;
      },
    );
  }

  function renderHistory(m) {
    $('history-name').textContent = `${m.name} — ${m.status}, incarnation ${m.incarnation}`;
    var items = (m.history || [])
      .slice()
      .reverse()
      .map((h) => {
        var what = h.kind !== 'event' ? h.kind : h.event === h.status ? h.status : `${h.event} → ${h.status}`;
        var bits = [];
        if (h.incarnation !== undefined) bits.push(`incarnation ${h.incarnation}`);
        if (h.by) bits.push(`by ${h.by}`);
        if (h.detail) bits.push(h.detail);
        return el('li', { 'data-kind': h.kind }, [
          el('span', { className: 'when', text: new Date(h.at).toLocaleTimeString() }),
          el('strong', { text: what }),
          el('span', { className: 'muted', text: bits.length ? `  ${bits.join(' · ')}` : '' }),
        ]);
      });
    var body = $('history-body');
    body.className = '';
    if (items.length === 0) body.replaceChildren(el('span', { className: 'muted', text: 'no history kept for this member yet' }));
    else body.replaceChildren(el('ol', {}, items));
  }

  // ---- this agent's health ----------------------------------------------------------------

  function renderHealth(s) {
    var rate = (key) => {
      if (!previousStats || s.uptimeMs <= previousStats.uptimeMs) return '';
      var per = (s[key] - previousStats[key]) / ((s.uptimeMs - previousStats.uptimeMs) / 1000);
      return `  (${per.toFixed(1)}/s)`;
    };
    var aw = el('dd', {
      className: s.awareness === 0 ? 'awareness-0' : 'awareness-hi',
      id: 'awareness',
      text: String(s.awareness) + (s.awareness === 0 ? '  healthy' : `  probes stretched ×${s.awareness + 1} (we may be slow)`),
    });
    var pairs = [
      ['state', el('dd', { text: s.state })],
      ['uptime', el('dd', { text: duration(s.uptimeMs) })],
      ['incarnation', el('dd', { text: String(s.incarnation) })],
      ['awareness', aw],
      ['packets in', el('dd', { id: 'packets-in', text: s.packetsIn + rate('packetsIn') })],
      ['packets out', el('dd', { id: 'packets-out', text: s.packetsOut + rate('packetsOut') })],
      ['bytes in / out', el('dd', { text: `${bytes(s.bytesIn)} / ${bytes(s.bytesOut)}` })],
      ['send errors', el('dd', { text: String(s.sendErrors) })],
      [
        'members',
        el('dd', {
          text: Object.keys(s.members)
            .map((k) => `${s.members[k]} ${k === 'dead' ? 'failed' : k}`)
            .join(', '),
        }),
      ],
      ['checksum', el('dd', { className: 'mono', text: (s.checksum >>> 0).toString(16).padStart(8, '0') })],
    ];
    if (s.security?.encrypted)
      pairs.push(['encryption', el('dd', { text: `${s.security.keys} key(s)${s.security.label ? `, label ${s.security.label}` : ''}` })]);
    var kv = $('health-kv');
    kv.replaceChildren();
    pairs.forEach((p) => {
      kv.appendChild(el('dt', { text: p[0] }));
      kv.appendChild(p[1]);
    });
    var drops = s.counters?.drops || {};
    var reasons = Object.keys(drops)
      .filter((k) => drops[k] > 0)
      .sort();
    var box = $('drops');
    if (reasons.length === 0) {
      box.className = 'muted';
      box.textContent = 'none';
    } else {
      box.className = '';
      box.replaceChildren(
        el('table', {}, [
          el(
            'tbody',
            {},
            reasons.map((k) =>
              el('tr', { 'data-reason': k }, [el('td', { className: 'mono', text: k }), el('td', { className: 'num', text: String(drops[k]) })]),
            ),
          ),
        ]),
      );
    }
    previousStats = s;
  }

  // ---- the ring ---------------------------------------------------------------------------

  /** Shares from the `weight` tags of the members on the ring (alive and suspect), for agents without /v1/ring. */
  function ringFromMembers(members) {
    var on = members.filter((m) => m.status === 'alive' || m.status === 'suspect');
    var weight = (m) => {
      var w = Number(m.tags?.weight);
      return w > 0 && Number.isFinite(w) ? w : 1;
    };
    var total = on.reduce((s, m) => s + weight(m), 0) || 1;
    return { members: on.map((m) => ({ name: m.name, share: weight(m) / total })) };
  }

  function arc(cx, cy, r0, r1, a0, a1) {
    var p = (r, a) => `${(cx + r * Math.sin(a)).toFixed(2)} ${(cy - r * Math.cos(a)).toFixed(2)}`;
    var large = a1 - a0 > Math.PI ? 1 : 0;
    return (
      'M ' +
      p(r1, a0) +
      ' A ' +
      r1 +
      ' ' +
      r1 +
      ' 0 ' +
      large +
      ' 1 ' +
      p(r1, a1) +
      ' L ' +
      p(r0, a1) +
      ' A ' +
      r0 +
      ' ' +
      r0 +
      ' 0 ' +
      large +
      ' 0 ' +
      p(r0, a0) +
      ' Z'
    );
  }

  function renderRing(ring, fromServer) {
    var size = 200,
      c = size / 2,
      r1 = 92,
      r0 = 58;
    var root = svg('svg', { width: size, height: size, viewBox: `0 0 ${size} ${size}`, role: 'img', 'aria-label': 'ring shares' });
    var members = ring.members || [];
    var a = 0;
    members.forEach((m) => {
      var sweep = Math.max(0, m.share) * 2 * Math.PI;
      if (sweep <= 0) return;
      // A full circle cannot be one arc: split a lone member's ring in two halves.
      var parts =
        sweep >= 2 * Math.PI - 1e-6
          ? [
              [0, Math.PI],
              [Math.PI, 2 * Math.PI],
            ]
          : [[a, a + sweep]];
      parts.forEach((pt) => {
        var path = svg('path', { d: arc(c, c, r0, r1, pt[0], pt[1]), fill: colour(m.name), stroke: '#fff', 'stroke-width': 1, 'data-member': m.name });
        var title = svg('title', {});
        title.textContent = `${m.name}: ${(m.share * 100).toFixed(1)}%`;
        path.appendChild(title);
        root.appendChild(path);
      });
      a += sweep;
    });
    var mid = svg('text', { x: c, y: c - 4, 'text-anchor': 'middle', 'font-size': 22, 'font-weight': 600, fill: '#1d2430' });
    mid.textContent = String(members.length);
    var sub = svg('text', { x: c, y: c + 14, 'text-anchor': 'middle', 'font-size': 11, fill: '#6b7585' });
    sub.textContent = members.length === 1 ? 'member' : 'members';
    root.appendChild(mid);
    root.appendChild(sub);
    $('ring').replaceChildren(root);

    var rows = members
      .slice()
      .sort((x, y) => y.share - x.share)
      .map((m) =>
        el('tr', { 'data-member': m.name }, [
          el('td', {}, [
            el('span', { className: 'swatch', style: `background:${colour(m.name)}` }),
            el('span', { text: m.name + (m.zone ? ` (${m.zone})` : '') }),
          ]),
          el('td', { className: 'num', text: `${(m.share * 100).toFixed(1)}%` }),
          el('td', { className: 'num', text: m.points === undefined ? '–' : String(m.points) }),
          el('td', { className: 'num', text: m.shards === undefined ? '–' : String(m.shards) }),
        ]),
      );
    var tb = $('ring-legend').tBodies[0];
    tb.replaceChildren.apply(tb, rows);
    $('ring-source').textContent = fromServer ? '(GET /v1/ring)' : '(from weight tags: this agent keeps no ring)';
    var parts = [];
    if (ring.checksum) parts.push(`ring checksum ${ring.checksum}, ${ring.pointCount} points (${ring.vnodes} vnodes per unit of weight)`);
    var sm = ring.shardMap;
    if (sm)
      parts.push(
        `${sm.shards} shards × ${sm.replicas} replicas, ${sm.strategy}/${sm.placement}, busiest ${sm.maxOverMean.toFixed(2)}× mean, shard map ${sm.checksum}`,
      );
    $('ring-summary').textContent = parts.join(' · ');
  }

  // ---- the loop ---------------------------------------------------------------------------

  function connection(ok, text) {
    var c = $('conn');
    c.className = ok ? 'ok' : 'bad';
    c.textContent = text;
  }

  function askToken() {
    $('auth').className = 'show';
    connection(false, 'token required');
  }

  function loadInfo() {
    return api('/v1/info').then((i) => {
      $('agent-name').textContent = i.name;
      $('agent-sub').textContent = `${i.address} · profile ${i.profile} · admin ${location.host}`;
      document.title = `phantom · ${i.name}`;
      infoLoaded = true;
    });
  }

  function refresh() {
    var ring = api('/v1/ring').then(
      (r) => ({ ring: r, fromServer: true }),
      (e) => {
        if (e instanceof AuthError) throw e;
        return null;
      },
    );
    var work = Promise.all([api('/v1/members'), api('/v1/stats'), ring, infoLoaded ? null : loadInfo(), loadHistory()]);
    return work.then(
      (r) => {
        var members = r[0],
          stats = r[1];
        $('auth').className = '';
        $('error').textContent = '';
        renderMembers(members, stats.name);
        renderHealth(stats);
        if (r[2]) renderRing(r[2].ring, true);
        else renderRing(ringFromMembers(members), false);
        connection(true, `${streaming ? 'live' : 'polling'} · ${new Date().toLocaleTimeString()}`);
      },
      (e) => {
        if (e instanceof AuthError) return askToken();
        connection(false, 'agent unreachable');
        $('error').textContent = `Last update failed: ${e?.message ? e.message : String(e)}. Retrying.`;
      },
    );
  }

  /** Reload soon, once for a burst of events. */
  function scheduleRefresh() {
    if (refreshTimer !== null) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      refresh();
    }, 100);
  }

  /** The counters: every STATS_MS while the stream carries the member changes, else every second. */
  function poll() {
    refresh().then(() => {
      setTimeout(poll, streaming ? STATS_MS : POLL_MS);
    });
  }

  /** Read GET /v1/events (member events only) until it ends; each member event reloads the page's data. */
  function follow() {
    var headers = token ? { Authorization: `Bearer ${token}` } : {};
    return fetch('/v1/events?level=silent', { headers: headers, cache: 'no-store' }).then((r) => {
      if (r.status === 401) throw new AuthError();
      if (!r.ok || !r.body) throw new Error(`HTTP ${r.status}`);
      streaming = true;
      scheduleRefresh(); // anything that changed before the stream opened
      var reader = r.body.getReader();
      var decoder = new TextDecoder();
      var buffer = '';
      function pump() {
        return reader.read().then((x) => {
          if (x.done) return;
          buffer += decoder.decode(x.value, { stream: true });
          var at;
          while ((at = buffer.indexOf('\n\n')) >= 0) {
            var block = buffer.slice(0, at);
            buffer = buffer.slice(at + 2);
            if (/^event: (member|dropped)$/m.test(block)) scheduleRefresh();
          }
          return pump();
        });
      }
      return pump();
    });
  }

  function stream() {
    follow()
      .then(
        () => {
          streaming = false;
        },
        () => {
          streaming = false;
        },
      )
      .then(() => {
        setTimeout(stream, STREAM_RETRY_MS);
      });
  }

  $('auth-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    token = $('auth-token').value.trim();
    try {
      sessionStorage.setItem(TOKEN_KEY, token);
    } catch (_e) {
      /* memory only */
    }
    $('auth').className = '';
    connection(false, 'connecting…');
  });

  poll();
  stream();
})();
