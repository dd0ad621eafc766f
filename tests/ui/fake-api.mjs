// A fake gitmoor API for the web UI at scale: N generated Applications and a stream of M status changes per
// second, plus web/ui served from disk (like dev-server.mjs). No engine, no cluster: it exists to measure the list
// view with 1,000 apps and 100 changes/s (tests/ui and bench/ may reuse it). Always logged in as admin.
//
//   node tests/ui/fake-api.mjs --ui web/ui --port 18102 --apps 1000 --rate 100 [--seed 1]
//
// Serves:
//   GET  /api/v1/session/userinfo                 {loggedIn: true, username: 'admin', csrfToken}
//   POST/DELETE /api/v1/session                   accepted (any password)
//   GET  /api/v1/applications[?fields=a.b,c]      {items: [N apps], metadata: {resourceVersion}}; `fields` keeps
//                                                 only those paths (arrays walked), like the real server
//   GET  /api/v1/applications/{name}[?refresh=]   the app (404 with Argo CD's error shape when unknown)
//   POST /api/v1/applications/{name}/sync         starts a fake operation (Running, then Succeeded 1 s later)
//   GET  /api/v1/stream/applications              SSE: an ADDED per app, then `rate` MODIFIED per second
//   control, for tests:  POST /fake/rate?perSecond=N   POST /fake/delete?name=X[&silent=1]   POST /fake/add?name=X
//                        POST /fake/drop (ends every stream: the UI reconnects and gets a new snapshot; with
//                        silent=1 a delete is not streamed, so only that snapshot can tell the UI)
//                        GET  /fake/stats → {apps, clients, sent}
// Everything else is the UI: /assets/dev/<file> from --ui, any other path index.html (%ASSETS% → /assets/dev).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) =>
  (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const uiDir = path.resolve(args.ui || 'web/ui');
const port = Number(args.port || 18102);
const appCount = Number(args.apps ?? 1000);
let rate = Number(args.rate ?? 100);
let seed = Number(args.seed || 1);
const types = {'.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.html': 'text/html'};

// A small deterministic PRNG, so two runs show the same apps.
function random() {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
}
const pick = (list) => list[Math.floor(random() * list.length)];
const sha = () => Array.from({length: 40}, () => '0123456789abcdef'[Math.floor(random() * 16)]).join('');
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

const TEAMS = ['payments', 'search', 'game', 'billing', 'identity', 'media', 'ads', 'infra', 'data', 'mobile'];
const SYNC = ['Synced', 'Synced', 'Synced', 'Synced', 'OutOfSync', 'Unknown'];
const HEALTH = ['Healthy', 'Healthy', 'Healthy', 'Healthy', 'Progressing', 'Degraded', 'Missing', 'Suspended'];
let resourceVersion = 1000;

function makeApp(i, name = `app-${String(i).padStart(4, '0')}`) {
  const team = TEAMS[i % TEAMS.length];
  const repoURL = `https://git.example.com/${team}/deploy-${i % 37}.git`;
  const revision = sha();
  const now = Date.now();
  const finished = now - Math.floor(random() * 86400000);
  const resources = ['Service', 'Deployment', 'ConfigMap', 'HorizontalPodAutoscaler', 'ServiceAccount']
    .flatMap((kind) => [0, 1].map((k) => ({
      group: kind === 'Deployment' ? 'apps' : kind === 'HorizontalPodAutoscaler' ? 'autoscaling' : undefined,
      version: kind === 'HorizontalPodAutoscaler' ? 'v2' : 'v1', kind, namespace: team, name: `${name}-${k}`,
      status: 'Synced', health: {status: 'Healthy'}})));
  return {
    apiVersion: 'gitmoor.dev/v1alpha1', kind: 'Application',
    metadata: {name, namespace: 'gitmoor', uid: `uid-${i}`, resourceVersion: String(++resourceVersion),
      creationTimestamp: iso(now - 30 * 86400000), labels: {team}},
    spec: {project: 'default', destination: {server: 'https://kubernetes.default.svc', namespace: team},
      source: {repoURL, path: `apps/${name}`, targetRevision: i % 5 === 0 ? 'release' : 'main'},
      syncPolicy: i % 3 === 0 ? {automated: {prune: true, selfHeal: i % 2 === 0}} : undefined},
    status: {
      sync: {status: pick(SYNC), revision, comparedTo: {source: {repoURL, path: `apps/${name}`}}},
      health: {status: pick(HEALTH)},
      reconciledAt: iso(now), conditions: [], resources,
      history: [0, 1, 2].map((id) => ({id, revision: sha(), deployedAt: iso(finished - (2 - id) * 3600000),
        deployStartedAt: iso(finished - (2 - id) * 3600000 - 2000)})),
      operationState: {phase: random() < 0.05 ? 'Failed' : 'Succeeded', message: 'successfully synced (all tasks run)',
        startedAt: iso(finished - 2000), finishedAt: iso(finished),
        operation: {sync: {revision}, initiatedBy: {automated: true}},
        syncResult: {revision, resources: resources.map((r) => ({...r, message: 'configured', syncPhase: 'Sync'}))}},
    },
  };
}

const apps = new Map();
for (let i = 0; i < appCount; i++) { const a = makeApp(i); apps.set(a.metadata.name, a); }

// One status change: what a real engine sends most (sync/health flips, a new revision, a sync finishing).
function mutate(app) {
  const s = app.status;
  const roll = random();
  if (roll < 0.4) s.sync.status = pick(SYNC);
  else if (roll < 0.8) s.health.status = pick(HEALTH);
  else {
    s.sync.revision = sha();
    s.operationState = {...s.operationState, phase: 'Succeeded', startedAt: iso(Date.now() - 1500),
      finishedAt: iso(Date.now()), syncResult: {...s.operationState.syncResult, revision: s.sync.revision}};
  }
  s.reconciledAt = iso(Date.now());
  app.metadata.resourceVersion = String(++resourceVersion);
}

const clients = new Set();
let sent = 0;
const frame = (type, application) => `data: ${JSON.stringify({result: {type, application}})}\n\n`;
function broadcast(type, app) {
  const text = frame(type, app);
  for (const res of clients) { res.write(text); sent++; }
}

// Changes go out in 20 ms ticks (so 100/s arrives as bursts of 2, like a busy engine).
let carry = 0;
setInterval(() => {
  if (apps.size === 0) return;
  carry += rate / 50;
  const names = [...apps.keys()];
  while (carry >= 1) {
    carry -= 1;
    const app = apps.get(pick(names));
    mutate(app);
    broadcast('MODIFIED', app);
  }
}, 20);
setInterval(() => { for (const res of clients) res.write(': keep-alive\n\n'); }, 15000);

// Argo CD's `fields`: keep only the listed dotted paths; an array applies the rest of the path to each element.
function keepPath(source, segments, i, target) {
  if (i === segments.length) return source;
  if (Array.isArray(source)) return source.map((item, k) => keepPath(item, segments, i, target?.[k]));
  if (!source || typeof source !== 'object' || !(segments[i] in source)) return target;
  const out = target && typeof target === 'object' ? target : {};
  const kept = keepPath(source[segments[i]], segments, i + 1, out[segments[i]]);
  if (kept !== undefined) out[segments[i]] = kept;
  return out;
}
function keepFields(document, fields) {
  let out;
  for (const f of fields) out = keepPath(document, f.split('.'), 0, out);
  return out ?? {};
}

function json(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {'Content-Type': 'application/json', 'Cache-Control': 'no-store'});
  res.end(text);
}
const notFound = (res, name) => json(res, 404, {code: 5, error: `application ${name} not found`,
  message: `application ${name} not found`});

http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  let m;
  if (p === '/api/v1/session/userinfo') return json(res, 200, {loggedIn: true, username: 'admin', csrfToken: 'fake-csrf'});
  if (p === '/api/v1/session') return json(res, 200, req.method === 'POST' ? {token: 'fake', csrfToken: 'fake-csrf'} : {});
  if (p === '/api/v1/applications' && req.method === 'GET') {
    const list = {items: [...apps.values()], metadata: {resourceVersion: String(resourceVersion)}};
    const fields = url.searchParams.getAll('fields').flatMap((f) => f.split(',')).filter(Boolean);
    return json(res, 200, fields.length ? keepFields(list, fields) : list);
  }
  if (p === '/api/v1/stream/applications') {
    res.writeHead(200, {'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache'});
    let snapshot = '';
    for (const app of apps.values()) snapshot += frame('ADDED', app);
    res.write(snapshot);
    clients.add(res);
    req.on('close', () => clients.delete(res));
    return;
  }
  if ((m = p.match(/^\/api\/v1\/applications\/([^/]+)\/sync$/)) && req.method === 'POST') {
    const name = decodeURIComponent(m[1]);
    const app = apps.get(name);
    if (!app) return notFound(res, name);
    app.status.operationState = {...app.status.operationState, phase: 'Running', startedAt: iso(Date.now()),
      finishedAt: undefined, message: 'syncing', operation: {sync: {}, initiatedBy: {username: 'admin'}}};
    broadcast('MODIFIED', app);
    setTimeout(() => {
      app.status.operationState = {...app.status.operationState, phase: 'Succeeded', finishedAt: iso(Date.now()),
        message: 'successfully synced (all tasks run)'};
      app.status.sync.status = 'Synced';
      broadcast('MODIFIED', app);
    }, 1000);
    return json(res, 200, app);
  }
  if ((m = p.match(/^\/api\/v1\/applications\/([^/]+)$/)) && req.method === 'GET') {
    const name = decodeURIComponent(m[1]);
    return apps.has(name) ? json(res, 200, apps.get(name)) : notFound(res, name);
  }
  if (p === '/fake/rate' && req.method === 'POST') { rate = Number(url.searchParams.get('perSecond')) || 0; return json(res, 200, {rate}); }
  if (p === '/fake/delete' && req.method === 'POST') {
    const name = url.searchParams.get('name');
    const app = apps.get(name);
    if (!app) return notFound(res, name);
    apps.delete(name);
    if (url.searchParams.get('silent') !== '1') broadcast('DELETED', app);
    return json(res, 200, {deleted: name});
  }
  if (p === '/fake/add' && req.method === 'POST') {
    const name = url.searchParams.get('name');
    const app = makeApp(apps.size, name);
    apps.set(name, app);
    broadcast('ADDED', app);
    return json(res, 200, {added: name});
  }
  if (p === '/fake/drop' && req.method === 'POST') {
    const n = clients.size;
    for (const client of clients) client.destroy();
    clients.clear();
    return json(res, 200, {dropped: n});
  }
  if (p === '/fake/stats') return json(res, 200, {apps: apps.size, clients: clients.size, sent, rate});
  if (p.startsWith('/api/')) return json(res, 404, {code: 5, error: `${p} not found`, message: `${p} not found`});

  const asset = p.match(/^\/assets\/dev\/([\w.-]+)$/);
  const file = asset ? path.join(uiDir, asset[1]) : path.join(uiDir, 'index.html');
  fs.readFile(file, (err, data) => {
    if (err) { res.writeHead(404); res.end('not found'); return; }
    const body = asset ? data : Buffer.from(data.toString().replaceAll('%ASSETS%', '/assets/dev'));
    res.writeHead(200, {'Content-Type': types[path.extname(file)] || 'application/octet-stream',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"});
    res.end(body);
  });
}).listen(port, '127.0.0.1', () =>
  console.log(`fake gitmoor API on http://127.0.0.1:${port}/ (${apps.size} apps, ${rate} changes/s)`));
