#!/usr/bin/env node
// Static file server for the demo pages (`npm start`). Node built-ins only: the demo must run
// from a fresh clone after `npm install && npm run build`, with nothing else to set up.
//
// It serves the whole repository root on 127.0.0.1 so that /dist, /demo and /node_modules
// resolve the way they do on disk. Only loopback: this is a development server.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const HOST = '127.0.0.1';
const FIRST_PORT = Number.parseInt(process.env.PORT ?? '', 10) || 8080;
const PORT_ATTEMPTS = 20;
const HOME = '/demo/index.html';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.arrow': 'application/vnd.apache.arrow.file',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

/**
 * The file a URL path names: undefined when the path is not valid percent-encoding, null when
 * it points outside ROOT (`..%2f`, an encoded backslash or NUL).
 * @param {string} pathname
 * @returns {string | null | undefined}
 */
function filePathOf(pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const file = resolve(join(ROOT, decoded));
  return file === ROOT || file.startsWith(ROOT + sep) ? file : null;
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {string} text
 * @param {Record<string, string>} [headers]
 */
function reply(res, status, text, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 */
async function handle(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    reply(res, 405, 'Method not allowed\n', { Allow: 'GET, HEAD' });
    return;
  }
  const url = new URL(req.url ?? '/', `http://${HOST}`);
  if (url.pathname === '/') {
    reply(res, 302, `See ${HOME}\n`, { Location: HOME });
    return;
  }
  const file = filePathOf(url.pathname);
  if (file === undefined) {
    reply(res, 400, 'Bad request\n');
    return;
  }
  if (file === null) {
    reply(res, 403, 'Forbidden\n');
    return;
  }
  let info;
  try {
    info = await stat(file);
  } catch {
    reply(res, 404, `Not found: ${url.pathname}\n`);
    return;
  }
  if (info.isDirectory()) {
    // /demo and /demo/ go to the folder's index.html, keeping relative URLs in it working.
    const target = `${url.pathname.replace(/\/?$/, '/')}index.html${url.search}`;
    reply(res, 302, `See ${target}\n`, { Location: target });
    return;
  }
  if (!info.isFile()) {
    reply(res, 404, `Not found: ${url.pathname}\n`);
    return;
  }
  res.writeHead(200, {
    'Content-Type': TYPES[/** @type {keyof TYPES} */ (extname(file).toLowerCase())] ?? 'application/octet-stream',
    'Content-Length': info.size,
    // A rebuilt bundle must show on the next reload.
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}

/**
 * Listens on the first free port from `port`, up to PORT_ATTEMPTS ports on.
 * @param {number} port
 * @returns {Promise<{ server: import('node:http').Server, port: number }>}
 */
async function listen(port) {
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const server = createServer((req, res) => {
      handle(req, res).catch((error) => {
        console.error(error);
        if (!res.headersSent) reply(res, 500, 'Internal server error\n');
        else res.destroy();
      });
    });
    const tried = port + attempt;
    try {
      await new Promise((done, fail) => {
        server.once('error', fail);
        server.listen(tried, HOST, () => {
          server.off('error', fail);
          done(undefined);
        });
      });
      return { server, port: tried };
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EADDRINUSE') throw error;
      console.log(`Port ${tried} is in use, trying ${tried + 1}…`);
    }
  }
  throw new Error(`No free port from ${port} to ${port + PORT_ATTEMPTS - 1}; set PORT to another one.`);
}

const { server, port } = await listen(FIRST_PORT);
console.log(`FunnelKit demo: http://${HOST}:${port}/demo/index.html`);
console.log(`One-tag demo: http://${HOST}:${port}/demo/cdn.html`);
console.log('Press Ctrl+C to stop.');

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
