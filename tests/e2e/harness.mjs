// harness.mjs — starts the real trondoi binary on a free loopback port with a temporary
// database, and talks HTTP to it. TRONDOI_BIN picks the binary (build/trondoi by default);
// TRONDOI_TEST_PG (postgresql://USER@HOST:PORT, set by tests/pg.sh) runs every server on
// PostgreSQL instead of SQLite: a database of its own in that cluster, named after its temp dir.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import Database, { PG, pgAdmin } from './sqlite.mjs';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
export const BIN = resolve(ROOT, process.env.TRONDOI_BIN || 'build/trondoi');
export const SANITIZED = !!process.env.TRONDOI_SANITIZED;
/** TRONDOI_VALGRIND: every server a test starts runs under valgrind's memcheck, which makes it
 * exit 99 on an invalid access or a definite leak (tests check a server's exit status). */
export const VALGRIND = !!process.env.TRONDOI_VALGRIND;
const VALGRIND_ARGS = ['--error-exitcode=99', '--leak-check=full', '--errors-for-leak-kinds=definite', '--show-leak-kinds=definite', '--quiet',
  `--suppressions=${resolve(new URL('..', import.meta.url).pathname, 'valgrind.supp')}`];
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

/** Runs a trondoi subcommand; returns {status, stdout, stderr}. On PostgreSQL, a --db of a test's
 * database (named after its temp dir) brings that database's key files (nodeEnv) along. */
export function cli(args, { input, cwd, env = {} } = {}) {
  const db = args[args.indexOf('--db') + 1];
  const implied = PG && args.includes('--db') && String(db).startsWith(PG) ? nodeEnv(join(tmpdir(), basename(db))) : {};
  const r = spawnSync(BIN, args, { input, cwd: cwd || ROOT, encoding: 'utf8', timeout: 300000, env: { ...process.env, ...implied, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir() {
  return mkdtempSync(join(tmpdir(), 'trondoi-e2e-'));
}

/** A fresh database (with the demo data unless demo is false) and a server on it (args: more
 * options of serve). */
/** The database of a test in dir: a file in it (SQLite), or a database named after it in the
 * TRONDOI_TEST_PG cluster, created when create is true. */
export function testDatabase(dir, { create = false } = {}) {
  if (!PG) return join(dir, 'trondoi.db');
  const name = basename(dir);
  if (create) pgAdmin(`CREATE DATABASE "${name}"`);
  return `${PG}/${name}`;
}

/** Drops the PostgreSQL database of dir (nothing to do on SQLite: the file goes with dir). */
export function dropDatabase(dir) {
  if (PG) pgAdmin(`DROP DATABASE IF EXISTS "${basename(dir)}" WITH (FORCE)`);
}

/** What the commands of a test's database need in their environment: on PostgreSQL, where its
 * node's key file and its data key file live (there is no database file to keep them beside). */
export const nodeEnv = (dir) => (PG ? { TRONDOI_NODE_KEY: join(dir, 'node-key'), TRONDOI_DATA_KEY: join(dir, 'data-key') } : {});

/** The data key file of a test's database (beside a SQLite file; named by TRONDOI_DATA_KEY). */
export const dataKeyFile = (srv) => srv.env.TRONDOI_DATA_KEY ?? `${srv.db}.data-key`;

let demo;
/** The demo's citizens, as `init --demo` imports them (the generator's first 300 of province 36
 * with the demo's seed): [{id, full_name, date_of_birth, sex, permanent_unit, phone, …}]. The
 * registry itself stores no ID in clear, so tests that need "another citizen" ask here. */
export function demoCitizens() {
  if (demo) return demo;
  const out = execFileSync(BIN, ['gen', 'citizens', '--count', '300', '--province', '36', '--seed', '2026'], { encoding: 'utf8' });
  const [head, ...rows] = out.trim().split('\n');
  const names = head.split(',');
  demo = rows.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i], v])));
  return demo;
}

export async function startServer({ demo = true, dir = tempDir(), threads = 4, init = true, env = {}, args = [] } = {}) {
  const db = testDatabase(dir, { create: init });
  env = { ...nodeEnv(dir), ...env };
  if (init) execFileSync(BIN, ['init', '--db', db, ...(demo ? ['--demo'] : [])], { stdio: 'pipe', env: { ...process.env, ...env } });
  const port = await freePort();
  // on PostgreSQL the uploaded files have no database file to sit beside
  const files = PG ? ['--files', join(dir, 'files')] : [];
  const serve = [BIN, 'serve', '--db', db, '--port', String(port), '--threads', String(threads), ...files, ...args];
  const [cmd, ...argv] = VALGRIND ? ['valgrind', ...VALGRIND_ARGS, ...serve] : serve;
  const proc = spawn(cmd, argv, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  proc.stdout.on('data', () => {});
  const exited = new Promise((ok) => proc.on('exit', (code, signal) => ok({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < (VALGRIND ? 1200 : 200); i++) { // memcheck starts a program some 20 times slower
    try {
      const r = await fetch(url + '/healthz');
      if (r.ok) break;
    } catch {
      await new Promise((ok) => setTimeout(ok, 50));
    }
  }
  return {
    url, port, dir, db, proc, env,
    get stderr() { return stderr; },
    async stop({ keep = false } = {}) {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const r = await exited;
      if (!keep) {
        dropDatabase(dir);
        rmSync(dir, { recursive: true, force: true });
      }
      if (VALGRIND && r.code === 99) throw new Error(`memcheck found an error in the server:\n${stderr.slice(-6000)}`);
      // ASan, LeakSanitizer and UBSan print their reports on standard error: any fails the test that stops it
      const report = SANITIZED ? stderr.search(/ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/) : -1;
      if (report >= 0) throw new Error(`a sanitizer found an error in the server:\n${stderr.slice(report, report + 6000)}`);
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

/** A dossier of dan's (procedure 1.004873), scanned at the desk, accepted, approved and finished
 * by the commune's officer and leader (t holds their tokens: dan, canbo.xa, lanhdao.xa); late:
 * its due moved to yesterday first, so it finishes with an apology; returned: handed back to dan. */
export async function finishedDossier(base, t, dbPath, { late = false, returned = false } = {}) {
  const move = (code, body) => api(base, 'POST', `/api/v1/dossiers/${code}/transitions`, { token: t['canbo.xa'], body });
  const r = await api(base, 'POST', '/api/v1/dossiers', { token: t.dan, body: { procedure: '1.004873', fields: { purpose: 'loan' } } });
  if (r.status !== 201) throw new Error(`submit: ${r.status} ${r.text}`);
  const code = r.json.code;
  await upload(base, t['canbo.xa'], code, 'marital_status_request_form');
  if ((await move(code, { to: 2 })).status !== 200) throw new Error(`accept ${code}`);
  await handOn(base, t['canbo.xa'], t['lanhdao.xa'], code);
  if (late) new Database(dbPath).run('UPDATE dossiers SET due_at = ? WHERE code = ?', (Date.now() - 86400e3) * 1000, code);
  const done = await move(code, late ? { to: 9, apology: { reason: 'chờ xác minh', new_appointment: '2026-12-31' } } : { to: 9 });
  if (done.status !== 200) throw new Error(`finish: ${done.status} ${done.text}`);
  if (returned && (await move(code, { to: 10 })).status !== 200) throw new Error(`return ${code}`);
  return code;
}

/** Moves every time of a dossier back so that it was received at `at` (ISO instant); the changed
 * mark tells the report counters to read it again (as any change through the API would). */
export function receivedAt(dbPath, code, at) {
  const db = new Database(dbPath);
  const { received_at: now } = db.get('SELECT received_at FROM dossiers WHERE code = ?', code);
  const shift = now - Date.parse(at) * 1000;
  db.run(`UPDATE dossiers SET received_at = received_at - ?, accepted_at = accepted_at - ?, due_at = due_at - ?,
          finished_at = finished_at - ?, returned_at = returned_at - ? WHERE code = ?`, shift, shift, shift, shift, shift, code);
  db.run('INSERT INTO report_dirty (code) VALUES (?) ON CONFLICT DO NOTHING', code);
}

/** A minimal SMTP server that keeps the messages it is given. */
export function smtpSink(port) {
  const mails = [];
  const server = createServer((sock) => {
    let buf = '', data = false, mail = { rcpt: [], text: '' };
    const say = (l) => sock.write(l + '\r\n');
    say('220 sink ESMTP');
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (data) {
          if (line === '.') { data = false; mails.push(mail); mail = { rcpt: [], text: '' }; say('250 OK queued'); } else mail.text += line + '\n';
          continue;
        }
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO' || cmd === 'HELO') say('250 sink');
        else if (cmd === 'MAIL') { mail.from = line; say('250 OK'); }
        else if (cmd === 'RCPT') { mail.rcpt.push(line.replace(/^RCPT TO:/i, '')); say('250 OK'); }
        else if (cmd === 'DATA') { data = true; say('354 go ahead'); }
        else if (cmd === 'QUIT') { say('221 bye'); sock.end(); }
        else say('250 OK');
      }
    });
    sock.on('error', () => {});
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok({ mails, close: () => server.close() })));
}
