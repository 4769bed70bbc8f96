// backup.test.mjs — `trondoi backup` copies a live database (SQLite's online backup, PostgreSQL's
// pg_dump); `trondoi restore` puts it back into a new database, checks that the audit trail and
// the exchange's message log verify, and the restored database serves what was there.
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database, { PG } from './sqlite.mjs';
import { api, cli, dataKeyFile, login, startServer, tempDir, testDatabase } from './harness.mjs';

let srv, code, copy;
const restored = [];
before(async () => {
  srv = await startServer();
  const dan = await login(srv.url, 'dan');
  const r = await api(srv.url, 'POST', '/api/v1/dossiers', { token: dan, body: { procedure: '1.004873', fields: { purpose: 'loan' } } });
  assert.equal(r.status, 201, r.text);
  code = r.json.code;
  copy = join(srv.dir, 'backup.bin');
});
after(async () => {
  for (const s of restored) await s.stop();
  await srv.stop();
});

test('a live database is backed up while it serves', async () => {
  const dan = await login(srv.url, 'dan');
  const busy = Array.from({ length: 20 }, () => api(srv.url, 'GET', '/api/v1/me', { token: dan }));
  const b = cli(['backup', '--db', srv.db, '-o', copy], { env: srv.env });
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stdout, /^backed up to /);
  assert.ok((await Promise.all(busy)).every((r) => r.status === 200));
});

test('restored into a new database, the chains verify and it serves the same dossier', async () => {
  const dir = tempDir();
  const db = testDatabase(dir, { create: true });
  const r = cli(['restore', '--db', db, copy], { env: srv.env });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const entries = Number(new Database(srv.db).get('SELECT seq FROM audit_head WHERE id = 1').seq);
  assert.match(r.stdout, new RegExp(`audit trail ok \\(${entries} entries\\)`));
  if (!PG) { // the data key is kept apart from the database and its backups: a restored copy alone reads nothing
    const keyless = cli(['keys', 'status', '--db', db]);
    assert.equal(keyless.status, 1);
    assert.match(keyless.stderr, /data key file .*data-key is missing/);
    copyFileSync(dataKeyFile(srv), `${db}.data-key`);
  }
  const again = await startServer({ dir, init: false, env: srv.env });
  restored.push(again);
  const d = await api(again.url, 'GET', `/api/v1/dossiers/${code}`, { token: await login(again.url, 'dan') });
  assert.equal(d.status, 200, d.text);
  assert.equal(d.json.code, code);
});

test('a copy whose audit trail was tampered with does not restore quietly', { skip: PG ? 'edits a SQLite backup file' : false }, () => {
  new Database(copy).run("UPDATE audit_log SET actor = 'ai-do' WHERE seq = 2");
  const dir = tempDir();
  const r = cli(['restore', '--db', join(dir, 'trondoi.db'), copy]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /the audit trail does not verify: entry 2/);
});

test('a missing backup file is a clear error', () => {
  const r = cli(['restore', '--db', join(tempDir(), 'x.db'), join(srv.dir, 'no-such-file')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot read/);
});
