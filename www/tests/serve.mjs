// Tiny dependency-free static file server for the Loupe site.
//   node www/tests/serve.mjs <root> [port]      (default port 8080, host 127.0.0.1)
// Also: import { startServer } from './serve.mjs'; const { url, close } = await startServer(root, 0);
// startServer's third argument, { files: { '/path': Buffer }, delays: { '/path': ms } }, serves extra
// in-memory files and delays chosen responses (tests use them).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.glb': 'model/gltf-binary',
  '.gltf': 'model/gltf+json',
  '.hdr': 'image/vnd.radiance',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.y4m': 'video/x-yuv4mpeg',
};

function contentType(p) {
  return MIME[path.extname(p).toLowerCase()] || 'application/octet-stream';
}

export function startServer(root, port = 0, { host = '127.0.0.1', files = {}, delays = {} } = {}) {
  const rootAbs = path.resolve(root);
  const server = http.createServer((req, res) => {
    const wait = delays[new URL(req.url, 'http://x').pathname];
    if (wait) { setTimeout(() => handle(req, res), wait); return; }
    handle(req, res);
  });
  function handle(req, res) {
    const send = (status, body, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    let pathname;
    try { pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname); } catch { return send(400, 'bad request\n'); }
    if (Object.prototype.hasOwnProperty.call(files, pathname)) {
      return send(200, files[pathname], contentType(pathname));
    }
    let file = path.join(rootAbs, path.normalize(pathname));
    if (file !== rootAbs && !file.startsWith(rootAbs + path.sep)) return send(403, 'forbidden\n');
    fs.stat(file, (err, st) => {
      if (!err && st.isDirectory()) {
        file = path.join(file, 'index.html');
        try { st = fs.statSync(file); err = null; } catch (e) { err = e; }
      }
      if (err || !st.isFile()) return send(404, `not found: ${pathname}\n`);
      res.writeHead(200, {
        'Content-Type': contentType(file),
        'Content-Length': st.size,
        'Cache-Control': 'no-cache',
      });
      if (req.method === 'HEAD') return res.end();
      fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
    });
  }
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: p } = server.address();
      resolve({
        url: `http://${host}:${p}/`,
        port: p,
        server,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
      });
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = process.argv[2];
  if (!root) {
    console.error('usage: node www/tests/serve.mjs <root> [port]');
    process.exit(2);
  }
  if (!fs.existsSync(root)) {
    console.error(`serve.mjs: ${root} does not exist`);
    process.exit(1);
  }
  const port = process.argv[3] ? Number(process.argv[3]) : 8080;
  const { url } = await startServer(root, port);
  console.log(`Serving ${path.resolve(root)} at ${url}  (Ctrl+C to stop)`);
}
