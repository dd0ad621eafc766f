// Development server for the web UI: serves web/ui straight from disk (edit, reload; no rebuild) and forwards
// /api, /healthz and /readyz to a running gitmoor (`gitmoor demo` or `gitmoor serve`), so the UI can be worked on
// against a real engine. Not used by the tests or in production, where the assets are embedded in the binary.
//   node tests/ui/dev-server.mjs --ui web/ui --upstream http://127.0.0.1:8080 --port 8090
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) =>
  (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const uiDir = path.resolve(args.ui || 'web/ui');
const upstream = new URL(args.upstream || 'http://127.0.0.1:8080');
const port = Number(args.port || 8090);
const types = {'.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.html': 'text/html'};

http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (/^\/(api|healthz|readyz|metrics)(\/|$)/.test(url.pathname)) {
    const forward = http.request({host: upstream.hostname, port: upstream.port, path: req.url, method: req.method,
      headers: req.headers}, (up) => { res.writeHead(up.statusCode, up.headers); up.pipe(res); });
    forward.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
    req.pipe(forward);
    return;
  }
  const asset = url.pathname.match(/^\/assets\/dev\/([\w.-]+)$/);
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
}).listen(port, '127.0.0.1', () => console.log(`ui dev server on http://127.0.0.1:${port}/ -> ${upstream.href}`));
