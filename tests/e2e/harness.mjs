// harness.mjs — starts the real trondoi binary on a free loopback port with a temporary
// database, and talks HTTP to it. TRONDOI_BIN picks the binary (build/trondoi by default).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
export const BIN = resolve(ROOT, process.env.TRONDOI_BIN || 'build/trondoi');
export const SANITIZED = !!process.env.TRONDOI_SANITIZED;
export const PASSWORD = 'trondoi-demo';

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** Runs a trondoi subcommand; returns {status, stdout, stderr}. */
export function cli(args, { input, cwd } = {}) {
  const r = spawnSync(BIN, args, { input, cwd: cwd || ROOT, encoding: 'utf8', timeout: 300000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir() {
  return mkdtempSync(join(tmpdir(), 'trondoi-e2e-'));
}

/** A fresh database (with the demo data unless demo is false) and a server on it. */
export async function startServer({ demo = true, dir = tempDir(), threads = 4, init = true, env = {} } = {}) {
  const db = join(dir, 'trondoi.db');
  if (init) execFileSync(BIN, ['init', '--db', db, ...(demo ? ['--demo'] : [])], { stdio: 'pipe' });
  const port = await freePort();
  const proc = spawn(BIN, ['serve', '--db', db, '--port', String(port), '--threads', String(threads)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  proc.stdout.on('data', () => {});
  const exited = new Promise((ok) => proc.on('exit', (code, signal) => ok({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(url + '/healthz');
      if (r.ok) break;
    } catch {
      await new Promise((ok) => setTimeout(ok, 50));
    }
  }
  return {
    url, port, dir, db, proc,
    get stderr() { return stderr; },
    async stop({ keep = false } = {}) {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const r = await exited;
      if (!keep) rmSync(dir, { recursive: true, force: true });
      return { ...r, stderr };
    },
  };
}

/** One HTTP call: returns {status, json, text, headers}. */
export async function api(base, method, path, { token, body, headers = {}, raw } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  let payload;
  if (raw !== undefined) payload = raw;
  else if (body !== undefined) {
    payload = JSON.stringify(body);
    h['content-type'] = 'application/json';
  }
  const r = await fetch(base + path, { method, headers: h, body: payload });
  const text = await r.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: r.status, json, text, headers: r.headers };
}

export async function login(base, username, password = PASSWORD) {
  const r = await api(base, 'POST', '/api/v1/auth/login', { body: { username, password } });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${r.text}`);
  return r.json.token;
}

/** A small valid PDF, for tests that attach documents. */
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

/** Attaches a document to a dossier; returns the response. */
export async function upload(base, token, code, docId, body = PDF, name = 'giay-to.pdf') {
  const r = await fetch(`${base}/api/v1/dossiers/${code}/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'x-document-id': docId, 'x-file-name': name, 'content-type': 'application/octet-stream' },
    body,
  });
  const text = await r.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: r.status, json, text, headers: r.headers };
}

/** Hands an accepted dossier along the commune process to its last step: the officer's review,
 * then the leader's approval. */
export async function handOn(base, officer, leader, code) {
  for (const token of [officer, leader]) {
    const r = await api(base, 'POST', `/api/v1/dossiers/${code}/steps`, { token, body: { action: 'forward' } });
    if (r.status !== 200) throw new Error(`step forward: ${r.status} ${r.text}`);
  }
}
